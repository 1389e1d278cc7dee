"""Single sign-on for the console: the redirect to a provider and the way back (docs/console.md).

The providers (OpenID Connect in ``signin_oidc.py``, Zoom in ``signin_zoom.py``) are authlib
Starlette clients; this module is what they share:

- The sign-in transaction (authlib's state, nonce and PKCE verifier, and where to go afterwards)
  lives in its own cookie, encrypted and authenticated (Fernet, under a key derived from the
  console's secret), valid for ``TRANSACTION_LIFETIME``, ``SameSite=Lax`` and sent only to that
  provider's callback path. The session cookie is ``SameSite=Strict``: a browser coming back from
  a provider on another site does not send it, so the transaction cannot live there.
- The cookie is deleted by the callback, and a ``state`` once used is refused for the rest of its
  lifetime (``Transactions.spend``), so neither a copied cookie nor a reloaded callback signs
  anyone in twice; the provider refuses a code used twice on its side.
- Someone the provider vouches for but the configuration does not admit is shown a page that
  says so; nothing is stored for them. Someone admitted gets a console account named by the
  provider (``oidc:alice@example.org``, ``zoom:priya@example.org``; approvals record that name),
  whose role follows the provider's answer at every sign-in, and a session of the console's
  usual kind (cookie, CSRF, idle timeout, sign-out).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx2
from authlib.common.errors import AuthlibBaseError
from cryptography.fernet import Fernet, InvalidToken
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from zoomaudit.service.console.accounts import Role
from zoomaudit.service.console.auth import PROVIDER_PREFIXES, SSO_MARKER
from zoomaudit.service.console.web import Console, cookie_path, safe_next, secure_headers

log = logging.getLogger("zoomaudit.console")

TRANSACTION_LIFETIME = timedelta(minutes=10)

# Exceptions of a failed exchange with a provider: authlib's own (a mismatching state, an error
# answer), joserfc's (a bad signature, a wrong issuer, audience, nonce or expiry) and those of the
# HTTP library authlib sends with (taken from authlib, so this is the library it uses).
SIGN_IN_FAILURES: tuple[type[BaseException], ...] = (
    AuthlibBaseError,
    JoseError,
    httpx2.HTTPError,
    ValueError,
    KeyError,
)


def is_provider_identity(name: str) -> bool:
    """Whether an account name is one a provider vouched for (not a local password account)."""
    return name.startswith(PROVIDER_PREFIXES)


@dataclass(frozen=True)
class Verdict:
    """What a provider's answer means here: who it is, and their role or why they may not enter."""

    identity: str
    """How the console names them, e.g. ``oidc:alice@example.org``."""
    role: Role | None
    reason: str = ""
    """Why they are refused (shown to them) when ``role`` is None."""


class Provider(Protocol):
    name: str
    """The path segment and cookie suffix: ``oidc`` or ``zoom``."""
    title: str
    """The provider's name for people: "Zoom", "Microsoft" (the button says "Sign in with <title>")."""

    async def redirect(self, request: Request, redirect_uri: str) -> Response:
        """authlib's redirect to the provider; it stores the transaction in ``request.session``."""

    async def judge(self, request: Request) -> Verdict:
        """Complete the exchange (authlib checks state, PKCE, and an ID token's signature and
        claims) and judge who came back; raises one of ``SIGN_IN_FAILURES`` when it fails."""


