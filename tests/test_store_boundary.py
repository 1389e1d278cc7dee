"""Only ``zoomaudit.store`` imports SQLAlchemy (issue 13): every query is a store repository's.

Walks the package's modules with the AST, so an import inside a function counts as much as one at
the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import zoomaudit

PACKAGE = Path(zoomaudit.__file__).resolve().parent


def _imports_sqlalchemy(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "sqlalchemy" or name.startswith("sqlalchemy.") for name in names):
            lines.append(node.lineno)
    return lines


def offenders(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] == "store":
            continue
        lines = _imports_sqlalchemy(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found += [f"zoomaudit/{relative.as_posix()}:{line}" for line in lines]
    return found


def test_no_module_outside_the_store_imports_sqlalchemy() -> None:
    assert offenders() == [], "SQLAlchemy used outside zoomaudit/store/: " + ", ".join(offenders())


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "fine.py").write_text("import sqlalchemy\n")
    (tmp_path / "late.py").write_text("def f():\n    from sqlalchemy.orm import Session\n")
    (tmp_path / "plain.py").write_text("import sqlalchemy_utils\nfrom apscheduler import jobstores\n")
    assert offenders(tmp_path) == ["zoomaudit/late.py:2"]
