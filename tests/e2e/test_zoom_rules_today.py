"""Issue 12's corrected rules end to end, against the sandbox on loopback HTTP: focus mode needs
the meeting and the feature, private chat is read in Zoom's current chat model, and the passcode
rules of the auditor, the fix generator and the sandbox agree."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.e2e.conftest import audit, report_of
from zoomaudit.errors import ZoomApiError
from zoomaudit.findings import Finding
from zoomaudit.fixes.passcode import generate_passcode
from zoomaudit.policy import PolicySet, load_policies
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.vocabulary import MeetingsScope
from zoomaudit.zoom.client import ZoomClient

pytestmark = pytest.mark.e2e

PUBLIC_TALK = "Public talk: Keeping young people safe online"
FILM = "Youth group: film night"
C0412 = "Counselling session: client C-0412"
TRUSTEES = "Trustees board meeting"
FOCUS = "in_meeting.attention_mode_focus_mode"


def _policies(*ids: str) -> PolicySet:
    pack = load_policies()
    chosen = [p.model_copy(update={"enabled": True}) for p in pack.policies if p.id in ids]
    for policy in chosen:
        policy.compile()
    return PolicySet.build(chosen, "test")


def _finding(settings: Settings, sandbox: RunningSandbox, topic: str, policy_id: str) -> Finding:
    meeting_id = int(sandbox.state.meeting_by_topic(topic)["id"])
    outcome = audit(settings, MeetingsScope.of(meeting_id), policies=_policies(policy_id))
    assert outcome.complete
    [finding] = [f for f in report_of(settings, outcome.run_id).findings if f.policy_id == policy_id]
    return finding


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *heads, last = path.split(".")
    for head in heads:
        doc = doc.setdefault(head, {})
    doc[last] = value


def _host(sandbox: RunningSandbox, topic: str) -> Any:
    return sandbox.state.users[sandbox.state.meeting_by_topic(topic)["host_id"]]


# --- focus mode ------------------------------------------------------------------------------


def test_focus_mode_on_in_the_meeting_and_available_passes(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    finding = _finding(settings, sandbox, PUBLIC_TALK, "focus-mode")
    assert (finding.status, finding.source) == ("pass", "meeting")


def test_a_lock_on_focus_modes_availability_does_not_start_a_meeting_in_it(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    # The old false pass: the account locks the feature on, the film night does not use it.
    _set(sandbox.state.account_settings, FOCUS, True)
    _set(sandbox.state.account_locks, FOCUS, True)
    finding = _finding(settings, sandbox, FILM, "focus-mode")
    assert finding.status == "violation"
    assert "does not start in focus mode" in finding.message


def test_focus_mode_unavailable_to_the_host_fails_a_meeting_that_asks_for_it(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    _set(_host(sandbox, PUBLIC_TALK).settings, FOCUS, False)
    finding = _finding(settings, sandbox, PUBLIC_TALK, "focus-mode")
    assert finding.status == "violation"
    assert "not available to the host" in finding.message


# --- private chat in Zoom's current chat model -----------------------------------------------


@pytest.mark.parametrize(
    ("chat_with", "status"),
    [(4, "violation"), (3, "pass"), (2, "pass"), (1, "pass"), (9, "error")],
)
def test_private_chat_follows_who_participants_may_chat_with(
    sandbox: RunningSandbox, settings: Settings, chat_with: int, status: str
) -> None:
    _set(_host(sandbox, TRUSTEES).settings, "in_meeting.allow_participants_chat_with", chat_with)
    finding = _finding(settings, sandbox, TRUSTEES, "private-chat-off")
    assert finding.status == status, finding.message
    if status == "error":
        assert "cannot be judged" in finding.message


# --- one passcode rule set ---------------------------------------------------------------------


def _requirement(sandbox: RunningSandbox, **rules: Any) -> None:
    for section in ("schedule_meeting", "meeting_security"):
        sandbox.state.account_settings[section]["meeting_password_requirement"].update(rules)


def _patch_passcode(settings: Settings, meeting_id: int, passcode: str) -> None:
    async def go() -> None:
        async with ZoomClient(settings) as zoom:
            await zoom.update_meeting(meeting_id, {"password": passcode})

    asyncio.run(go())


@pytest.mark.parametrize("passcode", ["1111aaaa", "Kite1234x", "qwert77Q", "abcd9876"])
def test_a_passcode_with_a_run_fails_everywhere(
    sandbox: RunningSandbox, settings: Settings, passcode: str
) -> None:
    """With runs of 4 forbidden, Zoom (the sandbox) refuses the passcode, the auditor fails a meeting
    that stores it, and the generator never produces one like it."""
    _requirement(sandbox, consecutive_characters_length=4)
    meeting = sandbox.state.meeting_by_topic(TRUSTEES)
    before = meeting["password"]
    with pytest.raises(ZoomApiError) as refused:
        _patch_passcode(settings, int(meeting["id"]), passcode)
    assert refused.value.status == 400
    assert meeting["password"] == before
    meeting["password"] = passcode  # stored before the account's rule changed
    finding = _finding(settings, sandbox, TRUSTEES, "passcode-strength")
    assert finding.status == "violation"
    assert "consecutive" in finding.message
    assert passcode not in finding.model_dump_json()


def test_a_generated_passcode_is_accepted_and_passes(sandbox: RunningSandbox, settings: Settings) -> None:
    _requirement(sandbox, consecutive_characters_length=4, length=8, have_special_character=True)
    meeting = sandbox.state.meeting_by_topic(TRUSTEES)
    passcode = generate_passcode(
        sandbox.state.account_settings["schedule_meeting"]["meeting_password_requirement"]
    )
    _patch_passcode(settings, int(meeting["id"]), passcode)
    assert meeting["password"] == passcode
    finding = _finding(settings, sandbox, TRUSTEES, "passcode-strength")
    assert finding.status == "pass", finding.message
