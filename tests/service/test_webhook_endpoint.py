"""POST /webhooks/zoom through the ASGI app, with a fake runner and no scheduler."""

from __future__ import annotations

import time

import pytest

from zoomaudit.errors import ZoomApiError
from zoomaudit.settings import load_settings
from zoomaudit.vocabulary import AccountScope, MeetingsScope, Scope, UsersScope

from .conftest import AppFactory, FakeRunner, event, running, signed

pytestmark = pytest.mark.anyio

URL = "/webhooks/zoom"


async def test_url_validation_is_answered_with_the_hmac_of_the_token(make_app: AppFactory) -> None:
    import hashlib
    import hmac

    body, headers = signed({"event": "endpoint.url_validation", "payload": {"plainToken": "abc123"}})
    async with running(make_app()) as client:
        response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 200
    digest = hmac.new(b"test-webhook-secret", b"abc123", hashlib.sha256).hexdigest()
    assert response.json() == {"plainToken": "abc123", "encryptedToken": digest}


async def test_unsigned_url_validation_is_refused(make_app: AppFactory) -> None:
    # Otherwise the endpoint would sign any chosen text: a forged event's signature.
    body = b'{"event":"endpoint.url_validation","payload":{"plainToken":"v0:1:{}"}}'
    async with running(make_app()) as client:
        response = await client.post(URL, content=body)
    assert response.status_code == 401
    assert "encryptedToken" not in response.text