class Transactions:
    """Seals sign-in transactions into cookies and remembers the states already used."""

    def __init__(self, secret: bytes, lifetime: timedelta = TRANSACTION_LIFETIME) -> None:
        key = hmac.new(secret, b"zoomaudit console sign-in transaction", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self.lifetime = lifetime
        self._spent: dict[str, int] = {}
        self._lock = threading.Lock()

    def seal(self, data: dict[str, Any], now: datetime) -> str:
        return self._fernet.encrypt_at_time(json.dumps(data).encode(), int(now.timestamp())).decode()

    def open(self, sealed: str | None, now: datetime) -> dict[str, Any] | None:
        """The transaction in a cookie; None when missing, forged, or older than the lifetime."""
        if not sealed:
            return None
        try:
            raw = self._fernet.decrypt_at_time(
                sealed.encode(), int(self.lifetime.total_seconds()), int(now.timestamp())
            )
            data = json.loads(raw)
        except (InvalidToken, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def spend(self, state: str, now: datetime) -> bool:
        """Mark ``state`` used; False when it already was (within the transaction lifetime)."""
        stamp = int(now.timestamp())
        with self._lock:
            self._spent = {s: until for s, until in self._spent.items() if until > stamp}
            if state in self._spent:
                return False
            self._spent[state] = stamp + int(self.lifetime.total_seconds())
            return True


def transaction_cookie(provider: Provider) -> str:
    return f"zoomaudit_signin_{provider.name}"


def callback_path(request: Request, provider: Provider) -> str:
    return f"{cookie_path(request).rstrip('/')}/signin/{provider.name}/callback"


def redirect_uri(console: Console, request: Request, provider: Provider) -> str:
    """The callback's full address: under ``ZOOMAUDIT_CONSOLE_URL`` when set (the address the
    provider has registered, behind a proxy), else the address this request came to."""
    tail = f"/signin/{provider.name}/callback"
    if console.settings.console_url:
        return console.settings.console_url + tail
    return f"{request.url.scheme}://{request.url.netloc}{cookie_path(request).rstrip('/')}{tail}"


Endpoint = Callable[[Request], Awaitable[Response]]


def routes(console: Console, transactions: Transactions, providers: list[Provider]) -> list[BaseRoute]:
    out: list[BaseRoute] = []
    for provider in providers:
        out.append(Route(f"/signin/{provider.name}", _begin(console, transactions, provider)))
        out.append(Route(f"/signin/{provider.name}/callback", _callback(console, transactions, provider)))
    return out


def _begin(console: Console, transactions: Transactions, provider: Provider) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        data: dict[str, Any] = {}
        request.scope["session"] = data
        try:
            response = await provider.redirect(request, redirect_uri(console, request, provider))
        except SIGN_IN_FAILURES as exc:
            log.warning("sign-in with %s could not start: %s", provider.name, _describe(exc))
            reason = f"Signing in with {provider.title} is not possible just now: {_describe(exc)}."
            return refused(console, request, reason, status_code=502)
        data["next"] = safe_next(request, request.query_params.get("next"))
        response.set_cookie(
            transaction_cookie(provider),
            transactions.seal(data, console.now()),
            max_age=int(transactions.lifetime.total_seconds()),
            path=callback_path(request, provider),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return secure_headers(response)

    return endpoint


def _callback(console: Console, transactions: Transactions, provider: Provider) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        data = transactions.open(request.cookies.get(transaction_cookie(provider)), console.now())
        if data is None:
            return _end(
                request,
                provider,
                refused(
                    console,
                    request,
                    "This sign-in has expired or was started in another browser: start it again.",
                    status_code=400,
                ),
            )
        state = request.query_params.get("state") or ""
        if f"_state_{provider.name}_{state}" in data and not transactions.spend(state, console.now()):
            return _end(request, provider, refused(console, request, "This sign-in was already used.", 400))
        request.scope["session"] = data
        try:
            verdict = await provider.judge(request)
        except SIGN_IN_FAILURES as exc:
            log.warning("sign-in with %s failed: %s", provider.name, _describe(exc))
            reason = f"Signing in with {provider.title} failed: {_describe(exc)}. Start it again."
            return _end(request, provider, refused(console, request, reason, 400))
        if verdict.role is None:
            await run_in_threadpool(_refused_identity, console, verdict.identity)
            log.info("sign-in with %s refused for %s: %s", provider.name, verdict.identity, verdict.reason)
            return _end(request, provider, refused(console, request, verdict.reason))
        account = await run_in_threadpool(
            console.store.admins.signed_in_elsewhere,
            verdict.identity,
            verdict.role,
            SSO_MARKER,
            now=console.now(),
        )
        log.info("%s signed in with %s as %s", verdict.identity, provider.name, verdict.role)
        # A page of ours that moves on, not a redirect: the browser is still in the navigation
        # that came from the provider's site, and would not send the new Strict session cookie
        # on a redirect within it. The page's own navigation is same-site and carries it.
        target = safe_next(request, str(data.get("next") or ""))
        response = console.render(request, "signin_done.html", target=target, admin=None)
        console.start_session(request, response, account.id, account.session_generation)
        return _end(request, provider, response)

    return endpoint


def _refused_identity(console: Console, identity: str) -> None:
    """Someone no longer admitted: nothing is created, and sessions of an account they had end."""
    row = console.store.admins.by_email(identity)
    if row is not None:
        console.store.admins.end_sessions(row.id)


def _end(request: Request, provider: Provider, response: Response) -> Response:
    """The transaction is over, whatever the outcome: its cookie goes."""
    response.delete_cookie(
        transaction_cookie(provider),
        path=callback_path(request, provider),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def refused(console: Console, request: Request, reason: str, status_code: int = 403) -> Response:
    return console.render(request, "signin_refused.html", status_code=status_code, reason=reason, admin=None)


def _describe(exc: BaseException) -> str:
    """A short account of a failure for the page and the log (never a token: authlib's and
    joserfc's messages name the check that failed, the HTTP library's the address)."""
    if isinstance(exc, AuthlibBaseError):
        return str(exc.description or exc.error or type(exc).__name__)
    if isinstance(exc, httpx2.HTTPStatusError):
        return f"the provider answered HTTP {exc.response.status_code}"
    if isinstance(exc, httpx2.HTTPError):
        return f"the provider could not be reached ({type(exc).__name__})"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
