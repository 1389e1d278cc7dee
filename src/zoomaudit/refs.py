"""What people type to name a meeting or a span of time, read strictly.

People copy a meeting from an invitation, not from the API: the ID as Zoom prints it
(``841 0021 6138``), or a join link (``https://us02web.zoom.us/j/84100216138?pwd=...``). The link's
``pwd`` is a passcode token: it is ignored, never stored and never echoed, not even in an error.
Windows (``--within``, ``--starting-within``) are ``Nm``, ``Nh`` or ``Nd``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from zoomaudit.errors import UsageError

MAX_MEETING_ID = 2**63 - 1
"""Zoom meeting ids are int64."""
MEETING_FORMS = "a meeting ID (84100216138, or as Zoom prints it: 841 0021 6138) or a join link (https://…zoom.us/j/84100216138)"
_GROUPED = re.compile(r"[0-9]+(?:[ \u00a0-][0-9]+)*")
_JOIN_PATH = re.compile(r"/(?:j|w|s|wc/join|wc)/([0-9]+)(?:/|$)")
_WINDOW = re.compile(r"([0-9]{1,6})\s*([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _shown(text: str) -> str:
    """The input as it may be echoed: a link without its query (where ``pwd`` lives), shortened."""
    head = text.split("?", 1)[0].split("#", 1)[0]
    return head[:80] + ("…" if len(head) > 80 else "")


def _checked(digits: str, text: str) -> int:
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19 or int(digits) > MAX_MEETING_ID:
        raise UsageError(f"{_shown(text)!r} is not a meeting; give {MEETING_FORMS}")
    return int(digits)


def is_meeting_id(text: str) -> bool:
    """Whether ``text`` is a bare meeting id (ASCII digits of an int64: ``str.isdigit`` also
    accepts "²", and ``int`` refuses thousands of digits)."""
    return 0 < len(text) <= 19 and text.isascii() and text.isdigit() and int(text) <= MAX_MEETING_ID


def parse_meeting(text: str) -> int:
    """The meeting id in ``text``: digits (spaces or hyphens between groups allowed), or a Zoom join
    link. UsageError naming the accepted forms otherwise."""
    raw = text.strip()
    if _GROUPED.fullmatch(raw):
        return _checked(re.sub(r"[ \u00a0-]", "", raw), raw)
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = (parts.hostname or "").lower()
    if parts.scheme in ("https", "http") and (host == "zoom.us" or host.endswith(".zoom.us")):
        found = _JOIN_PATH.search(parts.path)
        if found:
            return _checked(found.group(1), raw)
    if parts.scheme == "zoommtg":
        confno = parse_qs(parts.query).get("confno", [""])[0]
        if confno:
            return _checked(confno, raw)
    raise UsageError(f"{_shown(raw)!r} is not a meeting; give {MEETING_FORMS}")


def parse_window(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d`` as a timedelta (a positive whole number and a unit)."""
    found = _WINDOW.fullmatch(text.strip().lower())
    if not found or int(found.group(1)) == 0:
        raise UsageError(f"{text.strip()[:20]!r} is not a window; write minutes, hours or days: 90m, 24h, 7d")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
