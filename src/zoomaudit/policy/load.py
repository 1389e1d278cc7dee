"""Load a policy folder (or file) into a PolicySet, reporting every problem of every file at once.

A file holds a list of policies, or a mapping with a ``policies`` list. Lines are kept from the
YAML nodes so that each problem names its file and line; a broken set raises ``PolicyError`` and
never audits anything.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zoomaudit.errors import PolicyError, PolicyProblem
from zoomaudit.policy.model import Policy, PolicySet, cross_check

BUNDLED_SOURCE = "bundled"


class _Map(dict[str, Any]):
    line: int = 0
    key_lines: dict[Any, int]


class _Seq(list[Any]):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists remember the line of each key and item."""

    duplicates: list[tuple[int, str]]


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data.key_lines:
            loader.duplicates.append((key_node.start_mark.line + 1, f"duplicate key {key!r}"))
        data.key_lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> Any:
    data = _Seq()
    data.line = node.start_mark.line + 1
    data.item_lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest element of ``loc`` found in the loaded YAML."""
    line: int | None = getattr(node, "line", None)
    for part in loc:
        if isinstance(node, _Map) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, _Seq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def policy_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _read(file: Path, label: str) -> tuple[list[Any], list[PolicyProblem]]:
    """The raw policy mappings of one file, or its problems."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return [], [PolicyProblem(label, None, f"cannot read the file: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data[: exc.start].count(b"\n") + 1
        message = f"the file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        return [], [PolicyProblem(label, at, message)]
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        doc = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        text = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return [], [PolicyProblem(label, line, f"YAML syntax error: {text}")]
    except yaml.YAMLError as exc:
        return [], [PolicyProblem(label, None, f"YAML error: {exc}")]
    finally:
        loader.dispose()
    problems = [PolicyProblem(label, line, msg) for line, msg in loader.duplicates]
    if doc is None:
        return [], problems
    items = doc.get("policies") if isinstance(doc, _Map) and "policies" in doc else doc
    if not isinstance(items, _Seq):
        where = getattr(doc, "line", 1)
        problems.append(
            PolicyProblem(label, where, "a policy file holds a list of policies (or policies: [...])")
        )
        return [], problems
    return list(items), problems


def _validate(raw: Any, label: str) -> tuple[Policy | None, list[PolicyProblem]]:
    pid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        policy = Policy.model_validate(dict(raw) if isinstance(raw, dict) else raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc)
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(
                PolicyProblem(label, _line_of(raw, loc), f"{where}: {msg}" if where else msg, pid)
            )
        return None, problems
    problems = [
        PolicyProblem(label, _line_of(raw, loc), f"{'.'.join(map(str, loc)) or 'policy'}: {msg}", pid)
        for loc, msg in cross_check(policy)
    ]
    return (None if problems else policy), problems


def load_dir(path: Path, *, source: str | None = None) -> PolicySet:
    """Load every ``*.yaml``/``*.yml`` under ``path`` (or one file)."""
    if not path.exists():
        raise PolicyError([PolicyProblem(str(path), None, "no such policy file or folder")])
    files = policy_files(path)
    if not files:
        raise PolicyError([PolicyProblem(str(path), None, "no policy files (*.yaml) found")])
    problems: list[PolicyProblem] = []
    policies: list[Policy] = []
    seen: dict[str, tuple[str, int | None]] = {}
    for file in files:
        label = str(file)
        items, found = _read(file, label)
        problems += found
        for raw in items:
            policy, found = _validate(raw, label)
            problems += found
            pid = policy.id if policy else (raw.get("id") if isinstance(raw, dict) else None)
            if not isinstance(pid, str):
                continue
            line = _line_of(raw, ("id",))
            if pid in seen:
                first_file, first_line = seen[pid]
                at = f"{first_file}:{first_line}" if first_line else first_file
                problems.append(
                    PolicyProblem(label, line, f"duplicate policy id {pid!r} (first at {at})", pid)
                )
                continue
            seen[pid] = (label, line)
            if policy is not None:
                policies.append(policy)
    if problems:
        raise PolicyError(problems)
    for policy in policies:
        policy.compile()
    return PolicySet.build(policies, source or str(path))


def bundled_pack_dir() -> Path:
    """The built-in safeguarding pack, shipped inside the package (``zoomaudit/pack``)."""
    return Path(str(resources.files("zoomaudit") / "pack"))


def load_policies(path: Path | None = None) -> PolicySet:
    """The policy set to audit with: ``path``, else ``ZOOMAUDIT_POLICIES``, else the bundled pack."""
    if path is not None:
        return load_dir(Path(path))
    from zoomaudit.settings import load_settings

    configured = load_settings().policies_dir
    if configured:
        return load_dir(Path(configured))
    return load_dir(bundled_pack_dir(), source=BUNDLED_SOURCE)
