"""Two Zoom accounts on two sandboxes over loopback, and the accounts file that names them.

Shared by the tests of the service, the scheduler and the workers with several accounts: each
account has its own credentials (riverside's from environment variables, hillside's from a 0600
secrets file), its own webhook secret token, and its own schedule and time zone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from zoomaudit.sandbox import SandboxOptions, start_sandbox
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.sandbox.synthetic import synthetic_state

RIVERSIDE_WEBHOOK_SECRET = "riverside-webhook-secret-0001"
HILLSIDE_WEBHOOK_SECRET = "hillside-webhook-secret-0002"
RIVERSIDE_SCHEDULE = ("15 1 * * *", "Europe/London")
HILLSIDE_SCHEDULE = ("45 3 * * 1-5", "America/New_York")


@dataclass(frozen=True)
class TwoAccounts:
    riverside: RunningSandbox
    hillside: RunningSandbox
    file: Path
    environ: Mapping[str, str]
    """The variables the accounts file names (riverside's credentials, both webhook secrets)."""


@contextmanager
def two_sandboxes() -> Iterator[tuple[RunningSandbox, RunningSandbox]]:
    """riverside (3 users, 6 meetings) and hillside (5 users, 9 meetings); the same meeting ids
    in both, so that an event sent to the wrong account would be audited there unnoticed by Zoom."""
    with (
        start_sandbox(synthetic_state(users=3, meetings=6, seed=11), SandboxOptions(rate_limits=False)) as a,
        start_sandbox(synthetic_state(users=5, meetings=9, seed=12), SandboxOptions(rate_limits=False)) as b,
    ):
        yield a, b


def write_accounts_file(
    folder: Path,
    riverside: RunningSandbox,
    hillside: RunningSandbox,
    pre_session: tuple[str, str] = ("off", "off"),
) -> TwoAccounts:
    """The accounts file of the two sandboxes in ``folder``; the variables it names are returned
    (set them in the environment of whoever reads the file). ``pre_session``: riverside's and
    hillside's lead times (off by default)."""
    secrets = folder / "hillside.secrets.yaml"
    secrets.write_text(
        f"client_id: {hillside.client_id}\n"
        f"client_secret: '{hillside.client_secret}'\n"
        f"webhook_secret_token: '{HILLSIDE_WEBHOOK_SECRET}'\n",
        encoding="utf-8",
    )
    os.chmod(secrets, 0o600)
    path = folder / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "  - name: riverside\n"
        f"    account_id: {riverside.account_id}\n"
        "    client_id_env: RIVERSIDE_ZOOM_CLIENT_ID\n"
        "    client_secret_env: RIVERSIDE_ZOOM_CLIENT_SECRET\n"
        "    webhook_secret_token_env: RIVERSIDE_ZOOM_WEBHOOK_SECRET_TOKEN\n"
        f"    api_base_url: {riverside.base_url}\n"
        f"    oauth_token_url: {riverside.token_url}\n"
        "    rate_share: 1.0\n"
        f"    schedule: '{RIVERSIDE_SCHEDULE[0]}'\n"
        f"    timezone: {RIVERSIDE_SCHEDULE[1]}\n"
        f"    pre_session: '{pre_session[0]}'\n"
        "  - name: hillside\n"
        f"    account_id: {hillside.account_id}\n"
        "    secrets_file: hillside.secrets.yaml\n"
        f"    api_base_url: {hillside.base_url}\n"
        f"    oauth_token_url: {hillside.token_url}\n"
        "    rate_share: 1.0\n"
        f"    schedule: '{HILLSIDE_SCHEDULE[0]}'\n"
        f"    timezone: {HILLSIDE_SCHEDULE[1]}\n"
        f"    pre_session: '{pre_session[1]}'\n",
        encoding="utf-8",
    )
    environ = {
        "RIVERSIDE_ZOOM_CLIENT_ID": riverside.client_id,
        "RIVERSIDE_ZOOM_CLIENT_SECRET": riverside.client_secret,
        "RIVERSIDE_ZOOM_WEBHOOK_SECRET_TOKEN": RIVERSIDE_WEBHOOK_SECRET,
    }
    return TwoAccounts(riverside, hillside, path, environ)
