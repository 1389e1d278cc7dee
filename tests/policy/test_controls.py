"""The catalogue: paths per tier, fix requests, value words, and the generated docs/controls.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoomaudit.controls import CATALOGUE, TIERS, fix_request, get_control
from zoomaudit.policy.docs import default_path, main, render_controls_md

from .conftest import ROOT


def test_docs_controls_md_is_up_to_date() -> None:
    assert default_path() == ROOT / "docs" / "controls.md"
    assert default_path().read_text(encoding="utf-8") == render_controls_md(), (
        "docs/controls.md is stale: run python -m zoomaudit.policy.docs"
    )
    assert main(["--check"]) == 0


def test_docs_check_fails_on_a_stale_file(tmp_path: pytest.TempPathFactory) -> None:
    stale = ROOT / "docs" / "controls.md"
    copy = tmp_path / "controls.md"  # type: ignore[operator]
    copy.write_text(stale.read_text(encoding="utf-8") + "\nedited by hand\n", encoding="utf-8")
    assert main(["--check", str(copy)]) == 1
    assert main([str(copy)]) == 0
    assert main(["--check", str(copy)]) == 0


def test_every_control_is_documented() -> None:
    text = render_controls_md()
    for control in CATALOGUE.values():
        assert f"`{control.name}`" in text
        for tier in TIERS:
            for path in control.paths(tier):
                assert f"`{path}`" in text


def test_only_self_view_and_removed_rejoin_are_manual() -> None:
    # Zoom's API has no field for either (removed_rejoin: no rejoin key in rivet-javascript 0.4.0).
    assert [c.name for c in CATALOGUE.values() if c.manual] == ["self_view", "removed_rejoin"]
    assert CATALOGUE["self_view"].guidance
    assert CATALOGUE["removed_rejoin"].guidance


def test_get_control_names_the_known_ones() -> None:
    assert get_control("waiting_room").meeting == "settings.waiting_room"
    with pytest.raises(KeyError, match="known: "):
        get_control("nope")


@pytest.mark.parametrize(
    ("control", "tier", "value", "path", "query", "body"),
    [
        ("waiting_room", "meeting", True, "/meetings/9", {}, {"settings": {"waiting_room": True}}),
        ("waiting_room", "account_lock", True, "/accounts/me/lock_settings", {"option": "meeting_security"},
         {"meeting_security": {"waiting_room": True}}),
        ("screen_share", "user", "host", "/users/u1/settings", {},
         {"in_meeting": {"screen_sharing": True, "who_can_share_screen": "host"}}),
        ("screen_share", "group", "off", "/groups/g1/settings", {},
         {"in_meeting": {"screen_sharing": False}}),
        ("screen_share", "account_lock", True, "/accounts/me/lock_settings", {},
         {"in_meeting": {"screen_sharing": True}}),
        ("passcode", "meeting", "Kite2024x", "/meetings/9", {}, {"password": "Kite2024x"}),
        ("mute_upon_entry", "group_lock", True, "/groups/g1/lock_settings", {},
         {"schedule_meeting": {"mute_upon_entry": True}}),
    ],
)  # fmt: skip
def test_fix_request(
    control: str, tier: str, value: object, path: str, query: dict[str, str], body: object
) -> None:
    request = fix_request(CATALOGUE[control], tier, value, meeting_id=9, user_id="u1", group_id="g1")  # type: ignore[arg-type]
    assert (request.method, request.path, request.query, request.body) == ("PATCH", path, query, body)


def test_fix_request_refuses_a_tier_without_a_field() -> None:
    with pytest.raises(ValueError, match="no field at tier meeting"):
        fix_request(CATALOGUE["screen_share"], "meeting", "host", meeting_id=1)


def test_occurrence_fix_carries_the_occurrence() -> None:
    request = fix_request(CATALOGUE["mute_upon_entry"], "meeting", True, meeting_id=3, occurrence_id="o1")
    assert request.query == {"occurrence_id": "o1"}


@pytest.mark.parametrize(
    ("control", "value", "words"),
    [("waiting_room", True, "on"), ("screen_share", "host", "host only"), ("registration", 2, "not required"),
     ("alternative_hosts", "", "empty"), ("audio", "voip", "computer audio only"),
     ("encryption", None, "not stated"),
     ("alternative_hosts", ["a"], "['a']")],
)  # fmt: skip
def test_values_in_words(control: str, value: object, words: str) -> None:
    assert CATALOGUE[control].describe(value) == words


def test_read_paths_include_alternates_and_companions() -> None:
    assert "meeting_security.waiting_room" in CATALOGUE["waiting_room"].read_paths()
    assert "in_meeting.who_can_share_screen" in CATALOGUE["screen_share"].read_paths()
    assert "schedule_meeting.meeting_password_requirement" in CATALOGUE["passcode"].read_paths()


def test_a_boolean_never_reads_as_the_label_of_a_number() -> None:
    from zoomaudit.controls import Control

    control = Control("registration", "Registration", meeting="settings.approval_type", labels={0: "auto"})
    assert control.describe(0) == "auto"
    assert control.describe(False) == "off"


@pytest.mark.parametrize(
    ("args", "code"), [(["--help"], 0), (["-h"], 0), (["--chek"], 2), (["a.md", "b.md"], 2)]
)
def test_the_docs_generator_writes_no_file_named_like_an_option(
    args: list[str],
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(args) == code
    assert "usage:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_every_control_cites_a_current_source() -> None:
    # issue 12: each rule says where it comes from in Zoom's current material, not the 2023 map alone.
    uncited = [c.name for c in CATALOGUE.values() if not c.sources]
    assert not uncited, f"controls without a source: {uncited}"
    for control in CATALOGUE.values():
        assert any("settings-map" not in s for s in control.sources), control.name
