"""`zoomaudit sandbox`: run the local Zoom in the foreground."""

from __future__ import annotations

import errno
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zoomaudit.errors import UsageError

if TYPE_CHECKING:
    from zoomaudit.sandbox.app import SandboxApp
    from zoomaudit.sandbox.state import SandboxState

DEFAULT_USERS_PER_ACCOUNT = 20


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
    accounts: int | None = typer.Option(
        None,
        min=1,
        max=99,
        help="Serve this many synthetic accounts (acct01, acct02, ...), each with its own credentials, "
        f"data and rate budget, and --users (default {DEFAULT_USERS_PER_ACCOUNT}) and --meetings each.",
    ),
    accounts_file: Annotated[
        Path | None,
        typer.Option(
            help="With --accounts: also write every account's name and ZOOM_* variables to this JSON "
            "file (mode 0600)."
        ),
    ] = None,
) -> None:
    """Run the Zoom sandbox (the demo organisation, a synthetic account with --users, or several
    synthetic accounts with --accounts)."""
    from zoomaudit.sandbox.app import create_app
    from zoomaudit.sandbox.options import SandboxOptions

    if plan not in ("pro", "business", "enterprise"):
        raise UsageError(f"unknown plan {plan!r}: use pro, business or enterprise")
    if rate_window not in ("sliding", "fixed"):
        raise UsageError(f"unknown rate window {rate_window!r}: use sliding or fixed")
    if accounts_file is not None and accounts is None:
        raise UsageError("--accounts-file needs --accounts (it lists the accounts --accounts serves)")
    if users is None and meetings and accounts is None:
        raise UsageError("--meetings needs --users (without --users the demo organisation is served)")
    served: list[SandboxState]
    if accounts is not None:
        from zoomaudit.sandbox.synthetic import synthetic_accounts

        per_account = users or DEFAULT_USERS_PER_ACCOUNT
        served = synthetic_accounts(
            accounts,
            users=per_account,
            meetings=meetings or per_account * 10,
            seed=seed,
            groups=groups or None,
        )
        scheduled = sum(1 for m in served[0].meetings.values() if m["type"] != 4)
        what = (
            f"{accounts} synthetic accounts ({served[0].name}..{served[-1].name}): "
            f"{per_account} users and {scheduled} meetings each, seed {seed}"
        )
    elif users is None:
        from zoomaudit.sandbox.demo import demo_state

        served = [demo_state()]
        what = "the demo organisation (Brightpath Youth & Wellbeing)"
    else:
        from zoomaudit.sandbox.synthetic import synthetic_state

        served = [
            synthetic_state(users=users, meetings=meetings or users * 10, seed=seed, groups=groups or None)
        ]
        scheduled = sum(1 for m in served[0].meetings.values() if m["type"] != 4)
        what = f"a synthetic account: {users} users, {scheduled} meetings, seed {seed}"
    for account in served:
        account.plan = plan
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
    # Fixed, fake credentials of a local simulator: printing them is how they are handed over.
    envs = {account.name: _env(root, account) for account in served}
    if accounts_file is not None:
        try:
            _write_accounts_file(accounts_file, envs)
        except OSError as exc:
            sock.close()
            raise UsageError(f"cannot write --accounts-file {accounts_file}: {exc.strerror or exc}") from None

    def announce() -> None:
        typer.echo(f"Zoom sandbox serving {what} on {root}")
        if accounts is None:
            typer.echo("Point zoomaudit at it with:\n")
        else:
            typer.echo("Point zoomaudit at one of them with its block of variables:")
        for name, env in envs.items():
            if accounts is not None:
                typer.echo(f"\n# {name}")
            for key, value in env.items():
                typer.echo(f"export {key}={value}")
        if accounts_file is not None:
            typer.echo(f"\nThe same variables, per account, are in {accounts_file}.")
        typer.echo("\nPress Ctrl+C to stop.")

    try:
        serve_on(create_app(served, options), sock, announce)
    finally:
        sock.close()


def _env(root: str, state: SandboxState) -> dict[str, str]:
    return {
        "ZOOM_API_BASE_URL": f"{root}/v2",
        "ZOOM_OAUTH_TOKEN_URL": f"{root}/oauth/token",
        "ZOOM_ACCOUNT_ID": state.account_id,
        "ZOOM_CLIENT_ID": state.client_id,
        "ZOOM_CLIENT_SECRET": state.client_secret,
    }


def _write_accounts_file(path: Path, envs: dict[str, dict[str, str]]) -> None:
    """``{"accounts": [{"name": ..., "env": {ZOOM_*...}}, ...]}``, readable by its owner only
    (it holds the sandbox's fake client secrets, as the printed variables do)."""
    data = {"accounts": [{"name": name, "env": env} for name, env in envs.items()]}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file existed with a wider mode
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


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
