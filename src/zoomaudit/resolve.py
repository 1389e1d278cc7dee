"""The value of a control in force for one meeting, and the tier that decided it.

Precedence (docs/controls.md, settings-map.md §3), first match wins:

1. ``account_lock``: the account locks the setting; the value is the account's.
2. ``group_lock``: one of the host's groups locks it; the value is that group's (falling back to
   the account's when the group does not state it). Several groups: the host's groups are taken in
   the order of ``HostContext.group_ids`` (highest priority first); the first group that locks the
   setting decides. A lock in any of the host's groups applies, even when a higher group states the
   setting unlocked: a lock is an administrator's explicit restriction.
3. ``meeting``: the meeting's (or occurrence's) own stored value, when the control has a meeting
   field and the key is present. (Controls marked ``meeting_beats_locks``, the passcode, put this
   first: a stored passcode is a fact about the meeting that a later lock does not change.)
4. ``user``: the host's user settings.
5. ``group``: the first of the host's groups (in order) whose settings state it.
6. ``account``: the account settings.
7. ``default``: Zoom's documented default (``stated`` False); with no documented default the value
   is None and ``tier`` None: unknown, never false.

A missing key is "not stated" and passes to the next tier. The host side (1, 2, 4-7) is the same
for every meeting of a host, so ``HostResolution`` computes it once per host and control.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from zoomaudit.controls import CATALOGUE, MISSING, NO_DEFAULT, Control, FixTier
from zoomaudit.findings import Effective, Tier
from zoomaudit.snapshot import AccountContext, HostContext, Subject
from zoomaudit.zoom.models import Meeting

_SPLIT: dict[str, tuple[str, ...]] = {}


def _parts(path: str) -> tuple[str, ...]:
    parts = _SPLIT.get(path)
    if parts is None:
        parts = _SPLIT[path] = tuple(path.split("."))
    return parts


def get_path(doc: Any, path: str) -> Any:
    """The value at a dotted path, or MISSING."""
    node = doc
    for part in _parts(path):
        if not isinstance(node, dict):
            return MISSING
        node = node.get(part, MISSING)
        if node is MISSING:
            return MISSING
    return node


def _first(doc: Any, paths: Iterable[str]) -> tuple[Any, str | None]:
    for path in paths:
        value = get_path(doc, path)
        if value is not MISSING:
            return value, path
    return MISSING, None


def _locked(locks: Any, paths: Iterable[str]) -> bool:
    return any(get_path(locks, p) is True for p in paths)


def meeting_field(meeting: Meeting, path: str) -> Any:
    """A field of the meeting body by dotted path, or MISSING when Zoom did not send it."""
    head, _, rest = path.partition(".")
    if head == "settings":
        return get_path(meeting.settings, rest) if rest else meeting.settings
    if head in meeting.model_fields_set:
        value = getattr(meeting, head)
    elif meeting.model_extra and head in meeting.model_extra:
        value = meeting.model_extra[head]
    else:
        return MISSING
    return get_path(value, rest) if rest else value


@dataclass(frozen=True)
class Decision:
    """An effective value plus the group that decided it (for messages), if a group did."""

    effective: Effective
    group_id: str | None = None


class HostResolution:
    """The host side of the precedence for one control: locks, and the fallback below the meeting."""

    __slots__ = ("control", "fallback", "lock")

    def __init__(self, control: Control, host: HostContext, account: AccountContext) -> None:
        self.control = control
        self.lock = _lock_decision(control, host, account)
        self.fallback = self.lock or _settings_decision(control, host, account)

    def decide(self, subject: Subject | None) -> Decision:
        control = self.control
        if self.lock is not None and not control.meeting_beats_locks:
            return self.lock
        if subject is not None and control.meeting:
            found = _meeting_decision(control, control.meeting, subject.meeting)
            if found is not None:
                return found
        return self.fallback


def _chain(host: HostContext, account: AccountContext) -> list[tuple[FixTier, str | None, Any]]:
    """The settings tiers below the meeting, in order: (tier, group id, settings document)."""
    chain: list[tuple[FixTier, str | None, Any]] = [("user", None, host.settings)]
    for gid in host.group_ids:
        group = account.groups.get(gid)
        if group is not None:
            chain.append(("group", gid, group.settings))
    chain.append(("account", None, account.settings))
    return chain


def _value_at(
    control: Control, tier: Tier, doc: Any, lower: list[Any], paths: tuple[str, ...]
) -> tuple[Any, str | None]:
    """The control's value in ``doc`` (derived when declared); companions fall back to ``lower``."""
    value, path = _first(doc, paths)
    derive = control.derive
    if derive is None:
        return value, path
    inputs: dict[str, Any] = {}
    for name, input_path in derive.inputs.items():
        for candidate in (doc, *lower):
            found = get_path(candidate, input_path)
            if found is not MISSING:
                inputs[name] = found
                break
    return derive.fn(value, inputs), path


