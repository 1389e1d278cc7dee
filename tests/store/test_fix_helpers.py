"""The store's compare-and-set for fix plans: two approvals at once apply a fix once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import select, update

from zoomaudit.store import Store
from zoomaudit.store.models import FixEvent, FixPlan

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _plan(store: Store) -> str:
    with store.session() as session:
        session.add(
            FixPlan(
                id="fx-1",
                policy_id="waiting-room",
                status="pending",
                target_level="meeting",
                target_id="111",
                host_id="u-alice",
                method="PATCH",
                path="/meetings/111",
                query={},
                body={"settings": {"waiting_room": True}},
                before={"settings": {"waiting_room": False}},
                meeting_ids=[111],
                dedupe_key="waiting-room:meeting:111",
                created_at=NOW,
            )
        )
    return "fx-1"


def test_two_concurrent_approvals_claim_the_plan_once(store: Store) -> None:
    fix_id = _plan(store)
    results: list[bool] = []
    barrier = threading.Barrier(2)

    def approve(name: str) -> None:
        barrier.wait()
        results.append(
            store.fixes.transition(
                fix_id, from_statuses=["pending"], to_status="approved", actor=name, at=NOW, decided_by=name
            )
        )

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("ann", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    with store.read_session() as session:
        plan = session.get(FixPlan, fix_id)
        events = session.scalars(select(FixEvent).where(FixEvent.fix_id == fix_id)).all()
    assert plan is not None
    assert (plan.status, plan.version) == ("approved", 2)
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("pending", "approved", plan.decided_by)
    ]


def test_a_stale_orm_copy_cannot_overwrite_a_newer_version(store: Store) -> None:
    import pytest
    from sqlalchemy.orm.exc import StaleDataError

    fix_id = _plan(store)
    with store.read_session() as session:
        stale = session.get(FixPlan, fix_id)  # read by one admin ...
    assert stale is not None
    with store.session() as session:  # ... while another approves (bumping the version)
        session.execute(update(FixPlan).where(FixPlan.id == fix_id).values(version=FixPlan.version + 1))
    with store.session() as session:
        session.add(stale)
        stale.status = "rejected"  # a write based on version 1 must fail
        with pytest.raises(StaleDataError):
            session.flush()
        session.rollback()
