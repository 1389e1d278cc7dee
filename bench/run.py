"""`make bench`: whole-account audits against a rate-limited sandbox, the baseline, evaluation, start-up.

Every timed thing runs as a process of its own, as a user would run it: the sandbox (with
Zoom's per-second limits of the plan in a sliding one-second window, and 50 +- 10 ms of added
latency), ``zoomaudit audit``, the naive script,
the evaluation benchmark, ``zoomaudit --help``. The sandbox counts the requests (ground truth).
Figures go to bench/results/<name>.json and, with --update-docs, into docs/performance.md.

    .venv/bin/python bench/run.py            # the full bench (~10-15 min on 2 cores)
    .venv/bin/python bench/run.py --quick    # a smoke run (~1-2 min), extrapolated baseline
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable as a package
    sys.path.insert(0, str(ROOT))

import bench.accounts as bench_accounts  # noqa: E402
import bench.rejudge as bench_rejudge  # noqa: E402
import bench.workers as bench_workers  # noqa: E402
from bench.bound import extrapolate, lower_bound, ratio, sequential_start  # noqa: E402
from bench.measure import ProcessRun, machine, median_of, run_process  # noqa: E402
from bench.report import markdown, update_doc  # noqa: E402
from bench.sandbox_proc import Account, SandboxProcess  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
ZOOMAUDIT = str(Path(sys.executable).with_name("zoomaudit"))


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    """The parent's environment without any zoomaudit or Zoom setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
    env.update(extra)
    return env


def audit_env(sandbox: SandboxProcess, tmp: str, share: float, plan: str) -> dict[str, str]:
    return clean_env(
        **sandbox.env,
        ZOOMAUDIT_DATABASE_URL=f"sqlite:///{tmp}/bench.db",
        ZOOMAUDIT_RATE_SHARE=str(share),
        ZOOMAUDIT_RATE_PLAN=plan,
    )


def audit_account(sandbox: SandboxProcess, share: float, start_s: float) -> dict[str, Any]:
    """One whole-account audit as a process; its requests as the sandbox counted them."""
    from zoomaudit.settings import RATE_LIMITS

    plan = sandbox.account.plan
    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-") as tmp:
        mark = sandbox.stats()
        report = Path(tmp) / "report.json"
        command = [ZOOMAUDIT, "audit", "--quiet", "--format", "json", "--output", str(report)]
        proc = run_process(command, env=audit_env(sandbox, tmp, share, plan), cwd=tmp)
        seen = sandbox.stats(mark["entries"], arrivals_from=proc.started_at)
        summary = json.loads(report.read_text())["summary"] if report.exists() else {}
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"the audit failed (exit {proc.returncode}): {proc.stderr_tail}")
    requests = seen["requests"]
    bound = lower_bound(requests, RATE_LIMITS[plan], share, start_s)
    first, last = seen["first"] or proc.started_at, seen["last"] or proc.started_at
    return {
        "share": share,
        "account": {"users": sandbox.info["users"], "meetings": sandbox.info["meetings"]},
        "exit_code": proc.returncode,
        "wall_s": proc.wall_s,
        "cpu_s": proc.cpu_s,
        "user_s": proc.user_s,
        "system_s": proc.system_s,
        "peak_rss_mb": proc.peak_rss_mb,
        "peak_rss_until_last_request_mb": proc.peak_rss_between(proc.started_at, last),
        "peak_rss_after_last_request_mb": proc.peak_rss_between(last, proc.started_at + proc.wall_s),
        "cpu_share_of_wall": proc.cpu_s / proc.wall_s,
        "load_average": {"before": load_before, "after": _load()},
        "phases_s": {
            "start_to_first_request": first - proc.started_at,
            "first_to_last_request": last - first,
            "last_request_to_exit": proc.started_at + proc.wall_s - last,
        },
        "sandbox_cpu_s": seen["cpu_seconds"] - mark["cpu_seconds"],
        "requests": requests,
        "requests_total": sum(requests.values()),
        "routes": seen["routes"],
        "rate_limited": sum(seen["rate_limited"].values()),
        "rate_limited_by_category": seen["rate_limited"],
        "rate_limit_episodes": seen["rate_limit_episodes"],
        "max_in_one_second": seen["max_in_one_second"],
        "max_in_one_second_at_arrival": seen["max_in_one_second_at_arrival"],
        "bound": {**bound.__dict__, "total_s": bound.total_s},
        "ratio": ratio(proc.wall_s, bound),
        "api_phase_ratio": (last - first) / bound.rate_s if bound.rate_s else None,
        "audited": summary,
        "rate_window": sandbox.account.rate_window,
        "jitter_ms": sandbox.account.jitter_ms,
        # The sandbox's first arrival of any request (the token POST) after the spawn.
        "first_request_s": (seen["first_received"] - proc.started_at) if seen["first_received"] else None,
        # The busiest one-second span of the arrivals the sandbox's rate limit accepted, at the
        # arrival times it judged them by (ratelimit.QpsLimiter).
        "busiest_span_accepted": seen["max_in_one_second_accepted"],
    }


