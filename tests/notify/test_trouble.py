"""Trouble messages: a scheduled audit that fails, and credentials Zoom refuses, are news for the
lead; a failing channel is reported on the others."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zoomaudit.errors import AuthError, ZoomUnavailable
from zoomaudit.notify.catcher import SmtpCatcher
from zoomaudit.notify.deliver import FAILING_AFTER, Notifier
from zoomaudit.notify.messages import trouble
from zoomaudit.service.app import create_service_app
from zoomaudit.settings import load_settings
from zoomaudit.store import Store

from ..service.conftest import running
from .conftest import Receiver

pytestmark = pytest.mark.anyio

LEAD = "dsl@example.org"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FailingRunner:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "subject"),
    [
        (ZoomUnavailable("Zoom answered 503 three times"), "the scheduled audit failed"),
        (AuthError("Zoom refused the client id or secret"), "Zoom refused zoomaudit's credentials"),
    ],
)
async def test_a_failed_nightly_audit_tells_the_lead_why(
    tmp_path: Path, smtp: SmtpCatcher, error: Exception, subject: str
) -> None:
    settings = load_settings(
        ZOOMAUDIT_DATABASE_URL=f"sqlite:///{tmp_path / 't.db'}",
        ZOOMAUDIT_NOTIFY_URLS=smtp.url(to=LEAD),
        ZOOMAUDIT_PRE_SESSION="off",
    )
    app = create_service_app(settings, runner=FailingRunner(error), start_scheduler=False, console=False)
    service = app.state.service
    async with running(app):
        with pytest.raises(type(error)):
            await service.nightly()
        await service.alerts.drain()
    subjects = [m.message["Subject"] for m in smtp.caught]
    assert subjects == [f"zoomaudit needs attention: {subject}"]  # one message per failure
    assert any(str(error) in m.part("plain") for m in smtp.caught)


def test_a_channel_that_keeps_failing_is_reported_on_the_others(
    tmp_path: Path, smtp: SmtpCatcher, receiver: Receiver
) -> None:
    receiver.status = 500
    settings = load_settings(
        ZOOMAUDIT_NOTIFY_URLS=f"{receiver.url('json', 'tok-9876543')} {smtp.url(to=LEAD)}"
    )
    with Store(f"sqlite:///{tmp_path / 'f.db'}") as store:
        notifier = Notifier(settings, store)
        for day in range(FAILING_AFTER):
            notifier.to_lead("trouble", trouble(f"k{day}", f"problem {day}", "detail"))
        # Only the JSON channel failed: the mail channel got the three messages and, after the
        # third failure, the report on the failing one (once: more failures today add nothing).
        notifier.to_lead("trouble", trouble("k9", "problem 9", "detail"))
        subjects = [m.message["Subject"] for m in smtp.caught]
        failing = "zoomaudit needs attention: Notifications to json://127.0.0.1/… keep failing"
        assert subjects.count(failing) == 1
        assert len(subjects) == FAILING_AFTER + 2
        assert not any("tok-9876543" in m.raw.decode() for m in smtp.caught)
