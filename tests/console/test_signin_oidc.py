"""Issue 19: signing in to the console with an OpenID Connect provider.

The console runs in-process (httpx2 over ASGI, as in the other console tests); the provider is real,
on loopback (``oidc_provider.py``), and the console's authlib client reaches it over HTTP. The
browser's part is played by hand: follow the console's redirect to the provider, take the
provider's "Continue" link back to the console's callback.
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import httpx2
import pytest
from joserfc.jwk import RSAKey

from zoomaudit.service.console.app import create_console_app
from zoomaudit.service.console.auth import SESSION_COOKIE
from zoomaudit.service.console.signin_oidc import role_of, verified_email
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store

from .conftest import ADMIN, NOW, POLICY, Clock, FakeActions, login
from .oidc_provider import Provider, provider_env, start_provider

pytestmark = pytest.mark.anyio

TRANSACTION = "zoomaudit_signin_oidc"
LISTS = {
    "ZOOMAUDIT_OIDC_ADMINS": "alice@example.org, safeguarding-leads",
    "ZOOMAUDIT_OIDC_VIEWERS": "*@trustees.example.org",
    "ZOOMAUDIT_OIDC_GROUPS_CLAIM": "groups",
}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with start_provider() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_provider(provider: Provider) -> None:
    provider.user = {"sub": "u-1", "email": "alice@example.org"}
    provider.misbehave = {}


@pytest.fixture
def settings(provider: Provider) -> Settings:
    return load_settings(**provider_env(provider, **LISTS))


@pytest.fixture
def app(settings: Settings, store: Store, actions: FakeActions, clock: Clock) -> Any:
    return create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )


@pytest.fixture
async def elsewhere() -> AsyncIterator[httpx2.AsyncClient]:
    """The browser's requests to the provider (another site)."""
    async with httpx2.AsyncClient() as c:
        yield c


async def to_provider(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, start: str = "/signin/oidc"
) -> str:
    """Start a sign-in and "continue" at the provider: the callback address it sends us back to."""
    begin = await client.get(start)
    assert begin.status_code == 302, begin.text
    page = await elsewhere.get(begin.headers["location"])
    assert page.status_code == 200, page.text
    found = re.search(r'id="continue" href="([^"]+)"', page.text)
    assert found, page.text
    return html.unescape(found.group(1))


async def sign_in(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, start: str = "/signin/oidc"
) -> httpx2.Response:
    return await client.get(await to_provider(client, elsewhere, start))


def set_cookies(response: httpx2.Response) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            out[name] = morsel
    return out


def nothing_stored(store: Store, identity: str) -> None:
    assert store.admins.by_email(identity) is None


# ---- who may enter, as what (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "groups", "role"),
    [
        ("alice@example.org", [], "admin"),
        ("ALICE@Example.org", [], "admin"),
        ("bob@trustees.example.org", [], "viewer"),
        ("bob@sub.trustees.example.org", [], None),
        ("carol@example.org", ["safeguarding-leads"], "admin"),
        ("carol@example.org", ["other"], None),
        (None, ["safeguarding-leads"], "admin"),
        (None, [], None),
        ("eve@evil.example", [], None),
        ("alice@example.org.evil.example", [], None),
    ],
)
def test_role_from_email_domain_or_group(email: str | None, groups: list[str], role: str | None) -> None:
    admins = ["alice@example.org", "safeguarding-leads"]
    viewers = ["*@trustees.example.org"]
    assert role_of(email, groups, admins, viewers) == role


def test_an_admin_entry_wins_over_a_viewer_entry() -> None:
    assert role_of("a@x.org", [], ["a@x.org"], ["*@x.org"]) == "admin"


def test_an_unverified_email_is_not_believed() -> None:
    assert verified_email({"email": "alice@example.org", "email_verified": False}) is None
    assert verified_email({"email": "alice@example.org", "email_verified": True}) == "alice@example.org"
    assert verified_email({"email": "alice@example.org"}) == "alice@example.org"


# ---- the flow ----------------------------------------------------------------------------------------


