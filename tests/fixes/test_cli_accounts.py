"""`zoomaudit fixes approve` / `revert` with an accounts file: each fix is applied with its own
account's Zoom credentials, on that account's Zoom only (two sandboxes over loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.fixes.test_cli import exit_code
from tests.several_accounts import TwoAccounts, two_sandboxes, write_accounts_file
from zoomaudit.cli.app import app


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TwoAccounts]:
    with two_sandboxes() as (riverside, hillside):
        two = write_accounts_file(tmp_path, riverside, hillside)
        monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(two.file))
        for name, value in two.environ.items():
            monkeypatch.setenv(name, value)
        audited = cli(
            "audit", "--all-accounts", "--fix-mode", "suggest", "--quiet",
            "--format", "json", "--output", str(tmp_path / "{account}.json"),
        )  # fmt: skip
        assert audited.exit_code == 1, audited.output  # both synthetic accounts have violations
        yield two


def pending(account: str) -> list[dict[str, Any]]:
    listed = cli("fixes", "list", "--format", "json", "--account", account, "--status", "pending")
    assert listed.exit_code == 0, listed.output
    fixes: list[dict[str, Any]] = json.loads(listed.output)
    assert fixes, f"the audit planned no fix for {account}"
    return fixes


def patches(sandbox: Any) -> int:
    return sum(1 for entry in sandbox.log.entries if entry.method == "PATCH")


def test_a_named_fix_is_applied_with_its_own_accounts_credentials(accounts: TwoAccounts) -> None:
    fix = pending("hillside")[0]
    approved = cli("fixes", "approve", fix["id"], "--by", "Priya")
    assert approved.exit_code in (0, 1), approved.output
    assert patches(accounts.hillside) >= 1
    assert patches(accounts.riverside) == 0
    trail = cli("fixes", "trail", fix["id"], "--format", "json")
    assert "Priya" in trail.output


def test_all_pending_needs_the_account_when_there_are_several(accounts: TwoAccounts) -> None:
    refused = cli("fixes", "approve", "--all", "--by", "Priya")
    assert exit_code(refused) == 2
    assert "--account NAME is required" in str(refused.exception)
    assert patches(accounts.hillside) == patches(accounts.riverside) == 0


def test_fixes_of_two_accounts_at_once_are_refused_before_anything(accounts: TwoAccounts) -> None:
    ids = [pending("riverside")[0]["id"], pending("hillside")[0]["id"]]
    refused = cli("fixes", "approve", *ids, "--by", "Priya")
    assert exit_code(refused) == 2
    assert "several accounts" in str(refused.exception)
    assert patches(accounts.hillside) == patches(accounts.riverside) == 0


def test_all_pending_of_one_account_touches_only_that_accounts_zoom(accounts: TwoAccounts) -> None:
    approved = cli("fixes", "approve", "--all", "--account", "riverside", "--by", "Priya")
    assert approved.exit_code in (0, 1), approved.output
    assert patches(accounts.riverside) >= 1
    assert patches(accounts.hillside) == 0
    assert [f["account"] for f in pending("hillside")] == ["hillside"] * len(pending("hillside"))
