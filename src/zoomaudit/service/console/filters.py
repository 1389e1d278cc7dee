"""Template filters: how dates, values, tiers and statuses read on the console's pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import Environment

TIER_LABELS = {
    "meeting": "meeting",
    "user": "host (user)",
    "group": "group",
    "account": "account",
    "group_lock": "group lock",
    "account_lock": "account lock",
    "default": "Zoom default",
}


def when(value: datetime | date | None) -> str:
    """A timestamp in UTC to the minute, e.g. ``2026-11-21 05:57 UTC``."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def show(value: Any) -> str:
    """A setting's value as people read it: on/off for booleans, compact JSON for structures."""
    if value is None:
        return "—"
    if value is True:
        return "on"
    if value is False:
        return "off"
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(", ", ": "), default=str)


def tier(value: str | None) -> str:
    return TIER_LABELS.get(value or "", "not stated")


def as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, default=str)


def after(plan: Any) -> dict[str, Any]:
    """The values a fix plan sets, ``{field: value}``, passcodes masked."""
    from zoomaudit.fixes.queue import redact

    result: dict[str, Any] = redact(plan.fields)
    return result


def before(plan: Any) -> dict[str, Any]:
    """The values a fix plan found at its target before (``{field: value}``), passcodes masked."""
    from zoomaudit.fixes.queue import redact

    result: dict[str, Any] = redact(dict(plan.before or {}))
    return result


def install(env: Environment) -> None:
    env.filters.update(when=when, show=show, tier=tier, as_json=as_json, after=after, before=before)
