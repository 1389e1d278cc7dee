"""The admin web console of ``zoomaudit serve`` (docs/console.md).

``mount_console(app, service)`` is the hook ``create_service_app`` calls: it mounts the console at
``/console`` and redirects ``/`` there. ``create_console_app`` builds the console on its own (tests).
``seed_demo_admin(settings)`` creates a throw-away admin account for ``zoomaudit demo --serve``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

MOUNT_PATH = "/console"
DEMO_ADMIN = "demo-admin@brightpath.org.uk"


def seed_demo_admin(settings: Any, email: str = DEMO_ADMIN) -> tuple[str, str]:
    """Create (or reset) an admin account with a fresh random password, for ``zoomaudit demo --serve``.

    Returns ``(email, password)`` for the demo to print; never use it on a real deployment.
    """
    import secrets
    from datetime import UTC, datetime

    from zoomaudit.service.console.accounts import add_admin, set_password
    from zoomaudit.store import Store

    password = secrets.token_urlsafe(12)
    with Store.from_settings(settings) as store:
        if store.admins.by_email(email) is None:
            add_admin(store, email, password, "admin", now=datetime.now(UTC))
        else:
            set_password(store, email, password)
    return email, password


def create_console_app(*args: Any, **kwargs: Any) -> Starlette:
    """See ``zoomaudit.service.console.app.create_console_app``."""
    from zoomaudit.service.console.app import create_console_app as create

    return create(*args, **kwargs)


def mount_console(app: Starlette, service: Any) -> None:
    """Mount the console at ``/console`` on the service app (using the store the service opens and
    its Zoom lane, so console approvals and reverts take turns with the audits)."""
    from starlette.responses import RedirectResponse
    from starlette.routing import Mount, Route

    from zoomaudit.service.console.app import create_console_app as create

    console = create(
        service.settings,
        store=lambda: service.store,
        audit=service.audit,
        lane=service.lane,
        # With several accounts, a fix goes to its own account's lane (client and turn).
        lane_for=(lambda name: service.desk(name).lane) if service.several else None,
        accounts=tuple(service.desks),
    )

    async def home(_request: Any) -> RedirectResponse:
        return RedirectResponse(MOUNT_PATH + "/", status_code=307)

    app.router.routes.append(Route("/", home, methods=["GET"]))
    app.router.routes.append(Mount(MOUNT_PATH, app=console))
    app.state.console = console.state.console
