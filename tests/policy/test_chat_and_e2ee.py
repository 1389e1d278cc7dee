"""Private chat under Zoom's current chat model, and the features end-to-end encryption switches off."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.controls import CATALOGUE
from zoomaudit.policy import PolicySet, evaluate_batch
from zoomaudit.resolve import resolve

from .conftest import account, batch, enabled_only, group, host, subject

PRIVATE_CHAT = CATALOGUE["private_chat"]


# in_meeting of the host's settings -> effective private chat
CHAT_CASES: list[tuple[dict[str, Any], Any]] = [
    ({"allow_participants_chat_with": 1}, False),  # no one
    ({"allow_participants_chat_with": 2}, False),  # host and co-hosts only
    ({"allow_participants_chat_with": 3}, False),  # everyone, publicly
    ({"allow_participants_chat_with": 4}, True),  # everyone, publicly and privately
    # The current field decides over the older one.
    ({"allow_participants_chat_with": 4, "private_chat": False}, True),
    ({"allow_participants_chat_with": 3, "private_chat": True}, False),
    # Only the older field: it decides.
    ({"private_chat": True}, True),
    ({"private_chat": False}, False),
    # The chat master switch off: no chat at all.
    ({"chat": False, "allow_participants_chat_with": 4}, False),
    ({"chat": False, "private_chat": True}, False),
    ({"chat": True, "allow_participants_chat_with": 4}, True),
    # A value Zoom does not document is never read as off.
    ({"allow_participants_chat_with": 7}, "unknown"),
    ({"allow_participants_chat_with": "4"}, "unknown"),
]


@pytest.mark.parametrize(("in_meeting", "expected"), CHAT_CASES)
def test_private_chat_reads_the_current_and_the_older_model(
    in_meeting: dict[str, Any], expected: Any
) -> None:
    eff = resolve(PRIVATE_CHAT, None, host({"in_meeting": in_meeting}), account())
    assert eff.value == expected


@pytest.mark.parametrize(("in_meeting", "expected"), CHAT_CASES)
def test_private_chat_off_policy(pack: PolicySet, in_meeting: dict[str, Any], expected: Any) -> None:
    [finding] = evaluate_batch(
        enabled_only(pack, "private-chat-off"), account(), batch(host({"in_meeting": in_meeting}), subject())
    )
    wanted = {False: "pass", True: "violation", "unknown": "error"}[expected]
    assert finding.status == wanted, finding.message
    if expected == "unknown":  # an undocumented answer cannot be judged (issue 12 item 7)
        assert "cannot be judged" in finding.message
        assert "not known" in finding.message


def test_a_lock_on_either_chat_field_decides_with_the_locking_tiers_value() -> None:
    acc = account(
        {"in_meeting": {"allow_participants_chat_with": 4}},
        {"in_meeting": {"allow_participants_chat_with": True}},
    )
    eff = resolve(PRIVATE_CHAT, None, host({"in_meeting": {"allow_participants_chat_with": 3}}), acc)
    assert (eff.value, eff.tier, eff.locked) == (True, "account_lock", True)
    youth = group(
        "g1", "Youth", {"in_meeting": {"private_chat": False}}, {"in_meeting": {"private_chat": True}}
    )
    eff = resolve(
        PRIVATE_CHAT, None, host({"in_meeting": {"private_chat": True}}, ("g1",)), account(groups=[youth])
    )
    assert (eff.value, eff.tier) == (False, "group_lock")


def test_the_private_chat_fix_sets_both_models() -> None:
    assert PRIVATE_CHAT.fix_fields("user", False) == {
        "in_meeting.allow_participants_chat_with": 3,
        "in_meeting.private_chat": False,
    }


# (meeting settings, host in_meeting, account meeting_security) -> status of each policy
E2EE_POLICIES = ("phone-dial-in-available", "captions-available", "breakout-rooms-available")
FEATURES_ON = {"closed_caption": True, "breakout_room": True}
E2EE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    ("E2EE on the meeting", {"audio": "both", "encryption_type": "e2ee"}, FEATURES_ON, {}, "violation"),
    (
        "E2EE from the account",
        {"audio": "both"},
        FEATURES_ON,
        {"encryption_type": "e2ee"},
        "violation",
    ),
    (
        "enhanced encryption",
        {"audio": "both", "encryption_type": "enhanced_encryption"},
        FEATURES_ON,
        {},
        "pass",
    ),
    (
        "the meeting's enhanced encryption beats the account's E2EE default",
        {"audio": "telephony", "encryption_type": "enhanced_encryption"},
        FEATURES_ON,
        {"encryption_type": "e2ee"},
        "pass",
    ),
    ("encryption not stated anywhere", {"audio": "both"}, FEATURES_ON, {}, "error"),
    (
        "an undocumented encryption type",
        {"audio": "both", "encryption_type": "quantum"},
        FEATURES_ON,
        {},
        "error",
    ),
    (
        "the feature is off whatever the encryption",
        {"audio": "voip", "encryption_type": "quantum"},
        {"closed_caption": False, "breakout_room": False},
        {},
        "violation",
    ),
]


@pytest.mark.parametrize("policy_id", E2EE_POLICIES)
@pytest.mark.parametrize(
    ("meeting_settings", "in_meeting", "security", "status"),
    [c[1:] for c in E2EE_CASES],
    ids=[c[0] for c in E2EE_CASES],
)
def test_e2ee_switches_features_off(
    pack: PolicySet,
    policy_id: str,
    meeting_settings: dict[str, Any],
    in_meeting: dict[str, Any],
    security: dict[str, Any],
    status: str,
) -> None:
    acc = account({"meeting_security": security})
    the_host = host({"in_meeting": in_meeting})
    [finding] = evaluate_batch(
        enabled_only(pack, policy_id), acc, batch(the_host, subject(settings=meeting_settings))
    )
    assert finding.status == status, finding.message
    encryption = meeting_settings.get("encryption_type") or security.get("encryption_type")
    if status == "violation" and encryption == "e2ee":
        assert "end-to-end encryption (E2EE)" in finding.message
    if status == "error":
        assert finding.message.startswith("cannot be judged")


def test_an_e2ee_meeting_fails_dial_in_even_with_phone_audio(pack: PolicySet) -> None:
    meeting = subject(settings={"audio": "telephony", "encryption_type": "e2ee"})
    [finding] = evaluate_batch(
        enabled_only(pack, "phone-dial-in-available"), account(), batch(host(), meeting)
    )
    assert (finding.status, finding.actual, finding.source) == ("violation", "telephony", "meeting")
    assert "E2EE" in finding.message
