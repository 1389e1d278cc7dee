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
Some controls read more than one field to get their value (screen sharing reads
``screen_sharing`` and ``who_can_share_screen``); that is declared here with a ``Derive``, so the
resolver stays generic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from zoomaudit.redaction import is_sealed

FixTier = Literal["meeting", "user", "group", "account", "group_lock", "account_lock"]
TIERS: tuple[FixTier, ...] = ("meeting", "user", "group", "account", "group_lock", "account_lock")
LOCK_TIERS: tuple[FixTier, ...] = ("group_lock", "account_lock")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()
"""Zoom documents no default for the control; an unstated value stays unknown."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""What a ``Derive`` function receives and returns when a tier does not state the control."""


@dataclass(frozen=True)
class Unknown:
    """What a ``Derive`` meeting function returns when the meeting has the control but its value
    cannot be judged from what Zoom sent (the passcode when no passcode field tells): the finding
    is an error with ``reason``, and no lower tier is consulted (they say nothing of this meeting)."""

    reason: str


# Settings sections that Zoom serves only under an ``option`` query (settings-map.md conventions).
_OPTION_SECTIONS = ("meeting_security", "meeting_authentication")


def label_for(value: Any, labels: Mapping[Any, str]) -> str | None:
    """The label of ``value``; keys match by type too, so ``False`` never reads as the label of 0."""
    for key, label in labels.items():
        if type(key) is type(value) and key == value:
            return label
    return None


