"""The catalogue itself: every control of docs/controls.md, each with its field at every tier.

The controls are kept by subject and assembled here in their documented order, 30 in all:
catalogue_entry.py (who gets in and who can start a meeting), catalogue_waiting.py (who actually
waits and who admits them), catalogue_room.py (what happens in the room), catalogue_records.py
(what a session leaves behind and who is in the room) and catalogue_passcodes.py (the ways round a
passcode); catalogue_sources.py holds the citations they share. Facts from
../shared/zoom-api/settings-map.md; ``model.py`` says how a path is read.
"""

from __future__ import annotations

from zoomaudit.controls.catalogue_entry import (
    ALTERNATIVE_HOSTS,
    ENCRYPTION,
    JOIN_BEFORE_HOST,
    MEETING_AUTHENTICATION,
    PASSCODE,
    PASSCODE_UNKNOWN,
    REGISTRATION,
    USE_PMI,
    WAITING_ROOM,
)
from zoomaudit.controls.catalogue_passcodes import PASSCODE_ROUTES
from zoomaudit.controls.catalogue_records import RECORDS_AND_PRESENCE
from zoomaudit.controls.catalogue_room import (
    ANNOTATION,
    AUDIO,
    AUTO_RECORDING,
    BREAKOUT_ROOMS,
    CLOSED_CAPTIONS,
    FILE_TRANSFER,
    FOCUS_MODE,
    FOCUS_MODE_AVAILABLE,
    MUTE_UPON_ENTRY,
    PARTICIPANT_RENAME,
    PARTICIPANT_VIDEO,
    PRIVATE_CHAT,
    SCREEN_SHARE,
    SELF_VIEW,
)
from zoomaudit.controls.catalogue_waiting import WAITING_ROOM_OPTIONS
from zoomaudit.controls.model import Control

__all__ = ["CATALOGUE", "PASSCODE_UNKNOWN", "get_control"]

_CONTROLS: tuple[Control, ...] = (
    WAITING_ROOM,
    *WAITING_ROOM_OPTIONS,
    PASSCODE,
    SCREEN_SHARE,
    BREAKOUT_ROOMS,
    SELF_VIEW,
    PARTICIPANT_VIDEO,
    JOIN_BEFORE_HOST,
    MUTE_UPON_ENTRY,
    USE_PMI,
    PRIVATE_CHAT,
    FILE_TRANSFER,
    ANNOTATION,
    AUTO_RECORDING,
    ALTERNATIVE_HOSTS,
    AUDIO,
    CLOSED_CAPTIONS,
    FOCUS_MODE,
    FOCUS_MODE_AVAILABLE,
    MEETING_AUTHENTICATION,
    REGISTRATION,
    ENCRYPTION,
    PARTICIPANT_RENAME,
    *RECORDS_AND_PRESENCE,
    *PASSCODE_ROUTES,
)

CATALOGUE: dict[str, Control] = {c.name: c for c in _CONTROLS}
"""Every control by name (docs/controls.md is generated from it)."""


def get_control(name: str) -> Control:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise KeyError(f"unknown control {name!r}; known: {', '.join(sorted(CATALOGUE))}") from None
