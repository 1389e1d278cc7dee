"""Alternate spellings, missing tiers and the nested meeting-authentication shape (issue 12.8, 12.9)."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.collect import Needs
from zoomaudit.controls import CATALOGUE
from zoomaudit.resolve import resolve

from .conftest import account, group, host, place, subject

# (control, tier, path Zoom uses there, value, expected effective value)
CASES: list[tuple[str, str, str, Any, Any]] = [
    ("participant_video", "user", "schedule_meeting.participants_video", True, True),
    ("participant_video", "user", "schedule_meeting.participant_video", True, True),
    ("participant_video", "group", "schedule_meeting.participant_video", True, True),
    ("participant_video", "group", "schedule_meeting.participants_video", True, True),
    ("participant_video", "account", "schedule_meeting.participant_video", True, True),
    ("participant_video", "account", "schedule_meeting.participants_video", True, True),
    ("participant_video", "group_lock", "schedule_meeting.participants_video", True, True),
    ("participant_video", "account_lock", "schedule_meeting.participants_video", True, True),
    ("mute_upon_entry", "account", "schedule_meeting.mute_upon_entry", True, True),
    ("mute_upon_entry", "account_lock", "schedule_meeting.mute_upon_entry", True, True),
    ("use_pmi", "group", "schedule_meeting.use_pmi_for_schedule_meetings", True, True),
    ("use_pmi", "group", "schedule_meeting.use_pmi_for_scheduled_meetings", True, True),
    ("audio", "group_lock", "schedule_meeting.audio_type", "voip", "voip"),
    ("meeting_authentication", "user", "meeting_authentication", True, True),
    (
        "meeting_authentication",
        "user",
        "authentication_options.meeting_authentication.meeting_authentication",
        True,
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "tier", "path", "value", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]
)
def test_each_spelling_is_read_at_its_tier(
    name: str, tier: str, path: str, value: Any, expected: Any
) -> None:
    control = CATALOGUE[name]
    user: dict[str, Any] = {}
    g_settings: dict[str, Any] = {}
    g_locks: dict[str, Any] = {}
    a_settings: dict[str, Any] = {}
    a_locks: dict[str, Any] = {}
    if tier == "user":
        place(user, path, value)
    elif tier == "group":
        place(g_settings, path, value)
    elif tier == "account":
        place(a_settings, path, value)
    else:  # a lock: the lock flag under this spelling, the value at the lock's own tier
        value_doc = g_settings if tier == "group_lock" else a_settings
        place(value_doc, control.path("group" if tier == "group_lock" else "account") or "", value)
        place(g_locks if tier == "group_lock" else a_locks, path, True)
    acc = account(a_settings, a_locks, [group("g1", "Youth", g_settings, g_locks)])
    eff = resolve(control, subject(settings={}), host(user, ("g1",)), acc)
    assert (eff.tier, eff.value, eff.path is not None) == (tier, expected, True)
    assert eff.locked is tier.endswith("_lock")


def test_the_nested_authentication_shape_is_not_unknown() -> None:
    nested = {"authentication_options": {"meeting_authentication": {"meeting_authentication": False}}}
    eff = resolve(CATALOGUE["meeting_authentication"], subject(settings={}), host(nested), account())
    assert (eff.tier, eff.value) == ("user", False)


def test_the_flat_shape_is_not_mistaken_for_the_nested_one() -> None:
    flat = {"meeting_authentication": True, "authentication_options": [{"id": "x", "default_option": True}]}
    eff = resolve(CATALOGUE["meeting_authentication"], subject(settings={}), host(flat), account())
    assert (eff.tier, eff.value, eff.path) == ("user", True, "meeting_authentication")


def test_the_authentication_view_is_fetched_for_either_shape() -> None:
    assert "meeting_authentication" in Needs.for_controls([CATALOGUE["meeting_authentication"]]).options
