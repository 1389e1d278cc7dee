"""The pure evaluator: (policies, account, host batch) -> findings. No I/O, no clock.

Per host, each control's host side (locks and the user/group/account fallback) is resolved once;
per meeting only the meeting field is read. Per policy, everything the hot loop needs is compiled
once into a ``_Plan``. Findings are built without re-validation (``_make``, the same shortcut as
pydantic's ``model_construct`` without its per-field default handling): their inputs were validated
at load and collection, and this is the hot loop (docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from zoomaudit.controls import CATALOGUE, Control
from zoomaudit.findings import ErrorFinding, Manual, Pass, Violation
from zoomaudit.policy.checks import CheckInput, CheckSpec
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


def _make(cls: type[Finding], fields: dict[str, Any]) -> Finding:
    """A finding from a complete field dict, without validation (see the module docstring)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


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


class _HostView:
    """What is shared by every meeting of one host: resolutions, group names, memos."""

    def __init__(self, host: HostContext, account: AccountContext) -> None:
        self.host = host
        self.account = account
        self.resolutions: dict[str, HostResolution] = {}
        self.groups = host_groups(host, account)
        self.group_names = frozenset(
            account.groups[g].name.lower() for g in host.group_ids if g in account.groups
        )
        self.memo: dict[str, Any] = {}
        self._aligned: list[HostResolution] | None = None
        self.verdicts: dict[tuple[Any, ...], tuple[type[Finding], Any, str]] = {}
        """(policy, host-side decision) -> (class, actual, message): the same for every meeting."""

    def resolution(self, control: Control) -> HostResolution:
        found = self.resolutions.get(control.name)
        if found is None:
            found = self.resolutions[control.name] = HostResolution(
                control, self.host, self.account, self.groups
            )
        return found

    def resolutions_for(self, plans: list[_Plan]) -> list[HostResolution]:
        """One resolution per plan, in order (computed once per host)."""
        if self._aligned is None:
            self._aligned = [self.resolution(p.control) for p in plans]
        return self._aligned


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


def _evaluate(plans: list[_Plan], view: _HostView, subject: Subject | None) -> list[Finding]:
    out: list[Finding] = []
    meeting = subject.meeting if subject is not None else None
    user = view.host.user
    meeting_id = meeting.id if meeting is not None else None
    occurrence_id = subject.occurrence_id if subject is not None else None
    start_time = subject.start_time if subject is not None else None
    duration = subject.duration if subject is not None else None
    topic = meeting.topic if meeting is not None else None
    timezone = zone_name(meeting.timezone) if meeting is not None and start_time is not None else None
    host_id = user.id
    host_email = (meeting.host_email if meeting is not None else None) or user.email or None
    verdicts = view.verdicts
    for plan, resolution in zip(plans, view.resolutions_for(plans), strict=True):
        applies = plan.applies
        if applies is not None and (meeting is None or not applies(meeting, view.host, view.group_names)):
            continue
        decision = resolution.decide(subject)
        eff = decision.effective
        expected = plan.expected
        if plan.check is not None:
            result = plan.check.run(CheckInput(eff, subject, view.host, view.account, plan.params, view.memo))
            if not result.applies:  # not applicable to this meeting: no finding, as with applies_to
                continue
            expected = {"check": plan.check.name, **result.expected}
            cls: type[Finding] = ErrorFinding if result.ok is None else Pass if result.ok else Violation
            actual, message = result.actual, result.detail
        elif decision is resolution.fallback or decision.unknown is not None:
            # host-side (the fallback, or "cannot be judged"): the same verdict for every meeting
            # (a meeting's "cannot be judged" is a new Decision each time: keyed by its reason)
            host_key: tuple[Any, ...] = (plan.id, "?", decision.unknown)
            if decision is resolution.fallback:
                host_key = (plan.id, id(decision))
            found = verdicts.get(host_key)
            if found is None:
                found = verdicts[host_key] = _verdict(plan, decision, view)
            cls, actual, message = found
        else:  # the meeting's own value: the verdict depends only on the value
            key: tuple[Any, ...] | None
            try:
                key = (plan.id, eff.tier, eff.value.__class__, eff.value)
                found = verdicts.get(key)
            except TypeError:  # an unhashable value (a list or a dict)
                key, found = None, None
            if found is None:
                found = _verdict(plan, decision, view)
                if key is not None:
                    verdicts[key] = found
            cls, actual, message = found
        fields = {
            "policy_id": plan.id,
            "control": plan.control_name,
            "severity": plan.severity,
            "meeting_id": meeting_id,
            "occurrence_id": occurrence_id,
            "topic": topic,
            "host_id": host_id,
            "host_email": host_email,
            "actual": actual,
            "expected": expected,
            "source": eff.tier,
            "locked": eff.locked,
            "message": message,
            "fix_id": None,
            "start_time": start_time,
            "duration": duration,
            "timezone": timezone,
            "status": _STATUS[cls],
        }
        out.append(_make(cls, fields))
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
