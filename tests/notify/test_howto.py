"""The host nudge's step-by-step instructions: one specific entry per control of the built-in
packs, the right place for where the value was decided, and nothing secret or technical."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import zoomaudit
from zoomaudit.controls import CATALOGUE
from zoomaudit.findings import Tier, Violation
from zoomaudit.notify.howto import PROFILE_SETTINGS, WEB_PORTAL, _generic, steps_for
from zoomaudit.notify.howto_steps import PLACES

PACKS = Path(zoomaudit.__file__).parent / "pack"


def _pack_controls() -> list[str]:
    controls: set[str] = set()
    for path in PACKS.glob("*.yaml"):
        for policy in yaml.safe_load(path.read_text(encoding="utf-8")).get("policies", []):
            controls.add(policy["control"])
    return sorted(controls)


CONTROLS = _pack_controls()


def _violation(
    control: str,
    source: Tier | None = "meeting",
    locked: bool = False,
    actual: Any = False,
    expected: Any = True,
) -> Violation:
    return Violation(
        policy_id=f"{control}-policy",
        control=control,
        severity="high",
        meeting_id=81234567890,
        topic="Friday youth club",
        source=source,
        locked=locked,
        actual=actual,
        expected=expected,
    )


def _field_names(control: str) -> set[str]:
    """The dotted field paths Zoom's API uses for the control, and their parts with underscores."""
    entry = CATALOGUE[control]
    paths = [entry.meeting, entry.user, entry.group, entry.account, entry.group_lock, entry.account_lock]
    names: set[str] = {control} if "_" in control else set()
    for path in filter(None, paths):
        if "." in path or "_" in path:
            names.add(path)
        names.update(part for part in path.split(".") if "_" in part)
    return names


def test_the_packs_use_about_thirty_controls() -> None:
    assert len(CONTROLS) >= 25
    assert {"waiting_room", "passcode", "screen_share", "self_view"} <= set(CONTROLS)


@pytest.mark.parametrize("control", CONTROLS)
def test_every_pack_control_has_its_own_entry(control: str) -> None:
    assert control in PLACES, f"no place in Zoom catalogued for {control}"
    place = PLACES[control]
    assert place.meeting or place.settings or place.participant
    for source in ("meeting", "user", "account_lock"):
        finding = _violation(control, source=source, locked=source == "account_lock")
        steps = steps_for(finding, "on")
        assert steps
        assert steps != _generic(finding, CATALOGUE[control].title, "on")


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("source", ["meeting", "user", "group", "account_lock", None])
def test_steps_name_no_zoom_field(control: str, source: Tier | None) -> None:
    finding = _violation(control, source=source, locked=source == "account_lock")
    text = "\n".join(steps_for(finding, "on"))
    for name in _field_names(control):
        assert name not in text, (control, name)
    assert not re.search(r"\b(in_meeting|schedule_meeting|meeting_security|recording)\.", text)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text
    assert "tier" not in text.lower()


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("source", ["account_lock", "group_lock", "account", "group"])
def test_locked_findings_say_to_ask_the_admin(control: str, source: Tier) -> None:
    steps = steps_for(_violation(control, source=source, locked=source.endswith("lock")), "on")
    text = " ".join(steps)
    if PLACES[control].participant is not None:  # no admin switch exists for self-view
        assert "participant" in text
        return
    assert "cannot change this yourself" in steps[0]
    assert "Zoom admin" in text
    assert "Account Management > Account Settings" in text
    assert "User Management > Groups" in text
    assert WEB_PORTAL not in text
    assert PROFILE_SETTINGS not in text


def test_a_locked_flag_alone_is_enough() -> None:
    steps = steps_for(_violation("waiting_room", source="meeting", locked=True), "on")
    assert "cannot change this yourself" in steps[0]


@pytest.mark.parametrize("control", sorted(c for c in CONTROLS if PLACES[c].meeting))
def test_meeting_findings_start_with_the_meeting_edit_path(control: str) -> None:
    steps = steps_for(_violation(control, source="meeting"), "on")
    assert steps[0] == f"Sign in at {WEB_PORTAL} (Meetings)."
    assert steps[1] == 'Click the meeting "Friday youth club", then Edit.'
    assert any("All occurrences" in step for step in steps)


def test_the_waiting_room_steps_name_zoom_labels() -> None:
    meeting = steps_for(_violation("waiting_room", source="meeting"), "on")
    assert '"Security"' in meeting[2]
    assert '"Waiting Room"' in meeting[3]
    assert any("Security in the meeting controls" in step for step in meeting)
    user = steps_for(_violation("waiting_room", source="user"), "on")
    assert user[0] == f"Sign in at {PROFILE_SETTINGS} (Settings)."
    assert '"Meeting" tab' in user[1]
    assert '"Security" section' in user[1]


def test_screen_share_has_an_in_meeting_tip() -> None:
    steps = steps_for(_violation("screen_share", source="user", actual="all", expected="host"), "host only")
    assert '"In Meeting (Basic)"' in steps[1]
    assert any("Advanced Sharing Options" in step for step in steps)
    assert any("host only" in step for step in steps)


def test_account_only_settings_go_to_the_admin_even_from_user_findings() -> None:
    steps = steps_for(_violation("guest_alert", source="user"), "on")
    assert "cannot change this yourself" in steps[0]
    assert "Identify guest participants in the meeting/webinar" in " ".join(steps)


@pytest.mark.parametrize("source", ["meeting", "user", "account_lock", None])
@pytest.mark.parametrize(
    "actual", ["Secret123", {"length": 9, "unmet": ["a number"], "password": "Secret123"}]
)
def test_passcode_steps_never_contain_the_passcode(source: Tier | None, actual: Any) -> None:
    finding = _violation(
        "passcode",
        source=source,
        locked=source == "account_lock",
        actual=actual,
        expected={"length": 10, "have_letter": True, "have_number": True},
    )
    text = "\n".join(steps_for(finding, "Secret123"))
    assert "Secret123" not in text
    assert "at least 10 characters with letters and numbers" in text


def test_passcode_defaults_to_eight_characters() -> None:
    text = " ".join(steps_for(_violation("passcode", actual="Secret123", expected=True), "set"))
    assert "at least 8 characters with letters and numbers" in text
    assert "Secret123" not in text


def test_self_view_tells_participants() -> None:
    steps = steps_for(_violation("self_view", source=None), "hidden")
    assert any("Hide Self View" in step for step in steps)


def test_unknown_controls_fall_back_to_generic_steps() -> None:
    finding = _violation("lobby_music", source="meeting")
    assert steps_for(finding, "off") == _generic(finding, "lobby music", "off")
