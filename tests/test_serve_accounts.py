"""``serve`` and ``doctor`` read the accounts file when ZOOMAUDIT_ACCOUNTS is set: the service
audits the file's accounts (never the ZOOM_* single account), a bad account stops the start with
exit 2 naming it, and the file's warnings are logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.several_accounts import two_sandboxes, write_accounts_file
from zoomaudit.cli.app import app

SECRET_VALUE = "riverside-secret-NEVER-shown"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    apps: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda asgi, **kwargs: apps.append(asgi))
    monkeypatch.setattr("zoomaudit.cli.serve.configure_logging", lambda level, **kwargs: None)
    return apps


def accounts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schedule: str = "0 2 * * *") -> Path:
    monkeypatch.setenv("RIVERSIDE_ID", "riverside-client")
    monkeypatch.setenv("RIVERSIDE_SECRET", SECRET_VALUE)
    monkeypatch.setenv("HILLSIDE_ID", "hillside-client")
    monkeypatch.setenv("HILLSIDE_SECRET", "hillside-secret")
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "accounts:\n"
        "  - name: riverside\n"
        "    account_id: RiverAcct1\n"
        "    client_id_env: RIVERSIDE_ID\n"
        "    client_secret_env: RIVERSIDE_SECRET\n"
        f"    schedule: '{schedule}'\n"
        "  - name: hillside\n"
        "    account_id: HillAcct2\n"
        "    client_id_env: HILLSIDE_ID\n"
        "    client_secret_env: HILLSIDE_SECRET\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(path))
    return path


def test_serve_audits_the_accounts_of_the_file_not_the_single_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    accounts_file(tmp_path, monkeypatch)
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "OldSingleAcct")
    with caplog.at_level(logging.INFO, logger="zoomaudit.serve"):
        result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    [asgi] = started
    desks = asgi.state.service.desks
    assert list(desks) == ["riverside", "hillside"]
    assert [desk.settings.zoom_account_id for desk in desks.values()] == ["RiverAcct1", "HillAcct2"]
    assert "ZOOM_ACCOUNT_ID is ignored" in caplog.text
    assert SECRET_VALUE not in caplog.text


def test_an_accounts_bad_schedule_stops_serve_naming_the_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[Any]
) -> None:
    accounts_file(tmp_path, monkeypatch, schedule="99 2 * * *")
    result = CliRunner().invoke(app, ["serve"])
    assert getattr(result.exception, "exit_code", None) == 2, result.output
    assert "account riverside: schedule '99 2 * * *'" in str(result.exception)
    assert not started


def test_an_accounts_missing_credential_stops_serve_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list[Any]
) -> None:
    accounts_file(tmp_path, monkeypatch)
    monkeypatch.delenv("HILLSIDE_SECRET")
    result = CliRunner().invoke(app, ["serve"])
    assert getattr(result.exception, "exit_code", None) == 2, result.output
    assert "HILLSIDE_SECRET" in str(result.exception)
    assert "account hillside" in str(result.exception)
    assert not started


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with two_sandboxes() as (riverside, hillside):
        accounts = write_accounts_file(tmp_path, riverside, hillside)
        for name, value in accounts.environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(accounts.file))
        monkeypatch.setenv("ZOOMAUDIT_MAX_RETRIES", "0")
        monkeypatch.setenv("COLUMNS", "200")
        yield accounts


def test_doctor_checks_each_account_on_its_own_zoom(two: Any) -> None:
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "account riverside" in result.output
    assert "account hillside" in result.output
    assert result.output.count("access token obtained") == 2, result.output
    assert two.riverside.log.matching("GET", "/v2/users")
    assert two.hillside.log.matching("GET", "/v2/users")


def test_doctor_says_which_account_cannot_be_used_and_checks_the_others(
    two: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RIVERSIDE_ZOOM_CLIENT_SECRET")
    result = CliRunner().invoke(app, ["doctor"])
    assert result.exit_code == 2, result.output
    assert "RIVERSIDE_ZOOM_CLIENT_SECRET" in result.output
    assert result.output.count("access token obtained") == 1
    assert not two.riverside.log.matching(path_prefix="/v2/")
    assert two.hillside.log.matching("GET", "/v2/users")


def test_doctor_account_checks_that_account_only(two: Any) -> None:
    result = CliRunner().invoke(app, ["doctor", "--account", "hillside"])
    assert result.exit_code == 0, result.output
    assert "account hillside" in result.output
    assert "account riverside" not in result.output
    assert not two.riverside.log.matching(path_prefix="/v2/")


def test_doctor_names_an_unknown_account(two: Any) -> None:
    result = CliRunner().invoke(app, ["doctor", "--account", "lakeside"])
    assert result.exit_code == 2
    assert "no account named 'lakeside'" in result.output


def test_schedule_run_now_audits_the_account_given_on_its_own_zoom(two: Any) -> None:
    result = CliRunner().invoke(app, ["schedule", "run-now", "--account", "hillside"])
    assert result.exit_code in (0, 1), result.output
    assert "hillside: run " in result.output
    assert two.hillside.log.matching("GET", "/v2/users")
    assert not two.riverside.log.matching(path_prefix="/v2/")


def test_schedule_run_now_needs_an_account_when_there_are_several(two: Any) -> None:
    result = CliRunner().invoke(app, ["schedule", "run-now"])
    assert getattr(result.exception, "exit_code", None) == 2
    assert "--account NAME" in str(result.exception)
    assert not two.riverside.log.matching(path_prefix="/v2/")
    assert not two.hillside.log.matching(path_prefix="/v2/")


def test_schedule_run_now_of_every_account_exits_with_the_highest_code(
    two: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RIVERSIDE_ZOOM_CLIENT_SECRET")
    result = CliRunner().invoke(app, ["schedule", "run-now", "--all-accounts"])
    assert result.exit_code == 2, result.output
    assert "riverside: error: " in result.stderr
    assert "hillside: run " in result.output
    assert two.hillside.log.matching("GET", "/v2/users")


def test_schedule_show_before_the_service_ran_lists_each_accounts_nightly_audit(two: Any) -> None:
    result = CliRunner().invoke(app, ["schedule", "show"])
    assert result.exit_code == 0, result.output
    assert "nightly-audit:riverside: hour=1 minute=15 (Europe/London)" in result.output
    assert "nightly-audit:hillside: day_of_week=mon,tue,wed,thu,fri hour=3 minute=45 (America/New_York)" in (
        result.output
    )
    assert "\n  nightly-audit: " not in result.output, "the ignored single account's nightly audit"
