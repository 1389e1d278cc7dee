"""Zoom's retries (issue 16): an event zoomaudit failed to handle is taken again when Zoom retries
it, even with the original timestamp; odd meeting ids are ignored, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.service import webhooks
from zoomaudit.service.webhooks import Audit, Ignore, plan_event
from zoomaudit.vocabulary import MeetingsScope

from .conftest import AppFactory, FakeRunner, event, running, signed

pytestmark = pytest.mark.anyio

URL = "/webhooks/zoom"
T0 = 1_800_000_000.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_a_retry_of_an_event_refused_as_busy_is_processed_even_with_the_old_timestamp(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    clock = Clock(T0)
    app = make_app(clock=clock)
    service = app.state.service
    body, headers = signed(event("meeting.updated", {"id": 8}), timestamp=T0)
    async with running(app) as client:
        service.dispatcher.max_queued = 0  # full: the first delivery is answered 503
        refused = await client.post(URL, content=body, headers=headers)
        service.dispatcher.max_queued = 100
        clock.now = T0 + 5 * 60 + 30  # Zoom's first retry, same timestamp and signature
        retried = await client.post(URL, content=body, headers=headers)
        again = await client.post(URL, content=body, headers=headers)  # now a replay
        await service.dispatcher.join()
    assert refused.status_code == 503
    assert retried.status_code == 200
    assert retried.json() == {"status": "accepted"}
    assert again.status_code == 409
    assert runner.calls == [(MeetingsScope.of(8), "webhook")]


async def test_a_retry_of_an_event_that_failed_with_a_500_is_processed(
    make_app: AppFactory, runner: FakeRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(T0)
    app = make_app(clock=clock)
    service = app.state.service
    body, headers = signed(event("meeting.updated", {"id": 9}), timestamp=T0)
    real_handle = service.handle
    calls = {"n": 0}

    def failing_once(action: Any, account: str | None = None) -> bool:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the queue broke")
        return bool(real_handle(action, account))

    monkeypatch.setattr(service, "handle", failing_once)
    async with running(app) as client:
        failed = await client.post(URL, content=body, headers=headers)
        clock.now = T0 + 25 * 60  # the second retry
        retried = await client.post(URL, content=body, headers=headers)
        await service.dispatcher.join()
    assert failed.status_code == 500
    assert retried.json() == {"status": "accepted"}
    assert runner.calls == [(MeetingsScope.of(9), "webhook")]


async def test_a_retry_with_a_fresh_signature_of_a_refused_event_is_processed(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    clock = Clock(T0)
    app = make_app(clock=clock)
    service = app.state.service
    envelope = event("meeting.updated", {"id": 10})
    async with running(app) as client:
        service.dispatcher.max_queued = 0
        body, headers = signed(envelope, timestamp=T0)
        refused = await client.post(URL, content=body, headers=headers)
        service.dispatcher.max_queued = 100
        clock.now = T0 + 300
        body, headers = signed(envelope, timestamp=T0 + 300)
        retried = await client.post(URL, content=body, headers=headers)
        await service.dispatcher.join()
    assert refused.status_code == 503
    assert retried.json() == {"status": "accepted"}
    assert runner.calls == [(MeetingsScope.of(10), "webhook")]


async def test_old_requests_stay_refused_unless_they_are_retries_of_a_failed_event(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    clock = Clock(T0)
    app = make_app(clock=clock)
    service = app.state.service
    handled, handled_headers = signed(event("meeting.updated", {"id": 11}), timestamp=T0)
    refused, refused_headers = signed(event("meeting.updated", {"id": 12}), timestamp=T0)
    async with running(app) as client:
        assert (await client.post(URL, content=handled, headers=handled_headers)).status_code == 200
        service.dispatcher.max_queued = 0
        assert (await client.post(URL, content=refused, headers=refused_headers)).status_code == 503
        service.dispatcher.max_queued = 100
        clock.now = T0 + 600
        # A request that was handled is not a retry: outside the window it is refused as before.
        stale = await client.post(URL, content=handled, headers=handled_headers)
        clock.now = T0 + webhooks.EVENT_MEMORY_SECONDS + 60
        # The failed one is remembered for 2 hours only.
        forgotten = await client.post(URL, content=refused, headers=refused_headers)
        await service.dispatcher.join()
    assert stale.status_code == 401
    assert forgotten.status_code == 401
    assert runner.calls == [(MeetingsScope.of(11), "webhook")]


@pytest.mark.parametrize(
    "value",
    ["²", "٣٤٥", "１２３", "12345678901234567890", " 123", "123\n", "-5", "", "1e9", 2**70, -5, True, 1.5],
)
def test_meeting_ids_other_than_ascii_digits_are_ignored(value: object) -> None:
    action = plan_event(event("meeting.updated", {"id": value}))
    assert isinstance(action, Ignore)
    deleted = plan_event(event("meeting.deleted", {"id": value}))
    assert isinstance(deleted, Ignore)


@pytest.mark.parametrize("value", ["85012345678", 85012345678, "0", "9223372036854775807"])
def test_ascii_meeting_ids_are_read(value: object) -> None:
    action = plan_event(event("meeting.updated", {"id": value}))
    assert isinstance(action, Audit)
    assert action.scope == MeetingsScope.of(int(str(value)))


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999"])
async def test_an_odd_meeting_id_is_answered_without_a_server_error(
    make_app: AppFactory, runner: FakeRunner, value: str
) -> None:
    app = make_app()
    body, headers = signed(event("meeting.updated", {"id": value}))
    async with running(app) as client:
        response = await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert runner.calls == []


def test_a_signature_remembered_as_failed_skips_only_the_age_check() -> None:
    body = b"{}"
    _, headers = signed(body, timestamp=T0)
    with pytest.raises(webhooks.WebhookRejected, match="too old"):
        webhooks.verify("test-webhook-secret", headers, body, now=T0 + 3600)
    signature = webhooks.verify("test-webhook-secret", headers, body, now=T0 + 3600, known=lambda s: True)
    assert signature == headers["x-zm-signature"]
    with pytest.raises(webhooks.WebhookRejected, match="does not match"):
        webhooks.verify("other", headers, body, now=T0, known=lambda s: True)
