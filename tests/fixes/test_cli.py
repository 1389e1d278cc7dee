"""`zoomaudit fixes` and `zoomaudit waivers` against the sandbox over loopback HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from zoomaudit.cli.app import app
from zoomaudit.errors import UsageError, ZoomAuditError

pytestmark = pytest.mark.e2e

TALK = "Public talk: Keeping young people safe online"


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def exit_code(result: Result) -> int:
    """The exit code ``zoomaudit`` gives (cli.app.main maps zoomaudit errors to codes)."""
    if isinstance(result.exception, ZoomAuditError):
        return result.exception.exit_code
    return result.exit_code


def fixes_json(*args: str) -> list[dict[str, Any]]:
    result = cli("fixes", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.output)
    return data


def audit_talk(sandbox: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    talk = sandbox.state.meeting_by_topic(TALK)
    result = cli("audit", "--meeting", str(talk["id"]), "--quiet")
    assert exit_code(result) == 1, result.output  # violations found
    [fix] = [f for f in fixes_json() if f["policy_id"] == "waiting-room"]
    return talk, fix


def test_list_approve_show_trail_revert(sandbox: Any) -> None:
    talk, fix = audit_talk(sandbox)
    assert fix["status"] == "pending"
    assert fix["target"] == {"level": "meeting", "id": str(talk["id"])}
    assert fix["request"] == {
        "method": "PATCH",
        "path": f"/meetings/{talk['id']}",
        "query": {},
        "body": {"settings": {"waiting_room": True}},
    }
    assert fix["meeting_ids"] == [talk["id"]]
    for key in ("created_at", "decided_by", "decided_at", "applied_at", "error"):
        assert key in fix

    result = cli("fixes", "approve", fix["id"], "--by", "Priya", "--note", "agreed")
    assert result.exit_code == 0, result.output
    assert f"{fix['id']}: applied" in result.output
    assert talk["settings"]["waiting_room"] is True
    [applied] = fixes_json("--status", "applied")
    assert applied["decided_by"] == "Priya"
    assert applied["applied_at"]

    shown = cli("fixes", "show", fix["id"])
    assert shown.exit_code == 0, shown.output
    assert "settings.waiting_room" in shown.output
    assert "Priya" in shown.output
    details = json.loads(cli("fixes", "show", fix["id"], "--format", "json").output)
    assert details["before"] == {"settings.waiting_room": False}
    assert details["after"] == {"settings.waiting_room": True}

    trail = json.loads(cli("fixes", "trail", fix["id"], "--format", "json").output)
    assert [(e["from"], e["to"], e["actor"]) for e in trail][1:] == [
        ("pending", "approved", "Priya"),
        ("approved", "applied", "Priya"),
    ]

    reverted = cli("fixes", "revert", fix["id"], "--by", "Priya")
    assert reverted.exit_code == 0, reverted.output
    assert talk["settings"]["waiting_room"] is False


def test_approve_exits_1_when_a_fix_goes_stale(sandbox: Any) -> None:
    talk, fix = audit_talk(sandbox)
    talk["settings"]["waiting_room"] = True
    result = cli("fixes", "approve", fix["id"], "--by", "Priya")
    assert result.exit_code == 1
    assert "stale" in result.output


def test_approve_all_for_one_policy(sandbox: Any) -> None:
    audit_talk(sandbox)
    result = cli("fixes", "approve", "--all", "--policy", "waiting-room", "--by", "Priya")
    assert result.exit_code == 0, result.output
    statuses = {f["policy_id"]: f["status"] for f in fixes_json()}
    assert statuses["waiting-room"] == "applied"
    assert set(statuses.values()) == {"applied", "pending"}


@pytest.mark.parametrize(
    "args",
    [
        ("fixes", "approve", "fx-missing", "--by", "Priya"),
        ("fixes", "show", "fx-missing"),
        ("fixes", "reject", "fx-missing", "--by", "Priya", "--reason", "no"),
        ("fixes", "revert", "fx-missing", "--by", "Priya"),
        ("fixes", "trail", "fx-missing"),
    ],
)
def test_unknown_fix_ids_are_usage_errors_naming_the_id(sandbox: Any, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert isinstance(result.exception, UsageError)
    assert exit_code(result) == 2
    assert "fx-missing" in str(result.exception)


def test_reject_records_the_reason(sandbox: Any) -> None:
    _, fix = audit_talk(sandbox)
    result = cli("fixes", "reject", fix["id"], "--by", "Priya", "--reason", "open event by design")
    assert result.exit_code == 0, result.output
    [rejected] = fixes_json("--status", "rejected")
    assert rejected["decided_by"] == "Priya"
    trail = json.loads(cli("fixes", "trail", fix["id"], "--format", "json").output)
    assert trail[-1]["note"] == "open event by design"


def test_waivers_add_list_remove(sandbox: Any) -> None:
    talk = sandbox.state.meeting_by_topic(TALK)
    until = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    added = cli(
        "waivers", "add", "--policy", "waiting-room", "--meeting", str(talk["id"]),
        "--reason", "public talk", "--by", "Priya", "--until", until,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert f"until {until}" in added.output
    audited = cli("audit", "--meeting", str(talk["id"]), "--quiet", "--format", "json")
    report = json.loads(audited.output[: audited.output.rindex("}") + 1])
    [waived] = [f for f in report["findings"] if f["policy_id"] == "waiting-room"]
    assert waived["status"] == "waived"
    listed = json.loads(cli("waivers", "list", "--format", "json").output)
    assert [(w["policy_id"], w["meeting_id"], w["state"]) for w in listed] == [
        ("waiting-room", talk["id"], "active")
    ]
    removed = cli("waivers", "remove", str(listed[0]["id"]), "--by", "Priya")
    assert removed.exit_code == 0, removed.output
    assert json.loads(cli("waivers", "list", "--format", "json").output) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--policy", "no-such-policy", "--meeting", "1"), "unknown policy"),
        (("--policy", "waiting-room"), "exactly one"),
        (("--policy", "waiting-room", "--meeting", "1", "--host", "a@b.org"), "exactly one"),
        (("--policy", "waiting-room", "--meeting", "1", "--until", "30 June"), "not a date"),
    ],
)
def test_waiver_usage_errors(args: tuple[str, ...], message: str) -> None:
    result = cli("waivers", "add", *args, "--reason", "r", "--by", "Priya")
    assert isinstance(result.exception, UsageError), result.output
    assert message in str(result.exception)


def test_approve_exits_3_when_zoom_refuses_the_credentials(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, fix = audit_talk(sandbox)
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", "not-the-secret")
    result = cli("fixes", "approve", fix["id"], "--by", "Priya")
    assert result.exit_code == 3, result.output
    assert f"{fix['id']}: pending" in result.output
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", sandbox.client_secret)
    [back] = [f for f in fixes_json() if f["id"] == fix["id"]]
    assert back["status"] == "pending"
