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


def test_violations_of_subjects_the_older_run_did_not_audit_are_not_new(store: Store) -> None:
    # audit --user alice, then an account-wide audit: bob's violations were never looked at before
    old = _run(store, 0, [finding(meeting_id=111, host_id="u-alice")], scope="user")
    new = _run(
        store,
        1,
        [finding(meeting_id=111, host_id="u-alice"), finding(meeting_id=222, host_id="u-bob")],
    )
    diff = store.diff(old, new)
    assert diff.new == []
    assert [f.meeting_id for f in diff.still_open] == [111]
    assert [f.meeting_id for f in diff.unchecked_new] == [222]


def test_a_narrower_newer_run_has_new_violations_only_where_the_older_run_looked(store: Store) -> None:
    old = _run(store, 0, [finding("pass", meeting_id=111)], scope="meetings")
    new = _run(store, 1, [finding(meeting_id=111), finding(**USER)], scope="user")
    diff = store.diff(old, new)
    assert ([f.meeting_id for f in diff.new], _keys(diff.unchecked_new)) == (
        [111],
        [("waiting-room", "user:u-alice", "")],
    )


def test_nothing_is_new_against_a_failed_run(store: Store) -> None:
    old = store.start_run("manual", "account", {}, "h", T0)
    store.finish_run(old, complete=False, finished_at=T0, counts={}, error="HTTP 401")
    new = _run(store, 1, [finding(**MEETING), finding(**USER), finding(**ACCOUNT)])
    diff = store.diff(old, new)
    assert (diff.new, len(diff.unchecked_new)) == ([], 3)


def test_old_violations_are_not_resolved_by_a_failed_run(store: Store) -> None:
    old = _run(store, 0, [finding(**MEETING)])
    new = store.start_run("manual", "account", {}, "h", T0 + timedelta(hours=1))
    store.finish_run(new, complete=False, finished_at=T0 + timedelta(hours=1), counts={}, error="HTTP 401")
    diff = store.diff(old, new)
    assert (diff.resolved, len(diff.unchecked)) == ([], 1)


def test_a_meeting_the_older_run_could_not_read_has_no_new_violations(store: Store) -> None:
    old = _run(store, 0, [], errors=[CollectError(meeting_id=111, message="HTTP 500")])
    new = _run(store, 1, [finding(**MEETING), finding(meeting_id=222)])
    diff = store.diff(old, new)
    assert ([f.meeting_id for f in diff.new], [f.meeting_id for f in diff.unchecked_new]) == ([222], [111])


def test_a_new_meeting_in_an_account_wide_run_is_new(store: Store) -> None:
    old = _run(store, 0, [finding("pass", meeting_id=111)])
    new = _run(store, 1, [finding("pass", meeting_id=111), finding(meeting_id=333)])
    assert [f.meeting_id for f in store.diff(old, new).new] == [333]


def test_the_default_pair_is_the_last_two_complete_runs_of_the_newest_scope(store: Store) -> None:
    def scoped(hours: int, kind: str, detail: dict[str, Any]) -> str:
        run_id = store.start_run("manual", kind, detail, "h", T0 + timedelta(hours=hours))  # type: ignore[arg-type]
        store.finish_run(run_id, complete=True, finished_at=T0 + timedelta(hours=hours), counts={})
        return run_id

    alice = {"meeting_ids": [], "users": ["alice@example.org"]}
    first = scoped(0, "account", {"meeting_ids": [], "users": []})
    scoped(1, "user", alice)
    second = scoped(2, "account", {"meeting_ids": [], "users": []})
    assert [r.id for r in store.last_complete_runs(2, same_scope=True)] == [second, first]
    bob = scoped(3, "user", {"meeting_ids": [], "users": ["bob@example.org"]})
    assert [r.id for r in store.last_complete_runs(2, same_scope=True)] == [bob]
    again = scoped(4, "user", {"meeting_ids": [], "users": ["BOB@example.org"]})
    assert [r.id for r in store.last_complete_runs(2, same_scope=True)] == [again, bob]
