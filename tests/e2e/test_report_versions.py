"""The JSON report's versions from the command line, against the demo sandbox on real time: v2 by
default, v1 for consumers that pinned it (``--schema-version 1``), both valid by the schema file."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import jsonschema


def _zoomaudit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zoomaudit", *args], env=env, capture_output=True, text=True, timeout=180
    )


def test_the_cli_writes_v2_by_default_and_v1_when_pinned(env: dict[str, str]) -> None:
    """The CLI keeps real time: the demo's dates are relative to the sandbox's build, so its
    one-off of last month is over whenever this runs, and everything else is still to come."""
    schema = json.loads(resources.files("zoomaudit.report").joinpath("schema.json").read_text())
    v1 = _zoomaudit(env, "audit", "--format", "json", "--schema-version", "1", "--quiet")
    assert v1.returncode == 1, v1.stderr
    old = json.loads(v1.stdout)
    jsonschema.validate(old, schema)
    assert old["schema_version"] == 1
    assert "past" not in old["summary"]
    assert all("start_time" not in f and "duration" not in f for f in old["findings"])

    again = _zoomaudit(env, "report", "latest", "--format", "json")
    assert again.returncode == 0, again.stderr
    new = json.loads(again.stdout)
    jsonschema.validate(new, schema)
    assert new["schema_version"] == 2
    assert new["summary"]["past"] == 1
    assert all("start_time" in f and "duration" in f for f in new["findings"])
    pinned = _zoomaudit(env, "report", "latest", "--format", "json", "--schema-version", "1")
    assert json.loads(pinned.stdout) == old

    wrong = _zoomaudit(env, "report", "latest", "--format", "table", "--schema-version", "1")
    assert wrong.returncode == 2
    assert "--format json" in wrong.stderr
