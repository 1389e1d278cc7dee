"""Sign in with any OpenID Connect provider (Microsoft Entra ID, Google, Okta...), through authlib.

authlib reads the provider's discovery document, sends the browser there with the authorization
code flow, PKCE (S256), a ``state`` and a ``nonce``, exchanges the code and checks the ID token:
its signature against the provider's JWKS, and its ``iss`` (the configured issuer), ``aud`` (our
client id), ``exp``, ``iat``, ``nonce`` and ``at_hash``. Who may enter, and as what, is
``ZOOMAUDIT_OIDC_ADMINS`` / ``ZOOMAUDIT_OIDC_VIEWERS`` (``role_of``, pure).
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

SCOPES = "openid email profile"


def _matches(entry: str, email: str | None, groups: frozenset[str]) -> bool:
    """One entry of an admins/viewers list against a user: an e-mail address, ``*@domain`` (that
    domain exactly, not its subdomains), or else a value of the groups claim."""
    if entry in groups:
        return True
    if email is None or "@" not in entry:
        return False
    wanted = entry.casefold()
    if wanted.startswith("*@"):
        return email.rpartition("@")[2] == wanted[2:]
    return email == wanted


def role_of(
    email: str | None, groups: Iterable[str], admins: Iterable[str], viewers: Iterable[str]
) -> Role | None:
    """The console role of a user the provider vouched for, or None: an admin entry wins over a
    viewer entry. ``email`` is None when the provider did not give a verified one."""
    address = email.casefold() if email else None
    held = frozenset(groups)
    if any(_matches(entry, address, held) for entry in admins):
        return "admin"
    if any(_matches(entry, address, held) for entry in viewers):
        return "viewer"
    return None


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The ID token's e-mail, unless the provider says it is not verified (``email_verified``
    false: anyone may type an unverified address into some providers' profiles). Providers that
    send no ``email_verified`` (Entra ID) vouch for the address they send."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        return None
    if claims.get("email_verified") in (False, "false"):
        return None
    return email.strip()


def groups_of(claims: Mapping[str, Any], claim: str) -> list[str]:
    if not claim:
        return []
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


class OidcProvider:
    """The organisation's identity provider as a console sign-in method."""

    name = "oidc"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.title = settings.oidc_label
        oauth = OAuth()
        self.client: Any = oauth.register(
            name=self.name,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            server_metadata_url=settings.oidc_issuer + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "timeout": settings.http_timeout,
            },
        )

    async def redirect(self, request: Request, redirect_uri: str) -> Response:
        await self._check_issuer()
        response: Response = await self.client.authorize_redirect(request, redirect_uri)
        return response

    async def _check_issuer(self) -> None:
        """The discovery document must name the configured issuer (OpenID Connect Discovery §4.3):
        authlib checks the ID token's ``iss`` against the document's."""
        metadata = await self.client.load_server_metadata()
        if str(metadata.get("issuer", "")).rstrip("/") != self.settings.oidc_issuer:
            raise OAuthError(description="the provider's discovery document names another issuer")

    async def judge(self, request: Request) -> Verdict:
        await self._check_issuer()
        token = await self.client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims:
            raise OAuthError(description="the provider sent no ID token")
        email = verified_email(claims)
        identity = "oidc:" + (email.casefold() if email else str(claims["sub"]))
        role = role_of(
            email,
            groups_of(claims, self.settings.oidc_groups_claim),
            split_list(self.settings.oidc_admins),
            split_list(self.settings.oidc_viewers),
        )
        reason = ""
        if role is None:
            who = email or "your account"
            reason = (
                f"{who} is not allowed into this console. Ask the safeguarding lead to add you to "
                "ZOOMAUDIT_OIDC_ADMINS or ZOOMAUDIT_OIDC_VIEWERS."
            )
        return Verdict(identity, role, reason)
