"""The designed cases of the demo organisation: the oracle for end-to-end tests.

Each case names a meeting of ``zoomaudit.sandbox.demo`` by topic (and, for the overridden
occurrence, the index of the occurrence in the meeting's ``occurrences``; ``occurrence_id(state,
case)`` turns it into Zoom's id), a pack policy, and the finding zoomaudit must give: status, the
tier that decided the value (``source``) and whether it is locked.

The tiers assume the sandbox's default settings view (``settings_view="effective"``): user
settings carry the values the user inherits, so a value a user never changed is still reported
with source ``user``; ``group`` and ``default`` appear for controls with no user field (mute upon
entry). docs/sandbox.md tells the story behind each case. Some policies are disabled in the
bundled pack (focus-mode, authenticated-join, registration-required): their cases hold when
those policies are enabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from zoomaudit.sandbox.state import SandboxState

Status = Literal["violation", "pass", "error"]
Source = Literal["meeting", "user", "group", "account", "group_lock", "account_lock", "default"] | None


@dataclass(frozen=True)
class DemoCase:
    topic: str
    occurrence: int | None
    policy_id: str
    status: Status
    source: Source
    locked: bool
    why: str


DISABLED_IN_PACK = frozenset({"focus-mode", "authenticated-join", "registration-required"})
"""Policies the bundled pack ships disabled: a default audit gives no finding for them."""


def default_pack_cases() -> list[DemoCase]:
    """The cases a default ``zoomaudit audit`` of the demo must reproduce one by one."""
    return [c for c in CASES if c.policy_id not in DISABLED_IN_PACK]


def occurrence_id(state: SandboxState, case: DemoCase) -> str | None:
    if case.occurrence is None:
        return None
    meeting = state.meeting_by_topic(case.topic)
    return str(meeting["occurrences"][case.occurrence]["occurrence_id"])


DROP_IN = "Youth club online: Tuesday drop-in"
PUBLIC_TALK = "Public talk: Keeping young people safe online"
C0412 = "Counselling session: client C-0412"
C0419 = "Counselling session: client C-0419"
AB = "1:1 support: A.B. (Year 10)"
GAMING = "Gaming club (ages 13-16)"
TRUSTEES = "Trustees board meeting"
REVIEW = "Safeguarding leads monthly review"
HOMEWORK = "Homework help club"
BEFRIEND = "Befriending call: R.M."
COOKING = "Youth group: cooking together"
ART = "Youth group: art and chat"
FILM = "Youth group: film night"
VOL_TRAINING = "Volunteer training: safeguarding basics"
SCREEN_SHARE_ONLY = "Screen share: new volunteer portal walkthrough"
MUSIC = "Youth group: music makers"
C0455 = "Counselling session: client C-0455"
C0468 = "Counselling session: client C-0468"
FUNDRAISING = "Fundraising committee"
GROUP_THERAPY = "Group therapy: anxiety skills"
DEBRIEF = "Detached youth work debrief"
STUDY = "Study skills club"

TONIGHT = "Online games night"
"""A one-off session two to three hours after the demo starts: "Starting soon" opens with it."""

PAST_TOPICS: tuple[str, ...] = ("Summer holiday club planning",)
"""Sessions the demo built as over (a one-off that ended last month): an audit gives them no
finding and no fix and counts them in ``past`` (docs/usage.md, "Start times and past sessions")."""

V, P, E = "violation", "pass", "error"
MENTORING = "Mentoring drop-in (ages 14-18)"
PHONE = "Befriending by phone: Thursday check-in"
MEETUP = "Peer mentors meetup"
NO_PASSCODE = "Volunteer rota catch-up"
"""A meeting without a passcode: phone-passcode-required gives it no finding."""

CASES: list[DemoCase] = [
    # waiting-room: meeting values, an occurrence override, a group lock, a user default.
    DemoCase(DROP_IN, None, "waiting-room", P, "meeting", False, "the series has the waiting room on"),
    DemoCase(DROP_IN, 0, "waiting-room", V, "meeting", False, "this occurrence turned it off"),
    DemoCase(PUBLIC_TALK, None, "waiting-room", V, "meeting", False, "public talk runs without one"),
    DemoCase(
        TONIGHT, None, "waiting-room", V, "meeting", False, "tonight's games night was booked without one"
    ),
    DemoCase(SCREEN_SHARE_ONLY, None, "waiting-room", V, "meeting", False, "type 10 is audited too"),
    DemoCase(C0412, None, "waiting-room", P, "group_lock", True, "meeting says off; Counsellors lock it on"),
    DemoCase(
        "Peer-support circle: young carers",
        None,
        "waiting-room",
        P,
        "group_lock",
        True,
        "key absent; Leah's first group (Counsellors) locks it on",
    ),
    DemoCase(FILM, None, "waiting-room", P, "user", False, "key absent; Marcus inherits the account's on"),
    # host-admits-from-waiting-room: a user default.
    DemoCase(AB, None, "host-admits-from-waiting-room", V, "user", False, "Jade lets bypassers admit"),
    DemoCase(TRUSTEES, None, "host-admits-from-waiting-room", P, "user", False, "host and co-hosts only"),
    # passcode-required and passcode-strength: meeting values.
    DemoCase("Youth forum planning", None, "passcode-required", V, "meeting", False, "empty passcode"),
    DemoCase("Volunteer rota catch-up", None, "passcode-required", V, "meeting", False, "empty passcode"),
    DemoCase(BEFRIEND, None, "passcode-required", P, "meeting", False, "has a passcode"),
    DemoCase(AB, None, "passcode-strength", V, "meeting", False, "123456: digits only"),
    DemoCase(
        "Counselling session: client C-0440",
        None,
        "passcode-strength",
        V,
        "meeting",
        False,
        "1234: too short",
    ),
    DemoCase(GAMING, None, "passcode-strength", V, "meeting", False, "the PMI passcode 445566"),
    DemoCase(BEFRIEND, None, "passcode-strength", P, "meeting", False, "Bf9call22"),
    # No password key in Zoom's answer, but pwd= in the join_url: a passcode whose text is unknown.
    DemoCase(STUDY, None, "passcode-required", P, "meeting", False, "pwd= in the join_url"),
    DemoCase(STUDY, None, "passcode-strength", E, "meeting", False, "its text is not served"),
    DemoCase(STUDY, None, "passcode-not-in-link", V, "user", False, "Ben puts the passcode in links"),
    # screen-share-host-only, breakout rooms, chat, files, annotation, captions: user tier or locks.
    DemoCase(GAMING, None, "screen-share-host-only", V, "user", False, "Marcus lets everyone share"),
    DemoCase(ART, None, "screen-share-host-only", P, "user", False, "host only (account default)"),
    DemoCase(COOKING, None, "breakout-rooms-available", V, "user", False, "Dan turned breakout rooms off"),
    DemoCase("Group therapy: anxiety skills", None, "breakout-rooms-available", P, "user", False, "on"),
    DemoCase(DROP_IN, None, "private-chat-off", P, "group_lock", True, "Youth workers lock it off"),
    DemoCase(C0412, None, "private-chat-off", V, "user", False, "Zoom's default: on"),
    DemoCase(VOL_TRAINING, None, "private-chat-off", P, "user", False, "Grace turned it off"),
    DemoCase(HOMEWORK, None, "file-transfer-off", V, "user", False, "Ben turned file transfer on"),
    DemoCase(TRUSTEES, None, "file-transfer-off", P, "user", False, "off (account default)"),
    DemoCase(COOKING, None, "annotation-off", V, "user", False, "Dan turned annotation on"),
    DemoCase(C0412, None, "annotation-off", P, "user", False, "off"),
    DemoCase(HOMEWORK, None, "captions-available", V, "user", False, "Ben turned captions off"),
    DemoCase(TRUSTEES, None, "captions-available", P, "user", False, "on (account default)"),
    # participant-video-off: meeting value, or the user default when the key is absent.
    DemoCase(
        "Peer-support circle: bereavement", None, "participant-video-off", V, "meeting", False, "video on"
    ),
    DemoCase(AB, None, "participant-video-off", P, "user", False, "key absent; user default off"),
    DemoCase(REVIEW, None, "participant-video-off", P, "meeting", False, "video off"),
    # join-before-host-off: the account lock beats the meeting's own value.
    DemoCase(
        ART, None, "join-before-host-off", P, "account_lock", True, "meeting says on; account locks off"
    ),
    DemoCase(C0419, None, "join-before-host-off", P, "account_lock", True, "locked off at the account"),
    # mute-upon-entry: group lock, group setting, Zoom's default, meeting value.
    DemoCase(
        "Exam stress workshop", None, "mute-upon-entry", P, "group_lock", True, "meeting off; Youth lock on"
    ),
    DemoCase(DROP_IN, None, "mute-upon-entry", P, "group_lock", True, "key absent; Youth workers lock on"),
    DemoCase(VOL_TRAINING, None, "mute-upon-entry", V, "group", False, "Volunteers group default off"),
    DemoCase("Operations weekly", None, "mute-upon-entry", V, "default", False, "no tier states it"),
    DemoCase(C0412, None, "mute-upon-entry", P, "group", False, "Counsellors group default on"),
    DemoCase(BEFRIEND, None, "mute-upon-entry", P, "meeting", False, "muted on entry"),
    # no-pmi-for-sessions: scheduled on the Personal Meeting ID.
    DemoCase(GAMING, None, "no-pmi-for-sessions", V, "meeting", False, "weekly club on Marcus's PMI"),
    DemoCase("Parent consultation", None, "no-pmi-for-sessions", V, "meeting", False, "on Owen's PMI"),
    DemoCase(C0412, None, "no-pmi-for-sessions", P, "meeting", False, "own meeting id"),
    # auto-recording-off: meeting values and a user default.
    DemoCase(TRUSTEES, None, "auto-recording-off", V, "meeting", False, "cloud recording"),
    DemoCase(HOMEWORK, None, "auto-recording-off", V, "user", False, "key absent; Ben records to cloud"),
    DemoCase(
        "Detached youth work debrief", None, "auto-recording-off", V, "meeting", False, "local recording"
    ),
    DemoCase(REVIEW, None, "auto-recording-off", P, "meeting", False, "none"),
    # alternative-host, phone-dial-in-available: meeting values.
    DemoCase(PUBLIC_TALK, None, "alternative-host", V, "meeting", False, "nobody else can run it"),
    DemoCase(REVIEW, None, "alternative-host", P, "meeting", False, "Tom is alternative host"),
    DemoCase(TRUSTEES, None, "phone-dial-in-available", V, "meeting", False, "computer audio only"),
    DemoCase(REVIEW, None, "phone-dial-in-available", P, "meeting", False, "phone and computer audio"),
    # Policies disabled in the bundled pack (hold when enabled).
    DemoCase(PUBLIC_TALK, None, "focus-mode", P, "meeting", False, "focus mode on"),
    DemoCase(FILM, None, "focus-mode", V, "meeting", False, "focus mode off"),
    DemoCase(REVIEW, None, "authenticated-join", P, "meeting", False, "sign-in required"),
    DemoCase(C0419, None, "authenticated-join", P, "user", False, "key absent; Amira requires sign-in"),
    DemoCase(TRUSTEES, None, "authenticated-join", V, "meeting", False, "anyone with the link"),
    DemoCase(PUBLIC_TALK, None, "registration-required", P, "meeting", False, "registration, auto-approved"),
    DemoCase(TRUSTEES, None, "registration-required", V, "meeting", False, "no registration"),
    # What sessions leave behind, and who is in the room.
    DemoCase(MUSIC, None, "continuous-chat-off", V, "meeting", False, "chat channel, outsiders auto-added"),
    DemoCase(ART, None, "continuous-chat-off", P, "user", False, "key absent; account keeps it off"),
    DemoCase(C0468, None, "ai-summary-off", V, "meeting", False, "summary starts itself, sent to all"),
    DemoCase(FUNDRAISING, None, "ai-summary-off", V, "user", False, "Tom auto-starts summaries"),
    DemoCase(C0455, None, "ai-summary-off", P, "user", False, "not started automatically"),
    DemoCase(GROUP_THERAPY, None, "recording-consent", V, "user", False, "Owen's disclaimer asks nobody"),
    DemoCase(C0455, None, "recording-consent", P, "user", False, "the account's disclaimer asks"),
    DemoCase(DEBRIEF, None, "local-recording-off", V, "user", False, "Dan turned local recording on"),
    DemoCase(C0412, None, "local-recording-off", P, "group_lock", True, "Counsellors lock it off"),
    DemoCase(TRUSTEES, None, "local-recording-off", P, "user", False, "off (account)"),
    DemoCase(BEFRIEND, None, "guests-identified", V, "group", False, "Volunteers do not mark guests"),
    DemoCase(TRUSTEES, None, "guests-identified", P, "group", False, "Admins inherit the account's on"),
    # Who actually waits, and what happens when the host drops (the account's waiting-room options).
    DemoCase(COOKING, None, "waiting-room", P, "meeting", False, "the waiting room is on"),
    DemoCase(COOKING, None, "waiting-room-for-everyone", V, "meeting", False, "only outsiders wait"),
    DemoCase(TRUSTEES, None, "waiting-room-for-everyone", P, "user", False, "everyone waits (account)"),
    DemoCase(PUBLIC_TALK, None, "waiting-room-for-everyone", V, "user", False, "no waiting room at all"),
    DemoCase(TRUSTEES, None, "host-drop-to-waiting-room", P, "account", False, "back to the waiting room"),
    DemoCase(PUBLIC_TALK, None, "host-drop-to-waiting-room", V, "account", False, "no waiting room to go to"),
    # An end-to-end encrypted call with someone who joins by phone: E2EE switches dial-in off.
    DemoCase(BEFRIEND, None, "phone-dial-in-available", V, "meeting", False, "E2EE: no dial-in"),
    # The ways round a passcode: dial-in callers and join links.
    DemoCase(PHONE, None, "phone-passcode-required", V, "user", False, "Nadia: callers need no passcode"),
    DemoCase(MEETUP, None, "phone-passcode-required", V, "user", False, "pstn_password proves nothing"),
    DemoCase(C0455, None, "phone-passcode-required", P, "user", False, "account requires it (inherited)"),
    DemoCase(GAMING, None, "passcode-not-in-link", V, "user", False, "Marcus puts the passcode in links"),
    DemoCase(TRUSTEES, None, "passcode-not-in-link", P, "user", False, "account keeps it out (inherited)"),
    DemoCase(C0412, None, "passcode-not-in-link", P, "group_lock", True, "Counsellors lock it off"),
    # Kemi is in Youth workers (locks private chat off, mute on) and Volunteers (neither): Zoom's API
    # does not say which group ranks higher, so without ZOOMAUDIT_GROUP_PRIORITY these cannot be judged.
    DemoCase(MENTORING, None, "private-chat-off", E, None, False, "Youth workers lock off, Volunteers on"),
    DemoCase(MENTORING, None, "mute-upon-entry", E, None, False, "Youth workers lock on, Volunteers off"),
]

GROUP_PRIORITY = "Counsellors, Volunteers, Youth workers, Admins"
"""The demo account's group priority (the sandbox keeps it; Zoom's API does not serve it)."""

PRIORITY_CASES: list[DemoCase] = [
    # With ZOOMAUDIT_GROUP_PRIORITY set as above: Volunteers decide for Kemi; Youth workers' locks
    # have no effect on her (the old first-listed-group rule passed both: a false pass).
    DemoCase(MENTORING, None, "private-chat-off", V, "user", False, "Volunteers leave private chat on"),
    DemoCase(MENTORING, None, "mute-upon-entry", V, "group", False, "Volunteers group default off"),
    # Leah (Counsellors above Volunteers) keeps her verdicts.
    DemoCase(
        "Peer-support circle: young carers",
        None,
        "waiting-room",
        P,
        "group_lock",
        True,
        "Counsellors lock on",
    ),
]
