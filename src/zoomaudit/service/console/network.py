"""What the console believes about the network: the client's address behind trusted reverse
proxies, and Strict-Transport-Security for requests that came over HTTPS.

``X-Forwarded-For`` is read only when the connection comes from a proxy listed in
``ZOOMAUDIT_TRUSTED_PROXIES``; anyone else could write any address there and escape the sign-in
delays. The header is read from the right (each proxy appends the address it saw), skipping the
trusted proxies: the first other address is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zoomaudit.settings import IPNetwork

HSTS = "max-age=31536000"
"""One year; no ``includeSubDomains``: the console does not speak for the rest of the domain."""


def _trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """The client's address: ``peer`` itself unless it is a trusted proxy that says whom it serves."""
    if peer is None:
        return "unknown"
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


class StrictTransport:
    """ASGI middleware: ``Strict-Transport-Security`` on every answer to a request made over HTTPS
    (the scheme uvicorn sets from ``X-Forwarded-Proto`` only for trusted proxies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_hsts)
