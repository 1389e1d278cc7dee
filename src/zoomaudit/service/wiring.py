"""The real collaborators of the service, found in one place.

``create_service_app`` takes each of them as an argument (tests pass fakes); what is not passed
is wired here: the runner, the store, withdrawing a deleted meeting's fixes, retrying deferred
fixes, and listing a group's members through the Zoom client.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoomaudit.service.context import ApplyDeferred, GroupMembers, Runner, WithdrawFixes
    from zoomaudit.settings import Settings

log = logging.getLogger(__name__)

ACTOR = "zoomaudit:webhook"
"""Who the audit trail names for changes the service makes on Zoom's word."""


def real_runner() -> Runner:
    from zoomaudit.runner import run

    return run


def open_store(settings: Settings) -> Any:
    from zoomaudit.store import Store

    return Store.from_settings(settings)


def withdraw_fixes(store: Any) -> WithdrawFixes | None:
    """``meeting.deleted``: the fixes module's withdrawal, bound to the service's store."""
    try:
        from zoomaudit.fixes.apply import withdraw_fixes_for_meeting
    except ImportError:
        log.warning("withdrawing fixes of deleted meetings is not available in this build")
        return None

    async def withdraw(meeting_id: int) -> list[str]:
        # A database write: off the event loop, so webhook answers never wait on a lock.
        return await asyncio.to_thread(
            withdraw_fixes_for_meeting, store, meeting_id, actor=ACTOR, now=datetime.now(UTC)
        )

    return withdraw


def apply_deferred(settings: Settings, store: Any) -> ApplyDeferred | None:
    """The retry of quota-deferred fixes, bound to the settings and the service's store."""
    try:
        from zoomaudit.fixes.apply import apply_deferred as apply
    except ImportError:
        log.warning("retrying deferred fixes is not available in this build")
        return None

    async def retry() -> str:
        from zoomaudit.zoom.client import ZoomClient

        async with ZoomClient(settings) as client:
            results = await apply(store, client, datetime.now(UTC))
        statuses = Counter(str(getattr(r, "status", "?")) for r in results)
        return ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none were deferred"

    return retry


def group_members(settings: Settings) -> GroupMembers:
    """User ids of a group's members, read from Zoom (``GET /groups/{groupId}/members``)."""

    async def members(group_id: str) -> list[str]:
        from zoomaudit.zoom.client import ZoomClient

        async with ZoomClient(settings) as client:
            return [m.id async for m in client.list_group_members(group_id)]

    return members
