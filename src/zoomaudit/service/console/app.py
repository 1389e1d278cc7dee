"""The web console as a Starlette app that ``zoomaudit serve`` mounts (by default at ``/console``).

``create_console_app`` builds the ``Console`` (``web.py``: sessions, CSRF, roles, forms) and its
routes (``routes.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

import zoomaudit.service.console.signin as signin
from zoomaudit.service.console.auth import default_secret_path, load_or_create_secret
from zoomaudit.service.console.network import StrictTransport
from zoomaudit.service.console.signin_oidc import OidcProvider
from zoomaudit.service.console.signin_zoom import ZoomProvider
from zoomaudit.service.console.throttle import LoginPolicy
from zoomaudit.service.console.web import Clock, Console
from zoomaudit.settings import Settings


def _utcnow() -> datetime:
    return datetime.now(UTC)


def sign_in_providers(settings: Settings) -> list[signin.Provider]:
    """The single sign-on methods the settings configure, in the order the login page offers them."""
    providers: list[signin.Provider] = []
    if settings.oidc_enabled:
        providers.append(OidcProvider(settings))
    if settings.zoom_signin_enabled:
        providers.append(ZoomProvider(settings))
    return providers


def create_console_app(
    settings: Settings,
    *,
    store: Any = None,
    runner: Any = None,
    audit: Any = None,
    actions: Any = None,
    clock: Clock | None = None,
    secret: bytes | None = None,
    secret_path: Path | None = None,
    login_policy: LoginPolicy | None = None,
    lane: Any = None,
    lane_for: Any = None,
    accounts: tuple[str, ...] | None = None,
) -> Starlette:
    """The console as an ASGI app; mount it with ``Mount("/console", app=create_console_app(...))``.

    ``store`` (a Store, or a function returning it) defaults to ``Store.from_settings(settings)``.
    "Audit now" calls ``audit(scope)`` when given (the service's tracked audit), else ``runner``
    (default ``zoomaudit.runner.run``). ``actions`` (approve, reject, waivers, audits) defaults to
    ``ConsoleActions`` over the real modules; under ``serve``, ``lane`` is the service's Zoom lane
    (``zoomaudit.service.lane``), through which approvals, reverts and lookups reach Zoom, and
    ``lane_for`` (an account's name -> its lane), with several accounts, takes each fix to its own
    account's lane; ``accounts`` are the names "Audit now" offers (the service's). The signing
    ``secret`` defaults to the file at ``secret_path`` (``default_secret_path``), created on first
    use.
    """
    import zoomaudit.service.console.routes as routes
    from zoomaudit.service.console.actions import ConsoleActions

    if store is None:
        from zoomaudit.store import Store

        store = Store.from_settings(settings)
    if secret is None:
        secret = load_or_create_secret(secret_path or default_secret_path(settings.database_url))
    the_clock = clock or _utcnow
    if actions is None:
        actions = ConsoleActions(
            settings, store, runner=runner, audit=audit, clock=the_clock, lane=lane, lane_for=lane_for
        )
    console = Console(
        settings,
        store=store,
        actions=actions,
        clock=the_clock,
        secret=secret,
        login_policy=login_policy or LoginPolicy(),
    )
    if accounts:
        console.audit_accounts = accounts
    providers = sign_in_providers(settings)
    console.sign_in_methods = [(p.name, f"Sign in with {p.title}") for p in providers]
    static = StaticFiles(packages=[("zoomaudit.service.console", "static")])
    route_list: list[BaseRoute] = [
        *routes.build(console),
        *signin.routes(console, signin.Transactions(secret), providers),
        Mount("/static", app=static, name="static"),
    ]
    app = Starlette(routes=route_list, middleware=[Middleware(StrictTransport)])
    app.state.console = console
    return app
