"""The console and several Zoom accounts (issue 18), over HTTP: pages filter by the ``account``
query parameter, and a console user limited to some accounts (``zoomaudit admins limit``) can
neither see nor change anything of another account, whatever URL or form it sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import anyio
import httpx2
import pytest

from zoomaudit.fixes.plan import FixPlan, PlanRequest
from zoomaudit.fixes.queue import get_fix, record_plans
from zoomaudit.service.console.accounts import add_admin, limit_admin
from zoomaudit.store import PolicyInfo, Store

from .conftest import ADMIN, NOW, PASSWORD, FakeActions, csrf_of, signed_in, violation

pytestmark = pytest.mark.anyio

RIVER = "river@example.org"
"""An admin limited to the account riverside."""


def _run(store: Store, account: str, meeting_id: int, minutes: int = 0) -> str:
    at = NOW - timedelta(hours=1) + timedelta(minutes=minutes)
    run_id = store.start_run(
        "manual",
        "account",
        {},
        "h",
        at,
        policies={"waiting-room": PolicyInfo(title="Waits")},
        account=account,
    )
    store.add_findings(run_id, [violation(meeting_id, "waiting-room", topic=f"{account} youth club")])
    store.finish_run(run_id, complete=True, finished_at=at, counts={"violations": 1, "meetings": 1})
    return run_id


def _fix(store: Store, account: str, meeting_id: int) -> str:
    plan = FixPlan(
        policy_id="waiting-room",
        mode="suggest",
        target_level="meeting",
        target_id=str(meeting_id),
        request=PlanRequest(
            method="PATCH", path=f"/meetings/{meeting_id}", body={"settings": {"waiting_room": True}}
        ),
        before={"settings.waiting_room": False},
        meeting_ids=(meeting_id,),
        dedupe_key=f"meeting:{meeting_id}:waiting-room",
    )
    return record_plans(store, None, [plan], NOW, account=account)[plan.dedupe_key]


@pytest.fixture
def two(store: Store) -> dict[str, str]:
    """riverside and hillside, each with a run, a pending fix and a waiver; riverside's meeting
    is 2001, hillside's 3001, and both have a meeting 4004 (the same id in two accounts)."""
    add_admin(store, RIVER, PASSWORD, "admin", now=NOW)
    limit_admin(store, RIVER, ["riverside"])
    ids = {
        "river_run": _run(store, "riverside", 2001),
        "hill_run": _run(store, "hillside", 3001, minutes=5),
        "river_fix": _fix(store, "riverside", 4004),
        "hill_fix": _fix(store, "hillside", 4004),
    }
    for account, meeting_id in (("riverside", 2001), ("hillside", 3001)):
        waiver = store.waivers.add(
            policy_id="waiting-room", reason=f"{account} talk", approved_by="Priya", created_at=NOW,
            meeting_id=meeting_id, host_email=None, group_name=None, until=None, account=account,
        )  # fmt: skip
        ids[f"{account}_waiver"] = str(waiver.id)
    return ids


async def test_a_limited_admin_cannot_see_another_accounts_runs_meetings_fixes_or_waivers(
    client: httpx2.AsyncClient, two: dict[str, str]
) -> None:
    await signed_in(client, RIVER)
    runs = (await client.get("/runs")).text
    assert two["river_run"] in runs
    assert two["hill_run"] not in runs
    assert (await client.get(f"/runs/{two['hill_run']}")).status_code == 404
    assert (await client.get(f"/runs/{two['river_run']}")).status_code == 200
    meetings = (await client.get("/meetings")).text
    assert "riverside youth club" in meetings
    assert "hillside youth club" not in meetings
    assert (await client.get("/meetings/3001")).status_code == 404
    overview = (await client.get("/")).text
    assert "hillside" not in overview
    fixes = (await client.get("/fixes")).text
    assert two["river_fix"] in fixes
    assert two["hill_fix"] not in fixes
    assert (await client.get(f"/fixes/{two['hill_fix']}")).status_code == 404
    assert (await client.get(f"/trail?fix={two['hill_fix']}")).status_code == 404
    assert two["hill_fix"] not in (await client.get("/trail")).text
    waivers = (await client.get("/waivers")).text
    assert "riverside talk" in waivers
    assert "hillside talk" not in waivers
    # Naming the other account in the URL shows nothing of it either; nor is there a select.
    assert two["hill_run"] not in (await client.get("/runs?account=hillside")).text
    assert 'name="account"' not in runs


