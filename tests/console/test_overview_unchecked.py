"""The overview's "since the previous run" counts and lists what neither run could compare: nothing
the diff holds is left off the page."""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime, timedelta

import httpx2
import pytest

from zoomaudit.findings import Finding
from zoomaudit.service.console import data
from zoomaudit.snapshot import CollectError
from zoomaudit.store import Store

from .conftest import NOW, login, passed, seed_run, violation

pytestmark = pytest.mark.anyio

BOB = {"host_id": "u-bob", "host_email": "bob@example.org"}
CAROL = {"host_id": "u-carol", "host_email": "carol@example.org"}


def seed_incomplete_run(store: Store, findings: list[Finding], *, at: datetime, unread: str) -> None:
    """A whole-account run that could not read the user ``unread``."""
    run_id = store.start_run("manual", "account", {}, "h", at)
    store.add_findings(run_id, findings)
    store.add_errors(run_id, [CollectError(user_id=unread, message="HTTP 500 after retries")])
    counts = {"violations": sum(f.status == "violation" for f in findings), "meetings": 4, "users": 2}
    store.finish_run(run_id, complete=False, finished_at=at + timedelta(seconds=5), counts=counts)


def seed_two_runs(store: Store) -> None:
    """The older run could not read Bob; the newer one could not read Carol."""
    seed_incomplete_run(
        store,
        [
            violation(1001, "waiting-room"),
            violation(1002, "waiting-room"),
            violation(3001, "waiting-room", topic="Carol's club", **CAROL),
        ],
        at=NOW - timedelta(days=1),
        unread="u-bob",
    )
    seed_incomplete_run(
        store,
        [
            violation(1001, "waiting-room"),
            passed(1002, "waiting-room"),
            violation(1004, "waiting-room", topic="Newly open"),
            violation(2001, "waiting-room", topic="Bob's drop-in", **BOB),
            violation(2002, "passcode", control="passcode", topic="Bob's mentoring", **BOB),
        ],
        at=NOW,
        unread="u-carol",
    )


def test_the_overview_data_carries_the_unchecked_violations(store: Store) -> None:
    seed_two_runs(store)
    diff = data.overview(store).diff
    assert diff is not None
    assert [f.meeting_id for f in diff.new] == [1004]
    assert [f.meeting_id for f in diff.resolved] == [1002]
    assert [f.meeting_id for f in diff.unchecked] == [3001]
    assert sorted(f.meeting_id or 0 for f in diff.unchecked_new) == [2001, 2002]


async def test_the_overview_counts_and_lists_violations_outside_the_older_runs_scope(
    client: httpx2.AsyncClient, store: Store
) -> None:
    seed_two_runs(store)
    await login(client)
    page = (await client.get("/")).text
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", page))
    text = re.sub(r"\s+", " ", text)

    assert "1 new, 1 resolved, 1 still open, 1 not checked again, 2 not in the older run's scope." in text
    since = text[text.index("Since the previous run") :]
    assert "Not in the older run's scope (2)" in since
    assert "not counted as new" in since
    assert "Not checked again (1)" in since
    assert "not counted as resolved" in since
    for topic in ("Bob's drop-in", "Bob's mentoring", "Carol's club", "Newly open"):
        assert topic in since
    for meeting_id in (2001, 2002, 3001):
        assert f'href="/meetings/{meeting_id}"' in page


async def test_no_unchecked_sections_when_both_runs_read_everything(
    client: httpx2.AsyncClient, store: Store
) -> None:
    seed_run(store, [violation(1001, "waiting-room")], at=NOW - timedelta(days=1))
    seed_run(store, [violation(1001, "waiting-room"), violation(1002, "waiting-room")])
    await login(client)
    text = htmllib.unescape((await client.get("/")).text)

    assert re.search(
        r"<strong>1</strong> new, <strong>0</strong> resolved,\s*<strong>1</strong> still open\.", text
    )
    assert "older run's scope" not in text
    assert "Not checked again" not in text
