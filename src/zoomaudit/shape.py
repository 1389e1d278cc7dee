"""Settings documents whose sections are of the wrong type.

The resolver reads a missing key as "not stated" and lets the next tier decide. A section that is
present but is not an object (``"in_meeting": "x"``) is not "not stated": Zoom sent something the
auditor cannot read, and reading it as absent would let the account's value decide silently and
the run read complete with fewer violations. ``misshapen`` names such sections so the collector
makes them an error of their subject (a host's settings: a ``CollectError`` of the host; the
account's or a group's: the run stops, incomplete).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from zoomaudit.controls import CATALOGUE

LIST_ALLOWED = frozenset({"authentication_options"})
"""Sections that one of Zoom's documented shapes sends as an array (the flat
``option=meeting_authentication`` view: ``authentication_options: [...]``)."""


@cache
def sections() -> frozenset[str]:
    """Every dotted prefix of a path some catalogued control reads: each must be an object."""
    found: set[str] = set()
    for control in CATALOGUE.values():
        for path in control.read_paths():
            parts = path.split(".")
            found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(found)


def lock_sections() -> frozenset[str]:
    """The top-level sections only: a lock document flattens what settings nest
    (``schedule_meeting.continuous_meeting_chat`` is a flag there, an object in the settings)."""
    return frozenset(s for s in sections() if "." not in s)


def misshapen(doc: Mapping[str, Any], paths: Iterable[str] | None = None) -> list[str]:
    """The sections of ``doc`` (by default every one of ``sections``) that are present but not
    objects, as "path (type)", sorted."""
    problems: list[str] = []
    for path in sorted(sections() if paths is None else paths):
        node: Any = doc
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                node = None
                break
            node = node[part]
        else:
            if isinstance(node, dict) or (path in LIST_ALLOWED and isinstance(node, list)):
                continue
            problems.append(f"{path} ({type(node).__name__})")
    return problems


def describe(problems: list[str]) -> str:
    return "settings section(s) not an object: " + ", ".join(problems)
