"""The one set of masking rules (zoomaudit.redaction), used by the store, reports, CLI and console."""

from __future__ import annotations

from zoomaudit.redaction import MASK, is_secret_name, mask, redact, redact_actual


def test_a_secret_is_named_by_the_last_part_of_its_key_or_path() -> None:
    assert is_secret_name("password")
    assert is_secret_name("settings.pstn_password")
    assert is_secret_name("meeting_passcode")
    assert is_secret_name("access_token")
    assert is_secret_name("client_secret")
    assert not is_secret_name("password_settings.waiting_room")
    assert not is_secret_name("settings.waiting_room")


def test_passcodes_are_masked_and_switches_beside_them_stay() -> None:
    body = {
        "password": "Xy7pQ2",
        "settings": {"pstn_password": "123456", "waiting_room": True, "password": ""},
        "meeting_security": {"phone_password": True},
        "require_password_for_scheduled_meetings": True,
        "meeting_password_requirement": {"length": 8},
        "h323_password": 731906,
        "encrypted_password": None,
    }
    assert redact(body) == {
        "password": MASK,
        "settings": {"pstn_password": MASK, "waiting_room": True, "password": ""},
        "meeting_security": {"phone_password": True},
        "require_password_for_scheduled_meetings": True,
        "meeting_password_requirement": {"length": 8},
        "h323_password": MASK,
        "encrypted_password": None,
    }


def test_flat_maps_lists_and_single_values() -> None:
    assert redact({"settings.password": "abc", "settings.mute_upon_entry": True}) == {
        "settings.password": MASK,
        "settings.mute_upon_entry": True,
    }
    assert redact({"tokens": ["a", "b"]}) == {"tokens": [MASK, MASK]}
    assert redact({"client_secret": {"value": "s3cr3t"}}) == {"client_secret": {"value": MASK}}
    assert mask("settings.password", "abc") == MASK
    assert mask("settings.password", None) is None
    assert mask("meeting_security.phone_password", False) is False
    assert redact("plain") == "plain"


def test_a_passcode_controls_actual_value_is_masked() -> None:
    assert redact_actual("meeting_passcode", "Xy7pQ2") == MASK
    assert redact_actual("meeting_passcode", True) is True
    assert redact_actual("waiting_room", {"password": "Xy7pQ2", "on": True}) == {"password": MASK, "on": True}
    assert redact_actual("waiting_room", "everyone") == "everyone"


def test_one_mask_everywhere() -> None:
    from zoomaudit.settings import Settings

    shown = Settings(ZOOM_CLIENT_SECRET="s3cr3t-client").masked()
    assert shown["ZOOM_CLIENT_SECRET"] == MASK
