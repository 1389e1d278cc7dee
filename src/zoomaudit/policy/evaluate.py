"""The pure evaluator: (policies, account, host batch) -> findings. No I/O, no clock.

Per host, each control's host side (locks and the user/group/account fallback) is resolved once;
per meeting only the meeting field is read. Per policy, everything the hot loop needs is compiled
once into a ``_Plan``. A host's meetings mostly state the same few values, and meetings that state
the same value share one Decision object, so a verdict (class, message, actual, expected) is
judged once per host and distinct decision, then reused: each finding costs one dict copy. A plan
whose verdict nothing of the meeting can change (a lock above it, no meeting field), or only its
field's value, keeps its verdicts by that value and skips deciding (``_HostView.steps``). Only a
check that reads the meeting itself (a passcode's strength) runs for every meeting; any other check
names the controls it depends on (``CheckSpec.depends``). Findings are built without re-validation
(the same shortcut as pydantic's ``model_construct``, without its per-field default handling,
written out in the loop): their inputs were validated at load and collection, and this is the hot loop
(docs/performance.md)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from pydantic import BaseModel

from zoomaudit.controls import CATALOGUE, Control
from zoomaudit.findings import ErrorFinding, Manual, Pass, Violation
from zoomaudit.policy.checks import RESOLUTION_MEMO, CheckInput, CheckSpec
from zoomaudit.policy.model import Applies, Policy, PolicySet
from zoomaudit.policy.operators import Test
from zoomaudit.policy.registry import CHECKS
from zoomaudit.priority import host_groups
from zoomaudit.resolve import Decision, HostResolution, effective_values, explain_source
from zoomaudit.snapshot import AccountContext, HostBatch, HostContext, Subject
from zoomaudit.timing import zone_name

__all__ = ["effective_values", "evaluate_batch", "evaluate_subject", "explain_source"]

Finding = Violation | Pass | Manual | ErrorFinding
_STATUS: dict[type[Finding], str] = {
    c: c.model_fields["status"].default for c in (Violation, Pass, Manual, ErrorFinding)
}


_FIELDS_SET = set(Violation.model_fields)
"""Every finding's ``__pydantic_fields_set__``: one set, as each finding holds every field (a
later assignment adds nothing to it)."""
# BaseModel's slots, set through their descriptors: what ``object.__setattr__`` would find by name
# on every call, looked up once (the hot loop builds one finding per check).
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


class _Plan:
    """One enabled policy, compiled for the hot loop."""

    __slots__ = (
        "applies",
        "check",
        "control",
        "control_name",
        "expect_text",
        "expected",
        "id",
        "manual_text",
        "params",
        "severity",
        "test",
    )

    def __init__(self, policy: Policy) -> None:
        control = CATALOGUE[policy.control]
        self.id = policy.id
        self.control: Control = control
        self.control_name = control.name
        self.severity = policy.severity
        self.expected: Any = policy.expected
        self.test: Test | None = policy._test
        self.applies: Applies | None = policy._applies
        self.check: CheckSpec | None = CHECKS[policy.check] if policy.check else None
        self.params: Any = policy._params
        self.expect_text = policy.expect.describe() if policy.expect is not None else ""
        self.manual_text = "check by hand: " + (policy.guidance or control.guidance)
        if self.test is None and self.check is None and not control.manual:
            raise RuntimeError(f"policy {policy.id} was not compiled")


def _plans(policies: PolicySet) -> list[_Plan]:
    cached: list[_Plan] | None = policies._cache.get("plans")
    if cached is None:
        cached = policies._cache["plans"] = [_Plan(p) for p in policies.enabled]
    return cached


_Judged = tuple[type[Finding], dict[str, Any]]
"""A verdict: the finding's class and its fields, those that name the meeting still None (each
finding is a copy of them with the meeting's filled in: copying a dict of every field and then
overwriting eight of its keys costs about half of merging two dicts, which grows the new one)."""

_WHERE = dict.fromkeys(
    ("meeting_id", "occurrence_id", "topic", "host_id", "host_email", "start_time", "duration", "timezone")
)
"""The fields of a finding that name the meeting, in the order ``_evaluate`` fills them."""


_Step = tuple[
    int,
    _Plan,
    Applies | None,
    HostResolution,
    Callable[[Any], Any] | None,
    tuple[HostResolution, ...],
    bool,
    dict[Any, Any] | None,
]
"""(plan index, plan, its applies_to test, its control's resolution and value reader, those of the
controls its check depends on, whether its check reads each meeting itself, and its verdicts by
the meeting's value when nothing else of the meeting can change them: see ``_HostView.steps``)."""

_MISS: Any = object()


class _HostView:
    """What is shared by every meeting of one host: resolutions, group names, memos, verdicts."""

    def __init__(self, host: HostContext, account: AccountContext) -> None:
        self.host = host
        self.account = account
        self.groups = host_groups(host, account)
        self.group_names = frozenset(
            account.groups[g].name.lower() for g in host.group_ids if g in account.groups
        )
        self.memo: dict[str, Any] = {}
        self._steps: list[_Step] | None = None
        self.verdicts: dict[tuple[int, ...], tuple[tuple[Decision, ...], _Judged | None]] = {}
        """(plan, id of each decision the verdict rests on) -> (those decisions, the verdict; None
        when the policy does not apply). A host's meetings that state the same value share one
        Decision (``HostResolution.meeting_decision``), so each distinct verdict is
        judged once per host. The entry holds the decisions themselves: while it lives, no other
        object can take their ids."""

    def resolution(self, control: Control) -> HostResolution:
        # In the memo the checks use too (``RESOLUTION_MEMO``): both decide through one object.
        key = RESOLUTION_MEMO + control.name
        found: HostResolution | None = self.memo.get(key)
        if found is None:
            found = self.memo[key] = HostResolution(control, self.host, self.account, self.groups)
        return found

    def steps(self, plans: list[_Plan]) -> list[_Step]:
        """Per plan, in order, what the hot loop needs (computed once per host).

        A plan's verdict for a meeting of this host is often settled by one thing: nothing of the
        meeting (its control has no meeting field, or a lock above the meeting decides it), or
        the meeting field's value alone. Such a plan gets a dict of its verdicts, by None or by
        the field's (type, value); the hot loop then finds a meeting's verdict with one lookup.
        That holds only when the controls its check depends on are settled for the host too, and
        the check does not read the meeting itself.
        """
        if self._steps is None:
            self._steps = []
            for index, plan in enumerate(plans):
                resolution = self.resolution(plan.control)
                depends = plan.check.depends if plan.check is not None else ()
                per_meeting = plan.check is not None and depends is None
                dependencies = tuple(self.resolution(CATALOGUE[c]) for c in depends or ())
                read = resolution.value_reader()
                settled = resolution.settled()
                by_value: dict[Any, Any] | None = (
                    {}
                    if (settled or read is not None)
                    and not per_meeting
                    and all(d.settled() for d in dependencies)
                    else None
                )
                self._steps.append(
                    (
                        index,
                        plan,
                        plan.applies,
                        resolution,
                        None if settled else read,
                        dependencies,
                        per_meeting,
                        by_value,
                    )
                )
        return self._steps


def _verdict(plan: _Plan, decision: Decision, view: _HostView) -> tuple[type[Finding], Any, str]:
    """Judge an effective value against an expectation: (finding class, actual, message)."""
    eff = decision.effective
    control = plan.control
    if decision.unknown is not None:
        return ErrorFinding, None, decision.unknown
    if eff.manual:
        return Manual, None, plan.manual_text
    if eff.tier is None:
        return (
            ErrorFinding,
            None,
            (f"{control.title} cannot be judged: no Zoom setting states it and Zoom documents no default"),
        )
    where = explain_source(decision, view.account)
    if control.undocumented(eff.value):
        return (
            ErrorFinding,
            eff.value,
            f"{control.title} cannot be judged: {control.describe(eff.value)}, from {where}",
        )
    try:
        ok = plan.test(eff.value)  # type: ignore[misc]
    except TypeError as exc:
        return (
            ErrorFinding,
            eff.value,
            f"{control.title} has an unexpected value {eff.value!r} from {where}: {exc}",
        )
    text = f"{control.title} is {control.describe(eff.value)}, decided by {where}"
    if ok:
        return Pass, eff.value, text
    lock = "; it is locked, so fix it at the lock's tier" if eff.locked else ""
    return Violation, eff.value, f"{text}; expected: {plan.expect_text}{lock}"


def _judged(plan: _Plan, decision: Decision, subject: Subject | None, view: _HostView) -> _Judged | None:
    """The verdict of one plan on one meeting, as (class, fields that do not name the meeting);
    None when a check finds that the policy does not apply to the meeting."""
    eff = decision.effective
    expected = plan.expected
    if plan.check is not None:
        result = plan.check.run(CheckInput(eff, subject, view.host, view.account, plan.params, view.memo))
        if not result.applies:  # not applicable to this meeting: no finding, as with applies_to
            return None
        expected = {"check": plan.check.name, **result.expected}
        cls: type[Finding] = ErrorFinding if result.ok is None else Pass if result.ok else Violation
        actual, message = result.actual, result.detail
    else:
        cls, actual, message = _verdict(plan, decision, view)
    return cls, {
        **_WHERE,
        "policy_id": plan.id,
        "control": plan.control_name,
        "severity": plan.severity,
        "actual": actual,
        "expected": expected,
        "source": eff.tier,
        "locked": eff.locked,
        "message": message,
        "fix_id": None,
        "status": _STATUS[cls],
    }


def _evaluate(plans: list[_Plan], view: _HostView, subject: Subject | None) -> list[Finding]:
    out: list[Finding] = []
    meeting = subject.meeting if subject is not None else None
    user = view.host.user
    start_time = subject.start_time if subject is not None else None
    # The fields that name the meeting (``_WHERE``), written over a copy of each verdict.
    where: dict[str, Any] = {
        "meeting_id": meeting.id if meeting is not None else None,
        "occurrence_id": subject.occurrence_id if subject is not None else None,
        "topic": meeting.topic if meeting is not None else None,
        "host_id": user.id,
        "host_email": (meeting.host_email if meeting is not None else None) or user.email or None,
        "start_time": start_time,
        "duration": subject.duration if subject is not None else None,
        "timezone": zone_name(meeting.timezone) if meeting is not None and start_time is not None else None,
    }
    verdicts = view.verdicts
    host, group_names = view.host, view.group_names
    new, setattr_ = object.__new__, object.__setattr__
    set_fields, set_extra, set_private = _SET_FIELDS_SET, _SET_EXTRA, _SET_PRIVATE
    for index, plan, applies, resolution, read, depends, per_meeting, by_value in view.steps(plans):
        if applies is not None and (meeting is None or not applies(meeting, host, group_names)):
            continue
        judged: Any
        if by_value is not None and meeting is not None:  # the shortest path: one lookup
            if read is None:
                memo_key: Any = None
            else:
                value = read(meeting)
                memo_key = (value.__class__, value)
            try:
                judged = by_value[memo_key]
            except (KeyError, TypeError):  # a value not met yet, or an unhashable one
                judged = _MISS
        else:
            judged = _MISS
        if judged is _MISS:
            if read is not None and meeting is not None:  # HostResolution.decide, inlined
                value = read(meeting)
                try:
                    found_decision = resolution.by_value[(value.__class__, value)]
                except (KeyError, TypeError):  # a value not met yet, or an unhashable one
                    decision = resolution.decide(subject)
                else:
                    decision = found_decision if found_decision is not None else resolution.fallback
            else:
                decision = resolution.decide(subject)
            if per_meeting:  # a check that reads the meeting itself
                judged = _judged(plan, decision, subject, view)
            else:
                if not depends:
                    deps: tuple[Decision, ...] = ()
                    key: tuple[int, ...] = (index, id(decision))
                elif len(depends) == 1:
                    deps = (depends[0].decide(subject),)
                    key = (index, id(decision), id(deps[0]))
                else:
                    deps = tuple(r.decide(subject) for r in depends)
                    key = (index, id(decision), *map(id, deps))
                found = verdicts.get(key)
                if found is None:
                    judged = _judged(plan, decision, subject, view)
                    verdicts[key] = ((decision, *deps), judged)
                else:
                    judged = found[1]
            if by_value is not None and meeting is not None:
                with suppress(TypeError):  # an unhashable value is judged each time
                    by_value[memo_key] = judged
        if judged is not None:
            # A finding without validation (see the module docstring).
            finding = new(judged[0])
            setattr_(finding, "__dict__", {**judged[1], **where})
            set_fields(finding, _FIELDS_SET)
            set_extra(finding, None)
            set_private(finding, None)
            out.append(finding)
    return out


def evaluate_subject(
    policies: PolicySet, account: AccountContext, host: HostContext, subject: Subject | None
) -> list[Finding]:
    """The findings of every enabled, applicable policy for one meeting (or occurrence)."""
    return _evaluate(_plans(policies), _HostView(host, account), subject)


def evaluate_batch(policies: PolicySet, account: AccountContext, batch: HostBatch) -> list[Finding]:
    """The findings for every meeting of one host. Waivers are applied later, by the fixes work."""
    plans = _plans(policies)
    view = _HostView(batch.host, account)
    out: list[Finding] = []
    for subject in batch.subjects:
        out += _evaluate(plans, view, subject)
    return out
