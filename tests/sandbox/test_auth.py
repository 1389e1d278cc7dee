"""POST /oauth/token and bearer checks: Zoom's shapes for success, bad credentials, expiry, scopes."""

from __future__ import annotations

from .conftest import Api


def test_account_credentials_grant_returns_a_bearer_token(api: Api) -> None:
    response = api.token()
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert isinstance(body["access_token"], str)
    assert body["access_token"]
    assert set(body["scope"].split()) >= {"user:read:admin", "meeting:write:admin", "group:read:admin"}


def test_grant_parameters_may_come_in_the_query(api: Api) -> None:
    params = {"grant_type": "account_credentials", "account_id": api.state.account_id}
    response = api.token(data={}, params=params)
    assert response.status_code == 200


def test_wrong_client_id_and_secret_get_zoom_error_codes(api: Api) -> None:
    wrong_id = api.token(auth=("someone-else", api.state.client_secret))
    wrong_secret = api.token(auth=(api.state.client_id, "not-it"))
    no_auth = api.raw("POST", "/oauth/token", data={"grant_type": "account_credentials"})
    for response, code in ((wrong_id, 4702), (wrong_secret, 4704), (no_auth, 4706)):
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == code
        assert body["error"]
        assert body["reason"]
        assert api.state.client_secret not in response.text


def test_grant_type_and_account_are_checked(api: Api) -> None:
    other_grant = api.token(data={"grant_type": "client_credentials", "account_id": api.state.account_id})
    assert (other_grant.status_code, other_grant.json()["code"]) == (400, 4705)
    no_grant = api.token(data={"account_id": api.state.account_id})
    assert no_grant.json()["code"] == 4706
    wrong_account = api.token(data={"grant_type": "account_credentials", "account_id": "nope"})
    assert wrong_account.status_code == 400


def test_missing_or_unknown_bearer_is_code_124(api: Api) -> None:
    none = api.raw("GET", "/v2/users")
    bad = api.raw("GET", "/v2/users", headers={"Authorization": "Bearer made-up"})
    for response in (none, bad):
        assert response.status_code == 401
        assert response.json() == {"code": 124, "message": "Invalid access token."}


def test_a_token_expires(make_api) -> None:  # type: ignore[no-untyped-def]
    api = make_api()
    api.options.token_ttl = 0
    response = api.get("/users")
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}


def test_early_expiry_fault_kills_a_token_that_claims_an_hour(make_api) -> None:  # type: ignore[no-untyped-def]
    api = make_api()
    api.options.token_expire_after = 0
    token = api.token().json()
    assert token["expires_in"] == 3600
    response = api.raw("GET", "/v2/users", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert response.json()["message"] == "Access token is expired."
    api.options.token_expire_after = None
    fresh = api.token().json()["access_token"]
    assert api.raw("GET", "/v2/users", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_missing_scope_is_code_4700_naming_the_scopes(api: Api) -> None:
    api.state.scopes = ("user:read:admin",)
    assert api.get("/users").status_code == 200
    response = api.get("/groups")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 4700
    assert body["message"] == "Invalid access token, does not contain scopes: [group:read:admin]."
    patch = api.patch(f"/users/{api.user('Grace').id}/settings", {"in_meeting": {"chat": True}})
    assert patch.json()["code"] == 4700
    assert "user:write:admin" in patch.json()["message"]
