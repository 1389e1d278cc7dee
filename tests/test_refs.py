"""Meetings as people copy them from an invitation, and windows such as 24h."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zoomaudit.errors import UsageError
from zoomaudit.refs import is_meeting_id, parse_meeting, parse_window

MEETINGS = [
    ("84100216138", 84100216138),
    ("841 0021 6138", 84100216138),
    ("841-0021-6138", 84100216138),
    ("  841 0021 6138 ", 84100216138),
    ("https://us02web.zoom.us/j/84100216138?pwd=abcDEF123.1", 84100216138),
    ("https://zoom.us/j/84100216138", 84100216138),
    ("us05web.zoom.us/j/84100216138?pwd=x", 84100216138),
    ("https://charity.zoom.us/w/84100216138?tk=abc", 84100216138),
    ("zoommtg://zoom.us/join?confno=84100216138&pwd=x", 84100216138),
]


@pytest.mark.parametrize(("text", "meeting_id"), MEETINGS)
def test_a_meeting_as_people_copy_it(text: str, meeting_id: int) -> None:
    assert parse_meeting(text) == meeting_id


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "²",
        "-5",
        "9" * 20,
        "99999999999999999999",
        "841 0021 613a",
        "https://evil.example/j/84100216138?pwd=secretTOKEN",
        "https://zoom.us.evil.example/j/84100216138",
        "https://us02web.zoom.us/meeting/84100216138",
    ],
)
def test_anything_else_is_a_usage_error_that_shows_the_forms(text: str) -> None:
    with pytest.raises(UsageError, match="841 0021 6138") as refused:
        parse_meeting(text)
    assert "secretTOKEN" not in str(refused.value)


def test_a_join_links_passcode_is_never_echoed() -> None:
    with pytest.raises(UsageError) as refused:
        parse_meeting("https://us02web.zoom.us/j/99999999999999999999?pwd=Kite2024xToken")
    assert "Kite2024x" not in str(refused.value)
    assert "pwd" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "ok"), [("84100216138", True), ("²", False), ("", False), ("9" * 20, False)]
)
def test_a_bare_meeting_id(text: str, ok: bool) -> None:
    assert is_meeting_id(text) is ok


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("30m", timedelta(minutes=30)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        (" 2H ", timedelta(hours=2)),
    ],
)
def test_windows(text: str, window: timedelta) -> None:
    assert parse_window(text) == window


@pytest.mark.parametrize("text", ["", "7", "d", "0h", "-1d", "1w", "1.5h", "24 hours"])
def test_a_bad_window_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="90m, 24h, 7d"):
        parse_window(text)
