"""Serving the sandbox with uvicorn on loopback: in a background thread, or in the foreground."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from zoomaudit.sandbox.accounts import Accounts
from zoomaudit.sandbox.app import SERVED_KEY, Runtime, SandboxApp, create_app, runtime, runtimes
from zoomaudit.sandbox.log import LoggedRequest, RequestLog
from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.state import SandboxState


class _DropCloses:
    """Marks the scope as served, and returns non-None after a dropped request: uvicorn then
    closes the socket without sending anything, which is what a dropped connection looks like."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        scope[SERVED_KEY] = True
        await self.app(scope, receive, send)
        return True if scope.get("zoomaudit.sandbox.drop") else None


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "should return None" not in record.getMessage()


_QUIET = _QuietDrops()


def _uvicorn_config(app: SandboxApp, log_level: str) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QUIET)  # adding the same filter twice is a no-op
    return uvicorn.Config(
        _DropCloses(app),
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
    )


def zoom_env(base_url: str, token_url: str, state: SandboxState) -> dict[str, str]:
    """The variables that point zoomaudit at one account of a sandbox."""
    return {
        "ZOOM_API_BASE_URL": base_url,
        "ZOOM_OAUTH_TOKEN_URL": token_url,
        "ZOOM_ACCOUNT_ID": state.account_id,
        "ZOOM_CLIENT_ID": state.client_id,
        # The fixed, fake credential of a local simulator: handing it over is its purpose.
        "ZOOM_CLIENT_SECRET": state.client_secret,
    }


@dataclass
class RunningAccount:
    """One account of a served sandbox: where and how to reach it, and what it was asked."""

    name: str
    base_url: str
    token_url: str
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    state: SandboxState = field(repr=False)
    runtime: Runtime = field(repr=False)

    @property
    def options(self) -> SandboxOptions:
        return self.runtime.options

    def env(self) -> dict[str, str]:
        return zoom_env(self.base_url, self.token_url, self.state)

    def requests(self) -> list[LoggedRequest]:
        """The requests the sandbox logged for this account (token requests included)."""
        return self.runtime.log.of_account(self.account_id)


@dataclass
class RunningSandbox:
    """A sandbox being served. ``env()`` gives the variables that point zoomaudit at it (at its
    first account); ``accounts`` has every account it serves, ``account(name)`` one of them."""

    base_url: str
    token_url: str
    account_id: str
    client_id: str
    client_secret: str
    state: SandboxState
    options: SandboxOptions
    log: RequestLog
    app: SandboxApp
    accounts: list[RunningAccount] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        return runtime(self.app)

    @property
    def authorize_url(self) -> str:
        return self.token_url.rsplit("/", 1)[0] + "/authorize"

    def signin_env(self) -> dict[str, str]:
        """The variables of "Sign in with Zoom" against this sandbox (its user-managed app)."""
        app = self.runtime.sign_in_app
        return {
            "ZOOMAUDIT_ZOOM_AUTHORIZE_URL": self.authorize_url,
            "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_ID": app.client_id,
            "ZOOMAUDIT_ZOOM_SIGNIN_CLIENT_SECRET": app.client_secret,
        }

    def env(self) -> dict[str, str]:
        return zoom_env(self.base_url, self.token_url, self.state)

    def account(self, key: str) -> RunningAccount:
        """The served account whose short name or account id is ``key``."""
        for account in self.accounts:
            if key in (account.name, account.account_id):
                return account
        raise KeyError(f"the sandbox serves no account {key!r}")


def bind_listener(host: str, port: int) -> socket.socket:
    """A listening socket for the sandbox (raises OSError, e.g. for a busy port).

    Created with ``IPPROTO_TCP`` explicitly: asyncio sets TCP_NODELAY only on sockets whose
    protocol says TCP, and without it every answer waited ~40 ms for a delayed ACK (measured:
    96 ms per request at 50 ms of simulated latency, instead of 52).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _handle(app: SandboxApp, host: str, port: int) -> RunningSandbox:
    root = f"http://{host}:{port}"
    base_url, token_url = f"{root}/v2", f"{root}/oauth/token"
    accounts = [
        RunningAccount(
            name=rt.state.name,
            base_url=base_url,
            token_url=token_url,
            account_id=rt.state.account_id,
            client_id=rt.state.client_id,
            client_secret=rt.state.client_secret,
            state=rt.state,
            runtime=rt,
        )
        for rt in runtimes(app)
    ]
    state, options = runtime(app).state, runtime(app).options
    return RunningSandbox(
        base_url=f"{root}/v2",
        token_url=f"{root}/oauth/token",
        account_id=state.account_id,
        client_id=state.client_id,
        client_secret=state.client_secret,
        state=state,
        options=options,
        log=runtime(app).log,
        app=app,
        accounts=accounts,
    )


@contextmanager
def start_sandbox(
    state: Accounts | None = None,
    options: SandboxOptions | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
) -> Iterator[RunningSandbox]:
    """Serve a sandbox (the demo organisation by default) on a free loopback port in a thread.

    ``state`` may be a list of accounts (``SandboxState`` or ``SandboxAccount``): one server,
    one port, each account reached with its own credentials (``RunningSandbox.accounts``).
    Works from sync and async tests alike (the server has its own thread and event loop).
    """
    if state is None:
        from zoomaudit.sandbox.demo import demo_state

        state = demo_state()
    options = options or SandboxOptions()
    app = create_app(state, options)
    sock = bind_listener(host, port)
    server = uvicorn.Server(_uvicorn_config(app, log_level))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="zoom-sandbox")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the Zoom sandbox did not start")
        time.sleep(0.005)
    try:
        yield _handle(app, host, sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@asynccontextmanager
async def serve_sandbox(
    state: Accounts | None = None, options: SandboxOptions | None = None, **kwargs: Any
) -> AsyncIterator[RunningSandbox]:
    """``async with serve_sandbox(...) as sandbox:`` the same as ``start_sandbox``, for async code."""
    import asyncio

    manager = start_sandbox(state, options, **kwargs)
    handle = await asyncio.to_thread(manager.__enter__)
    try:
        yield handle
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


def run_foreground(app: SandboxApp, host: str, port: int, log_level: str = "info") -> None:
    """Serve until interrupted (``zoomaudit sandbox``)."""
    config = _uvicorn_config(app, log_level)
    config.host = host
    config.port = port
    uvicorn.Server(config).run()
