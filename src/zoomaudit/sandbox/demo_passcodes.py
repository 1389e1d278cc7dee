"""The demo organisation's ways round a passcode: phone dial-in and passcodes in join links.

Part of ``zoomaudit.sandbox.demo`` (kept apart to keep that module readable); the designed cases
are in tests/sandbox/demo_cases.py and docs/sandbox.md tells the story.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from zoomaudit.sandbox.demo_meetings import SAFE, DemoMeeting, add_demo_meeting
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

# The demo's safe meeting settings for the one meeting added here, less audio (the session sets its
# own) and waiting_room_options (left unstated).
PHONE_SETTINGS: Doc = {k: v for k, v in SAFE.items() if k not in ("audio", "waiting_room_options")}

# The ways round a passcode (docs/sandbox.md, "Dial-in and join links"): Zoom's default puts the
# passcode in join links; Priya turned that off for the account and Counsellors lock it off, but
# Marcus turned it back on for himself. Callers need the passcode by default, but Nadia, whose
# befriending calls rely on people phoning in, turned that off. One more session shows it.
PHONE_SESSION = DemoMeeting(
    host="nadia",
    topic="Befriending by phone: Thursday check-in",
    type=8,
    day=4,
    hour=11,
    duration=30,
    passcode="Bf5thu8ck",
    settings={**PHONE_SETTINGS, "audio": "telephony"},
    alternative_host="grace",
)


def passcode_routes(
    state: SandboxState,
    users: dict[str, SandboxUser],
    counsellors: SandboxGroup,
    created: datetime,
    after_hours: int,
) -> None:
    """Settings of the account, Counsellors, Marcus and Nadia, and Nadia's phone session (created
    ``after_hours`` hours after ``created``, after the demo's other meetings)."""
    state.account_settings["meeting_security"]["embed_password_in_join_link"] = False
    counsellors.settings.setdefault("schedule_meeting", {})["embed_password_in_join_link"] = False
    counsellors.locks.setdefault("schedule_meeting", {})["embed_password_in_join_link"] = True
    counsellors.locks.setdefault("meeting_security", {})["embed_password_in_join_link"] = True
    users["marcus"].settings.setdefault("schedule_meeting", {})["embed_password_in_join_link"] = True
    nadia = users["nadia"].settings
    nadia.setdefault("schedule_meeting", {})["pstn_password_protected"] = False
    nadia.setdefault("meeting_security", {})["phone_password"] = False
    add_demo_meeting(
        state,
        users,
        PHONE_SESSION,
        meeting_id=84100950100,
        today=created + timedelta(days=21),
        created=created + timedelta(hours=after_hours),
    )
