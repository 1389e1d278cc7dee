"""Free text from Zoom (topics, e-mails, names, messages) is shown as text in every human format,
never as terminal commands or reordered by bidi controls; the JSON report keeps it as sent."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from zoomaudit.report import render
from zoomaudit.report.runs import render_diff
from zoomaudit.safe_text import csv_cell, printable, xml_text
from zoomaudit.snapshot import CollectError
from zoomaudit.store import RunDiff, RunReport

ESCAPES = "\x1b]0;owned\x07\x1b[2J"
RLO = "\u202e"
TOPIC = f"Youth club{ESCAPES} {RLO}gpj.exe\u2066x\u2069\x00\x9b"
EMAIL = f"host{RLO}@example.org\x1b[31m"
MESSAGE = f"Zoom said {ESCAPES}{RLO}\x0c no"
BAD = ("\x1b", "\x07", "\x00", "\x9b", "\x0c", RLO, "\u2066", "\u2069")
HUMAN = ("table", "markdown", "csv", "html", "junit")


def hostile(report: RunReport) -> RunReport:
    findings = [
        f.model_copy(update={"topic": TOPIC, "host_email": EMAIL, "message": MESSAGE})
        for f in report.findings
    ]
    errors = [CollectError(meeting_id=89990002222, user_id=f"u{RLO}x", message=MESSAGE)]
    return report.model_copy(update={"findings": findings, "errors": errors})


@pytest.mark.parametrize("fmt", HUMAN)
def test_no_control_or_bidi_character_reaches_a_human_format(report: RunReport, fmt: str) -> None:
    text = render(hostile(report), fmt)
    for char in BAD:
        assert char not in text, (fmt, repr(char))
    assert "Youth club" in text
    assert "gpj.exe" in text


def test_junit_with_control_characters_parses(report: RunReport) -> None:
    root = ET.fromstring(render(hostile(report), "junit"))
    names = [case.get("name", "") for case in root.iter("testcase")]
    assert any("Youth club" in name for name in names)


def test_csv_cells_are_printable_and_never_formulas(report: RunReport) -> None:
    findings = [f.model_copy(update={"topic": '=HYPERLINK("x")' + ESCAPES}) for f in report.findings]
    text = render(report.model_copy(update={"findings": findings}), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["topic"] for r in rows if r["policy_id"]} == {'\'=HYPERLINK("x")]0;owned[2J'}
    assert csv_cell(f"{RLO}=1+1") == "'=1+1"  # a bidi control does not hide a formula


def test_json_keeps_the_text_exactly_as_zoom_sent_it(report: RunReport) -> None:
    document = json.loads(render(hostile(report), "json"))
    assert {f["topic"] for f in document["findings"]} == {TOPIC}
    assert {f["host_email"] for f in document["findings"]} == {EMAIL}


def test_the_run_diff_shows_topics_as_text(report: RunReport) -> None:
    findings = hostile(report).findings
    diff = RunDiff(
        old_run=report.run, new_run=report.run, new=findings, resolved=[], still_open=[], unchecked=[]
    )
    text = render_diff(diff, "table")
    for char in BAD:
        assert char not in text, repr(char)


def test_the_sanitisers() -> None:
    assert printable(f"a\tb\nc{RLO}\u200e\u200f\u061c\u202a\u2068d\x85") == "a\tb\ncd"
    assert xml_text("a\ud800b\ufffec\uffff\x1bd") == "abcd"


def test_upcoming_shows_topics_and_hosts_as_text() -> None:
    from datetime import UTC, datetime, timedelta

    from zoomaudit.cli.upcoming import render as render_upcoming
    from zoomaudit.store.upcoming import UpcomingSession

    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    session = UpcomingSession(
        meeting_id=81234567890,
        occurrence_id=None,
        topic=TOPIC,
        host_email=EMAIL,
        start_time=now + timedelta(hours=1),
        duration=60,
        timezone="Europe/London",
        run_id="20261120-080000-aaaa",
        judged_at=now,
        violations=["waiting-room"],
    )
    text = render_upcoming([session], "table", now, timedelta(hours=2))
    for char in BAD:
        assert char not in text, repr(char)
    assert json.loads(render_upcoming([session], "json", now, timedelta(hours=2)))[0]["topic"] == TOPIC


def test_fix_results_print_zoom_messages_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    from zoomaudit.cli.fixes import _print_results
    from zoomaudit.fixes.steps import ApplyResult

    _print_results([ApplyResult(fix_id="fx-1", status="failed", message=MESSAGE)])
    out = capsys.readouterr().out
    for char in BAD:
        assert char not in out, repr(char)
    assert "Zoom said" in out
