"""The value of a control in force for one meeting, and the tier that decided it.

Precedence (docs/controls.md), first match wins:

1. ``account_lock``: the account locks the setting; the value is the account's. It wins over
   every group.
2. ``group_lock``: the host's *deciding group* locks it; the value is that group's (the
   account's when the group does not state it).
3. ``meeting``: the meeting's (or occurrence's) own stored value, when the control has a meeting
   field and the key is present (or, for a derived control, when its meeting rule decides: the
   passcode is judged from the meeting's passcode fields only, and "the fields do not tell" is
   ``Decision.unknown``, never the host's settings). (Controls marked ``meeting_beats_locks``,
   the passcode, put this first: a stored passcode is a fact about the meeting that a later
   lock does not change.)
4. ``user``: the host's user settings.
5. ``group``: the deciding group's settings.
6. ``account``: the account settings.
7. ``default``: Zoom's documented default (``stated`` False); with no documented default the value
   is None and ``tier`` None: unknown, never false.

The deciding group is the host's highest-priority group that manages the setting (Zoom's group
priority model; ``zoomaudit.priority`` says what is known of the priority and what "manages"
means). Lower groups, their values and their locks play no part. When the priority is unknown
and the groups that could be highest disagree, each is tried: the same verdict either way is
that verdict, a different one is "cannot be judged" (``Decision.unknown``), never a guess.

A missing key is "not stated" and passes to the next tier. The host side (1, 2, 4-7) is the same
for every meeting of a host, so ``HostResolution`` computes it once per host and control.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from zoomaudit.controls import CATALOGUE, MISSING, NO_DEFAULT, Control, FixTier, Unknown
from zoomaudit.decision import Decision, explain_source, new_effective
from zoomaudit.findings import Effective, Tier
from zoomaudit.priority import NO_GROUPS, HostGroups, disagreement, host_groups
from zoomaudit.snapshot import AccountContext, GroupContext, HostContext, Subject
from zoomaudit.zoom.models import Meeting

__all__ = [
    "Decision",
    "HostResolution",
    "account_locked",
    "effective_values",
    "explain_source",
    "get_path",
    "group_manages",
    "meeting_field",
    "resolve",
]

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


_READERS: dict[str, Callable[[Meeting], Any]] = {}


def meeting_reader(path: str) -> Callable[[Meeting], Any]:
    """``meeting_field`` for one path, compiled once: the evaluator reads a field of every
    meeting for every control, and most are one or two keys into ``settings``."""
    found = _READERS.get(path)
    if found is not None:
        return found
    head, _, rest = path.partition(".")
    parts = _parts(rest) if rest else ()
    read: Callable[[Meeting], Any]
    if head == "settings" and len(parts) == 1:
        (key,) = parts

        def read(meeting: Meeting) -> Any:
            settings = meeting.settings
            return settings.get(key, MISSING) if isinstance(settings, dict) else MISSING

    elif head == "settings" and len(parts) == 2:
        first, second = parts

        def read(meeting: Meeting) -> Any:
            settings = meeting.settings
            node = settings.get(first, MISSING) if isinstance(settings, dict) else MISSING
            return node.get(second, MISSING) if isinstance(node, dict) else MISSING

    elif head != "settings" and not parts:  # a top-level field, as ``meeting_field`` reads it

        def read(meeting: Meeting) -> Any:
            if head in meeting.__pydantic_fields_set__:
                return meeting.__dict__[head]
            extra = meeting.__pydantic_extra__
            return extra[head] if extra and head in extra else MISSING

    else:

        def read(meeting: Meeting) -> Any:
            return meeting_field(meeting, path)

    _READERS[path] = read
    return read


class HostResolution:
    """The host side of the precedence for one control: locks, and the fallback below the meeting.

    When the host's groups that may decide the control disagree (their priority is unknown, see
    ``zoomaudit.priority``), each of them is tried as the deciding group (``alternatives``); a
    meeting whose verdict is the same whichever group ranks highest gets that verdict, any other
    gets ``ambiguous``. Only such hosts pay for the comparison.
    """

    __slots__ = (
        "_derive",
        "_inputs",
        "_last",
        "_read",
        "alternatives",
        "ambiguous",
        "by_value",
        "control",
        "fallback",
        "lock",
    )

    def __init__(
        self,
        control: Control,
        host: HostContext,
        account: AccountContext,
        groups: HostGroups | None = None,
    ) -> None:
        self.control = control
        self.by_value: dict[Any, Decision | None] = {}
        """The meeting's own decisions met so far, by (type, value) of the meeting's field, or of
        the value derived from the meeting's fields (None: a meeting that does not state the
        control)."""
        self._read = meeting_reader(control.meeting) if control.meeting else None
        self._inputs = tuple(
            (name, meeting_reader(path))
            for name, path in (control.derive.meeting_inputs.items() if control.derive else ())
        )
        derive = control.derive
        self._derive = (derive.meeting_fn or derive.fn) if derive is not None else None
        """What the meeting's value is derived with (None: the field's value is the control's)."""
        self._last: tuple[Meeting | None, Decision | None] = (None, None)
        """The last meeting a derived value was decided for, and its decision: one meeting is
        decided for its own policies and again for the checks that depend on the control."""
        self.alternatives: tuple[tuple[Decision | None, Decision], ...] = ()
        self.ambiguous: Decision | None = None
        account_lock = _account_lock_decision(control, account)
        if account_lock is not None:  # the account lock wins over every group
            self.lock: Decision | None = account_lock
            self.fallback: Decision = account_lock
            return
        candidates: tuple[GroupContext, ...] = ()
        if control.group or control.group_lock:
            if groups is None:
                groups = host_groups(host, account)
            candidates = groups.candidates(lambda g: group_manages(control, g))
        sides = [_host_side(control, host, g, account) for g in candidates[:1] or (None,)]
        if len(candidates) > 1:
            positions = [_position(control, g, account) for g in candidates]
            if any(not _same(p, positions[0]) for p in positions[1:]):
                sides += [_host_side(control, host, g, account) for g in candidates[1:]]
                if not all(_agree(s[0], sides[0][0]) and _agree(s[1], sides[0][1]) for s in sides[1:]):
                    self.alternatives = tuple(sides)
                    self.ambiguous = _ambiguous(control, candidates, positions, groups or NO_GROUPS)
        self.lock, self.fallback = sides[0]

    def decide(self, subject: Subject | None) -> Decision:
        if self.alternatives:
            return self._disputed(subject)
        control = self.control
        if self.lock is not None and not control.meeting_beats_locks:
            return self.lock
        if subject is not None and control.meeting:
            found = self.meeting_decision(subject.meeting)
            if found is not None:
                return found
        return self.fallback

    def settled(self) -> bool:
        """Whether every meeting of the host gets one decision (``decide`` never reads a
        meeting): the control has no meeting field, or a lock above the meeting decides it for
        whichever of the host's groups ranks highest."""
        control = self.control
        if not control.meeting:
            return True
        if control.meeting_beats_locks:
            return False
        if self.alternatives:
            return all(lock is not None for lock, _ in self.alternatives)
        return self.lock is not None

    def value_reader(self) -> Callable[[Meeting], Any] | None:
        """The meeting field's reader when that field alone decides (no lock above the meeting,
        no disputed group, no derived value): the evaluator then looks the decision up in
        ``by_value`` itself, the hot loop's shortest path. None otherwise."""
        control = self.control
        if self.alternatives or self._derive or (self.lock is not None and not control.meeting_beats_locks):
            return None
        return self._read

    def meeting_decision(self, meeting: Meeting) -> Decision | None:
        """The meeting's own decision (None: the meeting does not state the control).

        Meetings of one host that state the same value share one Decision object: the evaluator
        then judges each distinct value once per host (``zoomaudit.policy.evaluate``), and a
        Decision's identity stands for its value there. A derived control is keyed by the value
        derived from the meeting's fields, not by those fields: a passcode's text is different
        in every meeting, but whether the meeting has one is not.
        """
        assert self._read is not None
        value = self._read(meeting)
        if self._derive is not None:
            last, decision = self._last
            if last is meeting:
                return decision
            inputs: dict[str, Any] = {}
            for name, read in self._inputs:
                found = read(meeting)
                if found is not MISSING:
                    inputs[name] = found
            decision = self._decision_for(self._derive(value, inputs))
            self._last = (meeting, decision)
            return decision
        return self._decision_for(value)

    def _decision_for(self, value: Any) -> Decision | None:
        # By type too: True and 1 are different Zoom values.
        key = (value.__class__, value)
        try:
            return self.by_value[key]
        except KeyError:
            decision = self.by_value[key] = _meeting_decision(self.control, value)
            return decision
        except TypeError:  # an unhashable value (a list or a dict): judged on its own
            return _meeting_decision(self.control, value)

    def _disputed(self, subject: Subject | None) -> Decision:
        control = self.control
        meeting: Decision | None = None
        if subject is not None and control.meeting:
            meeting = self.meeting_decision(subject.meeting)
        outcomes: list[Decision] = []
        for lock, fallback in self.alternatives:
            if lock is not None and not control.meeting_beats_locks:
                outcomes.append(lock)
            else:
                outcomes.append(meeting if meeting is not None else fallback)
        if all(_agree(o, outcomes[0]) for o in outcomes[1:]):
            return outcomes[0]
        assert self.ambiguous is not None
        return self.ambiguous


