"""`zoomaudit audit --meeting` takes a meeting as people copy it from an invitation."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import UsageError
from zoomaudit.sandbox.server import RunningSandbox

pytestmark = pytest.mark.e2e

TALK = "Public talk: Keeping young people safe online"


def _printed(meeting_id: int) -> str:
    digits = str(meeting_id)
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"  # as Zoom prints it: 841 0021 6138


@pytest.mark.parametrize("form", ["printed", "link"])
def test_audit_a_meeting_from_its_printed_id_or_join_link(
    sandbox: RunningSandbox, env: dict[str, str], form: str
) -> None:
    meeting_id = int(sandbox.state.meeting_by_topic(TALK)["id"])
    given = (
        _printed(meeting_id)
        if form == "printed"
        else f"https://us02web.zoom.us/j/{meeting_id}?pwd=Tok3nXyz.1"
    )
    result = CliRunner().invoke(app, ["audit", "--meeting", given, "--format", "json", "--quiet"])
    assert result.exit_code == 1, result.output  # the public talk has violations
    report = json.loads(result.stdout)
    assert {f["meeting_id"] for f in report["findings"]} == {meeting_id}
    assert "Tok3nXyz" not in result.output


def test_a_meeting_in_no_known_form_is_a_usage_error(sandbox: RunningSandbox, env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["audit", "--meeting", "https://example.org/j/1?pwd=Tok3nXyz"])
    # cli.app.main turns a zoomaudit error into its message and exit code (2: usage)
    assert isinstance(result.exception, UsageError)
    assert result.exception.exit_code == 2
    assert "841 0021 6138" in str(result.exception)
    assert "Tok3nXyz" not in str(result.exception) + result.output
