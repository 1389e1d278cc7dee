"""One RunReport with every kind of finding, the input of every format's golden file.

Regenerate the golden files after an intended change of output with
``ZOOMAUDIT_UPDATE_GOLDEN=1 pytest tests/report`` and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from zoomaudit.findings import ErrorFinding, Finding, Manual, Pass, Violation, Waived
from zoomaudit.snapshot import CollectError
from zoomaudit.store import FixInfo, PolicyInfo, RunRecord, RunReport

GOLDEN = Path(__file__).parent / "golden"
# Read at import: the autouse fixture of tests/conftest.py clears ZOOMAUDIT_* before each test.
UPDATE_GOLDEN = os.environ.get("ZOOMAUDIT_UPDATE_GOLDEN") == "1"

YOUTH = {
    "meeting_id": 81234567890,
    "topic": "Youth group (Tuesdays)",
    "host_id": "u-alice",
    "host_email": "alice@example.org",
    "start_time": datetime(2026, 11, 24, 17, 0, tzinfo=UTC),  # the next occurrence of the series
    "duration": 90,
}
PARENTS = {
    "meeting_id": 85550001111,
    "topic": "Parents' evening <Q&A> | =SUM(1)",
    "host_id": "u-bob",
    "host_email": "bob@example.org",
    "start_time": datetime(2026, 11, 26, 18, 30, tzinfo=UTC),
    "duration": 60,
}


def findings() -> list[Finding]:
    return [
        Pass(
            policy_id="mute-on-entry",
            control="mute_upon_entry",
            severity="low",
            **YOUTH,
            actual=True,
            expected=True,
            source="meeting",
        ),
        Violation(
            policy_id="waiting-room",
            control="waiting_room",
            severity="high",
            **YOUTH,
            actual=False,
            expected={"equals": True},
            source="user",
            message="waiting room is off",
            fix_id="fx-0001",
        ),
        Violation(
            policy_id="passcode",
            control="meeting_passcode",
            severity="critical",
            **YOUTH,
            actual="",
            expected={"is_set": True},
            source="account_lock",
            locked=True,
            message="no passcode",
            fix_id="fx-0002",
        ),
        Violation(
            policy_id="screen-share",
            control="screen_sharing",
            severity="medium",
            **YOUTH,
            occurrence_id="1700000000000",
            actual="all",
            expected={"one_of": ["host", "off"]},
            source="meeting",
            message="participants may share their screen in this occurrence",
        ),
        Waived(
            policy_id="waiting-room",
            control="waiting_room",
            severity="high",
            **PARENTS,
            actual=False,
            expected=True,
            source="group",
            waiver_id=7,
            waiver_reason="public talk, approved by J. Smith until 2026-12-31",
        ),
        Manual(
            policy_id="safe-word",
            control="safe_word",
            severity="low",
            **PARENTS,
            expected={"manual": True},
            message="agree a safe word with each participant",
        ),
        Pass(
            policy_id="passcode",
            control="meeting_passcode",
            severity="critical",
            **PARENTS,
            actual={"length": 10, "unmet": []},
            expected={"check": "passcode_strength", "length": 8, "have_number": True, "have_letter": False},
            source="group",
        ),
        ErrorFinding(
            policy_id="join-before-host",
            control="join_before_host",
            severity="medium",
            **PARENTS,
            actual=[1, 2],
            expected=False,
            source="meeting",
            message="unexpected value type list",
        ),
        Violation(
            policy_id="cloud-recording",
            control="auto_recording",
            severity="low",
            host_id="u-carol",
            host_email="carol@example.org",
            actual="cloud",
            expected="none",
            source="user",
            message="meetings are recorded to the cloud automatically",
        ),
        Pass(
            policy_id="cloud-recording",
            control="auto_recording",
            severity="low",
            host_id="u-alice",
            host_email="alice@example.org",
            actual="none",
            expected="none",
            source="default",
        ),
        Violation(
            policy_id="screen-share-lock",
            control="screen_sharing",
            severity="medium",
            actual="all",
            expected="host",
            source="account",
            message="not locked at account level",
        ),
    ]


def run_report(*, include_passed: bool = True) -> RunReport:
    run = RunRecord(
        id="20261120-020000-3f9a",
        trigger="scheduled",
        scope="account",
        scope_detail={},
        started_at=datetime(2026, 11, 20, 2, 0, 0, tzinfo=UTC),
        finished_at=datetime(2026, 11, 20, 2, 4, 31, tzinfo=UTC),
        status="incomplete",
        complete=False,
        policy_hash="abc123",
        counts={
            "meetings": 3,
            "users": 3,
            "violations": 5,
            "errors": 3,
            "waived": 1,
            "manual": 1,
            "passed": 3,
            "past": 1,
        },
    )
    all_findings = findings()
    return RunReport(
        run=run,
        findings=all_findings if include_passed else [f for f in all_findings if f.status != "pass"],
        errors=[
            CollectError(meeting_id=89990002222, message="HTTP 500 after 5 retries"),
            CollectError(user_id="u-dave", message="user settings could not be read: HTTP 404"),
        ],
        include_passed=include_passed,
        policies={
            "waiting-room": PolicyInfo(
                title="Everyone waits to be admitted",
                rationale="Someone who joins unseen can disrupt a session or target a participant.",
            ),
            "passcode": PolicyInfo(title="Meetings need a passcode", rationale="Only invited people join."),
        },
        fixes={
            "fx-0001": FixInfo(
                id="fx-0001",
                status="pending",
                target_level="user",
                target_id="u-alice",
                method="PATCH",
                path="/users/u-alice/settings",
                body={"in_meeting": {"waiting_room": True}},
            ),
            "fx-0002": FixInfo(
                id="fx-0002",
                status="pending",
                target_level="meeting",
                target_id="81234567890",
                method="PATCH",
                path="/meetings/81234567890",
                body={"password": "Xq7-secret"},
            ),
        },
    )


@pytest.fixture
def report() -> RunReport:
    return run_report()


@pytest.fixture
def report_without_passes() -> RunReport:
    return run_report(include_passed=False)