def group_manages(control: Control, group: GroupContext) -> bool:
    """Whether ``group`` manages the control: its settings or its locks state the field."""
    if _first(group.settings, control.paths("group"))[0] is not MISSING:
        return True
    return any(get_path(group.locks, p) is not MISSING for p in control.paths("group_lock"))


def _position(control: Control, group: GroupContext, account: AccountContext) -> tuple[Any, bool]:
    """What ``group`` says about the control: (its value or MISSING, whether it locks it)."""
    value: Any = MISSING
    if control.group:
        value, _ = _value_at(control, "group", group.settings, [account.settings], control.paths("group"))
    return value, bool(control.group_lock) and _locked(group.locks, control.paths("group_lock"))


def _same_value(a: Any, b: Any) -> bool:
    # By type too: True and 1 are different Zoom values.
    return a is b or (type(a) is type(b) and a == b)


def _same(a: tuple[Any, bool], b: tuple[Any, bool]) -> bool:
    return a[1] == b[1] and _same_value(a[0], b[0])


def _agree(a: Decision | None, b: Decision | None) -> bool:
    """Whether two decisions give the same verdict: the same value. (Which tier or lock gave it
    may differ; the finding then names the first candidate's, and the fix planner plans at any
    candidate's lock, ``fixes.plan.lock_above``.)"""
    if a is None or b is None:
        return a is b
    ea, eb = a.effective, b.effective
    known = (ea.tier is None) == (eb.tier is None)
    return known and ea.manual == eb.manual and _same_value(ea.value, eb.value)


