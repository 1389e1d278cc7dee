"""Issue 16, console sign-in: nobody locks the admins out, answers tell nothing, sign-out lasts,
idle sessions end, hashes are upgraded, HSTS over HTTPS."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx2
import pytest

import zoomaudit.service.console.passwords as passwords
from zoomaudit.service.console.accounts import set_password
from zoomaudit.service.console.app import create_console_app
from zoomaudit.service.console.network import client_address
from zoomaudit.settings import Settings, load_settings, parse_networks
from zoomaudit.store import Store

from .conftest import ADMIN, NOW, PASSWORD, POLICY, Clock, FakeActions, login

pytestmark = pytest.mark.anyio

PROXY = "127.0.0.1"


def console_app(settings: Settings, store: Store, actions: FakeActions, clock: Clock) -> Any:
    return create_console_app(
        settings, store=store, actions=actions, clock=clock, secret=b"k" * 32, login_policy=POLICY
    )


def client_of(app: Any, peer: str = "203.0.113.7", **headers: str) -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=app, client=(peer, 50000))
    return httpx2.AsyncClient(transport=transport, base_url="http://console.test", headers=headers)


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check made, by the hash it was checked against."""
    checked: list[str] = []
    real: Callable[[str, str], bool] = passwords.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return checked


# ---- one answer for unknown, wrong and delayed ----------------------------------------------------


async def test_unknown_wrong_and_delayed_sign_ins_get_byte_identical_answers(
    client: httpx2.AsyncClient, hash_checks: list[str]
) -> None:
    unknown = await login(client, "nobody@example.org", "guess guess guess")
    for _ in range(3):  # the fixture's allowance for one account
        wrong = await login(client, ADMIN, "guess guess guess")
    delayed = await login(client, ADMIN, PASSWORD)
    for response in (unknown, wrong, delayed):
        assert response.status_code == 401
        assert response.content == unknown.content
        assert sorted(response.headers.keys()) == sorted(unknown.headers.keys())
    assert "nobody@example.org" not in unknown.text
    assert len(hash_checks) == 5  # one password check per attempt, whatever its fate


async def test_an_unknown_account_and_a_delayed_address_still_cost_one_hash(
    client: httpx2.AsyncClient, hash_checks: list[str]
) -> None:
    await login(client, "nobody@example.org", "guess guess guess")
    assert hash_checks == [passwords.dummy_hash()]
    for n in range(6):  # the fixture's allowance for one address
        await login(client, f"someone{n}@example.org", "guess guess guess")
    hash_checks.clear()
    refused = await login(client, ADMIN, PASSWORD)
    assert refused.status_code == 401
    assert len(hash_checks) == 1
    assert hash_checks[0] != passwords.dummy_hash()  # the account's own hash, as for any attempt


# ---- the client's address behind a trusted proxy --------------------------------------------------


async def test_guesses_through_the_proxy_do_not_keep_the_admin_out(
    store: Store, actions: FakeActions, clock: Clock
) -> None:
    app = console_app(load_settings(trusted_proxies=PROXY), store, actions, clock)
    async with client_of(app, PROXY, **{"X-Forwarded-For": "203.0.113.66"}) as attacker:
        for n in range(20):
            assert (await login(attacker, f"random{n}@example.org", "guess guess")).status_code == 401
    async with client_of(app, PROXY, **{"X-Forwarded-For": "198.51.100.20"}) as admin:
        assert (await login(admin)).status_code == 303


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(client: httpx2.AsyncClient) -> None:
    for n in range(6):
        client.headers["X-Forwarded-For"] = f"192.0.2.{n}"
        await login(client, f"random{n}@example.org", "guess guess")
    client.headers["X-Forwarded-For"] = "192.0.2.200"
    assert (await login(client)).status_code == 401


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.2.3", "203.0.113.5"),  # the client wrote 6.6.6.6
        ("127.0.0.1", None, "127.0.0.1"),
        ("198.51.100.1", "203.0.113.5", "198.51.100.1"),  # not a trusted proxy
        ("127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1"),  # every hop trusted: the first
    ],
)
def test_the_client_address_reads_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded: str | None, expected: str
) -> None:
    assert client_address(peer, forwarded, parse_networks("127.0.0.1, 10.0.0.0/8")) == expected


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    from zoomaudit.errors import ConfigError

    assert load_settings().trusted_proxy_networks == ()
    with pytest.raises(ConfigError, match=r"ZOOMAUDIT_TRUSTED_PROXIES|trusted_proxies"):
        load_settings(trusted_proxies="proxy.local")


