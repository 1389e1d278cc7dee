"""Streamed reports (json, csv) are the very text the in-memory renderers give, in the same order."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

import pytest

from tests.report.conftest import findings
from zoomaudit.findings import Finding, Manual, Pass, Violation, Waived
from zoomaudit.report import render, write_report
from zoomaudit.report.common import finding_key
from zoomaudit.settings import load_settings
from zoomaudit.snapshot import CollectError
from zoomaudit.store import Store

STARTED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _stored(store: Store, stored: list[Finding], errors: list[CollectError] | None = None) -> str:
    run_id = store.start_run("manual", "account", {}, "hash", STARTED)
    store.add_findings(run_id, stored)
    store.add_errors(run_id, errors or [])
    store.finish_run(run_id, complete=not errors, finished_at=STARTED, counts={"violations": 1})
    return run_id


def _mixed(count: int, seed: int) -> list[Finding]:
    """Findings that exercise every term of the order: ties, missing meetings, occurrences,
    missing or empty e-mails, non-ASCII hosts, every status and severity."""
    rng = random.Random(seed)
    kinds = (Violation, Pass, Manual, Waived)
    out: list[Finding] = []
    for i in range(count):
        kind = rng.choice(kinds)
        extra = {"waiver_id": 1, "waiver_reason": "agreed"} if kind is Waived else {}
        out.append(
            kind(
                policy_id=rng.choice(["waiting-room", "passcode", "Passcode", "écran", "z"]),
                control=rng.choice(["waiting_room", "meeting_passcode", "screen_sharing"]),
                severity=rng.choice(["critical", "high", "medium", "low"]),
                meeting_id=rng.choice([None, 81234567890, 81234567891, 9_000_000_000 + i % 7]),
                occurrence_id=rng.choice([None, "1700000000000", "1600000000000"]),
                topic=f"meeting {i}",
                host_id=rng.choice([None, "", "u-b", "u-a"]),
                host_email=rng.choice([None, "", "zoë@example.org", "zoe@example.org", "Ann@example.org"]),
                actual=rng.choice([True, False, None]),
                expected=True,
                source=rng.choice(["meeting", "user", None]),
                message=f"m{i}",
                **extra,
            )
        )
    return out


@pytest.fixture
def store() -> Store:
    return Store.from_settings(load_settings())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_store_streams_findings_in_report_order(store: Store, seed: int) -> None:
    run_id = _stored(store, _mixed(400, seed))
    loaded = store.load_report(run_id, include_passed=True).findings
    streamed = list(store.iter_findings(run_id, include_passed=True, batch_size=37))
    assert streamed == sorted(loaded, key=finding_key)
    without = list(store.iter_findings(run_id))
    assert without == [f for f in streamed if f.status != "pass"]


@pytest.mark.parametrize("fmt", ["json", "csv", "table", "html"])
@pytest.mark.parametrize("include_passed", [True, False])
def test_a_written_report_is_the_rendered_one(store: Store, fmt: str, include_passed: bool) -> None:
    errors = [
        CollectError(meeting_id=85550009999, message="HTTP 500"),
        CollectError(user_id="u-x", message="gone"),
    ]
    run_id = _stored(store, findings() + _mixed(60, 9), errors)
    written = io.StringIO()
    write_report(store, "latest", fmt, written, include_passed=include_passed)
    rendered = render(store.load_report(run_id, include_passed=include_passed or fmt == "html"), fmt)
    assert written.getvalue() == (rendered if rendered.endswith("\n") else rendered + "\n")
