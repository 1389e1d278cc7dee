"""The per-host meeting-update quota holds when several threads (or processes) reserve at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from zoomaudit.fixes.queue import quota_used, reserve_meeting_update
from zoomaudit.store import Store

from .conftest import HOST, NOW


def test_reservations_made_at_once_never_exceed_the_limit(store: Store) -> None:
    day = NOW.date()

    def reserve(_: int) -> bool:
        return reserve_meeting_update(store, HOST, day, limit=25)

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = list(pool.map(reserve, range(60)))
    assert granted.count(True) == 25
    assert quota_used(store, HOST, day) == 25


def test_a_zero_limit_grants_nothing_and_stores_nothing(store: Store) -> None:
    assert not reserve_meeting_update(store, HOST, NOW.date(), limit=0)
    assert quota_used(store, HOST, NOW.date()) == 0