async def test_signed_meeting_update_queues_a_single_meeting_audit(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    app = make_app()
    body, headers = signed(event("meeting.updated", {"id": 85012345678}))
    async with running(app) as client:
        response = await client.post(URL, content=body, headers=headers)
        assert response.status_code == 200
        assert response.json() == {"status": "accepted"}
        await app.state.service.dispatcher.join()
    assert runner.calls == [(MeetingsScope.of(85012345678), "webhook")]


@pytest.mark.parametrize("case", ["wrong-secret", "altered-body", "stale", "future", "no-headers"])
async def test_unverified_requests_are_refused(make_app: AppFactory, runner: FakeRunner, case: str) -> None:
    app = make_app()
    body, headers = signed(event("meeting.updated", {"id": 1}))
    if case == "wrong-secret":
        body, headers = signed(event("meeting.updated", {"id": 1}), secret="not-the-secret")
    elif case == "altered-body":
        body = body.replace(b'"id":1', b'"id":2')
    elif case == "stale":
        body, headers = signed(event("meeting.updated", {"id": 1}), timestamp=time.time() - 600)
    elif case == "future":
        body, headers = signed(event("meeting.updated", {"id": 1}), timestamp=time.time() + 600)
    else:
        headers = {}
    async with running(app) as client:
        response = await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert response.status_code == 401
    assert "error" in response.json()
    assert runner.calls == []


async def test_replays_are_refused_and_redeliveries_processed_once(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    app = make_app()
    envelope = event("meeting.updated", {"id": 7})
    body, headers = signed(envelope)
    async with running(app) as client:
        first = await client.post(URL, content=body, headers=headers)
        replay = await client.post(URL, content=body, headers=headers)
        # Zoom's retry of the same event comes with a new timestamp and signature.
        body2, headers2 = signed(envelope, timestamp=time.time() + 1)
        redelivery = await client.post(URL, content=body2, headers=headers2)
        await app.state.service.dispatcher.join()
    assert first.status_code == 200
    assert replay.status_code == 409
    assert redelivery.status_code == 200
    assert redelivery.json() == {"status": "duplicate"}
    assert runner.calls == [(MeetingsScope.of(7), "webhook")]


async def test_endpoint_is_off_without_a_secret(make_app: AppFactory, runner: FakeRunner) -> None:
    app = make_app(settings=load_settings())
    body, headers = signed(event("meeting.updated", {"id": 1}))
    async with running(app) as client:
        response = await client.post(URL, content=body, headers=headers)
        health = await client.get("/healthz")
    assert response.status_code == 503
    assert "ZOOM_WEBHOOK_SECRET_TOKEN" in response.json()["error"]
    assert health.json()["webhooks"] == "off"
    assert runner.calls == []


async def test_oversized_body_is_refused(make_app: AppFactory) -> None:
    body, headers = signed(b"{" + b" " * (1 << 20) + b"}")
    async with running(make_app()) as client:
        response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 413


async def test_signed_garbage_is_a_bad_request(make_app: AppFactory) -> None:
    body, headers = signed(b"not json")
    async with running(make_app()) as client:
        response = await client.post(URL, content=body, headers=headers)
    assert response.status_code == 400


async def test_unknown_events_are_acknowledged_and_ignored(make_app: AppFactory, runner: FakeRunner) -> None:
    app = make_app()
    body, headers = signed(event("meeting.started", {"id": 5}))
    async with running(app) as client:
        response = await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert runner.calls == []


async def test_three_updates_of_a_meeting_give_one_audit(make_app: AppFactory, runner: FakeRunner) -> None:
    app = make_app(debounce=0.2)
    async with running(app) as client:
        for n in range(3):
            body, headers = signed(event("meeting.updated", {"id": 42, "topic": f"v{n}"}, ts=1000 + n))
            assert (await client.post(URL, content=body, headers=headers)).status_code == 200
        body, headers = signed(event("meeting.updated", {"id": 43}, ts=2000))
        await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert sorted(runner.calls, key=lambda c: c[0].meeting_ids) == [
        (MeetingsScope.of(42), "webhook"),
        (MeetingsScope.of(43), "webhook"),
    ]


async def test_each_event_kind_reaches_the_right_scope(make_app: AppFactory, runner: FakeRunner) -> None:
    async def members(client: object, group_id: str) -> list[str]:
        return {"g1": ["u2", "u3"]}[group_id]

    app = make_app(group_members=members)
    events = [
        event("meeting.created", {"id": 11}, ts=1),
        event("user.settings_updated", {"id": "u1"}, ts=2),
        event("group.settings_updated", {"id": "g1"}, ts=3),
        event("account.lock_settings_updated", {"id": "acc"}, ts=4),
        event("account.settings_updated", {"id": "acc"}, ts=5),  # debounced with the previous one
    ]
    async with running(app) as client:
        for envelope in events:
            body, headers = signed(envelope)
            assert (await client.post(URL, content=body, headers=headers)).status_code == 200
        await app.state.service.dispatcher.join()
    assert sorted(runner.calls, key=repr) == sorted(
        [
            (MeetingsScope.of(11), "webhook"),
            (UsersScope.of("u1"), "webhook"),
            (UsersScope.of("u2", "u3"), "webhook"),
            (AccountScope(), "webhook"),
        ],
        key=repr,
    )


async def test_group_change_falls_back_to_the_account_when_members_cannot_be_listed(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    async def members(client: object, group_id: str) -> list[str]:
        raise ZoomApiError(404, 4130, "A group with this groupId does not exist.")

    app = make_app(group_members=members)
    body, headers = signed(event("group.lock_settings_updated", {"id": "gone"}))
    async with running(app) as client:
        await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert runner.calls == [(AccountScope(), "webhook")]


async def test_deleted_meeting_withdraws_its_fixes_and_drops_a_pending_audit(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    withdrawn: list[tuple[int, str]] = []
    app = make_app(
        withdraw_fixes=lambda meeting_id, account: withdrawn.append((meeting_id, account)), debounce=0.2
    )
    async with running(app) as client:
        body, headers = signed(event("meeting.updated", {"id": 99}, ts=1))
        await client.post(URL, content=body, headers=headers)
        body, headers = signed(event("meeting.deleted", {"id": 99, "uuid": "x=="}, ts=2))
        await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert withdrawn == [(99, "default")]
    assert runner.calls == []


async def test_a_failing_audit_does_not_stop_the_queue(make_app: AppFactory) -> None:
    calls: list[Scope] = []

    async def flaky(scope: Scope, trigger: str = "manual", **_: object) -> object:
        calls.append(scope)
        if scope.meeting_ids == (1,):
            raise ZoomApiError(500, None, "boom")
        from zoomaudit.runner import RunOutcome

        return RunOutcome(run_id="r", complete=True)

    app = make_app(runner=flaky)
    async with running(app) as client:
        for mid in (1, 2):
            body, headers = signed(event("meeting.updated", {"id": mid}, ts=mid))
            await client.post(URL, content=body, headers=headers)
        await app.state.service.dispatcher.join()
    assert sorted(s.meeting_ids for s in calls) == [(1,), (2,)]


async def test_an_event_that_cannot_be_queued_is_refused_for_a_later_retry(
    make_app: AppFactory, runner: FakeRunner
) -> None:
    app = make_app()
    service = app.state.service
    envelope = event("meeting.updated", {"id": 8})
    async with running(app) as client:
        service.dispatcher.max_queued = 0  # full
        body, headers = signed(envelope)
        refused = await client.post(URL, content=body, headers=headers)
        service.dispatcher.max_queued = 100
        body, headers = signed(envelope, timestamp=time.time() + 1)  # Zoom's retry
        retried = await client.post(URL, content=body, headers=headers)
        await service.dispatcher.join()
    assert refused.status_code == 503
    assert retried.json() == {"status": "accepted"}
    assert runner.calls == [(MeetingsScope.of(8), "webhook")]
