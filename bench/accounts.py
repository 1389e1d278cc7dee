"""Many accounts (issue 18): the sandbox serving N accounts, and what each account's audit costs.

Zoom's rate budget is per account, so N accounts audited at once can finish in about the time of
the slowest one's bound (bench/bound.py), if nothing is shared that should not be. This part
provides the harness for that measurement:

- ``many_accounts``: N account specs (users, meetings, plan, latency +- jitter) for one sandbox
  process serving them all (bench/sandbox_proc.py);
- ``account_figures``: per account, its requests as the sandbox counted them, its lower bound,
  and its busiest one-second span against its plan's budget (which must never be exceeded);
- ``audit_in_separate_processes``: the baseline, one ``zoomaudit audit`` process per account,
  all at once, each with its own ZOOM_* variables and database. One process auditing every
  account concurrently (``--all-accounts``) is measured against the same figures once it exists.

    PYTHONPATH=src .venv/bin/python -m bench.accounts --accounts 3 --meetings 50   # a small run
    PYTHONPATH=src .venv/bin/python -m bench.accounts                              # 20 x 250
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable as a package
    sys.path.insert(0, str(ROOT))

from bench.bound import lower_bound, sequential_start  # noqa: E402
from bench.measure import ProcessRun, machine, run_process  # noqa: E402
from bench.sandbox_proc import Account, SandboxProcess, ServedAccount  # noqa: E402

ZOOMAUDIT = str(Path(sys.executable).with_name("zoomaudit"))
RESULTS = ROOT / "bench" / "results"

ACCOUNTS = 20
USERS = 25
MEETINGS = 250
"""The issue's scale: 20 accounts x 250 meetings (Business budgets, 50 ms latency)."""
FULL = (ACCOUNTS, USERS, MEETINGS)
QUICK = (3, 5, 50)
"""(accounts, users each, meetings each) of the full and the quick run."""


def many_accounts(
    count: int = ACCOUNTS,
    users: int = USERS,
    meetings: int = MEETINGS,
    *,
    plan: str = "business",
    latency_ms: float = 50.0,
    jitter_ms: float = 10.0,
    seed: int = 1,
) -> list[Account]:
    """``count`` alike account specs; the sandbox gives each its own data (acct01...)."""
    return [
        Account(
            users=users, meetings=meetings, seed=seed, plan=plan, latency_ms=latency_ms, jitter_ms=jitter_ms
        )
        for _ in range(count)
    ]


def account_env(account: ServedAccount, workdir: Path, share: float) -> dict[str, str]:
    """The environment of one account's ``zoomaudit audit``: its Zoom variables and a database
    of its own, nothing inherited from the caller's zoomaudit settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
    env.update(account.env)
    env["ZOOMAUDIT_DATABASE_URL"] = f"sqlite:///{workdir / 'zoomaudit.db'}"
    env["ZOOMAUDIT_RATE_SHARE"] = str(share)
    env["ZOOMAUDIT_RATE_PLAN"] = account.spec.plan
    return env


def account_figures(
    sandbox: SandboxProcess,
    account: ServedAccount,
    since: int,
    started_at: float,
    share: float,
    start_s: float,
) -> dict[str, Any]:
    """One account's requests since log entry ``since``, its bound and its busiest spans."""
    from zoomaudit.settings import RATE_LIMITS

    seen = sandbox.stats(since, arrivals_from=started_at, account=account.account_id)
    bound = lower_bound(seen["requests"], RATE_LIMITS[account.spec.plan], share, start_s)
    limits: dict[str, int] = seen["limits"] or {}
    busiest: dict[str, int] = seen["max_in_one_second_accepted"]
    return {
        "name": account.name,
        "account_id": account.account_id,
        "requests": seen["requests"],
        "rate_limited": sum(seen["rate_limited"].values()),
        "first": seen["first"],
        "last": seen["last"],
        "bound": {**asdict(bound), "total_s": bound.total_s},
        "budget": limits,
        # The busiest one-second span of what the account's rate limit accepted, at the arrival
        # times it judged them by: over the budget would mean the sandbox let a burst through.
        "busiest_span_accepted": busiest,
        "busiest_span_at_arrival": seen["max_in_one_second_at_arrival"],
        "over_budget": {c: n for c, n in busiest.items() if n > limits.get(c, n)},
    }


def busiest_span_report(
    sandbox: SandboxProcess, since: int = 0, arrivals_from: float = 0.0
) -> list[dict[str, Any]]:
    """Per account: its busiest accepted one-second span per category against its budget."""
    out = []
    for account in sandbox.accounts:
        seen = sandbox.stats(since, arrivals_from=arrivals_from, account=account.account_id)
        out.append(
            {
                "name": account.name,
                "busiest_span_accepted": seen["max_in_one_second_accepted"],
                "budget": seen["limits"],
            }
        )
    return out


