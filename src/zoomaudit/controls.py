"""The catalogue of controls: each safeguarding setting and where Zoom keeps it at each tier.

A control names one setting (``waiting_room``, ``screen_share`` ...) and gives its field path at
each tier (see ../shared/zoom-api/settings-map.md and docs/controls.md, which is generated from
this catalogue). Paths are dotted:

- ``meeting``: relative to the ``GET /meetings/{id}`` body, e.g. ``settings.waiting_room`` or
  ``password`` (a top-level field);
- ``user`` / ``group`` / ``account``: relative to the merged settings document of that tier
  (default view + ``meeting_security`` + ``meeting_authentication``), e.g. ``in_meeting.screen_sharing``;
- ``group_lock`` / ``account_lock``: relative to the merged lock-settings document.

A tier with no path has no such field in Zoom. A control with no path at all is ``manual``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FixTier = Literal["meeting", "user", "group", "account", "group_lock", "account_lock"]
TIERS: tuple[FixTier, ...] = ("meeting", "user", "group", "account", "group_lock", "account_lock")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""Zoom documents no default for the control; an unstated value stays unknown."""

# Settings sections that Zoom serves only under an ``option`` query (settings-map.md conventions).
_OPTION_SECTIONS = ("meeting_security", "meeting_authentication")


@dataclass(frozen=True)
class Control:
    name: str
    title: str
    meeting: str | None = None
    user: str | None = None
    group: str | None = None
    group_lock: str | None = None
    account: str | None = None
    account_lock: str | None = None
    default: Any = NO_DEFAULT
    occurrence_fixable: bool = False
    """``PATCH /meetings/{id}?occurrence_id=`` accepts this field (only a few settings)."""
    guidance: str = ""
    """For manual controls: what the host or safeguarding lead should do instead."""
    notes: str = ""
    extra_paths: dict[str, str] = field(default_factory=dict)
    """Other fields a check may read, by name (e.g. the passcode requirement)."""

    @property
    def manual(self) -> bool:
        return not any(self.path(t) for t in TIERS)

    def path(self, tier: FixTier) -> str | None:
        path: str | None = getattr(self, tier)
        return path

    def fixable_tiers(self) -> tuple[FixTier, ...]:
        return tuple(t for t in TIERS if self.path(t))


@dataclass(frozen=True)
class FixRequest:
    """The exact Zoom request that sets a value: what a fix plan stores and an approval sends."""

    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]


def nest(path: str, value: Any) -> dict[str, Any]:
    """``nest("settings.waiting_room", True)`` -> ``{"settings": {"waiting_room": True}}``."""
    out: Any = value
    for part in reversed(path.split(".")):
        out = {part: out}
    result: dict[str, Any] = out
    return result


def lookup(doc: Any, path: str) -> tuple[bool, Any]:
    """Look a dotted path up in a nested dict: (present, value). A missing key is not stated."""
    node = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _option_for(path: str) -> dict[str, str]:
    head = path.split(".", 1)[0]
    return {"option": head} if head in _OPTION_SECTIONS else {}


def fix_request(
    control: Control,
    tier: FixTier,
    value: Any,
    *,
    meeting_id: int | None = None,
    occurrence_id: str | None = None,
    user_id: str | None = None,
    group_id: str | None = None,
) -> FixRequest:
    """Build the PATCH that sets ``control`` to ``value`` at ``tier``.

    Settings in the ``meeting_security`` / ``meeting_authentication`` sections are PATCHed with
    the matching ``option`` query, as Zoom serves them. Lock tiers set the lock flag: ``value``
    is then the boolean lock state, not the setting's value.
    """
    path = control.path(tier)
    if path is None:
        raise ValueError(f"control {control.name} has no field at tier {tier}")
    if tier == "meeting":
        if meeting_id is None:
            raise ValueError("a meeting fix needs meeting_id")
        query = {"occurrence_id": occurrence_id} if occurrence_id else {}
        return FixRequest("PATCH", f"/meetings/{meeting_id}", query, nest(path, value))
    if tier == "user":
        if not user_id:
            raise ValueError("a user fix needs user_id")
        return FixRequest("PATCH", f"/users/{user_id}/settings", _option_for(path), nest(path, value))
    if tier in ("group", "group_lock"):
        if not group_id:
            raise ValueError("a group fix needs group_id")
        kind = "settings" if tier == "group" else "lock_settings"
        return FixRequest("PATCH", f"/groups/{group_id}/{kind}", _option_for(path), nest(path, value))
    kind = "settings" if tier == "account" else "lock_settings"
    return FixRequest("PATCH", f"/accounts/me/{kind}", _option_for(path), nest(path, value))


CATALOGUE: dict[str, Control] = {}
"""Every control by name. Filled in below (issue: safeguarding policies)."""


def get_control(name: str) -> Control:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown control {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None
