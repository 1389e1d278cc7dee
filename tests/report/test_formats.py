"""Every format renders the same run exactly as its golden file says; each keeps its own promises."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from zoomaudit.errors import UsageError
from zoomaudit.findings import Violation
from zoomaudit.report import FORMATS, render
from zoomaudit.store import RunReport

from .conftest import GOLDEN, UPDATE_GOLDEN, run_report

SCHEMA = Path(__file__).resolve().parents[2] / "src" / "zoomaudit" / "report" / "schema.json"
GOLDEN_FILES = {
    "table": "report.txt",
    "json": "report.json",
    "csv": "report.csv",
    "html": "report.html",
    "markdown": "report.md",
    "junit": "junit.xml",
}


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} is missing: run with ZOOMAUDIT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_matches_its_golden_file(fmt: str, report: RunReport) -> None:
    _check_golden(GOLDEN_FILES[fmt], render(report, fmt))


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_list_formats_without_passes_match_their_golden_files(
    fmt: str, report_without_passes: RunReport
) -> None:
    name = GOLDEN_FILES[fmt].replace("report.", "report-no-passes.")
    _check_golden(name, render(report_without_passes, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_is_deterministic(fmt: str) -> None:
    assert render(run_report(), fmt) == render(run_report(), fmt)


def test_an_unknown_format_is_a_usage_error(report: RunReport) -> None:
    with pytest.raises(UsageError, match="yaml"):
        render(report, "yaml")


def _validator(schema: dict[str, object]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _alone(schema: dict[str, object], version: str) -> dict[str, object]:
    """The schema of one version: the published file with only that version's branch."""
    return {key: value for key, value in schema.items() if key != "oneOf"} | {"$ref": f"#/$defs/{version}"}


@pytest.mark.parametrize("version", [None, 1, 2])
def test_json_validates_against_the_published_schema(version: int | None) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    own = {1: "report_v1", 2: "report_v2", None: "report_v2"}[version]
    for include_passed in (True, False):
        document = json.loads(
            render(run_report(include_passed=include_passed), "json", schema_version=version)
        )
        _validator(schema).validate(document)
        # ... and against its own version alone, not the other one.
        _validator(_alone(schema, own)).validate(document)
        other = "report_v1" if own == "report_v2" else "report_v2"
        assert not _validator(_alone(schema, other)).is_valid(document)


def test_json_version_1_is_the_first_contract_exactly() -> None:
    _check_golden("report-v1.json", render(run_report(), "json", schema_version=1))
    document = json.loads(render(run_report(), "json", schema_version=1))
    assert document["schema_version"] == 1
    assert "past" not in document["summary"]
    assert all(set(f).isdisjoint({"start_time", "duration"}) for f in document["findings"])


def test_the_run_names_its_account_in_version_2_only() -> None:
    report = run_report()
    river = report.model_copy(update={"run": report.run.model_copy(update={"account": "riverside"})})
    document = json.loads(render(river, "json"))
    assert document["run"]["account"] == "riverside"
    _validator(json.loads(SCHEMA.read_text())).validate(document)
    assert "account" not in json.loads(render(river, "json", schema_version=1))["run"]
    # Version 2 reports written before accounts (no ``account``) still validate; a malformed
    # name does not.
    del document["run"]["account"]
    _validator(json.loads(SCHEMA.read_text())).validate(document)
    document["run"]["account"] = "River Side"
    assert not _validator(json.loads(SCHEMA.read_text())).is_valid(document)


def test_a_pre_session_run_reads_scheduled_in_version_1() -> None:
    report = run_report()
    pre = report.model_copy(update={"run": report.run.model_copy(update={"trigger": "pre-session"})})
    assert json.loads(render(pre, "json"))["run"]["trigger"] == "pre-session"
    assert json.loads(render(pre, "json", schema_version=1))["run"]["trigger"] == "scheduled"
    _validator(json.loads(SCHEMA.read_text())).validate(json.loads(render(pre, "json")))


@pytest.mark.parametrize(("fmt", "version"), [("json", 3), ("json", 0), ("csv", 1), ("table", 2)])
def test_a_schema_version_is_for_json_and_one_zoomaudit_writes(fmt: str, version: int) -> None:
    with pytest.raises(UsageError, match="schema"):
        render(run_report(), fmt, schema_version=version)


