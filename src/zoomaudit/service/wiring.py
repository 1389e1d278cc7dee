"""The real collaborators of the service, found in one place.

``create_service_app`` takes each of them as an argument (tests pass fakes); what is not passed
is wired here: the runner, the store, withdrawing a deleted meeting's fixes, retrying deferred
fixes, and listing a group's members. Those that call Zoom take the client of the service's lane
(lane.py) as an argument and never open their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoomaudit.notify.deliver import Notifier
    from zoomaudit.service.context import ApplyDeferred, Runner, WithdrawFixes
    from zoomaudit.settings import Settings
    from zoomaudit.zoom.client import ZoomClient

log = logging.getLogger(__name__)

ACTOR = "zoomaudit:webhook"
"""Who the audit trail names for changes the service makes on Zoom's word."""


def real_runner() -> Runner:
    from zoomaudit.runner import run

    return run


def open_store(settings: Settings) -> Any:
    from zoomaudit.store import Store

    return Store.from_settings(settings)


def notifier(settings: Settings, store: Any) -> Notifier | None:
    """The notifications of the service, or None when no channel is configured. A malformed URL
    is a ConfigError (``serve`` checks before it starts, so this only repeats that check)."""
    from zoomaudit.notify.deliver import Notifier

    made = Notifier(settings, store)
    return made if made.configured else None


def withdraw_fixes(store: Any) -> WithdrawFixes | None:
    """``meeting.deleted`` of an account: the fixes module's withdrawal, bound to the service's store."""
    try:
        from zoomaudit.fixes.apply import withdraw_fixes_for_meeting
    except ImportError:
        log.warning("withdrawing fixes of deleted meetings is not available in this build")
        return None

    async def withdraw(meeting_id: int, account: str) -> list[str]:
        # A database write: off the event loop, so webhook answers never wait on a lock. Only the
        # account's own fixes: the same meeting id in another account is another meeting.
        return await asyncio.to_thread(
            withdraw_fixes_for_meeting, store, meeting_id, actor=ACTOR, now=datetime.now(UTC), account=account
        )

    return withdraw


def apply_deferred(store: Any) -> ApplyDeferred | None:
    """The retry of one account's quota-deferred fixes, bound to the service's store; the
    account's lane gives its client and its name."""
    try:
        from zoomaudit.fixes.apply import apply_deferred as apply
    except ImportError:
        log.warning("retrying deferred fixes is not available in this build")
        return None

    async def retry(client: ZoomClient, account: str) -> str:
        # Only this account's fixes: each is applied with the client of the account it is of.
        results = await apply(store, client, datetime.now(UTC), account=account)
        statuses = Counter(str(getattr(r, "status", "?")) for r in results)
        return ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none were deferred"

    return retry


async def group_members(client: ZoomClient, group_id: str) -> list[str]:
    """User ids of a group's members, read from Zoom (``GET /groups/{groupId}/members``)."""
    return [m.id async for m in client.list_group_members(group_id)]
