"""Passcode presence judged from the meeting, end to end against the sandbox: Zoom's answer for the
demo's Study skills club has no password key but a join_url with pwd= (issue 12 item 3)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import audit, report_of
from zoomaudit.findings import Finding
from zoomaudit.sandbox.build import HIDE_PASSWORD
from zoomaudit.sandbox.routes_meetings import meeting_body
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.vocabulary import MeetingsScope

pytestmark = pytest.mark.e2e

STUDY = "Study skills club"
PASSCODE_POLICIES = ("passcode-required", "passcode-strength")


def _passcode_findings(settings: Settings, sandbox: RunningSandbox, topic: str) -> dict[str, Finding]:
    meeting_id = int(sandbox.state.meeting_by_topic(topic)["id"])
    outcome = audit(settings, MeetingsScope.of(meeting_id))
    assert outcome.complete
    found = report_of(settings, outcome.run_id).findings
    return {f.policy_id: f for f in found if f.policy_id in PASSCODE_POLICIES}


def test_a_passcode_shown_only_by_the_join_url(sandbox: RunningSandbox, settings: Settings) -> None:
    stored = sandbox.state.meeting_by_topic(STUDY)
    served = meeting_body(sandbox.state, stored)
    assert "password" not in served
    assert "?pwd=" in served["join_url"]
    secrets = (stored["password"], served["encrypted_password"], served["join_url"])

    found = _passcode_findings(settings, sandbox, STUDY)
    assert found["passcode-required"].status == "pass", found["passcode-required"].message
    strength = found["passcode-strength"]
    assert strength.status == "error"
    assert "cannot be judged" in strength.message
    for finding in found.values():
        assert finding.source == "meeting"
        dumped = finding.model_dump_json()
        assert not any(secret in dumped for secret in secrets)


def test_without_pwd_the_encrypted_passcode_shows_one(sandbox: RunningSandbox, settings: Settings) -> None:
    """No password key and no pwd= (the host does not embed the passcode in the link): the
    encrypted_password still shows a passcode whose text is unknown."""
    meeting = sandbox.state.meeting_by_topic("Youth group: film night")
    meeting[HIDE_PASSWORD] = True
    host = sandbox.state.users[meeting["host_id"]]
    host.settings.setdefault("schedule_meeting", {})["embed_password_in_join_link"] = False
    served = meeting_body(sandbox.state, meeting)
    assert "password" not in served
    assert "pwd=" not in served["join_url"]
    assert served["encrypted_password"]
    assert served["pstn_password"].isdigit()

    found = _passcode_findings(settings, sandbox, "Youth group: film night")
    assert found["passcode-required"].status == "pass", found["passcode-required"].message
    assert found["passcode-strength"].status == "error"
    assert "encrypted_password" in found["passcode-strength"].message
