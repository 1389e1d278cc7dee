"""The sandbox ASGI app: ``POST /oauth/token`` and the ``/v2`` routes zoomaudit uses, and
``/oauth/authorize`` with ``GET /v2/users/me`` for "Sign in with Zoom" (``oauth_user.py``).

Every /v2 request goes through one pipeline: injected faults, bearer token, scope, per-second
rate limit, the route handler, the request log. Handlers are plain functions over dicts
(routes_users.py, routes_meetings.py); nothing copies the account per request.

A sandbox may serve several accounts (accounts.py), as Zoom serves them all from the same URLs:
each has a ``Runtime`` of its own (data, options, rate limiter, page tokens, faults), and the
token a request carries picks it. The token table and the request log are shared.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import html
import json
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

import zoomaudit.sandbox.routes_meetings as routes_meetings
import zoomaudit.sandbox.routes_users as routes_users
from zoomaudit.sandbox.accounts import Accounts, resolve_accounts
from zoomaudit.sandbox.faults import ERROR_BODIES, FaultPlan
from zoomaudit.sandbox.http import ApiError, Call, PageTokens, Reply
from zoomaudit.sandbox.log import RequestLog
from zoomaudit.sandbox.oauth_user import (
    SIGN_IN_SCOPES,
    UserOAuth,
    authorize_problem,
    consent_page,
    grant_redirect,
    redeem,
)
from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.ratelimit import QpsLimiter, qps_rejection
from zoomaudit.sandbox.state import SandboxState

JSON = "application/json;charset=UTF-8"
DROP_KEY = "zoomaudit.sandbox.drop"
SERVED_KEY = "zoomaudit.sandbox.served"


class DroppedConnection(ConnectionError):
    """Raised in-process (``httpx2.ASGITransport``) where a served sandbox closes the connection."""


@dataclass
class IssuedToken:
    expires_at: float
    dies_at: float
    scopes: frozenset[str]
    account_id: str = ""
    """The account the token was issued for: the only one it can read or change."""
    user_id: str | None = None
    """The user a user-managed app's token acts for (None: an S2S account token)."""


@dataclass
class Runtime:
    """Everything the running app keeps for one account besides its data. The token table and
    the request log are the same objects in every account's runtime (one sandbox, one log)."""

    state: SandboxState
    options: SandboxOptions
    log: RequestLog = field(default_factory=RequestLog)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    pages: PageTokens = field(default_factory=PageTokens)
    faults: FaultPlan = field(default_factory=FaultPlan)
    limiter: QpsLimiter | None = None
    jitter: random.Random = field(default_factory=random.Random)
    user_oauth: UserOAuth | None = None
    """The user-managed app of "Sign in with Zoom" (made from the state when not given)."""

    index: int = 0
    """The account's place among the sandbox's accounts (0: the first, or the only one)."""

    def __post_init__(self) -> None:
        # Each further account draws its own latency jitter: accounts sharing a seed must not
        # see their requests delayed in lockstep. The first keeps the plain seed (unchanged).
        self.jitter.seed(self.options.seed if self.index == 0 else f"{self.options.seed}/{self.index}")
        if self.user_oauth is None:
            self.user_oauth = UserOAuth.for_state(self.state)

    @property
    def sign_in_app(self) -> UserOAuth:
        assert self.user_oauth is not None  # set by __post_init__
        return self.user_oauth

    def qps(self) -> QpsLimiter:
        """The limiter of the current plan and window (options may change while the app runs)."""
        opts = self.options
        if self.limiter is None or (self.limiter_plan, self.limiter.window) != (opts.plan, opts.rate_window):
            self.limiter = QpsLimiter(opts.plan, opts.rate_window)
            self.limiter_plan = opts.plan
        return self.limiter

    def latency(self) -> float:
        """Seconds of simulated network latency for one request (with its jitter)."""
        opts = self.options
        ms = opts.latency_ms
        if opts.latency_jitter_ms:
            ms += self.jitter.uniform(-opts.latency_jitter_ms, opts.latency_jitter_ms)
        return max(0.0, ms) / 1000

    limiter_plan: str = ""


