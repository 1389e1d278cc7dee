"""`serve --role web`: a webhook's re-audit is put on the work queue, not run in the web process."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from tests.queue.conftest import PATIENCE_SECONDS
from tests.service.conftest import SECRET, FakeRunner, FakeStore, event, running, signed
from zoomaudit.queue import jobs
from zoomaudit.service.app import create_service_app
from zoomaudit.settings import load_settings
from zoomaudit.store.queue_db import queue_conninfo


def _queued(url: str) -> list[tuple[str, str | None, dict[str, object]]]:
    with psycopg.connect(queue_conninfo(url)) as connection:
        rows = connection.execute(
            "SELECT task_name, lock, args FROM procrastinate_jobs ORDER BY id"
        ).fetchall()
    return [(str(name), lock, dict(args)) for name, lock, args in rows]


@pytest.mark.anyio
async def test_a_webhook_audit_is_queued_for_a_worker(queue_url: str) -> None:
    settings = load_settings(
        ZOOM_WEBHOOK_SECRET_TOKEN=SECRET, ZOOMAUDIT_PRE_SESSION="off", ZOOMAUDIT_DATABASE_URL=queue_url
    )
    runner = FakeRunner()
    app = create_service_app(
        settings,
        runner=runner,
        store=FakeStore(),
        start_scheduler=False,
        console=False,
        debounce=0.0,
        notifications=False,
        queue_mode=True,
    )
    async with running(app) as client:
        body, headers = signed(event("meeting.updated", {"id": 123456789}))
        answer = await client.post("/webhooks/zoom", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + PATIENCE_SECONDS
        while not await asyncio.to_thread(_queued, queue_url):
            assert time.monotonic() < deadline, "the webhook's audit was never queued"
            await asyncio.sleep(0.05)
    [(task, lock, args)] = _queued(queue_url)
    assert (task, lock) == (jobs.AUDIT, "zoom:default")
    assert args["trigger"] == "webhook"
    assert args["meeting_ids"] == [123456789]
    assert runner.calls == [], "the web process must not audit in queue mode"


@pytest.mark.anyio
async def test_with_several_accounts_a_webhook_audit_is_queued_for_the_account_it_names(
    queue_url: str,
) -> None:
    settings = load_settings(ZOOMAUDIT_PRE_SESSION="off", ZOOMAUDIT_DATABASE_URL=queue_url)
    accounts = {
        "riverside": load_settings(ZOOM_ACCOUNT_ID="RiverAcct1", ZOOM_WEBHOOK_SECRET_TOKEN="river-secret"),
        "hillside": load_settings(ZOOM_ACCOUNT_ID="HillAcct2", ZOOM_WEBHOOK_SECRET_TOKEN="hill-secret"),
    }
    app = create_service_app(
        settings,
        runner=FakeRunner(),
        store=FakeStore(),
        start_scheduler=False,
        console=False,
        debounce=0.0,
        notifications=False,
        queue_mode=True,
        accounts=accounts,
    )
    envelope = {
        "event": "meeting.updated",
        "event_ts": 1,
        "payload": {"account_id": "HillAcct2", "object": {"id": 123456789}},
    }
    async with running(app) as client:
        body, headers = signed(envelope, secret="hill-secret")
        answer = await client.post("/webhooks/zoom", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        deadline = time.monotonic() + PATIENCE_SECONDS
        while not await asyncio.to_thread(_queued, queue_url):
            assert time.monotonic() < deadline, "the webhook's audit was never queued"
            await asyncio.sleep(0.05)
    [(task, lock, args)] = _queued(queue_url)
    assert (task, lock) == (jobs.AUDIT, "zoom:hillside")
    assert args["account"] == "hillside"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
