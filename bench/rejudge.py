"""Judging a stored run again (`zoomaudit rejudge latest`) on the benchmark's account.

Self-contained so that ``bench/run.py`` calls it in a few lines: it audits the sandbox once into
a database of its own (the snapshot to judge), then times ``zoomaudit rejudge latest`` as a whole
process, with the Zoom URLs pointed at a closed port (a request would fail the command), and
reports the size of the snapshot the audit kept.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measure import ProcessRun, run_process

CLOSED = "http://127.0.0.1:9"
TARGET_S = 5.0


def measure(zoomaudit: str, env_for: Callable[[str], dict[str, str]], runs: int = 3) -> dict[str, Any]:
    """Audit once (``env_for(tmp)`` is the audit's environment, database in ``tmp``), then time
    ``runs`` rejudges of it."""
    with tempfile.TemporaryDirectory(prefix="zoomaudit-bench-rejudge-") as tmp:
        env = env_for(tmp)
        audit = run_process(
            [zoomaudit, "audit", "--quiet", "--format", "json", "-o", f"{tmp}/a.json"], env=env, cwd=tmp
        )
        if audit.returncode not in (0, 1):
            raise RuntimeError(f"the audit failed (exit {audit.returncode}): {audit.stderr_tail}")
        offline = {**env, "ZOOM_API_BASE_URL": CLOSED, "ZOOM_OAUTH_TOKEN_URL": f"{CLOSED}/oauth/token"}
        command = [zoomaudit, "rejudge", "latest", "--format", "json", "--output", f"{tmp}/r.json"]
        timed = [run_process(command, env=offline, cwd=tmp) for _ in range(runs)]
        for proc in timed:
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"rejudge failed (exit {proc.returncode}): {proc.stderr_tail}")
        # Read only now: a child's ru_maxrss starts at its parent's RSS when it was forked, so
        # the reports' objects (~150 MB) must not be in this process while the children run.
        source = json.loads(Path(f"{tmp}/a.json").read_text())
        again = json.loads(Path(f"{tmp}/r.json").read_text())
        from zoomaudit.store import Store

        with Store(env["ZOOMAUDIT_DATABASE_URL"], migrate=False) as store:
            chunks, size = store.snapshots.size(source["run"]["id"])
    walls = [p.wall_s for p in timed]
    return {
        "meetings": source["summary"].get("meetings"),
        "checks": sum(v for k, v in again["summary"].items() if k in _VERDICTS),
        "same_summary": again["summary"] == source["summary"],
        "runs_s": walls,
        "median_s": statistics.median(walls),
        "cpu_s": statistics.median(p.cpu_s for p in timed),
        # Sampled RSS (every 50 ms): ru_maxrss would include the parent's at fork time.
        "peak_rss_mb": max(_sampled_peak(p) for p in timed),
        "peak_rss_mb_runs": [_sampled_peak(p) for p in timed],
        "audit_peak_rss_mb": _sampled_peak(audit),
        "snapshot_chunks": chunks,
        "snapshot_bytes": size,
    }


def _sampled_peak(proc: ProcessRun) -> float:
    return max((rss for _, rss in proc.rss_samples), default=0.0)


_VERDICTS = ("violations", "passed", "manual", "waived", "errors")


def rows(results: dict[str, Any], row: Callable[[str, str, str, bool | None], str]) -> list[str]:
    """The report's table rows of the rejudge figures (``row`` is ``bench.report._row``)."""
    r = results.get("rejudge")
    if not r:
        return []
    return [
        row(
            f"`zoomaudit rejudge latest`, {r['meetings']:,} meetings (whole process, no request to Zoom)",
            f"< {TARGET_S:g} s",
            f"median {r['median_s']:.2f} s of {len(r['runs_s'])} ({r['checks']:,} verdicts;"
            f" peak RSS {r['peak_rss_mb']:.0f} MB)",
            r["median_s"] < TARGET_S,
        ),
        row(
            "snapshot kept by that audit",
            "-",
            f"{r['snapshot_bytes'] / 1e6:.2f} MB compressed in {r['snapshot_chunks']} chunks"
            f" ({r['snapshot_bytes'] / max(1, r['meetings']):.0f} bytes per meeting)",
            None,
        ),
    ]