def _ambiguous(
    control: Control,
    candidates: tuple[GroupContext, ...],
    positions: list[tuple[Any, bool]],
    groups: HostGroups,
) -> Decision:
    eff = Effective.model_construct(control=control.name, value=None, tier=None, stated=False)
    return Decision(eff, unknown=disagreement(control, candidates, positions, groups))


def _host_side(
    control: Control, host: HostContext, group: GroupContext | None, account: AccountContext
) -> tuple[Decision | None, Decision]:
    """(lock, fallback) when ``group`` is the host's group that decides the control."""
    lock = _group_lock_decision(control, group, account) if group is not None else None
    return lock, lock or _settings_decision(control, host, group, account)


def _chain(
    host: HostContext, group: GroupContext | None, account: AccountContext
) -> list[tuple[FixTier, str | None, Any]]:
    """The settings tiers below the meeting, in order: (tier, group id, settings document)."""
    chain: list[tuple[FixTier, str | None, Any]] = [("user", None, host.settings)]
    if group is not None:
        chain.append(("group", group.id, group.settings))
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
        for candidate in (doc,) if name in derive.local_inputs else (doc, *lower):
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
    return new_effective(control.name, value, tier, locked, stated, path)


def account_locked(control: Control, account: AccountContext) -> bool:
    """Whether the account locks ``control``: a lock-settings flag, or the flag some settings
    carry inside the settings document itself (``Control.account_lock_flag``)."""
    if control.account_lock and _locked(account.locks, control.paths("account_lock")):
        return True
    flag = control.account_lock_flag
    return flag is not None and get_path(account.settings, flag) is True


def _account_lock_decision(control: Control, account: AccountContext) -> Decision | None:
    if not account_locked(control, account):
        return None
    value, path = (MISSING, None)
    if control.account:
        value, path = _value_at(control, "account", account.settings, [], control.paths("account"))
    lock_path = path or control.account_lock or control.account_lock_flag
    return Decision(_effective(control, "account_lock", value, lock_path, locked=True))


def _group_lock_decision(control: Control, group: GroupContext, account: AccountContext) -> Decision | None:
    if not (control.group_lock and _locked(group.locks, control.paths("group_lock"))):
        return None
    value, path = (MISSING, None)
    if control.group:
        value, path = _value_at(control, "group", group.settings, [account.settings], control.paths("group"))
    if value is MISSING and control.account:
        value, path = _value_at(control, "account", account.settings, [], control.paths("account"))
    eff = _effective(control, "group_lock", value, path or control.group_lock, locked=True)
    return Decision(eff, group.id)


def _settings_decision(
    control: Control, host: HostContext, group: GroupContext | None, account: AccountContext
) -> Decision:
    chain = _chain(host, group, account)
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


def _meeting_decision(control: Control, value: Any) -> Decision | None:
    """The meeting's own value (its field's, or for a derived control what the derive's meeting
    function made of the meeting's fields), or None when the meeting does not state it (the host
    side then decides). A derive's ``meeting_fn`` may say the meeting has the control but its
    value cannot be judged (``Unknown``): the decision is then "cannot be judged", not the host's
    fallback."""
    path = control.meeting
    if value is MISSING:
        return None
    if isinstance(value, Unknown):
        eff = new_effective(control.name, None, "meeting", False, False, path)
        return Decision(eff, unknown=value.reason)
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
