"""`zoomaudit doctor`: configuration shown masked, then a token and one cheap read, in plain words."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
import respx
from typer.testing import CliRunner

from zoomaudit.cli.app import app

from .conftest import BASE, SECRET, TOKEN_URL, token_response

AUDIT_SCOPES = "user:read:admin meeting:read:admin account:read:admin group:read:admin"


def token_with(scope: str) -> httpx2.Response:
    body = token_response().json()
    return httpx2.Response(200, json={**body, "scope": scope})


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "acct-1")
    monkeypatch.setenv("ZOOM_CLIENT_ID", "client-1")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("ZOOMAUDIT_MAX_RETRIES", "0")  # no backoff sleeps in tests
    monkeypatch.setenv("COLUMNS", "200")  # keep Rich from wrapping the sentences asserted on


@pytest.fixture
def zoom() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.post(TOKEN_URL, name="token").mock(return_value=token_with(AUDIT_SCOPES))
        router.get(f"{BASE}/users", name="users").respond(200, json={"users": [], "next_page_token": ""})
        yield router


def _doctor() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["doctor"])
    return result.exit_code, result.output


@pytest.mark.usefixtures("env")
def test_all_well(zoom: respx.MockRouter) -> None:
    code, out = _doctor()
    assert code == 0, out
    assert "ZOOM_CLIENT_SECRET" in out
    assert "********" in out
    assert "access token obtained" in out
    assert "zoomaudit can use Zoom" in out
    assert zoom["users"].calls.last.request.url.params["page_size"] == "1"
    assert SECRET not in out


def test_missing_variables_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    with respx.mock(assert_all_called=False) as router:
        token = router.post(TOKEN_URL).mock(return_value=token_response())
        code, out = _doctor()
    assert code == 2
    assert "missing: ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET" in out
    assert token.call_count == 0  # nothing is sent to Zoom without credentials


@pytest.mark.usefixtures("env")
def test_invalid_setting_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOMAUDIT_RATE_PLAN", "gold")
    code, out = _doctor()
    assert code == 2
    assert "ZOOMAUDIT_RATE_PLAN" in out or "rate_plan" in out


@pytest.mark.usefixtures("env")
def test_bad_credentials(zoom: respx.MockRouter) -> None:
    zoom["token"].respond(
        401, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )
    code, out = _doctor()
    assert code == 3
    assert "bad credentials" in out
    assert "ZOOM_CLIENT_SECRET" in out
    assert SECRET not in out
    assert zoom["users"].call_count == 0


@pytest.mark.usefixtures("env")
def test_unreachable_host(zoom: respx.MockRouter) -> None:
    zoom["token"].mock(side_effect=httpx2.ConnectError("[Errno -2] Name or service not known"))
    code, out = _doctor()
    assert code == 3
    assert "unreachable" in out
    assert "Name or service not known" in out


@pytest.mark.usefixtures("env")
def test_api_host_unreachable_after_a_token(zoom: respx.MockRouter) -> None:
    zoom["users"].mock(side_effect=httpx2.ConnectTimeout("timed out"))
    code, out = _doctor()
    assert code == 3
    assert "cannot reach the Zoom API" in out


@pytest.mark.usefixtures("env")
def test_missing_scope(zoom: respx.MockRouter) -> None:
    zoom["users"].respond(
        401,
        json={"code": 4700, "message": "Invalid access token, does not contain scopes: [user:read:admin]."},
    )
    code, out = _doctor()
    assert code == 3
    assert "missing scope" in out
    assert "user:read:list_users:admin" in out


@pytest.mark.usefixtures("env")
def test_token_without_the_audit_scopes_fails(zoom: respx.MockRouter) -> None:
    zoom["token"].mock(return_value=token_with("user:read:admin meeting:read:admin"))
    code, out = _doctor()
    assert code == 3, out
    assert "an audit will fail" in out
    assert "account:read:admin" in out
    assert "group:read:admin" in out
    assert "zoomaudit can use Zoom" not in out


@pytest.mark.usefixtures("env")
def test_missing_fix_scopes_are_advice_only(zoom: respx.MockRouter) -> None:
    code, out = _doctor()
    assert code == 0, out
    assert "meeting and user fixes: the token lacks" in out
    assert "zoomaudit can use Zoom" in out


@pytest.mark.usefixtures("env")
def test_token_without_a_scope_list_is_judged_by_the_read(zoom: respx.MockRouter) -> None:
    zoom["token"].mock(return_value=token_with(""))
    code, out = _doctor()
    assert code == 0, out


@pytest.mark.parametrize(
    ("scope", "audit_ok", "fixes_ok"),
    [
        ("user:read:admin meeting:read:admin account:read:admin group:read:admin", True, False),
        (
            "user:read:admin meeting:read:admin account:read:admin group:read:admin "
            "meeting:write:admin user:write:admin",
            True,
            True,
        ),
        (
            "user:read:list_users:admin user:read:user:admin user:read:settings:admin "
            "meeting:read:list_meetings:admin "
            "meeting:read:meeting:admin account:read:settings:admin account:read:lock_settings:master "
            "group:read:list_groups:admin group:read:settings:admin group:read:lock_settings:admin "
            "meeting:update:meeting:admin user:update:settings:admin",
            True,
            True,
        ),
        ("user:read:list_users:admin meeting:write:meeting:admin", False, False),
    ],
    ids=["classic-read", "classic-read-write", "granular-all", "granular-partial"],
)
def test_scope_report(scope: str, audit_ok: bool, fixes_ok: bool) -> None:
    from zoomaudit.cli.doctor import scope_report

    audit, fixes, _groups = scope_report(scope)
    assert audit.endswith("scopes present") is audit_ok
    assert fixes.endswith("scopes present") is fixes_ok
    if not fixes_ok:
        assert "meeting:update:meeting:admin" in fixes or "meeting:write:admin" in fixes


GRANULAR_AUDIT = (
    "user:read:list_users:admin user:read:user:admin user:read:settings:admin "
    "meeting:read:list_meetings:admin meeting:read:meeting:admin account:read:settings:admin "
    "account:read:lock_settings:master group:read:list_groups:admin group:read:settings:admin "
    "group:read:lock_settings:admin"
)


@pytest.mark.usefixtures("env")
def test_granular_token_without_get_user_fails(zoom: respx.MockRouter) -> None:
    # A single-meeting audit reads the host with GET /users/{userId} (user:read:user:admin).
    zoom["token"].mock(return_value=token_with(GRANULAR_AUDIT.replace("user:read:user:admin ", "")))
    code, out = _doctor()
    assert code == 3, out
    assert "an audit will fail: the token lacks user:read:user:admin" in out


@pytest.mark.parametrize(
    ("webhooks", "scope", "code"),
    [
        (False, GRANULAR_AUDIT, 0),
        (True, GRANULAR_AUDIT, 3),
        (True, GRANULAR_AUDIT + " group:read:list_members:admin", 0),
        (True, AUDIT_SCOPES, 0),  # classic group:read:admin covers the members list
    ],
    ids=["no-webhooks", "webhooks-without-members", "webhooks-with-members", "classic"],
)
@pytest.mark.usefixtures("env")
def test_group_members_scope_when_webhooks_are_configured(
    zoom: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, webhooks: bool, scope: str, code: int
) -> None:
    if webhooks:
        monkeypatch.setenv("ZOOM_WEBHOOK_SECRET_TOKEN", "whsec-test-value")
    zoom["token"].mock(return_value=token_with(scope))
    exit_code, out = _doctor()
    assert exit_code == code, out
    out = " ".join(out.split())  # Rich wraps long sentences
    if code == 3:
        assert "re-audit of a group will fail: the token lacks group:read:list_members:admin" in out
    elif not webhooks:
        assert "group re-audits (webhooks, console group filter): the token lacks" in out
    assert "whsec-test-value" not in out
