"""The demo organisation's meetings: the typed row each one is written as, and how it is stored.

Part of ``zoomaudit.sandbox.demo`` (which assembles ``demo_state()``); the rows themselves are in
``demo_meetings_staff`` and ``demo_meetings_support``, the designed cases in
tests/sandbox/demo_cases.py, and docs/sandbox.md tells the story.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from zoomaudit.sandbox.build import meeting
from zoomaudit.sandbox.state import Doc, SandboxState, SandboxUser


@dataclass(frozen=True, kw_only=True)
class DemoMeeting:
    """One scheduled session of the demo, as designed; dates are relative to the build day."""

    host: str
    """The host's key (``demo_people.PEOPLE``)."""
    topic: str
    type: int
    """Zoom's meeting type: 2 scheduled, 3 recurring without a fixed time, 8 recurring, 10 screen share."""
    day: int
    """Days after the build day (midnight UTC) of the start (negative: before it); ignored for type 3."""
    hour: int
    duration: int
    passcode: str
    """The meeting passcode ("" for none)."""
    settings: Doc
    """The meeting's stored settings (``alternative_hosts`` is added from ``alternative_host``)."""
    alternative_host: str
    """The alternative host's key, or "" for none."""


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


def add_demo_meeting(
    state: SandboxState,
    users: dict[str, SandboxUser],
    row: DemoMeeting,
    *,
    meeting_id: int,
    today: datetime,
    created: datetime,
    hide_password: bool = False,
) -> Doc:
    """Store ``row`` as a Zoom meeting resource starting ``row.day`` days after ``today``."""
    host = users[row.host]
    settings = copy.deepcopy(row.settings)
    settings["alternative_hosts"] = users[row.alternative_host].email if row.alternative_host else ""
    return state.add_meeting(
        meeting(
            meeting_id=meeting_id,
            host=host,
            topic=row.topic,
            type_=row.type,
            start=today + timedelta(days=row.day, hours=row.hour) if row.type != 3 else None,
            created=created,
            duration=row.duration,
            password=row.passcode,
            settings=settings,
            agenda=f"{row.topic}. Hosted by {host.display_name} for Brightpath.",
            hide_password=hide_password,
        )
    )