def test_json_lists_passes_only_when_the_report_includes_them() -> None:
    with_passes = json.loads(render(run_report(include_passed=True), "json"))
    without = json.loads(render(run_report(include_passed=False), "json"))
    assert {f["status"] for f in with_passes["findings"]} == {
        "violation",
        "error",
        "waived",
        "manual",
        "pass",
    }
    assert "pass" not in {f["status"] for f in without["findings"]}
    assert len(with_passes["findings"]) - len(without["findings"]) == 3
    # A report that carries passes but was not asked for them still leaves them out.
    hidden = run_report(include_passed=True).model_copy(update={"include_passed": False})
    assert json.loads(render(hidden, "json")) == without


def test_json_has_exactly_the_contract_fields(report: RunReport) -> None:
    document = json.loads(render(report, "json"))
    assert list(document) == ["schema_version", "run", "summary", "findings", "errors"]
    assert document["schema_version"] == 2
    assert set(document["run"]) == {
        "id",
        "trigger",
        "scope",
        "started_at",
        "finished_at",
        "complete",
        "account",
    }
    assert document["run"]["account"] == "default"
    assert document["run"]["started_at"] == "2026-11-20T02:00:00+00:00"
    assert document["summary"]["past"] == 1
    first = document["findings"][0]
    assert first["severity"] == "critical"  # worst first
    assert (first["start_time"], first["duration"]) == ("2026-11-24T17:00:00+00:00", 90)
    by_subject = {
        f["host_id"] if f["meeting_id"] is None else f["meeting_id"]: f for f in document["findings"]
    }
    assert by_subject["u-carol"]["start_time"] is None  # a user check happens at no time
    assert by_subject["u-carol"]["duration"] is None


def test_junit_fails_once_per_violation_and_parses(report: RunReport) -> None:
    root = ET.fromstring(render(report, "junit"))  # our own output
    violations = sum(1 for f in report.findings if f.status == "violation")
    assert len(root.findall(".//failure")) == violations == int(root.get("failures", "-1"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(report.findings) + len(report.errors) == int(root.get("tests", "-1"))
    names = {(c.get("classname"), c.get("name")) for c in cases}
    assert len(names) == len(cases)  # one test case per policy x subject
    assert len(root.findall(".//error")) == 1 + len(report.errors)
    assert len(root.findall(".//skipped")) == 2


def test_csv_has_one_row_per_finding_and_error(report_without_passes: RunReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render(report_without_passes, "csv"))))
    assert len(rows) == len(report_without_passes.findings) + len(report_without_passes.errors)
    topics = {row["topic"] for row in rows}
    assert "'=SUM(1)" not in topics  # the topic does not start with '=' ...
    assert all(not t.startswith(("=", "+", "-", "@")) for t in topics)
    assert json.loads(rows[0]["expected"]) == {"is_set": True}


def test_html_is_self_contained(report: RunReport) -> None:
    html = render(report, "html")
    assert not re.search(r"https?://", html)
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "@import" not in html
    assert "<svg" in html


def test_html_shows_what_a_safeguarding_lead_needs(report: RunReport) -> None:
    html = render(report, "html")
    for text in [
        "Everyone waits to be admitted",  # policy title
        "Someone who joins unseen",  # rationale
        "account lock",  # the tier that decided a value
        "fx-0001",
        "PATCH /users/u-alice/settings",  # the suggested fix
        "Violations by severity",
        "Violations by policy",
        "HTTP 500 after 5 retries",
        "occurrence 1700000000000",
    ]:
        assert text in html, text
    for item in [
        "self-view",
        "safe-word",
        "signal-for-help",
        "group-agreements",
        "breakout-facilitators",
        "debrief",
        "holding-screen",
        "second-person",
    ]:
        assert f'id="check-{item}"' in html, item


def test_html_escapes_meeting_topics(report: RunReport) -> None:
    html = render(report, "html")
    assert "<Q&A>" not in html
    assert "&lt;Q&amp;A&gt;" in html


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_shows_a_passcode_from_a_fix(fmt: str, report: RunReport) -> None:
    assert "Xq7-secret" not in render(report, fmt)


def test_table_groups_by_meeting_worst_first_with_the_deciding_tier(report: RunReport) -> None:
    text = render(report, "table")
    youth = text.index("Meeting 81234567890")
    parents = text.index("Meeting 85550001111")
    carol = text.index("User carol@example.org")
    assert youth < parents < carol < text.index("Account")
    passcode_row = next(line for line in text.splitlines() if "passcode" in line and "VIOLATION" in line)
    assert "account lock" in passcode_row
    assert text.splitlines()[-1].startswith("Run 20261120-020000-3f9a")