def _load() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def show_audit(name: str, a: dict[str, Any]) -> None:
    b = a["bound"]
    log(
        f"{name}: {a['wall_s']:.1f} s wall, bound {b['total_s']:.1f} s ({b['limiting']}), "
        f"ratio {a['ratio']:.3f}; {a['rate_limited']} x 429 in {a['rate_limit_episodes']} episodes; "
        f"requests {a['requests']}; busiest span accepted {a['busiest_span_accepted']}"
        f" ({a['rate_window']} window, +-{a['jitter_ms']:g} ms); first request {a['first_request_s']:.3f} s; "
        f"API phase {a['phases_s']['first_to_last_request']:.1f} s; peak RSS {a['peak_rss_mb']:.0f} MB"
        f" (until the last request {a['peak_rss_until_last_request_mb'] or 0:.0f} MB);"
        f" CPU {a['cpu_s']:.1f} s (sandbox {a['sandbox_cpu_s']:.1f} s); load {a['load_average']}"
    )


def timed_runs(command: list[str], runs: int, env: dict[str, str], cwd: str) -> list[ProcessRun]:
    out = []
    for _ in range(runs):
        proc = run_process(command, env=env, cwd=cwd)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(command)} failed (exit {proc.returncode}): {proc.stderr_tail}")
        out.append(proc)
    return out


def single_meeting(sandbox: SandboxProcess, runs: int) -> dict[str, Any]:
    """``zoomaudit audit --meeting ID --quiet``: on an existing database (the usual case: the
    first run made it) and on a fresh one each time (a first run's cost, migrations included)."""
    mid = str(sandbox.info["sample_meeting_id"])
    command = [ZOOMAUDIT, "audit", "--meeting", mid, "--quiet"]
    fresh: list[ProcessRun] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-") as tmp:
            fresh += timed_runs(command, 1, audit_env(sandbox, tmp, 0.5, sandbox.account.plan), tmp)
    with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-") as tmp:
        env = audit_env(sandbox, tmp, 0.5, sandbox.account.plan)
        timed_runs(command, 1, env, tmp)  # creates the database; not counted
        warm = timed_runs(command, runs, env, tmp)
    return {
        "meeting_id": int(mid),
        "runs_s": [p.wall_s for p in warm],
        "median_s": median_of(warm),
        "fresh_database_runs_s": [p.wall_s for p in fresh],
        "fresh_database_median_s": median_of(fresh),
        "cpu_median_s": statistics.median(p.cpu_s for p in warm),
        "peak_rss_mb": max(p.peak_rss_mb for p in fresh + warm),
    }


