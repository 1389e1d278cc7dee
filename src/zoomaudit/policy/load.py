"""Load a policy folder (or file) into a PolicySet, reporting every problem of every file at once.

A file holds a list of policies, or a mapping with a ``policies`` list. Lines are kept from the
YAML nodes so that each problem names its file and line; a broken set raises ``PolicyError`` and
never audits anything.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from zoomaudit.errors import PolicyError, PolicyProblem
from zoomaudit.located_yaml import LocatedMap, LocatedSeq, line_of, read_located
from zoomaudit.policy.model import Policy, PolicySet, cross_check

BUNDLED_SOURCE = "bundled"


def policy_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _read(file: Path, label: str) -> tuple[list[Any], list[PolicyProblem]]:
    """The raw policy mappings of one file, or its problems."""
    doc, found = read_located(file)
    problems = [PolicyProblem(label, line, msg) for line, msg in found]
    if doc is None:
        return [], problems
    items = doc.get("policies") if isinstance(doc, LocatedMap) and "policies" in doc else doc
    if not isinstance(items, LocatedSeq):
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
            problems.append(PolicyProblem(label, line_of(raw, loc), f"{where}: {msg}" if where else msg, pid))
        return None, problems
    problems = [
        PolicyProblem(label, line_of(raw, loc), f"{'.'.join(map(str, loc)) or 'policy'}: {msg}", pid)
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
            line = line_of(raw, ("id",))
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
