"""Fault injection: each fault, the token endpoint left alone, and seeded replay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zoomaudit.sandbox import faults
from zoomaudit.sandbox.app import DroppedConnection
from zoomaudit.sandbox.options import SandboxOptions

from .conftest import Api


def _opts(**kwargs: Any) -> SandboxOptions:
    return SandboxOptions(rate_limits=False, meeting_update_quota=False, **kwargs)


def test_faults_are_off_by_default() -> None:
    options = SandboxOptions()
    assert not options.faults_on
    assert options.latency_ms == 0
    assert options.token_expire_after is None


def test_server_errors(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(_opts(error_rate=1.0))
    response = api.get("/users")
    assert response.status_code in (500, 502, 503, 504)
    assert response.json()["code"] == response.status_code
    assert api.token().status_code == 200  # the token endpoint is not faulted unless asked
    assert api.runtime.log.entries[-1].path == "/oauth/token"
    faulted = [e for e in api.runtime.log.entries if e.fault == "error"]
    assert len(faulted) == 1


def test_token_endpoint_faults_only_when_asked(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(_opts(error_rate=1.0, fault_token_endpoint=True))
    assert api.token().status_code >= 500


def test_injected_429s(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(_opts(rate_limit_rate=1.0))
    response = api.get("/users")
    assert response.status_code == 429
    assert response.headers["X-RateLimit-Type"] == "QPS"
    assert response.headers["X-RateLimit-Category"] == "Medium"


def test_429_bursts_every_nth_second(make_api, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(_opts(burst_every_s=5))
    monkeypatch.setattr(faults, "wall_clock", lambda: 1000.0)
    assert api.get("/users").status_code == 429
    monkeypatch.setattr(faults, "wall_clock", lambda: 1001.0)
    assert api.get("/users").status_code == 200


def test_dropped_connection_in_process(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(_opts(drop_rate=1.0))
    with pytest.raises(DroppedConnection):
        api.get("/users")
    assert api.runtime.log.entries[-1].fault == "drop"


def test_malformed_json_on_200s_only(make_api) -> None:  # type: ignore[no-untyped-def]
    api: Api = make_api(_opts(malformed_rate=1.0))
    response = api.get("/users")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    meeting_id = next(iter(api.state.meetings))
    assert api.patch(f"/meetings/{meeting_id}", {"settings": {"watermark": True}}).status_code == 204
    assert api.get("/meetings/1").json()["code"] == 3001  # errors stay well-formed


def test_latency_is_added_to_api_requests(make_api, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def record(delay: float, *args: Any) -> None:
        slept.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("zoomaudit.sandbox.app.asyncio.sleep", record)
    api: Api = make_api(_opts(latency_ms=50))
    api.get("/users")
    assert slept == [0.05]  # once for /v2, none for the token request


def _statuses(seed: int) -> list[int]:
    from zoomaudit.sandbox.demo import demo_state

    api = Api(demo_state(), _opts(seed=seed, error_rate=0.3, rate_limit_rate=0.2))
    ids = sorted(api.state.meetings)[:10]
    out = []
    for _ in range(3):
        for meeting_id in ids:
            out.append(api.get(f"/meetings/{meeting_id}").status_code)
    return out


def test_a_seed_replays_exactly() -> None:
    first = _statuses(7)
    assert first == _statuses(7)
    assert set(first) - {200}  # some faults happened
    assert 200 in first
    assert first != _statuses(8)


def test_replay_does_not_depend_on_request_order() -> None:
    options = _opts(seed=3, error_rate=0.5)
    plan_a, plan_b = faults.FaultPlan(), faults.FaultPlan()
    paths = [f"/v2/meetings/{i}" for i in range(20)]
    forward = {p: plan_a.draw(options, "GET", p, "").fault for p in paths}
    backward = {p: plan_b.draw(options, "GET", p, "").fault for p in reversed(paths)}
    assert forward == backward