def _audit_one(account: ServedAccount, workdir: Path, share: float) -> tuple[ProcessRun, dict[str, Any]]:
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / "report.json"
    command = [ZOOMAUDIT, "audit", "--quiet", "--format", "json", "--output", str(report)]
    proc = run_process(command, env=account_env(account, workdir, share), cwd=str(workdir))
    summary = json.loads(report.read_text())["summary"] if report.exists() else {}
    return proc, summary


def audit_in_separate_processes(sandbox: SandboxProcess, share: float = 1.0) -> dict[str, Any]:
    """The baseline: every account audited at once, one ``zoomaudit audit`` process each.

    Each process has its own client and so its own pacing of its account's budget: the wall
    time of the whole is set by the slowest account (against the slowest account's bound), and
    the memory is the sum of N processes (what one multi-account process should beat).
    """
    accounts = sandbox.accounts
    # Each account's sequential start (a token, then the account settings), measured before the
    # run so that the round trips are not queued behind the audits.
    starts = {a.account_id: sandbox.round_trips(samples=3, env=a.env) for a in accounts}
    with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-accounts-") as tmp:
        before = sandbox.stats()
        since = before["entries"]
        started_at = time.time()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(accounts)) as pool:
            futures = [pool.submit(_audit_one, a, Path(tmp) / a.name, share) for a in accounts]
            results = [f.result() for f in futures]
        wall = time.perf_counter() - t0
    # One sandbox process answers every account: its CPU time tells whether it, rather than the
    # auditors or the rate budgets, set the pace (it has one core of the machine at most).
    sandbox_cpu_s = sandbox.stats(since)["cpu_seconds"] - before["cpu_seconds"]
    per_account = []
    for account, (proc, summary) in zip(accounts, results, strict=True):
        rtt = starts[account.account_id]
        figures = account_figures(
            sandbox, account, since, proc.started_at, share, sequential_start(rtt["token_s"], rtt["api_s"])
        )
        bound_s = figures["bound"]["total_s"]
        figures.update(
            exit_code=proc.returncode,
            wall_s=proc.wall_s,
            cpu_s=proc.cpu_s,
            peak_rss_mb=proc.peak_rss_mb,
            ratio=proc.wall_s / bound_s if bound_s else None,
            audited=summary,
            stderr_tail=proc.stderr_tail if proc.returncode not in (0, 1) else "",
        )
        per_account.append(figures)
    slowest = max(per_account, key=lambda f: f["bound"]["total_s"])
    return {
        "mode": "one zoomaudit audit process per account, all at once",
        "accounts": len(accounts),
        "share": share,
        "wall_s": wall,
        "started_at": started_at,
        "slowest_bound_s": slowest["bound"]["total_s"],
        "slowest_bound_account": slowest["name"],
        "ratio_to_slowest_bound": wall / slowest["bound"]["total_s"] if slowest["bound"]["total_s"] else None,
        "peak_rss_mb_sum": sum(f["peak_rss_mb"] for f in per_account),
        "peak_rss_mb_max": max(f["peak_rss_mb"] for f in per_account),
        "cpu_s_sum": sum(f["cpu_s"] for f in per_account),
        "sandbox_cpu_s": sandbox_cpu_s,
        "requests_total": sum(sum(f["requests"].values()) for f in per_account),
        "failed": [f["name"] for f in per_account if f["exit_code"] not in (0, 1)],
        "over_budget": {f["name"]: f["over_budget"] for f in per_account if f["over_budget"]},
        "rate_limited": sum(f["rate_limited"] for f in per_account),
        "per_account": per_account,
    }


def accounts_file(accounts: list[ServedAccount], workdir: Path, share: float) -> tuple[Path, dict[str, str]]:
    """An accounts file (ZOOMAUDIT_ACCOUNTS) naming every served account, and the environment
    variables that hold their credentials (the file names the variables, never the secrets)."""
    env: dict[str, str] = {}
    lines = ["accounts:"]
    for account in accounts:
        prefix = account.name.upper().replace("-", "_")
        env[f"{prefix}_ZOOM_CLIENT_ID"] = account.client_id
        env[f"{prefix}_ZOOM_CLIENT_SECRET"] = account.client_secret
        lines += [
            f"  - name: {account.name}",
            f"    account_id: {account.account_id}",
            f"    client_id_env: {prefix}_ZOOM_CLIENT_ID",
            f"    client_secret_env: {prefix}_ZOOM_CLIENT_SECRET",
            f"    api_base_url: {account.base_url}",
            f"    oauth_token_url: {account.env['ZOOM_OAUTH_TOKEN_URL']}",
            f"    rate_plan: {account.spec.plan}",
            f"    rate_share: {share}",
        ]
    path = workdir / "accounts.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path, env


