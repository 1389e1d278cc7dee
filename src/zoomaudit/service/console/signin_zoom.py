"""Sign in with Zoom: a user-managed Zoom OAuth app, and the user's role read from ``GET /users/me``.

Zoom is no OpenID provider: authlib runs the authorization code flow with PKCE (S256) against
``https://zoom.us/oauth/authorize`` and ``/oauth/token`` (client authentication by HTTP Basic, as
Zoom asks), then the console reads the user with the access token and forgets the token.
A Zoom login proves only that someone has one: the user must belong to the audited account
(``ZOOM_ACCOUNT_ID``), be active, and hold a role listed in ``ZOOMAUDIT_ZOOM_SIGNIN_ADMINS`` or
``ZOOMAUDIT_ZOOM_SIGNIN_VIEWERS`` (``role_of``, pure).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request
from starlette.responses import Response

from zoomaudit.service.console.accounts import Role
from zoomaudit.service.console.signin import Verdict
from zoomaudit.settings import Settings, split_list

OWNER_ROLE_ID = "0"
"""Zoom's role id of the account owner (``role_name`` "Owner")."""


def role_of(
    user: Mapping[str, Any], account_id: str, admins: Iterable[str], viewers: Iterable[str]
) -> Role | None:
    """The console role of the Zoom user ``user`` (the body of ``GET /users/me``), or None."""
    if str(user.get("account_id", "")) != account_id or user.get("status", "active") != "active":
        return None
    names = {str(user.get("role_name", "")).casefold()}
    if str(user.get("role_id", "")) == OWNER_ROLE_ID:
        names.add("owner")
    if names & {name.casefold() for name in admins}:
        return "admin"
    if names & {name.casefold() for name in viewers}:
        return "viewer"
    return None


class ZoomProvider:
    """Zoom as a console sign-in method."""

    name = "zoom"
    title = "Zoom"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        oauth = OAuth()
        self.client: Any = oauth.register(
            name=self.name,
            client_id=settings.zoom_signin_client_id,
            client_secret=settings.zoom_signin_client_secret.get_secret_value(),
            authorize_url=settings.zoom_authorize_url,
            access_token_url=settings.zoom_oauth_token_url,
            api_base_url=settings.zoom_api_base_url + "/",
            client_kwargs={
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": settings.http_timeout,
            },
        )

    async def redirect(self, request: Request, redirect_uri: str) -> Response:
        response: Response = await self.client.authorize_redirect(request, redirect_uri)
        return response

    async def judge(self, request: Request) -> Verdict:
        token = await self.client.authorize_access_token(request)
        answer = await self.client.get("users/me", token=token)
        answer.raise_for_status()
        user = answer.json()
        email = str(user.get("email") or "").strip().casefold()
        if not email:
            raise OAuthError(description="Zoom did not say who you are")
        identity = "zoom:" + email
        role = role_of(
            user,
            self.settings.zoom_account_id,
            split_list(self.settings.zoom_signin_admins),
            split_list(self.settings.zoom_signin_viewers),
        )
        reason = ""
        if role is None:
            if str(user.get("account_id", "")) != self.settings.zoom_account_id:
                reason = f"{email} belongs to another Zoom account than the one this console audits."
            else:
                held = user.get("role_name") or "no role"
                reason = (
                    f"{email} is a Zoom {held} of the account, and this console admits only "
                    + _who(self.settings)
                    + "."
                )
        return Verdict(identity, role, reason)


def _who(settings: Settings) -> str:
    roles = [*split_list(settings.zoom_signin_admins), *split_list(settings.zoom_signin_viewers)]
    return "holders of the roles " + ", ".join(roles) if roles else "nobody through Zoom"
