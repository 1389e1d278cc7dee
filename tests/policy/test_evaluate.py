"""The pure evaluator: which policies apply, what each finding says, and the operator table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from zoomaudit.findings import Finding
from zoomaudit.policy import PolicySet, evaluate_batch, evaluate_subject
from zoomaudit.policy.load import load_dir
from zoomaudit.policy.operators import OPERATORS, compile_expectation

from .conftest import HOST_EMAIL, HOST_ID, account, batch, group, host, meeting, subject, write


def policy_set(tmp_path: Path, control: str, expect: str, applies_to: str = "", **extra: str) -> PolicySet:
    lines = [
        "- id: p",
        "  title: P",
        "  severity: high",
        f"  control: {control}",
        f"  expect: {expect}",
        "  rationale: because",
    ]
    if applies_to:
        lines.append(f"  applies_to: {applies_to}")
    lines += [f"  {key}: {value}" for key, value in extra.items()]
    write(tmp_path, "p.yaml", "\n".join(lines) + "\n")
    return load_dir(tmp_path)


def test_a_violation_says_what_where_and_why(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "waiting_room", "{equals: true}")
    the_host = host({"in_meeting": {"waiting_room": False}})
    [finding] = evaluate_batch(policies, account(), batch(the_host, subject(77, {}, topic="Youth club")))
    assert finding.status == "violation"
    assert (finding.policy_id, finding.control, finding.severity) == ("p", "waiting_room", "high")
    assert (finding.meeting_id, finding.topic, finding.host_id, finding.host_email) == (
        77,
        "Youth club",
        HOST_ID,
        HOST_EMAIL,
    )
    assert (finding.actual, finding.expected, finding.source, finding.locked) == (
        False,
        {"equals": True},
        "user",
        False,
    )
    assert finding.message.startswith(
        "waiting room is off, decided by the host's user settings (in_meeting.waiting_room)"
    )


def test_every_field_that_names_the_session_is_filled(tmp_path: Path) -> None:
    # Findings are copies of a verdict shared by the host's meetings, with the session's own
    # fields written over it: none of them may be left at the verdict's None.
    from datetime import UTC, datetime

    from zoomaudit.snapshot import Subject

    policies = policy_set(tmp_path, "waiting_room", "{equals: true}")
    session = Subject(
        meeting=meeting(5, {}, topic="Drop-in", host_email="lead@example.org", timezone="Europe/London"),
        occurrence_id="1700000000000",
        start_time=datetime(2026, 12, 7, 18, 0, tzinfo=UTC),
        duration=45,
    )
    [finding] = evaluate_batch(policies, account(), batch(host(), session))
    assert {
        name: getattr(finding, name)
        for name in ("meeting_id", "occurrence_id", "topic", "host_id", "host_email", "start_time")
    } == {
        "meeting_id": 5,
        "occurrence_id": "1700000000000",
        "topic": "Drop-in",
        "host_id": HOST_ID,
        "host_email": "lead@example.org",
        "start_time": datetime(2026, 12, 7, 18, 0, tzinfo=UTC),
    }
    assert (finding.duration, finding.timezone) == (45, "Europe/London")


def test_group_names_and_locks_appear_in_the_message(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "private_chat", "{equals: false}")
    acc = account(
        {},
        {},
        [
            group(
                "g1",
                "Youth workers",
                {"in_meeting": {"private_chat": True}},
                {"in_meeting": {"private_chat": True}},
            )
        ],
    )
    [finding] = evaluate_batch(policies, acc, batch(host(group_ids=("g1",)), subject()))
    assert (finding.source, finding.locked) == ("group_lock", True)
    assert "a lock on the host's group 'Youth workers' (in_meeting.private_chat)" in finding.message
    assert "locked" in finding.message


def test_findings_are_valid_report_objects(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "waiting_room", "{equals: true}")
    findings = evaluate_batch(
        policies, account(), batch(host(), subject(1, {"waiting_room": True}), subject(2, {}))
    )
    adapter: TypeAdapter[Any] = TypeAdapter(Finding)
    for finding in findings:
        dumped = finding.model_dump(mode="json")
        assert adapter.validate_python(dumped) == finding
    assert [f.status for f in findings] == ["pass", "violation"]


def test_evaluation_is_pure_and_repeatable(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "join_before_host", "{equals: false}")
    the_batch = batch(host(), subject(1, {"join_before_host": True}), subject(2, {}))
    assert evaluate_batch(policies, account(), the_batch) == evaluate_batch(policies, account(), the_batch)


def test_occurrences_are_judged_on_their_own(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "mute_upon_entry", "{equals: true}")
    the_batch = batch(
        host(),
        subject(5, {"mute_upon_entry": True}, occurrence_id="o1", type=8),
        subject(5, {"mute_upon_entry": False}, occurrence_id="o2", type=8),
    )
    findings = evaluate_batch(policies, account(), the_batch)
    assert [(f.occurrence_id, f.status) for f in findings] == [("o1", "pass"), ("o2", "violation")]


def test_unknown_value_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "private_chat", "{equals: false}")
    [finding] = evaluate_batch(policies, account(), batch(host(), subject()))
    assert finding.status == "error"
    assert finding.source is None
    assert "cannot be judged" in finding.message


def test_value_of_the_wrong_type_is_an_error(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "alternative_hosts", "{min_length: 1}")
    [finding] = evaluate_batch(policies, account(), batch(host(), subject(1, {"alternative_hosts": 5})))
    assert finding.status == "error"
    assert "unexpected value" in finding.message


def test_disabled_policies_are_skipped(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "waiting_room", "{equals: true}", enabled="false")
    assert evaluate_batch(policies, account(), batch(host(), subject())) == []


@pytest.mark.parametrize(
    ("applies_to", "fields", "the_host", "applies"),
    [
        ("{meeting_types: [8]}", {"type": 2}, host(), False),
        ("{meeting_types: [2, 8]}", {"type": 2}, host(), True),
        ("{topic: 'youth|teen'}", {"topic": "Teen Drop-in"}, host(), True),
        ("{topic: 'youth|teen'}", {"topic": "Staff meeting"}, host(), False),
        ("{agenda: safeguard}", {"agenda": "Safeguarding briefing"}, host(), True),
        ("{host_emails: ['*@youth.example.org']}", {}, host(email="ann@youth.example.org"), True),
        ("{host_emails: ['*@youth.example.org']}", {}, host(email="ann@example.org"), False),
        ("{host_groups: [youth]}", {}, host(group_ids=("g1",)), True),
        ("{host_groups: [adults]}", {}, host(group_ids=("g1",)), False),
        (
            "{tracking_fields: {Programme: '^Youth'}}",
            {"tracking_fields": [{"field": "Programme", "value": "Youth B"}]},
            host(),
            True,
        ),
        (
            "{tracking_fields: {Programme: '^Youth'}}",
            {"tracking_fields": [{"field": "Programme", "value": "Adult"}]},
            host(),
            False,
        ),
        ("{tracking_fields: {Programme: '.'}}", {}, host(), False),
        ("{meeting_types: [2], topic: teen}", {"type": 2, "topic": "Adults"}, host(), False),
    ],
)
def test_applies_to(
    tmp_path: Path, applies_to: str, fields: dict[str, Any], the_host: Any, applies: bool
) -> None:
    policies = policy_set(tmp_path, "waiting_room", "{equals: true}", applies_to)
    acc = account(groups=[group("g1", "Youth")])
    findings = evaluate_subject(policies, acc, the_host, subject(1, {}, **fields))
    assert bool(findings) is applies


def test_applies_to_needs_a_meeting(tmp_path: Path) -> None:
    policies = policy_set(tmp_path, "waiting_room", "{equals: true}", "{topic: x}")
    assert evaluate_subject(policies, account(), host(), None) == []
    plain = policy_set(tmp_path, "waiting_room", "{equals: true}")
    [finding] = evaluate_subject(plain, account(), host({"in_meeting": {"waiting_room": True}}), None)
    assert (finding.meeting_id, finding.status) == (None, "pass")


OPERATOR_CASES = [
    ("equals", True, True, True),
    ("equals", True, 1, False),
    ("equals", 0, False, False),
    ("not_equals", "cloud", "none", True),
    ("one_of", ["host", "off"], "off", True),
    ("one_of", ["host", "off"], "all", False),
    ("not_one_of", ["cloud", "local"], "none", True),
    ("min_length", 8, "abcdefgh", True),
    ("min_length", 1, "", False),
    ("max_length", 2, ["a", "b", "c"], False),
    ("at_least", 4, 5, True),
    ("at_most", 4, 5, False),
    ("pattern", "^[0-9]+$", "123", True),
    ("not_pattern", "@gmail\\.com", "a@example.org", True),
    ("is_set", True, "a@b.org", True),
    ("is_set", True, "", False),
    ("is_set", False, False, True),
]


@pytest.mark.parametrize(("name", "operand", "value", "holds"), OPERATOR_CASES)
def test_operator_table(name: str, operand: Any, value: Any, holds: bool) -> None:
    assert compile_expectation({name: operand})(value) is holds


def test_every_operator_is_covered() -> None:
    assert {case[0] for case in OPERATOR_CASES} == set(OPERATORS)


@pytest.mark.parametrize(
    ("name", "operand", "value"), [("min_length", 1, True), ("at_least", 1, "x"), ("pattern", "x", 3)]
)
def test_operators_reject_the_wrong_type(name: str, operand: Any, value: Any) -> None:
    with pytest.raises(TypeError):
        compile_expectation({name: operand})(value)


def test_several_operators_must_all_hold() -> None:
    test = compile_expectation({"min_length": 3, "pattern": "^a"})
    assert test("abc") is True
    assert test("bcd") is False
    assert test("ab") is False


def test_policies_built_in_code_are_compiled_by_the_set() -> None:
    from zoomaudit.policy import Policy

    policy = Policy(
        id="x", title="t", severity="low", rationale="r", control="waiting_room", expect={"equals": True}
    )
    [finding] = evaluate_batch(PolicySet.build([policy], "code"), account(), batch(host(), subject(1, {})))
    assert (finding.status, finding.source) == ("violation", "default")


def test_a_host_s_remembered_verdicts_tell_its_meetings_apart(tmp_path: Path) -> None:
    # Per host, a verdict settled by the meeting's field alone is looked up by that field's value,
    # and one settled by nothing of the meeting (a lock above it) is judged once: meetings that
    # state different values still get their own verdicts, and a lock still beats them all.
    from zoomaudit.controls import CATALOGUE
    from zoomaudit.resolve import HostResolution

    policies = policy_set(tmp_path, "waiting_room", "{equals: true}")
    sessions = [subject(1, {"waiting_room": True}), subject(2, {"waiting_room": False}), subject(3, {})]
    the_host = host({"in_meeting": {"waiting_room": False}})
    free = evaluate_batch(policies, account(), batch(the_host, *sessions, *sessions))
    assert [(f.meeting_id, f.status, f.source) for f in free] == [
        (1, "pass", "meeting"),
        (2, "violation", "meeting"),
        (3, "violation", "user"),
    ] * 2
    on = {"meeting_security": {"waiting_room": True}}
    locked_account = account(on, on)
    locked = evaluate_batch(policies, locked_account, batch(the_host, *sessions))
    assert [(f.status, f.source) for f in locked] == [("pass", "account_lock")] * 3
    waiting_room = CATALOGUE["waiting_room"]
    assert not HostResolution(waiting_room, the_host, account()).settled()
    assert HostResolution(waiting_room, the_host, locked_account).settled()
    assert HostResolution(CATALOGUE["annotation"], the_host, account()).settled()
    # A meeting's passcode beats a lock on requiring one: never settled by the lock.
    passcode_lock = account(
        {"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}},
        {"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}},
    )
    assert not HostResolution(CATALOGUE["passcode"], the_host, passcode_lock).settled()
