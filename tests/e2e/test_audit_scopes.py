"""Single-meeting and single-host audits, unknown ids and the command's exit codes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import audit, report_of
from zoomaudit.errors import UnknownMeeting
from zoomaudit.runner import run
from zoomaudit.sandbox.log import LoggedRequest
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope, UsersScope

DROP_IN = "Youth club online: Tuesday drop-in"


def zoomaudit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zoomaudit", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_single_meeting_audit_reads_only_that_meeting(sandbox: RunningSandbox, settings: Settings) -> None:
    meeting_id = int(sandbox.state.meeting_by_topic(DROP_IN)["id"])
    before = len(sandbox.log.entries)
    outcome = audit(settings, MeetingsScope.of(meeting_id))
    report = report_of(settings, outcome.run_id)
    assert outcome.complete
    assert report.run.scope == "meetings"
    assert {f.meeting_id for f in report.findings} == {meeting_id}
    requests = sandbox.log.entries[before:]
    listed = [e for e in requests if e.path.endswith("/meetings") and e.method == "GET"]
    assert listed == [], "a single-meeting audit must not list every host's meetings"
    host_groups = set(sandbox.state.users[sandbox.state.meeting_by_topic(DROP_IN)["host_id"]].group_ids)
    groups_read = {e.path.split("/groups/")[1].split("/")[0] for e in requests if "/groups/" in e.path}
    assert groups_read == host_groups, "only the host's groups are read"


def test_a_single_meeting_audit_judges_it_as_the_whole_account_audit_does(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    def essence(run_id: str, meeting_id: int) -> set[tuple[object, ...]]:
        return {
            (f.policy_id, f.occurrence_id, f.status, f.source, f.locked, repr(f.actual))
            for f in report_of(settings, run_id).findings
            if f.meeting_id == meeting_id
        }

    whole = audit(settings)
    for topic in (DROP_IN, "Volunteer training: safeguarding basics", "Counselling session: client C-0412"):
        meeting_id = int(sandbox.state.meeting_by_topic(topic)["id"])
        single = audit(settings, MeetingsScope.of(meeting_id))
        assert essence(single.run_id, meeting_id) == essence(whole.run_id, meeting_id), topic


def test_a_host_audit_covers_all_and_only_that_hosts_meetings(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    meeting = sandbox.state.meeting_by_topic(DROP_IN)
    host = sandbox.state.users[meeting["host_id"]]
    outcome = audit(settings, UsersScope.of(host.email))
    report = report_of(settings, outcome.run_id)
    assert {f.host_id for f in report.findings} == {meeting["host_id"]}
    assert int(meeting["id"]) in {f.meeting_id for f in report.findings}


def test_an_unknown_meeting_id_is_named_and_stores_no_run(settings: Settings) -> None:
    with pytest.raises(UnknownMeeting, match="123456789"):
        audit(settings, MeetingsScope.of(123456789))
    store = Store.from_settings(settings)
    try:
        assert store.list_runs() == []
    finally:
        store.close()


def test_cli_exit_codes_and_json_for_one_meeting(sandbox: RunningSandbox, env: dict[str, str]) -> None:
    meeting_id = sandbox.state.meeting_by_topic(DROP_IN)["id"]
    done = zoomaudit(env, "audit", "--meeting", str(meeting_id), "--format", "json", "--quiet")
    assert done.returncode == 1, done.stderr  # the drop-in session was built with violations
    doc = json.loads(done.stdout)
    assert doc["run"]["scope"] == "meetings"
    assert doc["summary"]["violations"] > 0
    assert all(f["meeting_id"] == meeting_id for f in doc["findings"])

    unknown = zoomaudit(env, "audit", "--meeting", "98765432101", "--quiet")
    assert unknown.returncode == 2
    assert "98765432101" in unknown.stderr


def test_cli_exit_code_3_when_zoom_refuses_the_credentials(env: dict[str, str]) -> None:
    done = zoomaudit({**env, "ZOOM_CLIENT_SECRET": "wrong-secret"}, "audit", "--quiet")
    assert done.returncode == 3
    assert "wrong-secret" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "never awaited" not in done.stderr  # no request is left half-way when the run stops


def test_cli_exit_code_2_without_credentials(env: dict[str, str]) -> None:
    bare = {k: v for k, v in env.items() if k != "ZOOM_CLIENT_ID"}
    done = zoomaudit(bare, "audit", "--quiet")
    assert done.returncode == 2
    assert "ZOOM_CLIENT_ID" in done.stderr


class RecordingObserver:
    def __init__(self) -> None:
        self.phases: list[str] = []
        self.totals: list[int] = []
        self.advanced = 0

    def phase(self, name: str) -> None:
        self.phases.append(name)

    def total(self, hosts: int) -> None:
        self.totals.append(hosts)

    def advance(self, hosts: int = 1) -> None:
        self.advanced += hosts


def test_progress_is_reported_host_by_host(settings: Settings) -> None:
    observer = RecordingObserver()
    outcome = audit(settings, observer=observer)
    assert observer.totals == [outcome.counts["users"]]
    assert observer.advanced == outcome.counts["users"]
    assert "auditing hosts" in observer.phases


def test_an_unknown_user_is_named_and_stores_no_run(settings: Settings) -> None:
    from zoomaudit.errors import UsageError

    with pytest.raises(UsageError, match=r"nobody@example\.org"):
        audit(settings, UsersScope.of("nobody@example.org"))
    store = Store.from_settings(settings)
    try:
        assert store.list_runs(include_abandoned=True) == []
    finally:
        store.close()


def test_account_settings_that_cannot_be_read_fail_the_stored_run(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    """The account is read side by side with the named meeting; its failure still lands on a
    stored run, marked failed, rather than vanishing with the run."""
    from zoomaudit.errors import ZoomError
    from zoomaudit.zoom.client import ZoomClient

    async def broken(*_: object) -> dict[str, object]:
        raise ZoomError("GET /accounts/me/settings: HTTP 503 Service temporarily unavailable.")

    async def go() -> None:
        client = ZoomClient(settings)
        client.account_settings_merged = broken  # type: ignore[method-assign]
        try:
            await run(
                MeetingsScope.of(int(sandbox.state.meeting_by_topic(DROP_IN)["id"])),
                settings=settings,
                client=client,
            )
        finally:
            await client.aclose()

    with pytest.raises(ZoomError, match="HTTP 503"):
        asyncio.run(go())
    with Store.from_settings(settings) as store:
        [stored] = store.list_runs(include_abandoned=True)
    assert stored.status == "failed"
    assert not stored.complete


def test_a_database_that_cannot_be_opened_is_named_and_nothing_is_left_running(
    sandbox: RunningSandbox, settings: Settings, tmp_path: Path
) -> None:
    """The store opens in a worker thread while the first requests are in flight; its error is
    the run's error, and the reads started beside it are cancelled, not left behind."""
    from zoomaudit.errors import ZoomAuditError

    folder = tmp_path / "a-folder"
    folder.mkdir()
    broken = settings.model_copy(update={"database_url": f"sqlite:///{folder}"})
    meeting_id = int(sandbox.state.meeting_by_topic(DROP_IN)["id"])

    async def go() -> list[asyncio.Task[object]]:
        with pytest.raises(ZoomAuditError, match="a-folder"):
            await run(MeetingsScope.of(meeting_id), settings=broken)
        return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]

    assert asyncio.run(go()) == []


def test_a_single_meeting_audit_overlaps_the_reads_that_do_not_depend_on_each_other(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    """Asserted on the sandbox's record of what each request overlapped, not on timings: each
    answer takes a while (latency), so reads made side by side are in flight together."""
    meeting = sandbox.state.meeting_by_topic(DROP_IN)
    host = meeting["host_id"]
    sandbox.options.latency_ms = 200
    before = len(sandbox.log.entries)
    audit(settings, MeetingsScope.of(int(meeting["id"])))
    log = sandbox.log.entries[before:]

    def first(path: str) -> LoggedRequest:
        return min((e for e in log if e.path == path), key=lambda e: e.order)

    def overlapped(one: str, other: str) -> bool:
        return other in first(one).beside or one in first(other).beside

    # The account is read beside the meeting, not after the meeting and its host.
    assert first("/v2/accounts/me/settings").order < first(f"/v2/users/{host}").order
    assert overlapped("/v2/accounts/me/settings", f"/v2/meetings/{meeting['id']}")
    # The host's record and its settings are read side by side.
    assert overlapped(f"/v2/users/{host}/settings", f"/v2/users/{host}")
