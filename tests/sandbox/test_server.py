"""The sandbox served by uvicorn on loopback: start_sandbox, serve_sandbox, real dropped connections."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import httpx2
import pytest

from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.server import serve_sandbox, start_sandbox
from zoomaudit.settings import Settings


def _token(sandbox) -> str:  # type: ignore[no-untyped-def]
    response = httpx2.post(
        sandbox.token_url,
        data={"grant_type": "account_credentials", "account_id": sandbox.account_id},
        auth=(sandbox.client_id, sandbox.client_secret),
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def test_start_sandbox_serves_the_demo_on_a_free_port() -> None:
    with start_sandbox() as sandbox:
        assert sandbox.base_url.startswith("http://127.0.0.1:")
        assert sandbox.base_url.endswith("/v2")
        assert sandbox.token_url.endswith("/oauth/token")
        headers = {"Authorization": f"Bearer {_token(sandbox)}"}
        users = httpx2.get(f"{sandbox.base_url}/users", headers=headers).json()["users"]
        assert len(users) == 13
        assert sandbox.log.counts() == {"token": 1, "medium": 1}
        assert [e.status for e in sandbox.log.entries] == [200, 200]
        port = urlsplit(sandbox.base_url).port
    with socket.socket() as probe:  # the port is free again after shutdown
        probe.bind(("127.0.0.1", port or 0))


def test_env_points_zoomaudit_settings_at_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    with start_sandbox() as sandbox:
        env = sandbox.env()
        assert set(env) == {
            "ZOOM_API_BASE_URL",
            "ZOOM_OAUTH_TOKEN_URL",
            "ZOOM_ACCOUNT_ID",
            "ZOOM_CLIENT_ID",
            "ZOOM_CLIENT_SECRET",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = Settings()
        assert settings.zoom_api_base_url == sandbox.base_url
        assert settings.zoom_client_secret.get_secret_value() == sandbox.client_secret


def test_a_dropped_connection_closes_without_an_answer() -> None:
    options = SandboxOptions(drop_rate=1.0)
    with start_sandbox(options=options) as sandbox:
        headers = {"Authorization": f"Bearer {_token(sandbox)}"}
        with pytest.raises(httpx2.RemoteProtocolError):
            httpx2.get(f"{sandbox.base_url}/users", headers=headers)
        sandbox.options.drop_rate = 0.0  # options are live
        assert httpx2.get(f"{sandbox.base_url}/users", headers=headers).status_code == 200


def test_serve_sandbox_from_async_code() -> None:
    async def go() -> int:
        async with serve_sandbox() as sandbox, httpx2.AsyncClient() as client:
            response = await client.post(
                sandbox.token_url,
                data={"grant_type": "account_credentials", "account_id": sandbox.account_id},
                auth=(sandbox.client_id, sandbox.client_secret),
            )
            return response.status_code

    assert asyncio.run(go()) == 200


def test_the_listening_socket_is_tcp_so_answers_are_not_held_for_delayed_acks() -> None:
    import socket

    from zoomaudit.sandbox.server import bind_listener

    sock = bind_listener("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
