"""Security review regressions of the webhook endpoint: odd timestamps, and nothing secret in the log."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import pytest

from zoomaudit.service.webhooks import WebhookRejected, sign, verify

from .conftest import SECRET, AppFactory, FakeRunner, event, running, signed

URL = "/webhooks/zoom"
HUGE = "9" * 400  # an integer, but too large for a float


def test_a_timestamp_too_large_for_a_float_is_a_refusal_not_a_crash() -> None:
    body = b"{}"
    headers = {"x-zm-request-timestamp": HUGE, "x-zm-signature": sign(SECRET, HUGE, body)}
    with pytest.raises(WebhookRejected, match="not an integer"):
        verify(SECRET, headers, body, now=time.time())


@pytest.mark.anyio
async def test_the_endpoint_answers_401_to_a_huge_signed_timestamp(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    body = b'{"event":"meeting.updated","payload":{"object":{"id":1}}}'
    headers = {"x-zm-request-timestamp": HUGE, "x-zm-signature": sign(SECRET, HUGE, body)}
    async with running(make_app()) as client:
        response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 401
    assert runner.calls == []


@pytest.mark.anyio
async def test_neither_the_secret_token_nor_an_answer_to_zoom_reaches_the_log(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    validation, validation_headers = signed(
        {"event": "endpoint.url_validation", "payload": {"plainToken": "tok"}}
    )
    update, update_headers = signed(event("meeting.updated", {"id": 42}))
    forged, forged_headers = signed(event("meeting.updated", {"id": 43}), secret="not-the-secret")
    async with running(make_app()) as client:
        answered = await client.post(URL, content=validation, headers=validation_headers)
        await client.post(URL, content=update, headers=update_headers)
        await client.post(URL, content=update, headers=update_headers)  # a replay
        await client.post(URL, content=forged, headers=forged_headers)
    encrypted = hmac.new(SECRET.encode(), b"tok", hashlib.sha256).hexdigest()
    assert answered.json()["encryptedToken"] == encrypted
    for secret in (SECRET, encrypted, update_headers["x-zm-signature"], forged_headers["x-zm-signature"]):
        assert secret not in caplog.text
