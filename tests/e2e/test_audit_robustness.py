"""Faults, killed runs and secrets: the audit stays complete, consistent and discreet."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.e2e.conftest import audit, report_of
from zoomaudit.findings import Finding
from zoomaudit.sandbox import SandboxOptions, start_sandbox
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import AccountScope


def _essence(findings: list[Finding]) -> set[tuple[object, ...]]:
    return {(f.identity, f.status, f.source, f.locked, repr(f.actual)) for f in findings}


def test_faults_still_give_a_complete_and_identical_result(settings: Settings, tmp_path: Path) -> None:
    clean = audit(settings)
    expected = _essence(report_of(settings, clean.run_id).findings)
    faulty = SandboxOptions(
        rate_limits=False,
        seed=7,
        # About 150 requests: these rates give each kind of fault ~10 expected hits (a kind
        # never drawn would leave its handling untested), while 12 retries make a request
        # that fails every attempt (0.3^13) vanishingly rare.
        error_rate=0.08,
        rate_limit_rate=0.08,
        drop_rate=0.08,
        malformed_rate=0.1,
        token_expire_after=2.0,
    )
    with start_sandbox(options=faulty) as noisy:
        os.environ.update(noisy.env())
        os.environ["ZOOMAUDIT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'faulty.db'}"
        faulty_settings = load_settings(ZOOMAUDIT_RATE_SHARE=1.0, ZOOMAUDIT_MAX_RETRIES=12)
        outcome = audit(faulty_settings)
        faults = [e for e in noisy.log.entries if e.fault]
        token_requests = [e for e in noisy.log.entries if e.path == "/oauth/token"]
    assert outcome.complete
    assert {e.fault for e in faults} >= {"error", "rate_limit", "drop", "malformed"}
    assert len(token_requests) >= 2, "the token was meant to expire mid-run and be renewed"
    assert _essence(report_of(faulty_settings, outcome.run_id).findings) == expected


def test_a_run_killed_half_way_is_never_complete_and_the_next_run_works(
    sandbox: RunningSandbox, env: dict[str, str], settings: Settings
) -> None:
    sandbox.options.latency_ms = 150  # slow enough to kill the audit mid-way
    child = subprocess.Popen(
        [sys.executable, "-m", "zoomaudit", "audit", "--quiet", "--format", "json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = Store.from_settings(settings)
    try:
        deadline = time.monotonic() + 30
        while not store.list_runs(include_abandoned=True) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        killed = store.list_runs(include_abandoned=True)
        assert len(killed) == 1
        assert not killed[0].complete
        assert killed[0].status == "running"
        sandbox.options.latency_ms = 0
        outcome = audit(settings)
        runs = {r.id: r for r in store.list_runs(include_abandoned=True)}
        assert runs[killed[0].id].status == "abandoned"
        assert not runs[killed[0].id].complete
        assert runs[outcome.run_id].complete
        assert [r.id for r in store.last_complete_runs(2)] == [outcome.run_id]
    finally:
        store.close()


def test_no_secret_or_token_reaches_the_database(sandbox: RunningSandbox, settings: Settings) -> None:
    audit(settings, fix_mode="suggest")
    tokens = list(sandbox.runtime.tokens)
    assert tokens, "the audit must have fetched a token"
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    data = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert sandbox.client_secret.encode() not in data
    for token in tokens:
        assert str(token).encode() not in data


def test_dry_run_plans_fixes_but_records_and_changes_nothing(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    writes_before = [e for e in sandbox.log.entries if e.method == "PATCH"]
    outcome = audit(settings, AccountScope(), fix_mode="auto", dry_run=True)
    assert outcome.planned
    assert not outcome.fix_ids
    assert [e for e in sandbox.log.entries if e.method == "PATCH"] == writes_before
