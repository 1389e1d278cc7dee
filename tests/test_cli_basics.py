from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from zoomaudit.cli.app import app


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "version" in result.output


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("zoomaudit ")


def test_unknown_command_is_a_usage_error() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "no-such-command"], capture_output=True, text=True
    )
    assert out.returncode == 2
