"""A small OpenID Connect provider for the sign-in tests, served by uvicorn on loopback in a thread.

It does what Entra ID or Google do for an authorization code flow with PKCE: discovery, JWKS,
``/authorize`` (a page with one "Continue" link, a GET navigation as a real provider's consent is),
and ``/token`` (client authenticated by HTTP Basic, the code good once, the redirect URI and the PKCE
verifier checked), issuing RS256 ID tokens signed with its key. Tests choose who signs in
(``user``) and how the next answer misbehaves (``misbehave``), and read what it was sent
(``authorize_requests``, ``token_requests``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

CLIENT_ID = "zoomaudit-console"
CLIENT_SECRET = "provider-side secret of the console"


@dataclass
class Provider:
    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "u-1", "email": "alice@example.org"})
    """The claims of whoever signs in next (besides iss, aud, exp, iat, nonce)."""
    misbehave: dict[str, Any] = field(default_factory=dict)
    """For the next ID tokens: ``aud``, ``iss``, ``exp_in`` or ``nonce`` to send instead, or
    ``sign_with`` another key; ``state`` to send back instead of the one received."""
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issued_codes: list[str] = field(default_factory=list)

    # --- endpoints -------------------------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**params, "user": dict(self.user)}
        self.issued_codes.append(code)
        back = {"code": code, "state": self.misbehave.get("state", params.get("state", ""))}
        target = params["redirect_uri"] + "?" + urlencode(back)
        link = html.escape(target)
        return HTMLResponse(
            f"<!doctype html><title>Test provider</title><h1>Test provider</h1>"
            f'<p><a id="continue" href="{link}">Continue as {html.escape(self.user.get("email", ""))}</a></p>'
        )

    async def token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self.codes.pop(form.get("code", ""), None)  # good once
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant", "error_description": "unknown or used code"}, 400)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
            .decode()
            .rstrip("=")
        )
        if grant.get("code_challenge_method") != "S256" or challenge != grant.get("code_challenge"):
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verifier"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.misbehave.get("iss", self.issuer),
            "aud": self.misbehave.get("aud", CLIENT_ID),
            "iat": now,
            "exp": now + self.misbehave.get("exp_in", 300),
            "nonce": self.misbehave.get("nonce", grant.get("nonce")),
            **grant["user"],
        }
        key = self.misbehave.get("sign_with", self.key)
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
            headers={"Cache-Control": "no-store"},
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


@contextmanager
def serve(app: Any, host: str = "127.0.0.1", lifespan: str = "off") -> Iterator[int]:
    """Serve an ASGI app with uvicorn on a free loopback port in a thread; yields the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@contextmanager
def start_provider() -> Iterator[Provider]:
    provider = Provider()
    with serve(provider.app()) as port:
        provider.issuer = f"http://127.0.0.1:{port}"
        yield provider


def provider_env(provider: Provider, **extra: str) -> dict[str, str]:
    return {
        "ZOOMAUDIT_OIDC_ISSUER": provider.issuer,
        "ZOOMAUDIT_OIDC_CLIENT_ID": CLIENT_ID,
        "ZOOMAUDIT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "ZOOMAUDIT_OIDC_LABEL": "Example Org",
        **extra,
    }
