"""Collect: fetch from Zoom exactly what the policies need, streamed host by host.

One ``AccountContext`` (account settings and locks, every group's settings and locks), then one
``HostBatch`` per host: the host's settings and the meetings to audit. Hosts are fetched
concurrently (the client's rate budget paces the requests); each host's settings are fetched
once, however many meetings it has. Batches are handed over through a bounded queue so memory
stays flat on large accounts.

What is audited for a host (docs/usage.md):
- every scheduled meeting of types 2, 3, 8 and 10 (screen share only) from
  ``GET /users/{id}/meetings?type=scheduled``;
- the host's PMI meeting (type 4) when the host has a PMI and personal meetings are not off;
- for a recurring meeting with fixed times (type 8), its next ``ZOOMAUDIT_OCCURRENCES`` upcoming
  occurrences, each read with ``occurrence_id``; an occurrence becomes a subject of its own only
  when its settings or passcode differ from the series (an occurrence override).

A user or meeting that cannot be read after the client's retries becomes a ``CollectError`` and
the run is incomplete; authentication failures and exhausted rate limits stop the run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from zoomaudit.aio import bounded_stream, gather_all, gather_pair
from zoomaudit.controls import Control
from zoomaudit.errors import (
    AuthError,
    NotFound,
    RateLimited,
    UnknownMeeting,
    UsageError,
    ZoomApiError,
    ZoomError,
)
from zoomaudit.priority import resolve_priority
from zoomaudit.shape import describe, lock_sections, misshapen
from zoomaudit.snapshot import (
    AccountContext,
    CollectError,
    GroupContext,
    HostBatch,
    HostContext,
    Subject,
)
from zoomaudit.zoom.models import Meeting, MeetingListItem, SettingsDoc, User

if TYPE_CHECKING:
    from zoomaudit.vocabulary import Scope
    from zoomaudit.zoom.client import ZoomClient

log = logging.getLogger("zoomaudit.collect")

# 10 is Zoom's "screen share only" meeting (Create a meeting, `type`): a scheduled session like 2.
AUDITED_TYPES = frozenset({2, 3, 8, 10})
PMI_TYPE = 4
RECURRING_FIXED = 8
_OPTION_VIEWS = ("meeting_security", "meeting_authentication")
# Keys of the option=meeting_authentication view, which Zoom returns at the top level.
_AUTH_KEYS = ("meeting_authentication", "authentication_options", "allow_authentication_exception")


@dataclass(frozen=True)
class Needs:
    """Which ``option`` views of the settings endpoints the selected policies read."""

    options: frozenset[str]

    @classmethod
    def for_controls(cls, controls: Iterable[Control]) -> Needs:
        options: set[str] = set()
        for control in controls:
            for path in control.read_paths():
                head = path.split(".", 1)[0]
                if head in _OPTION_VIEWS:
                    options.add(head)
                elif head in _AUTH_KEYS:
                    options.add("meeting_authentication")
        return cls(frozenset(options))

    @classmethod
    def everything(cls) -> Needs:
        return cls(frozenset(_OPTION_VIEWS))


def well_shaped(doc: SettingsDoc, url: str, *, locks: bool = False) -> SettingsDoc:
    """``doc``, or a ``ZoomApiError`` naming its sections that are not objects (shape.py)."""
    problems = misshapen(doc, lock_sections() if locks else None)
    if problems:
        raise ZoomApiError(
            200, None, f"unexpected response shape ({describe(problems)})", method="GET", url=url
        )
    return doc


@dataclass(frozen=True)
class AccountBase:
    """What an audit of any scope reads first: account settings and locks and the group list."""

    settings: SettingsDoc
    locks: SettingsDoc
    groups: tuple[tuple[str, str], ...]
    """(id, name) of every group, in the order ``GET /groups`` lists them."""


async def read_account(client: ZoomClient, needs: Needs) -> AccountBase:
    """Account settings, account locks and the group list: needed by every scope and depending
    on nothing else, so the runner starts them before it knows which hosts it audits."""
    (settings, locks), groups = await gather_pair(
        gather_pair(
            client.account_settings_merged(needs.options), client.account_locks_merged(needs.options)
        ),
        client.list_groups(),
    )
    well_shaped(settings, "/accounts/me/settings")
    well_shaped(locks, "/accounts/me/lock_settings", locks=True)
    return AccountBase(settings, locks, tuple((g.id, g.name) for g in groups))


async def read_groups(
    client: ZoomClient,
    needs: Needs,
    base: AccountBase,
    group_ids: Collection[str] | None = None,
    priority: Sequence[str] = (),
) -> AccountContext:
    """The settings and locks of every group (or of ``group_ids``: an audit of some meetings or
    hosts reads only their hosts' groups), joined to ``base``. ``priority`` is
    ``ZOOMAUDIT_GROUP_PRIORITY``'s group names, highest first; a name the account lacks is a
    ``ConfigError`` (Zoom's API does not expose group priority: ``zoomaudit.priority``)."""
    ranked = resolve_priority(priority, base.groups) if priority else None
    groups = [(gid, name) for gid, name in base.groups if group_ids is None or gid in group_ids]

    async def one_group(group_id: str, name: str) -> GroupContext:
        g_settings, g_locks = await gather_all(
            [
                client.group_settings_merged(group_id, needs.options),
                client.group_locks_merged(group_id, needs.options),
            ]
        )
        well_shaped(g_settings, f"/groups/{group_id}/settings")
        well_shaped(g_locks, f"/groups/{group_id}/lock_settings", locks=True)
        return GroupContext(id=group_id, name=name, settings=g_settings, locks=g_locks)

    contexts = await gather_all(one_group(gid, name) for gid, name in groups)
    return AccountContext(
        account_id="me",
        settings=base.settings,
        locks=base.locks,
        groups={g.id: g for g in contexts},
        group_priority=ranked,
    )


def _upcoming_occurrences(meeting: Meeting, now: datetime, limit: int) -> list[str]:
    upcoming: list[tuple[str, str]] = []
    for occ in meeting.occurrences:
        if occ.status == "deleted" or not occ.start_time:
            continue
        try:
            start = datetime.fromisoformat(occ.start_time.replace("Z", "+00:00"))
        except ValueError:
            continue
        if start >= now:
            upcoming.append((occ.start_time, occ.occurrence_id))
    upcoming.sort()
    return [occ_id for _, occ_id in upcoming[:limit]]


def _differs(series: Meeting, occurrence: Meeting) -> bool:
    return occurrence.settings != series.settings or occurrence.password != series.password


async def _cancel(*futures: asyncio.Future[Any] | None) -> None:
    """Cancel what is still running and wait for it: nothing outlives a failed host."""
    running = [f for f in futures if f is not None]
    for future in running:
        future.cancel()
    await asyncio.gather(*running, return_exceptions=True)


class Collector:
    """Fetches host batches for one run. ``errors`` are recorded on the batches they belong to."""

    def __init__(
        self,
        client: ZoomClient,
        needs: Needs,
        *,
        now: datetime | None = None,
        occurrences: int = 1,
        concurrency: int = 16,
        on_hosts: Callable[[int], None] | None = None,
    ) -> None:
        self.on_hosts = on_hosts
        """Told how many hosts there are once they are known (for a progress bar)."""
        self.client = client
        self.needs = needs
        self.now = now or datetime.now(UTC)
        self.occurrences = occurrences
        self.concurrency = concurrency

    async def host_context(self, user: User) -> HostContext:
        settings = await self.client.user_settings_merged(user.id, self.needs.options)
        well_shaped(settings, f"/users/{user.id}/settings")
        return HostContext(user=user, settings=settings, group_ids=tuple(user.group_ids))

    async def subjects_of(self, meeting: Meeting) -> list[Subject]:
        """The meeting itself, plus each upcoming occurrence whose settings were overridden."""
        subjects = [Subject(meeting=meeting)]
        if meeting.type == RECURRING_FIXED and self.occurrences:
            for occ_id in _upcoming_occurrences(meeting, self.now, self.occurrences):
                occurrence = await self.client.get_meeting(meeting.id, occurrence_id=occ_id)
                if _differs(meeting, occurrence):
                    subjects.append(Subject(meeting=occurrence, occurrence_id=occ_id))
        return subjects

    async def _meeting_subjects(
        self, meeting_id: int, errors: list[CollectError], *, missing_ok: bool
    ) -> list[Subject]:
        try:
            meeting = await self.client.get_meeting(meeting_id)
            return await self.subjects_of(meeting)
        except NotFound:
            if not missing_ok:
                raise
            # Deleted or expired between listing and reading: nothing left to audit.
            log.info("meeting %s disappeared while the audit ran", meeting_id)
            return []
        except (AuthError, RateLimited):
            raise
        except ZoomError as exc:
            errors.append(CollectError(meeting_id=meeting_id, message=str(exc)))
            return []

    async def host_batch(self, user: User) -> HostBatch:
        """Everything to audit for one host; failures become errors of the batch.

        The host's settings and its meeting list are asked for together, and its meetings are
        read as soon as the list is in, while the settings may still be on their way: meetings
        are Light, the category that bounds an audit, and the settings are only needed to know
        whether the Personal Meeting Room is in use (read last, when it is not listed).
        """
        errors: list[CollectError] = []
        settings = asyncio.ensure_future(self.host_context(user))
        reading: asyncio.Future[list[list[Subject]]] | None = None
        try:
            items = await self._scheduled(user.id)
            # dict.fromkeys: the same meeting id can be listed twice.
            listed = dict.fromkeys(m.id for m in items if m.type in AUDITED_TYPES)
            reading = asyncio.ensure_future(
                gather_all(self._meeting_subjects(mid, errors, missing_ok=True) for mid in listed)
            )
            host = await settings
        except BaseException as exc:
            await _cancel(settings, reading)
            if isinstance(exc, ZoomError) and not isinstance(exc, AuthError | RateLimited):
                return HostBatch(
                    host=HostContext(user=user, group_ids=tuple(user.group_ids)),
                    errors=[CollectError(user_id=user.id, message=f"{user.email or user.id}: {exc}")],
                )
            raise
        found = await reading
        pmi = self._pmi_of(host)
        if pmi is not None and pmi not in listed:
            found.append(await self._meeting_subjects(pmi, errors, missing_ok=True))
        subjects = [s for group in found for s in group]
        return HostBatch(host=host, subjects=subjects, errors=errors)

    async def _scheduled(self, user_id: str) -> list[MeetingListItem]:
        return [m async for m in self.client.list_meetings(user_id, type="scheduled")]

    @staticmethod
    def _pmi_of(host: HostContext) -> int | None:
        personal = host.settings.get("schedule_meeting", {}).get("personal_meeting")
        if host.user.pmi and personal is not False:
            return int(host.user.pmi)
        return None

    def _stream(self, users: AsyncIterator[User] | Iterable[User]) -> AsyncIterator[HostBatch]:
        """Run host batches concurrently (bounded) and yield them as they complete."""
        return bounded_stream(users, self.host_batch, self.concurrency, on_started=self.on_hosts)

    def account_batches(self) -> AsyncIterator[HostBatch]:
        """Every active user of the account."""
        return self._stream(self.client.list_users(status="active"))

    def user_batches(self, users: Iterable[User]) -> AsyncIterator[HostBatch]:
        """The given hosts, read with ``prefetch_users``."""
        return self._stream(users)

    async def prefetch_users(self, idents: Iterable[str]) -> list[User]:
        """Read the named hosts (ids or e-mails) first, so an unknown one is reported before a run."""
        found: list[User] = []
        for ident in dict.fromkeys(idents):
            try:
                found.append(await self.client.get_user(ident))
            except NotFound:
                raise UsageError(f"user {ident} was not found in Zoom (a wrong id or e-mail?)") from None
        return found

    async def prefetch_meetings(self, meeting_ids: Iterable[int]) -> list[Meeting]:
        """Read the named meetings first, so an unknown id is reported before a run starts."""

        async def one(mid: int) -> Meeting:
            try:
                return await self.client.get_meeting(mid)
            except NotFound as exc:
                raise UnknownMeeting(mid, exc.zoom_message) from None

        return await gather_all(one(m) for m in dict.fromkeys(meeting_ids))

    async def prefetch_hosts(self, host_ids: Iterable[str]) -> tuple[list[HostContext], dict[str, str]]:
        """The hosts of the named meetings with their settings (read side by side: both need only
        the host's id); a host that cannot be read is an error of its meetings."""

        async def one(host_id: str) -> HostContext | str:
            try:
                user, settings = await gather_pair(
                    self.client.get_user(host_id),
                    self.client.user_settings_merged(host_id, self.needs.options),
                )
                well_shaped(settings, f"/users/{host_id}/settings")
            except (AuthError, RateLimited):
                raise
            except ZoomError as exc:
                return str(exc)
            return HostContext(user=user, settings=settings, group_ids=tuple(user.group_ids))

        ids = list(dict.fromkeys(host_ids))
        read = await gather_all(one(h) for h in ids)
        hosts = [h for h in read if isinstance(h, HostContext)]
        errors = {h: r for h, r in zip(ids, read, strict=True) if isinstance(r, str)}
        return hosts, errors

    async def meeting_batches(
        self, meetings: Iterable[Meeting], hosts: Mapping[str, HostContext], host_errors: Mapping[str, str]
    ) -> AsyncIterator[HostBatch]:
        """Audit just these meetings: each with its host's settings and groups."""
        by_host: dict[str, list[Meeting]] = {}
        for meeting in meetings:
            by_host.setdefault(meeting.host_id or "", []).append(meeting)
        if self.on_hosts:
            self.on_hosts(len(by_host))
        for host_id, group in by_host.items():
            errors: list[CollectError] = []
            host = hosts.get(host_id)
            if host is None:
                message = host_errors.get(host_id, "the host could not be read")
                for meeting in group:
                    errors.append(
                        CollectError(meeting_id=meeting.id, user_id=host_id, message=f"host: {message}")
                    )
                yield HostBatch(host=HostContext(user=User(id=host_id or "unknown", email="")), errors=errors)
                continue
            subjects: list[Subject] = []
            for meeting in group:
                try:
                    subjects.extend(await self.subjects_of(meeting))
                except (AuthError, RateLimited):
                    raise
                except ZoomError as exc:
                    errors.append(CollectError(meeting_id=meeting.id, message=str(exc)))
            yield HostBatch(host=host, subjects=subjects, errors=errors)


@dataclass(frozen=True)
class Targets:
    """What a meetings or user scope names, read before a run is stored (unknown ids: exit 2)."""

    meetings: tuple[Meeting, ...] = ()
    users: tuple[User, ...] = ()
    """The named hosts (user scope) or the hosts of the named meetings (meetings scope)."""
    hosts: Mapping[str, HostContext] = field(default_factory=dict)
    """Meetings scope: each host's context (user and settings), by user id."""
    host_errors: Mapping[str, str] = field(default_factory=dict)
    scoped: bool = False
    """False for the whole account: every group is read."""

    @property
    def group_ids(self) -> set[str] | None:
        """The groups whose settings the audit needs; None for all of them."""
        if not self.scoped:
            return None
        return {g for user in self.users for g in user.group_ids}


async def read_targets(collector: Collector, scope: Scope) -> Targets:
    if scope.kind == "meetings":
        meetings = await collector.prefetch_meetings(scope.meeting_ids)
        hosts, errors = await collector.prefetch_hosts(m.host_id or "" for m in meetings)
        return Targets(
            meetings=tuple(meetings),
            users=tuple(h.user for h in hosts),
            hosts={h.user.id: h for h in hosts},
            host_errors=errors,
            scoped=True,
        )
    if scope.kind == "user":
        return Targets(users=tuple(await collector.prefetch_users(scope.users)), scoped=True)
    return Targets()


def batches_for(collector: Collector, scope: Scope, targets: Targets) -> AsyncIterator[HostBatch]:
    """The host batches of a scope, from the targets read for it."""
    if scope.kind == "meetings":
        return collector.meeting_batches(targets.meetings, targets.hosts, targets.host_errors)
    if scope.kind == "user":
        return collector.user_batches(targets.users)
    return collector.account_batches()
