"""The ASGI app of ``zoomaudit serve``: scheduler, webhook endpoint, ``/healthz`` and the console.

Extension point for the web console: ``create_service_app(..., console=hook)`` where ``hook`` is
``Callable[[Starlette, Service], None]``, called once while the app is built, after zoomaudit's
own routes are in place, so a ``Mount("/")`` it appends never shadows ``/healthz`` or
``/webhooks/zoom``. With ``console=True`` (the default) the hook is
``zoomaudit.service.console.mount_console`` if that function exists. The hook finds the running
service at ``app.state.service`` (settings, store, ``submit_audit`` for "Audit now").
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zoomaudit.service import scheduler as sched
from zoomaudit.service import wiring
from zoomaudit.service.context import (
    ApplyDeferred,
    Clock,
    GroupMembers,
    Runner,
    Service,
    WithdrawFixes,
    set_current,
)
from zoomaudit.service.lane import ClientFactory
from zoomaudit.service.webhook_endpoint import zoom_webhook
from zoomaudit.settings import Settings

log = logging.getLogger(__name__)

ConsoleHook = Callable[[Starlette, Service], None]

DEFAULT_DEBOUNCE_SECONDS = 5.0
DEFAULT_SHUTDOWN_GRACE_SECONDS = 30.0


def _console_hook(console: ConsoleHook | bool) -> ConsoleHook | None:
    if console is False:
        return None
    if console is not True:
        return console
    try:
        module = importlib.import_module("zoomaudit.service.console")
    except ImportError:
        return None
    hook = getattr(module, "mount_console", None)
    return hook if callable(hook) else None


async def healthz(request: Request) -> Response:
    """Liveness: the scheduler runs (unless disabled) and the work queue accepts work."""
    service: Service = request.app.state.service
    scheduler_on = request.app.state.start_scheduler
    running = service.scheduler is not None and service.scheduler.running
    upcoming = sched.next_nightly(service.scheduler)
    ok = service.accepting and (running or not scheduler_on)
    body: dict[str, Any] = {
        "ok": ok,
        "scheduler": "running" if running else ("off" if not scheduler_on else "stopped"),
        "next_nightly_run": upcoming.isoformat() if upcoming else None,
        "webhooks": "on" if service.webhooks_on else "off",
        "pending_work": service.dispatcher.pending,
        "audits_running": service.running_count,
        "audits_waiting": len(service.audits) - service.running_count,
    }
    return JSONResponse(body, status_code=200 if ok else 503)


async def _open_queue(settings: Settings, service: Service) -> Any:
    """Open the work queue on the database (its schema applied if missing) for queue mode."""
    import asyncio

    from zoomaudit.queue.app import make_app, prepare_queue
    from zoomaudit.queue.enqueue import JobQueue
    from zoomaudit.store.queue_db import zoom_turn

    queue_app = make_app(settings.database_url)
    await asyncio.to_thread(prepare_queue, settings.database_url)
    await queue_app.open_async()
    service.queue = JobQueue(queue_app)
    # Console approvals and reverts still run here: they wait for the account's turn at Zoom
    # across processes, as the workers' jobs do.
    for desk in service.desks.values():
        desk.lane.shared_turn = _turn_of(settings.database_url, desk.name, zoom_turn)
    return queue_app


def _turn_of(database_url: str, account: str, zoom_turn: Callable[[str, str], Any]) -> Callable[[], Any]:
    return lambda: zoom_turn(database_url, account)


def create_service_app(
    settings: Settings,
    *,
    runner: Runner | None = None,
    store: Any = None,
    start_scheduler: bool = True,
    clock: Clock | None = None,
    withdraw_fixes: WithdrawFixes | None = None,
    apply_deferred: ApplyDeferred | None = None,
    group_members: GroupMembers | None = None,
    console: ConsoleHook | bool = True,
    debounce: float = DEFAULT_DEBOUNCE_SECONDS,
    shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE_SECONDS,
    webhooks_expected: bool = True,
    make_client: ClientFactory | None = None,
    notifications: bool = True,
    queue_mode: bool = False,
    accounts: Mapping[str, Settings] | None = None,
) -> Starlette:
    """Build the service app. Collaborators not passed are wired to the real ones at start-up.

    ``store=None`` opens ``Store.from_settings`` at start-up (closed at shutdown); ``clock`` gives
    epoch seconds for webhook timestamps; ``debounce`` is the webhook re-audit window in seconds;
    ``shutdown_grace`` is how long a running audit may take to finish at shutdown.
    ``webhooks_expected=False`` (the demo's console) logs a missing webhook secret at DEBUG, not
    as a warning. ``make_client`` makes the one Zoom client of the service's lane (lane.py), made
    on first use and closed at shutdown; None for ``ZoomClient(settings)``. ``notifications=False``
    sends nothing even when channels are configured (the demo's console). ``queue_mode``
    (``serve --role web``) puts webhook and console audits on the work queue (PostgreSQL) for
    ``zoomaudit worker`` processes instead of running them here. ``accounts`` (the accounts file,
    each account's Settings by name) gives each account its own lane, schedule, notifications and
    webhook secret; None is the one account ``default`` of ``settings``.
    """
    service = Service(
        settings=settings,
        runner=runner or wiring.real_runner(),
        store=store,
        withdraw_fixes=withdraw_fixes,
        apply_deferred=apply_deferred,
        group_members=group_members,
        clock=clock or time.time,
        debounce=debounce,
        shutdown_grace=shutdown_grace,
        make_client=make_client,
        accounts=accounts,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own_store = service.store is None
        if own_store:
            service.store = wiring.open_store(settings)
        if service.withdraw_fixes is None:
            service.withdraw_fixes = wiring.withdraw_fixes(service.store)
        if service.apply_deferred is None:
            service.apply_deferred = wiring.apply_deferred(service.store)
        if service.group_members is None:
            service.group_members = wiring.group_members
        if notifications:
            for desk in service.desks.values():
                if desk.alerts.notifier is None:
                    desk.alerts.notifier = wiring.notifier(desk.settings, service.store)
        set_current(service)
        queue_app = await _open_queue(settings, service) if queue_mode else None
        service.dispatcher.start()
        service.accepting = True
        try:
            if start_scheduler:
                service.scheduler = sched.start_scheduler(settings, accounts)
                sched.log_next_runs(service.scheduler, accounts)
                service.replan_checks(starting=True)
            missing = settings.missing_credentials() if accounts is None else []
            if missing:
                log.warning(
                    "Zoom credentials not set (%s): audits will fail until they are", ", ".join(missing)
                )
            if service.webhooks_on:
                log.info("webhook endpoint on at POST /webhooks/zoom")
                off = [desk.name for desk in service.desks.values() if not desk.webhook_secret]
                if accounts is not None and off:
                    log.warning("webhooks of %s are refused: no webhook secret token", ", ".join(off))
            else:
                log.log(
                    logging.WARNING if webhooks_expected else logging.DEBUG,
                    "webhook endpoint off: ZOOM_WEBHOOK_SECRET_TOKEN is not set",
                )
            yield
        finally:
            # Stop taking work, stop firing jobs, then let the running Zoom job finish or cancel
            # it, and close the lane's one Zoom client.
            service.accepting = False
            await service.dispatcher.close()
            if service.scheduler is not None:
                await sched.stop_scheduler(service.scheduler)
            await service.drain()
            await service.close_lanes()
            if queue_app is not None:
                service.queue = None
                await queue_app.close_async()
            set_current(None)
            if own_store and service.store is not None:
                service.store.close()
                service.store = None

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/webhooks/zoom", zoom_webhook, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.start_scheduler = start_scheduler
    hook = _console_hook(console)
    if hook is not None:
        hook(app, service)
    return app
