"""The read-only pages: empty states, the overview, meetings and their filters, runs, the trail."""

from __future__ import annotations

import re

import httpx2
import pytest
from pydantic import SecretStr

from zoomaudit.store import Store

from .conftest import VIEWER, FakeActions, Seeded, login, seed_fix

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("page", "says"),
    [
        ("/", "No runs yet:"),
        ("/meetings", "No runs yet:"),
        ("/runs", "No runs yet:"),
        ("/fixes", "No fixes are waiting"),
        ("/waivers", "No waivers"),
        ("/trail", "The trail is empty"),
    ],
)
async def test_an_empty_store_gives_clear_empty_states(
    client: httpx2.AsyncClient, page: str, says: str
) -> None:
    await login(client)
    response = await client.get(page)
    assert response.status_code == 200
    assert says in response.text
    if page in ("/", "/meetings", "/runs"):
        assert "zoomaudit audit" in response.text


async def test_the_overview_shows_the_latest_run_severities_policies_trend_and_changes(
    client: httpx2.AsyncClient, seeded: Seeded
) -> None:
    await login(client)
    html = (await client.get("/")).text
    assert seeded.runs[1] in html
    assert re.search(r'class="num">2</span> violations', html)
    assert re.search(r'severity=critical&amp;status=violation">1<', html)
    assert re.search(r'policy=waiting-room&amp;status=violation">1<', html)
    assert "Everyone waits to be admitted" in html
    assert '<svg class="trend"' in html
    assert html.count("<circle") == 2
    # run 1 had 3 violations, run 2 has 2: 1002's waiting-room violation was resolved.
    assert re.search(
        r"<strong>0</strong> new, <strong>1</strong> resolved,\s*<strong>2</strong> still open", html
    )
    assert re.search(r'class="num">2</span> fixes waiting', html)


async def test_the_meeting_list_is_worst_first_and_filters_by_severity_policy_status_and_host(
    client: httpx2.AsyncClient, seeded: Seeded
) -> None:
    await login(client)

    async def meetings(query: str) -> list[str]:
        html = (await client.get("/meetings" + query)).text
        return re.findall(r'href="/meetings/(\d+)"', html)

    assert await meetings("") == ["1002", "1001", "1003"]
    assert await meetings("?severity=critical") == ["1002"]
    assert await meetings("?policy=waiting-room&status=violation") == ["1001"]
    assert await meetings("?policy=waiting-room") == ["1001"]
    assert await meetings("?status=pass") == ["1002", "1003"]
    assert await meetings("?host=bob%40example.org") == ["1003"]
    assert await meetings("?severity=not-a-severity") == ["1002", "1001", "1003"]


async def test_the_group_filter_uses_zoom_group_membership(
    client: httpx2.AsyncClient, seeded: Seeded, actions: FakeActions
) -> None:
    actions.group_map = {"Staff": ["u-bob"], "Youth workers": ["u-alice"]}
    await login(client)
    html = (await client.get("/meetings?group=Staff")).text
    assert re.findall(r'href="/meetings/(\d+)"', html) == ["1003"]
    assert "<option selected>Staff</option>" in html


async def test_a_meeting_page_shows_each_control_with_its_value_tier_lock_findings_and_fixes(
    client: httpx2.AsyncClient, seeded: Seeded
) -> None:
    await login(client)
    html = (await client.get("/meetings/1002")).text
    controls = html.split('id="controls"')[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"row-(\w+)\"[^>]*>(.*?)</tr>", controls, re.S)
    assert [status for status, _ in rows] == ["violation", "pass"]
    passcode, waiting = rows[0][1], rows[1][1]
    assert "<code>passcode</code>" in passcode
    assert "<td>user</td>" in passcode
    assert "<td>yes</td>" in passcode
    assert "<code>waiting_room</code>" in waiting
    assert "<td>account</td>" in waiting
    assert "<td>on</td>" in waiting
    assert seeded.fixes[1] in html
    assert "Waiting for a decision" in html