async def test_an_admin_signs_in_with_the_provider_and_lands_where_they_were_going(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    done = await sign_in(client, elsewhere, "/signin/oidc?next=/runs")
    assert done.status_code == 200, done.text
    assert 'id="continue" href="/runs"' in done.text
    assert 'http-equiv="refresh" content="0; url=/runs"' in done.text
    assert (await client.get("/runs")).status_code == 200
    account = store.admins.by_email("oidc:alice@example.org")
    assert account is not None
    assert account.role == "admin"

    asked = provider.authorize_requests[-1]
    assert asked["code_challenge_method"] == "S256"
    assert asked["code_challenge"]
    assert asked["nonce"]
    assert asked["state"]
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}
    assert asked["redirect_uri"] == "http://console.test/signin/oidc/callback"
    assert provider.token_requests[-1]["code_verifier"]


async def test_the_transaction_cookie_survives_a_cross_site_return_and_the_session_cookie_would_not(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient
) -> None:
    begin = await client.get("/signin/oidc")
    transaction = set_cookies(begin)[TRANSACTION]
    # Lax: sent on the top-level GET navigation back from the provider's site (Strict is not).
    assert transaction["samesite"].lower() == "lax"
    assert transaction["path"] == "/signin/oidc/callback"
    assert transaction["httponly"]
    assert int(transaction["max-age"]) == 600
    page = await elsewhere.get(begin.headers["location"])
    callback = html.unescape(re.search(r'href="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    done = await client.get(callback)
    assert done.status_code == 200
    cookies = set_cookies(done)
    assert cookies[SESSION_COOKIE]["samesite"].lower() == "strict"
    assert cookies[TRANSACTION].value == ""
    assert cookies[TRANSACTION]["max-age"] == "0"


async def test_the_transaction_holds_no_readable_secret(client: httpx2.AsyncClient) -> None:
    begin = await client.get("/signin/oidc")
    sealed = set_cookies(begin)[TRANSACTION].value
    state = httpx2.URL(begin.headers["location"]).params["state"]
    assert state not in sealed
    assert "code_verifier" not in sealed


async def test_a_sign_in_without_its_transaction_cookie_is_refused(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, store: Store
) -> None:
    callback = await to_provider(client, elsewhere)
    client.cookies.delete(TRANSACTION)
    refused = await client.get(callback)
    assert refused.status_code == 400
    assert "expired or was started in another browser" in refused.text
    nothing_stored(store, "oidc:alice@example.org")


async def test_a_transaction_older_than_ten_minutes_is_refused(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, clock: Clock, store: Store
) -> None:
    callback = await to_provider(client, elsewhere)
    clock.now += timedelta(minutes=10, seconds=1)
    refused = await client.get(callback)
    assert refused.status_code == 400
    nothing_stored(store, "oidc:alice@example.org")


async def test_a_wrong_state_is_refused(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    provider.misbehave = {"state": "forged-state"}
    refused = await sign_in(client, elsewhere)
    assert refused.status_code == 400
    assert "state" in refused.text.lower()
    assert SESSION_COOKIE not in set_cookies(refused)
    # The code was never exchanged.
    assert all(r.get("code") != provider.issued_codes[-1] for r in provider.token_requests)
    nothing_stored(store, "oidc:alice@example.org")


async def test_a_used_callback_cannot_be_replayed(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, app: Any
) -> None:
    begin = await client.get("/signin/oidc")
    sealed = client.cookies.get(TRANSACTION)
    page = await elsewhere.get(begin.headers["location"])
    callback = html.unescape(re.search(r'href="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    assert (await client.get(callback)).status_code == 200

    # Someone who copied the transaction cookie and the callback address tries them again.
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as thief:
        thief.cookies.set(TRANSACTION, sealed or "", path="/signin/oidc/callback")
        replayed = await thief.get(callback)
    assert replayed.status_code == 400
    assert "already used" in replayed.text
    assert SESSION_COOKIE not in set_cookies(replayed)


async def test_a_code_used_once_is_refused_by_the_provider_in_a_new_transaction(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    first = await to_provider(client, elsewhere)
    assert (await client.get(first)).status_code == 200
    used_code = httpx2.URL(first).params["code"]
    second = httpx2.URL(await to_provider(client, elsewhere))
    replay = second.copy_set_param("code", used_code)
    refused = await client.get(str(replay))
    assert refused.status_code == 400
    assert "unknown or used code" in refused.text


@pytest.mark.parametrize(
    ("misbehaviour", "what"),
    [
        ({"aud": "another-client"}, "aud"),
        ({"iss": "http://127.0.0.1:9/not-the-issuer"}, "iss"),
        ({"exp_in": -600}, "exp"),
        ({"nonce": "not-the-nonce"}, "nonce"),
    ],
)
async def test_an_id_token_with_a_wrong_claim_is_refused(
    client: httpx2.AsyncClient,
    elsewhere: httpx2.AsyncClient,
    provider: Provider,
    store: Store,
    misbehaviour: dict[str, Any],
    what: str,
) -> None:
    provider.misbehave = misbehaviour
    refused = await sign_in(client, elsewhere)
    assert refused.status_code == 400, refused.text
    assert what in refused.text
    assert SESSION_COOKIE not in set_cookies(refused)
    nothing_stored(store, "oidc:alice@example.org")


async def test_an_id_token_signed_by_another_key_is_refused(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    provider.misbehave = {"sign_with": RSAKey.generate_key(2048, parameters={"kid": "k1"})}
    refused = await sign_in(client, elsewhere)
    assert refused.status_code == 400
    assert "signature" in refused.text.lower()
    nothing_stored(store, "oidc:alice@example.org")


async def test_someone_in_neither_list_is_told_so_and_nothing_is_created(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    before = len(store.admins.all())
    provider.user = {"sub": "u-9", "email": "mallory@example.org"}
    refused = await sign_in(client, elsewhere)
    assert refused.status_code == 403
    assert "mallory@example.org is not allowed into this console" in refused.text
    assert SESSION_COOKIE not in set_cookies(refused)
    assert len(store.admins.all()) == before
    assert (await client.get("/")).status_code == 303  # still not signed in


async def test_an_unverified_email_gets_nobody_in(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    provider.user = {"sub": "u-2", "email": "alice@example.org", "email_verified": False}
    refused = await sign_in(client, elsewhere)
    assert refused.status_code == 403
    nothing_stored(store, "oidc:alice@example.org")
    nothing_stored(store, "oidc:u-2")


async def test_a_viewer_by_domain_can_read_but_not_approve(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, provider: Provider, store: Store
) -> None:
    provider.user = {"sub": "u-3", "email": "bob@trustees.example.org"}
    assert (await sign_in(client, elsewhere)).status_code == 200
    account = store.admins.by_email("oidc:bob@trustees.example.org")
    assert account is not None
    assert account.role == "viewer"
    page = await client.get("/audit")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert (await client.post("/audit", data={"csrf": csrf})).status_code == 403


async def test_a_group_member_is_an_admin_and_approvals_record_the_provider_identity(
    client: httpx2.AsyncClient,
    elsewhere: httpx2.AsyncClient,
    provider: Provider,
    store: Store,
    actions: FakeActions,
    seeded: Any,
) -> None:
    provider.user = {"sub": "u-4", "email": "carol@example.org", "groups": ["safeguarding-leads"]}
    assert (await sign_in(client, elsewhere)).status_code == 200
    page = await client.get(f"/fixes/{seeded.fixes[0]}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    decided = await client.post(
        "/fixes/decide", data={"csrf": csrf, "fix_id": seeded.fixes[0], "decision": "approve", "note": ""}
    )
    assert decided.status_code in (200, 303), decided.text
    assert actions.approved[-1][1] == "oidc:carol@example.org"


async def test_someone_taken_off_the_lists_is_refused_and_their_sessions_end(
    settings: Settings,
    store: Store,
    actions: FakeActions,
    clock: Clock,
    provider: Provider,
    elsewhere: httpx2.AsyncClient,
) -> None:
    def client_of(app: Any) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://console.test")

    def console(lists: dict[str, str]) -> Any:
        return create_console_app(
            load_settings(**provider_env(provider, **lists)),
            store=store,
            actions=actions,
            clock=clock,
            secret=b"k" * 32,
            login_policy=POLICY,
        )

    async with client_of(console(LISTS)) as browser:
        assert (await sign_in(browser, elsewhere)).status_code == 200
        session = browser.cookies.get(SESSION_COOKIE)
    async with client_of(console({**LISTS, "ZOOMAUDIT_OIDC_ADMINS": "someone@example.org"})) as browser:
        assert (await sign_in(browser, elsewhere)).status_code == 403
        browser.cookies.set(SESSION_COOKIE, session or "")
        assert (await browser.get("/")).status_code == 303  # the old session has ended


# ---- the login page and local accounts -----------------------------------------------------------------


async def test_the_login_page_offers_the_provider_and_the_password_form(client: httpx2.AsyncClient) -> None:
    page = await client.get("/login?next=/runs")
    assert 'href="/signin/oidc?next=/runs"' in page.text
    assert "Sign in with Example Org" in page.text
    assert 'name="password"' in page.text


async def test_with_local_accounts_off_passwords_no_longer_sign_in(
    provider: Provider, store: Store, actions: FakeActions, clock: Clock
) -> None:
    settings = load_settings(**provider_env(provider, ZOOMAUDIT_LOCAL_ACCOUNTS="false", **LISTS))
    app = create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        page = await c.get("/login")
        assert 'name="password"' not in page.text
        assert "Sign in with Example Org" in page.text
        refused = await c.post("/login", data={"email": ADMIN, "password": "a long enough password"})
        assert refused.status_code == 403
        assert "Password sign-in is turned off" in refused.text


async def test_turning_local_accounts_off_ends_their_sessions(
    client: httpx2.AsyncClient, provider: Provider, store: Store, actions: FakeActions, clock: Clock
) -> None:
    assert (await login(client, ADMIN)).status_code == 303
    session = client.cookies.get(SESSION_COOKIE)
    settings = load_settings(**provider_env(provider, ZOOMAUDIT_LOCAL_ACCOUNTS="false", **LISTS))
    app = create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        c.cookies.set(SESSION_COOKIE, session or "")
        assert (await c.get("/")).status_code == 303


async def test_the_redirect_uri_follows_the_console_url_when_set(
    provider: Provider, store: Store, actions: FakeActions, clock: Clock
) -> None:
    settings = load_settings(
        **provider_env(provider, ZOOMAUDIT_CONSOLE_URL="https://audit.example.org/console", **LISTS)
    )
    app = create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        begin = await c.get("/signin/oidc")
    target = httpx2.URL(begin.headers["location"])
    assert target.params["redirect_uri"] == "https://audit.example.org/console/signin/oidc/callback"


async def test_an_unreachable_provider_gives_a_clear_page(
    store: Store, actions: FakeActions, clock: Clock
) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = load_settings(
        ZOOMAUDIT_OIDC_ISSUER=f"http://127.0.0.1:{port}",
        ZOOMAUDIT_OIDC_CLIENT_ID="c",
        ZOOMAUDIT_OIDC_CLIENT_SECRET="s",
        ZOOMAUDIT_OIDC_LABEL="Example Org",
    )
    app = create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as c:
        page = await c.get("/signin/oidc")
    assert page.status_code == 502
    assert "Signing in with Example Org is not possible just now" in page.text


async def test_a_provider_account_never_gets_a_password(
    client: httpx2.AsyncClient, elsewhere: httpx2.AsyncClient, store: Store, app: Any
) -> None:
    from zoomaudit.errors import UsageError
    from zoomaudit.service.console.accounts import add_admin, set_password

    assert (await sign_in(client, elsewhere)).status_code == 200
    with pytest.raises(UsageError, match="signs in through its provider"):
        set_password(store, "oidc:alice@example.org", "a long enough password")
    with pytest.raises(UsageError, match="not an e-mail address"):
        add_admin(store, "oidc:bob@example.org", "a long enough password", "admin", now=NOW)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://console.test"
    ) as other:
        refused = await login(other, "oidc:alice@example.org", "a long enough password")
    assert refused.status_code == 401


async def test_someone_who_cancels_at_the_provider_is_told_so(
    client: httpx2.AsyncClient, store: Store
) -> None:
    begin = await client.get("/signin/oidc")
    state = httpx2.URL(begin.headers["location"]).params["state"]
    cancelled = await client.get(f"/signin/oidc/callback?error=access_denied&state={state}")
    assert cancelled.status_code == 400
    assert "Signing in with Example Org failed: access_denied" in cancelled.text
    nothing_stored(store, "oidc:alice@example.org")
