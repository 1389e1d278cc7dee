"""`zoomaudit demo` (what `make demo` runs) audits the sandbox, queues fixes and applies one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def test_demo_runs_the_whole_job_with_no_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOM_", "ZOOMAUDIT_"))}
    env["ZOOMAUDIT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    env["COLUMNS"] = "160"
    done = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "demo"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    summary = re.search(r"Run \S+ \(manual, account\) complete: (\d+) violation", out)
    assert summary
    assert int(summary.group(1)) > 0
    assert "pending" in out  # the suggested fixes are listed
    assert re.search(r"result: applied", out)
    assert re.search(r"now passes", out)
    report = re.search(r"The HTML report for a safeguarding lead: (\S+)", out)
    assert report
    assert Path(report.group(1)).read_text().startswith("<!DOCTYPE html")
