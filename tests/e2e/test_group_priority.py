"""A host in several groups, audited over loopback HTTP against the sandbox (issue 12.1, 12.8).

The demo's Kemi is in Youth workers (locks private chat off and mute on entry) and Volunteers
(neither), and the sandbox ranks Volunteers higher, as Zoom would without saying so in its API.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import audit, report_of
from tests.sandbox.demo_cases import CASES, GROUP_PRIORITY, MENTORING, PRIORITY_CASES, DemoCase
from zoomaudit.errors import ConfigError
from zoomaudit.findings import Finding
from zoomaudit.policy import load_policies
from zoomaudit.policy.model import PolicySet
from zoomaudit.sandbox import SandboxOptions, start_sandbox
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings, load_settings
from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope


def _finding(findings: list[Finding], sandbox: RunningSandbox, case: DemoCase) -> Finding:
    meeting_id = int(sandbox.state.meeting_by_topic(case.topic)["id"])
    found = [f for f in findings if f.meeting_id == meeting_id and f.policy_id == case.policy_id]
    assert len(found) == 1, f"{case.topic} / {case.policy_id}"
    return found[0]


def _mentoring(sandbox: RunningSandbox) -> Scope:
    return MeetingsScope.of(int(sandbox.state.meeting_by_topic(MENTORING)["id"]))


def test_without_the_priority_disagreeing_groups_cannot_be_judged(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    outcome = audit(settings, _mentoring(sandbox))
    findings = report_of(settings, outcome.run_id).findings
    cases = [c for c in CASES if c.topic == MENTORING]
    assert len(cases) == 2
    for case in cases:
        finding = _finding(findings, sandbox, case)
        assert (finding.status, finding.source, finding.locked) == ("error", None, False)
        assert "'Youth workers'" in finding.message
        assert "'Volunteers'" in finding.message
        assert "ZOOMAUDIT_GROUP_PRIORITY" in finding.message


@pytest.mark.parametrize("scope", ["meeting", "account"])
def test_with_the_priority_the_higher_group_decides(
    sandbox: RunningSandbox, env: dict[str, str], monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_GROUP_PRIORITY", GROUP_PRIORITY.upper())  # names match in any case
    settings = load_settings(ZOOMAUDIT_RATE_SHARE=1.0)
    outcome = audit(settings, _mentoring(sandbox) if scope == "meeting" else AccountScope())
    assert outcome.complete
    findings = report_of(settings, outcome.run_id).findings
    for case in PRIORITY_CASES:
        if scope == "meeting" and case.topic != MENTORING:
            continue
        finding = _finding(findings, sandbox, case)
        assert (finding.status, finding.source, finding.locked) == (case.status, case.source, case.locked), (
            case.why
        )
    if scope == "account":  # no host of the demo is left undecided once every group is ranked
        assert not [f for f in findings if f.status == "error" and "disagree" in f.message]


def test_a_priority_naming_a_group_the_account_lacks_stops_the_audit(
    sandbox: RunningSandbox, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_GROUP_PRIORITY", "Volunteers, Trustees")
    with pytest.raises(ConfigError, match="does not have: 'Trustees'"):
        audit(load_settings(ZOOMAUDIT_RATE_SHARE=1.0), _mentoring(sandbox))


def test_the_nested_authentication_view_is_judged(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(c for c in CASES if c.policy_id == "authenticated-join" and c.source == "user")
    pack = load_policies()
    policies = PolicySet.build([p.model_copy(update={"enabled": True}) for p in pack.policies], "test")
    with start_sandbox(options=SandboxOptions(rate_limits=False, auth_shape="nested")) as nested:
        for key, value in nested.env().items():
            monkeypatch.setenv(key, value)
        settings = load_settings(ZOOMAUDIT_RATE_SHARE=1.0)
        meeting_id = int(nested.state.meeting_by_topic(case.topic)["id"])
        outcome = audit(settings, MeetingsScope.of(meeting_id), policies=policies)
        findings = report_of(settings, outcome.run_id).findings
        finding = _finding(findings, nested, case)
    assert (finding.status, finding.source, finding.locked) == (case.status, case.source, case.locked)
