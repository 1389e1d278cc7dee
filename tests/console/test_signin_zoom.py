"""Issue 19: "Sign in with Zoom" against the sandbox acting as Zoom's authorization server.

The sandbox runs on loopback (real HTTP), the console in-process; the browser's visit to Zoom is
the sandbox's authorize page answered with a ``login_hint`` (its buttons do the same).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from zoomaudit.sandbox import start_sandbox
from zoomaudit.service.console.app import create_console_app
from zoomaudit.service.console.auth import SESSION_COOKIE
from zoomaudit.service.console.signin_zoom import role_of
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store

from .conftest import POLICY, Clock, FakeActions

pytestmark = pytest.mark.anyio

OWNER = "priya.shah@brightpath.org.uk"
ADMIN = "tom.bennett@brightpath.org.uk"
MEMBER = "sian.hughes@brightpath.org.uk"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    with start_sandbox() as running:
        yield running


@pytest.fixture
def settings(sandbox: Any) -> Settings:
    return load_settings(**sandbox.env(), **sandbox.signin_env())


@pytest.fixture
def app(settings: Settings, store: Store, actions: FakeActions, clock: Clock) -> Any:
    return create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )


@pytest.fixture
async def zoom() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient() as c:
        yield c


async def sign_in(client: httpx2.AsyncClient, zoom: httpx2.AsyncClient, email: str) -> httpx2.Response:
    begin = await client.get("/signin/zoom?next=/fixes")
    assert begin.status_code == 302, begin.text
    at_zoom = httpx2.URL(begin.headers["location"]).copy_add_param("login_hint", email)
    back = await zoom.get(at_zoom)
    assert back.status_code == 302, back.text
    return await client.get(back.headers["location"])


@pytest.mark.parametrize(
    ("user", "role"),
    [
        ({"role_name": "Owner", "role_id": "0"}, "admin"),
        ({"role_name": "Admin", "role_id": "1"}, "admin"),
        ({"role_name": "Member", "role_id": "2"}, None),
        ({"role_name": "Member", "role_id": "2", "account_id": "another"}, None),
        ({"role_name": "Admin", "role_id": "1", "status": "inactive"}, None),
    ],
)
def test_role_from_the_zoom_role(user: dict[str, str], role: str | None) -> None:
    assert role_of({"account_id": "acct", **user}, "acct", ["Owner", "Admin"], []) == role


def test_members_may_be_viewers_when_configured() -> None:
    assert (
        role_of({"account_id": "a", "role_name": "Member"}, "a", ["Owner", "Admin"], ["member"]) == "viewer"
    )


async def test_the_owner_signs_in_with_zoom_as_an_admin(
    client: httpx2.AsyncClient, zoom: httpx2.AsyncClient, sandbox: Any, store: Store
) -> None:
    done = await sign_in(client, zoom, OWNER)
    assert done.status_code == 200, done.text
    assert 'id="continue" href="/fixes"' in done.text
    assert (await client.get("/fixes")).status_code == 200
    account = store.admins.by_email("zoom:" + OWNER)
    assert account is not None
    assert account.role == "admin"
    # The console read who she is with her token.
    assert [e.status for e in sandbox.log.matching("GET", "/v2/users/me")][-1:] == [200]


async def test_the_authorization_request_uses_pkce_and_zooms_addresses(
    client: httpx2.AsyncClient, sandbox: Any
) -> None:
    begin = await client.get("/signin/zoom")
    target = httpx2.URL(begin.headers["location"])
    assert str(target.copy_with(query=None)) == sandbox.authorize_url
    assert target.params["code_challenge_method"] == "S256"
    assert target.params["code_challenge"]
    assert target.params["redirect_uri"] == "http://console.test/signin/zoom/callback"


async def test_an_admin_signs_in_as_an_admin(
    client: httpx2.AsyncClient, zoom: httpx2.AsyncClient, store: Store
) -> None:
    assert (await sign_in(client, zoom, ADMIN)).status_code == 200
    account = store.admins.by_email("zoom:" + ADMIN)
    assert account is not None
    assert account.role == "admin"


async def test_a_member_is_refused_when_only_admins_may_enter_and_nothing_is_created(
    client: httpx2.AsyncClient, zoom: httpx2.AsyncClient, store: Store
) -> None:
    before = len(store.admins.all())
    refused = await sign_in(client, zoom, MEMBER)
    assert refused.status_code == 403
    assert f"{MEMBER} is a Zoom Member of the account" in refused.text
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    assert len(store.admins.all()) == before


async def test_members_sign_in_as_viewers_when_configured(
    sandbox: Any, store: Store, actions: FakeActions, clock: Clock, zoom: httpx2.AsyncClient
) -> None:
    settings = load_settings(**sandbox.env(), **sandbox.signin_env(), ZOOMAUDIT_ZOOM_SIGNIN_VIEWERS="Member")
    app = create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        assert (await sign_in(c, zoom, MEMBER)).status_code == 200
    account = store.admins.by_email("zoom:" + MEMBER)
    assert account is not None
    assert account.role == "viewer"


async def test_a_user_of_another_zoom_account_is_refused(
    sandbox: Any, store: Store, actions: FakeActions, clock: Clock, zoom: httpx2.AsyncClient
) -> None:
    env = {**sandbox.env(), **sandbox.signin_env(), "ZOOM_ACCOUNT_ID": "SomeOtherAccount"}
    app = create_console_app(
        load_settings(**env), store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        refused = await sign_in(c, zoom, OWNER)
    assert refused.status_code == 403
    assert "belongs to another Zoom account" in refused.text
    assert store.admins.by_email("zoom:" + OWNER) is None


async def test_a_replayed_zoom_code_is_refused(
    client: httpx2.AsyncClient, zoom: httpx2.AsyncClient, store: Store
) -> None:
    begin = await client.get("/signin/zoom")
    back = await zoom.get(httpx2.URL(begin.headers["location"]).copy_add_param("login_hint", OWNER))
    callback = httpx2.URL(back.headers["location"])
    assert (await client.get(callback)).status_code == 200
    used = callback.params["code"]
    second = await client.get("/signin/zoom")
    back2 = await zoom.get(httpx2.URL(second.headers["location"]).copy_add_param("login_hint", OWNER))
    replay = httpx2.URL(back2.headers["location"]).copy_set_param("code", used)
    refused = await client.get(replay)
    assert refused.status_code == 400
    assert "invalid_grant" in refused.text


async def test_zoom_sign_in_needs_the_account_id(sandbox: Any) -> None:
    env = {**sandbox.signin_env()}
    assert not load_settings(**env).zoom_signin_enabled
    assert load_settings(**env, ZOOM_ACCOUNT_ID="acct").zoom_signin_enabled


async def test_the_login_page_offers_sign_in_with_zoom(client: httpx2.AsyncClient) -> None:
    page = await client.get("/login")
    assert "Sign in with Zoom" in page.text
    assert 'href="/signin/zoom?next=/"' in page.text


async def test_the_demo_offers_sign_in_with_zoom_against_its_sandbox(
    sandbox: Any, store: Store, actions: FakeActions, clock: Clock, zoom: httpx2.AsyncClient, tmp_path: Any
) -> None:
    from zoomaudit.cli.demo import demo_environment

    env = demo_environment({**sandbox.env(), **sandbox.signin_env()}, tmp_path)
    settings = load_settings(**env)
    assert settings.zoom_signin_enabled
    assert not settings.oidc_enabled
    app = create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        page = await c.get("/login")
        assert "Sign in with Zoom" in page.text
        assert 'name="password"' in page.text  # the demo admin's password works too
        assert (await sign_in(c, zoom, MEMBER)).status_code == 200
    account = store.admins.by_email("zoom:" + MEMBER)
    assert account is not None
    assert account.role == "viewer"
