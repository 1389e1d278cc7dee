"""Whether a meeting has a passcode is judged from the meeting (issue 12 item 3): passcode-required
and passcode-strength agree, and neither falls back to the host's "require a passcode" setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zoomaudit.policy import evaluate_batch
from zoomaudit.policy.load import load_dir

from .conftest import account, batch, host, subject, write

POLICIES = """
- id: required
  title: Has a passcode
  severity: high
  control: passcode
  expect: {equals: true}
  rationale: because
- id: strength
  title: Strong passcode
  severity: medium
  control: passcode
  check: passcode_strength
  params: {length: 8, have_letter: true, have_number: true}
  rationale: because
"""

PWD_URL = "https://us05web.zoom.us/j/84101000100?pwd=Zk9Lm2Qx7Rt4.1"
ENC = "8pEkRweVXPV3Ob2K.1"
PLAIN_URL = "https://us05web.zoom.us/j/84101000100"
REQUIRE = {"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}}
LOCKED = {"schedule_meeting": {"require_password_for_scheduling_new_meetings": True}}

# (what Zoom sent for the meeting, passcode-required, passcode-strength, words in the strength message)
CASES: list[tuple[dict[str, Any], str, str, str]] = [
    ({"password": "Kite2024x"}, "pass", "pass", "meets the rules"),
    ({"password": "kite"}, "pass", "violation", "lacks"),
    ({"password": ""}, "violation", "violation", "no passcode"),
    ({"password": "", "join_url": PWD_URL}, "violation", "violation", "no passcode"),
    ({"join_url": PWD_URL}, "pass", "error", "pwd= in its join_url"),
    ({"join_url": PLAIN_URL, "encrypted_password": ENC}, "pass", "error", "encrypted_password"),
    ({"join_url": PLAIN_URL, "pstn_password": "123456"}, "pass", "error", "pstn_password"),
    ({"join_url": PLAIN_URL, "encrypted_password": "", "pstn_password": ""}, "error", "error", "cannot"),
    ({"join_url": PLAIN_URL}, "error", "error", "cannot be judged"),
    ({}, "error", "error", "cannot be judged"),
]  # fmt: skip


@pytest.mark.parametrize("host_settings", [{}, REQUIRE], ids=["host silent", "host requires passcodes"])
@pytest.mark.parametrize(("fields", "required", "strength", "words"), CASES)
def test_presence_is_judged_from_the_meeting(
    tmp_path: Path,
    host_settings: dict[str, Any],
    fields: dict[str, Any],
    required: str,
    strength: str,
    words: str,
) -> None:
    write(tmp_path, "p.yaml", POLICIES)
    found = evaluate_batch(load_dir(tmp_path), account(), batch(host(host_settings), subject(**fields)))
    by_id = {f.policy_id: f for f in found}
    assert (by_id["required"].status, by_id["strength"].status) == (required, strength)
    assert words in by_id["strength"].message
    for finding in found:
        dumped = finding.model_dump_json()
        assert "Kite2024x" not in dumped
        assert "Zk9Lm2Qx7Rt4" not in dumped
        assert "8pEkRweVXPV3Ob2K" not in dumped
        assert "123456" not in dumped
        assert "?pwd=" not in dumped
        assert "us05web" not in dumped
        if finding.status == "error":
            assert finding.source == "meeting"


def test_an_account_lock_does_not_make_an_unknown_passcode_a_pass(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", POLICIES)
    acc = account(REQUIRE, locks=LOCKED)
    found = evaluate_batch(load_dir(tmp_path), acc, batch(host(REQUIRE), subject(join_url=PLAIN_URL)))
    assert {f.policy_id: f.status for f in found} == {"required": "error", "strength": "error"}
    [required] = [f for f in found if f.policy_id == "required"]
    assert "cannot be judged" in required.message


def test_each_meeting_gets_its_own_verdict(tmp_path: Path) -> None:
    write(tmp_path, "p.yaml", POLICIES)
    subjects = [
        subject(1, join_url=PLAIN_URL),
        subject(2, join_url=PWD_URL),
        subject(3, password=""),
        subject(4),
    ]
    found = evaluate_batch(load_dir(tmp_path), account(), batch(host(REQUIRE), *subjects))
    required = [f.status for f in found if f.policy_id == "required"]
    assert required == ["error", "pass", "violation", "error"]
