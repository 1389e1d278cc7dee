"""The real collaborators of the service, found in one place.

``create_service_app`` takes each of them as an argument (tests pass fakes); what is not passed
is wired here: the runner, the store, withdrawing a deleted meeting's fixes, retrying deferred
fixes, and listing a group's members through the Zoom client.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoomaudit.service.context import ApplyDeferred, GroupMembers, Runner, WithdrawFixes
    from zoomaudit.settings import Settings

log = logging.getLogger(__name__)

ACTOR = "webhook"
"""Who the audit trail names for changes the service makes on Zoom's word."""


def _find(candidates: list[tuple[str, str]]) -> Callable[..., Any] | None:
    for module_name, attr in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        func = getattr(module, attr, None)
        if callable(func):
            return func  # type: ignore[no-any-return]
    return None


def real_runner() -> Runner:
    from zoomaudit.runner import run

    return run


def open_store(settings: Settings) -> Any:
    from zoomaudit.store import Store

    return Store.from_settings(settings)


def withdraw_fixes(store: Any) -> WithdrawFixes | None:
    """``meeting.deleted``: the fixes module's withdrawal, bound to the service's store."""
    func = _find(
        [
            ("zoomaudit.fixes.queue", "withdraw_fixes_for_meeting"),
            ("zoomaudit.fixes", "withdraw_fixes_for_meeting"),
        ]
    )
    if func is None:
        log.warning("withdrawing fixes of deleted meetings is not available in this build")
        return None

    def withdraw(meeting_id: int) -> Any:
        return func(store, meeting_id, ACTOR)

    return withdraw


def apply_deferred(settings: Settings, store: Any) -> ApplyDeferred | None:
    """The retry of quota-deferred fixes, bound to the settings and the service's store."""
    func = _find([("zoomaudit.fixes.apply", "apply_deferred"), ("zoomaudit.fixes", "apply_deferred")])
    if func is None:
        log.warning("retrying deferred fixes is not available in this build")
        return None

    async def retry() -> Any:
        from zoomaudit.zoom.client import ZoomClient

        async with ZoomClient(settings) as client:
            return await func(store, client)

    return retry


def group_members(settings: Settings) -> GroupMembers:
    """User ids of a group's members, read from Zoom (``GET /groups/{groupId}/members``)."""

    async def members(group_id: str) -> list[str]:
        from zoomaudit.zoom.client import ZoomClient

        async with ZoomClient(settings) as client:
            return [m.id async for m in client.list_group_members(group_id)]

    return members