def _effective(
    control: Control, tier: Tier, value: Any, path: str | None, *, locked: bool = False
) -> Effective:
    if value is MISSING:  # a lock on a value that no document states: Zoom's default
        stated = False
        value = None if control.default is NO_DEFAULT else control.default
    else:
        stated = True
    return _new_effective(control.name, value, tier, locked, stated, path)


def _new_effective(
    control: str, value: Any, tier: Tier | None, locked: bool, stated: bool, path: str | None
) -> Effective:
    """An Effective without re-validation (the hot loop builds one per meeting and control);
    the same shortcut as ``model_construct``, which costs several times more."""
    obj = Effective.__new__(Effective)
    fields = {
        "control": control,
        "value": value,
        "tier": tier,
        "locked": locked,
        "stated": stated,
        "path": path,
        "manual": False,
    }
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _lock_decision(control: Control, host: HostContext, account: AccountContext) -> Decision | None:
    if control.account_lock and _locked(account.locks, control.paths("account_lock")):
        value, path = (MISSING, None)
        if control.account:
            value, path = _value_at(control, "account", account.settings, [], control.paths("account"))
        return Decision(_effective(control, "account_lock", value, path or control.account_lock, locked=True))
    if control.group_lock:
        for gid in host.group_ids:
            group = account.groups.get(gid)
            if group is None or not _locked(group.locks, control.paths("group_lock")):
                continue
            value, path = (MISSING, None)
            if control.group:
                value, path = _value_at(
                    control, "group", group.settings, [account.settings], control.paths("group")
                )
            if value is MISSING and control.account:
                value, path = _value_at(control, "account", account.settings, [], control.paths("account"))
            eff = _effective(control, "group_lock", value, path or control.group_lock, locked=True)
            return Decision(eff, gid)
    return None


def _settings_decision(control: Control, host: HostContext, account: AccountContext) -> Decision:
    chain = _chain(host, account)
    for index, (tier, gid, doc) in enumerate(chain):
        paths = control.paths(tier)
        if not paths:
            continue
        lower = [d for _, _, d in chain[index + 1 :]]
        value, path = _value_at(control, tier, doc, lower, paths)
        if value is not MISSING:
            return Decision(_effective(control, tier, value, path), gid)
    if control.manual:
        return Decision(Effective.model_construct(control=control.name, manual=True, stated=False))
    if control.default is NO_DEFAULT:
        return Decision(Effective.model_construct(control=control.name, value=None, tier=None, stated=False))
    return Decision(
        Effective.model_construct(control=control.name, value=control.default, tier="default", stated=False)
    )


def _meeting_decision(control: Control, path: str, meeting: Meeting) -> Decision | None:
    value = meeting_field(meeting, path)
    derive = control.derive
    if derive is not None:
        inputs = {}
        for name, input_path in derive.meeting_inputs.items():
            found = meeting_field(meeting, input_path)
            if found is not MISSING:
                inputs[name] = found
        value = derive.fn(value, inputs)
    if value is MISSING:
        return None
    return Decision(_effective(control, "meeting", value, path))


def resolve(
    control: Control, subject: Subject | None, host: HostContext, account: AccountContext
) -> Effective:
    """The effective value of ``control`` for ``subject`` (None: the host's own settings)."""
    return HostResolution(control, host, account).decide(subject).effective


def effective_values(
    account: AccountContext,
    host: HostContext,
    subject: Subject | None,
    controls: Iterable[Control] | Mapping[str, Control] | None = None,
) -> dict[str, Effective]:
    """Every control's effective value for one meeting (all catalogued controls by default)."""
    chosen: Iterable[Control]
    if controls is None:
        chosen = CATALOGUE.values()
    elif isinstance(controls, Mapping):
        chosen = controls.values()
    else:
        chosen = controls
    return {c.name: resolve(c, subject, host, account) for c in chosen}
