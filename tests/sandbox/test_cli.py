"""`zoomaudit sandbox`: options, the variables it prints, and usage errors (the server is not started)."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import UsageError


class FakeSocket:
    """Stands in for the bound socket, so these tests never hold a real port."""

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.closed = False

    def getsockname(self) -> tuple[str, int]:
        return self.address

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_serve(sandbox_app: Any, sock: FakeSocket, announce: Callable[[], None]) -> None:
        host, port = sock.getsockname()
        calls.append({"app": sandbox_app, "host": host, "port": port})
        announce()

    monkeypatch.setattr("zoomaudit.cli.sandbox._listen", FakeSocket)
    monkeypatch.setattr("zoomaudit.cli.sandbox.serve_on", fake_serve)
    return calls


def test_demo_by_default_and_the_variables_printed(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["sandbox"])
    assert result.exit_code == 0, result.output
    assert "demo organisation" in result.output
    assert "export ZOOM_API_BASE_URL=http://127.0.0.1:8765/v2" in result.output
    assert "export ZOOM_OAUTH_TOKEN_URL=http://127.0.0.1:8765/oauth/token" in result.output
    for name in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"):
        assert f"export {name}=" in result.output
    assert served[0]["port"] == 8765


def test_synthetic_account_and_fault_options(served: list[dict[str, Any]]) -> None:
    args = [
        "sandbox",
        "--port",
        "9000",
        "--users",
        "20",
        "--meetings",
        "50",
        "--seed",
        "3",
        "--plan",
        "pro",
        "--latency-ms",
        "50",
        "--latency-jitter-ms",
        "10",
        "--rate-window",
        "fixed",
        "--fault-rate",
        "0.1",
        "--token-ttl",
        "60",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "20 users, 50 meetings, seed 3" in result.output
    runtime = served[0]["app"].state.sandbox
    assert (runtime.options.plan, runtime.options.latency_ms) == ("pro", 50)
    assert (runtime.options.latency_jitter_ms, runtime.options.rate_window) == (10, "fixed")
    assert (runtime.options.error_rate, runtime.options.token_ttl, runtime.options.seed) == (0.1, 60, 3)
    assert len(runtime.state.users) == 20


def test_the_rate_window_is_sliding_unless_told(served: list[dict[str, Any]]) -> None:
    assert CliRunner().invoke(app, ["sandbox", "--port", "9000"]).exit_code == 0
    assert served[0]["app"].state.sandbox.options.rate_window == "sliding"
    result = CliRunner().invoke(app, ["sandbox", "--rate-window", "rolling"])
    assert result.exit_code != 0
    assert "sliding or fixed" in str(result.exception)


def test_meetings_without_users_is_a_usage_error(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "--meetings", "5"])
    assert isinstance(result.exception, UsageError)
    assert not served
    bad_plan = CliRunner().invoke(app, ["sandbox", "--plan", "free"])
    assert isinstance(bad_plan.exception, UsageError)


def test_a_busy_port_is_a_usage_error_before_anything_is_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[object] = []
    monkeypatch.setattr("zoomaudit.cli.sandbox.serve_on", lambda *args: served.append(args))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["sandbox", "--port", str(port)])
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    assert f"port {port}" in str(result.exception)
    assert "export" not in result.output
    assert not served


def test_the_variables_are_printed_once_serving_on_the_real_port() -> None:
    """End to end: ``--port 0`` picks a free port; the printed URL answers a token request."""
    command = [sys.executable, "-m", "zoomaudit", "sandbox", "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            lines = []
            for line in proc.stdout:
                lines.append(line.strip())
                if line.startswith("Press Ctrl+C"):
                    break
            exports = dict(
                line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
            )
            assert not exports["ZOOM_OAUTH_TOKEN_URL"].endswith(":0/oauth/token")
            response = httpx2.post(
                exports["ZOOM_OAUTH_TOKEN_URL"],
                params={"grant_type": "account_credentials", "account_id": exports["ZOOM_ACCOUNT_ID"]},
                auth=(exports["ZOOM_CLIENT_ID"], exports["ZOOM_CLIENT_SECRET"]),
            )
            assert response.status_code == 200, response.text
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)


def _blocks(output: str) -> dict[str, dict[str, str]]:
    """The printed ``# acctNN`` blocks of ``export NAME=value`` lines, by account name."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in output.splitlines():
        if line.startswith("# acct"):
            current = out.setdefault(line.removeprefix("# "), {})
        elif line.startswith("export "):
            key, value = line.removeprefix("export ").split("=", 1)
            current[key] = value
    return out


