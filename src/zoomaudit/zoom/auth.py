"""Server-to-Server OAuth as an ``httpx2.Auth`` flow.

The flow adds ``Authorization: Bearer <token>`` to every API request, fetches a token when
there is none or when it is within 60 s of expiry (as Zoom's own SDK does, reference.md §1.1),
and on ``401`` with Zoom code 124 renews the token once and replays the request.
Concurrent requests share one renewal: the renewal runs under a lock, and a caller that finds
the token already replaced by someone else uses the new one.

authlib is deliberately not used here (it is the console's sign-in client only,
``service/console/signin*.py``). Its ``OAuth2Token`` reads ``time.time()`` directly (no injectable
clock, so no fake-clock tests) and its HTTP client is its own, not the httpx2 client, transports and
pacers this one shares; the token exchange itself is one form POST. Keeping it in httpx2 also means
there are no authlib exceptions to map.

Nothing here logs or puts in an exception the client secret or an access token.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import httpx2

from zoomaudit.errors import AuthError, ZoomUnavailable
from zoomaudit.redaction import MASK
from zoomaudit.settings import Settings
from zoomaudit.zoom.ratelimit import Clock

log = logging.getLogger("zoomaudit.zoom")

RENEW_BEFORE_EXPIRY = 60.0
"""Seconds before ``expires_in`` runs out at which a token is renewed."""

EXPIRED_TOKEN_CODE = 124
"""Zoom's code on a 401 for an invalid or expired access token (reference.md §4)."""

# OAuth error codes of the token endpoint, in plain words (reference.md §4, [ZS-OAUTH]).
_TOKEN_ERRORS: dict[int, str] = {
    4702: "the client ID or client secret is wrong",
    4704: "the client ID or client secret is wrong",
    4705: "the grant type is not supported by this app (is it a Server-to-Server OAuth app?)",
    4706: "the client credentials or the grant type are missing",
    4717: "the app is disabled",
    4735: "the account ID is wrong, or the token owner does not exist",
    4738: "an admin has disabled the app's tokens",
    4741: "the token was revoked",
}

SendToken = Callable[[httpx2.Request], Awaitable[httpx2.Response]]
"""Sends the token request without this auth flow (the client passes its own http client)."""


class TokenUnavailable(ZoomUnavailable):
    """The token endpoint failed in a way worth retrying (5xx, 429)."""


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)
    expires_at: float
    renew_at: float
    scope: str

    def __repr__(self) -> str:  # never show the token itself
        return f"AccessToken(expires_at={self.expires_at}, scope={self.scope!r})"


def _zoom_error(response: httpx2.Response) -> tuple[int | None, str]:
    """(code, message) from a Zoom error body; token errors use ``reason``/``error`` instead."""
    try:
        body: Any = response.json()
    except ValueError:
        return None, response.reason_phrase or f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return None, response.reason_phrase
    code = body.get("code")
    message = body.get("message") or body.get("reason") or body.get("error_description") or body.get("error")
    return (code if isinstance(code, int) else None), str(message or response.reason_phrase)


