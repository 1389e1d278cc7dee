"""Pure webhook helpers: signatures, timestamps, replay memory, event planning."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from zoomaudit.service.webhooks import (
    Audit,
    AuditGroup,
    Ignore,
    ReplayGuard,
    WebhookRejected,
    Withdraw,
    event_key,
    plan_event,
    sign,
    url_validation_answer,
    verify,
)
from zoomaudit.vocabulary import AccountScope, MeetingsScope, UsersScope

from .conftest import SECRET, event

NOW = 1_763_700_000.0
BODY = b'{"event":"meeting.updated","payload":{"object":{"id":85012345678}}}'


def headers_for(body: bytes, *, secret: str = SECRET, stamp: float = NOW) -> dict[str, str]:
    ts = str(int(stamp))
    return {"x-zm-request-timestamp": ts, "x-zm-signature": sign(secret, ts, body)}


def test_signature_is_hmac_sha256_of_v0_timestamp_body() -> None:
    expected = hmac.new(SECRET.encode(), b"v0:1700000000:" + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1700000000", BODY) == "v0=" + expected


def test_valid_request_is_accepted() -> None:
    headers = headers_for(BODY)
    assert verify(SECRET, headers, BODY, now=NOW + 10) == headers["x-zm-signature"]


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(WebhookRejected, match="signature"):
        verify(SECRET, headers_for(BODY, secret="another-secret"), BODY, now=NOW)


def test_altered_body_is_refused() -> None:
    altered = BODY.replace(b"85012345678", b"85012345679")
    with pytest.raises(WebhookRejected, match="signature"):
        verify(SECRET, headers_for(BODY), altered, now=NOW)


def test_reserialised_body_does_not_verify() -> None:
    # The signature covers the raw bytes: the same JSON with other spacing is a different message.
    spaced = BODY.replace(b'":', b'": ')
    with pytest.raises(WebhookRejected):
        verify(SECRET, headers_for(BODY), spaced, now=NOW)


def test_stale_timestamp_is_refused() -> None:
    with pytest.raises(WebhookRejected, match="too old"):
        verify(SECRET, headers_for(BODY), BODY, now=NOW + 301)
    assert verify(SECRET, headers_for(BODY), BODY, now=NOW + 299)


def test_future_timestamp_is_refused() -> None:
    with pytest.raises(WebhookRejected, match="future"):
        verify(SECRET, headers_for(BODY, stamp=NOW + 120), BODY, now=NOW)


def test_millisecond_timestamps_are_understood() -> None:
    ts = str(int(NOW * 1000))
    headers = {"x-zm-request-timestamp": ts, "x-zm-signature": sign(SECRET, ts, BODY)}
    assert verify(SECRET, headers, BODY, now=NOW + 5)


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-zm-signature": "v0=00"}, {"x-zm-request-timestamp": "1"}],
    ids=["none", "no-timestamp", "no-signature"],
)
def test_missing_headers_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected, match="missing"):
        verify(SECRET, headers, BODY, now=NOW)


def test_non_numeric_timestamp_is_refused() -> None:
    headers = {"x-zm-request-timestamp": "yesterday", "x-zm-signature": sign(SECRET, "yesterday", BODY)}
    with pytest.raises(WebhookRejected, match="integer"):
        verify(SECRET, headers, BODY, now=NOW)


def test_url_validation_answer() -> None:
    answer = url_validation_answer(SECRET, "qgg8vlvZRS6UYooatFL8Aw")
    digest = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert answer == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": digest}


def test_replay_guard_remembers_until_expiry() -> None:
    guard = ReplayGuard(ttl=300)
    assert guard.first_time("sig", NOW)
    assert not guard.first_time("sig", NOW + 299)
    assert guard.first_time("sig", NOW + 301)


def test_replay_guard_is_bounded() -> None:
    guard = ReplayGuard(ttl=300, max_entries=3)
    for key in "abcd":
        assert guard.first_time(key, NOW)
    assert len(guard) <= 3
    assert not guard.first_time("d", NOW)


def test_event_key_ignores_spacing_and_key_order() -> None:
    a = {"event": "meeting.updated", "event_ts": 1, "payload": {"object": {"id": 1, "topic": "x"}}}
    b = {"payload": {"object": {"topic": "x", "id": 1}}, "event_ts": 1, "event": "meeting.updated"}
    assert event_key(a) == event_key(b)
    assert event_key(a) != event_key({**a, "event_ts": 2})


@pytest.mark.parametrize(
    ("envelope", "expected"),
    [
        (event("meeting.created", {"id": 111}), Audit("meeting:111", MeetingsScope.of(111))),
        (event("meeting.updated", {"id": "222"}), Audit("meeting:222", MeetingsScope.of(222))),
        (event("meeting.deleted", {"id": 333}), Withdraw(333)),
        (
            event("meeting.deleted", {"id": 444, "occurrences": [{"occurrence_id": "1"}]}),
            Audit("meeting:444", MeetingsScope.of(444)),
        ),
        (event("user.settings_updated", {"id": "u1"}), Audit("user:u1", UsersScope.of("u1"))),
        (event("group.settings_updated", {"id": "g1"}), AuditGroup("group:g1", "g1")),
        (event("group.lock_settings_updated", {"id": "g2"}), AuditGroup("group:g2", "g2")),
        (
            event("group.member_added", {"id": "g1", "members": [{"id": "u2"}, {"id": "u1"}]}),
            Audit("user:u1,u2", UsersScope.of("u1", "u2")),
        ),
        (event("group.member_deleted", {"id": "g3"}), AuditGroup("group:g3", "g3")),
        (event("account.settings_updated", {"id": "acc"}), Audit("account", AccountScope())),
        (event("account.lock_settings_updated", {"id": "acc"}), Audit("account", AccountScope())),
    ],
    ids=lambda v: v["event"] if isinstance(v, dict) else "",
)
def test_plan_event(envelope: dict[str, Any], expected: object) -> None:
    assert plan_event(envelope) == expected


@pytest.mark.parametrize(
    "envelope",
    [
        event("meeting.started", {"id": 1}),
        event("meeting.updated", {"topic": "no id"}),
        event("user.settings_updated", {}),
        event("group.settings_updated", {"id": ""}),
        {"event": "meeting.updated", "payload": "not an object"},
        {},
    ],
)
def test_events_zoomaudit_does_not_act_on(envelope: dict[str, Any]) -> None:
    assert isinstance(plan_event(envelope), Ignore)
