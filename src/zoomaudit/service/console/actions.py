"""What the console changes, each through the same code the command line uses.

Approvals go through ``zoomaudit.fixes`` (re-read, stale check, apply, verify, trail) with the
signed-in admin's e-mail as the actor; audits through the service (or ``zoomaudit.runner.run``).
Under ``serve`` every Zoom call goes through the service's lane (``zoomaudit.service.lane``):
approvals and reverts wait for their turn beside the audits and use the lane's one client; the
group list of the meeting filter uses that client (and so its rate budget) without waiting.
A console built on its own (no lane) opens a client per action, as the command line does.
Tests replace this object with a fake that has the same methods.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.concurrency import run_in_threadpool

from zoomaudit.errors import ZoomAuditError
from zoomaudit.runner import RunOutcome
from zoomaudit.settings import Settings
from zoomaudit.vocabulary import DEFAULT_ACCOUNT, Scope

if TYPE_CHECKING:
    from zoomaudit.service.lane import ZoomLane
    from zoomaudit.zoom.client import ZoomClient

log = logging.getLogger("zoomaudit.console")

T = TypeVar("T")

AuditFn = Callable[..., Awaitable[RunOutcome]]
"""``audit(scope)`` or ``audit(scope, account=NAME)``: the service's tracked audit."""
GROUP_CACHE_SECONDS = 300.0


