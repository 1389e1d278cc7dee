"""The demo organisation's people: its four groups, its staff and volunteers and their PMI rooms.

Part of ``zoomaudit.sandbox.demo`` (which assembles ``demo_state()``); the designed cases are in
tests/sandbox/demo_cases.py and docs/sandbox.md tells the story.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from zoomaudit.sandbox.build import pmi_meeting
from zoomaudit.sandbox.defaults import zoom_id
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

DOMAIN = "brightpath.org.uk"

YOUTH, COUNSELLORS, VOLUNTEERS, ADMINS = "grp-youth", "grp-counsellors", "grp-volunteers", "grp-admins"


def groups() -> list[SandboxGroup]:
    return [
        SandboxGroup(
            zoom_id(YOUTH),
            "Youth workers",
            settings={
                "schedule_meeting": {"mute_upon_entry": True},
                "in_meeting": {"private_chat": False, "allow_participants_chat_with": 3},
            },
            # Youth workers may not turn private chat back on, and everyone joins muted.
            locks={
                "schedule_meeting": {"mute_upon_entry": True},
                "in_meeting": {"private_chat": True, "allow_participants_chat_with": True},
            },
            priority=3,
        ),
        SandboxGroup(
            zoom_id(COUNSELLORS),
            "Counsellors",
            settings={
                "schedule_meeting": {"mute_upon_entry": True},
                "in_meeting": {"waiting_room": True, "annotation": False},
                "meeting_security": {"waiting_room": True},
            },
            # Counselling sessions always use the waiting room, whatever a meeting says.
            locks={"in_meeting": {"waiting_room": True}, "meeting_security": {"waiting_room": True}},
            priority=1,
        ),
        SandboxGroup(
            zoom_id(VOLUNTEERS),
            "Volunteers",
            settings={"schedule_meeting": {"mute_upon_entry": False}},
            # Zoom's group priority (not in its API): Volunteers rank above Youth workers, so a
            # volunteer who also joined Youth workers is not bound by that group's locks.
            priority=2,
        ),
        SandboxGroup(zoom_id(ADMINS), "Admins", priority=4),
    ]


@dataclass(frozen=True, kw_only=True)
class DemoPerson:
    """One member of staff or volunteer; ``key`` names them in the demo's meeting rows and oracle."""

    key: str
    first: str
    last: str
    groups: tuple[str, ...]
    """Group keys (``YOUTH`` ...), in the order the person joined them."""
    role: str
    dept: str
    settings: Doc
    """The user's own settings (sparse)."""


PEOPLE: list[DemoPerson] = [
    DemoPerson(
        key="priya", first="Priya", last="Shah", groups=(ADMINS,), role="0", dept="Safeguarding", settings={}
    ),
    DemoPerson(
        key="tom", first="Tom", last="Bennett", groups=(ADMINS,), role="1", dept="Operations", settings={}
    ),
    # Jade lets anyone who bypassed the waiting room admit others.
    DemoPerson(
        key="jade",
        first="Jade",
        last="Okafor",
        groups=(YOUTH,),
        role="2",
        dept="Youth work",
        settings={
            "meeting_security": {
                "waiting_room_settings": {"users_who_can_admit_participants_from_waiting_room": 1}
            }
        },
    ),
    # Marcus lets every participant share their screen and schedules on his PMI.
    DemoPerson(
        key="marcus",
        first="Marcus",
        last="Reid",
        groups=(YOUTH,),
        role="2",
        dept="Youth work",
        settings={
            "in_meeting": {
                "who_can_share_screen": "all",
                "who_can_share_screen_when_someone_is_sharing": "all",
            },
            "schedule_meeting": {"use_pmi_for_scheduled_meetings": True},
        },
    ),
    DemoPerson(
        key="sian", first="Sian", last="Hughes", groups=(YOUTH,), role="2", dept="Youth work", settings={}
    ),
    DemoPerson(
        key="dan",
        first="Dan",
        last="Whitfield",
        groups=(YOUTH,),
        role="2",
        dept="Detached youth work",
        settings={
            "in_meeting": {"breakout_room": False, "breakout_room_schedule": False, "annotation": True}
        },
    ),
    DemoPerson(
        key="amira",
        first="Amira",
        last="Haddad",
        groups=(COUNSELLORS,),
        role="2",
        dept="Counselling",
        settings={"meeting_authentication": True},
    ),
    DemoPerson(
        key="leah",
        first="Leah",
        last="Morgan",
        groups=(COUNSELLORS, VOLUNTEERS),
        role="2",
        dept="Counselling",
        settings={},
    ),
    DemoPerson(
        key="owen",
        first="Owen",
        last="Price",
        groups=(COUNSELLORS,),
        role="2",
        dept="Counselling",
        settings={},
    ),
    DemoPerson(
        key="grace",
        first="Grace",
        last="Adeyemi",
        groups=(VOLUNTEERS,),
        role="2",
        dept="Volunteer programme",
        settings={"in_meeting": {"private_chat": False, "allow_participants_chat_with": 3}},
    ),
    DemoPerson(
        key="ben",
        first="Ben",
        last="Carter",
        groups=(VOLUNTEERS,),
        role="2",
        dept="Volunteer programme",
        settings={
            "in_meeting": {
                "file_transfer": True,
                "closed_caption": False,
                "closed_captioning": {"enable": False, "auto_transcribing": False, "save_caption": False},
            },
            "recording": {"auto_recording": "cloud"},
        },
    ),
    DemoPerson(
        key="nadia",
        first="Nadia",
        last="Kowalski",
        groups=(VOLUNTEERS,),
        role="2",
        dept="Befriending",
        settings={},
    ),
    # Kemi, a volunteer mentor, was added to Youth workers as well. Zoom lists Youth workers first,
    # but Volunteers rank higher: Youth workers' locks (private chat off, muted on entry) do not
    # bind her. Without ZOOMAUDIT_GROUP_PRIORITY the two groups' disagreement cannot be judged.
    DemoPerson(
        key="kemi",
        first="Kemi",
        last="Adebayo",
        groups=(YOUTH, VOLUNTEERS),
        role="2",
        dept="Volunteer mentoring",
        settings={},
    ),
]
INACTIVE = DemoPerson(
    key="sam",
    first="Sam",
    last="Lee",
    groups=(VOLUNTEERS,),
    role="2",
    dept="Volunteer programme",
    settings={},
)

