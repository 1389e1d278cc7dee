"""`zoomaudit history`, `diff` and `report` on a store filled by the test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from zoomaudit.cli.app import app
from zoomaudit.errors import UsageError
from zoomaudit.findings import Finding
from zoomaudit.store import Store

from .conftest import findings

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
COUNTS = {"meetings": 2, "users": 3, "violations": 5, "errors": 0, "waived": 1, "manual": 1, "passed": 3}


def _run(store: Store, hours: int, batch: list[Finding], *, finish: bool = True) -> str:
    run_id = store.start_run("manual", "account", {}, "h", T0 + timedelta(hours=hours))
    store.add_findings(run_id, batch)
    if finish:
        store.finish_run(
            run_id, complete=True, finished_at=T0 + timedelta(hours=hours, seconds=75), counts=COUNTS
        )
    return run_id


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(os.environ["ZOOMAUDIT_DATABASE_URL"]) as opened:
        yield opened


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_history_lists_runs_newest_first(store: Store) -> None:
    first = _run(store, 0, findings())
    second = _run(store, 1, findings())
    result = invoke("history")
    assert result.exit_code == 0, result.output
    assert result.output.index(second) < result.output.index(first)
    assert "1m15s" in result.output
    listed = json.loads(invoke("history", "--format", "json", "--limit", "1").output)
    assert [r["id"] for r in listed] == [second]
    assert listed[0]["counts"]["violations"] == 5


def test_history_hides_abandoned_runs_unless_asked(store: Store) -> None:
    kept = _run(store, 0, findings())
    dead_store = Store(os.environ["ZOOMAUDIT_DATABASE_URL"])
    dead = _run(dead_store, 1, findings()[:2], finish=False)
    dead_store.close()
    store.abandon_stale_runs(datetime.now(UTC))
    plain = [r["id"] for r in json.loads(invoke("history", "--format", "json").output)]
    everything = [r["id"] for r in json.loads(invoke("history", "--format", "json", "--all").output)]
    assert (plain, everything) == ([kept], [dead, kept])


def test_history_of_an_empty_store_says_how_to_start() -> None:
    assert "zoomaudit audit" in invoke("history").output


def test_diff_compares_the_last_two_complete_runs_by_default(store: Store) -> None:
    batch = findings()
    old = _run(store, 0, batch)
    fixed = [f for f in batch if f.policy_id != "waiting-room"]
    new = _run(store, 1, fixed)
    _run(store, 2, batch, finish=False)  # still running: not a candidate
    result = invoke("diff", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["old_run"]["id"], document["new_run"]["id"]) == (old, new)
    assert [f["policy_id"] for f in document["resolved"]] == ["waiting-room"]
    assert document["new"] == []
    assert len(document["still_open"]) == 4
    text = invoke("diff", old[:14], new).output
    assert "0 new, 1 resolved, 4 still open" in text


def test_diff_exit_code_flags_new_violations(store: Store) -> None:
    old = _run(store, 0, [f for f in findings() if f.policy_id != "passcode"])
    new = _run(store, 1, findings())
    assert invoke("diff", old, new, "--exit-code").exit_code == 1
    assert invoke("diff", new, old, "--exit-code").exit_code == 0


def test_diff_needs_two_complete_runs(store: Store) -> None:
    _run(store, 0, findings())
    result = invoke("diff")
    assert isinstance(result.exception, UsageError)
    assert "two complete runs" in str(result.exception)


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "html", "markdown", "junit"])
def test_report_renders_a_stored_run_in_every_format(store: Store, tmp_path: Path, fmt: str) -> None:
    run_id = _run(store, 0, findings())
    out = tmp_path / "nested" / "dir" / f"report.{fmt}"
    result = invoke("report", run_id[:12], "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8")
    assert run_id in out.read_text(encoding="utf-8")


def test_report_json_lists_passes_only_with_include_passed(store: Store) -> None:
    run_id = _run(store, 0, findings())
    plain = json.loads(invoke("report", run_id, "--format", "json").output)
    full = json.loads(invoke("report", run_id, "--format", "json", "--include-passed").output)
    assert "pass" not in {f["status"] for f in plain["findings"]}
    assert sum(f["status"] == "pass" for f in full["findings"]) == 3


def test_report_junit_and_html_include_the_passes(store: Store) -> None:
    run_id = _run(store, 0, findings())
    root = ET.fromstring(invoke("report", run_id, "--format", "junit").output)  # our own output
    assert int(root.get("tests", "0")) == len(findings())
    assert int(root.get("failures", "0")) == 5
    assert "mute_upon_entry" in invoke("report", run_id, "--format", "html").output


def test_report_of_an_unknown_run_names_it(store: Store) -> None:
    _run(store, 0, findings())
    result = invoke("report", "19990101")
    assert isinstance(result.exception, UsageError)
    assert "19990101" in str(result.exception)


def test_unknown_run_id_exits_2_from_the_console_script(store: Store) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "report", "no-such-run"],
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert out.returncode == 2
    assert "no-such-run" in out.stderr


def test_an_unknown_format_is_a_usage_error(store: Store) -> None:
    run_id = _run(store, 0, findings())
    assert isinstance(invoke("report", run_id, "--format", "pdf").exception, UsageError)


def test_report_junit_of_a_failed_run_fails_in_ci(store: Store) -> None:
    run_id = store.start_run("manual", "account", {}, "h", T0)
    store.finish_run(
        run_id, complete=False, finished_at=T0 + timedelta(seconds=3), counts={}, error="HTTP 401 from Zoom"
    )
    result = invoke("report", "latest", "--format", "junit")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.output)
    assert root.get("errors") == "1"
    assert "HTTP 401 from Zoom" in (root.findtext(".//error") or "")


def _scoped_run(store: Store, hours: int, batch: list[Finding], scope: str, users: list[str]) -> str:
    detail = {"meeting_ids": [], "users": users}
    run_id = store.start_run("manual", scope, detail, "h", T0 + timedelta(hours=hours))  # type: ignore[arg-type]
    store.add_findings(run_id, batch)
    store.finish_run(run_id, complete=True, finished_at=T0 + timedelta(hours=hours, seconds=5), counts={})
    return run_id


def test_diff_exit_code_ignores_violations_the_older_run_never_audited(store: Store) -> None:
    alice = [f for f in findings() if f.host_id == "u-alice"]
    old = _scoped_run(store, 0, alice, "user", ["u-alice"])
    new = _scoped_run(store, 1, findings(), "account", [])
    result = invoke("diff", old, new, "--exit-code")
    assert result.exit_code == 0, result.output
    assert "0 new" in result.output
    assert "Not in the older run's scope" in result.output
    document = json.loads(invoke("diff", old, new, "--format", "json").output)
    assert document["new"] == []
    # carol's user settings and the account were not part of the --user audit
    assert sorted(f["policy_id"] for f in document["unchecked_new"]) == [
        "cloud-recording",
        "screen-share-lock",
    ]


def test_diff_by_default_skips_a_narrower_audit_in_between(store: Store) -> None:
    batch = findings()
    old = _scoped_run(store, 0, batch, "account", [])
    _scoped_run(store, 1, batch[:3], "user", ["u-alice"])
    new = _scoped_run(store, 2, batch, "account", [])
    document = json.loads(invoke("diff", "--format", "json").output)
    assert (document["old_run"]["id"], document["new_run"]["id"]) == (old, new)
    assert (document["new"], document["unchecked_new"]) == ([], [])


def test_diff_with_one_run_of_the_newest_scope_says_so(store: Store) -> None:
    _scoped_run(store, 0, findings(), "account", [])
    _scoped_run(store, 1, findings()[:3], "user", ["u-alice"])
    result = invoke("diff")
    assert isinstance(result.exception, UsageError)
    assert "same scope" in str(result.exception)
    assert "u-alice" in str(result.exception)


def test_a_report_that_fails_half_way_leaves_the_earlier_file_whole(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _run(store, 0, findings())
    out = tmp_path / "reports" / "report.json"
    assert invoke("report", run_id, "--format", "json", "--output", str(out)).exit_code == 0
    earlier = out.read_bytes()

    def broken(columns: dict[str, object], version: int = 2) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("zoomaudit.report.jsondoc._stored_line", broken)
    result = invoke("report", run_id, "--format", "json", "--output", str(out))
    assert isinstance(result.exception, UsageError)
    assert str(out) in str(result.exception)
    assert "No space left" in str(result.exception)
    assert out.read_bytes() == earlier
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"], "no partial file is left"


def test_a_report_file_gets_the_usual_permissions(store: Store, tmp_path: Path) -> None:
    run_id = _run(store, 0, findings())
    out = tmp_path / "report.csv"
    assert invoke("report", run_id, "--format", "csv", "--output", str(out)).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
