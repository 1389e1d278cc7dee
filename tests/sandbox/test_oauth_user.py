"""The sandbox as Zoom's authorization server for "Sign in with Zoom": authorize, the
authorization_code grant with PKCE and HTTP Basic, and ``GET /v2/users/me`` for the user's token."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx2
import pytest

from .conftest import Api

REDIRECT = "http://console.test/console/signin/zoom/callback"
VERIFIER = "a-verifier-of-enough-length-for-pkce-0123456789"


def challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def authorize(api: Api, **extra: str) -> httpx2.Response:
    app = api.runtime.sign_in_app
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **extra,
    }
    return api.raw("GET", "/oauth/authorize", params=params)


def code_for(api: Api, email: str) -> str:
    answer = authorize(api, login_hint=email)
    assert answer.status_code == 302, answer.text
    back = httpx2.URL(answer.headers["location"])
    assert str(back.copy_with(query=None)) == REDIRECT
    assert back.params["state"] == "st-1"
    return back.params["code"]


def exchange(api: Api, code: str, verifier: str = VERIFIER, **overrides: Any) -> httpx2.Response:
    app = api.runtime.sign_in_app
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    data.update(overrides.pop("data", {}))
    auth = overrides.pop("auth", (app.client_id, app.client_secret))
    return api.raw("POST", "/oauth/token", data=data, auth=auth)


def me(api: Api, token: str) -> httpx2.Response:
    return api.raw("GET", "/v2/users/me", headers={"Authorization": f"Bearer {token}"})


def test_the_owner_signs_in_and_users_me_answers_for_her(api: Api) -> None:
    token = exchange(api, code_for(api, "priya.shah@brightpath.org.uk"))
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["token_type"] == "bearer"
    assert set(body["scope"].split()) == {"user:read:user", "user:read"}
    user = me(api, body["access_token"])
    assert user.status_code == 200
    assert user.json()["email"] == "priya.shah@brightpath.org.uk"
    assert user.json()["role_name"] == "Owner"
    assert user.json()["role_id"] == "0"
    assert user.json()["account_id"] == api.state.account_id


@pytest.mark.parametrize(
    ("email", "role"),
    [("tom.bennett@brightpath.org.uk", "Admin"), ("sian.hughes@brightpath.org.uk", "Member")],
)
def test_users_me_names_the_role_as_zoom_does(api: Api, email: str, role: str) -> None:
    token = exchange(api, code_for(api, email)).json()["access_token"]
    assert me(api, token).json()["role_name"] == role


def test_a_code_is_good_once(api: Api) -> None:
    code = code_for(api, "priya.shah@brightpath.org.uk")
    assert exchange(api, code).status_code == 200
    again = exchange(api, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_is_refused_and_spends_the_code(api: Api) -> None:
    code = code_for(api, "priya.shah@brightpath.org.uk")
    wrong = exchange(api, code, verifier="another-verifier-of-enough-length-0123456789")
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert exchange(api, code).status_code == 400


def test_the_redirect_uri_must_be_the_one_authorized(api: Api) -> None:
    code = code_for(api, "priya.shah@brightpath.org.uk")
    other = exchange(api, code, data={"redirect_uri": "http://evil.test/callback"})
    assert other.status_code == 400


def test_the_app_authenticates_with_basic(api: Api) -> None:
    code = code_for(api, "priya.shah@brightpath.org.uk")
    wrong = exchange(api, code, auth=(api.runtime.sign_in_app.client_id, "not-the-secret"))
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_client")
    s2s = exchange(
        api,
        code_for(api, "priya.shah@brightpath.org.uk"),
        auth=(api.state.client_id, api.state.client_secret),
    )
    assert s2s.status_code == 400


def test_an_expired_code_is_refused(api: Api) -> None:
    code = code_for(api, "priya.shah@brightpath.org.uk")
    api.runtime.sign_in_app.codes[code].expires_at = 0.0
    assert exchange(api, code).status_code == 400


def test_without_a_login_hint_the_page_lists_the_active_users(api: Api) -> None:
    page = authorize(api)
    assert page.status_code == 200
    assert 'value="priya.shah@brightpath.org.uk"' in page.text
    assert 'method="get"' in page.text


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"client_id": "unknown"}, "Invalid client_id"),
        ({"code_challenge_method": "plain"}, "S256"),
        ({"response_type": "token"}, "response_type=code"),
    ],
)
def test_a_bad_authorization_request_is_refused(api: Api, change: dict[str, str], problem: str) -> None:
    answer = authorize(api, login_hint="priya.shah@brightpath.org.uk", **change)
    assert answer.status_code == 400
    assert problem in answer.text


def test_an_account_token_is_no_user(api: Api) -> None:
    answer = api.get("/users/me")
    assert answer.status_code == 404
    assert answer.json()["code"] == 1001


def test_a_user_token_reads_nothing_but_users_me(api: Api) -> None:
    token = exchange(api, code_for(api, "tom.bennett@brightpath.org.uk")).json()["access_token"]
    other = api.raw("GET", "/v2/users", headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 401


def test_a_user_token_cannot_read_another_user(api: Api) -> None:
    token = exchange(api, code_for(api, "sian.hughes@brightpath.org.uk")).json()["access_token"]
    other = api.raw(
        "GET", "/v2/users/priya.shah@brightpath.org.uk", headers={"Authorization": f"Bearer {token}"}
    )
    assert other.status_code == 401
