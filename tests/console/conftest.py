"""Fixtures of the console's view tests: a real SQLite store, seeded runs and fix plans, fake Zoom actions.

The views are driven over HTTP (httpx2 against the ASGI app) exactly as a browser would: a session
cookie, form posts with the page's CSRF token. Zoom is not involved here; the browser tests use the
sandbox.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from zoomaudit.findings import Finding, Pass, Violation
from zoomaudit.fixes.apply import ApplyResult
from zoomaudit.fixes.plan import FixPlan, PlanRequest
from zoomaudit.fixes.queue import record_plans
from zoomaudit.runner import RunOutcome
from zoomaudit.service.console.accounts import add_admin
from zoomaudit.service.console.actions import ConsoleActions
from zoomaudit.service.console.app import create_console_app
from zoomaudit.service.console.throttle import Backoff, LoginPolicy
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import PolicyInfo, Store
from zoomaudit.vocabulary import Scope

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
ADMIN = "lead@example.org"
VIEWER = "viewer@example.org"
PASSWORD = "a long enough password"
PASSCODE = "Zq81736"
POLICY = LoginPolicy(
    account=Backoff(free=3, cap=timedelta(minutes=5)), address=Backoff(free=6, cap=timedelta(minutes=15))
)
"""The tests' sign-in delays: after 3 failures at one account, or 6 from one address, 1 s, 2 s, 4 s..."""
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store.from_settings(settings) as opened:
        add_admin(opened, ADMIN, PASSWORD, "admin", now=NOW)
        add_admin(opened, VIEWER, PASSWORD, "viewer", now=NOW)
        yield opened


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


