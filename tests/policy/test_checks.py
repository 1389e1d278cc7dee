"""Passcode rules: the host's requirement, what a passcode misses, and the strength check."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoomaudit.policy import PasscodeRequirement, evaluate_batch, passcode_requirement, passcode_satisfies
from zoomaudit.policy.load import load_dir

from .conftest import account, batch, group, host, subject, write

REQ = "schedule_meeting.meeting_password_requirement"


def _req(**rules: object) -> dict[str, object]:
    return {"schedule_meeting": {"meeting_password_requirement": rules}}


def test_requirement_fields_come_from_user_then_groups_then_account() -> None:
    acc = account(
        _req(length=6, have_number=True, consecutive_characters_length=4),
        groups=[
            group(
                "g1", "Youth", {"meeting_security": {"meeting_password_requirement": {"have_letter": True}}}
            )
        ],
    )
    the_host = host(_req(length=10), ("g1",))
    assert passcode_requirement(the_host, acc) == PasscodeRequirement(
        length=10, have_letter=True, have_number=True, consecutive_characters_length=4
    )


def test_nothing_stated_means_no_rules() -> None:
    assert passcode_requirement(host(), account()) == PasscodeRequirement()


@pytest.mark.parametrize(
    ("password", "rules", "unmet"),
    [
        ("Kite2024x", {"length": 8, "have_letter": True, "have_number": True}, []),
        ("1234", {"length": 6}, ["at least 6 characters"]),
        ("abcdefgh", {"have_number": True}, ["a digit"]),
        ("12345678", {"have_letter": True}, ["a letter"]),
        ("abc12345", {"have_special_character": True}, ["a special character"]),
        ("abc@1234", {"have_special_character": True}, []),
        ("kite2024", {"have_upper_and_lower_characters": True}, ["upper- and lower-case letters"]),
        ("8a7b6c", {"only_allow_numeric": True}, ["digits only"]),
        (
            "x1234y",
            {"consecutive_characters_length": 4},
            ["no run of 4 consecutive characters (like 1111, 1234, abcd or qwer)"],
        ),
        ("x123y9", {"consecutive_characters_length": 4}, []),
    ],
)
def test_passcode_satisfies(password: str, rules: dict[str, object], unmet: list[str]) -> None:
    assert passcode_satisfies(password, PasscodeRequirement(**rules)) == unmet  # type: ignore[arg-type]


def test_stricter_takes_the_longer_length_and_every_rule() -> None:
    ours = PasscodeRequirement(length=8, have_letter=True, have_number=True)
    theirs = PasscodeRequirement(length=10, have_special_character=True, consecutive_characters_length=5)
    assert ours.stricter(theirs) == PasscodeRequirement(
        length=10,
        have_letter=True,
        have_number=True,
        have_special_character=True,
        consecutive_characters_length=5,
    )


def test_numeric_only_accounts_drop_letter_rules() -> None:
    merged = PasscodeRequirement(length=8, have_letter=True).stricter(
        PasscodeRequirement(only_allow_numeric=True)
    )
    assert (merged.only_allow_numeric, merged.have_letter, merged.length) == (True, False, 8)


STRENGTH = """
- id: strength
  title: Strong passcode
  severity: medium
  control: passcode
  check: passcode_strength
  params: {length: 8, have_letter: true, have_number: true}
  rationale: because
"""


@pytest.mark.parametrize(
    ("password", "account_rules", "status"),
    [
        ("Kite2024x", {}, "pass"),
        ("kite", {}, "violation"),
        ("Kite2024x", {"length": 10}, "violation"),
        ("Kite2024xy", {"length": 10}, "pass"),
        ("", {}, "violation"),
    ],
)
def test_strength_check(tmp_path: Path, password: str, account_rules: dict[str, object], status: str) -> None:
    write(tmp_path, "s.yaml", STRENGTH)
    policies = load_dir(tmp_path)
    [finding] = evaluate_batch(
        policies, account(_req(**account_rules)), batch(host(), subject(password=password))
    )
    assert finding.status == status, finding.message
    assert finding.expected["check"] == "passcode_strength"
    assert finding.expected["length"] == max(8, int(account_rules.get("length", 0)))  # type: ignore[call-overload]


def test_the_passcode_never_appears_in_a_finding(tmp_path: Path) -> None:
    write(tmp_path, "s.yaml", STRENGTH)
    [finding] = evaluate_batch(load_dir(tmp_path), account(), batch(host(), subject(password="Sekret99zz")))
    assert "Sekret99zz" not in finding.model_dump_json()
    assert finding.actual == {"length": 10, "unmet": []}