class ZoomAuth(httpx2.Auth):
    """Bearer token from Zoom's ``account_credentials`` grant, cached and renewed."""

    def __init__(self, settings: Settings, send: SendToken, *, clock: Clock = time.time) -> None:
        self._account_id = settings.zoom_account_id
        self._client_id = settings.zoom_client_id
        self._secret = settings.zoom_client_secret
        self._token_url = settings.zoom_oauth_token_url
        self._send = send
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()
        self._early: asyncio.Future[AccessToken] | None = None
        self._token_sent = asyncio.Event()
        self.fetches = 0

    # -- the httpx2.Auth flow --------------------------------------------------------------------

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        raise RuntimeError("ZoomAuth works with httpx2.AsyncClient only")

    async def async_auth_flow(
        self, request: httpx2.Request
    ) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        token = await self.token()
        request.headers["Authorization"] = f"Bearer {token.value}"
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()  # overriding async_auth_flow means reading the body ourselves
        if _zoom_error(response)[0] == EXPIRED_TOKEN_CODE:
            log.info("access token refused (code 124); fetching a new one and replaying the request")
            token = await self.renew(stale=token)
            request.headers["Authorization"] = f"Bearer {token.value}"
            yield request

    # -- token management -----------------------------------------------------------------------

    def fetch_early(self) -> None:
        """Start fetching the first token now, in the background, so that it is under way while
        the process does its other start-up work; the first ``token`` call takes its outcome
        (the token, or the very error it would have met fetching it itself)."""
        if self._early is None and self._token is None:
            self._early = asyncio.ensure_future(self.renew(stale=None))
            # Retrieved here too, so an outcome nobody takes is not reported as lost at exit.
            self._early.add_done_callback(lambda task: task.cancelled() or task.exception())

    async def early_request_sent(self) -> None:
        """Return once the early token request is on the wire, or its fetch has ended (or there
        is none): what comes next may then hold the event loop without delaying it."""
        early = self._early
        if early is None:
            return
        sent = asyncio.ensure_future(self._token_sent.wait())
        await asyncio.wait((sent, early), return_when=asyncio.FIRST_COMPLETED)
        sent.cancel()

    async def _trace_token_request(self, event: str, info: object) -> None:
        if event.endswith("send_request_body.complete"):
            self._token_sent.set()

    def cancel_early(self) -> None:
        if self._early is not None:
            self._early.cancel()
            self._early = None

    async def token(self) -> AccessToken:
        """The cached token, or a new one if there is none or it is within 60 s of expiry."""
        early, self._early = self._early, None
        if early is not None:
            return await early
        current = self._token
        if current is not None and self._clock() < current.renew_at:
            return current
        return await self.renew(stale=current)

    async def renew(self, stale: AccessToken | None) -> AccessToken:
        """Fetch a new token unless another caller already replaced ``stale``."""
        async with self._lock:
            current = self._token
            if current is not None and current is not stale and self._clock() < current.renew_at:
                return current
            self._token = await self._fetch()
            return self._token

    def forget(self) -> None:
        self._token = None

    def scrub(self, text: str) -> str:
        """``text`` with the client secret and the current access token blanked out."""
        for secret in (self._secret.get_secret_value(), self._token.value if self._token else ""):
            if len(secret) >= 6:  # shorter "secrets" are test values; blanking them would garble text
                text = text.replace(secret, MASK)
        return text

    def _basic(self) -> str:
        pair = f"{self._client_id}:{self._secret.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    async def _fetch(self) -> AccessToken:
        request = httpx2.Request(
            "POST",
            self._token_url,
            data={"grant_type": "account_credentials", "account_id": self._account_id},
            headers={
                "Authorization": self._basic(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            extensions={"trace": self._trace_token_request},
        )
        self.fetches += 1
        log.debug("requesting an access token from %s", self._token_url)
        response = await self._send(request)
        status = response.status_code
        if status >= 500 or status == 429:
            raise TokenUnavailable(f"the Zoom token endpoint {self._token_url} answered HTTP {status}")
        if status >= 400:
            code, message = _zoom_error(response)
            plain = _TOKEN_ERRORS.get(code or 0) or (
                "the account ID, client ID or client secret is wrong"
                if status in (400, 401)
                else "the token was refused"
            )
            detail = f"HTTP {status}" + (f" code {code}" if code else "") + f": {message}"
            raise AuthError(
                self.scrub(
                    f"Zoom refused the credentials: {plain} ({detail}). Check ZOOM_ACCOUNT_ID, "
                    "ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET against the app's page in the Zoom App "
                    "Marketplace and that the app is activated."
                )
            )
        try:
            body: Any = response.json()
            value = body["access_token"]
            expires_in = float(body.get("expires_in", 3600))
            scope = str(body.get("scope", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AuthError(
                f"the Zoom token endpoint {self._token_url} answered HTTP {status} without an access token"
            ) from None
        if not isinstance(value, str) or not value:
            raise AuthError(f"the Zoom token endpoint {self._token_url} answered with an empty access token")
        # A token shorter-lived than twice the margin is renewed halfway through its life instead.
        now = self._clock()
        margin = min(RENEW_BEFORE_EXPIRY, expires_in / 2)
        log.info("obtained an access token valid for %.0f s", expires_in)
        return AccessToken(
            value=value, expires_at=now + expires_in, renew_at=now + expires_in - margin, scope=scope
        )
