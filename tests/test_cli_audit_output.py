"""`audit --output`: a path that cannot be written is refused before the audit, and `emit`
turns a failed write into a usage error naming the path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.cli.audit_output import check_output, emit
from zoomaudit.errors import UsageError


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records audit runs instead of running them (none should start)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("zoomaudit.cli.audit.run_audit", lambda *a, **kw: calls.append(kw))
    for name, value in (("ZOOM_ACCOUNT_ID", "a"), ("ZOOM_CLIENT_ID", "c"), ("ZOOM_CLIENT_SECRET", "s")):
        monkeypatch.setenv(name, value)
    return calls


def _blocker(tmp_path: Path) -> Path:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder is expected")
    return blocker


def test_output_folder_is_refused_before_the_audit(tmp_path: Path, audits: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(app, ["audit", "--output", str(tmp_path), "--quiet"])
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert str(tmp_path) in str(result.exception)
    assert "folder" in str(result.exception)
    assert not audits


def test_output_under_a_file_is_refused_before_the_audit(
    tmp_path: Path, audits: list[dict[str, Any]]
) -> None:
    target = _blocker(tmp_path) / "reports" / "audit.html"
    result = CliRunner().invoke(app, ["audit", "-f", "html", "-o", str(target), "--quiet"])
    assert isinstance(result.exception, UsageError)
    assert str(target) in str(result.exception)
    assert not audits


def test_writable_paths_pass_the_check(tmp_path: Path) -> None:
    check_output(tmp_path / "new" / "deeper" / "report.json")
    existing = tmp_path / "report.csv"
    existing.write_text("old")
    check_output(existing)
    check_output(Path("relative-report.md"))


@pytest.mark.parametrize("where", ["folder", "under-a-file"])
def test_emit_turns_a_failed_write_into_a_usage_error(tmp_path: Path, where: str) -> None:
    target = tmp_path if where == "folder" else _blocker(tmp_path) / "report.txt"
    with pytest.raises(UsageError, match="cannot write the report") as caught:
        emit("report", target)
    assert str(target) in str(caught.value)


def test_emit_writes_and_creates_folders(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.txt"
    emit("report", target)
    assert target.read_text(encoding="utf-8") == "report\n", "a file gets what standard output would"
