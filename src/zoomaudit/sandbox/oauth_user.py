"""The sandbox as Zoom's authorization server for a user-managed OAuth app ("Sign in with Zoom").

Zoom's documented flow (developers.zoom.us/docs/integrations/oauth/): the browser goes to
``GET /oauth/authorize?response_type=code&client_id&redirect_uri&state&code_challenge
&code_challenge_method=S256``; the user signs in and allows the app; Zoom redirects to
``redirect_uri?code=...&state=...``; the app sends ``POST /oauth/token`` with
``grant_type=authorization_code``, the code, the same ``redirect_uri`` and the PKCE
``code_verifier``, authenticated by HTTP Basic with its client id and secret; the access token
then reads ``GET /v2/users/me``.

Here "signing in" is choosing one of the account's users on a small page (or naming one with
``login_hint``, which answers at once: deterministic for tests). A code lives ``CODE_LIFETIME``
and is good once; it is bound to the app, the redirect URI and the PKCE challenge.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from zoomaudit.sandbox.http import Reply
from zoomaudit.sandbox.state import SandboxState, SandboxUser

CODE_LIFETIME = 300.0
"""Seconds a code stays good (Zoom's own codes are short-lived too)."""
SIGN_IN_SCOPES = ("user:read:user", "user:read")
"""What a user token may read: the granular scope of ``GET /users/me`` and its classic name."""


@dataclass
class Grant:
    user_id: str
    client_id: str
    redirect_uri: str
    challenge: str
    expires_at: float


@dataclass
class UserOAuth:
    """The one user-managed app the sandbox knows, and its outstanding codes."""

    client_id: str
    client_secret: str
    codes: dict[str, Grant] = field(default_factory=dict)

    @classmethod
    def for_state(cls, state: SandboxState) -> UserOAuth:
        """The app of a sandbox account: its credentials derived from the S2S app's, so a
        sandbox built twice from one seed has the same ones."""
        digest = hashlib.sha256(b"sign-in app\0" + state.client_secret.encode()).hexdigest()
        return cls(client_id="sbxSignIn" + digest[:12], client_secret=digest[12:44])


def authorize_problem(oauth: UserOAuth, params: dict[str, str]) -> str | None:
    """Why an authorization request cannot go on, or None."""
    if params.get("response_type") != "code":
        return "Unsupported response type: only response_type=code."
    if not secrets.compare_digest(params.get("client_id", ""), oauth.client_id):
        return "Invalid client_id."
    if not params.get("redirect_uri", "").startswith(("http://", "https://")):
        return "Invalid redirect: the redirect_uri is missing."
    if params.get("code_challenge_method", "S256") != "S256" or not params.get("code_challenge"):
        return "This sandbox needs PKCE with code_challenge_method=S256."
    return None


def grant_redirect(oauth: UserOAuth, params: dict[str, str], user: SandboxUser) -> str:
    """Issue a code for ``user`` and give the address the browser is sent back to."""
    now = time.time()
    oauth.codes = {c: g for c, g in oauth.codes.items() if g.expires_at > now}
    code = secrets.token_urlsafe(24)
    oauth.codes[code] = Grant(
        user.id, params["client_id"], params["redirect_uri"], params["code_challenge"], now + CODE_LIFETIME
    )
    back = {"code": code}
    if params.get("state"):
        back["state"] = params["state"]
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return params["redirect_uri"] + separator + urlencode(back)


def consent_page(state: SandboxState, params: dict[str, str]) -> str:
    """The sandbox's "sign in to Zoom and allow the app" page: one button per active user."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
    )
    buttons = "".join(
        f'<li><button name="login_hint" value="{html.escape(u.email)}">'
        f"{html.escape(u.display_name)} ({html.escape(u.email)})</button></li>"
        for u in sorted(state.users.values(), key=lambda u: u.email)
        if u.status == "active"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Zoom sandbox: sign in</title>"
        "</head><body><h1>Zoom sandbox</h1><p>Sign in as one of the account's users and allow the "
        f'app to read your profile.</p><form method="get" action="authorize">{hidden}<ul>{buttons}'
        "</ul></form></body></html>"
    )


def _challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _error(error: str, reason: str) -> Reply:
    return Reply(400, {"reason": reason, "error": error})


def redeem(oauth: UserOAuth, params: dict[str, str], creds: tuple[str, str] | None) -> Grant | Reply:
    """The grant behind an ``authorization_code`` token request, or Zoom's error answer.

    The code is spent by the first attempt, good or bad: a code is good once.
    """
    if creds is None:
        return _error("invalid_client", "Client ID or client secret is missing.")
    if not (
        secrets.compare_digest(creds[0], oauth.client_id)
        and secrets.compare_digest(creds[1], oauth.client_secret)
    ):
        return _error("invalid_client", "Invalid client_id or client_secret")
    grant = oauth.codes.pop(params.get("code", ""), None)
    if grant is None or grant.expires_at <= time.time():
        return _error("invalid_grant", "Invalid authorization code.")
    if grant.client_id != creds[0] or grant.redirect_uri != params.get("redirect_uri"):
        return _error("invalid_grant", "Redirect URI mismatch.")
    verifier = params.get("code_verifier", "")
    if not verifier or not secrets.compare_digest(_challenge_of(verifier), grant.challenge):
        return _error("invalid_grant", "Invalid code verifier.")
    return grant
