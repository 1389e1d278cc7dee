"""A whole-account audit of the demo organisation gives the findings its data was built to give."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import audit, report_of
from tests.sandbox.demo_cases import CASES, PAST_TOPICS, DemoCase, occurrence_id
from zoomaudit.findings import Finding
from zoomaudit.policy import load_policies
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.store import Store

ENABLED = {p.id for p in load_policies().policies if p.enabled}


@pytest.fixture(scope="module")
def _unused() -> None:  # keeps pytest from collecting helpers as fixtures
    return None


def _finding_for(findings: list[Finding], sandbox: RunningSandbox, case: DemoCase) -> Finding:
    meeting = sandbox.state.meeting_by_topic(case.topic)
    occ = occurrence_id(sandbox.state, case)
    matches = [
        f
        for f in findings
        if f.meeting_id == int(meeting["id"]) and f.occurrence_id == occ and f.policy_id == case.policy_id
    ]
    assert len(matches) == 1, f"{case.topic} / {case.policy_id}: {len(matches)} findings"
    return matches[0]


def test_every_designed_case_is_found_with_its_source_tier(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    outcome = audit(settings)
    assert outcome.complete
    findings = report_of(settings, outcome.run_id).findings
    checked = 0
    for case in CASES:
        if case.policy_id not in ENABLED:
            continue
        finding = _finding_for(findings, sandbox, case)
        got = (finding.status, finding.source, finding.locked)
        assert got == (case.status, case.source, case.locked), f"{case.topic} / {case.policy_id}: {case.why}"
        checked += 1
    assert checked >= 25


def test_summary_counts_match_the_stored_findings(settings: Settings) -> None:
    outcome = audit(settings)
    findings = report_of(settings, outcome.run_id).findings
    by_status = {s: sum(1 for f in findings if f.status == s) for s in ("violation", "pass", "manual")}
    assert outcome.counts["violations"] == by_status["violation"] > 0
    assert outcome.counts["passed"] == by_status["pass"] > 0
    assert outcome.counts["manual"] == by_status["manual"]
    assert outcome.counts["users"] == 13


def test_the_session_that_ended_last_month_is_past_not_judged(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    outcome = audit(settings)
    report = report_of(settings, outcome.run_id)
    past = {int(sandbox.state.meeting_by_topic(topic)["id"]) for topic in PAST_TOPICS}
    assert outcome.counts["past"] == report.summary["past"] == len(PAST_TOPICS) == 1
    assert past.isdisjoint(f.meeting_id for f in report.findings)
    with Store.from_settings(settings) as store:
        assert past.isdisjoint(m for plan in store.fixes.find() for m in plan.meeting_ids)