async def test_a_limited_admin_cannot_approve_reject_or_revert_another_accounts_fix(
    client: httpx2.AsyncClient, two: dict[str, str], actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, RIVER, "/fixes")
    hill = two["hill_fix"]
    for decision in ("approve", "reject"):
        refused = await client.post(
            "/fixes/decide", data={"csrf": token, "fix_id": hill, "decision": decision, "note": "mine now"}
        )
        assert refused.status_code == 404
        assert f"no fix plan with id &#39;{hill}&#39;" in refused.text
    bulk = await client.post(
        "/fixes/approve-policy", data={"csrf": token, "policy": "waiting-room", "fix_id": [hill]}
    )
    assert bulk.status_code == 409
    assert (await client.post("/fixes/revert", data={"csrf": token, "fix_id": hill})).status_code == 404
    assert actions.approved == []
    assert get_fix(store, hill).status == "pending"
    # Its own account's fix of the same meeting id is approved as usual.
    mine = two["river_fix"]
    done = await client.post("/fixes/decide", data={"csrf": token, "fix_id": mine, "decision": "approve"})
    assert done.status_code == 303
    assert actions.approved == [([mine], RIVER, None)]
    assert get_fix(store, hill).status == "pending"


async def test_a_limited_admin_cannot_add_or_remove_another_accounts_waivers(
    client: httpx2.AsyncClient, two: dict[str, str], store: Store
) -> None:
    token = await signed_in(client, RIVER, "/waivers")
    form = {"csrf": token, "policy": "waiting-room", "scope": "meeting", "target": "3001", "reason": "x"}
    refused = await client.post("/waivers", data={**form, "account": "hillside"})
    assert refused.status_code == 403
    assert [w.reason for w in store.waivers.find(account="hillside")] == ["hillside talk"]
    hill = two["hillside_waiver"]
    removed = await client.post(f"/waivers/{hill}/remove", data={"csrf": token})
    assert removed.status_code == 404
    assert store.waivers.find(account="hillside")[0].removed_at is None
    # A waiver added without naming an account is of the one account the admin is limited to.
    added = await client.post("/waivers", data={**form, "target": "2001"})
    assert added.status_code == 303
    assert {w.reason for w in store.waivers.find(account="riverside")} == {"riverside talk", "x"}


async def test_a_limited_admin_cannot_start_an_audit_of_the_services_account(
    client: httpx2.AsyncClient, two: dict[str, str], actions: FakeActions
) -> None:
    token = await signed_in(client, RIVER, "/audit")
    refused = await client.post("/audit", data={"csrf": token, "scope": "account"})
    assert refused.status_code == 403
    assert actions.audits == []


async def test_an_unlimited_admin_picks_an_account_with_the_select(
    client: httpx2.AsyncClient, two: dict[str, str]
) -> None:
    await signed_in(client, ADMIN)
    everything = (await client.get("/runs")).text
    assert two["river_run"] in everything
    assert two["hill_run"] in everything
    assert '<select name="account">' in everything  # two accounts have runs
    hill = (await client.get("/runs?account=hillside")).text
    assert two["hill_run"] in hill
    assert two["river_run"] not in hill
    assert '<option value="hillside" selected>' in hill
    assert 'href="/fixes?account=hillside"' in hill  # the choice follows the navigation
    fixes = (await client.get("/fixes?account=riverside")).text
    assert two["river_fix"] in fixes
    assert two["hill_fix"] not in fixes


async def test_one_account_shows_no_select(client: httpx2.AsyncClient, store: Store) -> None:
    _run(store, "default", 2001)
    await signed_in(client, ADMIN)
    assert 'name="account"' not in (await client.get("/runs")).text


async def test_a_limited_admin_sees_only_its_accounts_notifications_and_upcoming_sessions(
    client: httpx2.AsyncClient, store: Store
) -> None:
    add_admin(store, RIVER, PASSWORD, "viewer", now=NOW)
    limit_admin(store, RIVER, ["riverside"])
    for account in ("riverside", "hillside"):
        store.notifications.record(
            kind="digest", channel="mailto://***", channel_fp="fp", recipients=[], host=None,
            subject=f"{account} digest", covers=[], marks=[], status="sent", created_at=NOW, account=account,
        )  # fmt: skip
        run_id = store.start_run("manual", "meetings", {}, "h", NOW - timedelta(hours=1), account=account)
        soon = violation(5005, "waiting-room", topic=f"{account} choir", start_time=NOW + timedelta(hours=3))
        store.add_findings(run_id, [soon])
        store.finish_run(run_id, complete=True, finished_at=NOW, counts={"violations": 1})
    await signed_in(client, RIVER)
    notifications = (await client.get("/notifications")).text
    assert "riverside digest" in notifications
    assert "hillside digest" not in notifications
    upcoming = (await client.get("/upcoming")).text
    assert "riverside choir" in upcoming
    assert "hillside choir" not in upcoming
    overview = (await client.get("/")).text  # its "Starting soon" panel
    assert "riverside choir" in overview
    assert "hillside choir" not in overview