async def test_an_unknown_meeting_is_a_plain_404(client: httpx2.AsyncClient, seeded: Seeded) -> None:
    await login(client)
    response = await client.get("/meetings/424242")
    assert response.status_code == 404
    assert "zoomaudit audit --meeting 424242" in response.text


async def test_a_run_page_lists_its_findings_and_an_unknown_run_is_404(
    client: httpx2.AsyncClient, seeded: Seeded
) -> None:
    await login(client, VIEWER)
    html = (await client.get(f"/runs/{seeded.runs[0]}")).text
    assert html.count("status-violation") == 3
    assert (await client.get("/runs/no-such-run")).status_code == 404


async def test_the_trail_lists_every_transition_and_filters_by_fix(
    client: httpx2.AsyncClient, seeded: Seeded
) -> None:
    await login(client)
    html = (await client.get("/trail")).text
    assert seeded.fixes[0] in html
    assert seeded.fixes[1] in html
    one = (await client.get(f"/trail?fix={seeded.fixes[0]}")).text
    assert seeded.fixes[0] in one
    assert seeded.fixes[1] not in one
    assert (await client.get("/trail?fix=fx-nope")).status_code == 404


async def test_passcodes_in_fix_plans_are_never_rendered(client: httpx2.AsyncClient, store: Store) -> None:
    fix_id = seed_fix(store, 2001, policy="passcode", body={"password": "Zq81736"}, before={"password": ""})
    await login(client)
    for page in ("/fixes", f"/fixes/{fix_id}", "/meetings/2001", "/trail"):
        response = await client.get(page)
        assert "Zq81736" not in response.text, page
    # The plan from before passcodes were sealed now holds the generate marker, not a passcode.
    assert "generated when applied" in (await client.get(f"/fixes/{fix_id}")).text


async def test_static_assets_ship_in_the_package(client: httpx2.AsyncClient) -> None:
    for asset in ("/static/console.css", "/static/console.js"):
        response = await client.get(asset)
        assert response.status_code == 200
        assert len(response.content) > 100


async def test_no_page_shows_a_secret_or_a_password_hash(
    client: httpx2.AsyncClient, seeded: Seeded, store: Store, app: object
) -> None:
    from sqlalchemy import select

    from zoomaudit.store.models import Admin

    console = app.state.console  # type: ignore[attr-defined]
    console.settings = console.settings.model_copy(
        update={"zoom_client_secret": SecretStr("zoom-client-secret-value")}
    )
    with store.read_session() as db:
        hashes = [row.password_hash for row in db.scalars(select(Admin))]
    await login(client)
    for page in ("/", "/meetings", "/meetings/1002", "/fixes", "/waivers", "/trail", "/runs", "/audit"):
        html = (await client.get(page)).text
        assert "zoom-client-secret-value" not in html, page
        assert not any(h in html or h.split("$")[-1] in html for h in hashes), page


async def test_the_meeting_list_uses_the_latest_whole_account_run_not_a_newer_single_meeting_run(
    client: httpx2.AsyncClient, seeded: Seeded, store: Store
) -> None:
    from datetime import timedelta

    from .conftest import NOW, seed_run, violation

    for n in range(3):
        seed_run(store, [violation(1003, "passcode")], at=NOW + timedelta(hours=n + 1), scope="meetings")
    await login(client)
    html = (await client.get("/meetings")).text
    assert seeded.runs[1] in html
    assert "whole-account run" in html


async def test_with_only_single_meeting_runs_the_meeting_list_shows_the_newest(
    client: httpx2.AsyncClient, store: Store
) -> None:
    from .conftest import seed_run, violation

    run_id = seed_run(store, [violation(1003, "passcode")], scope="meetings")
    await login(client)
    html = (await client.get("/meetings")).text
    assert run_id in html
    assert 'href="/meetings/1003"' in html
