"""The accounts one sandbox serves: one by default, or several, each on its own.

Zoom serves every account from the same ``/oauth/token`` and ``/v2`` URLs: the client id and
secret (Basic) and the ``account_id`` parameter of the token request pick the account, and the
token then carries it. Each account keeps its own data (``SandboxState``) and may have its own
options (latency, plan, faults); its per-second rate budget and daily quota are its own too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.state import SandboxState


@dataclass
class SandboxAccount:
    """One account of a sandbox: its data and, when it differs from the sandbox's, its options."""

    state: SandboxState
    options: SandboxOptions | None = None
    """None: the options the sandbox was given (shared, so changing them reaches every such account)."""


AccountSpec = SandboxState | SandboxAccount
Accounts = SandboxState | Sequence[AccountSpec]
"""What ``create_app`` and ``start_sandbox`` take: one account's state, or a list of accounts."""


def resolve_accounts(
    accounts: Accounts, options: SandboxOptions
) -> list[tuple[SandboxState, SandboxOptions]]:
    """Every account with its options settled; refuses an empty list and duplicates."""
    specs: list[AccountSpec] = [accounts] if isinstance(accounts, SandboxState) else list(accounts)
    if not specs:
        raise ValueError("a sandbox serves at least one account: the list of accounts is empty")
    out = [(s.state, s.options or options) if isinstance(s, SandboxAccount) else (s, options) for s in specs]
    names: set[str] = set()
    ids: set[str] = set()
    clients: set[str] = set()
    for number, (state, _) in enumerate(out, 1):
        where = f"account {number} ({state.name!r})"
        if state.name in names:
            raise ValueError(f"{where} repeats the name {state.name!r}: each account needs its own")
        if state.account_id in ids:
            raise ValueError(f"{where} repeats the account id {state.account_id!r}: each needs its own")
        if state.client_id in clients:
            # Two accounts' apps with one client id: the token request could not tell them apart.
            raise ValueError(f"{where} repeats another account's client id: each needs its own")
        names.add(state.name)
        ids.add(state.account_id)
        clients.add(state.client_id)
    return out
