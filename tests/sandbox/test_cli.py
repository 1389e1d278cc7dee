"""`zoomaudit sandbox`: options, the variables it prints, and usage errors (the server is not started)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import UsageError


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(sandbox_app: Any, host: str, port: int, log_level: str = "info") -> None:
        calls.append({"app": sandbox_app, "host": host, "port": port})

    monkeypatch.setattr("zoomaudit.sandbox.server.run_foreground", fake_run)
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
    assert (runtime.options.error_rate, runtime.options.token_ttl, runtime.options.seed) == (0.1, 60, 3)
    assert len(runtime.state.users) == 20


def test_meetings_without_users_is_a_usage_error(served: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["sandbox", "--meetings", "5"])
    assert isinstance(result.exception, UsageError)
    assert not served
    bad_plan = CliRunner().invoke(app, ["sandbox", "--plan", "free"])
    assert isinstance(bad_plan.exception, UsageError)