class SandboxApp(Starlette):
    """Starlette, plus the one thing it cannot do: drop a connection without answering."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)
        if scope.get(DROP_KEY) and not scope.get(SERVED_KEY):
            raise DroppedConnection("sandbox dropped the connection (injected fault)")


class _Drop(Response):
    """Sends nothing; the server wrapper (server.py) then closes the socket."""

    def __init__(self) -> None:
        super().__init__(status_code=599)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[DROP_KEY] = True


def _json(reply: Reply, malformed: bool = False, raw: bytes | None = None) -> Response:
    if reply.body is None and raw is None:
        return Response(status_code=reply.status, headers=reply.headers)
    data = raw if raw is not None else json.dumps(reply.body, separators=(",", ":")).encode()
    if malformed:
        data = data[: max(1, len(data) // 2)]
    return Response(data, status_code=reply.status, headers=reply.headers, media_type=JSON)


@dataclass
class Served:
    """The accounts of one app, in the order given (the first answers what names no account)."""

    runtimes: list[Runtime]

    @property
    def first(self) -> Runtime:
        return self.runtimes[0]

    def by_client_id(self, client_id: str) -> Runtime | None:
        """The account whose app has this client id (compared in constant time, every one)."""
        found = None
        for rt in self.runtimes:
            if secrets.compare_digest(client_id.encode(), rt.state.client_id.encode()):
                found = rt
        return found

    def by_sign_in_client_id(self, client_id: str) -> Runtime | None:
        """The account whose "Sign in with Zoom" app has this client id."""
        found = None
        for rt in self.runtimes:
            if secrets.compare_digest(client_id.encode(), rt.sign_in_app.client_id.encode()):
                found = rt
        return found

    def by_token(self, authorization: str) -> Runtime | None:
        """The account a bearer token was issued for (None for no token or an unknown one)."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        issued = self.first.tokens.get(token.strip())
        if issued is None:
            return None
        return next((rt for rt in self.runtimes if rt.state.account_id == issued.account_id), None)


def served_of(request: Request) -> Served:
    served: Served = request.app.state.accounts
    return served


