"""Several Zoom accounts audited by one process: two sandboxes on loopback, one accounts file."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import cli
from zoomaudit.accounts import load_accounts
from zoomaudit.accounts_run import AuditRequest, audit_accounts, highest_code
from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_USAGE, ZoomAuditError
from zoomaudit.notify.catcher import SmtpCatcher
from zoomaudit.runner import NullObserver, Observer, RunOutcome
from zoomaudit.sandbox import SandboxOptions, start_sandbox
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.sandbox.synthetic import synthetic_state
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import AccountScope

WRONG_SECRET = "wrong-secret-NEVER-shown-77"


@pytest.fixture
def riverside() -> Iterator[RunningSandbox]:
    with start_sandbox(
        synthetic_state(users=3, meetings=6, seed=11), SandboxOptions(rate_limits=False)
    ) as running:
        yield running


@pytest.fixture
def hillside() -> Iterator[RunningSandbox]:
    with start_sandbox(
        synthetic_state(users=5, meetings=9, seed=12), SandboxOptions(rate_limits=False)
    ) as running:
        yield running


def accounts_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    riverside: RunningSandbox,
    hillside: RunningSandbox,
    *,
    hillside_secret: str | None = None,
) -> Path:
    """riverside's credentials from environment variables, hillside's from a 0600 secrets file."""
    monkeypatch.setenv("RIVERSIDE_ZOOM_CLIENT_ID", riverside.client_id)
    monkeypatch.setenv("RIVERSIDE_ZOOM_CLIENT_SECRET", riverside.client_secret)
    secrets = tmp_path / "hillside.secrets.yaml"
    secrets.write_text(
        f"client_id: {hillside.client_id}\nclient_secret: '{hillside_secret or hillside.client_secret}'\n",
        encoding="utf-8",
    )
    os.chmod(secrets, 0o600)
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "  - name: riverside\n"
        f"    account_id: {riverside.account_id}\n"
        "    client_id_env: RIVERSIDE_ZOOM_CLIENT_ID\n"
        "    client_secret_env: RIVERSIDE_ZOOM_CLIENT_SECRET\n"
        f"    api_base_url: {riverside.base_url}\n"
        f"    oauth_token_url: {riverside.token_url}\n"
        "    rate_share: 1.0\n"
        "  - name: hillside\n"
        f"    account_id: {hillside.account_id}\n"
        "    secrets_file: hillside.secrets.yaml\n"
        f"    api_base_url: {hillside.base_url}\n"
        f"    oauth_token_url: {hillside.token_url}\n"
        "    rate_share: 1.0\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(path))
    return path


def summary(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))["summary"])


def test_all_accounts_writes_one_report_each_from_its_own_zoom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, riverside: RunningSandbox, hillside: RunningSandbox
) -> None:
    accounts_file(tmp_path, monkeypatch, riverside, hillside)
    result = cli(
        "audit", "--all-accounts", "--quiet", "-f", "json", "-o", str(tmp_path / "out" / "{account}.json")
    )
    assert result.exit_code in (0, 1), result.output
    assert summary(tmp_path / "out" / "riverside.json")["users"] == 3
    assert summary(tmp_path / "out" / "hillside.json")["users"] == 5
    codes = {line.split(":")[0]: line for line in result.stderr.splitlines() if "(exit " in line}
    assert set(codes) == {"riverside", "hillside"}
    assert result.exit_code == max(int(line.rsplit("(exit ", 1)[1].rstrip(")")) for line in codes.values())
    # Each account's requests went to its own Zoom.
    assert riverside.log.matching("GET", "/v2/users")
    assert hillside.log.matching("GET", "/v2/users")


def test_bad_credentials_fail_their_account_only_and_the_exit_code_is_the_highest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, riverside: RunningSandbox, hillside: RunningSandbox
) -> None:
    accounts_file(tmp_path, monkeypatch, riverside, hillside, hillside_secret=WRONG_SECRET)
    result = cli("audit", "--all-accounts", "--quiet", "-f", "json", "-o", str(tmp_path / "{account}.json"))
    assert result.exit_code == EXIT_INCOMPLETE, result.output
    assert summary(tmp_path / "riverside.json")["users"] == 3
    assert not (tmp_path / "hillside.json").exists()
    assert "hillside: error: " in result.stderr
    assert "(exit 3)" in result.stderr
    assert "riverside: complete, " in result.stderr
    assert WRONG_SECRET not in result.output
    assert not hillside.log.matching(path_prefix="/v2/")  # no token, so nothing was read


def test_a_missing_variable_is_its_account_exit_2_and_the_other_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, riverside: RunningSandbox, hillside: RunningSandbox
) -> None:
    accounts_file(tmp_path, monkeypatch, riverside, hillside)
    monkeypatch.delenv("RIVERSIDE_ZOOM_CLIENT_SECRET")
    result = cli("audit", "--all-accounts", "--quiet", "-f", "json", "-o", str(tmp_path / "{account}.json"))
    assert result.exit_code == EXIT_USAGE, result.output
    assert "riverside: error: account riverside" in result.stderr
    assert "RIVERSIDE_ZOOM_CLIENT_SECRET (client_secret_env, its client secret) is not set" in result.stderr
    assert summary(tmp_path / "hillside.json")["users"] == 5
    assert not riverside.log.entries


def test_the_single_account_variables_are_ignored_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, riverside: RunningSandbox, hillside: RunningSandbox
) -> None:
    accounts_file(tmp_path, monkeypatch, riverside, hillside)
    # Were these used, the audit would go to a closed port and fail.
    monkeypatch.setenv("ZOOM_API_BASE_URL", "http://127.0.0.1:9/v2")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", WRONG_SECRET)
    result = cli("audit", "--account", "riverside", "--quiet", "-f", "json", "-o", str(tmp_path / "r.json"))
    assert result.exit_code in (0, 1), result.output
    assert (
        "warning: ZOOMAUDIT_ACCOUNTS is set, so ZOOM_CLIENT_SECRET, ZOOM_API_BASE_URL are ignored"
        in result.stderr
    )
    assert WRONG_SECRET not in result.output
    assert summary(tmp_path / "r.json")["users"] == 3
    assert not hillside.log.entries  # --account audits that account only


@pytest.mark.parametrize("output", [None, "report.json"])
def test_several_accounts_without_account_in_the_output_are_refused_before_any_request(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    riverside: RunningSandbox,
    hillside: RunningSandbox,
    output: str | None,
) -> None:
    accounts_file(tmp_path, monkeypatch, riverside, hillside)
    result = cli("audit", "--all-accounts", "--quiet", *(["-o", output] if output else []))
    assert isinstance(result.exception, ZoomAuditError), result.output
    assert result.exception.exit_code == EXIT_USAGE
    assert "give --output with {account} in it" in str(result.exception)
    assert not riverside.log.entries
    assert not hillside.log.entries


class _Presenter:
    """Records what happens; ``finished`` of ``release_after`` lets the held account go on."""

    def __init__(self, release_after: str, release: threading.Event) -> None:
        self.release_after, self.release = release_after, release
        self.finished_order: list[str] = []
        self.failures: list[str] = []

    def observer(self, account: str) -> Observer:
        return NullObserver()

    def ready(self, account: str, settings: Settings) -> None:
        pass

    def finished(self, account: str, settings: Settings, outcome: RunOutcome, store: Store) -> int:
        self.finished_order.append(account)
        if account == self.release_after:
            self.release.set()
        return 1 if outcome.counts.get("violations") else 0

    def failed(self, account: str, settings: Settings | None, error: ZoomAuditError) -> None:
        self.failures.append(f"{account}: {error}")


def test_an_account_held_up_by_its_zoom_does_not_hold_up_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, riverside: RunningSandbox, hillside: RunningSandbox
) -> None:
    accounts_file(tmp_path, monkeypatch, riverside, hillside)
    release = threading.Event()
    released: list[bool] = []

    def hold_first_answer(method: str, path: str, body: Any) -> Any:
        # riverside's Zoom answers nothing until hillside's audit has finished: were the accounts
        # audited one after the other, riverside's run would wait here in vain.
        if not released:
            released.append(release.wait(timeout=60))
        return body

    riverside.options.tamper = hold_first_answer
    base = load_settings()
    presenter = _Presenter("hillside", release)
    results = audit_accounts(load_accounts(base).accounts, base, AuditRequest(AccountScope()), presenter)
    assert released == [True], presenter.failures
    assert presenter.finished_order == ["hillside", "riverside"]
    assert [r.account for r in results] == ["riverside", "hillside"]
    assert all(r.outcome is not None and r.outcome.complete for r in results)
    assert highest_code(results) == max(r.code for r in results)


def test_each_account_notifies_its_own_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, riverside: RunningSandbox, hillside: RunningSandbox
) -> None:
    path = accounts_file(tmp_path, monkeypatch, riverside, hillside)
    with SmtpCatcher() as smtp:
        monkeypatch.setenv("RIVERSIDE_NOTIFY_URLS", smtp.url(to="dsl@riverside.example"))
        text = path.read_text(encoding="utf-8").replace(
            "    client_secret_env: RIVERSIDE_ZOOM_CLIENT_SECRET\n",
            "    client_secret_env: RIVERSIDE_ZOOM_CLIENT_SECRET\n"
            "    notify_urls_env: RIVERSIDE_NOTIFY_URLS\n",
        )
        path.write_text(text, encoding="utf-8")
        secrets = tmp_path / "hillside.secrets.yaml"
        secrets.write_text(
            secrets.read_text(encoding="utf-8") + f"notify_urls: '{smtp.url(to='dsl@hillside.example')}'\n",
            encoding="utf-8",
        )
        result = cli(
            "audit",
            "--all-accounts",
            "--notify",
            "--quiet",
            "-f",
            "json",
            "-o",
            str(tmp_path / "{account}.json"),
        )
        assert result.exit_code in (0, 1), result.output
        recipients = sorted(mail.recipients for mail in smtp.caught)
    assert recipients == [("dsl@hillside.example",), ("dsl@riverside.example",)]
