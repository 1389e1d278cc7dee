"""One sandbox serving several Zoom accounts: each its own credentials, data and rate budget.

Zoom serves every account from the same URLs; the token request's client credentials and
``account_id`` pick the account, and the token is bound to it (reference.md §1.1). A token of
one account reaches nothing of another's: a user id of another account is a user that does not
exist (404 / 1001), a meeting id a meeting that is not found (404 / 3001), as Zoom answers.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from zoomaudit.sandbox.accounts import SandboxAccount
from zoomaudit.sandbox.app import create_app, runtime, runtimes
from zoomaudit.sandbox.demo import demo_state
from zoomaudit.sandbox.options import SandboxOptions, no_limits
from zoomaudit.sandbox.server import start_sandbox
from zoomaudit.sandbox.state import SandboxState
from zoomaudit.sandbox.synthetic import account_credentials, synthetic_accounts, synthetic_state
from zoomaudit.settings import Settings
from zoomaudit.zoom.client import ZoomClient

from .conftest import BASE, frozen


class MultiApi:
    """Callers of one in-process sandbox serving several accounts, each with its own token."""

    def __init__(self, states: list[SandboxState], options: SandboxOptions | None = None) -> None:
        self.states = states
        self.app = create_app(states, options or no_limits())
        self._tokens: dict[str, str] = {}

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        async def go() -> httpx2.Response:
            transport = httpx2.ASGITransport(app=self.app)
            async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(go())

    def token(self, account_id: str, client_id: str, secret: str) -> httpx2.Response:
        data = {"grant_type": "account_credentials", "account_id": account_id}
        return self.raw("POST", "/oauth/token", data=data, auth=(client_id, secret))

    def bearer(self, state: SandboxState) -> str:
        if state.account_id not in self._tokens:
            response = self.token(state.account_id, state.client_id, state.client_secret)
            assert response.status_code == 200, response.text
            self._tokens[state.account_id] = response.json()["access_token"]
        return self._tokens[state.account_id]

    def call(self, state: SandboxState, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {self.bearer(state)}"}
        return self.raw(method, "/v2" + path, headers=headers, **kwargs)


@pytest.fixture
def two() -> tuple[MultiApi, SandboxState, SandboxState]:
    a, b = (frozen(s) for s in synthetic_accounts(2, users=6, meetings=12, seed=7))
    return MultiApi([a, b]), a, b


def _scheduled(state: SandboxState) -> list[int]:
    return [mid for mid, m in state.meetings.items() if m["type"] != 4]


# -- credentials ---------------------------------------------------------------------------------
def test_each_account_gets_a_token_with_its_own_credentials(two) -> None:  # type: ignore[no-untyped-def]
    api, a, b = two
    assert api.bearer(a) != api.bearer(b)
    for state in (a, b):
        listed = api.call(state, "GET", "/users", params={"page_size": 300}).json()
        assert {u["email"] for u in listed["users"]} == {u.email for u in state.users.values()}
    assert {u.email.split("@")[1] for u in a.users.values()} == {"acct01.example-charity.org"}


def test_the_right_credentials_with_another_accounts_id_are_refused_as_zoom_does(two) -> None:  # type: ignore[no-untyped-def]
    api, a, b = two
    response = api.token(b.account_id, a.client_id, a.client_secret)
    assert response.status_code == 400
    assert response.json() == {"reason": "Invalid account_id.", "error": "invalid_request", "code": 4735}
    # A's client id with B's secret: the secret is wrong for that client.
    response = api.token(a.account_id, a.client_id, b.client_secret)
    assert (response.status_code, response.json()["code"]) == (400, 4704)
    # A client id no account has.
    response = api.token(a.account_id, "no-such-client", a.client_secret)
    assert (response.status_code, response.json()["code"]) == (400, 4702)
    # Never echoes a secret.
    assert a.client_secret not in response.text
    assert b.client_secret not in response.text


def test_the_token_request_is_logged_against_its_account_and_the_token_bound_to_it(two) -> None:  # type: ignore[no-untyped-def]
    api, _a, b = two
    api.bearer(b)
    log = runtime(api.app).log
    assert [e.account for e in log.entries if e.path == "/oauth/token"] == [b.account_id]
    issued = next(iter(runtime(api.app).tokens.values()))
    assert issued.account_id == b.account_id


# -- data isolation ------------------------------------------------------------------------------
def test_a_token_of_one_account_never_sees_another_accounts_users(two) -> None:  # type: ignore[no-untyped-def]
    api, a, b = two
    listed = api.call(a, "GET", "/users", params={"page_size": 300}).json()
    assert {u["id"] for u in listed["users"]} == set(a.users)
    assert not set(a.users) & set(b.users)
    b_user = next(iter(b.users.values()))
    for key in (b_user.id, b_user.email):
        response = api.call(a, "GET", f"/users/{key}")
        assert response.status_code == 404
        assert response.json()["code"] == 1001
        assert api.call(a, "GET", f"/users/{key}/settings").status_code == 404
        assert api.call(a, "GET", f"/users/{key}/meetings").json()["code"] == 1001
    assert api.call(b, "GET", f"/users/{b_user.id}").json()["id"] == b_user.id


def test_a_token_of_one_account_can_neither_read_nor_change_another_accounts_meetings(two) -> None:  # type: ignore[no-untyped-def]
    api, a, b = two
    assert not set(a.meetings) & set(b.meetings)  # meeting ids are unique across accounts, as Zoom's
    meeting_id = _scheduled(b)[0]
    before = dict(b.meetings[meeting_id]["settings"])
    response = api.call(a, "GET", f"/meetings/{meeting_id}")
    assert (response.status_code, response.json()["code"]) == (404, 3001)
    response = api.call(a, "PATCH", f"/meetings/{meeting_id}", json={"settings": {"waiting_room": False}})
    assert (response.status_code, response.json()["code"]) == (404, 3001)
    assert b.meetings[meeting_id]["settings"] == before
    assert api.call(b, "GET", f"/meetings/{meeting_id}").status_code == 200


def test_changing_one_accounts_settings_leaves_the_others_alone(two) -> None:  # type: ignore[no-untyped-def]
    api, a, b = two
    before_b = api.call(b, "GET", "/accounts/me/settings", params={"option": "meeting_security"}).json()
    body = {"meeting_security": {"waiting_room": False}}
    response = api.call(a, "PATCH", "/accounts/me/settings", json=body, params={"option": "meeting_security"})
    assert response.status_code == 204, response.text
    after_a = api.call(a, "GET", "/accounts/me/settings", params={"option": "meeting_security"}).json()
    after_b = api.call(b, "GET", "/accounts/me/settings", params={"option": "meeting_security"}).json()
    assert after_a["meeting_security"]["waiting_room"] is False
    assert after_b == before_b


def test_requests_are_logged_against_the_account_of_their_token(two) -> None:  # type: ignore[no-untyped-def]
    api, a, b = two
    api.call(a, "GET", "/users")
    api.call(b, "GET", "/users")
    api.call(b, "GET", "/groups")
    log = runtime(api.app).log
    assert log.counts(a.account_id) == {"token": 1, "medium": 1}
    assert log.counts(b.account_id) == {"token": 1, "medium": 2}
    unknown = api.raw("GET", "/v2/users", headers={"Authorization": "Bearer sbx.nobody"})
    assert unknown.json()["code"] == 124
    assert log.entries[-1].account is None


# -- rate budgets --------------------------------------------------------------------------------
def test_each_account_has_its_own_per_second_budget(two) -> None:  # type: ignore[no-untyped-def]
    _, a, b = two
    api = MultiApi([a, b], SandboxOptions(plan="pro", meeting_update_quota=False))
    for rt in runtimes(api.app):
        rt.qps().clock = lambda: 1000.25  # every request of both accounts in the same second
    statuses_a = [api.call(a, "GET", "/users").status_code for _ in range(21)]
    assert statuses_a == [200] * 20 + [429]  # A's Medium budget (pro: 20 a second) is spent
    statuses_b = [api.call(b, "GET", "/users").status_code for _ in range(20)]
    assert statuses_b == [200] * 20  # B's is untouched by A's
    log = runtime(api.app).log
    refused = [e.account for e in log.entries if e.status == 429]
    assert refused == [a.account_id]


def test_each_account_may_have_its_own_plan_and_options(two) -> None:  # type: ignore[no-untyped-def]
    _, a, b = two
    pro = SandboxOptions(plan="pro", meeting_update_quota=False)
    app = create_app([SandboxAccount(a, pro), b], SandboxOptions(plan="business"))
    rt_a, rt_b = runtimes(app)
    assert (rt_a.options.plan, rt_b.options.plan) == ("pro", "business")
    assert rt_a.qps().limits["medium"] == 20
    assert rt_b.qps().limits["medium"] == 60
    assert rt_a.qps() is not rt_b.qps()


def test_accounts_sharing_options_draw_their_own_latency_jitter(two) -> None:  # type: ignore[no-untyped-def]
    _, a, b = two
    options = SandboxOptions(latency_ms=50, latency_jitter_ms=10, seed=3)
    rt_a, rt_b = runtimes(create_app([a, b], options))
    alone = runtime(create_app(a, options))
    draws_a, draws_b = [rt_a.latency() for _ in range(5)], [rt_b.latency() for _ in range(5)]
    assert draws_a != draws_b
    assert draws_a == [alone.latency() for _ in range(5)]  # the first account: as if alone


def test_the_daily_update_quota_is_kept_per_account(two) -> None:  # type: ignore[no-untyped-def]
    _, a, b = two
    api = MultiApi([a, b], SandboxOptions(rate_limits=False))
    host_a = a.meetings[_scheduled(a)[0]]["host_id"]
    a.set_meeting_updates(host_a, 100)
    patch = {"settings": {"waiting_room": True}}
    assert api.call(a, "PATCH", f"/meetings/{_scheduled(a)[0]}", json=patch).status_code == 429
    assert api.call(b, "PATCH", f"/meetings/{_scheduled(b)[0]}", json=patch).status_code == 204
    assert b.meeting_updates
    assert not any(k[0] == host_a for k in b.meeting_updates)


# -- over loopback, with zoomaudit's own client ---------------------------------------------------
@pytest.mark.e2e
def test_zoomaudits_client_reads_only_the_account_its_settings_name(two) -> None:  # type: ignore[no-untyped-def]
    _, a, b = two

    async def users_of(env: dict[str, str]) -> set[str]:
        async with ZoomClient(Settings(**env)) as zoom:  # type: ignore[arg-type]
            return {u.id async for u in zoom.list_users()}

    with start_sandbox([a, b], no_limits()) as sandbox:
        assert [acc.name for acc in sandbox.accounts] == ["acct01", "acct02"]
        assert sandbox.env() == sandbox.account("acct01").env()  # the first account, as before
        served_b = sandbox.account(b.account_id)
        assert asyncio.run(users_of(served_b.env())) == set(b.users)
        assert asyncio.run(users_of(sandbox.account("acct01").env())) == set(a.users)
        assert {e.account for e in served_b.requests()} == {b.account_id}
        assert len(served_b.requests()) < len(sandbox.log)


# -- the single account, unchanged ---------------------------------------------------------------
def test_one_account_is_still_the_default_and_unchanged() -> None:
    state = frozen(demo_state())
    app = create_app(state, no_limits())
    assert [rt.state for rt in runtimes(app)] == [state]
    assert runtime(app).state is state
    assert state.name == "default"
    synthetic = synthetic_state(users=3, meetings=4, seed=1)
    assert (synthetic.account_id, synthetic.client_id, synthetic.client_secret) == (
        "SynthAcct000001",
        "synthClient1",
        "synth-secret-1",
    )
    assert min(m for m, d in synthetic.meetings.items() if d["type"] != 4) == 90000000000
    assert all(u.email.endswith("@example-charity.org") for u in synthetic.users.values())


def test_synthetic_accounts_have_names_and_credentials_derived_from_the_seed() -> None:
    states = synthetic_accounts(3, users=2, meetings=3, seed=5)
    assert [s.name for s in states] == ["acct01", "acct02", "acct03"]
    for index, state in enumerate(states, 1):
        assert (state.account_id, state.client_id, state.client_secret) == account_credentials(5, index)
    assert len({s.account_id for s in states}) == 3
    again = synthetic_accounts(3, users=2, meetings=3, seed=5)
    assert [sorted(s.users) for s in again] == [sorted(s.users) for s in states]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: setattr(s, "name", "acct01"), "repeats the name 'acct01'"),
        (lambda s: setattr(s, "account_id", "SynthAcct000005A01"), "repeats the account id"),
        (lambda s: setattr(s, "client_id", "synthClient5a01"), "repeats another account's client id"),
    ],
)
def test_two_accounts_that_could_not_be_told_apart_are_refused(change: Any, message: str) -> None:
    a, b = synthetic_accounts(2, users=1, meetings=1, seed=5)
    change(b)
    with pytest.raises(ValueError, match=message) as caught:
        create_app([a, b])
    assert "account 2" in str(caught.value)
    assert b.client_secret not in str(caught.value)


def test_an_empty_list_of_accounts_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one account"):
        create_app([])
