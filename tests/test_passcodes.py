"""One passcode rule set: the auditor's check, the fix generator and the sandbox agree on every case.

Zoom: "cannot contain consecutive characters (e.g. 11111, 12345, abcde, qwert)"; zoomaudit also
counts descending runs (zoomaudit.passcodes docstring).
"""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.fixes.passcode import generate_passcode, meets
from zoomaudit.passcodes import PasscodeRequirement, longest_run, presence, unmet_rules
from zoomaudit.policy.checks import passcode_satisfies
from zoomaudit.sandbox.tiers import passcode_problem


def run(n: int) -> dict[str, Any]:
    return {"consecutive_characters_length": n}


# (passcode, requirement as Zoom serves it, accepted?)
CASES: list[tuple[str, dict[str, Any], bool]] = [
    # repeats, ascending, keyboard runs: Zoom's own examples, case-insensitive
    ("1111aaaa", run(4), False),
    ("1111aaaa", run(5), True),
    ("1111aaaa", run(0), True),
    ("x111aaab", run(4), True),
    ("12345", run(5), False),
    ("12345", run(4), False),
    ("12345", run(0), True),
    ("abcde", run(5), False),
    ("abcde", run(8), True),
    ("qwert", run(5), False),
    ("QWERT", run(5), False),
    ("QwErT", run(4), False),
    ("qwert", run(8), True),
    ("asdf9", run(4), False),
    ("zxcv9", run(4), False),
    ("zxc9vb", run(4), True),
    ("AbCd9", run(4), False),
    ("aAaA9", run(4), False),
    ("****9", run(4), False),
    # descending runs count too (zoomaudit's choice, documented in zoomaudit.passcodes)
    ("54321", run(5), False),
    ("x4321", run(4), False),
    ("trewq", run(5), False),
    ("dcba9", run(4), False),
    # alternating and mixed kinds are not one run
    ("a1b2c3d4", run(4), True),
    ("a1b2c3d4", run(0), True),
    ("1233x", run(4), True),
    ("12333", run(4), True),
    ("123333", run(4), False),
    ("op@uio", run(4), True),
    ("uiop", run(4), False),
    ("9:;<", run(4), False),  # not Zoom's charset, whatever the run
    ("xyz{", run(0), False),
    ("K7@m-Q2_z*", run(8), True),
    ("12345678", run(8), False),
    ("1234567x", run(8), True),
    # the rest of the requirement and Zoom's limits
    ("Kite2024x", {"length": 8, "have_letter": True, "have_number": True}, True),
    ("Kite24", {"length": 8}, False),
    ("kite2024", {"have_upper_and_lower_characters": True}, False),
    ("Kite2024", {"have_special_character": True}, False),
    ("Kite@2024", {"have_special_character": True}, True),
    ("Kite!2024", {}, False),
    ("Kite2024xyz", {}, False),
    ("8a7b6c", {"only_allow_numeric": True}, False),
    ("807162", {"only_allow_numeric": True, "have_letter": True}, True),
    ("abcdefgh", {"have_number": True}, False),
    ("12345678", {"have_letter": True}, False),
]


@pytest.mark.parametrize(("password", "requirement", "accepted"), CASES)
def test_check_generator_and_sandbox_agree(
    password: str, requirement: dict[str, Any], accepted: bool
) -> None:
    check = passcode_satisfies(password, PasscodeRequirement.of(requirement)) == []
    generator = meets(password, requirement)
    sandbox = passcode_problem(password, requirement) is None
    assert (check, generator, sandbox) == (accepted, accepted, accepted)


@pytest.mark.parametrize(
    ("text", "longest"),
    [
        ("", 0),
        ("x", 1),
        ("a1b2", 1),
        ("1111", 4),
        ("1234", 4),
        ("4321", 4),
        ("qwer", 4),
        ("rewq", 4),
        ("1233", 3),
        ("abcab", 3),
        ("AbCdE", 5),
        ("--__", 2),
    ],
)
def test_longest_run(text: str, longest: int) -> None:
    assert longest_run(text) == longest


def test_the_run_rule_names_every_kind_without_the_passcode() -> None:
    [broken] = unmet_rules("xqwerx", run(4))
    assert broken.rule == "run"
    assert "qwer" in broken.words
    assert "xqwerx" not in broken.words


@pytest.mark.parametrize("limit", [0, 4, 5, 8])
def test_generated_passcodes_pass_all_three(limit: int) -> None:
    requirement = {"length": 10, "have_special_character": True, **run(limit)}
    for _ in range(30):
        password = generate_passcode(requirement)
        assert passcode_satisfies(password, PasscodeRequirement.of(requirement)) == []
        assert passcode_problem(password, requirement) is None
        assert longest_run(password) < 3


def test_requirement_of_reads_dicts_objects_and_none() -> None:
    assert PasscodeRequirement.of(None) == PasscodeRequirement()
    raw = {"length": "8", "have_letter": 1, "weak_enhance_detection": True, "have_number": None}
    assert PasscodeRequirement.of(raw) == PasscodeRequirement(length=8, have_letter=True)
    req = PasscodeRequirement(consecutive_characters_length=5)
    assert PasscodeRequirement.of(req) is req


# (meeting fields Zoom sent, state, source)
PRESENCE: list[tuple[dict[str, Any], str, str | None]] = [
    ({"password": "Kite2024x"}, "known", "password"),
    ({"password": ""}, "absent", "password"),
    ({"password": "", "join_url": "https://z/j/1?pwd=abc"}, "absent", "password"),
    ({"password": None, "join_url": "https://z/j/1?pwd=abc"}, "present", "join_url"),
    ({"join_url": "https://z/j/1?pwd=abc.1"}, "present", "join_url"),
    ({"join_url": "https://z/j/1?pwd="}, "unknown", None),
    ({"join_url": "https://z/j/1"}, "unknown", None),
    ({"join_url": "https://z/j/1", "encrypted_password": "8pEk.1"}, "present", "encrypted_password"),
    ({"encrypted_password": "", "pstn_password": "123456"}, "present", "pstn_password"),
    ({"encrypted_password": "", "pstn_password": ""}, "unknown", None),
    ({"password": 123456}, "present", "password"),
    ({}, "unknown", None),
]


@pytest.mark.parametrize(("fields", "state", "source"), PRESENCE)
def test_presence(fields: dict[str, Any], state: str, source: str | None) -> None:
    found = presence(fields)
    assert (found.state, found.source) == (state, source)
    assert "Kite2024x" not in repr(found)