# Hosts who schedule on their Personal Meeting ID; everyone else has PMI switched off
# (schedule_meeting.personal_meeting false), though every user still has a PMI room.
PMI_USERS = ("marcus", "owen", "nadia")
QUIET_PMI: Doc = {
    "waiting_room": True,
    "join_before_host": False,
    "mute_upon_entry": True,
    "host_video": True,
    "participant_video": False,
    "use_pmi": True,
}

# Personal Meeting ID rooms of the PMI users: passcode and stored settings.
PMI_ROOMS: dict[str, tuple[str, Doc]] = {
    "marcus": (
        "445566",
        {
            "waiting_room": False,
            "join_before_host": True,
            "mute_upon_entry": False,
            "host_video": True,
            "participant_video": True,
            "use_pmi": True,
        },
    ),
    "owen": (
        "778899",
        {
            "waiting_room": True,
            "join_before_host": False,
            "mute_upon_entry": True,
            "host_video": True,
            "participant_video": False,
            "use_pmi": True,
        },
    ),
    "nadia": (
        "990011",
        {"waiting_room": True, "join_before_host": False, "host_video": True, "use_pmi": True},
    ),
}


def add_people(state: SandboxState) -> tuple[dict[str, SandboxUser], dict[str, str]]:
    """Add the groups and users; return the users by key and the group ids by group key."""
    by_name = {g.name: g for g in groups()}
    gid = {
        YOUTH: by_name["Youth workers"].id,
        COUNSELLORS: by_name["Counsellors"].id,
        VOLUNTEERS: by_name["Volunteers"].id,
        ADMINS: by_name["Admins"].id,
    }
    for group in by_name.values():
        state.add_group(group)
    users: dict[str, SandboxUser] = {}
    for n, person in enumerate([*PEOPLE, INACTIVE]):
        email = f"{person.first}.{person.last}@{DOMAIN}".lower()
        user = SandboxUser(
            id=zoom_id(email),
            email=email,
            first_name=person.first,
            last_name=person.last,
            pmi=5550100100 + n * 1111,
            role_id=person.role,
            dept=person.dept,
            group_ids=[gid[g] for g in person.groups],
            created_at=f"202{2 + n % 3}-0{1 + n % 9}-1{n % 10}T09:00:00Z",
            settings=copy.deepcopy(person.settings)
            if person.key in PMI_USERS
            else _with_pmi_off(person.settings),
            status="inactive" if person.key == "sam" else "active",
        )
        users[person.key] = state.add_user(user)
    return users, gid


def add_pmi_rooms(state: SandboxState, users: dict[str, SandboxUser], created: datetime) -> None:
    """Every user's Personal Meeting ID meeting: the PMI users' rooms as designed, the rest quiet."""
    for n, (key, user) in enumerate(users.items()):
        passcode, pmi_settings = PMI_ROOMS.get(key, (f"Pm{n}r{user.pmi % 10000}", QUIET_PMI))
        state.add_meeting(pmi_meeting(user, created, passcode, copy.deepcopy(pmi_settings)))


def _with_pmi_off(own: Doc) -> Doc:
    doc = copy.deepcopy(own)
    doc.setdefault("schedule_meeting", {})["personal_meeting"] = False
    return doc
