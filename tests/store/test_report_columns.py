"""The streamed JSON report reads finding columns as stored (``Store.iter_finding_columns``):
its JSON values are copied, not decoded and encoded again, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io

import pytest

from tests.store.conftest import T0
from zoomaudit.findings import Finding, Violation
from zoomaudit.report import render, write_report
from zoomaudit.store import Store


@pytest.mark.parametrize("schema_version", [1, 2])
def test_stored_json_values_are_written_as_the_report_writes_them(store: Store, schema_version: int) -> None:
    """The streamed JSON report copies a finding's stored ``actual``/``expected`` JSON: text the
    store wrote with escapes (non-ASCII, control characters) or with nesting and floats must
    still come out as the in-memory renderer writes it."""
    odd: list[Finding] = [
        Violation(
            policy_id="p",
            control="waiting_room",
            severity="high",
            meeting_id=81234567890 + i,
            topic="Séance d'écoute",
            host_email="zoë@example.org",
            actual=actual,
            expected=expected,
            source="meeting",
            message="ünïcode",
        )
        for i, (actual, expected) in enumerate(
            [
                ({"admit": "everyone", "names": ["Zoë", "李"]}, {"one_of": ["host", "off"]}),
                ([1.5, 0.1, None, True, 10**20], "tab\there\x00nul"),
                ("\u2028line separator", None),
                (None, {"nested": {"deep": [[], {}]}}),
            ]
        )
    ]
    # Every scalar column in each of its shapes: quotes, backslashes, line breaks and control
    # characters in text, None where a column may be empty, True, a start time, a duration.
    odd.append(
        Violation(
            policy_id='quote"back\\slash',
            control="screen_share_lock",
            severity="critical",
            meeting_id=None,
            occurrence_id="1700000000000",
            topic='line\nbreak\r\x1f"\u2029',
            host_id=None,
            host_email=None,
            actual=False,
            expected=True,
            source=None,
            locked=True,
            message="",
            fix_id="fix-1",
            start_time=T0,
            duration=0,
        )
    )
    run_id = store.start_run("manual", "account", {}, "hash", T0)
    store.add_findings(run_id, odd)
    store.finish_run(run_id, complete=True, finished_at=T0, counts={"violations": len(odd)})
    written = io.StringIO()
    write_report(store, "latest", "json", written, schema_version=schema_version)
    rendered = render(store.load_report(run_id), "json", schema_version=schema_version)
    assert written.getvalue() == rendered + ("" if rendered.endswith("\n") else "\n")
    assert "Zoë" in written.getvalue()
    assert "\\u00eb" not in written.getvalue()
