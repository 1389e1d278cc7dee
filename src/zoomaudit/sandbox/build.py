"""Helpers that build stored Zoom resources (users, meetings, occurrences) for sandbox accounts."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from zoomaudit.sandbox.defaults import zoom_id
from zoomaudit.sandbox.state import Doc, SandboxUser

ISO = "%Y-%m-%dT%H:%M:%SZ"


def iso(moment: datetime) -> str:
    return moment.strftime(ISO)


def occurrences(start: datetime, count: int, every_days: int, duration: int) -> list[Doc]:
    """Occurrences of a fixed-time recurring meeting; ids are start times in epoch ms, as Zoom's."""
    out = []
    for i in range(count):
        moment = start + timedelta(days=every_days * i)
        out.append(
            {
                "occurrence_id": str(int(moment.timestamp()) * 1000),
                "start_time": iso(moment),
                "duration": duration,
                "status": "available",
            }
        )
    return out


def meeting(
    *,
    meeting_id: int,
    host: SandboxUser,
    topic: str,
    type_: int,
    start: datetime | None,
    created: datetime,
    duration: int = 60,
    password: str | None = None,
    settings: Doc | None = None,
    agenda: str = "",
    occurrence_count: int = 6,
    every_days: int = 7,
    hide_password: bool = False,
    **extra: Any,
) -> Doc:
    """A stored meeting resource. ``password=None`` leaves the key out; settings stay as given.

    ``hide_password``: ``GET /meetings/{id}`` leaves the ``password`` key out although the meeting
    has one, as Zoom does for some callers (current-zoom.md); the passcode still shows in
    ``join_url``'s ``pwd=``, ``encrypted_password`` and ``pstn_password`` (``routes_meetings``).
    """
    settings = copy.deepcopy(settings or {})  # nested settings objects are never shared
    doc: Doc = {
        "uuid": zoom_id(f"uuid-{meeting_id}", 22) + "==",
        "id": meeting_id,
        "host_id": host.id,
        "topic": topic,
        "type": type_,
        "status": "waiting",
        "duration": duration,
        "timezone": host.timezone,
        "agenda": agenda,
        "created_at": iso(created),
        "join_url": f"https://us05web.zoom.us/j/{meeting_id}",
        "pre_schedule": False,
    }
    if settings.get("use_pmi"):
        doc["pmi"] = str(host.pmi)
        doc["join_url"] = f"https://us05web.zoom.us/j/{host.pmi}"
    if start is not None and type_ in (2, 8):
        doc["start_time"] = iso(start)
    if type_ == 8 and start is not None:
        doc["occurrences"] = occurrences(start, occurrence_count, every_days, duration)
        doc["recurrence"] = {
            "type": 2 if every_days % 7 == 0 else 1,
            "repeat_interval": max(1, every_days // 7) if every_days % 7 == 0 else every_days,
            "weekly_days": str((start.isoweekday() % 7) + 1),
            "end_times": occurrence_count,
        }
        if every_days % 7 != 0:
            del doc["recurrence"]["weekly_days"]
    if password is not None:
        doc["password"] = password
    if hide_password:
        doc[HIDE_PASSWORD] = True
    doc["settings"] = settings
    doc.update(extra)
    return doc


HIDE_PASSWORD = "_hide_password"  # noqa: S105 (a flag name, not a passcode)
"""A stored meeting's internal flag (never served): GET leaves the ``password`` key out."""


def pmi_meeting(host: SandboxUser, created: datetime, password: str, settings: Doc) -> Doc:
    """The host's Personal Meeting ID meeting (type 4): its own stored settings and passcode."""
    return meeting(
        meeting_id=host.pmi,
        host=host,
        topic=f"{host.display_name}'s Personal Meeting Room",
        type_=4,
        start=None,
        created=created,
        password=password,
        settings=settings,
        pmi=str(host.pmi),
    )
