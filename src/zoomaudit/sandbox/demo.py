"""The demo organisation: Brightpath Youth & Wellbeing, a charity on a Zoom Business account.

Thirteen staff and volunteers in four groups (youth workers, counsellors, volunteers, admins) host
about forty sessions: 1:1 support, youth groups, peer-support circles, counselling, volunteer
training and a public talk. Their settings are a realistic mix of safe and unsafe, decided at
every tier; tests/sandbox/demo_cases.py lists the designed cases and docs/sandbox.md tells the
story. Dates are relative to the moment the state is built; everything else is fixed.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from zoomaudit.sandbox.build import meeting, pmi_meeting
from zoomaudit.sandbox.defaults import account_locks, account_settings, zoom_id
from zoomaudit.sandbox.demo_passcodes import passcode_routes
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

DOMAIN = "brightpath.org.uk"
ACCOUNT_ID = "BrightpathDemoAcct01"
CLIENT_ID = "sandboxDemoClientId"
CLIENT_SECRET = "sandbox-demo-secret-not-a-real-one"  # noqa: S105 - a fixed secret for a local fake

YOUTH, COUNSELLORS, VOLUNTEERS, ADMINS = "grp-youth", "grp-counsellors", "grp-volunteers", "grp-admins"

# The occurrence of the Tuesday drop-in whose own stored settings differ: the next one, which is
# the one zoomaudit reads by default (ZOOMAUDIT_OCCURRENCES=1).
OVERRIDDEN_OCCURRENCE = 0


def _groups() -> list[SandboxGroup]:
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


# (key, first, last, groups, role, dept, own settings) - keys are used below and in the oracle.
PEOPLE: list[tuple[str, str, str, tuple[str, ...], str, str, Doc]] = [
    ("priya", "Priya", "Shah", (ADMINS,), "0", "Safeguarding", {}),
    ("tom", "Tom", "Bennett", (ADMINS,), "1", "Operations", {}),
    (
        "jade",
        "Jade",
        "Okafor",
        (YOUTH,),
        "2",
        "Youth work",
        # Jade lets anyone who bypassed the waiting room admit others.
        {
            "meeting_security": {
                "waiting_room_settings": {"users_who_can_admit_participants_from_waiting_room": 1}
            }
        },
    ),
    (
        "marcus",
        "Marcus",
        "Reid",
        (YOUTH,),
        "2",
        "Youth work",
        # Marcus lets every participant share their screen and schedules on his PMI.
        {
            "in_meeting": {
                "who_can_share_screen": "all",
                "who_can_share_screen_when_someone_is_sharing": "all",
            },
            "schedule_meeting": {"use_pmi_for_scheduled_meetings": True},
        },
    ),
    ("sian", "Sian", "Hughes", (YOUTH,), "2", "Youth work", {}),
    (
        "dan",
        "Dan",
        "Whitfield",
        (YOUTH,),
        "2",
        "Detached youth work",
        {"in_meeting": {"breakout_room": False, "breakout_room_schedule": False, "annotation": True}},
    ),
    ("amira", "Amira", "Haddad", (COUNSELLORS,), "2", "Counselling", {"meeting_authentication": True}),
    ("leah", "Leah", "Morgan", (COUNSELLORS, VOLUNTEERS), "2", "Counselling", {}),
    ("owen", "Owen", "Price", (COUNSELLORS,), "2", "Counselling", {}),
    (
        "grace",
        "Grace",
        "Adeyemi",
        (VOLUNTEERS,),
        "2",
        "Volunteer programme",
        {"in_meeting": {"private_chat": False, "allow_participants_chat_with": 3}},
    ),
    (
        "ben",
        "Ben",
        "Carter",
        (VOLUNTEERS,),
        "2",
        "Volunteer programme",
        {
            "in_meeting": {
                "file_transfer": True,
                "closed_caption": False,
                "closed_captioning": {"enable": False, "auto_transcribing": False, "save_caption": False},
            },
            "recording": {"auto_recording": "cloud"},
        },
    ),
    ("nadia", "Nadia", "Kowalski", (VOLUNTEERS,), "2", "Befriending", {}),
    # Kemi, a volunteer mentor, was added to Youth workers as well. Zoom lists Youth workers first,
    # but Volunteers rank higher: Youth workers' locks (private chat off, muted on entry) do not
    # bind her. Without ZOOMAUDIT_GROUP_PRIORITY the two groups' disagreement cannot be judged.
    ("kemi", "Kemi", "Adebayo", (YOUTH, VOLUNTEERS), "2", "Volunteer mentoring", {}),
]
INACTIVE: tuple[str, str, str, tuple[str, ...], str, str, Doc] = (
    "sam",
    "Sam",
    "Lee",
    (VOLUNTEERS,),
    "2",
    "Volunteer programme",
    {},
)

SAFE: Doc = {
    "host_video": True,
    "participant_video": False,
    "join_before_host": False,
    "mute_upon_entry": True,
    "waiting_room": True,
    "use_pmi": False,
    "auto_recording": "none",
    "audio": "both",
    "approval_type": 2,
    "meeting_authentication": False,
    "focus_mode": False,
    "watermark": False,
    "encryption_type": "enhanced_encryption",
    # As Zoom's recorded GET meeting payload shows it: the meeting follows the host's setting.
    "waiting_room_options": {"mode": "follow_setting", "who_goes_to_waiting_room": "everyone"},
}


def s(**changes: Any) -> Doc:
    """SAFE settings with some keys changed; a value of ``...`` removes the key (not stated)."""
    out = copy.deepcopy(SAFE)  # nested settings objects must not be shared between meetings
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# (host, topic, type, day offset, hour, duration, password, settings, alternative host)
MEETINGS: list[tuple[str, str, int, int, int, int, str | None, Doc, str]] = [
    # Admins
    (
        "priya",
        "Safeguarding leads monthly review",
        8,
        3,
        10,
        60,
        "Rv7kq2Lm9x",
        s(meeting_authentication=True),
        "tom",
    ),
    (
        "priya",
        "Trustees board meeting",
        2,
        9,
        18,
        90,
        "Tb4nw8Qz",
        s(auto_recording="cloud", audio="voip"),
        "tom",
    ),
    (
        "priya",
        "Public talk: Keeping young people safe online",
        2,
        16,
        19,
        75,
        "Safe2026",
        s(waiting_room=False, approval_type=0, focus_mode=True, participant_video=False),
        "",
    ),
    ("priya", "Safeguarding training for volunteers", 2, 12, 14, 120, "Vt6safe8", s(approval_type=1), "tom"),
    ("tom", "Operations weekly", 8, 2, 9, 30, "Ops4week9", s(mute_upon_entry=...), "priya"),
    ("tom", "Fundraising committee", 2, 11, 17, 60, "Fund7rais", s(), ""),
    ("tom", "IT drop-in for staff", 3, 0, 0, 30, "It3drop8", s(), ""),
    # A screen-share-only meeting (type 10): audited like any scheduled session.
    (
        "tom",
        "Screen share: new volunteer portal walkthrough",
        10,
        5,
        11,
        30,
        "Vp6walk3x",
        s(waiting_room=False),
        "",
    ),
    # Youth workers
    ("jade", "Youth club online: Tuesday drop-in", 8, 4, 17, 90, "Yc8drop4", s(mute_upon_entry=...), "sian"),
    (
        "jade",
        "1:1 support: A.B. (Year 10)",
        2,
        5,
        16,
        45,
        "123456",
        s(participant_video=..., mute_upon_entry=...),
        "sian",
    ),
    ("jade", "Youth group: art and chat", 2, 6, 18, 60, "Art5chat2", s(join_before_host=True), "sian"),
    ("jade", "Summer residential: parents' information evening", 2, 20, 19, 60, "Res9info4", s(), "priya"),
    ("jade", "Youth club online: Friday games night", 8, 7, 18, 90, "Gn4fri8x", s(), "marcus"),
    ("marcus", "Gaming club (ages 13-16)", 8, 5, 18, 90, "445566", s(use_pmi=True), ""),
    (
        "marcus",
        "Youth group: film night",
        2,
        8,
        19,
        120,
        "Film7nt3",
        s(waiting_room=..., focus_mode=False),
        "jade",
    ),
    ("marcus", "1:1 catch-up: K.T.", 2, 6, 15, 30, "445566", s(use_pmi=True), ""),
    ("sian", "Youth forum planning", 3, 0, 0, 60, "", s(), "jade"),
    ("sian", "Exam stress workshop", 2, 10, 17, 60, "Ex4mstr3", s(mute_upon_entry=False), "jade"),
    ("sian", "LGBTQ+ youth group", 8, 3, 18, 90, "Pr1de6gp", s(focus_mode=True), "jade"),
    ("sian", "Young leaders award session", 2, 13, 17, 60, "Yl8ward2", s(), "dan"),
    # Dan's session holds back only people from outside the account: anyone with a login in the
    # organisation's Zoom account walks straight in.
    (
        "dan",
        "Youth group: cooking together",
        2,
        9,
        17,
        60,
        "Cook2gth5",
        s(waiting_room_options={"mode": "custom", "who_goes_to_waiting_room": "users_not_in_account"}),
        "sian",
    ),
    ("dan", "Detached youth work debrief", 2, 4, 20, 45, "Det9brf1", s(auto_recording="local"), ""),
    # Counsellors
    (
        "amira",
        "Counselling session: client C-0412",
        2,
        3,
        11,
        50,
        "Cs4c0412k",
        s(waiting_room=False, mute_upon_entry=...),
        "owen",
    ),
    (
        "amira",
        "Counselling session: client C-0419",
        8,
        4,
        14,
        50,
        "Cs7c0419p",
        s(meeting_authentication=..., join_before_host=False),
        "owen",
    ),
    ("amira", "Clinical supervision: Amira and Owen", 2, 8, 9, 60, "Sup3rv8n", s(), "owen"),
    ("amira", "Counselling session: client C-0455", 2, 11, 13, 50, "Cs2c0455m", s(), "owen"),
    ("leah", "Peer-support circle: young carers", 8, 5, 17, 75, "Pc5carer", s(waiting_room=...), "owen"),
    (
        "leah",
        "Peer-support circle: bereavement",
        8,
        6,
        18,
        75,
        "Pb6grief",
        s(participant_video=True),
        "amira",
    ),
    ("leah", "Counselling session: client C-0433", 2, 7, 10, 50, "Cs9c0433t", s(), "amira"),
    ("owen", "Counselling session: client C-0440", 2, 5, 12, 50, "1234", s(), "amira"),
    ("owen", "Group therapy: anxiety skills", 8, 6, 16, 90, "Gt5anx7k", s(focus_mode=True), "amira"),
    ("owen", "Parent consultation", 2, 9, 18, 30, "778899", s(use_pmi=True), ""),
    ("owen", "Counselling session: client C-0461", 2, 14, 11, 50, "Cs3c0461w", s(), "amira"),
    # Volunteers
    (
        "grace",
        "Volunteer training: safeguarding basics",
        2,
        10,
        18,
        120,
        "Vt2basic9",
        s(mute_upon_entry=...),
        "priya",
    ),
    ("grace", "Volunteer induction", 8, 7, 18, 60, "Vi5ndct2", s(mute_upon_entry=...), "priya"),
    ("grace", "Volunteer training: mental health first aid", 8, 14, 18, 120, "Mh1aid7v", s(), "priya"),
    ("ben", "Homework help club", 8, 4, 16, 60, "Hw3help8", s(auto_recording=...), "grace"),
    ("ben", "Volunteer rota catch-up", 3, 0, 0, 30, "", s(), ""),
    # R.M. joins by phone, but Nadia made the call end-to-end encrypted, which switches dial-in off.
    ("nadia", "Befriending call: R.M.", 2, 3, 15, 30, "Bf9call22", s(encryption_type="e2ee"), "grace"),
    ("nadia", "Peer mentors meetup", 2, 12, 18, 60, "Pm4meet6", s(), "grace"),
    ("nadia", "Befriending call: J.W.", 2, 6, 15, 30, "990011", s(use_pmi=True), ""),
    ("kemi", "Mentoring drop-in (ages 14-18)", 2, 8, 17, 60, "Mt7drop3k", s(mute_upon_entry=...), "grace"),
]

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
    groups = {g.name: g for g in _groups()}
    gid = {
        YOUTH: groups["Youth workers"].id,
        COUNSELLORS: groups["Counsellors"].id,
        VOLUNTEERS: groups["Volunteers"].id,
        ADMINS: groups["Admins"].id,
    }
    for group in groups.values():
        state.add_group(group)
    users: dict[str, SandboxUser] = {}
    for n, (key, first, last, member_of, role, dept, own) in enumerate([*PEOPLE, INACTIVE]):
        email = f"{first}.{last}@{DOMAIN}".lower()
        user = SandboxUser(
            id=zoom_id(email),
            email=email,
            first_name=first,
            last_name=last,
            pmi=5550100100 + n * 1111,
            role_id=role,
            dept=dept,
            group_ids=[gid[g] for g in member_of],
            created_at=f"202{2 + n % 3}-0{1 + n % 9}-1{n % 10}T09:00:00Z",
            settings=_copy(own) if key in PMI_USERS else _with_pmi_off(own),
            status="inactive" if key == "sam" else "active",
        )
        users[key] = state.add_user(user)
    created = today - timedelta(days=21)
    for n, (key, user) in enumerate(users.items()):
        passcode, pmi_settings = PMI_ROOMS.get(key, (f"Pm{n}r{user.pmi % 10000}", QUIET_PMI))
        state.add_meeting(pmi_meeting(user, created, passcode, _copy(pmi_settings)))
    for n, (host, topic, type_, day, hour, duration, password, settings, alt) in enumerate(MEETINGS):
        start = today + timedelta(days=day, hours=hour) if type_ != 3 else None
        doc_settings = _copy(settings)
        doc_settings["alternative_hosts"] = users[alt].email if alt else ""
        state.add_meeting(
            meeting(
                meeting_id=84100200300 + n * 7919,
                host=users[host],
                topic=topic,
                type_=type_,
                start=start,
                created=created + timedelta(hours=n),
                duration=duration,
                password=password,
                settings=doc_settings,
                agenda=f"{topic}. Hosted by {users[host].display_name} for Brightpath.",
            )
        )
    # One evening of the Tuesday drop-in ran as an open session: its waiting room was turned off.
    drop_in = state.meeting_by_topic("Youth club online: Tuesday drop-in")
    occ = drop_in["occurrences"][OVERRIDDEN_OCCURRENCE]["occurrence_id"]
    state.occurrence_overrides[(drop_in["id"], occ)] = {"settings": {"waiting_room": False}}
    _records_and_presence(state, users, gid, created)
    _hidden_passcode(state, users, created)
    passcode_routes(
        state, users, state.groups[gid[COUNSELLORS]], created, len(MEETINGS) + len(LATER_MEETINGS)
    )
    return state


# What sessions leave behind and who is in the room (docs/sandbox.md, "Chat channels, summaries,
# recordings and guests"): two more sessions, and settings of the account, two groups and three
# hosts. Meeting ids come from their own range so the meetings above keep theirs.
LATER_MEETINGS: list[tuple[str, str, int, int, int, int, str, Doc, str]] = [
    # A youth group whose chat channel stays open between sessions, with outsiders added to it.
    (
        "sian",
        "Youth group: music makers",
        8,
        5,
        17,
        60,
        "Mu5ic7mk",
        s(
            continuous_meeting_chat={
                "enable": True,
                "auto_add_invited_external_users": True,
                "auto_add_meeting_participants": True,
            }
        ),
        "jade",
    ),
    # A counselling session whose AI summary starts by itself and goes to every invitee.
    (
        "amira",
        "Counselling session: client C-0468",
        2,
        10,
        10,
        50,
        "Cs6c0468r",
        s(auto_start_meeting_summary=True, who_will_receive_summary=4),
        "owen",
    ),
]


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
    for n, (host, topic, type_, day, hour, duration, password, settings, alt) in enumerate(LATER_MEETINGS):
        doc_settings = _copy(settings)
        doc_settings["alternative_hosts"] = users[alt].email
        state.add_meeting(
            meeting(
                meeting_id=84100900100 + n * 7919,
                host=users[host],
                topic=topic,
                type_=type_,
                start=today + timedelta(days=day, hours=hour),
                created=created + timedelta(hours=len(MEETINGS) + n),
                duration=duration,
                password=password,
                settings=doc_settings,
                agenda=f"{topic}. Hosted by {users[host].display_name} for Brightpath.",
            )
        )


# A session whose GET /meetings/{id} answer has no password key (Zoom leaves it out for some
# callers, current-zoom.md); its join_url still carries the passcode as pwd=, so it has a passcode
# (passcode-required passes) whose strength cannot be judged (passcode-strength: error).
HIDDEN_PASSCODE = ("ben", "Study skills club", 2, 9, 16, 45, "St4dy8cl", "grace")


def _hidden_passcode(state: SandboxState, users: dict[str, SandboxUser], created: datetime) -> None:
    host, topic, type_, day, hour, duration, password, alt = HIDDEN_PASSCODE
    # Ben still puts the passcode in his join links (the account keeps it out by default), so the
    # link's pwd= is what shows the club has a passcode.
    users[host].settings.setdefault("schedule_meeting", {})["embed_password_in_join_link"] = True
    state.add_meeting(
        meeting(
            meeting_id=84101000100,
            host=users[host],
            topic=topic,
            type_=type_,
            start=created + timedelta(days=21 + day, hours=hour),
            created=created + timedelta(hours=len(MEETINGS) + len(LATER_MEETINGS)),
            duration=duration,
            password=password,
            hide_password=True,
            settings={"waiting_room": True, "alternative_hosts": users[alt].email},
            agenda=f"{topic}. Hosted by {users[host].display_name} for Brightpath.",
        )
    )


def overridden_occurrence(state: SandboxState) -> tuple[int, str]:
    """(meeting id, occurrence id) of the drop-in occurrence with its own settings."""
    drop_in = state.meeting_by_topic("Youth club online: Tuesday drop-in")
    return drop_in["id"], drop_in["occurrences"][OVERRIDDEN_OCCURRENCE]["occurrence_id"]


def _with_pmi_off(own: Doc) -> Doc:
    doc = _copy(own)
    doc.setdefault("schedule_meeting", {})["personal_meeting"] = False
    return doc


def _copy(doc: Doc) -> Doc:
    import copy

    return copy.deepcopy(doc)