@dataclass(frozen=True)
class Derive:
    """How a control's value is computed from its primary field and companion fields.

    ``fn(primary, inputs)`` gets the primary field's value (``MISSING`` when the tier does not
    state it) and the companion values found (by input name); it returns the control's value, or
    ``MISSING`` when the tier does not decide it. Companions are read at the deciding tier and,
    when absent there, at the tiers below it (group, then account).
    ``encode(value)`` turns a control-level value into the fields to PATCH at a settings tier
    (relative to the primary field's section), for fixes.
    """

    fn: Callable[[Any, Mapping[str, Any]], Any]
    inputs: Mapping[str, str] = field(default_factory=dict)
    """Companion paths at the user, group and account tiers, by name."""
    meeting_inputs: Mapping[str, str] = field(default_factory=dict)
    """Companion paths in the meeting body, by name."""
    local_inputs: frozenset[str] = frozenset()
    """Inputs read only in the deciding tier's own document, never from the tiers below: a field
    that only the account has and that restates the primary in a newer shape must not speak for a
    user or group that states the primary itself."""
    encode: Callable[[str, Any], dict[str, Any]] | None = None
    """``encode(primary_path, value)`` -> ``{path: value}`` to PATCH; None: set the primary path."""
    describe: str = ""
    meeting_fn: Callable[[Any, Mapping[str, Any]], Any] | None = None
    """The meeting tier's own rule, when it differs from the settings tiers' (``fn`` otherwise):
    it may also return ``Unknown``."""


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
    # --- additive (issue 4) ---
    alternates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Other fields of the same setting, by tier. Values: read when the primary is absent.
    Locks: the setting is locked when the primary or any alternate lock flag is true."""
    derive: Derive | None = None
    labels: dict[Any, str] = field(default_factory=dict)
    """Words for values in messages (``{"host": "host only"}``); booleans read on/off."""
    fix_placeholder: str | None = None
    """A fix value the planner replaces (``generate``: a passcode meeting the requirement)."""
    meeting_beats_locks: bool = False
    """The meeting's stored value is a fact a lock does not change (the passcode: a lock on
    "require a passcode" makes Zoom generate one for new meetings, not for stored ones)."""
    cannot_judge: tuple[Any, ...] = ()
    """Derived values that stand for an answer Zoom does not document: a finding on one is an
    error ("cannot be judged"), never a pass or a violation."""
    account_lock_flag: str | None = None
    """A lock flag Zoom keeps inside the account's *settings* document rather than its lock
    settings (``meeting_security.waiting_room_options.locked``); true locks the control at the
    account like ``account_lock``."""
    sources: tuple[str, ...] = ()
    """Where each field and rule of this control was confirmed in Zoom's current material
    (an SDK type file, a developers.zoom.us page or changelog, a recorded payload); docs/controls.md
    prints them, and a test refuses a control that cites only the 2023 settings map."""

    @property
    def manual(self) -> bool:
        return not any(self.path(t) for t in TIERS)

    def path(self, tier: FixTier) -> str | None:
        path: str | None = getattr(self, tier)
        return path

    def paths(self, tier: FixTier) -> tuple[str, ...]:
        """The primary path at ``tier`` and its alternates (empty when the tier has no field)."""
        primary = self.path(tier)
        if primary is None:
            return ()
        return (primary, *self.alternates.get(tier, ()))

    def fixable_tiers(self) -> tuple[FixTier, ...]:
        return tuple(t for t in TIERS if self.path(t))

    def read_paths(self) -> tuple[str, ...]:
        """Every settings/lock path the resolver and checks may read (not meeting paths)."""
        out: list[str] = []
        for tier in TIERS:
            if tier != "meeting":
                out += self.paths(tier)
        if self.derive is not None:
            out += self.derive.inputs.values()
        if self.account_lock_flag:
            out.append(self.account_lock_flag)
        out += self.extra_paths.values()
        return tuple(dict.fromkeys(out))

    def undocumented(self, value: Any) -> bool:
        return any(type(value) is type(v) and value == v for v in self.cannot_judge)

    def describe(self, value: Any) -> str:
        """A value in words, for messages: on/off, a label, or the value itself."""
        if value is None:
            return "not stated"
        label = label_for(value, self.labels)
        if label is not None:
            return label
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, str):
            return repr(value) if value else "empty"
        return str(value)

    def fix_fields(self, tier: FixTier, value: Any) -> dict[str, Any]:
        """The fields to PATCH at ``tier`` to give the control ``value``: ``{path: value}``.

        Lock tiers take the lock flag (a boolean). Derived controls encode their value into
        the fields they read (screen sharing ``host`` -> ``screen_sharing`` + ``who_can_share_screen``).
        """
        path = self.path(tier)
        if path is None:
            raise ValueError(f"control {self.name} has no field at tier {tier}")
        if tier in LOCK_TIERS or self.derive is None or self.derive.encode is None:
            return {path: value}
        return self.derive.encode(path, value)


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


def flatten(body: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"settings": {"waiting_room": True}}`` -> ``{"settings.waiting_room": True}``; a sealed
    passcode (``redaction.is_sealed``) is one value, not a section."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value and not is_sealed(value):
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def _merge(into: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in other.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


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
    is then the boolean lock state, not the setting's value. ``value`` is the control's value
    (``Control.fix_fields`` turns it into Zoom fields, e.g. for screen sharing).
    """
    path = control.path(tier)
    if path is None:
        raise ValueError(f"control {control.name} has no field at tier {tier}")
    body: dict[str, Any] = {}
    for field_path, field_value in control.fix_fields(tier, value).items():
        _merge(body, nest(field_path, field_value))
    if tier == "meeting":
        if meeting_id is None:
            raise ValueError("a meeting fix needs meeting_id")
        query = {"occurrence_id": occurrence_id} if occurrence_id else {}
        return FixRequest("PATCH", f"/meetings/{meeting_id}", query, body)
    if tier == "user":
        if not user_id:
            raise ValueError("a user fix needs user_id")
        return FixRequest("PATCH", f"/users/{user_id}/settings", _option_for(path), body)
    if tier in ("group", "group_lock"):
        if not group_id:
            raise ValueError("a group fix needs group_id")
        kind = "settings" if tier == "group" else "lock_settings"
        return FixRequest("PATCH", f"/groups/{group_id}/{kind}", _option_for(path), body)
    kind = "settings" if tier == "account" else "lock_settings"
    return FixRequest("PATCH", f"/accounts/me/{kind}", _option_for(path), body)
