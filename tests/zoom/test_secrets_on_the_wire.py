"""With every logger at DEBUG and real sockets (httpcore2 logs too), no credential reaches the log."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging

import pytest

from zoomaudit.errors import ZoomAuditError
from zoomaudit.sandbox.server import start_sandbox
from zoomaudit.settings import Settings
from zoomaudit.zoom.client import ZoomClient


def test_a_session_over_loopback_logs_no_secret_token_or_basic_credential(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: httpx2, httpcore2, uvicorn, zoomaudit
    # The CLI's logging set-up quiets these two for the whole process; this test wants them loud
    # whatever ran before it (caplog restores the levels afterwards).
    for name in ("httpx2", "httpcore2"):
        caplog.set_level(logging.DEBUG, logger=name)
    tokens: list[str] = []
    with start_sandbox() as sandbox:
        settings = Settings(
            zoom_account_id=sandbox.state.account_id,
            zoom_client_id=sandbox.client_id,
            zoom_client_secret=sandbox.client_secret,
            zoom_api_base_url=sandbox.base_url,
            zoom_oauth_token_url=sandbox.token_url,
            max_retries=1,
        )

        async def go() -> None:
            async with ZoomClient(settings) as zoom:
                users = [u async for u in zoom.list_users()]
                for item in [m async for m in zoom.list_meetings(users[0].id)][:2]:
                    await zoom.get_meeting(item.id)
                await zoom.account_settings_merged()
                tokens.append((await zoom._auth.token()).value)
                with contextlib.suppress(ZoomAuditError):  # a 404: an error path logs too
                    await zoom.get_meeting(1)

        asyncio.run(go())
    basic = base64.b64encode(f"{sandbox.client_id}:{sandbox.client_secret}".encode()).decode()
    assert "send_request_headers" in caplog.text  # httpcore2 spoke at DEBUG
    assert tokens[0]
    for secret in (sandbox.client_secret, basic, tokens[0]):
        assert secret not in caplog.text
