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


def test_the_command_table_builds_no_zoom_model() -> None:
    """Every command starts by importing the command table; the Zoom models (pydantic building
    every schema) wait for a command that reads Zoom's answers, so the audit's token request
    goes out before them (docs/performance.md, first request)."""
    code = (
        "import sys, zoomaudit.cli.app\n"
        "print(sorted(m for m in ('zoomaudit.zoom.models', 'zoomaudit.snapshot', 'zoomaudit.policy')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_command_table_names_what_each_module_registers() -> None:
    """``zoomaudit X`` builds only the module that ``COMMANDS`` names for X: each module must
    register exactly the names the table gives it, and the whole set nothing else."""
    import typer

    from zoomaudit.cli.app import COMMAND_MODULES, COMMANDS, build_app

    def names(built: typer.Typer) -> set[str]:
        command = typer.main.get_command(built)
        assert isinstance(command, typer.core.TyperGroup)
        return set(command.commands) - {"version"}

    for module in COMMAND_MODULES:
        assert names(build_app((module,))) == {c for c, m in COMMANDS.items() if m == module}, module
    assert names(build_app()) == set(COMMANDS)


def test_a_named_command_runs_with_only_its_module() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['zoomaudit', 'doctor', '--help']\n"
        "from zoomaudit.cli.app import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('zoomaudit.cli.audit', 'zoomaudit.cli.serve') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "[]"
    audit_help = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "audit", "--help"], capture_output=True, text=True, check=True
    )
    assert "--starting-within" in audit_help.stdout
