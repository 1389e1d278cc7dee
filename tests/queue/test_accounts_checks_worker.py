"""A worker with an accounts file runs each account's pre-session check and deferred-fix retry on
that account's own Zoom: the retry of riverside applies riverside's deferred fix only, and the
check of hillside's meeting audits hillside's Zoom only and is stored under hillside. A real
worker process, a real PostgreSQL, two sandboxes over loopback with the same meeting ids.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.queue.conftest import eventually
from tests.queue.test_accounts_worker import FAST_QUEUE, SETTLED
from tests.several_accounts import TwoAccounts, two_sandboxes, write_accounts_file
from zoomaudit.fixes.queue import get_fix, list_fixes
from zoomaudit.queue.app import make_app
from zoomaudit.queue.enqueue import JobQueue
from zoomaudit.queue.jobs import every_account
from zoomaudit.runner import run
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import load_settings
from zoomaudit.store import Store
from zoomaudit.store.queue_db import queue_conninfo
from zoomaudit.vocabulary import MeetingsScope
from zoomaudit.zoom.client import ZoomClient

MEETING = 90000000026
"""A scheduled meeting in both sandboxes (tests/service/test_presession_accounts.py says why)."""


def _accounts(folder: Path, riverside: RunningSandbox, hillside: RunningSandbox) -> TwoAccounts:
    accounts = write_accounts_file(folder, riverside, hillside, pre_session=("60", "45"))
    # hillside's host of MEETING is in both groups: "Youth workers" first leaves its waiting room
    # to the meeting (hillside is the file's last entry; its key is appended).
    with accounts.file.open("a", encoding="utf-8") as file:
        file.write("    group_priority: [Youth workers, Counsellors]\n")
    policies = folder / "policies"
    policies.mkdir()
    (policies / "waiting.yaml").write_text(
        "policies:\n"
        "  - id: waiting-room\n"
        "    title: Everyone waits to be let in\n"
        "    severity: high\n"
        "    control: waiting_room\n"
        "    expect: {equals: true}\n"
        "    rationale: Strangers must not reach the participants unseen.\n"
        "    fix: {mode: suggest, tier: meeting, value: true}\n",
        encoding="utf-8",
    )
    return accounts


async def _prepare(queue_url: str, start: datetime) -> dict[str, str]:
    """Each account's MEETING starts at ``start`` with its waiting room off; an audit of each
    suggests the fix, which Zoom's per-host quota then defers. Returns each account's fix id."""
    settings_for = every_account(load_settings())
    store = Store(queue_url)
    deferred = {}
    try:
        for name in ("riverside", "hillside"):
            settings = settings_for(name)
            async with ZoomClient(settings) as client:
                # A passcode: without one the account's auto_security turns the waiting room back on.
                await client.update_meeting(
                    MEETING,
                    {
                        "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "password": "k7Rq2w",
                        "settings": {"waiting_room": False},
                    },
                )
                await run(
                    MeetingsScope.of(MEETING),
                    "manual",
                    settings=settings,
                    store=store,
                    client=client,
                    account=name,
                )
            [fix] = list_fixes(store, account=name)
            assert store.fixes.transition(
                fix.id, from_statuses=("pending",), to_status="deferred", actor="test", at=datetime.now(UTC)
            )
            deferred[name] = fix.id
    finally:
        store.close()
    return deferred


async def _enqueue(queue_url: str, start: datetime) -> dict[str, int]:
    async with make_app(queue_url).open_async() as app:
        queue = JobQueue(app)
        retry = await queue.apply_fixes("riverside", None, actor="zoomaudit:deferred")
        check = await queue.pre_session("hillside", MEETING, None, start.isoformat(), None, 45)
    assert retry is not None
    assert check is not None
    return {"retry": retry, "check": check}


def _statuses(url: str, ids: dict[str, int]) -> dict[str, str]:
    with psycopg.connect(queue_conninfo(url)) as connection:
        rows = connection.execute(
            "SELECT id, status FROM procrastinate_jobs WHERE id = ANY(%s)", (list(ids.values()),)
        ).fetchall()
    by_id = {row[0]: str(row[1]) for row in rows}
    return {what: by_id[job_id] for what, job_id in ids.items()}


def test_a_worker_runs_each_accounts_check_and_deferred_fixes_on_that_accounts_zoom(
    queue_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    with two_sandboxes() as (riverside, hillside):
        accounts = _accounts(tmp_path, riverside, hillside)
        env: dict[str, str] = {
            **accounts.environ,
            "ZOOMAUDIT_ACCOUNTS": str(accounts.file),
            "ZOOMAUDIT_DATABASE_URL": queue_url,
            "ZOOMAUDIT_POLICIES": str(tmp_path / "policies"),
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        deferred = asyncio.run(_prepare(queue_url, start))
        riverside_seen, hillside_seen = len(riverside.log.entries), len(hillside.log.entries)
        ids = asyncio.run(_enqueue(queue_url, start))

        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "zoomaudit", "worker", "--concurrency", "2"],
                env={**os.environ, **env, **FAST_QUEUE},
                cwd=tmp_path,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            statuses = eventually(
                lambda: (lambda seen: seen if all(s in SETTLED for s in seen.values()) else None)(
                    _statuses(queue_url, ids)
                ),
                "the worker to settle the retry and the check",
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        text = log.read_text(errors="replace")
        assert statuses == {"retry": "succeeded", "check": "succeeded"}, text[-3000:]
        riverside_new: list[Any] = riverside.log.entries[riverside_seen:]
        hillside_new: list[Any] = hillside.log.entries[hillside_seen:]

    # riverside's retry: its own fix, on its own Zoom; hillside's deferred fix waits for its own.
    assert [(e.method, e.path) for e in riverside_new if e.method == "PATCH"] == [
        ("PATCH", f"/v2/meetings/{MEETING}")
    ]
    assert not any(e.method == "PATCH" for e in hillside_new)
    # hillside's check audited hillside's Zoom (the host's settings too); riverside's was not audited.
    assert any(e.path.startswith("/v2/users/") for e in hillside_new)
    assert not any(e.path.startswith("/v2/users") for e in riverside_new)
    store = Store(queue_url)
    try:
        assert get_fix(store, deferred["riverside"]).status == "applied"
        assert get_fix(store, deferred["hillside"]).status == "deferred"
        [check] = store.pre_session.recent(account="hillside")
        assert (check.meeting_id, check.lead_minutes, check.outcome) == (MEETING, 45, "violations")
        assert store.pre_session.recent(account="riverside") == []
        assert store.get_run(check.run_id).account == "hillside"
    finally:
        store.close()
