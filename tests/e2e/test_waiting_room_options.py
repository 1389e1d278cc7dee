"""Who actually waits, what happens when the host drops, and an E2EE session that relies on
dial-in, end to end: zoomaudit audits the demo organisation served on loopback HTTP, a safeguarding
lead approves the suggested fix, Zoom (the sandbox) keeps it and a new audit passes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import cli, findings_for, pending_fix
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings

pytestmark = pytest.mark.e2e

COOKING = "Youth group: cooking together"
TRUSTEES = "Trustees board meeting"
PUBLIC_TALK = "Public talk: Keeping young people safe online"
BEFRIEND = "Befriending call: R.M."
OPTIONS = ("meeting_security", "waiting_room_options")


def _approve(fix: dict[str, Any]) -> None:
    approved = cli("fixes", "approve", fix["id"], "--by", "Priya Shah")
    assert approved.exit_code == 0, approved.output
    assert f"{fix['id']}: applied" in approved.output


def _account_options(sandbox: RunningSandbox) -> dict[str, Any]:
    options: dict[str, Any] = sandbox.state.account_settings[OPTIONS[0]][OPTIONS[1]]
    return options


def test_an_outsiders_only_waiting_room_fails_until_everyone_waits(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    # The old false pass: the waiting room is on, so waiting-room passes.
    [room] = findings_for(settings, sandbox, COOKING, "waiting-room")
    assert room.status == "pass"
    [before] = findings_for(settings, sandbox, COOKING, "waiting-room-for-everyone")
    assert (before.status, before.source) == ("violation", "meeting")
    assert "only people from outside the organisation" in before.message

    fix = pending_fix("waiting-room-for-everyone")
    assert fix["target"]["level"] == "meeting"
    assert fix["request"]["body"] == {
        "settings": {"waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "everyone"}}
    }
    _approve(fix)
    held = sandbox.state.meeting_by_topic(COOKING)["settings"]["waiting_room_options"]
    assert held == {"mode": "custom", "who_goes_to_waiting_room": "everyone"}
    [after] = findings_for(settings, sandbox, COOKING, "waiting-room-for-everyone")
    assert after.status == "pass", after.message


def test_invited_users_bypassing_fails_every_session(sandbox: RunningSandbox, settings: Settings) -> None:
    _account_options(sandbox)["more_options"]["user_invited_by_host_can_bypass_waiting_room"] = True
    [finding] = findings_for(settings, sandbox, TRUSTEES, "waiting-room-for-everyone")
    assert finding.status == "violation"
    assert "users the host invited" in finding.message


def test_locked_account_options_decide_for_every_host(sandbox: RunningSandbox, settings: Settings) -> None:
    _account_options(sandbox).update({"locked": True, "admit_type": 2})
    [finding] = findings_for(settings, sandbox, TRUSTEES, "waiting-room-for-everyone")
    assert (finding.status, finding.source, finding.locked) == ("violation", "account_lock", True)


def test_host_drop_off_at_the_account_is_fixed_at_the_account(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    [before] = findings_for(settings, sandbox, TRUSTEES, "host-drop-to-waiting-room")
    assert (before.status, before.source) == ("pass", "account")
    _account_options(sandbox)["more_options"]["move_participants_to_waiting_room_when_host_dropped"] = False
    [off] = findings_for(settings, sandbox, TRUSTEES, "host-drop-to-waiting-room")
    assert off.status == "violation"

    fix = pending_fix("host-drop-to-waiting-room")
    assert fix["target"]["level"] == "account"
    assert fix["request"]["query"] == {"option": "meeting_security"}
    _approve(fix)
    assert (
        _account_options(sandbox)["more_options"]["move_participants_to_waiting_room_when_host_dropped"]
        is True
    )
    assert _account_options(sandbox)["admit_type"] == 1  # the PATCH changed only what it named
    [after] = findings_for(settings, sandbox, TRUSTEES, "host-drop-to-waiting-room")
    assert after.status == "pass", after.message


def test_a_session_without_a_waiting_room_gets_no_pointless_fix(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    [finding] = findings_for(settings, sandbox, PUBLIC_TALK, "host-drop-to-waiting-room")
    assert finding.status == "violation"
    assert "no waiting room" in finding.message
    listed = cli("fixes", "list", "--format", "json", "--policy", "host-drop-to-waiting-room")
    assert json.loads(listed.output) == []  # the option is on; the waiting room is what is missing


def test_an_e2ee_call_relying_on_dial_in_fails(sandbox: RunningSandbox, settings: Settings) -> None:
    [finding] = findings_for(settings, sandbox, BEFRIEND, "phone-dial-in-available")
    assert finding.status == "violation"
    assert "E2EE" in finding.message
