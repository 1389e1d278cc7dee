"""What a snapshot keeps of a meeting: passcode stand-ins that judge as the passcode, no secret."""

from __future__ import annotations

import random
from typing import Any

import zoomaudit.snapshot_codec as codec
from zoomaudit.passcodes import ALLOWED, PasscodeRequirement, presence, unmet_rules
from zoomaudit.redaction import MASK
from zoomaudit.snapshot_codec import scrub_meeting, stand_in

REQUIREMENTS = [
    PasscodeRequirement(),
    PasscodeRequirement(length=8, have_letter=True, have_number=True),
    PasscodeRequirement(length=10, have_special_character=True, have_upper_and_lower_characters=True),
    PasscodeRequirement(only_allow_numeric=True, length=6),
    PasscodeRequirement(consecutive_characters_length=4, have_number=True),
    PasscodeRequirement(consecutive_characters_length=3),
]


def test_a_stand_in_breaks_exactly_the_rules_the_passcode_breaks() -> None:
    rng = random.Random(7)
    pool = [*sorted(ALLOWED), "!", " "]
    samples = ["1234", "123456", "aAaA", "abcd", "Ab1@", "qwerty12", "Rv7kq2Lm9x", "zzzzzzzz", "9"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        samples.append(text[0] * len(text) if rng.random() < 0.1 else text)
    for passcode in samples:
        replaced = stand_in(passcode)
        assert replaced != passcode
        assert replaced is not None, passcode
        for requirement in REQUIREMENTS:
            assert unmet_rules(replaced, requirement) == unmet_rules(passcode, requirement), passcode


def test_a_meeting_keeps_what_says_a_passcode_is_set_and_no_secret() -> None:
    body = {
        "id": 81234567890,
        "password": "Gt5anx7k",
        "join_url": "https://zoom.us/j/81234567890?pwd=EncRypt3d.1&from=addon",
        "start_url": "https://zoom.us/s/81234567890?zak=eyJhbGciOi",
        "h323_password": "6958",
        "pstn_password": "69587",
        "encrypted_password": "EncRypt3d.1",
        "settings": {"meeting_security": {"password_requirement": {"length": 8}}, "waiting_room": True},
    }
    kept = scrub_meeting(body)
    text = repr(kept)
    for secret in ("Gt5anx7k", "EncRypt3d", "zak=", "6958"):
        assert secret not in text
    assert presence(kept).has_passcode is True
    assert "start_url" not in kept
    assert kept["join_url"] == "https://zoom.us/j/81234567890?pwd=stand-in&from=addon"
    assert kept["settings"] == body["settings"]
    assert presence(scrub_meeting({"password": ""})).state == "absent"
    assert presence(scrub_meeting({"join_url": body["join_url"]})).source == "join_url"
    assert presence(scrub_meeting({"pstn_password": "123"})).source == "pstn_password"


def test_a_passcode_with_no_stand_in_is_kept_as_set_with_its_text_unknown(monkeypatch: Any) -> None:
    monkeypatch.setattr(codec, "stand_in", lambda _passcode: None)
    kept = codec.scrub_meeting({"password": "Gt5anx7k", "encrypted_password": "EncRypt3d.1"})
    assert "password" not in kept
    assert kept["encrypted_password"] == MASK
    found = presence(kept)
    assert (found.state, found.password) == ("present", None)
