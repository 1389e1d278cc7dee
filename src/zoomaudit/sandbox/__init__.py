"""A local Zoom: the endpoints zoomaudit uses, seeded with a demo organisation (docs/sandbox.md).

Public API::

    from zoomaudit.sandbox import (
        SandboxState, SandboxOptions, create_app, start_sandbox, serve_sandbox,
        demo_state, synthetic_state, SandboxAccount, synthetic_accounts,
    )

One sandbox may serve several accounts: pass a list of states (or ``SandboxAccount``s with
their own options) where one state goes.

Heavy imports (uvicorn) happen only when a server is started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zoomaudit.sandbox.accounts import SandboxAccount
from zoomaudit.sandbox.options import SandboxOptions, no_limits
from zoomaudit.sandbox.state import ALL_SCOPES, SandboxGroup, SandboxState, SandboxUser

if TYPE_CHECKING:
    from zoomaudit.sandbox.app import DroppedConnection, create_app, runtime, runtimes
    from zoomaudit.sandbox.demo import demo_state
    from zoomaudit.sandbox.server import RunningAccount, RunningSandbox, serve_sandbox, start_sandbox
    from zoomaudit.sandbox.synthetic import synthetic_accounts, synthetic_state

_LAZY = {
    "create_app": "zoomaudit.sandbox.app",
    "runtime": "zoomaudit.sandbox.app",
    "runtimes": "zoomaudit.sandbox.app",
    "DroppedConnection": "zoomaudit.sandbox.app",
    "demo_state": "zoomaudit.sandbox.demo",
    "synthetic_state": "zoomaudit.sandbox.synthetic",
    "synthetic_accounts": "zoomaudit.sandbox.synthetic",
    "RunningAccount": "zoomaudit.sandbox.server",
    "start_sandbox": "zoomaudit.sandbox.server",
    "serve_sandbox": "zoomaudit.sandbox.server",
    "RunningSandbox": "zoomaudit.sandbox.server",
}

__all__ = [
    "ALL_SCOPES",
    "DroppedConnection",
    "RunningAccount",
    "RunningSandbox",
    "SandboxAccount",
    "SandboxGroup",
    "SandboxOptions",
    "SandboxState",
    "SandboxUser",
    "create_app",
    "demo_state",
    "no_limits",
    "runtime",
    "runtimes",
    "serve_sandbox",
    "start_sandbox",
    "synthetic_accounts",
    "synthetic_state",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)
