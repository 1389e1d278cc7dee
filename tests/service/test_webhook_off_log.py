"""The "webhook endpoint off" line: a warning for the real service, quiet for the demo's console."""

from __future__ import annotations

import logging

import pytest
from rich.console import Console

from zoomaudit.settings import load_settings

from .conftest import AppFactory, running

pytestmark = pytest.mark.anyio

OFF = "webhook endpoint off"


@pytest.mark.parametrize(("expected", "level"), [(True, logging.WARNING), (False, logging.DEBUG)])
async def test_webhook_off_line_level(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture, expected: bool, level: int
) -> None:
    caplog.set_level(logging.DEBUG, logger="zoomaudit.service.app")
    app = make_app(settings=load_settings(), webhooks_expected=expected)
    async with running(app) as client:
        assert (await client.get("/healthz")).json()["webhooks"] == "off"
    [record] = [r for r in caplog.records if OFF in r.getMessage()]
    assert record.levelno == level


def test_the_demo_console_does_not_expect_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoomaudit.cli import demo

    built: list[dict[str, object]] = []

    def fake_create(settings: object, **kwargs: object) -> object:
        built.append(kwargs)
        return object()

    monkeypatch.setattr("zoomaudit.service.app.create_service_app", fake_create)
    monkeypatch.setattr("zoomaudit.service.console.seed_demo_admin", lambda settings: ("a@b", "pw"))
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
    demo._serve_console(load_settings(), port=8099, console=Console(quiet=True))
    assert built[0]["webhooks_expected"] is False
