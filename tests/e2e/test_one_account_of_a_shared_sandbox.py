"""`zoomaudit audit` against one account of a sandbox serving several (issue 18).

The auditor is pointed at one account by its ZOOM_* variables, as today; the sandbox serves the
demo organisation and two synthetic accounts from the same URLs. Everything the audit reads and
reports belongs to the account its credentials name, and no other account sees a request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.sandbox import SandboxOptions, demo_state, start_sandbox, synthetic_accounts
from zoomaudit.sandbox.server import RunningSandbox


@pytest.fixture
def several() -> Iterator[RunningSandbox]:
    demo = demo_state()
    demo.name = "brightpath"
    with start_sandbox(
        [demo, *synthetic_accounts(2, users=4, meetings=10, seed=11)], SandboxOptions()
    ) as served:
        yield served


@pytest.mark.parametrize("name", ["acct02", "brightpath"])
def test_an_audit_reads_and_reports_only_the_account_its_credentials_name(
    several: RunningSandbox, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = several.account(name)
    for key, value in {
        **target.env(),
        "ZOOMAUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'audit.db'}",
        "ZOOMAUDIT_RATE_SHARE": "1.0",
    }.items():
        monkeypatch.setenv(key, value)
    report = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["audit", "--quiet", "--format", "json", "--output", str(report)])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(report.read_text())
    assert doc["run"]["complete"] is True
    hosts = {f["host_id"] for f in doc["findings"] if f["host_id"]}
    meetings = {f["meeting_id"] for f in doc["findings"] if f["meeting_id"] is not None}
    assert hosts, "the audit judged no host: the test would prove nothing"
    assert hosts <= set(target.state.users)
    assert meetings <= set(target.state.meetings)
    active = [u for u in target.state.users.values() if u.status == "active"]
    assert doc["summary"]["users"] == len(active)
    # The sandbox saw requests for this account only (the token request included).
    assert {e.account for e in several.log.entries} == {target.account_id}
    for other in several.accounts:
        if other is not target:
            assert other.requests() == []
