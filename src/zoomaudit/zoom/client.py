"""The Zoom REST API client: typed endpoints over the careful request loop of transport.py.

Each method is one endpoint of ``endpoints.ENDPOINTS`` (checked against Zoom's OpenAPI spec);
the ``*_merged`` methods read a settings endpoint's default view and its ``option`` views and
merge them into the one document snapshot.py describes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote

from zoomaudit.zoom.endpoints import ENDPOINTS
from zoomaudit.zoom.models import Group, GroupList, GroupMember, Meeting, MeetingListItem, SettingsDoc, User
from zoomaudit.zoom.transport import ClientStats, ZoomTransport

__all__ = ["ENDPOINTS", "ClientStats", "ZoomClient"]

ALL_VIEWS: tuple[str, ...] = ("meeting_security", "meeting_authentication")
"""The ``option`` views of the settings endpoints that zoomaudit reads besides the default one."""
LOCK_VIEWS: tuple[str, ...] = ("meeting_security",)
"""Lock settings have only the ``meeting_security`` option view."""


class ZoomClient(ZoomTransport):
    """Async Zoom API client. Use as ``async with ZoomClient(settings) as zoom: ...``."""

    # -- users and meetings --------------------------------------------------------------------

    async def list_users(self, status: str = "active") -> AsyncIterator[User]:
        async for raw in self._paginate(ENDPOINTS["list_users"], "/users", {"status": status}, "users"):
            if not raw.get("id"):  # Zoom returns no id for pending users; they host nothing
                continue
            yield self._model(User, raw, "GET /users")

    async def get_user(self, user_id: str) -> User:
        data = await self._json(ENDPOINTS["get_user"], f"/users/{_seg(user_id)}")
        return self._model(User, data, "GET /users/{userId}")

    async def list_meetings(self, user_id: str, type: str = "scheduled") -> AsyncIterator[MeetingListItem]:
        path = f"/users/{_seg(user_id)}/meetings"
        async for raw in self._paginate(ENDPOINTS["list_meetings"], path, {"type": type}, "meetings"):
            yield self._model(MeetingListItem, raw, "GET /users/{userId}/meetings")

    async def get_meeting(self, meeting_id: int, occurrence_id: str | None = None) -> Meeting:
        params = {"occurrence_id": occurrence_id} if occurrence_id else None
        data = await self._json(ENDPOINTS["get_meeting"], f"/meetings/{int(meeting_id)}", params)
        meeting = self._model(Meeting, data, "GET /meetings/{meetingId}")
        if meeting.host_id:
            self._remember_host(meeting.id, meeting.host_id)
        return meeting

    async def update_meeting(
        self,
        meeting_id: int,
        body: Mapping[str, Any],
        occurrence_id: str | None = None,
        *,
        host: str | None = None,
    ) -> None:
        """PATCH a meeting (Zoom answers 204). ``host`` names the host for the per-host daily quota."""
        params = {"occurrence_id": occurrence_id} if occurrence_id else None
        path = f"/meetings/{int(meeting_id)}"
        await self._send(ENDPOINTS["update_meeting"], "PATCH", path, params, dict(body), host=host)

    # -- settings of each tier ------------------------------------------------------------------

    async def get_user_settings(self, user_id: str, option: str | None = None) -> SettingsDoc:
        return await self._json(
            ENDPOINTS["get_user_settings"], f"/users/{_seg(user_id)}/settings", _opt(option)
        )

    async def update_user_settings(
        self, user_id: str, body: Mapping[str, Any], option: str | None = None
    ) -> None:
        path = f"/users/{_seg(user_id)}/settings"
        await self._send(ENDPOINTS["update_user_settings"], "PATCH", path, _opt(option), dict(body))

    async def get_account_settings(self, option: str | None = None) -> SettingsDoc:
        return await self._json(ENDPOINTS["get_account_settings"], "/accounts/me/settings", _opt(option))

    async def update_account_settings(self, body: Mapping[str, Any], option: str | None = None) -> None:
        endpoint = ENDPOINTS["update_account_settings"]
        await self._send(endpoint, "PATCH", "/accounts/me/settings", _opt(option), dict(body))

    async def get_account_lock_settings(self, option: str | None = None) -> SettingsDoc:
        return await self._json(
            ENDPOINTS["get_account_lock_settings"], "/accounts/me/lock_settings", _opt(option)
        )

    async def update_account_lock_settings(self, body: Mapping[str, Any], option: str | None = None) -> None:
        endpoint = ENDPOINTS["update_account_lock_settings"]
        await self._send(endpoint, "PATCH", "/accounts/me/lock_settings", _opt(option), dict(body))

    async def list_groups(self) -> list[Group]:
        data = await self._json(ENDPOINTS["list_groups"], "/groups")
        return list(self._model(GroupList, data, "GET /groups").groups)

    async def list_group_members(self, group_id: str) -> AsyncIterator[GroupMember]:
        path = f"/groups/{_seg(group_id)}/members"
        async for raw in self._paginate(ENDPOINTS["list_group_members"], path, {}, "members"):
            yield self._model(GroupMember, raw, "GET /groups/{groupId}/members")

    async def get_group_settings(self, group_id: str, option: str | None = None) -> SettingsDoc:
        path = f"/groups/{_seg(group_id)}/settings"
        return await self._json(ENDPOINTS["get_group_settings"], path, _opt(option))

    async def update_group_settings(
        self, group_id: str, body: Mapping[str, Any], option: str | None = None
    ) -> None:
        path = f"/groups/{_seg(group_id)}/settings"
        await self._send(ENDPOINTS["update_group_settings"], "PATCH", path, _opt(option), dict(body))

    async def get_group_lock_settings(self, group_id: str, option: str | None = None) -> SettingsDoc:
        path = f"/groups/{_seg(group_id)}/lock_settings"
        return await self._json(ENDPOINTS["get_group_lock_settings"], path, _opt(option))

    async def update_group_lock_settings(
        self, group_id: str, body: Mapping[str, Any], option: str | None = None
    ) -> None:
        path = f"/groups/{_seg(group_id)}/lock_settings"
        await self._send(ENDPOINTS["update_group_lock_settings"], "PATCH", path, _opt(option), dict(body))

    # -- merged views (snapshot.py: default + meeting_security [+ meeting_authentication]) -------

    async def user_settings_merged(self, user_id: str, options: Iterable[str] = ALL_VIEWS) -> SettingsDoc:
        return await self._merged(lambda opt: self.get_user_settings(user_id, opt), options)

    async def account_settings_merged(self, options: Iterable[str] = ALL_VIEWS) -> SettingsDoc:
        return await self._merged(self.get_account_settings, options)

    async def account_locks_merged(self, options: Iterable[str] = LOCK_VIEWS) -> SettingsDoc:
        return await self._merged(self.get_account_lock_settings, set(options) & set(LOCK_VIEWS))

    async def group_settings_merged(self, group_id: str, options: Iterable[str] = ALL_VIEWS) -> SettingsDoc:
        return await self._merged(lambda opt: self.get_group_settings(group_id, opt), options)

    async def group_locks_merged(self, group_id: str, options: Iterable[str] = LOCK_VIEWS) -> SettingsDoc:
        return await self._merged(
            lambda opt: self.get_group_lock_settings(group_id, opt), set(options) & set(LOCK_VIEWS)
        )

    async def _merged(
        self, get: Callable[[str | None], Awaitable[SettingsDoc]], options: Iterable[str]
    ) -> SettingsDoc:
        """The default view plus the ``option`` views asked for, fetched concurrently.

        ``meeting_security`` is kept as its own section; the ``meeting_authentication`` view is
        merged at the top level (snapshot.py describes the shape).
        """
        views = sorted(set(options))
        unknown = set(views) - set(ALL_VIEWS)
        if unknown:
            raise ValueError(f"unknown settings view(s): {', '.join(sorted(unknown))}")
        results = await asyncio.gather(get(None), *(get(v) for v in views), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        docs: list[SettingsDoc] = [r for r in results if not isinstance(r, BaseException)]
        merged: SettingsDoc = dict(docs[0])
        for view, doc in zip(views, docs[1:], strict=True):
            if view == "meeting_security":
                if "meeting_security" in doc:
                    merged["meeting_security"] = doc["meeting_security"]
            else:
                merged.update(doc)
        return merged


def _opt(option: str | None) -> dict[str, Any] | None:
    return {"option": option} if option else None


def _seg(value: str) -> str:
    """A user or group id (or an email) as one path segment."""
    return quote(str(value), safe="@")
