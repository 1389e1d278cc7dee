"""The shape of the package: no import cycle anywhere, and each vocabulary word defined once.

The import graph is read from the source (AST), so it includes imports inside functions and under
``TYPE_CHECKING``: a lazy import hides a cycle from the interpreter, not from the design. An import
``from package import name`` depends on the package itself (its ``__init__``) and, when ``name`` is
a submodule, on that submodule too; inside a package, import a sibling by its full module path.
"""

from __future__ import annotations

import ast
from pathlib import Path

import zoomaudit

SRC = Path(zoomaudit.__file__).parent
VOCABULARY = ("Trigger", "FixMode", "ScopeKind", "FixStatus", "Scope")


def _modules() -> dict[str, tuple[Path, bool]]:
    modules: dict[str, tuple[Path, bool]] = {}
    for path in SRC.rglob("*.py"):
        parts = ["zoomaudit", *path.relative_to(SRC).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, is_package)
    return modules


def _known(name: str, modules: dict[str, tuple[Path, bool]]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (anywhere in its source)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    source = ".".join([*base, node.module] if node.module else base)
                else:
                    source = node.module or ""
                targets = [source, *(f"{source}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in targets:
                module = _known(target, modules)
                if module is not None and module != name:
                    graph[name].add(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_finder_sees_a_cycle_through_a_lazy_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_has_the_imports_inside_functions() -> None:
    graph = import_graph()
    assert "zoomaudit.collect" in graph["zoomaudit.runner"]  # imported inside ``_Run`` methods only


def test_there_is_no_import_cycle_in_the_package() -> None:
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_vocabulary_imports_nothing_from_zoomaudit() -> None:
    assert import_graph()["zoomaudit.vocabulary"] == set()


def test_each_vocabulary_word_is_defined_once() -> None:
    """Trigger, FixMode, ScopeKind, FixStatus and Scope live in zoomaudit.vocabulary only."""
    where: dict[str, list[str]] = {word: [] for word in VOCABULARY}
    for name, (path, _) in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                defined = [node.name]
            elif isinstance(node, ast.Assign):
                defined = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined = [node.target.id]
            else:
                continue
            for word in defined:
                if word in where:
                    where[word].append(name)
    assert where == {word: ["zoomaudit.vocabulary"] for word in VOCABULARY}


def test_exit_codes_live_with_the_error_tree() -> None:
    """Only errors.py assigns ``EXIT_*`` constants; the CLI imports them."""
    assigned = []
    for name, (path, _) in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign):
                assigned += [
                    name for t in node.targets if isinstance(t, ast.Name) and t.id.startswith("EXIT_")
                ]
    assert set(assigned) == {"zoomaudit.errors"}
