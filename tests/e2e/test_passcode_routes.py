"""The phone passcode and the passcode in join links, end to end: zoomaudit audits the demo
organisation served on loopback HTTP, a safeguarding lead approves each suggested fix, Zoom (the
sandbox) keeps it and a new audit passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import cli, findings_for
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings

pytestmark = pytest.mark.e2e

PHONE = "Befriending by phone: Thursday check-in"
GAMING = "Gaming club (ages 13-16)"
MEETUP = "Peer mentors meetup"
NO_PASSCODE = "Volunteer rota catch-up"


# (meeting, policy, words in the violation, the fix's request body, the user setting Zoom then
# holds under each of its two names)
FIXES: list[tuple[str, str, str, dict[str, Any], tuple[str, str], bool]] = [
    (PHONE, "phone-passcode-required", "not required",
     {"schedule_meeting": {"pstn_password_protected": True}},
     ("schedule_meeting.pstn_password_protected", "meeting_security.phone_password"), True),
    (GAMING, "passcode-not-in-link", "carries the passcode",
     {"schedule_meeting": {"embed_password_in_join_link": False}},
     ("schedule_meeting.embed_password_in_join_link", "meeting_security.embed_password_in_join_link"), False),
]  # fmt: skip


def _user_setting(sandbox: RunningSandbox, topic: str, path: str) -> Any:
    host = sandbox.state.users[sandbox.state.meeting_by_topic(topic)["host_id"]]
    node: Any = host.settings
    for part in path.split("."):
        node = node[part]
    return node


@pytest.mark.parametrize(("topic", "policy_id", "words", "body", "names", "value"), FIXES)
def test_audit_approve_reaudit(
    sandbox: RunningSandbox,
    settings: Settings,
    topic: str,
    policy_id: str,
    words: str,
    body: dict[str, Any],
    names: tuple[str, str],
    value: bool,
) -> None:
    [before] = findings_for(settings, sandbox, topic, policy_id)
    assert (before.status, before.source) == ("violation", "user"), before.message
    assert words in before.message

    listed = cli("fixes", "list", "--format", "json", "--status", "pending", "--policy", policy_id)
    assert listed.exit_code == 0, listed.output
    [fix] = json.loads(listed.output)
    assert fix["target"]["level"] == "user"
    assert (fix["request"]["method"], fix["request"]["body"]) == ("PATCH", body)
    approved = cli("fixes", "approve", fix["id"], "--by", "Priya Shah")
    assert approved.exit_code == 0, approved.output
    assert f"{fix['id']}: applied" in approved.output
    assert [_user_setting(sandbox, topic, name) for name in names] == [value, value]

    [after] = findings_for(settings, sandbox, topic, policy_id)
    assert after.status == "pass", after.message


def test_a_served_phone_passcode_is_no_evidence_and_is_never_reported(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    """Zoom serves every passcode meeting's numeric pstn_password, whether or not callers are asked
    for it: Nadia's setting decides, and the phone passcode never reaches a finding."""
    served = sandbox.state.meeting_by_topic(MEETUP)["password"]
    [finding] = findings_for(settings, sandbox, MEETUP, "phone-passcode-required")
    assert (finding.status, finding.source) == ("violation", "user")
    assert served not in finding.model_dump_json()


def test_a_meeting_without_a_passcode_is_left_to_passcode_required(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    assert findings_for(settings, sandbox, NO_PASSCODE, "phone-passcode-required") == []
    [missing] = findings_for(settings, sandbox, NO_PASSCODE, "passcode-required")
    assert missing.status == "violation"


def test_an_unknown_phone_setting_is_an_error_not_a_pass(sandbox: RunningSandbox, settings: Settings) -> None:
    """Zoom documents no default: with the setting stated nowhere, it cannot be judged."""
    for user in sandbox.state.users.values():
        for section, key in (
            ("schedule_meeting", "pstn_password_protected"),
            ("meeting_security", "phone_password"),
        ):
            user.settings.get(section, {}).pop(key, None)
    sandbox.state.account_settings["meeting_security"].pop("phone_password")
    [finding] = findings_for(settings, sandbox, PHONE, "phone-passcode-required")
    assert finding.status == "error"
    assert "cannot be judged" in finding.message