def test_table_strips_terminal_escapes_from_topics(report: RunReport) -> None:
    finding = report.findings[0].model_copy(update={"topic": "Drop-in\x1b]0;owned\x07\x1b[2J"})
    text = render(report.model_copy(update={"findings": [finding, *report.findings[1:]]}), "table")
    assert "\x1b" not in text
    assert "\x07" not in text


def _unfinished(report: RunReport, status: str, error: str | None, *, errors: bool = False) -> RunReport:
    run = report.run.model_copy(update={"status": status, "error": error, "counts": {}})
    return report.model_copy(update={"run": run, "findings": [], "errors": report.errors if errors else []})


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("failed", "Zoom refused the credentials: invalid_client"),
        ("abandoned", "the process writing this run stopped before finishing it"),
        ("running", None),
        ("incomplete", None),
    ],
)
def test_junit_of_an_unfinished_run_is_an_error_carrying_its_reason(
    report: RunReport, status: str, error: str | None
) -> None:
    root = ET.fromstring(render(_unfinished(report, status, error), "junit"))
    (case,) = root.findall(".//testcase")
    (found,) = case.findall("error")
    assert (root.get("tests"), root.get("errors"), root.get("failures")) == ("1", "1", "0")
    assert case.get("classname") == "zoomaudit.run"
    assert found.get("type") == status
    if error is not None:
        assert error in (found.get("message") or "")


def test_junit_of_an_incomplete_run_has_one_error_per_collect_error(report: RunReport) -> None:
    root = ET.fromstring(render(_unfinished(report, "incomplete", None, errors=True), "junit"))
    errors = root.findall(".//error")
    assert len(errors) == len(report.errors) == int(root.get("errors", "-1"))
    assert {e.get("message") for e in errors} == {e.message for e in report.errors}


def test_junit_of_a_failed_run_with_collect_errors_keeps_both(report: RunReport) -> None:
    root = ET.fromstring(render(_unfinished(report, "failed", "HTTP 401", errors=True), "junit"))
    assert int(root.get("errors", "-1")) == len(report.errors) + 1
    assert [s.get("name") for s in root.findall("testsuite")] == ["collection", "run"]


def test_junit_of_a_complete_run_has_no_run_error(report: RunReport) -> None:
    run = report.run.model_copy(update={"status": "complete", "complete": True})
    root = ET.fromstring(render(report.model_copy(update={"run": run, "errors": []}), "junit"))
    assert root.find(".//testcase[@classname='zoomaudit.run']") is None


ADMITTERS_ALSO = "also people who bypassed the waiting room (when no host is present)"


def _admitters_report(report: RunReport) -> RunReport:
    admitters = Violation(
        policy_id="host-admits-from-waiting-room",
        control="waiting_room_admitters",
        severity="high",
        host_id="u-erin",
        host_email="erin@example.org",
        actual=1,
        expected={"equals": 0},
        source="user",
    )
    return report.model_copy(update={"findings": [admitters]})


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "junit"])
def test_human_formats_show_coded_values_by_their_labels(report: RunReport, fmt: str) -> None:
    from zoomaudit.report.table import render_table

    coded = _admitters_report(report)
    text = render_table(coded, width=300) if fmt == "table" else render(coded, fmt)  # no wrapping
    assert ADMITTERS_ALSO in text
    assert "host and co-hosts only" in text


def test_json_and_csv_keep_the_raw_codes(report: RunReport) -> None:
    coded = _admitters_report(report)
    (finding,) = json.loads(render(coded, "json"))["findings"]
    assert (finding["actual"], finding["expected"]) == (1, {"equals": 0})
    row = next(csv.DictReader(io.StringIO(render(coded, "csv"))))
    assert (row["actual"], row["expected"]) == ("1", '{"equals":0}')
    assert ADMITTERS_ALSO not in render(coded, "json") + render(coded, "csv")


def test_a_label_of_a_code_never_names_a_boolean() -> None:
    from zoomaudit.report.common import value_text

    labels = {0: "required, approved automatically", 1: "required, approved by the host"}
    assert (value_text(False, labels), value_text(True, labels)) == ("off", "on")
    assert value_text(1, labels) == "required, approved by the host"


def test_diff_shows_coded_values_by_their_labels(report: RunReport) -> None:
    from zoomaudit.report.runs import render_diff
    from zoomaudit.store import RunDiff

    coded = _admitters_report(report)
    diff = RunDiff(old_run=report.run, new_run=report.run, still_open=coded.findings)
    assert "also people who bypassed" in render_diff(diff, "table")  # the cell wraps after this
    assert json.loads(render_diff(diff, "json"))["still_open"][0]["actual"] == 1
