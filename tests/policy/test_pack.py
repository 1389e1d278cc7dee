"""The built-in safeguarding pack: every policy on pass, violation, missing key and manual."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from zoomaudit.controls import CATALOGUE, fix_request
from zoomaudit.policy import PolicySet, evaluate_batch, load_policies
from zoomaudit.policy.load import bundled_pack_dir

from .conftest import ROOT, SHARED, account, batch, evaluate_setup, host, subject

CONTRACT_IDS = {
    "waiting-room", "passcode-required", "passcode-strength", "screen-share-host-only",
    "breakout-rooms-available", "hide-self-view", "participant-video-off", "join-before-host-off",
    "mute-upon-entry", "host-admits-from-waiting-room", "no-pmi-for-sessions", "private-chat-off",
    "file-transfer-off", "annotation-off", "auto-recording-off", "alternative-host",
    "phone-dial-in-available", "captions-available", "focus-mode", "authenticated-join",
    "registration-required",
    "continuous-chat-off", "ai-summary-off", "recording-consent", "local-recording-off",
    "guests-identified", "removed-cannot-rejoin",
    "waiting-room-for-everyone", "host-drop-to-waiting-room",
    "phone-passcode-required", "passcode-not-in-link",
}  # fmt: skip

Setup = dict[str, dict[str, Any]]


def _at(tier: str, path: str, good: Any, bad: Any, missing: str) -> tuple[Setup, Setup, str]:
    return {tier: {path: good}}, {tier: {path: bad}}, missing


_ADMIT = "meeting_security.waiting_room_settings.users_who_can_admit_participants_from_waiting_room"
_PLACE = "meeting_security.waiting_room_settings.participants_to_place_in_waiting_room"
_DROPPED = (
    "meeting_security.waiting_room_options.more_options.move_participants_to_waiting_room_when_host_dropped"
)
_SHARE = "in_meeting.screen_sharing"
_WHO = "in_meeting.who_can_share_screen"

_NOT_E2EE = {"settings.encryption_type": "enhanced_encryption"}


def _not_e2ee(case: tuple[Setup, Setup, str]) -> tuple[Setup, Setup, str]:
    """A feature that E2EE switches off passes only in a meeting known not to be E2EE."""
    good, bad, missing = case
    return {**good, "meeting": {**good.get("meeting", {}), **_NOT_E2EE}}, bad, missing


# policy id -> (a setup that passes, a setup that violates, the status when no tier states anything)
CASES: dict[str, tuple[Setup, Setup, str]] = {
    "waiting-room": _at("meeting", "settings.waiting_room", True, False, "violation"),
    "host-admits-from-waiting-room": _at("user", _ADMIT, 0, 1, "error"),
    "passcode-required": _at("meeting", "password", "Kite2024x", "", "error"),
    "passcode-strength": _at("meeting", "password", "Kite2024x", "123456", "error"),
    "no-pmi-for-sessions": _at("meeting", "settings.use_pmi", False, True, "pass"),
    "join-before-host-off": _at("meeting", "settings.join_before_host", False, True, "pass"),
    "registration-required": _at("meeting", "settings.approval_type", 1, 2, "violation"),
    "authenticated-join": _at("meeting", "settings.meeting_authentication", True, False, "error"),
    "screen-share-host-only": (
        {"user": {_SHARE: True, _WHO: "host"}},
        {"user": {_SHARE: True, _WHO: "all"}},
        "error",
    ),
    "breakout-rooms-available": _not_e2ee(_at("user", "in_meeting.breakout_room", True, False, "error")),
    "hide-self-view": ({}, {}, "manual"),
    "participant-video-off": _at("meeting", "settings.participant_video", False, True, "error"),
    "mute-upon-entry": _at("meeting", "settings.mute_upon_entry", True, False, "violation"),
    "private-chat-off": _at("user", "in_meeting.private_chat", False, True, "error"),
    "file-transfer-off": _at("user", "in_meeting.file_transfer", False, True, "error"),
    "annotation-off": _at("user", "in_meeting.annotation", False, True, "error"),
    "auto-recording-off": _at("meeting", "settings.auto_recording", "none", "cloud", "pass"),
    "alternative-host": _at("meeting", "settings.alternative_hosts", "deputy@example.org", "", "violation"),
    # Zoom's default audio is "both", but with the encryption type unknown dial-in cannot be judged.
    "phone-dial-in-available": _not_e2ee(_at("meeting", "settings.audio", "both", "voip", "error")),
    "captions-available": _not_e2ee(_at("user", "in_meeting.closed_caption", True, False, "violation")),
    # Focus mode needs the meeting to ask for it and the feature to be available to the host.
    "focus-mode": (
        {"meeting": {"settings.focus_mode": True}, "user": {"in_meeting.attention_mode_focus_mode": True}},
        {"meeting": {"settings.focus_mode": False}, "user": {"in_meeting.attention_mode_focus_mode": True}},
        "error",
    ),
    # Waiting-room options need a waiting room; with nothing stated Zoom's default is none.
    "waiting-room-for-everyone": (
        {"meeting": {"settings.waiting_room": True}, "user": {_PLACE: 0}},
        {"meeting": {"settings.waiting_room": True}, "user": {_PLACE: 1}},
        "violation",
    ),
    "host-drop-to-waiting-room": (
        {"meeting": {"settings.waiting_room": True}, "account": {_DROPPED: True}},
        {"meeting": {"settings.waiting_room": True}, "account": {_DROPPED: False}},
        "violation",
    ),
    "continuous-chat-off": _at("meeting", "settings.continuous_meeting_chat.enable", False, True, "error"),
    "ai-summary-off": _at("meeting", "settings.auto_start_meeting_summary", False, True, "error"),
    "recording-consent": (
        {
            "user": {
                "recording.recording_disclaimer": True,
                "recording.ask_participants_to_consent_disclaimer": True,
            }
        },
        {
            "user": {
                "recording.recording_disclaimer": True,
                "recording.ask_participants_to_consent_disclaimer": False,
            }
        },
        "error",
    ),
    "local-recording-off": _at("user", "recording.local_recording", False, True, "error"),
    "guests-identified": _at("account", "in_meeting.alert_guest_join", True, False, "error"),
    "removed-cannot-rejoin": ({}, {}, "manual"),
    # judged only for a meeting with a passcode; with nothing stated the passcode is unknown
    "phone-passcode-required": (
        {"meeting": {"password": "Kite2024x"}, "user": {"schedule_meeting.pstn_password_protected": True}},
        {"meeting": {"password": "Kite2024x"}, "user": {"schedule_meeting.pstn_password_protected": False}},
        "error",
    ),
    "passcode-not-in-link": _at("user", "schedule_meeting.embed_password_in_join_link", False, True, "error"),
}


def _findings(pack: PolicySet, policy_id: str, setup: Setup) -> list[Any]:
    return evaluate_setup(pack, policy_id, setup)


def test_the_pack_has_exactly_the_contract_ids(pack: PolicySet) -> None:
    assert {p.id for p in pack.policies} == CONTRACT_IDS
    assert set(CASES) == CONTRACT_IDS


@pytest.mark.parametrize("policy_id", sorted(CASES))
def test_policy_passes(pack: PolicySet, policy_id: str) -> None:
    good, _, missing = CASES[policy_id]
    [finding] = _findings(pack, policy_id, good)
    assert finding.status == ("manual" if missing == "manual" else "pass"), finding.message


@pytest.mark.parametrize("policy_id", sorted(CASES))
def test_policy_finds_the_violation(pack: PolicySet, policy_id: str) -> None:
    _, bad, missing = CASES[policy_id]
    [finding] = _findings(pack, policy_id, bad)
    assert finding.status == ("manual" if missing == "manual" else "violation"), finding.message
    if finding.status == "violation":
        assert finding.message
        assert finding.expected is not None


@pytest.mark.parametrize("policy_id", sorted(CASES))
def test_policy_with_nothing_stated(pack: PolicySet, policy_id: str) -> None:
    """Missing keys are never read as false: Zoom's default when documented, else an error."""
    *_, missing = CASES[policy_id]
    [finding] = _findings(pack, policy_id, {})
    assert finding.status == missing, finding.message
    checked = pack.get(policy_id).check is not None  # type: ignore[union-attr]
    if missing in ("pass", "violation") and finding.control != "passcode" and not checked:
        assert finding.source == "default"