class ConsoleActions:
    """The real actions, over the store (or a function giving it, for a store opened at start-up)."""

    def __init__(
        self,
        settings: Settings,
        store: Any,
        *,
        clock: Callable[[], datetime],
        runner: Any = None,
        audit: AuditFn | None = None,
        lane: ZoomLane | None = None,
        lane_for: Callable[[str], ZoomLane] | None = None,
    ) -> None:
        self.settings = settings
        self._lane = lane
        self._lane_for = lane_for
        """Under ``serve`` with an accounts file: each account's own lane (its client and turn),
        so a fix is applied with its own account's credentials."""
        self._store = store
        self._clock = clock
        self._runner = runner
        self._audit = audit
        self._groups: tuple[float, dict[str, list[str]]] | None = None
        self._groups_lock = asyncio.Lock()

    @property
    def store(self) -> Any:
        return self._store() if callable(self._store) else self._store

    # zoom ------------------------------------------------------------------------------------------
    @property
    def zoom_busy(self) -> str | None:
        """What holds the service's Zoom lane now (an approval started now would wait for it)."""
        return self._lane.running if self._lane is not None else None

    async def _with_zoom(
        self,
        label: str,
        work: Callable[[ZoomClient], Awaitable[T]],
        on_turn: Callable[[], None] | None = None,
        account: str = DEFAULT_ACCOUNT,
    ) -> T:
        """``work(client)`` in the turn of ``account``'s lane under ``serve``; else with a client of
        its own. ``on_turn`` is called when the work starts (after waiting for the turn, if it had to)."""

        async def started(client: ZoomClient) -> T:
            if on_turn is not None:
                on_turn()
            return await work(client)

        if self._lane_for is not None:
            return await self._lane_for(account).run(label, started)
        if self._lane is not None:
            return await self._lane.run(label, started)
        from zoomaudit.zoom.client import ZoomClient

        async with ZoomClient(self.settings) as client:
            return await started(client)

    # audits ----------------------------------------------------------------------------------------
    async def audit(self, scope: Scope, account: str | None = None) -> RunOutcome:
        """Audit ``scope`` of ``account`` (None: the service's first, or only, account)."""
        if self._audit is not None:
            if account is None:
                return await self._audit(scope)
            return await self._audit(scope, account=account)
        runner = self._runner
        if runner is None:
            from zoomaudit.runner import run as runner
        outcome: RunOutcome = await runner(scope, "manual", settings=self.settings, store=self.store)
        return outcome

    # fixes -----------------------------------------------------------------------------------------
    async def approve(
        self,
        fix_ids: Sequence[str],
        *,
        actor: str,
        note: str | None,
        on_result: Callable[[Any], None] | None = None,
        on_turn: Callable[[], None] | None = None,
    ) -> list[Any]:
        """Approve and apply each fix in turn, each account's with that account's client (one
        client per account); ``on_result`` hears each outcome."""
        from zoomaudit.fixes.apply import approve

        results: list[Any] = []
        for account, ids in (await self._by_account(fix_ids)).items():

            async def work(client: ZoomClient, ids: list[str] = ids, account: str = account) -> None:
                for fix_id in ids:
                    for result in await approve(
                        self.store,
                        client,
                        [fix_id],
                        actor=actor,
                        note=note,
                        clock=self._clock,
                        account=account,
                    ):
                        results.append(result)
                        if on_result is not None:
                            on_result(result)

            what = f"fix {ids[0]}" if len(ids) == 1 else f"{len(ids)} fixes"
            await self._with_zoom(f"console approval of {what} by {actor}", work, on_turn, account)
        return results

    async def _by_account(self, fix_ids: Sequence[str]) -> dict[str, list[str]]:
        """The fixes grouped by their account, in the order given (an unknown id goes with the
        default account, where ``approve`` reports it as unknown)."""
        from zoomaudit.fixes.queue import get_fix

        if self.store is None:  # a console without a store of its own (tests): one group
            return {DEFAULT_ACCOUNT: list(fix_ids)}

        def owner(fix_id: str) -> str:
            try:
                return str(get_fix(self.store, fix_id).account)
            except ZoomAuditError:
                return DEFAULT_ACCOUNT

        accounts = await run_in_threadpool(lambda: [owner(f) for f in fix_ids])
        grouped: dict[str, list[str]] = {}
        for fix_id, account in zip(fix_ids, accounts, strict=True):
            grouped.setdefault(account, []).append(fix_id)
        return grouped

    async def revert(self, fix_id: str, *, actor: str, on_turn: Callable[[], None] | None = None) -> Any:
        from zoomaudit.fixes.apply import revert

        [account] = await self._by_account([fix_id])

        async def work(client: ZoomClient) -> Any:
            return await revert(self.store, client, fix_id, actor=actor, clock=self._clock, account=account)

        return await self._with_zoom(f"console revert of fix {fix_id} by {actor}", work, on_turn, account)

    async def reject(self, fix_ids: Sequence[str], *, actor: str, reason: str) -> list[Any]:
        from zoomaudit.fixes.apply import reject

        def call() -> Any:
            return reject(self.store, list(fix_ids), actor=actor, reason=reason, now=self._clock())

        result = await run_in_threadpool(call)
        if asyncio.iscoroutine(result):
            result = await result
        return list(result or [])

    # waivers ---------------------------------------------------------------------------------------
    async def add_waiver(
        self,
        *,
        policy_id: str,
        reason: str,
        approved_by: str,
        meeting_id: int | None,
        host_email: str | None,
        group_name: str | None,
        until: date | None,
        account: str = DEFAULT_ACCOUNT,
    ) -> Any:
        from zoomaudit.fixes.waivers import add_waiver

        return await run_in_threadpool(
            lambda: add_waiver(
                self.store,
                policy_id=policy_id,
                reason=reason,
                approved_by=approved_by,
                now=self._clock(),
                meeting_id=meeting_id,
                host_email=host_email,
                group_name=group_name,
                until=until,
                account=account,
            )
        )

    async def remove_waiver(self, waiver_id: int, *, actor: str) -> Any:
        from zoomaudit.fixes.waivers import remove_waiver

        return await run_in_threadpool(
            lambda: remove_waiver(self.store, waiver_id, actor=actor, now=self._clock())
        )

    # reference data --------------------------------------------------------------------------------
    def policies(self) -> list[tuple[str, str]]:
        """(id, title) of every policy in force, for the waiver form."""
        from pathlib import Path

        from zoomaudit.policy import load_policies

        try:
            policy_set = load_policies(
                Path(self.settings.policies_dir) if self.settings.policies_dir else None
            )
        except ZoomAuditError:
            return []
        return [(p.id, p.title) for p in policy_set.policies]

    async def groups(self) -> tuple[dict[str, list[str]], str | None]:
        """Zoom group names -> member user ids (cached for a few minutes), and a note if unavailable.

        Findings do not record groups, so the meeting list's group filter asks Zoom who is in which
        group; a console without working Zoom credentials simply has no group filter.
        """
        async with self._groups_lock:
            if self._groups is not None and time.monotonic() - self._groups[0] < GROUP_CACHE_SECONDS:
                return self._groups[1], None
            if self.settings.missing_credentials():
                return {}, "groups are listed from Zoom, and Zoom credentials are not configured"
            from zoomaudit.zoom.client import ZoomClient

            async def read(client: ZoomClient) -> dict[str, list[str]]:
                found: dict[str, list[str]] = {}
                for group in await client.list_groups():
                    found[group.name] = [m.id async for m in client.list_group_members(group.id)]
                return found

            try:
                if self._lane is not None:
                    # A page lookup: the lane's client and budget, without waiting for a turn.
                    found = await read(self._lane.client)
                else:
                    async with ZoomClient(self.settings) as client:
                        found = await read(client)
            except ZoomAuditError as exc:
                log.warning("the console could not list Zoom groups: %s", exc)
                return {}, f"groups could not be read from Zoom ({exc})"
            self._groups = (time.monotonic(), found)
            return found, None