def help_time(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        procs = timed_runs([ZOOMAUDIT, "--help"], runs, clean_env(), tmp)
    return {"runs_s": [p.wall_s for p in procs], "median_s": median_of(procs)}


def naive(sandbox: SandboxProcess, max_users: int | None) -> dict[str, Any]:
    mark = sandbox.mark()
    command = [sys.executable, "-m", "bench.naive"]
    if max_users is not None:
        command += ["--max-users", str(max_users)]
    proc = run_process(command, env=clean_env(**sandbox.env), cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"the naive client failed: {proc.stderr_tail}")
    result: dict[str, Any] = json.loads(proc.stdout)
    done, total = result["users_done"], result["users_total"]
    # The process's own start-up is paid once, like the listing: both stay out of the scaling.
    startup = proc.wall_s - result["elapsed_s"]
    result["extrapolated"] = done < total
    result["measured_wall_s"] = proc.wall_s
    result["wall_s"] = startup + extrapolate(result["elapsed_s"], result["setup_s"], done, total)
    result["sandbox_requests"] = sandbox.stats(mark)["requests"]
    return result


def evaluation(meetings: int, repeat: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.evaluation", "--meetings", str(meetings), "--repeat", str(repeat)]
    proc = run_process(command, env=clean_env(), cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"the evaluation benchmark failed: {proc.stderr_tail}")
    result: dict[str, Any] = json.loads(proc.stdout)
    result["peak_rss_mb"] = proc.peak_rss_mb
    return result


def fixed_window(account: Account) -> dict[str, Any]:
    """The share-1.0 audit against a sandbox counting fixed clock seconds: for comparison."""
    fixed = replace(account, rate_window="fixed")
    log("whole-account audit at share 1.0 under fixed one-second windows ...")
    with SandboxProcess(fixed) as sandbox:
        rtt = sandbox.round_trips()
        a = audit_account(sandbox, 1.0, sequential_start(rtt["token_s"], rtt["api_s"]))
    show_audit("audit_fixed_share_1", a)
    return a


def memory_growth(args: argparse.Namespace, large: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same audit on a smaller account (users = meetings / 10): how peak RSS grows with size."""
    small = Account(
        max(1, args.small_meetings // 10),
        args.small_meetings,
        args.seed,
        args.plan,
        args.latency_ms,
        args.jitter_ms,
    )
    log(f"memory growth: audit of {small.users} users, {small.meetings:,} meetings at share 1.0 ...")
    with SandboxProcess(small) as sandbox:
        rtt = sandbox.round_trips()
        a = audit_account(sandbox, 1.0, sequential_start(rtt["token_s"], rtt["api_s"]))
    show_audit("audit_small", a)
    meetings = (a["account"]["meetings"], large["account"]["meetings"])
    rss = (a["peak_rss_mb"], large["peak_rss_mb"])
    growth = {
        "small_meetings": meetings[0],
        "large_meetings": meetings[1],
        "small_rss_mb": rss[0],
        "large_rss_mb": rss[1],
        "meetings_factor": meetings[1] / meetings[0],
        "rss_factor": rss[1] / rss[0],
        "kb_per_meeting": (rss[1] - rss[0]) * 1024 / max(1, meetings[1] - meetings[0]),
        "small_rss_until_last_request_mb": a["peak_rss_until_last_request_mb"],
        "large_rss_until_last_request_mb": large["peak_rss_until_last_request_mb"],
    }
    growth["sub_linear"] = growth["rss_factor"] < growth["meetings_factor"]
    return a, growth


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="zoomaudit benchmarks (docs/performance.md).")
    p.add_argument("--quick", action="store_true", help="A small, fast smoke run.")
    p.add_argument("--users", type=int, help="Users of the account (default 500; quick 50).")
    p.add_argument("--meetings", type=int, help="Scheduled meetings (default 5000; quick 500).")
    p.add_argument("--small-meetings", type=int, help="Second size for memory growth (default meetings/5).")
    p.add_argument("--plan", default="business", choices=("pro", "business", "enterprise"))
    p.add_argument("--latency-ms", type=float, default=50.0, help="Added latency per API request.")
    p.add_argument("--jitter-ms", type=float, default=10.0, help="The latency varies within +- this.")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--naive-users", type=int, help="Stop the baseline after N users and extrapolate.")
    p.add_argument("--eval-meetings", type=int, help="Meetings for the evaluation benchmark (100000).")
    p.add_argument("--runs", type=int, help="Runs of the single-meeting audit and of --help (5; quick 3).")
    p.add_argument(
        "--only",
        default="eval,help,audit,fixed,single,rejudge,naive,growth",
        help="Comma-separated parts to run: eval, help, audit (sliding window, shares 1.0 and 0.5), "
        "fixed (share 1.0 under fixed windows), single, rejudge, naive, growth; and, not by default, "
        "accounts (20 accounts x 250 meetings: one audit process per account, then one process "
        "for all; quick 3 x 50).",
    )
    p.add_argument("--name", help="Results file bench/results/<name>.json (default full or quick).")
    p.add_argument("--update-docs", action="store_true", help="Write the table into docs/performance.md.")
    p.add_argument(
        "--docs-from", type=Path, help="Measure nothing: write this results file's table into the docs."
    )
    args = p.parse_args(argv)
    quick = args.quick
    args.users = args.users or (50 if quick else 500)
    args.meetings = args.meetings if args.meetings is not None else (500 if quick else 5000)
    args.small_meetings = args.small_meetings or max(1, args.meetings // 5)
    if args.naive_users is None and quick:
        args.naive_users = 10
    args.eval_meetings = args.eval_meetings or (10_000 if quick else 100_000)
    args.runs = args.runs or (3 if quick else 5)
    args.name = args.name or ("quick" if quick else "full")
    return args


def compile_package() -> None:
    """Write the package's bytecode, as pip does when it installs a wheel. An editable install
    has none, and with PYTHONDONTWRITEBYTECODE set (these machines set it) every process would
    compile zoomaudit's ~110 modules again: ~0.1 s of each single-meeting audit that an
    installed zoomaudit never pays."""
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "zoomaudit"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.docs_from:
        update_doc(DOC, json.loads(args.docs_from.read_text(encoding="utf-8")))
        log(f"table of {args.docs_from} written into {DOC.relative_to(ROOT)}")
        return 0
    parts = set(args.only.split(","))
    compile_package()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "name": args.name,
        "command": " ".join(["python bench/run.py", *(sys.argv[1:] if argv is None else argv)]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "config": {k: v for k, v in vars(args).items() if k not in ("update_docs", "docs_from")},
    }
    if "eval" in parts:
        log(f"evaluation: {args.eval_meetings:,} meetings x the pack ...")
        results["evaluation"] = ev = evaluation(args.eval_meetings, 3)
        log(
            f"evaluation: {ev['checks_per_s']:,.0f} checks/s, {ev['checks']:,} checks in {ev['best_s']:.2f} s"
        )
    if "help" in parts:
        results["help"] = h = help_time(args.runs)
        log(f"zoomaudit --help: median {h['median_s']:.2f} s")
    account = Account(args.users, args.meetings, args.seed, args.plan, args.latency_ms, args.jitter_ms)
    if parts & {"audit", "single", "naive", "rejudge"}:
        log(
            f"sandbox: {args.users} users, {args.meetings:,} meetings, {args.plan},"
            f" +{args.latency_ms:g} +- {args.jitter_ms:g} ms, sliding window"
        )
        with SandboxProcess(account) as sandbox:
            rtt = sandbox.round_trips()
            start_s = sequential_start(rtt["token_s"], rtt["api_s"])
            results["round_trips_s"] = rtt
            if "audit" in parts:
                for key, share in (("audit_share_1", 1.0), ("audit_share_half", 0.5)):
                    log(f"whole-account audit at share {share} ...")
                    results[key] = audit_account(sandbox, share, start_s)
                    show_audit(key, results[key])
            if "single" in parts:
                results["single_meeting"] = s = single_meeting(sandbox, args.runs)
                log(
                    f"single-meeting audit: median {s['median_s']:.2f} s"
                    f" (fresh database {s['fresh_database_median_s']:.2f} s)"
                )
            if "rejudge" in parts:
                log("rejudge of a whole-account audit (audit once, then rejudge latest) ...")
                results["rejudge"] = r = bench_rejudge.measure(
                    ZOOMAUDIT, lambda tmp: audit_env(sandbox, tmp, 1.0, args.plan), args.runs
                )
                log(f"rejudge: median {r['median_s']:.2f} s, snapshot {r['snapshot_bytes'] / 1e6:.2f} MB")
            if "naive" in parts:
                log(f"naive sequential client ({args.naive_users or 'all'} users) ...")
                results["naive"] = n = naive(sandbox, args.naive_users)
                how = "extrapolated" if n["extrapolated"] else "measured"
                log(f"naive: {n['wall_s']:.1f} s ({how}), {n['requests']} requests")
    if "fixed" in parts:
        results["audit_fixed_share_1"] = fixed_window(account)
    if "accounts" in parts:
        scale = (
            (3, 5, 50)
            if args.quick
            else (bench_accounts.ACCOUNTS, bench_accounts.USERS, bench_accounts.MEETINGS)
        )
        log(f"{scale[0]} accounts x {scale[2]} meetings: one process each, one for all, 2 workers ...")
        many = bench_accounts.on_many_accounts(
            {
                "accounts_separate": bench_accounts.audit_in_separate_processes,
                "accounts_one_process": bench_accounts.audit_in_one_process,
                "accounts_workers": lambda sandbox: bench_workers.audit_with_workers(sandbox, 2, 10),
            },
            *scale,
            plan=args.plan,
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
        )
        results.update(many)
        log(bench_accounts.show(many["accounts_separate"]))
        log(bench_accounts.show_one_process(many["accounts_one_process"]))
        log(bench_accounts.show_one_process(many["accounts_workers"]))
    if "growth" in parts and "audit" in parts:
        results["audit_small"], results["memory_growth"] = memory_growth(args, results["audit_share_1"])
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["bench_wall_s"] = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{args.name}.json"
    out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(markdown(results))
    log(f"results written to {out.relative_to(ROOT)} ({results['bench_wall_s']:.0f} s)")
    if args.update_docs:
        update_doc(DOC, results)
        log(f"table written into {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