# -- /oauth/token --------------------------------------------------------------------------------
def _token_error(status: int, error: str, reason: str, code: int) -> Reply:
    return Reply(status, {"reason": reason, "error": error, "code": code})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        client_id, sep, secret = base64.b64decode(value.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (client_id, secret) if sep else None


def issue_token(rt: Runtime | None, params: dict[str, str], authorization: str) -> Reply:
    """Zoom's account_credentials grant (reference.md §1.1); error bodies as §4 lists them.

    ``rt`` is the account whose app has the request's client id (None when no account's has):
    the ``account_id`` parameter must then name that same account, as Zoom's does.
    """
    creds = _basic_credentials(authorization)
    if creds is None:
        return _token_error(400, "invalid_client", "Client ID or client secret is missing.", 4706)
    grant = params.get("grant_type")
    if not grant:
        return _token_error(400, "invalid_request", "Missing grant type.", 4706)
    if rt is None:
        return _token_error(400, "invalid_client", "Invalid client_id or client_secret", 4702)
    state = rt.state
    secret_ok = secrets.compare_digest(creds[1].encode(), state.client_secret.encode())
    if not secret_ok:
        return _token_error(400, "invalid_client", "Invalid client_id or client_secret", 4704)
    if grant != "account_credentials":
        return _token_error(
            400, "unsupported_grant_type", "Grant type is not supported from token endpoint.", 4705
        )
    if params.get("account_id") != state.account_id:
        return _token_error(400, "invalid_request", "Invalid account_id.", 4735)
    token, ttl = _new_token(rt, frozenset(state.scopes))
    body = {"access_token": token, "token_type": "bearer", "expires_in": ttl, "scope": " ".join(state.scopes)}
    return Reply(200, body, {"Cache-Control": "no-store"})


def _new_token(rt: Runtime, scopes: frozenset[str], user_id: str | None = None) -> tuple[str, int]:
    ttl = rt.options.token_ttl
    now = time.time()
    dies = now + ttl
    if rt.options.token_expire_after is not None:
        dies = min(dies, now + rt.options.token_expire_after)
    token = "sbx." + secrets.token_urlsafe(32)
    if len(rt.tokens) > 10_000:
        # In place: every account's runtime holds this same table.
        for stale in [k for k, v in rt.tokens.items() if v.dies_at <= now]:
            del rt.tokens[stale]
    rt.tokens[token] = IssuedToken(now + ttl, dies, scopes, rt.state.account_id, user_id)
    return token, ttl


def issue_user_token(rt: Runtime, params: dict[str, str], authorization: str) -> Reply:
    """Zoom's authorization_code grant for the user-managed app (oauth_user.py)."""
    grant = redeem(rt.sign_in_app, params, _basic_credentials(authorization))
    if isinstance(grant, Reply):
        return grant
    token, ttl = _new_token(rt, frozenset(SIGN_IN_SCOPES), grant.user_id)
    body = {
        "access_token": token,
        "token_type": "bearer",
        "refresh_token": "sbx.r." + secrets.token_urlsafe(24),
        "expires_in": ttl,
        "scope": " ".join(SIGN_IN_SCOPES),
    }
    return Reply(200, body, {"Cache-Control": "no-store"})


async def authorize_endpoint(request: Request) -> Response:
    """``GET /oauth/authorize`` shows the sign-in page, whose buttons come back with a
    ``login_hint``; with a known one it answers at once (a GET form: the way back to the app
    stays a top-level GET navigation, as with Zoom)."""
    served = served_of(request)
    params = dict(request.query_params)
    # The account whose sign-in app the client id names (an unknown one: the first, which refuses it).
    rt = served.by_sign_in_client_id(params.get("client_id", "")) or served.first
    problem = authorize_problem(rt.sign_in_app, params)
    rt.log.add(request.method, "/oauth/authorize", "", 400 if problem else 200, None)
    if problem:
        return HTMLResponse(f"<!doctype html><title>Zoom sandbox</title><p>{html.escape(problem)}</p>", 400)
    hint = params.pop("login_hint", "")
    user = rt.state.find_user(hint) if hint else None
    if user is None or user.status != "active":
        return HTMLResponse(consent_page(rt.state, params))
    return RedirectResponse(grant_redirect(rt.sign_in_app, params, user), status_code=302)


async def users_me_endpoint(request: Request) -> Response:
    """``GET /v2/users/me`` for a user token: the user it acts for, as ``GET /users/{userId}``."""
    served = served_of(request)
    authorization = request.headers.get("authorization", "")
    # The token's own account answers (an unknown token: the first account, with a 401).
    rt = served.by_token(authorization) or served.first
    scheme, _, value = authorization.partition(" ")
    issued = rt.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    if issued is None or time.time() >= issued.dies_at:
        reply = Reply(401, {"code": 124, "message": "Invalid access token."})
    elif issued.user_id is None:
        # An account (S2S) token acts for no user.
        reply = Reply(404, {"code": 1001, "message": "User does not exist: me."})
    else:
        reply = routes_users.get_user_route(
            Call(rt.state, rt.options, rt.pages, {"userId": issued.user_id}, {}, None)
        )
    rt.log.add("GET", "/v2/users/me", request.url.query, reply.status, "light", account=rt.state.account_id)
    return _json(reply)


async def token_endpoint(request: Request) -> Response:
    served = served_of(request)
    authorization = request.headers.get("authorization", "")
    creds = _basic_credentials(authorization)
    owner = served.by_client_id(creds[0]) if creds else None
    # The client id's account answers with its own latency and faults; an unknown one, the first.
    rt = owner or served.first
    account = owner.state.account_id if owner else None
    query = request.url.query
    opts = rt.options
    if opts.fault_token_endpoint:
        latency = rt.latency()
        if latency:
            await asyncio.sleep(latency)
        draw = rt.faults.draw(opts, "POST", "/oauth/token", query)
        if draw.fault == "drop":
            rt.log.add("POST", "/oauth/token", query, 0, None, "drop", account=account)
            return _Drop()
        if draw.fault == "error":
            rt.log.add("POST", "/oauth/token", query, draw.status, None, "error", account=account)
            return _json(Reply(draw.status, {"code": draw.status, "message": ERROR_BODIES[draw.status]}))
    params = dict(parse_qsl(query))
    form = await request.form()
    params.update({k: str(v) for k, v in form.items()})
    if params.get("grant_type") == "authorization_code":
        signing_in = served.by_sign_in_client_id(creds[0]) if creds else None
        reply = issue_user_token(signing_in or rt, params, authorization)
    else:
        reply = issue_token(owner, params, authorization)
    rt.log.add("POST", "/oauth/token", query, reply.status, None, account=account)
    return _json(reply)


# -- /v2 pipeline --------------------------------------------------------------------------------
def _authorize(rt: Runtime, header: str, scopes: tuple[str, ...]) -> Reply | None:
    scheme, _, token = header.partition(" ")
    issued = rt.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if issued is None or issued.account_id != rt.state.account_id:
        # A token is bound to its account: never honoured by another account.
        return Reply(401, {"code": 124, "message": "Invalid access token."})
    if time.time() >= issued.dies_at:
        return Reply(401, {"code": 124, "message": "Access token is expired."})
    # A user-managed app's token reads only its own user (``GET /v2/users/me``, routed apart).
    if issued.user_id is not None or not issued.scopes.intersection(scopes):
        return Reply(
            401,
            {
                "code": 4700,
                "message": f"Invalid access token, does not contain scopes: [{', '.join(scopes)}].",
            },
        )
    return None


Handler = Callable[[Call], Reply]


def _endpoint(
    category: str, scopes: tuple[str, ...], handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        served = served_of(request)
        # The token's account answers; a request with no token the sandbox issued goes through
        # the first account's pipeline (its latency and faults) to its 401, logged with no account.
        owner = served.by_token(request.headers.get("authorization", ""))
        rt = owner or served.first
        with rt.log.serving(request.url.path, owner.state.account_id if owner else None):
            return await answer(rt, request)

    async def answer(rt: Runtime, request: Request) -> Response:
        opts = rt.options
        method = request.method
        path = request.url.path
        query = request.url.query
        # The request reaches "Zoom" after its simulated latency, and the rate limit judges it at
        # that scheduled arrival, not at whenever this event loop gets round to it: a pause of
        # the sandbox (a collection, a burst of other work) must not bunch evenly sent requests
        # into one second. With jitter, arrivals spread as a real network's would.
        latency = rt.latency()
        arrival = (rt.qps().clock() if opts.rate_limits else 0.0) + latency
        if latency:
            await asyncio.sleep(latency)
        draw = rt.faults.draw(opts, method, path, query)
        if draw.fault == "drop":
            rt.log.add(method, path, query, 0, category, "drop")
            return _Drop()
        if draw.fault == "error":
            rt.log.add(method, path, query, draw.status, category, "error")
            return _json(Reply(draw.status, {"code": draw.status, "message": ERROR_BODIES[draw.status]}))
        if draw.fault == "rate_limit":
            rej = qps_rejection(category, rt.qps().limits.get(category, 10))
            rt.log.add(method, path, query, 429, category, "rate_limit")
            return _json(Reply(429, rej.body, rej.headers))
        reply = _authorize(rt, request.headers.get("authorization", ""), scopes)
        if reply is None and opts.rate_limits:
            limited = rt.qps().check(category, at=arrival)
            if limited is not None:
                reply = Reply(429, limited.body, limited.headers)
        if reply is None:
            reply = await _handle(rt, request, handler)
        malformed = draw.malformed and reply.status == 200 and reply.body is not None
        raw: bytes | None = None
        if opts.tamper is not None and reply.status == 200 and reply.body is not None:
            tampered = opts.tamper(method, path, reply.body)
            if isinstance(tampered, bytes):
                raw = tampered
            else:
                reply = Reply(reply.status, tampered, reply.headers)
        rt.log.add(method, path, query, reply.status, category, "malformed" if malformed else None)
        return _json(reply, malformed, raw)

    return endpoint


async def _handle(rt: Runtime, request: Request, handler: Handler) -> Reply:
    body: Any = None
    if request.method in ("PATCH", "POST", "PUT"):
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return Reply(400, {"code": 300, "message": "Request Body should be a valid JSON object."})
    call = Call(
        rt.state,
        rt.options,
        rt.pages,
        dict(request.path_params),
        dict(request.query_params),
        body,
    )
    try:
        return handler(call)
    except ApiError as err:
        return Reply(err.status, err.body())


ROUTES = [*routes_users.ROUTES, *routes_meetings.ROUTES]
"""(method, Zoom path under /v2, rate-limit category, accepted scopes, handler)."""


async def _not_found(request: Request, exc: Exception) -> Response:
    rt = served_of(request).first
    rt.log.add(request.method, request.url.path, request.url.query, 404, None)
    return _json(Reply(404, {"code": 404, "message": "Not found."}))


async def _not_allowed(request: Request, exc: Exception) -> Response:
    rt = served_of(request).first
    rt.log.add(request.method, request.url.path, request.url.query, 405, None)
    return _json(Reply(405, {"code": 405, "message": "Method not allowed."}))


def create_app(state: Accounts, options: SandboxOptions | None = None) -> SandboxApp:
    """The sandbox as an ASGI app (serve it with uvicorn, or call it through httpx2.ASGITransport).

    ``state``: one account, or a list of accounts (``SandboxState`` or ``SandboxAccount`` with
    its own options); ``options`` are those of every account that brings none.
    """
    routes = [
        Route("/oauth/token", token_endpoint, methods=["POST"]),
        Route("/oauth/authorize", authorize_endpoint, methods=["GET"]),
        # Before /v2/users/{userId}, which would take "me" for a user id.
        Route("/v2/users/me", users_me_endpoint, methods=["GET"]),
    ]
    by_path: dict[str, list[tuple[str, str, tuple[str, ...], Handler]]] = {}
    for method, path, category, scopes, handler in ROUTES:
        by_path.setdefault(path, []).append((method, category, scopes, handler))
    for path, entries in by_path.items():
        for method, category, scopes, handler in entries:
            routes.append(Route("/v2" + path, _endpoint(category, scopes, handler), methods=[method]))
    app = SandboxApp(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed})
    accounts = resolve_accounts(state, options or SandboxOptions())
    log = RequestLog()
    tokens: dict[str, IssuedToken] = {}
    served = Served(
        [Runtime(st, opts, log=log, tokens=tokens, index=i) for i, (st, opts) in enumerate(accounts)]
    )
    app.state.accounts = served
    app.state.sandbox = served.first
    return app


def runtime(app: Starlette) -> Runtime:
    """The runtime (state, options, log, tokens) of an app made by ``create_app``: of its first
    account, the only one unless it was given several."""
    rt: Runtime = app.state.sandbox
    return rt


def runtimes(app: Starlette) -> list[Runtime]:
    """The runtime of every account of an app made by ``create_app``, in the order given."""
    served: Served = app.state.accounts
    return list(served.runtimes)
