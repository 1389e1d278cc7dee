"""The Notifications page: the delivery log (zoomaudit.notify), newest first, and which channels
are configured, masked. Read-only, so viewers see it too; a channel's URL is never shown."""

from __future__ import annotations

from starlette.responses import Response

from zoomaudit.notify.model import KINDS
from zoomaudit.service.console.web import Ctx

SHOWN = 200


def page(ctx: Ctx) -> Response:
    kind = ctx.request.query_params.get("kind") or None
    if kind not in (None, *KINDS):
        kind = None
    channels, mailer = configured(ctx)
    return ctx.render(
        "notifications.html",
        nav="notifications",
        deliveries=ctx.console.store.notifications.recent(SHOWN, kind=kind, accounts=ctx.accounts),
        kind=kind,
        kinds=KINDS,
        channels=channels,
        mailer=mailer,
        shown=SHOWN,
    )


def configured(ctx: Ctx) -> tuple[list[str], str | None]:
    """The lead's channels and the hosts' SMTP channel, masked (``serve`` refused malformed URLs
    at start-up, so reading them again cannot fail here; if it does, nothing is listed)."""
    from zoomaudit.errors import ConfigError
    from zoomaudit.notify.channels import host_mailer, lead_channels

    settings = ctx.console.settings
    try:
        channels = [c.masked for c in lead_channels(settings)]
        mailer = host_mailer(settings) if settings.notify_hosts else None
    except ConfigError:
        return [], None
    return channels, mailer.masked if mailer is not None else None
