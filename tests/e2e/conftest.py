"""End-to-end fixtures: the sandbox served on loopback, zoomaudit pointed at it by environment."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from zoomaudit.cli.app import app
from zoomaudit.findings import Finding
from zoomaudit.runner import RunOutcome, run
from zoomaudit.sandbox import SandboxOptions, start_sandbox
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import RunReport, Store
from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(options=SandboxOptions(rate_limits=False)) as running:
        yield running


@pytest.fixture
def env(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The process environment pointing zoomaudit at the sandbox, with a fresh database."""
    values = {**sandbox.env(), "ZOOMAUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'audit.db'}"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    # Short retry backoffs keep the fault tests quick; the budget is the sandbox's own.
    return load_settings(ZOOMAUDIT_RATE_SHARE=1.0)


def audit(settings: Settings, scope: Scope | None = None, **kwargs: Any) -> RunOutcome:
    return asyncio.run(run(scope or AccountScope(), settings=settings, **kwargs))


def report_of(settings: Settings, run_id: str, include_passed: bool = True) -> RunReport:
    store = Store.from_settings(settings)
    try:
        return store.load_report(run_id, include_passed=include_passed)
    finally:
        store.close()


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def findings_for(settings: Settings, sandbox: RunningSandbox, topic: str, policy_id: str) -> list[Finding]:
    """Audit one demo meeting (by topic) and return its findings of one policy."""
    meeting_id = int(sandbox.state.meeting_by_topic(topic)["id"])
    outcome = audit(settings, MeetingsScope.of(meeting_id))
    assert outcome.complete
    return [f for f in report_of(settings, outcome.run_id).findings if f.policy_id == policy_id]


def pending_fix(policy_id: str) -> dict[str, Any]:
    """The one pending fix of a policy, as `fixes list --format json` shows it."""
    listed = cli("fixes", "list", "--format", "json", "--status", "pending", "--policy", policy_id)
    assert listed.exit_code == 0, listed.output
    [fix] = json.loads(listed.output)
    return dict(fix)