def test_screen_sharing_off_also_passes(pack: PolicySet) -> None:
    [finding] = _findings(pack, "screen-share-host-only", {"account": {"in_meeting.screen_sharing": False}})
    assert (finding.status, finding.actual, finding.source) == ("pass", "off", "account")


def test_manual_policy_gives_guidance_not_a_verdict(pack: PolicySet) -> None:
    [finding] = _findings(pack, "hide-self-view", {"user": {"in_meeting.waiting_room": True}})
    assert finding.status == "manual"
    assert "hide" in finding.message.lower()
    assert finding.actual is None


def test_disabled_by_default(pack: PolicySet) -> None:
    disabled = {p.id for p in pack.policies if not p.enabled}
    assert disabled == {"focus-mode", "authenticated-join", "registration-required"}
    findings = evaluate_batch(pack, account(), batch(host(), subject()))
    assert not {f.policy_id for f in findings} & disabled


DEFAULT_FIXES = {
    "waiting-room": ("suggest", "meeting"),
    "passcode-required": ("suggest", "meeting"),
    "passcode-strength": ("off", None),
    "screen-share-host-only": ("suggest", "user"),
    "breakout-rooms-available": ("suggest", "user"),
    "hide-self-view": ("off", None),
    "participant-video-off": ("suggest", "meeting"),
    "join-before-host-off": ("suggest", "meeting"),
    "mute-upon-entry": ("suggest", "meeting"),
    "host-admits-from-waiting-room": ("suggest", "user"),
    "no-pmi-for-sessions": ("suggest", "meeting"),
    "private-chat-off": ("suggest", "user"),
    "file-transfer-off": ("suggest", "user"),
    "annotation-off": ("suggest", "user"),
    "auto-recording-off": ("suggest", "meeting"),
    "alternative-host": ("off", None),
    "phone-dial-in-available": ("suggest", "meeting"),
    "captions-available": ("suggest", "user"),
    "continuous-chat-off": ("suggest", "meeting"),
    "ai-summary-off": ("suggest", "meeting"),
    "recording-consent": ("suggest", "user"),
    "local-recording-off": ("suggest", "user"),
    "guests-identified": ("suggest", "group"),
    "removed-cannot-rejoin": ("off", None),
    "waiting-room-for-everyone": ("suggest", "meeting"),
    "host-drop-to-waiting-room": ("suggest", "account"),
    "phone-passcode-required": ("suggest", "user"),
    "passcode-not-in-link": ("suggest", "user"),
}