def audit_in_one_process(sandbox: SandboxProcess, share: float = 1.0) -> dict[str, Any]:
    """Every account audited by ONE process (``zoomaudit audit --all-accounts``): each account on
    its own client and rate budget, concurrently, one report each, one database."""
    accounts = sandbox.accounts
    starts = {a.account_id: sandbox.round_trips(samples=3, env=a.env) for a in accounts}
    with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-accounts-") as tmp:
        workdir = Path(tmp)
        path, credentials = accounts_file(accounts, workdir, share)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
        env.update(credentials)
        env["ZOOMAUDIT_ACCOUNTS"] = str(path)
        env["ZOOMAUDIT_DATABASE_URL"] = f"sqlite:///{workdir / 'zoomaudit.db'}"
        before = sandbox.stats()
        since = before["entries"]
        command = [
            ZOOMAUDIT, "audit", "--all-accounts", "--quiet", "--format", "json",
            "--output", str(workdir / "{account}.json"),
        ]  # fmt: skip
        proc = run_process(command, env=env, cwd=str(workdir))
        summaries = {}
        for account in accounts:
            report = workdir / f"{account.name}.json"
            summaries[account.name] = json.loads(report.read_text())["summary"] if report.exists() else {}
    sandbox_cpu_s = sandbox.stats(since)["cpu_seconds"] - before["cpu_seconds"]
    per_account = []
    for account in accounts:
        rtt = starts[account.account_id]
        figures = account_figures(
            sandbox, account, since, proc.started_at, share, sequential_start(rtt["token_s"], rtt["api_s"])
        )
        figures.update(audited=summaries[account.name], reported=bool(summaries[account.name]))
        per_account.append(figures)
    slowest = max(per_account, key=lambda f: f["bound"]["total_s"])
    slowest_s = slowest["bound"]["total_s"]
    return {
        "mode": "one zoomaudit audit --all-accounts process",
        "accounts": len(accounts),
        "share": share,
        "exit_code": proc.returncode,
        "wall_s": proc.wall_s,
        "started_at": proc.started_at,
        "slowest_bound_s": slowest_s,
        "slowest_bound_account": slowest["name"],
        "ratio_to_slowest_bound": proc.wall_s / slowest_s if slowest_s else None,
        "peak_rss_mb": proc.peak_rss_mb,
        "cpu_s": proc.cpu_s,
        "cpu_share_of_wall": proc.cpu_s / proc.wall_s if proc.wall_s else None,
        "sandbox_cpu_s": sandbox_cpu_s,
        "requests_total": sum(sum(f["requests"].values()) for f in per_account),
        "failed": [f["name"] for f in per_account if not f["reported"]],
        "over_budget": {f["name"]: f["over_budget"] for f in per_account if f["over_budget"]},
        "rate_limited": sum(f["rate_limited"] for f in per_account),
        "stderr_tail": proc.stderr_tail if proc.returncode not in (0, 1) else "",
        "per_account": per_account,
    }


def on_many_accounts(
    measures: Mapping[str, Callable[[SandboxProcess], dict[str, Any]]],
    count: int = ACCOUNTS,
    users: int = USERS,
    meetings: int = MEETINGS,
    *,
    plan: str = "business",
    latency_ms: float = 50.0,
    jitter_ms: float = 10.0,
) -> dict[str, dict[str, Any]]:
    """One sandbox of ``count`` accounts, and each of ``measures`` run against it in turn (one
    process per account, one process for all, N workers): results by the measure's key."""
    specs = many_accounts(count, users, meetings, plan=plan, latency_ms=latency_ms, jitter_ms=jitter_ms)
    results = {}
    with SandboxProcess(specs) as sandbox:
        for key, measure in measures.items():
            result = measure(sandbox)
            result["scale"] = {"accounts": count, "users": users, "meetings": meetings, "plan": plan}
            results[key] = result
    return results


