"""Which runs keep their snapshot: the latest N complete runs, and the newest whole-account run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zoomaudit.store import Store

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def _run(store: Store, minutes: int, scope: str = "meetings", *, finish: bool = True) -> str:
    at = START + timedelta(minutes=minutes)
    run_id = store.start_run("manual", scope, {}, "h", at)  # type: ignore[arg-type]
    store.snapshots.add(run_id, 0, b"account")
    store.snapshots.add(run_id, 1, b"host")
    if finish:
        store.finish_run(run_id, complete=True, finished_at=at, counts={})
    return run_id


def test_the_latest_runs_and_the_newest_account_run_keep_their_snapshot(store: Store) -> None:
    nightly = _run(store, 0, "account")
    checks = [_run(store, 10 + i) for i in range(3)]
    running = _run(store, 20, finish=False)
    dropped = store.snapshots.keep_latest(2)
    assert dropped == [checks[0]]
    assert [store.snapshots.size(r)[0] for r in (nightly, *checks, running)] == [2, 0, 2, 2, 2]
    assert list(store.snapshots.chunks(checks[2])) == [b"account", b"host"]
    assert list(store.snapshots.chunks(checks[2], start=1, page=1)) == [b"host"]


def test_none_kept_with_zero(store: Store) -> None:
    run_id = _run(store, 0, "account")
    store.snapshots.keep_latest(0)
    assert store.snapshots.size(run_id) == (0, 0)


def test_pruning_a_run_deletes_its_snapshot_and_unlinks_its_rejudges(store: Store) -> None:
    old = _run(store, 0, "account")
    _run(store, 60 * 24 * 30, "account")  # newer: the old run may go
    rejudge = store.start_run("rejudge", "account", {}, "h", START + timedelta(days=31), rejudged_from=old)
    store.finish_run(rejudge, complete=True, finished_at=START + timedelta(days=31), counts={})
    result = store.retention.prune(START + timedelta(days=20), 10)
    assert result.runs == 1
    assert store.snapshots.size(old) == (0, 0)
    assert store.get_run(rejudge).rejudged_from is None
