"""Continuous chat, AI summaries, recording consent, local recording, guest alerts and removed
participants, end to end: zoomaudit audits the demo organisation served on loopback HTTP, a
safeguarding lead approves each suggested fix, Zoom (the sandbox) keeps it and a new audit passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import audit, cli, findings_for, pending_fix, report_of
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings

pytestmark = pytest.mark.e2e

MUSIC = "Youth group: music makers"
C0468 = "Counselling session: client C-0468"
THERAPY = "Group therapy: anxiety skills"
DEBRIEF = "Detached youth work debrief"
BEFRIEND = "Befriending call: R.M."


# (meeting, policy, words in the violation, the fix's target level and request body, what Zoom
# then holds, as (where, dotted path, value))
FIXES: list[tuple[str, str, str, str, dict[str, Any], tuple[str, str, Any]]] = [
    (MUSIC, "continuous-chat-off", "outside the organisation", "meeting",
     {"settings": {"continuous_meeting_chat": {"enable": False}}},
     ("meeting", "continuous_meeting_chat.enable", False)),
    (C0468, "ai-summary-off", "every invitee", "meeting",
     {"settings": {"auto_start_meeting_summary": False}},
     ("meeting", "auto_start_meeting_summary", False)),
    (THERAPY, "recording-consent", "does not ask", "user",
     {"recording": {"recording_disclaimer": True, "ask_participants_to_consent_disclaimer": True}},
     ("user", "recording.ask_participants_to_consent_disclaimer", True)),
    (DEBRIEF, "local-recording-off", "local recording is on", "user",
     {"recording": {"local_recording": False}},
     ("user", "recording.local_recording", False)),
    (BEFRIEND, "guests-identified", "Volunteers", "group",
     {"in_meeting": {"alert_guest_join": True}},
     ("group", "in_meeting.alert_guest_join", True)),
]  # fmt: skip


def _held(sandbox: RunningSandbox, topic: str, where: str, path: str) -> Any:
    meeting = sandbox.state.meeting_by_topic(topic)
    host = sandbox.state.users[meeting["host_id"]]
    node: Any = {
        "meeting": meeting["settings"],
        "user": host.settings,
        "group": sandbox.state.groups[host.group_ids[0]].settings,
    }[where]
    for part in path.split("."):
        node = node[part]
    return node


@pytest.mark.parametrize(("topic", "policy_id", "words", "level", "body", "held"), FIXES)
def test_audit_approve_reaudit(
    sandbox: RunningSandbox,
    settings: Settings,
    topic: str,
    policy_id: str,
    words: str,
    level: str,
    body: dict[str, Any],
    held: tuple[str, str, Any],
) -> None:
    [before] = findings_for(settings, sandbox, topic, policy_id)
    assert before.status == "violation", before.message
    assert words in before.message

    fix = pending_fix(policy_id)
    assert fix["target"]["level"] == level
    assert fix["request"]["method"] == "PATCH"
    assert fix["request"]["body"] == body
    approved = cli("fixes", "approve", fix["id"], "--by", "Priya Shah")
    assert approved.exit_code == 0, approved.output
    assert f"{fix['id']}: applied" in approved.output  # applied and read back by zoomaudit
    where, path, value = held
    assert _held(sandbox, topic, where, path) == value

    [after] = findings_for(settings, sandbox, topic, policy_id)
    assert after.status == "pass", after.message


def test_every_session_asks_for_the_rejoin_check_by_hand(sandbox: RunningSandbox, settings: Settings) -> None:
    outcome = audit(settings)
    assert outcome.complete
    findings = report_of(settings, outcome.run_id).findings
    rejoin = [f for f in findings if f.policy_id == "removed-cannot-rejoin"]
    audited = {f.meeting_id for f in findings}
    assert {f.meeting_id for f in rejoin} == audited
    assert {f.status for f in rejoin} == {"manual"}
    assert all("Allow removed participants to rejoin" in f.message for f in rejoin)
    listed = cli("fixes", "list", "--format", "json", "--policy", "removed-cannot-rejoin")
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == []  # no API field, so nothing to fix


def test_an_unknown_setting_is_an_error_not_a_pass(sandbox: RunningSandbox, settings: Settings) -> None:
    """Zoom documents no default: with the consent flag stated nowhere, consent cannot be judged."""
    for user in sandbox.state.users.values():
        user.settings.get("recording", {}).pop("ask_participants_to_consent_disclaimer", None)
    sandbox.state.account_settings["recording"].pop("ask_participants_to_consent_disclaimer")
    [finding] = findings_for(settings, sandbox, THERAPY, "recording-consent")
    assert finding.status == "error"
    assert "cannot be judged" in finding.message
