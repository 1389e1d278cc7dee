"""Template filters: how dates, values, tiers and statuses read on the console's pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from jinja2 import Environment

from zoomaudit.report.common import TIER_LABEL, value_text


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


def install(env: Environment) -> None:
    env.filters.update(when=when, show=show, tier=tier, as_json=as_json, after=after, before=before)
