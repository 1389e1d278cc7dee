"""`zoomaudit policies list | validate | explain` through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from zoomaudit.cli.app import app

from .conftest import write

runner = CliRunner()


def test_validate_the_bundled_pack() -> None:
    result = runner.invoke(app, ["policies", "validate"])
    assert result.exit_code == 0, result.output
    assert "valid: 31 policies (28 enabled) from bundled" in result.output


def test_validate_reports_every_problem_located(tmp_path: Path) -> None:
    write(
        tmp_path / "bad",
        "a.yaml",
        """
        - id: one
          title: One
          severity: urgent
          control: waiting_room
          expect: {equals: true}
          rationale: r
        - id: two
          title: Two
          severity: low
          control: nothing
          expect: {equals: true}
          rationale: r
        """,
    )
    write(tmp_path / "bad", "b.yaml", "- id: [\n")
    result = runner.invoke(app, ["policies", "validate", str(tmp_path / "bad")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'bad' / 'a.yaml'}:3 [one]: severity" in result.output
    assert f"{tmp_path / 'bad' / 'a.yaml'}:10 [two]: control: unknown control 'nothing'" in result.output
    assert f"{tmp_path / 'bad' / 'b.yaml'}:" in result.output
    assert "3 problem(s)" in result.output


def test_validate_a_good_folder(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """
        - id: one
          title: One
          severity: low
          control: mute_upon_entry
          expect: {equals: true}
          rationale: r
        """,
    )
    result = runner.invoke(app, ["policies", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "valid: 1 policies (1 enabled)" in result.output


def test_list_shows_every_policy() -> None:
    result = runner.invoke(app, ["policies", "list"])
    assert result.exit_code == 0, result.output
    for policy_id in ("waiting-room", "screen-share-host-only", "hide-self-view", "focus-mode"):
        assert policy_id in result.output


def test_explain_shows_what_why_where_and_how() -> None:
    result = runner.invoke(app, ["policies", "explain", "screen-share-host-only"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Only the host can share their screen" in out
    assert "hijack" in out  # the rationale
    assert "in_meeting.screen_sharing" in out  # the fields per tier
    assert "account lock" in out
    assert "PATCH /users/{userId}/settings" in out
    assert '"who_can_share_screen": "host"' in out  # the request body as JSON, not a Python repr


def test_explain_shows_the_fix_body_as_json() -> None:
    result = runner.invoke(app, ["policies", "explain", "waiting-room"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert '{"settings": {"waiting_room": true}}' in result.output
    assert "{'" not in result.output
    assert "True" not in result.output


def test_explain_a_manual_policy_gives_guidance() -> None:
    result = runner.invoke(app, ["policies", "explain", "hide-self-view"])
    assert result.exit_code == 0, result.output
    assert "checked by people" in result.output
    assert "Hide self view" in result.output


def test_explain_an_option_section_fix_names_the_option() -> None:
    result = runner.invoke(app, ["policies", "explain", "host-admits-from-waiting-room"])
    assert result.exit_code == 0, result.output
    assert "?option=meeting_security" in result.output


def test_explain_unknown_policy_exits_2() -> None:
    result = runner.invoke(app, ["policies", "explain", "no-such-policy"])
    assert result.exit_code == 2
    assert "no policy 'no-such-policy'" in result.output


def test_validate_a_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    (tmp_path / "cp1252.yaml").write_bytes("- id: caf\xe9\n  title: x\n".encode("cp1252"))
    result = runner.invoke(app, ["policies", "validate", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "cp1252.yaml:1: the file is not UTF-8" in result.output