@pytest.mark.parametrize(("policy_id", "mode_tier"), sorted(DEFAULT_FIXES.items()))
def test_default_fix(pack: PolicySet, policy_id: str, mode_tier: tuple[str, str | None]) -> None:
    policy = pack.get(policy_id)
    assert policy is not None
    assert policy.fix is not None
    mode, tier = mode_tier
    assert policy.fix.mode == mode
    if mode == "off":
        return
    assert policy.fix.tier == tier
    control = CATALOGUE[policy.control]
    request = fix_request(control, policy.fix.tier, policy.fix.value, meeting_id=1, user_id="u", group_id="g")
    assert request.method == "PATCH"
    assert request.body


def test_passcode_fix_asks_the_planner_to_generate_one(pack: PolicySet) -> None:
    policy = pack.get("passcode-required")
    assert policy is not None
    assert policy.fix is not None
    assert policy.fix.value == CATALOGUE["passcode"].fix_placeholder == "generate"


@pytest.mark.parametrize(
    ("policy_id", "words"),
    [
        ("breakout-rooms-available", ["encryption"]),
        ("waiting-room", ["join-before-host", "surname"]),
        ("join-before-host-off", ["waiting room"]),
    ],
)
def test_conflicts_are_stated(pack: PolicySet, policy_id: str, words: list[str]) -> None:
    policy = pack.get(policy_id)
    assert policy is not None
    text = " ".join([policy.rationale, *policy.conflicts]).lower()
    for word in words:
        assert word in text


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


@pytest.mark.skipif(not (SHARED / "guidance").is_dir(), reason="guidance documents not available")
def test_rationales_paraphrase_the_guidance(pack: PolicySet) -> None:
    """No run of eight words is copied from the guidance documents."""
    grams: set[tuple[str, ...]] = set()
    for doc in (SHARED / "guidance").glob("*.txt"):
        words = _words(doc.read_text(encoding="utf-8"))
        grams |= {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
    for policy in pack.policies:
        assert len(policy.rationale) > 120, policy.id
        words = _words(" ".join([policy.rationale, policy.guidance, *policy.conflicts]))
        copied = [g for g in (tuple(words[i : i + 8]) for i in range(len(words) - 7)) if g in grams]
        assert not copied, (policy.id, copied)
    from zoomaudit.policy.checklist import MANUAL_CHECKLIST

    for item in MANUAL_CHECKLIST:
        words = _words(item.what_to_do)
        copied = [g for g in (tuple(words[i : i + 8]) for i in range(len(words) - 7)) if g in grams]
        assert not copied, item.key


def test_top_level_policies_folder_is_the_bundled_pack() -> None:
    top = ROOT / "policies"
    assert top.resolve() == bundled_pack_dir().resolve()
    assert load_policies(Path(top)).hash == load_policies().hash


def test_safeguarding_doc_places_every_pack_policy(pack: PolicySet) -> None:
    text = (ROOT / "docs" / "safeguarding.md").read_text(encoding="utf-8")
    for policy in pack.policies:
        assert f"`{policy.id}`" in text, policy.id


def test_manual_checklist_covers_the_guidance_points(pack: PolicySet) -> None:
    from zoomaudit.policy.checklist import MANUAL_CHECKLIST

    keys = {item.key for item in MANUAL_CHECKLIST}
    assert {
        "self-view", "safe-word", "signal-for-help", "group-agreements", "breakout-facilitators",
        "debrief", "holding-screen", "safeguarding-lead", "carers",
    } <= keys  # fmt: skip
    for item in MANUAL_CHECKLIST:
        assert item.policy_id is None or pack.get(item.policy_id) is not None
