"""The fix trail has one writer (store.trail), and it masks what it writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zoomaudit.fixes.queue import trail
from zoomaudit.redaction import MASK
from zoomaudit.store import Store
from zoomaudit.store.models import FixPlan

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
PASSCODE = "Kite2024x"


def _plan(store: Store) -> str:
    with store.session() as session:
        session.add(
            FixPlan(
                id="fx-1",
                policy_id="passcode",
                status="pending",
                target_level="meeting",
                target_id="111",
                host_id="u-alice",
                method="PATCH",
                path="/meetings/111",
                query={},
                body={"password": PASSCODE},
                before={"password": ""},
                meeting_ids=[111],
                dedupe_key="passcode:meeting:111",
                created_at=NOW,
            )
        )
    return "fx-1"


def test_a_transition_given_passcodes_stores_them_masked(store: Store) -> None:
    fix_id = _plan(store)
    later = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)
    assert store.fixes.transition(
        fix_id,
        from_statuses=["pending"],
        to_status="applied",
        actor="ann",
        at=later,
        before={"password": "", "meeting_security.phone_password": True},
        after={"password": PASSCODE, "meeting_security.phone_password": True},
    )
    [event] = trail(store, fix_id)
    assert event.at == later
    assert event.before == {"password": "", "meeting_security.phone_password": True}
    assert event.after == {"password": MASK, "meeting_security.phone_password": True}


def test_a_trail_event_needs_an_aware_time(store: Store) -> None:
    fix_id = _plan(store)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.fixes.transition(
            fix_id, from_statuses=["pending"], to_status="applied", actor="ann", at=NOW.replace(tzinfo=None)
        )
