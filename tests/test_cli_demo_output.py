"""The demo's text (cli.demo_output): a few plain lines that fit a CI log, whatever the run holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from zoomaudit.cli.demo_output import (
    SOON_SHOWN,
    WIDTH,
    Queue,
    approve_section,
    fix_queue_section,
    soon_section,
    summary_section,
    wrapped,
)
from zoomaudit.findings import Violation
from zoomaudit.fixes.queue import FixRecord
from zoomaudit.store import RunRecord, RunReport

STARTED = datetime(2030, 1, 8, 12, 0, tzinfo=UTC)
PASSCODE = "Xy7pQ2wz"
LONG_TOPIC = "Youth club online: a very long topic that somebody typed into Zoom without ever stopping " * 2


def _violation(meeting_id: int, hours: int, policy_id: str = "waiting-room", **kw: Any) -> Violation:
    return Violation(
        policy_id=policy_id,
        control="waiting_room",
        severity=kw.pop("severity", "high"),
        meeting_id=meeting_id,
        topic=kw.pop("topic", f"Session {meeting_id}"),
        host_email=f"host{meeting_id}@example.org",
        start_time=STARTED + timedelta(hours=hours),
        duration=60,
        timezone="Europe/London",
        actual=False,
        expected={"equals": True},
        message="the waiting room is off",
        **kw,
    )


def _report(*findings: Any) -> RunReport:
    counts = {"violations": len(findings), "meetings": len(findings), "users": len(findings)}
    run = RunRecord(
        id="r1", trigger="manual", scope="account", started_at=STARTED, status="complete", counts=counts
    )
    return RunReport(run=run, findings=list(findings))


def _fix(fix_id: str, body: Any, path: str = "/meetings/84100200300") -> FixRecord:
    return FixRecord(
        id=fix_id,
        policy_id="passcode-required",
        status="pending",
        target_level="meeting",
        target_id="84100200300",
        host_id=None,
        method="PATCH",
        path=path,
        query={},
        body=body,
        before=None,
        meeting_ids=[84100200300],
        occurrence_id=None,
        dedupe_key=fix_id,
        created_at=STARTED,
        created_run_id="r1",
        decided_by=None,
        decided_at=None,
        applied_at=None,
        error=None,
        note=None,
        version=1,
    )


def _fits(lines: list[str]) -> None:
    assert lines
    assert all(len(line) <= WIDTH for line in lines), [line for line in lines if len(line) > WIDTH]


def test_long_text_wraps_with_an_indent_and_never_breaks_a_word() -> None:
    lines = wrapped(LONG_TOPIC)
    _fits(lines)
    assert len(lines) > 1
    assert all(line.startswith("  ") for line in lines)
    assert " ".join(line.strip() for line in lines) == LONG_TOPIC.strip()


def test_the_summary_counts_by_severity_and_the_fix_queue() -> None:
    report = _report(_violation(1, 2, severity="critical"), _violation(2, 3), _violation(3, 4))
    lines = summary_section(report, Queue(pending=[_fix("fx-1", {})], applied_automatically=2))
    _fits(lines)
    text = "\n".join(lines)
    assert lines[0] == "Summary"
    assert "Run r1 (manual, account) complete: 3 violation(s)" in text
    assert "Violations by severity: critical 1, high 2." in text
    assert "Fixes: 1 waiting for an admin's approval, 2 applied automatically" in text


def test_starting_soon_is_capped_with_the_rest_counted_and_the_command_for_all() -> None:
    report = _report(*(_violation(i, i, topic=LONG_TOPIC) for i in range(1, SOON_SHOWN + 4)))
    lines = soon_section(report)
    _fits(lines)
    assert lines[0].startswith(f"Starting soon: {SOON_SHOWN + 3} unsafe session(s)")
    # On the meeting's own clock: 13:00 UTC is 13:00 in London in January.
    assert lines[1].startswith("  Tue 08 Jan 2030 13:00 Europe/London  Youth club online")
    text = "\n".join(lines)
    assert "... and 3 more" in text
    assert "zoomaudit upcoming --within 7d" in text
    assert "zoomaudit report r1" in text


def test_starting_soon_says_when_nothing_is_unsafe_this_week() -> None:
    lines = soon_section(_report(_violation(1, 24 * 30)))
    assert lines == ["Starting soon", "  No session in the next 7 days has an open violation."]


def test_how_to_approve_names_real_fix_ids() -> None:
    lines = approve_section(_fix("fx-aaaa1111", {}), _fix("fx-bbbb2222", {}), "sqlite:////tmp/demo.db")
    _fits(lines)
    text = "\n".join(lines)
    assert "zoomaudit fixes approve fx-aaaa1111 --by 'Your Name'" in text
    assert "zoomaudit fixes reject fx-bbbb2222 --by 'Your Name'" in text
    assert "zoomaudit fixes list --status pending" in text
    assert "zoomaudit demo --serve" in text
    assert approve_section(None, None, "sqlite://")[1].strip().startswith("Nothing waits for approval")


def test_the_fix_queue_is_two_lines_a_fix_bodies_compact_and_masked() -> None:
    long_body = {"in_meeting": {f"setting_number_{i}": True for i in range(12)}}
    fixes = [
        _fix("fx-1", {"password": PASSCODE, "settings": {"waiting_room": True}}),
        _fix("fx-2", long_body, path="/users/QFoXmvWs_c-qkrR9QqTqPk/settings"),
    ]
    lines = fix_queue_section(fixes)
    _fits(lines)
    text = "\n".join(lines)
    assert PASSCODE not in text
    assert lines[1] == "  fx-1  passcode-required  PATCH /meetings/84100200300  (1 meeting(s))"
    assert lines[2].startswith('      {"password":"')
    assert lines[2].endswith(',"settings":{"waiting_room":true}}')
    assert lines[4].endswith("...")  # cut at the line's end, not broken over lines
    assert len(lines) == 5


def test_a_narrow_terminal_gets_lines_as_wide_as_it_is() -> None:
    report = _report(*(_violation(i, i, topic=LONG_TOPIC) for i in range(1, 4)))
    fix = _fix("fx-aaaa1111", {"settings": {"waiting_room": True}})
    sections = [
        summary_section(report, Queue(pending=[fix], applied_automatically=0), width=72),
        soon_section(report, width=72),
        approve_section(fix, None, "sqlite:////tmp/demo.db", width=72),
        fix_queue_section([fix], width=72),
    ]
    for lines in sections:
        assert all(len(line) <= 72 for line in lines), [line for line in lines if len(line) > 72]
    approve = sections[2]
    # Too narrow for a column of comments: each goes on the line below its command.
    at = approve.index("  zoomaudit fixes approve fx-aaaa1111 --by 'Your Name'")
    assert approve[at + 1].strip().startswith("# apply it")
