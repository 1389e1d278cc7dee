"""What the console changes: approvals, rejections, bulk approval, waivers, audits; roles and CSRF."""

from __future__ import annotations

import asyncio
import re

import httpx2
import pytest

from zoomaudit.fixes.apply import ApplyResult
from zoomaudit.fixes.queue import get_fix, trail
from zoomaudit.fixes.waivers import list_waivers
from zoomaudit.store import Store
from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope

from .conftest import ADMIN, VIEWER, FakeActions, Seeded, seed_fix, signed_in

pytestmark = pytest.mark.anyio


async def test_approving_a_fix_applies_it_as_the_signed_in_admin_and_shows_the_result(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    fix_id = seeded.fixes[0]
    response = await client.post(
        "/fixes/decide", data={"csrf": token, "fix_id": fix_id, "decision": "approve", "note": "ok by DSL"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/fixes?done={fix_id}"
    assert actions.approved == [([fix_id], ADMIN, "ok by DSL")]
    page = (await client.get(response.headers["location"])).text
    result = page.split('id="result-h"')[1].split("</section>")[0]
    assert fix_id in result
    assert "status-applied" in result
    assert "Applied:" in result
    assert get_fix(store, fix_id).decided_by == ADMIN


async def test_an_applied_fix_can_be_reverted_from_its_page(
    client: httpx2.AsyncClient, seeded: Seeded, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    fix_id = seeded.fixes[0]
    before = (await client.get(f"/fixes/{fix_id}")).text
    assert "Revert</button>" not in before
    await client.post("/fixes/decide", data={"csrf": token, "fix_id": fix_id, "decision": "approve"})
    assert "Revert</button>" in (await client.get(f"/fixes/{fix_id}")).text
    response = await client.post("/fixes/revert", data={"csrf": token, "fix_id": fix_id})
    assert response.status_code == 303
    assert get_fix(store, fix_id).status == "reverted"
    assert trail(store, fix_id)[-1].actor == ADMIN


async def test_a_revert_that_did_not_happen_says_why_and_keeps_the_fix_applied(
    client: httpx2.AsyncClient, seeded: Seeded, store: Store, actions: FakeActions
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    fix_id = seeded.fixes[0]
    await client.post("/fixes/decide", data={"csrf": token, "fix_id": fix_id, "decision": "approve"})
    actions.revert_result = ApplyResult(fix_id, "stale", "the meeting's waiting room changed since the fix")
    response = await client.post("/fixes/revert", data={"csrf": token, "fix_id": fix_id})
    assert response.status_code == 409
    assert f"{fix_id} was not reverted (stale)" in response.text
    assert "waiting room changed" in response.text
    assert get_fix(store, fix_id).status == "applied"


class _BusyLane:
    """The service's Zoom lane while the nightly audit holds the turn."""

    running = "scheduled audit of the account"


async def test_while_an_audit_uses_zoom_an_approval_waits_on_its_job_page_not_in_the_request(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    fix_id = seeded.fixes[0]
    actions._lane = _BusyLane()  # type: ignore[assignment]
    actions.turn = asyncio.Event()
    response = await client.post(
        "/fixes/decide", data={"csrf": token, "fix_id": fix_id, "decision": "approve", "note": "ok"}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    waiting = (await client.get(location)).text
    assert "Waiting for its turn" in waiting
    assert get_fix(store, fix_id).status == "pending"
    actions.turn.set()
    html = await _finished_job(client, location)
    assert f"Approval of fix {fix_id}" in html
    assert re.search(r"status-applied\">applied</span> 1", html)
    assert actions.approved == [([fix_id], ADMIN, "ok")]
    assert get_fix(store, fix_id).status == "applied"


async def test_while_an_audit_uses_zoom_a_revert_waits_on_its_job_page_and_says_how_it_ended(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    fix_id = seeded.fixes[0]
    await client.post("/fixes/decide", data={"csrf": token, "fix_id": fix_id, "decision": "approve"})
    actions._lane = _BusyLane()  # type: ignore[assignment]
    actions.revert_result = ApplyResult(fix_id, "stale", "the meeting's waiting room changed since the fix")
    response = await client.post("/fixes/revert", data={"csrf": token, "fix_id": fix_id})
    assert response.status_code == 303
    html = await _finished_job(client, response.headers["location"])
    assert f"Revert of fix {fix_id}" in html
    assert "waiting room changed" in html
    assert get_fix(store, fix_id).status == "applied"


async def test_rejecting_needs_a_reason_and_records_it(
    client: httpx2.AsyncClient, seeded: Seeded, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    fix_id = seeded.fixes[1]
    no_reason = await client.post(
        "/fixes/decide", data={"csrf": token, "fix_id": fix_id, "decision": "reject"}
    )
    assert no_reason.status_code == 400
    assert "give a reason" in no_reason.text
    assert get_fix(store, fix_id).status == "pending"
    await client.post(
        "/fixes/decide",
        data={"csrf": token, "fix_id": fix_id, "decision": "reject", "note": "public lecture"},
    )
    assert get_fix(store, fix_id).status == "rejected"
    assert trail(store, fix_id)[-1].note == "public lecture"


async def test_bulk_approval_covers_only_the_policy_and_the_fixes_on_the_page(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/fixes")
    other_policy = seed_fix(store, 3001, policy="passcode", body={"password": "Zq81736"})
    queued_later = seed_fix(store, 3002)
    response = await client.post(
        "/fixes/approve-policy",
        data={"csrf": token, "policy": "waiting-room", "fix_id": seeded.fixes, "note": "bulk"},
    )
    assert response.status_code == 303
    html = await _finished_job(client, response.headers["location"])
    ((approved, actor, note),) = actions.approved
    assert (sorted(approved), actor, note) == (sorted(seeded.fixes), ADMIN, "bulk")
    assert "Approval of 2 fixes of waiting-room" in html
    assert re.search(r"status-applied\">applied</span> 2", html)
    assert get_fix(store, other_policy).status == "pending"
    assert get_fix(store, queued_later).status == "pending"


async def _finished_job(client: httpx2.AsyncClient, location: str) -> str:
    assert location.startswith("/jobs/")
    for _ in range(200):
        html = (await client.get(location)).text
        if 'http-equiv="refresh"' not in html:
            return html
        await asyncio.sleep(0.01)
    raise AssertionError("the job did not finish")


async def test_a_bulk_approval_says_plainly_which_fixes_did_not_apply_and_why(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    stale, applied = seeded.fixes
    actions.outcomes[stale] = ("stale", "settings.waiting_room changed since the plan: now on")
    token = await signed_in(client, ADMIN, "/fixes")
    response = await client.post(
        "/fixes/approve-policy", data={"csrf": token, "policy": "waiting-room", "fix_id": seeded.fixes}
    )
    html = await _finished_job(client, response.headers["location"])
    result = html.split('id="tally-h"')[1]
    assert re.search(r"status-stale\">stale</span> 1", result)
    assert re.search(r"status-applied\">applied</span> 1", result)
    row = re.search(rf"<tr><td><a href=\"/fixes/{stale}\">.*?</tr>", result, re.S)
    assert row is not None
    assert "changed since the plan" in row.group(0)
    assert applied not in result.split("<table")[1]


async def test_a_long_queue_shows_a_page_of_each_policy_and_links_to_the_rest(
    client: httpx2.AsyncClient, store: Store
) -> None:
    for n in range(27):
        seed_fix(store, 5000 + n)
    await signed_in(client, ADMIN)
    html = (await client.get("/fixes")).text
    assert html.count('<tr id="fix-') == 25
    assert "Show all 27 fixes of waiting-room" in html
    assert "Approve all 27" in html
    assert html.count('name="fix_id" value="fx-') >= 27 + 25
    one = (await client.get("/fixes?policy=waiting-room")).text
    assert one.count('<tr id="fix-') == 27


async def test_the_fix_queue_offers_bulk_approval_per_policy(
    client: httpx2.AsyncClient, seeded: Seeded
) -> None:
    await signed_in(client, ADMIN)
    html = (await client.get("/fixes")).text
    assert "Approve all 2" in html
    assert 'name="policy" value="waiting-room"' in html


async def test_a_viewer_sees_the_queue_without_buttons_and_is_refused_on_the_server(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store
) -> None:
    token = await signed_in(client, VIEWER, "/fixes")
    html = (await client.get("/fixes")).text
    assert seeded.fixes[0] in html
    assert "Approve" not in html.replace("Approved", "")
    assert "Reject" not in html
    for path, data in (
        ("/fixes/decide", {"fix_id": seeded.fixes[0], "decision": "approve"}),
        ("/fixes/approve-policy", {"policy": "waiting-room", "fix_id": seeded.fixes[0]}),
        ("/fixes/revert", {"fix_id": seeded.fixes[0]}),
        ("/waivers", {"policy": "waiting-room", "scope": "meeting", "target": "1001", "reason": "x"}),
        ("/audit", {"scope": "account"}),
    ):
        response = await client.post(path, data={"csrf": token, **data})
        assert response.status_code == 403, path
    assert actions.approved == []
    assert actions.audits == []
    assert get_fix(store, seeded.fixes[0]).status == "pending"
    assert list_waivers(store) == []


@pytest.mark.parametrize("token", [None, "", "forged-token"])
async def test_a_post_without_a_valid_csrf_token_is_refused(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions, store: Store, token: str | None
) -> None:
    await signed_in(client, ADMIN)
    data = {"fix_id": seeded.fixes[0], "decision": "approve"}
    if token is not None:
        data["csrf"] = token
    response = await client.post("/fixes/decide", data=data)
    assert response.status_code == 403
    assert actions.approved == []
    assert get_fix(store, seeded.fixes[0]).status == "pending"


async def test_a_post_without_a_session_is_refused(client: httpx2.AsyncClient, seeded: Seeded) -> None:
    response = await client.post("/fixes/decide", data={"fix_id": seeded.fixes[0], "decision": "approve"})
    assert response.status_code == 403


async def test_another_sessions_csrf_token_does_not_work(
    client: httpx2.AsyncClient, app: object, seeded: Seeded, actions: FakeActions
) -> None:
    token = await signed_in(client, ADMIN)
    transport = httpx2.ASGITransport(app=app, client=("203.0.113.8", 1))  # type: ignore[arg-type]
    async with httpx2.AsyncClient(transport=transport, base_url="http://console.test") as second:
        await signed_in(second, ADMIN)
        response = await second.post(
            "/fixes/decide", data={"csrf": token, "fix_id": seeded.fixes[0], "decision": "approve"}
        )
    assert response.status_code == 403
    assert actions.approved == []


async def test_waivers_are_added_and_removed_as_the_signed_in_admin(
    client: httpx2.AsyncClient, store: Store
) -> None:
    token = await signed_in(client, ADMIN, "/waivers")
    response = await client.post(
        "/waivers",
        data={
            "csrf": token,
            "policy": "waiting-room",
            "scope": "meeting",
            "target": "1001",
            "reason": "public talk",
            "until": "2026-12-31",
        },
    )
    assert response.status_code == 303
    (waiver,) = list_waivers(store)
    assert (waiver.meeting_id, waiver.approved_by, str(waiver.until)) == (1001, ADMIN, "2026-12-31")
    html = (await client.get("/waivers?notice=added")).text
    assert "public talk" in html
    assert "Waiver added" in html
    removed = await client.post(f"/waivers/{waiver.id}/remove", data={"csrf": token})
    assert removed.status_code == 303
    assert list_waivers(store) == []
    assert list_waivers(store, include_removed=True)[0].removed_by == ADMIN


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"scope": "meeting", "target": "abc", "reason": "r"}, "is not a meeting"),
        ({"scope": "host", "target": "x@example.org", "reason": "r", "until": "2020-01-01"}, "in the past"),
        ({"scope": "group", "target": "Staff", "reason": " "}, "needs a reason"),
        ({"scope": "meeting", "target": "", "reason": "r"}, "Give the meeting id"),
    ],
)
async def test_a_bad_waiver_is_explained_and_keeps_the_form(
    client: httpx2.AsyncClient, store: Store, form: dict[str, str], message: str
) -> None:
    token = await signed_in(client, ADMIN, "/waivers")
    response = await client.post("/waivers", data={"csrf": token, "policy": "waiting-room", **form})
    assert response.status_code == 400
    assert message in response.text
    assert list_waivers(store) == []


async def test_audit_now_runs_in_the_background_and_shows_the_run_when_done(
    client: httpx2.AsyncClient, actions: FakeActions
) -> None:
    token = await signed_in(client, ADMIN, "/audit")
    response = await client.post("/audit", data={"csrf": token, "scope": "meeting", "meeting_id": "9001"})
    assert response.status_code == 303
    job_page = response.headers["location"]
    assert job_page.startswith("/jobs/")
    for _ in range(100):
        page = await client.get(job_page)
        if page.status_code == 303:
            break
        assert 'http-equiv="refresh"' in page.text
        await asyncio.sleep(0.01)
    assert actions.audits == [MeetingsScope.of(9001)]
    run_page = await client.get(page.headers["location"])
    assert run_page.status_code == 200
    assert "Youth group 9001" in run_page.text


async def test_audit_now_for_the_whole_account_and_a_bad_meeting_id(
    client: httpx2.AsyncClient, actions: FakeActions
) -> None:
    token = await signed_in(client, ADMIN, "/audit")
    bad = await client.post("/audit", data={"csrf": token, "scope": "meeting", "meeting_id": "12ab"})
    assert bad.status_code == 400
    assert "ID (841 0021 6138)" in bad.text
    started = await client.post("/audit", data={"csrf": token, "scope": "account"})
    assert started.status_code == 303
    for _ in range(100):
        if actions.audits:
            break
        await asyncio.sleep(0.01)
    assert actions.audits == [AccountScope()]


async def test_a_failed_audit_says_why(client: httpx2.AsyncClient, actions: FakeActions) -> None:
    from zoomaudit.errors import UnknownMeeting

    async def unknown(scope: Scope) -> object:
        raise UnknownMeeting(5555)

    actions.audit = unknown  # type: ignore[method-assign,assignment]
    token = await signed_in(client, ADMIN, "/audit")
    job_page = (
        await client.post("/audit", data={"csrf": token, "scope": "meeting", "meeting_id": "5555"})
    ).headers["location"]
    for _ in range(100):
        html = (await client.get(job_page)).text
        if "did not finish" in html:
            break
        await asyncio.sleep(0.01)
    assert re.search(r"meeting 5555 was not found in Zoom", html)
