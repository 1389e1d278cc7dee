"""Template filters: how dates, values, tiers and statuses read on the console's pages.

Times read on the clock of the console's zone (``ZOOMAUDIT_TIMEZONE``, UTC by default): the people
using the console judge "tonight" and "tomorrow" by their own clock, not by UTC. Every page says
which zone (the footer), and each time carries the zone's abbreviation (``GMT``, ``BST``).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from jinja2 import Environment

from zoomaudit.report.common import TIER_LABEL, value_text, when_text
from zoomaudit.timing import in_zone, zone_name


def console_zone(name: str | None) -> str:
    """The zone the console shows times in: ``name`` when it is a known IANA zone, else UTC."""
    return zone_name(name) or "UTC"


def when(value: datetime | date | None, zone: str = "UTC") -> str:
    """A timestamp to the minute on the clock of ``zone``, e.g. ``2026-11-21 05:57 GMT``
    (a naive one is taken as UTC, as the store keeps them)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return in_zone(moment, zone).strftime("%Y-%m-%d %H:%M %Z")
    return value.isoformat()


def clock(value: datetime, zone: str = "UTC") -> str:
    """The time of day on the clock of ``zone``, e.g. ``16:00 GMT`` (under a day's heading)."""
    return in_zone(value, zone).strftime("%H:%M %Z")


def starts(value: datetime, zone: str = "UTC") -> str:
    """A session's start with its weekday, naming the zone: ``Fri 04 Dec 2026 16:00 Europe/London``."""
    return when_text(value, zone)


def show(value: Any) -> str:
    """A setting's value as people read it, the same words as the reports use."""
    return value_text(value)


def tier(value: str | None) -> str:
    return TIER_LABEL.get(value or "", "not stated")


def as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, default=str)


def after(plan: Any) -> dict[str, Any]:
    """The values a fix plan sets, ``{field: value}``, passcodes masked."""
    from zoomaudit.redaction import redact

    result: dict[str, Any] = redact(plan.fields)
    return result


def before(plan: Any) -> dict[str, Any]:
    """The values a fix plan found at its target before (``{field: value}``), passcodes masked."""
    from zoomaudit.redaction import redact

    result: dict[str, Any] = redact(dict(plan.before or {}))
    return result


def sanitised(value: Any) -> Any:
    """A value a template prints: plain text without control and bidi characters; markup the
    console made itself (already safe) as it is."""
    from markupsafe import Markup

    from zoomaudit.safe_text import printable

    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def install(env: Environment, zone: str | None = None) -> None:
    """Add the filters to ``env``, times on the clock of ``zone`` (``settings.timezone``)."""
    name = console_zone(zone)
    env.filters.update(
        when=partial(when, zone=name),
        clock=partial(clock, zone=name),
        starts=partial(starts, zone=name),
        show=show,
        tier=tier,
        as_json=as_json,
        after=after,
        before=before,
    )
    env.globals["timezone"] = name