class FakeActions(ConsoleActions):
    """The real store-side actions, with Zoom replaced: approvals "apply" by a status change."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        super().__init__(settings, store, clock=clock)
        self.approved: list[tuple[list[str], str, str | None]] = []
        self.audits: list[Scope] = []
        self.audited_accounts: list[str | None] = []
        """The account each audit was asked for (None: the service's one account)."""
        self.audit_result: str | None = None
        self.revert_result: ApplyResult | None = None
        """Set by a test to make the next revert end this way (stale, failed, Zoom unusable)."""
        self.group_map: dict[str, list[str]] = {}
        self.outcomes: dict[str, tuple[str, str]] = {}
        self.audit_gate: asyncio.Event | None = None
        """Set by a test: audits wait for it (so that their jobs are still running)."""
        self.turn: asyncio.Event | None = None
        """Set by a test: approvals and reverts wait for it, as for their turn in the Zoom lane."""
        """Fix ids that do not apply, with the status and reason to report instead."""

    async def approve(
        self, fix_ids: Any, *, actor: str, note: str | None, on_result: Any = None, on_turn: Any = None
    ) -> list[Any]:
        await self._wait_turn(on_turn)
        self.approved.append((list(fix_ids), actor, note))
        for fix_id in fix_ids:
            if fix_id in self.outcomes:
                status, message = self.outcomes[fix_id]
                if on_result is not None:
                    on_result(ApplyResult(fix_id, status, message))
                continue
            self.store.fixes.transition(
                fix_id,
                from_statuses=("pending",),
                to_status="applied",
                actor=actor,
                at=self._clock(),
                note=note,
                decided_by=actor,
                decided_at=self._clock(),
                applied_at=self._clock(),
            )
            if on_result is not None:
                on_result(ApplyResult(fix_id, "applied"))
        return []

    async def reject(self, fix_ids: Any, *, actor: str, reason: str) -> list[Any]:
        for fix_id in fix_ids:
            self.store.fixes.transition(
                fix_id,
                from_statuses=("pending",),
                to_status="rejected",
                actor=actor,
                at=self._clock(),
                note=reason,
                decided_by=actor,
                decided_at=self._clock(),
            )
        return []

    async def _wait_turn(self, on_turn: Any) -> None:
        if self.turn is not None:
            await self.turn.wait()
        if on_turn is not None:
            on_turn()

    async def revert(self, fix_id: str, *, actor: str, on_turn: Any = None) -> Any:
        await self._wait_turn(on_turn)
        if self.revert_result is not None:
            return self.revert_result
        self.store.fixes.transition(
            fix_id, from_statuses=("applied",), to_status="reverted", actor=actor, at=self._clock()
        )
        return ApplyResult(fix_id, "reverted")

    async def audit(self, scope: Scope, account: str | None = None) -> RunOutcome:
        self.audits.append(scope)
        self.audited_accounts.append(account)
        if self.audit_gate is not None:
            await self.audit_gate.wait()
        run_id = self.audit_result or seed_run(
            self.store, [violation(9001, "waiting-room")], at=self._clock()
        )
        return RunOutcome(run_id=run_id, complete=True)

    async def groups(self) -> tuple[dict[str, list[str]], str | None]:
        return self.group_map, None

    def policies(self) -> list[tuple[str, str]]:
        return [("waiting-room", "Everyone waits to be admitted"), ("passcode", "Meetings need a passcode")]


@pytest.fixture
def actions(settings: Settings, store: Store, clock: Clock) -> FakeActions:
    return FakeActions(settings, store, clock)


@pytest.fixture
def app(settings: Settings, store: Store, actions: FakeActions, clock: Clock) -> Any:
    return create_console_app(
        settings,
        store=store,
        actions=actions,
        clock=clock,
        secret=b"k" * 32,
        login_policy=POLICY,
    )


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx2.AsyncClient(transport=transport, base_url="http://console.test") as c:
        yield c


# ---- helpers ---------------------------------------------------------------------------------------


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def login(client: httpx2.AsyncClient, email: str = ADMIN, password: str = PASSWORD) -> httpx2.Response:
    page = await client.get("/login")
    return await client.post(
        "/login", data={"csrf": csrf_of(page.text), "email": email, "password": password, "next": "/"}
    )


async def signed_in(client: httpx2.AsyncClient, email: str = ADMIN, page: str = "/") -> str:
    """Sign in and return the CSRF token of ``page``."""
    response = await login(client, email)
    assert response.status_code == 303, response.text
    return csrf_of((await client.get(page)).text)


def violation(meeting_id: int, policy: str, **fields: Any) -> Violation:
    values: dict[str, Any] = {
        "policy_id": policy,
        "control": fields.pop("control", policy.replace("-", "_")),
        "severity": fields.pop("severity", "high"),
        "meeting_id": meeting_id,
        "topic": fields.pop("topic", f"Youth group {meeting_id}"),
        "host_id": fields.pop("host_id", "u-alice"),
        "host_email": fields.pop("host_email", "alice@example.org"),
        "actual": False,
        "expected": True,
        "source": "user",
        "message": "waiting room is off",
    }
    values.update(fields)
    return Violation(**values)


def passed(meeting_id: int, policy: str, **fields: Any) -> Pass:
    return Pass(
        **violation(meeting_id, policy, actual=True, message="", **fields).model_dump(exclude={"status"})
    )


def seed_run(
    store: Store,
    findings: list[Finding],
    *,
    at: datetime = NOW,
    scope: str = "account",
    complete: bool = True,
) -> str:
    run_id = store.start_run(
        "manual",
        scope,  # type: ignore[arg-type]
        {},
        "h",
        at,
        policies={"waiting-room": PolicyInfo(title="Everyone waits to be admitted")},
    )
    store.add_findings(run_id, findings)
    counts = {"violations": sum(f.status == "violation" for f in findings), "meetings": 2, "users": 1}
    store.finish_run(run_id, complete=complete, finished_at=at + timedelta(seconds=5), counts=counts)
    return run_id


def seed_fix(
    store: Store,
    meeting_id: int,
    policy: str = "waiting-room",
    body: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
) -> str:
    body = body or {"settings": {"waiting_room": True}}
    plan = FixPlan(
        policy_id=policy,
        mode="suggest",
        target_level="meeting",
        target_id=str(meeting_id),
        host_id="u-alice",
        request=PlanRequest(method="PATCH", path=f"/meetings/{meeting_id}", body=body),
        before=before if before is not None else {"settings.waiting_room": False},
        meeting_ids=(meeting_id,),
        dedupe_key=f"meeting:{meeting_id}:{policy}",
    )
    return record_plans(store, None, [plan], NOW)[plan.dedupe_key]


@dataclass
class Seeded:
    runs: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)


@pytest.fixture
def seeded(store: Store) -> Seeded:
    """Two whole-account runs (3 violations, then 2) and two pending fixes of one policy."""
    out = Seeded()
    out.runs.append(
        seed_run(
            store,
            [
                violation(1001, "waiting-room"),
                violation(1002, "waiting-room", severity="high"),
                violation(1002, "passcode", control="passcode", severity="critical", actual=""),
            ],
            at=NOW - timedelta(days=1),
        )
    )
    out.runs.append(
        seed_run(
            store,
            [
                violation(1001, "waiting-room"),
                violation(1002, "passcode", control="passcode", severity="critical", actual="", locked=True),
                passed(1002, "waiting-room", source="account"),
                passed(1003, "waiting-room", host_id="u-bob", host_email="bob@example.org", topic="Staff"),
            ],
        )
    )
    out.fixes.append(seed_fix(store, 1001))
    out.fixes.append(seed_fix(store, 1002, body={"settings": {"waiting_room": True}}))
    return out
