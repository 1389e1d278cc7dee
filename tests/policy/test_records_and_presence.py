"""The issue-12 safeguards: continuous chat, AI summaries, recording consent, local recording,
guest identification and removed participants. Tables of Zoom documents -> verdict and words."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.collect import Needs
from zoomaudit.controls import CATALOGUE, fix_request
from zoomaudit.controls.catalogue_records import RECORDS_AND_PRESENCE
from zoomaudit.policy import PolicySet, load_policies

from .conftest import evaluate_setup

Setup = dict[str, dict[str, Any]]
NEW_POLICIES = (
    "continuous-chat-off", "ai-summary-off", "recording-consent", "local-recording-off",
    "guests-identified", "removed-cannot-rejoin",
)  # fmt: skip


def _finding(pack: PolicySet, policy_id: str, setup: Setup) -> Any:
    [finding] = evaluate_setup(pack, policy_id, setup)
    return finding


_CHAT = "settings.continuous_meeting_chat"
_UCHAT = "schedule_meeting.continuous_meeting_chat"
_SUM = "in_meeting.meeting_summary_with_ai_companion"
_DISCLAIMER = "recording.recording_disclaimer"
_ASK = "recording.ask_participants_to_consent_disclaimer"

# (policy, setup, status, actual, source, words in the message)
CASES: list[tuple[str, Setup, str, Any, Any, str]] = [
    # continuous chat: the meeting decides; external users make it worse, not different
    ("continuous-chat-off", {"meeting": {f"{_CHAT}.enable": False}}, "pass", False, "meeting", "is off"),
    ("continuous-chat-off", {"meeting": {f"{_CHAT}.enable": True}}, "violation", True, "meeting",
     "stays open"),
    ("continuous-chat-off",
     {"meeting": {f"{_CHAT}.enable": True, f"{_CHAT}.auto_add_invited_external_users": True}},
     "violation", "external", "meeting", "outside the organisation"),
    ("continuous-chat-off",
     {"meeting": {f"{_CHAT}.enable": False, f"{_CHAT}.auto_add_invited_external_users": True}},
     "pass", False, "meeting", "is off"),
    ("continuous-chat-off", {"user": {f"{_UCHAT}.enable": True}}, "violation", True, "user", "user settings"),
    ("continuous-chat-off",
     {"account": {f"{_UCHAT}.enable": True, f"{_UCHAT}.auto_add_invited_external_users": True}},
     "violation", "external", "account", "account settings"),
    # an account lock beats the meeting's own value
    ("continuous-chat-off",
     {"meeting": {f"{_CHAT}.enable": False}, "account": {f"{_UCHAT}.enable": True},
      "account_lock": {_UCHAT: True}},
     "violation", True, "account_lock", "locked"),
    ("continuous-chat-off",
     {"group": {f"{_UCHAT}.enable": False}, "group_lock": {_UCHAT: True}, "user": {f"{_UCHAT}.enable": True}},
     "pass", False, "group_lock", "lock on the host's group"),
    ("continuous-chat-off", {}, "error", None, None, "cannot be judged"),
    # AI summary: any automatic start fails; recipients are named
    ("ai-summary-off", {"meeting": {"settings.auto_start_meeting_summary": False}}, "pass", False, "meeting",
     "not started automatically"),
    ("ai-summary-off", {"meeting": {"settings.auto_start_meeting_summary": True,
                                    "settings.who_will_receive_summary": 1}},
     "violation", "host", "meeting", "host only"),
    ("ai-summary-off", {"meeting": {"settings.auto_start_meeting_summary": True,
                                    "settings.who_will_receive_summary": 4}},
     "violation", "everyone", "meeting", "including people outside"),
    ("ai-summary-off", {"meeting": {"settings.auto_start_meeting_summary": True}},
     "violation", True, "meeting", "not stated"),
    ("ai-summary-off", {"user": {f"{_SUM}.enable": True, f"{_SUM}.auto_enable": True,
                                 f"{_SUM}.who_will_receive_summary": 3}},
     "violation", "organisation", "user", "invitees in the organisation"),
    ("ai-summary-off", {"user": {f"{_SUM}.enable": False, f"{_SUM}.auto_enable": True}},
     "pass", False, "user", "not started automatically"),
    ("ai-summary-off", {"account": {f"{_SUM}.auto_enable": False}}, "pass", False, "account", "account"),
    ("ai-summary-off", {"group": {f"{_SUM}.auto_enable": True}}, "error", None, None, "cannot be judged"),
    ("ai-summary-off", {}, "error", None, None, "cannot be judged"),
    # recording consent: a disclaimer that does not ask is not consent
    ("recording-consent", {"user": {"recording.recording_disclaimer": True,
                                    "recording.ask_participants_to_consent_disclaimer": True}},
     "pass", "consent", "user", "asked to consent"),
    ("recording-consent", {"user": {"recording.recording_disclaimer": True,
                                    "recording.ask_participants_to_consent_disclaimer": False}},
     "violation", "notice", "user", "does not ask"),
    ("recording-consent", {"user": {"recording.recording_disclaimer": False}}, "violation", "off", "user",
     "no recording disclaimer"),
    ("recording-consent", {"user": {"recording.recording_disclaimer": True},
                           "account": {"recording.ask_participants_to_consent_disclaimer": True}},
     "pass", "consent", "user", "asked to consent"),
    ("recording-consent", {"user": {"recording.recording_disclaimer": True}}, "error", None, None,
     "cannot be judged"),
    ("recording-consent", {}, "error", None, None, "cannot be judged"),
    # local recording: one switch, lockable at group and account
    ("local-recording-off", {"user": {"recording.local_recording": False}}, "pass", False, "user", "is off"),
    ("local-recording-off", {"user": {"recording.local_recording": True}}, "violation", True, "user",
     "is on"),
    ("local-recording-off", {"user": {"recording.local_recording": False},
                             "account": {"recording.local_recording": True},
                             "account_lock": {"recording.local_recording": True}},
     "violation", True, "account_lock", "locked"),
    ("local-recording-off", {}, "error", None, None, "cannot be judged"),
    # guests identified: no user field, the group or the account decides
    ("guests-identified", {"group": {"in_meeting.alert_guest_join": True}}, "pass", True, "group", "Youth"),
    ("guests-identified", {"account": {"in_meeting.alert_guest_join": False}}, "violation", False, "account",
     "is off"),
    ("guests-identified", {"user": {"in_meeting.alert_guest_join": True}}, "error", None, None,
     "cannot be judged"),
    ("guests-identified", {"group": {"in_meeting.alert_guest_join": True},
                           "account": {"in_meeting.alert_guest_join": False},
                           "account_lock": {"in_meeting.alert_guest_join": True}},
     "violation", False, "account_lock", "locked"),
    # removed participants: no field anywhere, always a manual check
    ("removed-cannot-rejoin", {"user": {"in_meeting.allow_removed_participants_to_rejoin": False}},
     "manual", None, None, "Allow removed participants to rejoin"),
]  # fmt: skip


@pytest.mark.parametrize(("policy_id", "setup", "status", "actual", "source", "words"), CASES)
def test_verdicts(
    pack: PolicySet, policy_id: str, setup: Setup, status: str, actual: Any, source: Any, words: str
) -> None:
    finding = _finding(pack, policy_id, setup)
    assert (finding.status, finding.actual, finding.source) == (status, actual, source), finding.message
    assert words in finding.message


def test_every_new_policy_has_cases_and_is_on() -> None:
    pack = load_policies()
    assert {case[0] for case in CASES} == set(NEW_POLICIES)
    for policy_id in NEW_POLICIES:
        policy = pack.get(policy_id)
        assert policy is not None, policy_id
        assert policy.enabled, policy_id
        assert policy.references, policy_id


@pytest.mark.parametrize(
    ("policy_id", "severity"),
    [("continuous-chat-off", "high"), ("ai-summary-off", "high"), ("recording-consent", "medium"),
     ("local-recording-off", "medium"), ("guests-identified", "low"), ("removed-cannot-rejoin", "medium")],
)  # fmt: skip
def test_severities(pack: PolicySet, policy_id: str, severity: str) -> None:
    policy = pack.get(policy_id)
    assert policy is not None
    assert policy.severity == severity


@pytest.mark.parametrize(
    ("policy_id", "path", "query", "body"),
    [
        ("continuous-chat-off", "/meetings/9", {},
         {"settings": {"continuous_meeting_chat": {"enable": False}}}),
        ("ai-summary-off", "/meetings/9", {}, {"settings": {"auto_start_meeting_summary": False}}),
        ("recording-consent", "/users/u1/settings", {},
         {"recording": {"recording_disclaimer": True, "ask_participants_to_consent_disclaimer": True}}),
        ("local-recording-off", "/users/u1/settings", {}, {"recording": {"local_recording": False}}),
        ("guests-identified", "/groups/g1/settings", {}, {"in_meeting": {"alert_guest_join": True}}),
    ],
)  # fmt: skip
def test_default_fix_requests(
    pack: PolicySet, policy_id: str, path: str, query: dict[str, str], body: dict[str, Any]
) -> None:
    policy = pack.get(policy_id)
    assert policy is not None
    assert policy.fix is not None
    assert policy.fix.mode == "suggest"
    request = fix_request(
        CATALOGUE[policy.control],
        policy.fix.tier,
        policy.fix.value,
        meeting_id=9,
        user_id="u1",
        group_id="g1",
    )
    assert (request.method, request.path, request.query, request.body) == ("PATCH", path, query, body)


@pytest.mark.parametrize(
    ("value", "fields"),
    [("off", {_DISCLAIMER: False}),
     ("notice", {_DISCLAIMER: True, _ASK: False}),
     ("consent", {_DISCLAIMER: True, _ASK: True})],
)  # fmt: skip
def test_recording_consent_encodes_both_fields(value: str, fields: dict[str, bool]) -> None:
    assert CATALOGUE["recording_consent"].fix_fields("user", value) == fields


def test_the_new_fields_need_no_option_view() -> None:
    """All of them are in the default settings view: the collector asks for no extra option."""
    assert Needs.for_controls(RECORDS_AND_PRESENCE).options == frozenset()


def test_every_new_control_cites_current_sources() -> None:
    for control in RECORDS_AND_PRESENCE:
        assert control.sources, control.name
        assert any("rivet-javascript 0.4.0" in s or "support.zoom.com" in s for s in control.sources), (
            control.name
        )
        assert not any("settings-map" in s for s in control.sources), control.name


def test_removed_rejoin_is_manual_and_says_where_to_set_it() -> None:
    control = CATALOGUE["removed_rejoin"]
    assert control.manual
    assert "Allow removed participants to rejoin" in control.guidance
    assert "In Meeting (Basic)" in control.guidance


@pytest.mark.parametrize(
    ("control", "tiers"),
    [("continuous_chat", {"meeting", "user", "group", "account", "group_lock", "account_lock"}),
     ("ai_summary", {"meeting", "user", "account"}),
     ("recording_consent", {"user", "account"}),
     ("local_recording", {"user", "group", "account", "group_lock", "account_lock"}),
     ("guest_alert", {"group", "account", "group_lock", "account_lock"})],
)  # fmt: skip
def test_tiers_follow_zooms_types(control: str, tiers: set[str]) -> None:
    assert set(CATALOGUE[control].fixable_tiers()) == tiers
