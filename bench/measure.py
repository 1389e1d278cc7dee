"""Timing a child process: wall time, CPU time and peak RSS of exactly that process.

``os.wait4`` returns the resource usage of the one child it reaps; the sandbox process running
beside it is not counted. The peak RSS is the kernel's own high-water mark for the process
(``VmHWM`` in ``/proc/<pid>/status``, read with every sample: nothing is missed between samples but
what comes after the last one). ``ru_maxrss`` alone is not enough: Linux starts a child's
``ru_maxrss`` at its parent's high-water mark (the child shares the parent's memory until it
execs), so after the bench process grew (the rejudge part reads a whole run), an audit started
later reported ~246 MB that it never held. It still counts when it is above what the parent had
reached at the spawn (then it is the child's own), and where ``/proc`` is missing. RSS is also sampled
(psutil) with timestamps, to tell the audit's own peak from the report rendered after its last
request.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import psutil


@dataclass(frozen=True)
class ProcessRun:
    command: list[str]
    returncode: int
    wall_s: float
    user_s: float
    system_s: float
    peak_rss_mb: float
    started_at: float
    """``time.time()`` at spawn: lines the process up with the sandbox's request log."""
    stdout: str
    stderr_tail: str
    rss_samples: list[tuple[float, float]]
    """(``time.time()``, RSS in MB) every ``SAMPLE_EVERY`` seconds: where in the run memory peaks."""

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.system_s

    def peak_rss_between(self, start: float, end: float) -> float | None:
        """The highest sampled RSS (MB) between two ``time.time()`` instants, if any sample fell there."""
        inside = [rss for t, rss in self.rss_samples if start <= t <= end]
        return max(inside) if inside else None

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("stdout")
        out.pop("rss_samples")
        out["cpu_s"] = round(self.cpu_s, 3)
        return out


SAMPLE_EVERY = 0.05


def maxrss_mb(ru_maxrss: int) -> float:
    """``ru_maxrss`` is in KiB on Linux and in bytes on macOS."""
    scale = 1 if sys.platform == "darwin" else 1024
    return ru_maxrss * scale / (1024 * 1024)


def run_process(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 1800.0,
) -> ProcessRun:
    """Run ``command`` to completion and measure it. Output goes to temporary files, not pipes,
    so a chatty child never blocks on a full pipe while we wait for it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(command), env=dict(env) if env else None, cwd=cwd, stdout=out, stderr=err
        )
        # Read once the child has exec'd (Popen returns only then): what it may have inherited is
        # this process's peak up to the spawn, which is no more than its peak now.
        inherited = maxrss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        deadline = t0 + timeout
        samples: list[tuple[float, float]] = []
        hiwater: float | None = None
        watched = _watch(proc.pid)
        next_sample = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if watched is not None and now >= next_sample:
                next_sample = now + SAMPLE_EVERY
                try:
                    samples.append((time.time(), watched.memory_info().rss / 2**20))
                except psutil.Error:
                    watched = None
            # Every pass (5 ms), not every sample: the kernel keeps the mark, so only what comes
            # after the last read is missed.
            hiwater = max(filter(None, (hiwater, _hiwater_mb(proc.pid))), default=None)
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if wall > timeout:
        raise TimeoutError(f"{' '.join(command)} did not finish in {timeout:.0f} s")
    return ProcessRun(
        command=list(command),
        returncode=proc.returncode,
        wall_s=wall,
        user_s=usage.ru_utime,
        system_s=usage.ru_stime,
        peak_rss_mb=_peak(hiwater, maxrss_mb(usage.ru_maxrss), inherited),
        started_at=started_at,
        stdout=stdout,
        stderr_tail=stderr[-2000:],
        rss_samples=samples,
    )


def _peak(hiwater: float | None, maxrss: float, inherited: float) -> float:
    """The child's peak RSS from its sampled high-water mark and its ``ru_maxrss``, which may be
    its parent's (``inherited``: the parent's own peak, read just after the spawn)."""
    if hiwater is None:
        return maxrss
    return max(hiwater, maxrss) if maxrss > inherited else hiwater


def _hiwater_mb(pid: int) -> float | None:
    """The process's peak RSS so far (``VmHWM``), in MB; None without ``/proc`` or once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def _watch(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def median_of(runs: Sequence[ProcessRun]) -> float:
    return statistics.median(r.wall_s for r in runs)


def machine() -> dict[str, Any]:
    """What the figures were measured on (read at run time)."""
    import platform

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": _cpu_name() or platform.processor() or platform.machine(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }
    if hasattr(os, "getloadavg"):
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    return info


def _cpu_name() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None
