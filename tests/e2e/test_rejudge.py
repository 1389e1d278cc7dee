"""`zoomaudit rejudge` against a real audit of the sandbox over loopback HTTP: the snapshot a run
keeps (compressed, no secret in it), how many are kept, and judging it again with no request to
Zoom, under the same or changed policies."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from zoomaudit.errors import UsageError
from zoomaudit.findings import Finding
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope

from .conftest import audit, cli, report_of

PACK = Path(__file__).parents[2] / "policies"
CLOSED = "http://127.0.0.1:9"
"""The discard port: nothing listens there, so any request zoomaudit made would fail."""


def _verdicts(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return sorted(
        (f.identity, f.status, json.dumps(f.actual, sort_keys=True), json.dumps(f.expected, sort_keys=True))
        for f in findings
    )


def _no_zoom(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_API_BASE_URL", CLOSED)
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", CLOSED + "/oauth/token")


def _refusal(result: Result) -> str:
    """The message of a refusal, which ``cli.app.main`` prints and exits 2 (usage) with."""
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    return str(result.exception)


def _db_path(settings: Settings) -> Path:
    return Path(settings.database_url.removeprefix("sqlite:///"))


def _stricter_pack(tmp_path: Path) -> Path:
    """The bundled pack with passcode-strength asking for 10 characters and a special one."""
    folder = tmp_path / "stricter"
    shutil.copytree(PACK, folder)
    pack = folder / "safeguarding.yaml"
    text = pack.read_text()
    old = "params: {length: 8, have_letter: true, have_number: true}"
    assert old in text
    pack.write_text(
        text.replace(old, "params: {length: 10, have_letter: true, have_special_character: true}")
    )
    return folder


def test_a_run_keeps_its_snapshot_compressed_with_no_passcode_in_the_database(
    settings: Settings, sandbox: RunningSandbox
) -> None:
    outcome = audit(settings)
    assert outcome.complete
    secrets: set[str] = set()
    for meeting in sandbox.state.meetings.values():
        password = meeting.get("password")
        if isinstance(password, str) and len(password) >= 6:  # shorter ones match any digits
            secrets.add(password)
    assert len(secrets) > 40
    with Store.from_settings(settings) as store:
        chunks, size = store.snapshots.size(outcome.run_id)
        texts = [zlib.decompress(c) for c in store.snapshots.chunks(outcome.run_id)]
    assert chunks == outcome.counts["users"] + 1  # the account, then one per host
    assert size < sum(len(t) for t in texts) / 2  # compressed
    db = _db_path(settings)
    raw = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    with sqlite3.connect(db) as connection:
        dump = "\n".join(connection.iterdump()).encode()
    everything = raw + dump + b"".join(texts)
    for secret in secrets:
        assert secret.encode() not in everything, "a meeting passcode is stored in plain text"
    assert b"zak=" not in b"".join(texts)  # start_url (the host's token) is not kept
    assert b"pwd=stand-in" in b"".join(texts)  # a passcode embedded in a link is only said to be


def test_rejudging_with_the_same_policies_gives_the_same_verdicts_and_asks_zoom_nothing(
    settings: Settings, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = audit(settings)
    served = len(sandbox.log)
    _no_zoom(monkeypatch)
    result = cli("rejudge", outcome.run_id[:15], "--format", "json")
    assert result.exit_code == 1, result.output  # the demo has violations, as its audit did
    assert len(sandbox.log) == served
    document = json.loads(result.stdout)
    assert document["run"]["trigger"] == "rejudge"
    assert document["run"]["rejudged_from"] == outcome.run_id
    new_id = document["run"]["id"]
    original, again = report_of(settings, outcome.run_id), report_of(settings, new_id)
    assert _verdicts(again.findings) == _verdicts(original.findings)
    assert again.run.counts == original.run.counts
    v1 = cli("report", new_id, "--format", "json", "--schema-version", "1")
    assert json.loads(v1.stdout)["run"]["trigger"] == "manual"
    # A what-if trial is not the account's current state: the default diff still compares audits.
    with Store.from_settings(settings) as store:
        assert [r.id for r in store.last_complete_runs(1)] == [outcome.run_id]
        assert store.previous_comparable(new_id) is None or store.previous_comparable(new_id).id != new_id


def test_rejudging_under_stricter_policies_flags_what_an_audit_with_them_would(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = audit(settings)
    stricter = _stricter_pack(tmp_path)
    monkeypatch.setenv("ZOOMAUDIT_POLICIES", str(stricter))
    truth = audit(load_settings(ZOOMAUDIT_RATE_SHARE=1.0))  # a real audit under the new policies
    monkeypatch.delenv("ZOOMAUDIT_POLICIES")
    _no_zoom(monkeypatch)
    result = cli("rejudge", first.run_id, "--policies", str(stricter), "--format", "json")
    assert result.exit_code == 1, result.output
    new_id = json.loads(result.stdout)["run"]["id"]
    # The passcode stand-ins judge as the passcodes did, under rules the run never applied.
    assert _verdicts(report_of(settings, new_id).findings) == _verdicts(
        report_of(settings, truth.run_id).findings
    )
    diff = cli("diff", first.run_id, new_id, "--format", "json")
    assert diff.exit_code == 0, diff.output
    flagged = json.loads(diff.stdout)["new"]
    assert flagged
    assert {f["policy_id"] for f in flagged} == {"passcode-strength"}


def test_only_the_latest_runs_keep_a_snapshot(
    settings: Settings, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOOMAUDIT_SNAPSHOT_RUNS", "2")
    kept = load_settings(ZOOMAUDIT_RATE_SHARE=1.0)
    meeting = int(sandbox.state.meeting_by_topic("Trustees board meeting")["id"])
    runs = [audit(kept, MeetingsScope.of(meeting)).run_id for _ in range(3)]
    with Store.from_settings(kept) as store:
        assert [store.snapshots.size(r)[0] for r in runs] == [0, 2, 2]
    refused = _refusal(cli("rejudge", runs[0]))
    assert "kept no snapshot" in refused
    assert "ZOOMAUDIT_SNAPSHOT_RUNS" in refused
    assert cli("rejudge", runs[2]).exit_code in (0, 1)


def test_refusals_are_usage_errors(
    settings: Settings, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    meeting = int(sandbox.state.meeting_by_topic("Trustees board meeting")["id"])
    monkeypatch.setenv("ZOOMAUDIT_SNAPSHOT_RUNS", "0")
    bare = audit(load_settings(ZOOMAUDIT_RATE_SHARE=1.0), MeetingsScope.of(meeting))
    monkeypatch.delenv("ZOOMAUDIT_SNAPSHOT_RUNS")
    audit(settings, MeetingsScope.of(meeting))
    with Store.from_settings(settings) as store:
        assert store.snapshots.size(bare.run_id) == (0, 0)
        broken = store.start_run("manual", "account", {}, "", datetime.now(UTC))
        store.finish_run(broken, complete=False, finished_at=datetime.now(UTC), counts={})
    _no_zoom(monkeypatch)
    cases = {
        bare.run_id: "kept no snapshot",
        "20000101-000000-ffff": "no run with id",
        bare.run_id[:4]: "ambiguous",
        broken: "only a complete run",
    }
    for ref, words in cases.items():
        assert words in _refusal(cli("rejudge", ref)), ref


def test_policies_reading_settings_the_run_did_not_read_are_refused(
    settings: Settings, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = int(sandbox.state.meeting_by_topic("Trustees board meeting")["id"])
    run_id = audit(settings, MeetingsScope.of(meeting)).run_id
    folder = tmp_path / "with-sign-in"
    shutil.copytree(PACK, folder)
    pack = folder / "safeguarding.yaml"
    text = pack.read_text()
    switched_off = "control: meeting_authentication\n    expect: {equals: true}\n    enabled: false"
    assert switched_off in text
    pack.write_text(text.replace(switched_off, switched_off.replace("false", "true")))
    _no_zoom(monkeypatch)
    refused = _refusal(cli("rejudge", run_id, "--policies", str(folder)))
    assert "did not read (meeting_authentication)" in refused


def test_a_rejudge_stored_in_many_groups_keeps_every_verdict(
    settings: Settings, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rejudge stores its verdicts a group of hosts at a time (one transaction each): with groups
    of a few findings, the run stored is the same as the run judged, counts and all."""
    import zoomaudit.rejudge as rejudging

    outcome = audit(settings)
    _no_zoom(monkeypatch)
    monkeypatch.setattr(rejudging, "STORE_EVERY", 3)
    again = rejudging.rejudge(outcome.run_id, settings=load_settings())
    original, stored = report_of(settings, outcome.run_id), report_of(settings, again.run_id)
    assert _verdicts(stored.findings) == _verdicts(original.findings)
    assert stored.run.counts == original.run.counts == again.counts
    assert stored.run.status == "complete"


def test_a_rejudge_whose_store_fails_is_marked_failed(
    settings: Settings, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zoomaudit.rejudge as rejudging
    from zoomaudit.judging import Tally

    outcome = audit(settings)
    _no_zoom(monkeypatch)
    monkeypatch.setattr(rejudging, "STORE_EVERY", 3)
    real = Tally.store_many
    calls: list[int] = []

    def failing(self: Tally, store: Store, run_id: str, judged: list[Any]) -> None:
        calls.append(len(judged))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(self, store, run_id, judged)

    monkeypatch.setattr(Tally, "store_many", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        rejudging.rejudge(outcome.run_id, settings=load_settings())
    with Store.from_settings(settings) as store:
        latest = store.get_run("latest")
    assert latest.trigger == "rejudge"
    assert latest.status == "failed"
    assert latest.error == "disk full"
