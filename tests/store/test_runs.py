"""A run's life in the store: start, batches of findings and errors, finish, or die half way."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from zoomaudit.errors import StoreError, UsageError
from zoomaudit.findings import Finding
from zoomaudit.settings import Settings
from zoomaudit.snapshot import CollectError
from zoomaudit.store import PolicyInfo, Store
from zoomaudit.store.models import Run

from .conftest import T0, finding, sqlite_only

COUNTS = {"meetings": 2, "users": 1, "violations": 1, "errors": 0, "waived": 1, "manual": 1, "passed": 1}


def _start(store: Store, at: datetime = T0, **kwargs: object) -> str:
    return store.start_run("manual", "account", {}, "hash-1", at, **kwargs)  # type: ignore[arg-type]


def _complete_run(store: Store, findings: list[Finding], at: datetime = T0, scope: str = "account") -> str:
    run_id = store.start_run("scheduled", scope, {}, "hash-1", at)  # type: ignore[arg-type]
    store.add_findings(run_id, findings)
    store.finish_run(run_id, complete=True, finished_at=at + timedelta(minutes=1), counts=COUNTS)
    return run_id


def test_a_new_run_is_running_incomplete_and_visible_at_once(store: Store) -> None:
    run_id = store.start_run("webhook", "meetings", {"meeting_ids": [81234567890]}, "hash-1", T0)
    run = store.get_run(run_id)
    assert run.status == "running"
    assert run.complete is False
    assert run.scope == "meetings"
    assert run.scope_detail == {"meeting_ids": [81234567890]}
    assert run.started_at == T0
    assert run_id.startswith("20261120-020000-")


def test_run_ids_sort_by_start_time(store: Store) -> None:
    first = _start(store, T0)
    second = _start(store, T0 + timedelta(seconds=1))
    assert first < second
    assert [r.id for r in store.list_runs()] == [second, first]


@pytest.mark.parametrize(
    ("complete", "error", "status"),
    [(True, None, "complete"), (False, None, "incomplete"), (False, "Zoom unavailable", "failed")],
)
def test_finishing_a_run_sets_its_status(
    store: Store, complete: bool, error: str | None, status: str
) -> None:
    run_id = _start(store)
    store.finish_run(
        run_id, complete=complete, finished_at=T0 + timedelta(minutes=3), counts=COUNTS, error=error
    )
    run = store.get_run(run_id)
    assert (run.status, run.complete, run.error) == (status, complete and not error, error)
    assert run.finished_at == T0 + timedelta(minutes=3)
    assert run.counts == COUNTS


def test_findings_round_trip_with_their_json_values(store: Store) -> None:
    findings = [
        finding("violation", actual={"enable": False, "types": ["a", "b"]}, expected={"equals": True}),
        finding("pass", policy="mute-on-entry", actual=True, expected=True, source="meeting"),
        finding("manual", policy="safe-word", actual=None, expected=None, source=None, message="ask"),
        finding("waived", policy="passcode", waiver_id=None, waiver_reason="public talk", locked=True),
        finding("error", policy="weird", actual=[1, 2.5, None], message="unexpected type"),
        finding("violation", occurrence_id="1700000000000", meeting_id=2**45, source="meeting"),
        finding("violation", policy="screen-share", meeting_id=None, topic=None, source="account_lock"),
        finding("violation", policy="cloud-recording", meeting_id=None, host_id=None, host_email=None),
    ]
    run_id = _start(store)
    assert store.add_findings(run_id, findings) == len(findings)
    report = store.load_report(run_id, include_passed=True)
    assert report.findings == findings
    assert [f.status for f in store.load_report(run_id).findings] == [
        f.status for f in findings if f.status != "pass"
    ]


def test_errors_round_trip(store: Store) -> None:
    errors = [
        CollectError(meeting_id=81234567890, message="HTTP 500 after 5 retries"),
        CollectError(user_id="u-bob", message="settings could not be read"),
    ]
    run_id = _start(store)
    store.add_errors(run_id, errors)
    assert store.load_report(run_id).errors == errors


def test_policy_titles_and_rationales_are_kept_with_the_run(store: Store) -> None:
    info = {
        "waiting-room": PolicyInfo(title="Everyone waits", rationale="Strangers are admitted one by one.")
    }
    run_id = _start(store, policies=info)
    assert store.load_report(run_id).policies == info


def test_a_finished_run_takes_no_more_findings(store: Store) -> None:
    run_id = _complete_run(store, [finding()])
    with pytest.raises(StoreError, match=run_id):
        store.add_findings(run_id, [finding()])
    with pytest.raises(StoreError, match="already complete"):
        store.finish_run(run_id, complete=True, finished_at=T0, counts=COUNTS)


def test_a_run_killed_half_way_is_abandoned_and_the_next_run_works(db_url: str) -> None:
    earlier = Store(db_url)
    complete_id = _complete_run(earlier, [finding()], at=T0)
    earlier.close()

    killed = Store(db_url)
    killed_id = _start(killed, T0 + timedelta(hours=1))
    killed.add_findings(killed_id, [finding(), finding("pass", policy="mute-on-entry")])
    killed.close()  # the process died here: no finish_run

    with Store(db_url) as store:
        assert store.get_run(killed_id).status == "running"
        assert store.abandon_stale_runs(datetime.now(UTC)) == [killed_id]
        abandoned = store.get_run(killed_id)
        assert (abandoned.status, abandoned.complete) == ("abandoned", False)
        next_id = _complete_run(store, [finding("pass")], at=T0 + timedelta(hours=2))

        assert [r.id for r in store.list_runs()] == [next_id, complete_id]
        assert killed_id in [r.id for r in store.list_runs(include_abandoned=True)]
        assert [r.id for r in store.last_complete_runs(2)] == [next_id, complete_id]
        diff = store.diff(complete_id, next_id)
        assert len(diff.resolved) == 1
        # What the killed run did write is still there, counted from the rows.
        summary = store.load_report(killed_id).summary
        assert (summary["violations"], summary["passed"], summary["meetings"]) == (1, 1, 1)


def test_a_live_run_of_this_process_is_not_abandoned(store: Store) -> None:
    run_id = _start(store)
    assert store.abandon_stale_runs(datetime.now(UTC) + timedelta(days=1)) == []
    assert store.get_run(run_id).status == "running"


@pytest.mark.parametrize(
    ("silent_for", "abandoned"), [(timedelta(minutes=5), False), (timedelta(hours=2), True)]
)
def test_a_run_of_another_machine_is_abandoned_only_after_a_long_silence(
    store: Store, silent_for: timedelta, abandoned: bool
) -> None:
    now = datetime.now(UTC)
    with store.session() as session:
        session.add(
            Run(
                id="20261120-000000-aaaa",
                trigger="scheduled",
                scope="account",
                scope_detail={},
                started_at=now - silent_for,
                status="running",
                complete=False,
                policy_hash="h",
                counts={},
                policies={},
                owner="another-host:4242:abcd",
                heartbeat_at=now - silent_for,
            )
        )
    assert store.abandon_stale_runs(now) == (["20261120-000000-aaaa"] if abandoned else [])


def test_runs_are_found_by_unique_prefix(store: Store) -> None:
    first = _start(store, T0)
    second = _start(store, T0 + timedelta(days=1))
    assert store.get_run(first[:10]).id == first
    assert store.get_run(second[:-2]).id == second
    with pytest.raises(UsageError, match="ambiguous") as ambiguous:
        store.get_run("2026112")
    assert first in str(ambiguous.value)
    with pytest.raises(UsageError, match="no run with id '1999'") as unknown:
        store.get_run("1999")
    assert unknown.value.exit_code == 2
    with pytest.raises(UsageError):
        store.get_run("20261120_%")  # LIKE wildcards are taken literally


def test_latest_names_the_newest_run(store: Store) -> None:
    with pytest.raises(UsageError, match="no runs yet"):
        store.get_run("latest")
    _start(store, T0)
    newest = _start(store, T0 + timedelta(hours=1))
    assert store.get_run("latest").id == newest


def test_two_threads_write_their_runs_at_once(store: Store) -> None:
    failures: list[BaseException] = []
    run_ids: list[str] = []

    def audit(host: str) -> None:
        try:
            run_id = store.start_run("scheduled", "account", {}, "h", datetime.now(UTC))
            run_ids.append(run_id)
            for batch in range(20):
                store.add_findings(
                    run_id, [finding(host_id=host, meeting_id=batch * 100 + i) for i in range(10)]
                )
                store.add_errors(run_id, [CollectError(user_id=host, message=f"batch {batch}")])
            store.finish_run(run_id, complete=True, finished_at=datetime.now(UTC), counts=COUNTS)
        except BaseException as exc:  # collected and asserted on below
            failures.append(exc)

    threads = [threading.Thread(target=audit, args=(f"u-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for run_id in run_ids:
        report = store.load_report(run_id)
        assert report.run.status == "complete"
        assert len(report.findings) == 200
        assert len(report.errors) == 20


def test_two_stores_on_one_file_write_at_once(db_url: str) -> None:
    failures: list[BaseException] = []
    stores = [Store(db_url), Store(db_url)]

    def audit(store: Store) -> None:
        try:
            run_id = _start(store, datetime.now(UTC))
            for _ in range(20):
                store.add_findings(run_id, [finding() for _ in range(5)])
            store.finish_run(run_id, complete=True, finished_at=datetime.now(UTC), counts=COUNTS)
        except BaseException as exc:  # collected and asserted on below
            failures.append(exc)

    threads = [threading.Thread(target=audit, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(stores[0].last_complete_runs(5)) == 2
    for store in stores:
        store.close()


def test_a_naive_timestamp_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _start(store, datetime(2026, 11, 20, 2, 0))


def test_the_database_never_holds_the_zoom_secret(db_url: str) -> None:
    sqlite_only(db_url)
    settings = Settings(
        ZOOMAUDIT_DATABASE_URL=db_url,
        ZOOM_CLIENT_SECRET="s3cr3t-client-value",
    )
    with Store.from_settings(settings) as store:
        _complete_run(store, [finding()])
    from pathlib import Path

    data = b"".join(p.read_bytes() for p in Path(db_url.removeprefix("sqlite:///")).parent.glob("store.db*"))
    assert b"s3cr3t-client-value" not in data


@pytest.mark.parametrize(
    ("control", "actual", "stored"),
    [
        ("meeting_passcode", "Xy7!kq9", "********"),
        ("passcode_strength", {"password": "123456", "length": 6}, {"password": "********", "length": 6}),
        (
            "passcode_strength",
            {"length": 6, "unmet": ["have_letter"]},
            {"length": 6, "unmet": ["have_letter"]},
        ),
        (
            "waiting_room",
            {"settings": {"encrypted_password": "abc"}},
            {"settings": {"encrypted_password": "********"}},
        ),
        ("meeting_passcode", True, True),
        ("waiting_room", "Youth group", "Youth group"),
    ],
)
def test_passcodes_in_actual_values_are_masked(
    store: Store, control: str, actual: object, stored: object
) -> None:
    run_id = _start(store)
    store.add_findings(run_id, [finding(control=control, actual=actual)])
    assert store.load_report(run_id).findings[0].actual == stored