def test_several_synthetic_accounts_each_with_its_own_variables(
    served: list[dict[str, Any]], tmp_path: Any
) -> None:
    from zoomaudit.sandbox.app import runtimes
    from zoomaudit.sandbox.synthetic import account_credentials

    listing = tmp_path / "accounts.json"
    args = ["sandbox", "--accounts", "3", "--users", "4", "--meetings", "6", "--seed", "2", "--plan", "pro"]
    result = CliRunner().invoke(app, [*args, "--accounts-file", str(listing)])
    assert result.exit_code == 0, result.output
    assert "3 synthetic accounts (acct01..acct03): 4 users and 6 meetings each, seed 2" in result.output
    blocks = _blocks(result.output)
    assert list(blocks) == ["acct01", "acct02", "acct03"]
    for index, (name, env) in enumerate(blocks.items(), 1):
        assert (env["ZOOM_ACCOUNT_ID"], env["ZOOM_CLIENT_ID"], env["ZOOM_CLIENT_SECRET"]) == (
            account_credentials(2, index)
        )
        assert env["ZOOM_API_BASE_URL"] == "http://127.0.0.1:8765/v2"
        assert name == f"acct{index:02d}"
    accounts = runtimes(served[0]["app"])
    assert [len(rt.state.users) for rt in accounts] == [4, 4, 4]
    assert {rt.options.plan for rt in accounts} == {"pro"}
    assert len({id(rt.qps()) for rt in accounts}) == 3  # a rate budget each
    written = json.loads(listing.read_text())
    assert written == {"accounts": [{"name": n, "env": e} for n, e in blocks.items()]}
    assert stat.S_IMODE(listing.stat().st_mode) == 0o600


def test_one_account_prints_as_it_always_did(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "--users", "3"])
    assert result.exit_code == 0, result.output
    assert "# acct" not in result.output
    assert "Point zoomaudit at it with:" in result.output
    assert served[0]["app"].state.sandbox.state.name == "default"


def test_an_accounts_file_without_accounts_is_a_usage_error(
    served: list[dict[str, Any]], tmp_path: Any
) -> None:
    result = CliRunner().invoke(app, ["sandbox", "--accounts-file", str(tmp_path / "a.json")])
    assert isinstance(result.exception, UsageError)
    assert "--accounts-file needs --accounts" in str(result.exception)
    assert not served
    assert not (tmp_path / "a.json").exists()
    too_many = CliRunner().invoke(app, ["sandbox", "--accounts", "100"])
    assert too_many.exit_code == 2
    assert not served


def test_several_accounts_served_on_the_real_port_each_answer_their_own_credentials() -> None:
    command = [sys.executable, "-m", "zoomaudit", "sandbox", "--port", "0", "--accounts", "2", "--users", "2"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    ) as proc:
        try:
            assert proc.stdout is not None
            lines = []
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("Press Ctrl+C"):
                    break
            blocks = _blocks("".join(lines))
            first, second = blocks["acct01"], blocks["acct02"]
            assert first["ZOOM_OAUTH_TOKEN_URL"] == second["ZOOM_OAUTH_TOKEN_URL"]  # one server

            def token(account_id: str, creds: dict[str, str]) -> httpx2.Response:
                return httpx2.post(
                    creds["ZOOM_OAUTH_TOKEN_URL"],
                    params={"grant_type": "account_credentials", "account_id": account_id},
                    auth=(creds["ZOOM_CLIENT_ID"], creds["ZOOM_CLIENT_SECRET"]),
                )

            assert token(second["ZOOM_ACCOUNT_ID"], second).status_code == 200
            crossed = token(second["ZOOM_ACCOUNT_ID"], first)  # acct01's app, acct02's id
            assert (crossed.status_code, crossed.json()["code"]) == (400, 4735)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
