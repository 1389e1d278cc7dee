"""Batches committed by a second process (``Store.batch_sink`` on a SQLite file) are stored as the
Store itself stores them, and every way it can fail is a StoreError that loses nothing committed."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.store.conftest import T0, finding
from zoomaudit.errors import StoreError
from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store import Store
from zoomaudit.store.writer_process import ProcessWriter


def _batches() -> list[tuple[list[Finding], list[CollectError]]]:
    out = []
    for b in range(7):
        findings = [
            finding(
                status,
                policy=f"policy-{i % 5}",
                meeting_id=81234567000 + b * 100 + i,
                topic=f"Séance {b}/{i}",
                actual={"nested": [i, 1.5, None]} if i % 3 else "text",
                start_time=T0,
                duration=45,
            )
            for i, status in enumerate(["violation", "pass", "manual", "pass", "error"] * 4)
        ]
        errors = (
            [CollectError(meeting_id=81234567999, message=f"HTTP 500 in batch {b}")] if b % 3 == 0 else []
        )
        out.append((findings, errors))
    return out


def _stored(store: Store, run_id: str) -> tuple[list[Finding], list[CollectError]]:
    report = store.load_report(run_id, include_passed=True)
    return report.findings, report.errors


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'store.db'}")


def test_a_sqlite_file_gets_a_writer_process_that_stores_what_the_store_would(store: Store) -> None:
    inline = store.start_run("manual", "account", {}, "h", T0)
    offloaded = store.start_run("manual", "account", {}, "h", T0)
    for findings, errors in _batches():
        store.add_batch(inline, findings, errors)
    with store.batch_sink() as sink:
        assert isinstance(sink, ProcessWriter)
        for findings, errors in _batches():
            assert sink.add_batch(offloaded, findings, errors) == len(findings)
    assert _stored(store, offloaded) == _stored(store, inline)
    assert len(_stored(store, offloaded)[0]) == 7 * 20


def test_an_in_memory_database_is_written_inline() -> None:
    with Store("sqlite://") as memory, memory.batch_sink() as sink:
        assert sink is memory


def test_a_run_that_is_no_longer_running_is_refused(store: Store) -> None:
    run_id = store.start_run("manual", "account", {}, "h", T0)
    findings, errors = _batches()[0]
    refused = f"run {run_id} does not exist or is no longer running"
    with store.batch_sink() as sink:
        sink.add_batch(run_id, findings, errors)
    store.finish_run(run_id, complete=True, finished_at=T0, counts={})
    with pytest.raises(StoreError, match=refused), store.batch_sink() as sink:
        sink.add_batch(run_id, findings, errors)
    assert len(_stored(store, run_id)[0]) == len(findings), "the batch committed before stays"


def test_a_writer_process_that_dies_is_a_store_error_and_keeps_what_it_committed(store: Store) -> None:
    run_id = store.start_run("manual", "account", {}, "h", T0)
    findings, errors = _batches()[1]
    writer = ProcessWriter(str(store.url.removeprefix("sqlite:///")), store._engine.dialect)
    writer.add_batch(run_id, findings, errors)
    writer.close(raise_failure=False)  # let it commit, then a second writer is killed
    killed = ProcessWriter(str(store.url.removeprefix("sqlite:///")), store._engine.dialect)
    os.kill(killed._proc.pid, signal.SIGKILL)
    killed._proc.wait()

    def send_until_refused() -> None:
        for _ in range(5):
            killed.add_batch(run_id, findings, errors)

    with pytest.raises(StoreError, match="the process storing the run's findings stopped"):
        send_until_refused()
    killed.close(raise_failure=False)
    assert len(_stored(store, run_id)[0]) == len(findings)


def test_the_callers_error_wins_and_the_batches_sent_are_kept(store: Store) -> None:
    run_id = store.start_run("manual", "account", {}, "h", T0)
    batches = _batches()

    def judge_and_break() -> None:
        with store.batch_sink() as sink:
            for findings, errors in batches[:3]:
                sink.add_batch(run_id, findings, errors)
            raise KeyError("judging broke")

    with pytest.raises(KeyError, match="judging broke"):
        judge_and_break()
    assert len(_stored(store, run_id)[0]) == 3 * 20


def test_postgresql_is_written_inline(db_url: str) -> None:
    with Store(db_url) as opened, opened.batch_sink() as sink:
        assert isinstance(sink, ProcessWriter) == db_url.startswith("sqlite")


def test_ctrl_c_leaves_the_writer_to_commit_what_it_was_sent(store: Store) -> None:
    run_id = store.start_run("manual", "account", {}, "h", T0)
    batches = _batches()
    with store.batch_sink() as sink:
        assert isinstance(sink, ProcessWriter)
        for findings, errors in batches[:3]:  # the third waits for a reply: the child is up
            sink.add_batch(run_id, findings, errors)
        os.kill(sink._proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the group
        for findings, errors in batches[3:6]:
            sink.add_batch(run_id, findings, errors)
    assert len(_stored(store, run_id)[0]) == 6 * 20


def _wal_frames(db: Path) -> tuple[int, int]:
    """(frames in the WAL, frames copied back to the database) from the WAL index's header:
    ``mxFrame`` at byte 16 of the header, ``nBackfill`` at byte 96 (SQLite's walIndexHdr and
    WalCkptInfo, native byte order)."""
    shm = Path(f"{db}-shm").read_bytes()
    return int.from_bytes(shm[16:20], sys.byteorder), int.from_bytes(shm[96:100], sys.byteorder)


def test_the_writer_checkpoints_the_wal_once_after_its_last_commit(store: Store, tmp_path: Path) -> None:
    run = store.start_run("manual", "account", {}, "h", T0)
    with store.batch_sink() as sink:
        assert isinstance(sink, ProcessWriter)
        for findings, errors in _batches():
            sink.add_batch(run, findings, errors)
        written, copied = _wal_frames(tmp_path / "store.db")
        # No automatic checkpoint while it writes: its commits wait in the WAL.
        assert written > copied
    # close() returns once every batch is committed; the checkpoint follows in the child.
    assert sink._proc.wait(timeout=30) == 0
    written, copied = _wal_frames(tmp_path / "store.db")
    assert written == copied > 0
    assert len(_stored(store, run)[0]) == 7 * 20
