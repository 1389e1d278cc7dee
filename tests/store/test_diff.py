"""Diffs between runs match findings by identity: (policy, meeting, occurrence) or (policy, user/account)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store import Store

from .conftest import T0, finding


def _run(
    store: Store, at_hours: int, findings: list[Finding], *, scope: str = "account", errors: Any = ()
) -> str:
    run_id = store.start_run("scheduled", scope, {}, "h", T0 + timedelta(hours=at_hours))  # type: ignore[arg-type]
    store.add_findings(run_id, findings)
    store.add_errors(run_id, errors)
    store.finish_run(
        run_id, complete=not errors, finished_at=T0 + timedelta(hours=at_hours, minutes=5), counts={}
    )
    return run_id


def _keys(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return sorted(f.identity for f in findings)


MEETING: dict[str, Any] = {"meeting_id": 111}
OCCURRENCE: dict[str, Any] = {"meeting_id": 111, "occurrence_id": "1700000000000"}
USER: dict[str, Any] = {"meeting_id": None, "host_id": "u-alice"}
ACCOUNT: dict[str, Any] = {"meeting_id": None, "host_id": None, "host_email": None}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # the same violation in both runs, even when its details changed
        ([finding(**MEETING)], [finding(**MEETING, actual="other", source="meeting")], "still_open"),
        ([finding(**USER)], [finding(**USER)], "still_open"),
        ([finding(**ACCOUNT)], [finding(**ACCOUNT)], "still_open"),
        ([finding(**OCCURRENCE)], [finding(**OCCURRENCE)], "still_open"),
        # fixed: the subject passes now
        ([finding(**MEETING)], [finding("pass", **MEETING)], "resolved"),
        ([finding(**USER)], [finding("pass", **USER)], "resolved"),
        # waived is no longer an open violation
        ([finding(**MEETING)], [finding("waived", **MEETING)], "resolved"),
        # deleted meeting in an account-wide run: nothing left to fix
        ([finding(**MEETING)], [], "resolved"),
        # a new violation
        ([finding("pass", **MEETING)], [finding(**MEETING)], "new"),
        ([], [finding(**ACCOUNT)], "new"),
    ],
)
def test_violations_are_matched_by_identity(
    store: Store, old: list[Finding], new: list[Finding], expected: str
) -> None:
    diff = store.diff(_run(store, 0, old), _run(store, 1, new))
    groups = {"new": diff.new, "resolved": diff.resolved, "still_open": diff.still_open}
    assert {name: len(found) for name, found in groups.items() if found} == {expected: 1}


def test_an_occurrence_is_a_different_finding_from_its_meeting(store: Store) -> None:
    diff = store.diff(_run(store, 0, [finding(**MEETING)]), _run(store, 1, [finding(**OCCURRENCE)]))
    assert _keys(diff.new) == [("waiting-room", "meeting:111", "1700000000000")]
    assert _keys(diff.resolved) == [("waiting-room", "meeting:111", "")]


def test_a_policy_is_part_of_the_identity(store: Store) -> None:
    diff = store.diff(
        _run(store, 0, [finding(policy="waiting-room", **MEETING)]),
        _run(store, 1, [finding(policy="passcode", **MEETING)]),
    )
    assert (len(diff.new), len(diff.resolved), len(diff.still_open)) == (1, 1, 0)


def test_meetings_a_narrower_run_did_not_audit_are_unchecked_not_resolved(store: Store) -> None:
    old = _run(store, 0, [finding(meeting_id=111), finding(meeting_id=222)])
    new = _run(store, 1, [finding("pass", meeting_id=111)], scope="meetings")
    diff = store.diff(old, new)
    assert [f.meeting_id for f in diff.resolved] == [111]
    assert [f.meeting_id for f in diff.unchecked] == [222]


def test_a_meeting_that_could_not_be_read_is_unchecked_not_resolved(store: Store) -> None:
    old = _run(store, 0, [finding(meeting_id=111)])
    new = _run(store, 1, [], errors=[CollectError(meeting_id=111, message="HTTP 500")])
    diff = store.diff(old, new)
    assert (diff.resolved, [f.meeting_id for f in diff.unchecked]) == ([], [111])


def test_still_open_reports_the_newer_finding(store: Store) -> None:
    old = _run(store, 0, [finding(**MEETING, actual="old")])
    new = _run(store, 1, [finding(**MEETING, actual="new")])
    diff = store.diff(old[:12], new)
    assert [f.actual for f in diff.still_open] == ["new"]
    assert (diff.old_run.id, diff.new_run.id) == (old, new)


def test_meetings_of_a_host_whose_settings_could_not_be_read_are_unchecked(store: Store) -> None:
    old = _run(
        store, 0, [finding(meeting_id=111, host_id="u-alice"), finding(meeting_id=222, host_id="u-bob")]
    )
    new = _run(store, 1, [], errors=[CollectError(user_id="u-alice", message="HTTP 500")])
    diff = store.diff(old, new)
    assert [f.meeting_id for f in diff.unchecked] == [111]
    assert [f.meeting_id for f in diff.resolved] == [222]
