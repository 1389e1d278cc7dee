"""The demo organisation: Brightpath Youth & Wellbeing, a charity on a Zoom Business account.

Thirteen staff and volunteers in four groups (youth workers, counsellors, volunteers, admins) host
about forty sessions: 1:1 support, youth groups, peer-support circles, counselling, volunteer
training and a public talk. Their settings are a realistic mix of safe and unsafe, decided at
every tier; tests/sandbox/demo_cases.py lists the designed cases and docs/sandbox.md tells the
story. Dates are relative to the moment the state is built (every session is still to come but
one, which ended last month); everything else is fixed.

This module assembles ``demo_state()``; the people are in ``demo_people``, the meeting rows in
``demo_meetings`` (the row type), ``demo_meetings_staff`` and ``demo_meetings_support``, and the
ways round a passcode in ``demo_passcodes``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from zoomaudit.sandbox.defaults import account_locks, account_settings
from zoomaudit.sandbox.demo_meetings import DemoMeeting, add_demo_meeting, s
from zoomaudit.sandbox.demo_meetings_staff import ADMIN_MEETINGS, YOUTH_MEETINGS
from zoomaudit.sandbox.demo_meetings_support import COUNSELLING_MEETINGS, VOLUNTEER_MEETINGS
from zoomaudit.sandbox.demo_passcodes import passcode_routes
from zoomaudit.sandbox.demo_people import COUNSELLORS, DOMAIN, VOLUNTEERS, add_people, add_pmi_rooms
from zoomaudit.sandbox.state import SandboxState, SandboxUser

ACCOUNT_ID = "BrightpathDemoAcct01"
CLIENT_ID = "sandboxDemoClientId"
CLIENT_SECRET = "sandbox-demo-secret-not-a-real-one"  # noqa: S105 - a fixed secret for a local fake

# The occurrence of the Tuesday drop-in whose own stored settings differ: the next one, which is
# the one zoomaudit reads by default (ZOOMAUDIT_OCCURRENCES=1).
OVERRIDDEN_OCCURRENCE = 0

# The scheduled sessions in the order they are stored (meeting ids follow it).
MEETINGS: list[DemoMeeting] = [*ADMIN_MEETINGS, *YOUTH_MEETINGS, *COUNSELLING_MEETINGS, *VOLUNTEER_MEETINGS]


def demo_state(now: datetime | None = None) -> SandboxState:
    """A fresh copy of the demo organisation with meetings in the coming weeks."""
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    state = SandboxState(ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET, plan="business", built_at=now)
    state.account_settings = account_settings(DOMAIN)
    state.account_locks = account_locks()
    # Join before host is off and locked for the whole account (a deliberate admin choice).
    state.account_locks["schedule_meeting"]["join_before_host"] = True
    state.account_locks["meeting_security"]["auto_security"] = True
    users, gid = add_people(state)
    created = today - timedelta(days=21)
    add_pmi_rooms(state, users, created)
    _add_meetings(state, users, MEETINGS, first_id=84100200300, today=today, created=created)
    # One evening of the Tuesday drop-in ran as an open session: its waiting room was turned off.
    drop_in = state.meeting_by_topic("Youth club online: Tuesday drop-in")
    occ = drop_in["occurrences"][OVERRIDDEN_OCCURRENCE]["occurrence_id"]
    state.occurrence_overrides[(drop_in["id"], occ)] = {"settings": {"waiting_room": False}}
    _records_and_presence(state, users, gid, created)
    _hidden_passcode(state, users, created)
    _past_session(state, users, created)
    _tonight_session(state, users, now)
    passcode_routes(
        state, users, state.groups[gid[COUNSELLORS]], created, len(MEETINGS) + len(LATER_MEETINGS)
    )
    return state


# What sessions leave behind and who is in the room (docs/sandbox.md, "Chat channels, summaries,
# recordings and guests"): two more sessions, and settings of the account, two groups and three
# hosts. Meeting ids come from their own range so the meetings above keep theirs.
LATER_MEETINGS: list[DemoMeeting] = [
    # A youth group whose chat channel stays open between sessions, with outsiders added to it.
    DemoMeeting(
        host="sian",
        topic="Youth group: music makers",
        type=8,
        day=5,
        hour=17,
        duration=60,
        passcode="Mu5ic7mk",
        settings=s(
            continuous_meeting_chat={
                "enable": True,
                "auto_add_invited_external_users": True,
                "auto_add_meeting_participants": True,
            }
        ),
        alternative_host="jade",
    ),
    # A counselling session whose AI summary starts by itself and goes to every invitee.
    DemoMeeting(
        host="amira",
        topic="Counselling session: client C-0468",
        type=2,
        day=10,
        hour=10,
        duration=50,
        passcode="Cs6c0468r",
        settings=s(auto_start_meeting_summary=True, who_will_receive_summary=4),
        alternative_host="owen",
    ),
]


def _add_meetings(
    state: SandboxState,
    users: dict[str, SandboxUser],
    rows: list[DemoMeeting],
    *,
    first_id: int,
    today: datetime,
    created: datetime,
) -> None:
    """Add ``rows`` in order: ids ``first_id`` a prime apart, created an hour apart from ``created``."""
    for n, row in enumerate(rows):
        add_demo_meeting(
            state,
            users,
            row,
            meeting_id=first_id + n * 7919,
            today=today,
            created=created + timedelta(hours=n),
        )


def _records_and_presence(
    state: SandboxState, users: dict[str, SandboxUser], gid: dict[str, str], created: datetime
) -> None:
    # Local recording is off for the account and locked off for counsellors; Dan turned it on.
    state.account_settings["recording"]["local_recording"] = False
    counsellors = state.groups[gid[COUNSELLORS]]
    counsellors.settings.setdefault("recording", {})["local_recording"] = False
    counsellors.locks.setdefault("recording", {})["local_recording"] = True
    users["dan"].settings.setdefault("recording", {})["local_recording"] = True
    # The volunteers' group does not mark guests.
    state.groups[gid[VOLUNTEERS]].settings.setdefault("in_meeting", {})["alert_guest_join"] = False
    # Tom has every meeting summarised automatically for the hosts; Owen's recording disclaimer
    # informs people but does not ask for their consent.
    users["tom"].settings.setdefault("in_meeting", {})["meeting_summary_with_ai_companion"] = {
        "enable": True,
        "auto_enable": True,
        "who_will_receive_summary": 2,
    }
    users["owen"].settings.setdefault("recording", {})["ask_participants_to_consent_disclaimer"] = False
    today = created + timedelta(days=21)
    _add_meetings(
        state,
        users,
        LATER_MEETINGS,
        first_id=84100900100,
        today=today,
        created=created + timedelta(hours=len(MEETINGS)),
    )


# A session whose GET /meetings/{id} answer has no password key (Zoom leaves it out for some
# callers, current-zoom.md); its join_url still carries the passcode as pwd=, so it has a passcode
# (passcode-required passes) whose strength cannot be judged (passcode-strength: error).
HIDDEN_PASSCODE = DemoMeeting(
    host="ben",
    topic="Study skills club",
    type=2,
    day=9,
    hour=16,
    duration=45,
    passcode="St4dy8cl",
    settings={"waiting_room": True},
    alternative_host="grace",
)


def _hidden_passcode(state: SandboxState, users: dict[str, SandboxUser], created: datetime) -> None:
    # Ben still puts the passcode in his join links (the account keeps it out by default), so the
    # link's pwd= is what shows the club has a passcode.
    users[HIDDEN_PASSCODE.host].settings.setdefault("schedule_meeting", {})["embed_password_in_join_link"] = (
        True
    )
    add_demo_meeting(
        state,
        users,
        HIDDEN_PASSCODE,
        meeting_id=84101000100,
        today=created + timedelta(days=21),
        created=created + timedelta(hours=len(MEETINGS) + len(LATER_MEETINGS)),
        hide_password=True,
    )


# A session that is over: a one-off planning meeting that ended last month. ``type=scheduled``
# still lists it, as Zoom lists unexpired past meetings; an audit counts it as past and judges
# nothing of it, although its waiting room is off (docs/usage.md, "Start times and past sessions").
PAST_SESSION = DemoMeeting(
    host="priya",
    topic="Summer holiday club planning",
    type=2,
    day=-30,
    hour=10,
    duration=60,
    passcode="Su3mmerHc",
    settings=s(waiting_room=False),
    alternative_host="tom",
)


# A session later today: a one-off games night booked this morning for this evening, two to three
# hours from now whatever the hour the demo runs, so "Starting soon" opens with a session of
# today. Its host left the waiting room off: the unsafe session a lead must deal with first.
TONIGHT_SESSION = DemoMeeting(
    host="jade",
    topic="Online games night",
    type=2,
    day=0,
    hour=0,
    duration=90,
    passcode="Ga7mesNt",
    settings=s(waiting_room=False),
    alternative_host="sian",
)


def _tonight_session(state: SandboxState, users: dict[str, SandboxUser], now: datetime) -> None:
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)
    add_demo_meeting(
        state, users, TONIGHT_SESSION, meeting_id=84101200100, today=start, created=now - timedelta(hours=6)
    )


def _past_session(state: SandboxState, users: dict[str, SandboxUser], created: datetime) -> None:
    add_demo_meeting(
        state,
        users,
        PAST_SESSION,
        meeting_id=84101100100,
        today=created + timedelta(days=21),
        created=created - timedelta(days=14),
    )


def overridden_occurrence(state: SandboxState) -> tuple[int, str]:
    """(meeting id, occurrence id) of the drop-in occurrence with its own settings."""
    drop_in = state.meeting_by_topic("Youth club online: Tuesday drop-in")
    return drop_in["id"], drop_in["occurrences"][OVERRIDDEN_OCCURRENCE]["occurrence_id"]