# ---- sessions: a generation in the database, an idle timeout ---------------------------------------


async def test_signing_out_survives_a_restart(
    client: httpx2.AsyncClient, settings: Settings, store: Store, actions: FakeActions, clock: Clock
) -> None:
    from .conftest import csrf_of

    await login(client)
    kept = client.cookies.get("zoomaudit_session") or ""
    await client.post("/logout", data={"csrf": csrf_of((await client.get("/")).text)})
    restarted = console_app(settings, store, actions, clock)  # a new process: nothing in memory
    async with client_of(restarted) as copy:
        copy.cookies.set("zoomaudit_session", kept)
        assert (await copy.get("/")).status_code == 303


async def test_a_new_password_ends_the_sessions(client: httpx2.AsyncClient, store: Store) -> None:
    await login(client)
    set_password(store, ADMIN, "another long password")
    assert (await client.get("/")).status_code == 303


async def test_an_idle_session_is_signed_out_and_a_used_one_is_not(
    client: httpx2.AsyncClient, clock: Clock
) -> None:
    await login(client)
    for _ in range(3):
        clock.now += timedelta(minutes=29)
        assert (await client.get("/")).status_code == 200
    clock.now += timedelta(minutes=30)
    response = await client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_the_idle_timeout_follows_the_setting(store: Store, actions: FakeActions, clock: Clock) -> None:
    app = console_app(load_settings(session_idle=5), store, actions, clock)
    async with client_of(app) as c:
        await login(c)
        clock.now += timedelta(minutes=4)
        assert (await c.get("/")).status_code == 200
        clock.now += timedelta(minutes=5)
        assert (await c.get("/")).status_code == 303


# ---- password hashes ----------------------------------------------------------------------------


def _old_scrypt_hash(password: str) -> str:
    """A hash as zoomaudit stored it before argon2id: scrypt N=2**14, r=8, p=1."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"scrypt$16384$8$1${b64(salt)}${b64(digest)}"


async def test_an_old_hash_is_replaced_at_the_next_sign_in(client: httpx2.AsyncClient, store: Store) -> None:
    email = "old@example.org"
    store.admins.create(email, "admin", _old_scrypt_hash(PASSWORD), now=NOW)
    assert (await login(client, email)).status_code == 303
    account = store.admins.by_email(email)
    assert account is not None
    assert account.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(PASSWORD, account.password_hash)
    assert (await client.get("/")).status_code == 200  # the session goes on


def test_only_current_argon2id_hashes_are_kept() -> None:
    assert not passwords.needs_rehash(passwords.hash_password(PASSWORD))
    assert passwords.needs_rehash(_old_scrypt_hash(PASSWORD))
    weak = "$argon2id$v=19$m=1024,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + "A" * 43
    assert passwords.needs_rehash(weak)


# ---- HSTS -----------------------------------------------------------------------------------------


async def test_hsts_is_sent_over_https_only(app: Any) -> None:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="https://console.test") as tls:
        assert "max-age=" in (await tls.get("/login")).headers["strict-transport-security"]
    async with httpx2.AsyncClient(transport=transport, base_url="http://console.test") as plain:
        assert "strict-transport-security" not in (await plain.get("/login")).headers
