"""Several accounts audited by N `zoomaudit worker` processes through the job queue (issue 18).

The sandbox serves the accounts (bench/accounts.py), a throwaway PostgreSQL server (the one the
tests start, tests/postgres_server.py) holds the store and the queue, one audit job per account is
deferred, and then N workers are started. Measured: the wall time from the workers' start until
every job has finished, against the slowest account's lower bound; the workers' peak RSS and CPU
(sampled); and, per account, the busiest one-second span the sandbox accepted, against its budget.

    PYTHONPATH=src .venv/bin/python -m bench.workers --accounts 3 --meetings 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` (and the tests' server) importable
    sys.path.insert(0, str(ROOT))

from bench.accounts import (  # noqa: E402
    ACCOUNTS,
    MEETINGS,
    USERS,
    account_figures,
    accounts_file,
    on_many_accounts,
)
from bench.bound import sequential_start  # noqa: E402
from bench.measure import machine  # noqa: E402
from bench.sandbox_proc import SandboxProcess  # noqa: E402

FINISHED = ("succeeded", "failed", "cancelled", "aborted")
"""procrastinate's job statuses that end a job."""
TIMEOUT_S = 1200.0


def _defer_audits(url: str, names: list[str]) -> list[int]:
    from zoomaudit.queue.app import make_app
    from zoomaudit.queue.enqueue import JobQueue

    async def defer() -> list[int]:
        async with make_app(url).open_async() as app:
            queue = JobQueue(app)
            ids = [await queue.audit(name, "manual") for name in names]
        return [i for i in ids if i is not None]

    return asyncio.run(defer())


def _statuses(url: str, job_ids: list[int]) -> dict[int, str]:
    import psycopg

    from zoomaudit.store.queue_db import queue_conninfo

    with psycopg.connect(queue_conninfo(url)) as connection:
        rows = connection.execute(
            "SELECT id, status FROM procrastinate_jobs WHERE id = ANY(%s)", (job_ids,)
        ).fetchall()
    return {int(i): str(s) for i, s in rows}


def _prepare(url: str) -> None:
    """The store's schema and the queue's, as a deployment's `zoomaudit` start would make them."""
    from zoomaudit.queue.app import prepare_queue
    from zoomaudit.store import Store

    Store(url).close()
    prepare_queue(url)


def audit_with_workers(
    sandbox: SandboxProcess, workers: int, concurrency: int, share: float = 1.0
) -> dict[str, Any]:
    from tests.postgres_server import PostgresServer

    accounts = sandbox.accounts
    starts = {a.account_id: sandbox.round_trips(samples=3, env=a.env) for a in accounts}
    server = PostgresServer().start()
    try:
        url = server.url()
        _prepare(url)
        with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-workers-") as tmp:
            workdir = Path(tmp)
            path, credentials = accounts_file(accounts, workdir, share)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
            env.update(credentials)
            env["ZOOMAUDIT_ACCOUNTS"] = str(path)
            env["ZOOMAUDIT_DATABASE_URL"] = url
            job_ids = _defer_audits(url, [a.name for a in accounts])
            before = sandbox.stats()
            since = before["entries"]
            started_at = time.time()
            t0 = time.perf_counter()
            procs = []
            for n in range(workers):
                log = (workdir / f"worker{n}.log").open("wb")
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "zoomaudit", "worker", "--concurrency", str(concurrency)],
                        env=env,
                        cwd=workdir,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            watched = [psutil.Process(p.pid) for p in procs]
            peak_rss = dict.fromkeys(range(workers), 0.0)
            cpu = dict.fromkeys(range(workers), 0.0)
            statuses: dict[int, str] = {}
            while time.perf_counter() - t0 < TIMEOUT_S:
                for n, proc in enumerate(watched):
                    try:
                        peak_rss[n] = max(peak_rss[n], proc.memory_info().rss / 2**20)
                        times = proc.cpu_times()
                        cpu[n] = times.user + times.system
                    except psutil.Error:
                        pass
                statuses = _statuses(url, job_ids)
                if len(statuses) == len(job_ids) and all(s in FINISHED for s in statuses.values()):
                    break
                if any(p.poll() is not None for p in procs):
                    break  # a worker died: reported below, not waited on
                time.sleep(0.05)
            wall = time.perf_counter() - t0
            exits = []
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                try:
                    exits.append(proc.wait(timeout=60))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    exits.append(proc.wait())
            tails = [(workdir / f"worker{n}.log").read_text(errors="replace")[-1500:] for n in range(workers)]
    finally:
        server.stop()
    sandbox_cpu_s = sandbox.stats(since)["cpu_seconds"] - before["cpu_seconds"]
    per_account = []
    for account in accounts:
        rtt = starts[account.account_id]
        per_account.append(
            account_figures(
                sandbox, account, since, started_at, share, sequential_start(rtt["token_s"], rtt["api_s"])
            )
        )
    slowest = max(per_account, key=lambda f: f["bound"]["total_s"])
    slowest_s = slowest["bound"]["total_s"]
    failed = sorted(str(i) for i, s in statuses.items() if s != "succeeded")
    return {
        "mode": f"{workers} zoomaudit worker processes (concurrency {concurrency} each), PostgreSQL queue",
        "accounts": len(accounts),
        "share": share,
        "wall_s": wall,
        "slowest_bound_s": slowest_s,
        "slowest_bound_account": slowest["name"],
        "ratio_to_slowest_bound": wall / slowest_s if slowest_s else None,
        "peak_rss_mb": max(peak_rss.values()),
        "peak_rss_mb_sum": sum(peak_rss.values()),
        "cpu_s": sum(cpu.values()),
        "sandbox_cpu_s": sandbox_cpu_s,
        "requests_total": sum(sum(f["requests"].values()) for f in per_account),
        "jobs": {str(i): s for i, s in statuses.items()},
        "failed": failed if len(statuses) == len(job_ids) else ["not all jobs finished", *failed],
        "worker_exit_codes": exits,
        "worker_log_tails": tails if failed else [],
        "over_budget": {f["name"]: f["over_budget"] for f in per_account if f["over_budget"]},
        "rate_limited": sum(f["rate_limited"] for f in per_account),
        "per_account": per_account,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--meetings", type=int, default=MEETINGS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args(argv)
    measured_on = machine()
    result = on_many_accounts(
        {"workers": lambda sandbox: audit_with_workers(sandbox, args.workers, args.concurrency)},
        args.accounts,
        args.users,
        args.meetings,
    )["workers"]
    result["machine"] = measured_on
    if args.save is not None:
        args.save.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "per_account"}, indent=2))
    return 1 if result["failed"] or result["over_budget"] else 0


if __name__ == "__main__":
    sys.exit(main())
