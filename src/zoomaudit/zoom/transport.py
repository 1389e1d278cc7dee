"""The careful request loop under the Zoom client: budget, retries, 429s and error mapping.

Every request, typed or generic, goes through ``ZoomTransport._send``: the category's rate
budget, the concurrency cap, the OAuth flow (auth.py), bounded retries of transient failures
(5xx, timeouts, dropped connections, a 2xx whose JSON does not parse) with exponential backoff
and jitter, 429 handling (the request that met a per-second limit waits it out; stop at a
daily or per-host limit) and the mapping of every failure onto zoomaudit's exception tree.
No other 4xx is retried. ``client.ZoomClient`` adds the typed endpoints on top.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx2
from pydantic import BaseModel, ValidationError

from zoomaudit import __version__
from zoomaudit.errors import AuthError, MissingScope, NotFound, RateLimited, ZoomApiError, ZoomUnavailable
from zoomaudit.settings import Settings
from zoomaudit.zoom.auth import EXPIRED_TOKEN_CODE, AccessToken, TokenUnavailable, ZoomAuth
from zoomaudit.zoom.daily import DailyLedger
from zoomaudit.zoom.endpoints import OTHER_CATEGORY, Endpoint, find_endpoint
from zoomaudit.zoom.ratelimit import (
    Clock,
    RateLimiter,
    Sleep,
    iso_utc,
    read_429,
)

log = logging.getLogger("zoomaudit.zoom")

PAGE_SIZE = 300  # Zoom's maximum (reference.md §2)
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
MAX_QPS_WAIT = 120.0
"""A per-second 429 asking for a longer wait than this is treated as a limit for this run."""

T = TypeVar("T", bound=BaseModel)


@dataclass
class ClientStats:
    """What the client spent; the benchmarks read it."""

    requests_by_category: Counter[str] = field(default_factory=Counter)
    requests_by_endpoint: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0  # 429 answers received
    retries: int = 0
    token_fetches: int = 0

    @property
    def requests(self) -> int:
        return sum(self.requests_by_category.values())


class _Transient(Exception):
    """A failure worth another attempt; ``reason`` names it for logs and the final error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _body(response: httpx2.Response) -> tuple[int | None, str]:
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        code = data.get("code")
        message = data.get("message") or data.get("reason") or response.reason_phrase
        return (code if isinstance(code, int) else None), str(message)
    return None, response.reason_phrase or f"HTTP {response.status_code}"


