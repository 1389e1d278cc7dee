"""The client secret and access tokens never reach a log line, the terminal or an error message."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx2
import pytest
import respx
from typer.testing import CliRunner

from zoomaudit.cli.app import app
from zoomaudit.errors import ZoomAuditError
from zoomaudit.zoom.client import ZoomClient

from .conftest import ACCESS, BASE, SECRET, token_response

RENEWED = "at-eyJhbGciOiJIUzUxMiJ9.second-access-token"


def test_no_secret_or_token_in_logs_output_or_errors(
    api: respx.MockRouter,
    make_client: Callable[..., ZoomClient],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx2 and httpcore2 included
    api["token"].mock(
        side_effect=[
            token_response(ACCESS),
            token_response(RENEWED),
            # A token endpoint that (wrongly) echoes what it was sent must not leak it either.
            httpx2.Response(401, json={"error": "invalid_client", "reason": f"bad secret {SECRET}"}),
        ]
    )
    api.get(f"{BASE}/users/u1").mock(
        side_effect=[
            httpx2.Response(401, json={"code": 124, "message": "Access token is expired."}),
            httpx2.Response(200, json={"id": "u1"}),
        ]
    )
    api.get(f"{BASE}/meetings/1").respond(404, json={"code": 3001, "message": f"token {RENEWED} not found"})
    api.get(f"{BASE}/meetings/2").respond(503)
    api.get(f"{BASE}/users").respond(401, json={"code": 4700, "message": "does not contain scopes: [x]"})

    errors: list[str] = []

    async def go() -> None:
        async with make_client(max_retries=1) as zoom:
            await zoom.get_user("u1")  # token, 401 code 124, renewal, replay
            for call in (
                lambda: zoom.get_meeting(1),
                lambda: zoom.get_meeting(2),
                lambda: zoom.request("GET", "/users"),
            ):
                try:
                    await call()
                except (ZoomAuditError, httpx2.HTTPError) as exc:
                    errors.append(f"{exc!s} {exc!r}")
            zoom._auth.forget()  # force a third token request, which is refused
            try:
                await zoom.authenticate()
            except ZoomAuditError as exc:
                errors.append(f"{exc!s} {exc!r}")

    asyncio.run(go())
    assert len(errors) == 4

    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "acct-1")
    monkeypatch.setenv("ZOOM_CLIENT_ID", "client-1")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", SECRET)
    api["token"].mock(return_value=token_response(ACCESS))
    doctor = CliRunner().invoke(app, ["doctor"])
    assert doctor.exit_code == 3  # GET /users answers 4700 above

    captured = capsys.readouterr()
    everything = "\n".join([caplog.text, captured.out, captured.err, doctor.output, *errors])
    assert "u1" in caplog.text or caplog.records  # something was logged and is being checked
    for secret in (SECRET, ACCESS, RENEWED):
        assert secret not in everything