def show(result: dict[str, Any]) -> str:
    """A few lines for a person: the whole, then one line per account."""
    lines = [
        f"{result['accounts']} accounts, {result['mode']}: {result['wall_s']:.1f} s wall; slowest "
        f"account's bound {result['slowest_bound_s']:.1f} s ({result['slowest_bound_account']}), ratio "
        f"{result['ratio_to_slowest_bound']:.2f}; peak RSS {result['peak_rss_mb_sum']:.0f} MB in all "
        f"(largest {result['peak_rss_mb_max']:.0f} MB); CPU {result['cpu_s_sum']:.1f} s "
        f"(sandbox {result['sandbox_cpu_s']:.1f} s for {result['requests_total']} requests); "
        f"{result['rate_limited']} x 429; over budget: {result['over_budget'] or 'none'}; "
        f"failed: {result['failed'] or 'none'}"
    ]
    for f in result["per_account"]:
        ratio_text = f"{f['ratio']:.2f}" if f["ratio"] else "-"
        lines.append(
            f"  {f['name']}: exit {f['exit_code']}, {f['wall_s']:.1f} s, bound {f['bound']['total_s']:.1f} s "
            f"({f['bound']['limiting']}), ratio {ratio_text}; requests {f['requests']}; busiest span "
            f"{f['busiest_span_accepted']} of {f['budget']}; peak RSS {f['peak_rss_mb']:.0f} MB"
        )
    return "\n".join(lines)


def show_one_process(result: dict[str, Any]) -> str:
    """A few lines for a person about ``audit_in_one_process``."""
    lines = [
        f"{result['accounts']} accounts, {result['mode']}: exit {result.get('exit_code', '-')}, "
        f"{result['wall_s']:.1f} s wall; slowest account's bound {result['slowest_bound_s']:.1f} s, ratio "
        f"{result['ratio_to_slowest_bound']:.2f}; peak RSS {result['peak_rss_mb']:.0f} MB; CPU "
        f"{result['cpu_s']:.1f} s ({result['cpu_s'] / result['wall_s']:.0%} of the wall; sandbox "
        f"{result['sandbox_cpu_s']:.1f} s for {result['requests_total']} requests); "
        f"{result['rate_limited']} x 429; over budget: {result['over_budget'] or 'none'}; "
        f"not reported: {result['failed'] or 'none'}"
    ]
    for f in result["per_account"]:
        lines.append(
            f"  {f['name']}: bound {f['bound']['total_s']:.1f} s ({f['bound']['limiting']}); requests "
            f"{f['requests']}; busiest span {f['busiest_span_accepted']} of {f['budget']}"
        )
    return "\n".join(lines)


TARGET_RATIO = 1.2
"""Issue 18: the accounts' wall time within 1.2 x the slowest account's lower bound."""


def rows(results: dict[str, Any], row: Callable[[str, str, str, bool | None], str]) -> list[str]:
    """The report's table rows of the several-accounts figures (``row`` is ``bench.report._row``)."""
    out = []
    for key, label in (
        ("accounts_one_process", "one process (`audit --all-accounts`)"),
        ("accounts_workers", "2 `zoomaudit worker` processes (PostgreSQL queue)"),
        ("accounts_separate", "one process per account (baseline)"),
    ):
        r = results.get(key)
        if not r:
            continue
        scale = r.get("scale", {})
        rss = r["peak_rss_mb"] if "peak_rss_mb" in r else r["peak_rss_mb_sum"]
        cpu = r["cpu_s"] if "cpu_s" in r else r["cpu_s_sum"]
        busiest = max((f["busiest_span_accepted"].get("light", 0) for f in r["per_account"]), default=0)
        out.append(
            row(
                f"{r['accounts']} accounts x {scale.get('meetings', '?')} meetings, {label}",
                f"<= {TARGET_RATIO:g} x the slowest account's bound; no account over its budget",
                f"{r['wall_s']:.1f} s against {r['slowest_bound_s']:.1f} s"
                f" = x{r['ratio_to_slowest_bound']:.2f};"
                f" CPU {cpu:.0f} s, sandbox {r['sandbox_cpu_s']:.0f} s; peak RSS {rss:.0f} MB;"
                f" {r['rate_limited']} x 429; busiest Light span {busiest}; over budget:"
                f" {', '.join(r['over_budget']) or 'none'}",
                r["ratio_to_slowest_bound"] <= TARGET_RATIO and not r["over_budget"] and not r["failed"],
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--meetings", type=int, default=MEETINGS)
    parser.add_argument("--plan", default="business", choices=("pro", "business", "enterprise"))
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--jitter-ms", type=float, default=10.0)
    parser.add_argument("--share", type=float, default=1.0)
    parser.add_argument("--save", type=Path, default=None, help="Write the figures as JSON here.")
    args = parser.parse_args(argv)
    measured_on = machine()  # before the run: its load average is the machine's, not the run's
    result = on_many_accounts(
        {"separate": lambda sandbox: audit_in_separate_processes(sandbox, share=args.share)},
        args.accounts,
        args.users,
        args.meetings,
        plan=args.plan,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
    )["separate"]
    result["machine"] = measured_on
    if args.save is not None:  # first: the figures are kept even if the printing fails
        args.save.write_text(json.dumps(result, indent=2) + "\n")
    print(show(result))
    return 1 if result["failed"] or result["over_budget"] else 0


if __name__ == "__main__":
    sys.exit(main())
