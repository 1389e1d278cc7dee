"""The issue-12 passcode safeguards: callers by phone need the passcode, and the join link does not
carry it. Tables of Zoom documents -> verdict and words."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.collect import Needs
from zoomaudit.controls import CATALOGUE, fix_request
from zoomaudit.controls.catalogue_passcodes import PASSCODE_ROUTES
from zoomaudit.policy import PolicySet

from .conftest import evaluate_setup

Setup = dict[str, dict[str, Any]]
NEW_POLICIES = ("phone-passcode-required", "passcode-not-in-link")

_PSTN = "schedule_meeting.pstn_password_protected"
_PHONE = "meeting_security.phone_password"
_EMBED = "schedule_meeting.embed_password_in_join_link"
_EMBED_MS = "meeting_security.embed_password_in_join_link"
_CODE = {"password": "Kite2024x"}
_REQUIRE = "schedule_meeting.require_password_for_scheduling_new_meetings"


def _findings(pack: PolicySet, policy_id: str, setup: Setup) -> list[Any]:
    return evaluate_setup(pack, policy_id, setup)


# (policy, setup, status, actual, source, words in the message)
CASES: list[tuple[str, Setup, str, Any, Any, str]] = [
    # phone passcode: judged only when the meeting has a passcode
    ("phone-passcode-required", {"meeting": _CODE, "user": {_PSTN: True}}, "pass", True, "user", "required"),
    ("phone-passcode-required", {"meeting": _CODE, "user": {_PSTN: False}}, "violation", False, "user",
     "lets people in without it"),
    # the meeting_security name is read where the schedule_meeting one is absent
    ("phone-passcode-required", {"meeting": _CODE, "user": {_PHONE: False}}, "violation", False, "user",
     "meeting_security.phone_password"),
    ("phone-passcode-required", {"meeting": _CODE, "group": {_PSTN: False}}, "violation", False, "group",
     "Youth"),
    ("phone-passcode-required", {"meeting": _CODE, "account": {_PHONE: True}}, "pass", True, "account",
     "account settings"),
    # a stored phone passcode is no evidence: Zoom serves one whether or not callers are asked
    ("phone-passcode-required", {"meeting": {**_CODE, "pstn_password": "731906"}, "user": {_PSTN: False}},
     "violation", False, "user", "not required"),
    ("phone-passcode-required", {"meeting": {**_CODE, "pstn_password": ""}, "user": {_PSTN: False}},
     "violation", False, "user", "not required"),
    # locks: either name locks it
    ("phone-passcode-required",
     {"meeting": _CODE, "user": {_PSTN: True}, "group": {_PSTN: False}, "group_lock": {_PHONE: True}},
     "violation", False, "group_lock", "locked"),
    ("phone-passcode-required",
     {"meeting": {**_CODE, "pstn_password": "731906"}, "account": {_PHONE: False},
      "account_lock": {_PHONE: True}},
     "violation", False, "account_lock", "locked"),
    # the passcode itself: unknown is an error, a stored empty one or "not required" means not judged
    ("phone-passcode-required", {"user": {_PSTN: False}}, "error", None, "user",
     "has a passcode is not known"),
    ("phone-passcode-required", {"meeting": _CODE}, "error", None, None, "cannot be judged"),
    ("phone-passcode-required",
     {"meeting": {"password": ""}, "user": {_PSTN: True, _REQUIRE: True}},
     "none", None, None, ""),
    # the host's "require a passcode for new meetings" says nothing about an existing meeting
    ("phone-passcode-required",
     {"user": {_PSTN: False, _REQUIRE: True}},
     "error", None, "user", "has a passcode is not known"),
    # passcode in the join link
    ("passcode-not-in-link", {"user": {_EMBED: False}}, "pass", False, "user", "still type the passcode"),
    ("passcode-not-in-link", {"user": {_EMBED: True}}, "violation", True, "user", "carries the passcode"),
    ("passcode-not-in-link", {"user": {_EMBED_MS: True}}, "violation", True, "user",
     "meeting_security.embed_password_in_join_link"),
    ("passcode-not-in-link", {"group": {_EMBED_MS: False}}, "pass", False, "group", "Youth"),
    ("passcode-not-in-link", {"account": {_EMBED_MS: True}}, "violation", True, "account",
     "account settings"),
    ("passcode-not-in-link", {"account": {_EMBED: False}}, "error", None, None, "cannot be judged"),
    ("passcode-not-in-link",
     {"user": {_EMBED: False}, "account": {_EMBED_MS: True}, "account_lock": {_EMBED: True}},
     "violation", True, "account_lock", "locked"),
    ("passcode-not-in-link",
     {"user": {_EMBED: True}, "group": {_EMBED: False}, "group_lock": {_EMBED_MS: True}},
     "pass", False, "group_lock", "lock on the host's group"),
    ("passcode-not-in-link", {"meeting": {"password": ""}, "user": {_EMBED: True}}, "violation", True, "user",
     "carries the passcode"),
    ("passcode-not-in-link", {}, "error", None, None, "cannot be judged"),
]  # fmt: skip


@pytest.mark.parametrize(("policy_id", "setup", "status", "actual", "source", "words"), CASES)
def test_verdicts(
    pack: PolicySet, policy_id: str, setup: Setup, status: str, actual: Any, source: Any, words: str
) -> None:
    findings = _findings(pack, policy_id, setup)
    if status == "none":  # not applicable: no finding at all
        assert findings == []
        return
    [finding] = findings
    assert (finding.status, finding.actual, finding.source) == (status, actual, source), finding.message
    assert words in finding.message


def test_every_new_policy_has_cases_is_on_and_sits_after_passcode_strength(pack: PolicySet) -> None:
    assert {case[0] for case in CASES} == set(NEW_POLICIES)
    ids = [p.id for p in pack.policies]
    at = ids.index("passcode-strength")
    assert ids[at + 1 : at + 3] == list(NEW_POLICIES)
    for policy_id, severity in zip(NEW_POLICIES, ("high", "medium"), strict=True):
        policy = pack.get(policy_id)
        assert policy is not None
        assert (policy.enabled, policy.severity) == (True, severity)
        assert policy.references
        assert policy.conflicts


def test_a_stored_phone_passcode_never_reaches_the_finding(pack: PolicySet) -> None:
    [finding] = _findings(pack, "phone-passcode-required", {"meeting": {**_CODE, "pstn_password": "731906"}})
    assert "731906" not in finding.model_dump_json()
    assert "Kite2024x" not in finding.model_dump_json()


@pytest.mark.parametrize(
    ("policy_id", "path", "query", "body"),
    [
        ("phone-passcode-required", "/users/u1/settings", {},
         {"schedule_meeting": {"pstn_password_protected": True}}),
        ("passcode-not-in-link", "/users/u1/settings", {},
         {"schedule_meeting": {"embed_password_in_join_link": False}}),
    ],
)  # fmt: skip
def test_default_fix_requests(
    pack: PolicySet, policy_id: str, path: str, query: dict[str, str], body: dict[str, Any]
) -> None:
    policy = pack.get(policy_id)
    assert policy is not None
    assert policy.fix is not None
    assert policy.fix.mode == "suggest"
    request = fix_request(
        CATALOGUE[policy.control],
        policy.fix.tier,
        policy.fix.value,
        meeting_id=9,
        user_id="u1",
        group_id="g1",
    )
    assert (request.method, request.path, request.query, request.body) == ("PATCH", path, query, body)


@pytest.mark.parametrize(
    ("control", "tier", "query", "body"),
    [
        ("phone_passcode", "account", {"option": "meeting_security"},
         {"meeting_security": {"phone_password": True}}),
        ("phone_passcode", "group_lock", {}, {"schedule_meeting": {"pstn_password_protected": True}}),
        ("passcode_in_link", "account_lock", {"option": "meeting_security"},
         {"meeting_security": {"embed_password_in_join_link": True}}),
    ],
)  # fmt: skip
def test_escalated_fixes_use_the_name_each_tier_has(
    control: str, tier: Any, query: dict[str, str], body: dict[str, Any]
) -> None:
    request = fix_request(CATALOGUE[control], tier, True, user_id="u1", group_id="g1")
    assert (request.query, request.body) == (query, body)


@pytest.mark.parametrize(
    ("control", "tiers"),
    [("phone_passcode", {"user", "group", "account", "group_lock", "account_lock"}),
     ("passcode_in_link", {"user", "group", "account", "group_lock", "account_lock"})],
)  # fmt: skip
def test_tiers_follow_zooms_types(control: str, tiers: set[str]) -> None:
    assert set(CATALOGUE[control].fixable_tiers()) == tiers


def test_the_collector_fetches_the_meeting_security_view() -> None:
    assert Needs.for_controls(PASSCODE_ROUTES).options == frozenset({"meeting_security"})


def test_every_new_control_cites_rivet_and_no_settings_map() -> None:
    for control in PASSCODE_ROUTES:
        assert any("rivet-javascript 0.3.0" in s for s in control.sources), control.name
        assert not any("settings-map" in s for s in control.sources), control.name
    assert "pwd=" in CATALOGUE["passcode_in_link"].notes


def test_fix_listings_show_the_phone_passcode_switch_but_mask_passcodes() -> None:
    from zoomaudit.redaction import MASK, redact

    body = {"meeting_security": {"phone_password": True}, "password": "Kite2024x", "pstn_password": "731906"}
    assert redact(body) == {
        "meeting_security": {"phone_password": True},
        "password": MASK,
        "pstn_password": MASK,
    }
