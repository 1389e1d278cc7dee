"""`zoomaudit sandbox`: run the local Zoom in the foreground."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from zoomaudit.errors import UsageError

if TYPE_CHECKING:
    from zoomaudit.sandbox.app import SandboxApp


def sandbox(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (keep it on loopback)."),
    port: int = typer.Option(8765, min=0, max=65535, help="Port to listen on."),
    users: int | None = typer.Option(None, min=1, help="Serve a synthetic account with this many users."),
    meetings: int = typer.Option(0, min=0, help="Meetings of the synthetic account (default 10 per user)."),
    groups: int = typer.Option(0, min=0, help="Groups of the synthetic account (default: by size)."),
    seed: int = typer.Option(1, help="Seed of the synthetic account and of injected faults."),
    plan: str = typer.Option("business", help="Rate-limit plan: pro, business or enterprise."),
    latency_ms: float = typer.Option(0.0, min=0.0, help="Added latency per API request (ms)."),
    latency_jitter_ms: float = typer.Option(
        0.0, min=0.0, help="The added latency varies uniformly within +- this many ms."
    ),
    rate_window: str = typer.Option(
        "sliding",
        help="How per-second limits count: sliding (no one-second span over the limit) or fixed "
        "(each clock second afresh).",
    ),
    fault_rate: float = typer.Option(0.0, min=0.0, max=1.0, help="Fraction of API requests answered 5xx."),
    token_ttl: int = typer.Option(3600, min=1, help="Access-token lifetime in seconds."),
    no_rate_limits: bool = typer.Option(False, "--no-rate-limits", help="Switch Zoom's rate limits off."),
) -> None:
    """Run the Zoom sandbox (the demo organisation, or a synthetic account with --users)."""
    from zoomaudit.sandbox.app import create_app
    from zoomaudit.sandbox.options import SandboxOptions

    if plan not in ("pro", "business", "enterprise"):
        raise UsageError(f"unknown plan {plan!r}: use pro, business or enterprise")
    if rate_window not in ("sliding", "fixed"):
        raise UsageError(f"unknown rate window {rate_window!r}: use sliding or fixed")
    if users is None and meetings:
        raise UsageError("--meetings needs --users (without --users the demo organisation is served)")
    if users is None:
        from zoomaudit.sandbox.demo import demo_state

        state = demo_state()
        what = "the demo organisation (Brightpath Youth & Wellbeing)"
    else:
        from zoomaudit.sandbox.synthetic import synthetic_state

        state = synthetic_state(
            users=users, meetings=meetings or users * 10, seed=seed, groups=groups or None
        )
        scheduled = sum(1 for m in state.meetings.values() if m["type"] != 4)
        what = f"a synthetic account: {users} users, {scheduled} meetings, seed {seed}"
    state.plan = plan
    options = SandboxOptions(
        plan=plan,  # type: ignore[arg-type]
        seed=seed,
        latency_ms=latency_ms,
        latency_jitter_ms=latency_jitter_ms,
        rate_window=rate_window,  # type: ignore[arg-type]
        error_rate=fault_rate,
        token_ttl=token_ttl,
        rate_limits=not no_rate_limits,
    )
    sock = _listen(host, port)
    root = f"http://{host}:{sock.getsockname()[1]}"  # the real port, also with --port 0
    env = {
        "ZOOM_API_BASE_URL": f"{root}/v2",
        "ZOOM_OAUTH_TOKEN_URL": f"{root}/oauth/token",
        "ZOOM_ACCOUNT_ID": state.account_id,
        "ZOOM_CLIENT_ID": state.client_id,
        # A fixed, fake credential of a local simulator: printing it is how it is handed over.
        "ZOOM_CLIENT_SECRET": state.client_secret,
    }

    def announce() -> None:
        typer.echo(f"Zoom sandbox serving {what} on {root}")
        typer.echo("Point zoomaudit at it with:\n")
        for key, value in env.items():
            typer.echo(f"export {key}={value}")
        typer.echo("\nPress Ctrl+C to stop.")

    try:
        serve_on(create_app(state, options), sock, announce)
    finally:
        sock.close()


def _listen(host: str, port: int) -> socket.socket:
    """Bind and listen before anything is printed: a busy port is a usage error naming it."""
    from zoomaudit.sandbox.server import bind_listener

    try:
        return bind_listener(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use: stop what listens there, "
                "or choose another port with --port"
            ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_on(app: SandboxApp, sock: socket.socket, announce: Callable[[], None]) -> None:
    """Serve the sandbox on a bound socket until interrupted; ``announce`` runs once uvicorn
    has started, so the variables are printed only when they can be used."""
    import gc

    import uvicorn

    from zoomaudit.sandbox.server import _uvicorn_config  # the sandbox's drop-close wrapper

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started and not self.should_exit:
                announce()

    # The account's state, built once, is most of the heap: frozen, it is left out of the
    # collector's full passes, which otherwise pause the server for tens of milliseconds and
    # bunch the requests that arrive meanwhile into one per-second window.
    gc.collect()
    gc.freeze()
    AnnouncingServer(_uvicorn_config(app, "info")).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("sandbox")(sandbox)
