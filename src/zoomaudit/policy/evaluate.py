"""The pure evaluator: (policies, account, host batch) -> findings. No I/O, no clock.

Per host, each control's host side (locks and the user/group/account fallback) is resolved once;
per meeting only the meeting field is read. Findings are built with ``model_construct``: their
inputs were validated at load and collection, and this is the hot loop.
"""

from __future__ import annotations

from typing import Any

from zoomaudit.controls import CATALOGUE, Control
from zoomaudit.findings import Effective, ErrorFinding, Manual, Pass, Violation
from zoomaudit.policy.checks import CHECKS, CheckInput
from zoomaudit.policy.model import Policy, PolicySet
from zoomaudit.resolve import Decision, HostResolution, effective_values
from zoomaudit.snapshot import AccountContext, HostBatch, HostContext, Subject

__all__ = ["effective_values", "evaluate_batch", "evaluate_subject", "explain_source"]

Finding = Violation | Pass | Manual | ErrorFinding


def explain_source(decision: Decision, account: AccountContext) -> str:
    """Where a value came from, in words: "the host's user settings (in_meeting.waiting_room)"."""
    eff = decision.effective
    group = account.groups.get(decision.group_id) if decision.group_id else None
    group_name = f" {group.name!r}" if group is not None and group.name else ""
    phrases = {
        "meeting": "the meeting's own settings",
        "user": "the host's user settings",
        "group": f"the settings of the host's group{group_name}",
        "account": "the account settings",
        "group_lock": f"a lock on the host's group{group_name}",
        "account_lock": "an account lock",
    }
    if eff.tier == "default":
        return "Zoom's default (no tier states it)"
    if eff.tier is None:
        return "no tier (no Zoom setting states it)"
    phrase = phrases[eff.tier]
    return f"{phrase} ({eff.path})" if eff.path else phrase


class _HostView:
    """What is shared by every meeting of one host: resolutions, group names, check memo."""

    def __init__(self, host: HostContext, account: AccountContext) -> None:
        self.host = host
        self.account = account
        self.resolutions: dict[str, HostResolution] = {}
        self.group_names = frozenset(
            account.groups[g].name.lower() for g in host.group_ids if g in account.groups
        )
        self.memo: dict[str, Any] = {}

    def resolution(self, control: Control) -> HostResolution:
        found = self.resolutions.get(control.name)
        if found is None:
            found = self.resolutions[control.name] = HostResolution(control, self.host, self.account)
        return found


def _judge(policy: Policy, decision: Decision, view: _HostView, subject: Subject | None) -> Finding:
    eff: Effective = decision.effective
    control = CATALOGUE[policy.control]
    meeting = subject.meeting if subject is not None else None
    user = view.host.user
    common: dict[str, Any] = {
        "policy_id": policy.id,
        "control": policy.control,
        "severity": policy.severity,
        "meeting_id": meeting.id if meeting is not None else None,
        "occurrence_id": subject.occurrence_id if subject is not None else None,
        "topic": meeting.topic if meeting is not None else None,
        "host_id": user.id,
        "host_email": (meeting.host_email if meeting is not None else None) or user.email or None,
        "expected": policy.expected,
        "source": eff.tier,
        "locked": eff.locked,
    }
    if eff.manual:
        guidance = policy.guidance or control.guidance
        return Manual.model_construct(**common, actual=None, message=f"check by hand: {guidance}")
    where = explain_source(decision, view.account)
    if policy.check is not None:
        spec = CHECKS[policy.check]
        result = spec.run(CheckInput(eff, subject, view.host, view.account, policy._params, view.memo))
        common["expected"] = {"check": policy.check, **result.expected}
        if result.ok is None:
            return ErrorFinding.model_construct(**common, actual=result.actual, message=result.detail)
        cls = Pass if result.ok else Violation
        return cls.model_construct(**common, actual=result.actual, message=result.detail)
    if eff.tier is None:
        message = f"{control.title} cannot be judged: no Zoom setting states it and Zoom documents no default"
        return ErrorFinding.model_construct(**common, actual=None, message=message)
    test = policy._test
    if test is None:  # compiled at load for every policy with an expectation
        raise RuntimeError(f"policy {policy.id} was not compiled")
    try:
        ok = test(eff.value)
    except TypeError as exc:
        message = f"{control.title} has an unexpected value {eff.value!r} from {where}: {exc}"
        return ErrorFinding.model_construct(**common, actual=eff.value, message=message)
    text = f"{control.title} is {control.describe(eff.value)}, decided by {where}"
    if ok:
        return Pass.model_construct(**common, actual=eff.value, message=text)
    expect = policy.expect.describe() if policy.expect is not None else ""
    lock = "; it is locked, so fix it at the lock's tier" if eff.locked else ""
    return Violation.model_construct(**common, actual=eff.value, message=f"{text}; expected: {expect}{lock}")


def _evaluate(policies: tuple[Policy, ...], view: _HostView, subject: Subject | None) -> list[Finding]:
    out: list[Finding] = []
    meeting = subject.meeting if subject is not None else None
    for policy in policies:
        applies = policy._applies
        if applies is not None and (meeting is None or not applies(meeting, view.host, view.group_names)):
            continue
        decision = view.resolution(CATALOGUE[policy.control]).decide(subject)
        out.append(_judge(policy, decision, view, subject))
    return out


def evaluate_subject(
    policies: PolicySet, account: AccountContext, host: HostContext, subject: Subject | None
) -> list[Finding]:
    """The findings of every enabled, applicable policy for one meeting (or occurrence)."""
    return _evaluate(policies.enabled, _HostView(host, account), subject)


def evaluate_batch(policies: PolicySet, account: AccountContext, batch: HostBatch) -> list[Finding]:
    """The findings for every meeting of one host. Waivers are applied later, by the fixes work."""
    enabled = policies.enabled
    view = _HostView(batch.host, account)
    out: list[Finding] = []
    for subject in batch.subjects:
        out += _evaluate(enabled, view, subject)
    return out
