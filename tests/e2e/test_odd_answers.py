"""One odd answer from Zoom is an error of that one subject: the run carries on, incomplete."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import audit, cli, report_of
from zoomaudit.errors import ZoomError
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.vocabulary import MeetingsScope


def _victim(sandbox: RunningSandbox) -> tuple[str, int]:
    """A host with a scheduled meeting, and that meeting."""
    state = sandbox.state
    for user in state.users.values():
        for mid in state.host_meeting_ids(user.id):
            if state.meetings[mid].get("type") == 2:
                return user.id, mid
    raise AssertionError("the sandbox has no scheduled meeting")


def _other_hosts_audited(settings: Settings, run_id: str, victim: str) -> None:
    report = report_of(settings, run_id)
    assert any(f.host_id != victim for f in report.findings), "the rest of the run was lost"


def test_a_page_token_that_is_an_object_is_an_error_of_that_host(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    user_id, _ = _victim(sandbox)

    def tamper(method: str, path: str, body: Any) -> Any:
        if path == f"/v2/users/{user_id}/meetings":
            return {**body, "next_page_token": {"token": "x"}}
        return body

    sandbox.options.tamper = tamper
    outcome = audit(settings)
    assert not outcome.complete
    report = report_of(settings, outcome.run_id)
    assert [e.user_id for e in report.errors] == [user_id]
    assert "page token" in report.errors[0].message
    _other_hosts_audited(settings, outcome.run_id, user_id)


def test_a_meeting_id_out_of_range_is_an_error_of_that_meeting(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    user_id, meeting_id = _victim(sandbox)

    def tamper(method: str, path: str, body: Any) -> Any:
        if path == f"/v2/meetings/{meeting_id}":
            return {**body, "id": 2**70}
        return body

    sandbox.options.tamper = tamper
    outcome = audit(settings)
    assert not outcome.complete
    report = report_of(settings, outcome.run_id)
    assert [e.meeting_id for e in report.errors] == [meeting_id]
    _other_hosts_audited(settings, outcome.run_id, user_id)


def test_a_listed_meeting_id_out_of_range_is_an_error_of_its_host(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    user_id, _ = _victim(sandbox)

    def tamper(method: str, path: str, body: Any) -> Any:
        if path == f"/v2/users/{user_id}/meetings":
            return {**body, "meetings": [{"id": 2**70, "type": 2, "topic": "odd"}]}
        return body

    sandbox.options.tamper = tamper
    outcome = audit(settings)
    assert not outcome.complete
    report = report_of(settings, outcome.run_id)
    assert [e.user_id for e in report.errors] == [user_id]
    _other_hosts_audited(settings, outcome.run_id, user_id)


def test_json_nested_too_deep_is_an_error_of_that_meeting_and_the_cli_exits_3(
    sandbox: RunningSandbox, env: dict[str, str], settings: Settings
) -> None:
    user_id, meeting_id = _victim(sandbox)
    deep = b'{"id":%d,"x":' % meeting_id + b"[" * 200_000 + b"]" * 200_000 + b"}"

    def tamper(method: str, path: str, body: Any) -> Any:
        return deep if path == f"/v2/meetings/{meeting_id}" else body

    sandbox.options.tamper = tamper
    result = cli("audit", "--quiet", "--format", "json")
    assert result.exit_code == 3, result.output
    outcome = audit(settings)
    assert not outcome.complete
    report = report_of(settings, outcome.run_id)
    assert [e.meeting_id for e in report.errors] == [meeting_id]
    _other_hosts_audited(settings, outcome.run_id, user_id)


def _section_not_an_object(target: str) -> Any:
    def tamper(method: str, path: str, body: Any) -> Any:
        return {**body, "in_meeting": "x"} if path == target else body

    return tamper


def test_a_host_settings_section_that_is_not_an_object_is_an_error_of_that_host(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    user_id, _ = _victim(sandbox)
    sandbox.options.tamper = _section_not_an_object(f"/v2/users/{user_id}/settings")
    outcome = audit(settings)
    assert not outcome.complete
    report = report_of(settings, outcome.run_id)
    assert [e.user_id for e in report.errors] == [user_id]
    assert "in_meeting (str)" in report.errors[0].message
    assert not [f for f in report.findings if f.host_id == user_id and f.status == "pass"]
    _other_hosts_audited(settings, outcome.run_id, user_id)


def test_a_misshapen_host_settings_document_is_an_error_of_a_named_meeting(
    sandbox: RunningSandbox, settings: Settings
) -> None:
    user_id, meeting_id = _victim(sandbox)
    sandbox.options.tamper = _section_not_an_object(f"/v2/users/{user_id}/settings")
    outcome = audit(settings, MeetingsScope.of(meeting_id))
    assert not outcome.complete
    report = report_of(settings, outcome.run_id)
    assert [e.meeting_id for e in report.errors] == [meeting_id]
    assert not [f for f in report.findings if f.status == "pass"]


def test_misshapen_account_or_group_settings_never_give_a_complete_run(
    sandbox: RunningSandbox, env: dict[str, str]
) -> None:
    group_id = next(iter(sandbox.state.groups))
    for target in ("/v2/accounts/me/settings", f"/v2/groups/{group_id}/settings"):
        sandbox.options.tamper = _section_not_an_object(target)
        result = cli("audit", "--quiet", "--format", "json")
        # CliRunner stops short of main(), which maps a ZoomError to its exit code (3).
        assert isinstance(result.exception, ZoomError), (target, result.output)
        assert result.exception.exit_code == 3
        assert "in_meeting (str)" in str(result.exception), target