class ZoomTransport:
    """The request loop and its state; ``ZoomClient`` is the class to use."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._clock: Clock = clock or time.time
        self._sleep: Sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()  # jitter only
        self._stats = ClientStats()
        self._limiter = RateLimiter(settings.rate_budget, clock=self._clock, sleep=self._sleep)
        self._in_flight = asyncio.Semaphore(settings.concurrency)
        self._auth = ZoomAuth(settings, self._send_token_request, clock=self._clock)
        self._http = httpx2.AsyncClient(
            base_url=settings.zoom_api_base_url + "/",
            transport=transport,
            auth=self._auth,
            timeout=httpx2.Timeout(settings.http_timeout),
            # As many pooled connections as requests in flight, all kept alive: with httpx2's
            # default of 20 kept connections, a run at concurrency 32 kept opening new ones.
            limits=httpx2.Limits(
                max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
            ),
            headers={"Accept": "application/json", "User-Agent": f"zoomaudit/{__version__}"},
        )
        self._daily = DailyLedger()  # daily limits seen in this run, and each meeting's host

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._auth.cancel_early()
        await self._http.aclose()

    def fetch_token_early(self) -> None:
        """Send the token request now, in the background (``ZoomAuth.fetch_early``): the first
        request, or ``authenticate``, then takes its outcome."""
        self._auth.fetch_early()

    async def token_request_sent(self) -> None:
        """Return once the early token request is on the wire (or has ended)."""
        await self._auth.early_request_sent()

    @property
    def stats(self) -> ClientStats:
        self._stats.token_fetches = self._auth.fetches
        return self._stats

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    async def authenticate(self) -> AccessToken:
        """Fetch (or reuse) the access token; raises AuthError when the credentials are refused.

        Transient failures (network, 5xx from the token endpoint) are retried like any request.
        """
        failures = 0
        while True:
            try:
                return await self._auth.token()
            except TokenUnavailable as exc:
                reason = str(exc)
            except (httpx2.HTTPError, ConnectionError) as exc:
                reason = f"{type(exc).__name__}: {self._auth.scrub(str(exc)) or 'no detail'}"
            failures += 1
            if failures > self.settings.max_retries:
                raise ZoomUnavailable(
                    f"no access token from {self.settings.zoom_oauth_token_url} after {failures} "
                    f"attempt(s): {reason}"
                )
            self._stats.retries += 1
            await self._sleep(self._backoff(failures))

    # -- the generic request (fixes send their stored exact requests through it) ----------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        host: str | None = None,
    ) -> httpx2.Response:
        """Send ``method path`` (relative to the API base) with all of the client's care."""
        method = method.upper()
        if not path.startswith("/"):
            path = "/" + path
        endpoint = find_endpoint(method, path)
        query = dict(params) if params else None
        return await self._send(endpoint, method, path, query, json, host=host, strict=False)

    # -- internals -------------------------------------------------------------------------------

    async def _json(
        self, endpoint: Endpoint, path: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = await self._send(endpoint, endpoint.method, path, params, None, want_json=True)
        data: dict[str, Any] = response.json()
        return data

    async def _paginate(
        self, endpoint: Endpoint, path: str, params: dict[str, Any], key: str
    ) -> AsyncIterator[dict[str, Any]]:
        """Follow ``next_page_token`` with the same query until it is empty or absent."""
        query: dict[str, Any] = {**params, "page_size": PAGE_SIZE}
        seen: set[str] = set()
        while True:
            data = await self._json(endpoint, path, query)
            for item in data.get(key) or []:
                if isinstance(item, dict):
                    yield item
            token = data.get("next_page_token") or ""
            if not token:
                return
            if not isinstance(token, str):
                problem = f"unexpected response shape (the page token is a {type(token).__name__}, not text)"
                raise ZoomApiError(200, None, problem, method=endpoint.method, url=path)
            if token in seen:
                raise ZoomUnavailable(
                    f"Zoom repeated a page token on {endpoint.method} {path}; stopped paging"
                )
            seen.add(token)
            query = {**params, "page_size": PAGE_SIZE, "next_page_token": token}

    def _model(self, model: type[T], data: Any, where: str) -> T:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            method, _, url = where.partition(" ")
            raise ZoomApiError(
                200, None, f"unexpected response shape ({problems})", method=method, url=url
            ) from None

    async def _send_token_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._http.send(request, auth=None)  # the token request carries Basic auth itself
        await response.aread()
        return response

    async def _send(
        self,
        endpoint: Endpoint | None,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: Any,
        *,
        want_json: bool = False,
        host: str | None = None,
        strict: bool = True,
    ) -> httpx2.Response:
        category = endpoint.category if endpoint else OTHER_CATEGORY
        label = endpoint.label if endpoint else f"{method} (other)"
        what = f"{method} {path}"
        if strict and endpoint is not None and params and not set(params) <= set(endpoint.query):
            # The typed methods send only what the endpoint table declares (and the spec test checks).
            raise ValueError(f"{what}: query {sorted(params)} not declared for {endpoint.label}")
        host = host or self._daily.host_of(path)
        failures = 0
        limited = 0
        while True:
            self._daily.check(category, host, method, path, what, self._clock())
            slot = await self._limiter.acquire(category)
            self._stats.requests_by_category[category] += 1
            self._stats.requests_by_endpoint[label] += 1
            try:
                async with self._in_flight:
                    response = await self._http.request(
                        method, path, params=params, json=body, extensions={"trace": slot.trace}
                    )
                self._limiter.observe(category, slot)  # its round trip: the pacer's margin
                return self._accept(response, what, want_json)
            except _Transient as exc:
                reason = exc.reason
            except TokenUnavailable as exc:
                reason = str(exc)
            except httpx2.UnsupportedProtocol as exc:
                raise ZoomUnavailable(
                    f"{what}: {exc} (check ZOOM_API_BASE_URL / ZOOM_OAUTH_TOKEN_URL)"
                ) from None
            except httpx2.TransportError as exc:  # timeouts, refused or dropped connections
                reason = f"{type(exc).__name__}: {self._auth.scrub(str(exc)) or 'no detail'}"
            except httpx2.HTTPError as exc:
                raise ZoomUnavailable(f"{what}: {type(exc).__name__}: {self._auth.scrub(str(exc))}") from None
            except ConnectionError as exc:  # a dropped connection raised in-process (httpx2.ASGITransport)
                reason = f"{type(exc).__name__}: {self._auth.scrub(str(exc)) or 'no detail'}"
            except _RateLimit as hit:
                limited += 1
                self._stats.rate_limited += 1
                delay = self._on_429(hit.response, category, host, what, limited)
                log.warning(
                    "%s: per-second rate limit, waiting %.1f s (%d of %d)",
                    what,
                    delay,
                    limited,
                    self.settings.max_retries,
                )
                # Only this request waits, then queues for its category again: pausing the whole
                # category would cost every request in flight a second for one refusal.
                self._stats.retries += 1
                await self._sleep(delay)
                continue
            failures += 1
            if failures > self.settings.max_retries:
                raise ZoomUnavailable(
                    f"{what} failed {failures} times, giving up: {reason}. Zoom or the network may be down; "
                    "try again later"
                )
            delay = self._backoff(failures)
            self._stats.retries += 1
            log.warning(
                "%s: %s; retrying in %.1f s (attempt %d of %d)",
                what,
                reason,
                delay,
                failures + 1,
                self.settings.max_retries + 1,
            )
            await self._sleep(delay)

    def _accept(self, response: httpx2.Response, what: str, want_json: bool) -> httpx2.Response:
        status = response.status_code
        log.debug("%s -> HTTP %d", what, status)
        if 200 <= status < 300:
            if want_json:
                try:
                    data = response.json()
                except ValueError:
                    raise _Transient(f"HTTP {status} with a body that is not JSON") from None
                except RecursionError:  # the same answer again would be as deep: not retried
                    method, _, url = what.partition(" ")
                    raise ZoomApiError(
                        status, None, "unexpected response: JSON nested too deep", method=method, url=url
                    ) from None
                if not isinstance(data, dict):
                    raise _Transient(f"HTTP {status} with a JSON body that is not an object")
            return response
        if status == 429:
            raise _RateLimit(response)
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        raise self._error(response, what)

    def _error(self, response: httpx2.Response, what: str) -> ZoomApiError | AuthError:
        status = response.status_code
        code, message = _body(response)
        message = self._auth.scrub(message)
        method, _, url = what.partition(" ")
        if status == 401 or code == 4700:
            if code == 4700:
                return MissingScope(
                    f"the Zoom app lacks a scope {what} needs: {message} Add it on the app's Scopes page "
                    "(docs/configuration.md lists them)"
                )
            self._auth.forget()
            detail = f"HTTP 401{f' code {code}' if code is not None else ''}: {message}"
            if code == EXPIRED_TOKEN_CODE:  # the auth flow already renewed the token once and replayed
                return AuthError(
                    f"Zoom refused the access token for {what} even after a new one was fetched ({detail})"
                )
            return AuthError(f"Zoom refused the credentials for {what} ({detail})")
        if status == 404:
            return NotFound(status, code, message, method=method, url=url)
        return ZoomApiError(status, code, message, method=method, url=url)

    def _on_429(
        self,
        response: httpx2.Response,
        category: str,
        host: str | None,
        what: str,
        attempt: int,
    ) -> float:
        """Seconds to wait before the next attempt, or raise RateLimited when waiting cannot help."""
        now = self._clock()
        _, message = _body(response)
        answer = read_429(response.headers, message, now)
        if answer.kind != "per_second":
            raise self._daily.record(answer, category, host, what, message, now)
        limit_category = answer.category or category
        if attempt > self.settings.max_retries:
            raise RateLimited(
                f"{what} was still rate limited after {attempt} answers of HTTP 429; other apps may be using "
                "the account's budget (lower ZOOMAUDIT_RATE_SHARE or try later)",
                category=limit_category,
            )
        delay = (answer.resume_at - now) if answer.resume_at is not None else self._backoff(attempt)
        if delay > MAX_QPS_WAIT:
            raise RateLimited(
                f"{what}: Zoom asks to wait until {iso_utc(now + delay)}; zoomaudit does not wait that long",
                category=limit_category,
                retry_at=iso_utc(now + delay),
            )
        return max(0.0, delay)

    def _remember_host(self, meeting_id: int, host_id: str) -> None:
        self._daily.remember_host(meeting_id, host_id)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        delay: float = min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (attempt - 1))
        return delay / 2 + self._rng.uniform(0, delay / 2)


class _RateLimit(Exception):
    def __init__(self, response: httpx2.Response) -> None:
        super().__init__("HTTP 429")
        self.response = response