async def test_audit_now_audits_the_account_chosen_among_the_services(
    app: Any, client: httpx2.AsyncClient, two: dict[str, str], actions: FakeActions
) -> None:
    """With several accounts "Audit now" asks which; an admin limited to riverside may audit
    riverside only, and an account the service does not audit is refused."""
    app.state.console.audit_accounts = ("riverside", "hillside")
    token = await signed_in(client, page="/audit")
    page = await client.get("/audit")
    assert '<option value="hillside"' in page.text
    started = await client.post("/audit", data={"csrf": token, "scope": "account", "account": "hillside"})
    assert started.status_code == 303
    unknown = await client.post("/audit", data={"csrf": token, "scope": "account", "account": "elsewhere"})
    assert unknown.status_code == 400
    await client.post("/logout", data={"csrf": token})
    token = await signed_in(client, RIVER, "/audit")
    refused = await client.post("/audit", data={"csrf": token, "scope": "account", "account": "hillside"})
    assert refused.status_code == 403
    allowed = await client.post("/audit", data={"csrf": token, "scope": "account", "account": "riverside"})
    assert allowed.status_code == 303
    for _ in range(1000):  # the jobs run in the background: wait (up to 10 s) for both to have asked
        if len(actions.audited_accounts) == 2:
            break
        await anyio.sleep(0.01)
    assert sorted(a or "" for a in actions.audited_accounts) == ["hillside", "riverside"]


async def test_a_limited_admin_neither_lists_nor_opens_another_accounts_jobs(
    app: Any, client: httpx2.AsyncClient, two: dict[str, str], actions: FakeActions
) -> None:
    """A running "Audit now" of hillside and a queued approval of hillside's fix are jobs of
    hillside: an admin limited to riverside does not see them in the audit page's list, and
    their pages read as no job at all; its own riverside audit it sees."""
    import asyncio

    from tests.console.test_actions import _BusyLane

    app.state.console.audit_accounts = ("riverside", "hillside")
    actions.audit_gate = asyncio.Event()
    actions.turn = asyncio.Event()
    token = await signed_in(client, page="/audit")
    hill_audit = await client.post("/audit", data={"csrf": token, "scope": "account", "account": "hillside"})
    actions._lane = _BusyLane()  # type: ignore[assignment]
    token = csrf_of((await client.get("/fixes")).text)
    hill_approval = await client.post(
        "/fixes/decide", data={"csrf": token, "fix_id": two["hill_fix"], "decision": "approve"}
    )
    hidden = [hill_audit.headers["location"], hill_approval.headers["location"]]
    assert all(path.startswith("/jobs/") for path in hidden)
    assert [(await client.get(path)).status_code for path in hidden] == [200, 200]
    assert "the whole account of hillside" in (await client.get("/audit")).text
    await client.post("/logout", data={"csrf": token})

    token = await signed_in(client, RIVER, "/audit")
    river = {"csrf": token, "scope": "account", "account": "riverside"}
    river_audit = await client.post("/audit", data=river)
    listing = (await client.get("/audit")).text
    assert "the whole account of riverside" in listing
    assert "hillside" not in listing
    for path in hidden:
        page = await client.get(path)
        assert page.status_code == 404
        assert "hillside" not in page.text
        assert two["hill_fix"] not in page.text
    assert (await client.get(river_audit.headers["location"])).status_code == 200
    actions.audit_gate.set()
    actions.turn.set()


async def test_a_limited_admins_own_bulk_approval_is_its_job_to_watch(
    client: httpx2.AsyncClient, two: dict[str, str], actions: FakeActions, store: Store
) -> None:
    """Approving a policy's fixes starts a job of the fixes' account: the limited admin who
    started it follows it on its page, and an admin limited elsewhere does not see it."""
    import asyncio

    from tests.console.test_actions import _BusyLane

    actions._lane = _BusyLane()  # type: ignore[assignment]
    actions.turn = asyncio.Event()
    token = await signed_in(client, RIVER, "/fixes")
    started = await client.post(
        "/fixes/approve-policy", data={"csrf": token, "policy": "waiting-room", "fix_id": [two["river_fix"]]}
    )
    job = started.headers["location"]
    assert job.startswith("/jobs/")
    assert (await client.get(job)).status_code == 200
    await client.post("/logout", data={"csrf": token})
    add_admin(store, "hill@example.org", PASSWORD, "admin", now=NOW)
    limit_admin(store, "hill@example.org", ["hillside"])
    await signed_in(client, "hill@example.org")
    assert (await client.get(job)).status_code == 404
    actions.turn.set()
