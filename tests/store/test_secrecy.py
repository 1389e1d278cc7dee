"""The store never copies statement parameters (passcodes, password hashes) into error text or logs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import SQLAlchemyError

from zoomaudit.store import Store
from zoomaudit.store.models import FixPlan

PASSCODE = "Zq81736xK"


def _plan(fix_id: str, **fields: object) -> FixPlan:
    values: dict[str, object] = {
        "id": fix_id,
        "policy_id": "passcode",
        "status": "pending",
        "target_level": "meeting",
        "target_id": "1",
        "host_id": "u-1",
        "method": "PATCH",
        "path": "/meetings/1",
        "query": {},
        "body": {"password": PASSCODE},
        "before": {"password": PASSCODE},
        "meeting_ids": [1],
        "occurrence_id": None,
        "dedupe_key": "meeting:1:passcode",
        "created_at": datetime(2026, 11, 21, tzinfo=UTC),
    }
    values.update(fields)
    return FixPlan(**values)


def test_a_failed_statement_does_not_show_the_passcodes_it_carried(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # A plan pointing at a run that does not exist: the foreign key refuses the INSERT. A run's
    # error column, the service log and the console show ``str(exc)`` of such failures.
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # as if someone turned SQL logging on
    try:
        with pytest.raises(SQLAlchemyError) as raised, store.session() as session:
            session.add(_plan("fx-1", created_run_id="no-such-run"))
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.NOTSET)
    assert "INSERT INTO fix_plans" in str(raised.value)  # the error still says what failed
    assert PASSCODE not in str(raised.value)
    assert PASSCODE not in caplog.text
