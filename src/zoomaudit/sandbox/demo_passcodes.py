"""The demo organisation's ways round a passcode: phone dial-in and passcodes in join links.

Part of ``zoomaudit.sandbox.demo`` (kept apart to keep that module readable); the designed cases
are in tests/sandbox/demo_cases.py and docs/sandbox.md tells the story.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

from zoomaudit.sandbox.build import meeting
from zoomaudit.sandbox.state import Doc, SandboxGroup, SandboxState, SandboxUser

# The demo's safe meeting settings (demo.SAFE), for the one meeting added here.
PHONE_SETTINGS: Doc = {
    "host_video": True,
    "participant_video": False,
    "join_before_host": False,
    "mute_upon_entry": True,
    "waiting_room": True,
    "use_pmi": False,
    "auto_recording": "none",
    "approval_type": 2,
    "meeting_authentication": False,
    "focus_mode": False,
    "watermark": False,
    "encryption_type": "enhanced_encryption",
}

# The ways round a passcode (docs/sandbox.md, "Dial-in and join links"): Zoom's default puts the
# passcode in join links; Priya turned that off for the account and Counsellors lock it off, but
# Marcus turned it back on for himself. Callers need the passcode by default, but Nadia, whose
# befriending calls rely on people phoning in, turned that off. One more session shows it.
PHONE_SESSION: tuple[str, str, int, int, int, int, str, Doc, str] = (
    "nadia",
    "Befriending by phone: Thursday check-in",
    8,
    4,
    11,
    30,
    "Bf5thu8ck",
    {**PHONE_SETTINGS, "audio": "telephony"},
    "grace",
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
    host, topic, type_, day, hour, duration, password, settings, alt = PHONE_SESSION
    today = created + timedelta(days=21)
    doc_settings = copy.deepcopy(settings)
    doc_settings["alternative_hosts"] = users[alt].email
    state.add_meeting(
        meeting(
            meeting_id=84100950100,
            host=users[host],
            topic=topic,
            type_=type_,
            start=today + timedelta(days=day, hours=hour),
            created=created + timedelta(hours=after_hours),
            duration=duration,
            password=password,
            settings=doc_settings,
            agenda=f"{topic}. Hosted by {users[host].display_name} for Brightpath.",
        )
    )
