"""The urgent alert: a pre-session check of the service finds a high violation no fix resolved,
and the lead (and the host, with host messages on) hear at once, once per session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zoomaudit.notify.catcher import SmtpCatcher
from zoomaudit.sandbox.server import RunningSandbox, start_sandbox
from zoomaudit.service.app import create_service_app
from zoomaudit.service.presession import PlannedCheck
from zoomaudit.settings import load_settings
from zoomaudit.zoom.client import ZoomClient

from ..service.conftest import running, waiting_room_policies

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOPIC = "Fundraising committee"
LEAD = "dsl@example.org"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as running_sandbox:
        yield running_sandbox


async def test_a_serious_violation_found_before_a_session_is_an_urgent_alert_sent_once(
    sandbox: RunningSandbox, tmp_path: Path, smtp: SmtpCatcher
) -> None:
    settings = load_settings(
        **sandbox.env(),
        ZOOMAUDIT_DATABASE_URL=f"sqlite:///{tmp_path / 'u.db'}",
        ZOOMAUDIT_POLICIES=waiting_room_policies(tmp_path / "policies", "suggest"),
        ZOOMAUDIT_NOTIFY_URLS=smtp.url(to=LEAD),
        ZOOMAUDIT_NOTIFY_HOSTS="on",
        ZOOMAUDIT_SMTP_URL=smtp.url(sender="zoomaudit@brightpath.org.uk"),
        ZOOMAUDIT_CONSOLE_URL="https://za.example.org/console",
    )
    meeting = sandbox.state.meeting_by_topic(TOPIC)
    meeting_id = int(meeting["id"])
    host = sandbox.state.users[meeting["host_id"]].email
    start = (datetime.now(UTC) + timedelta(minutes=12)).replace(second=0, microsecond=0)
    async with ZoomClient(settings) as client:
        await client.update_meeting(
            meeting_id,
            {
                "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "timezone": "Europe/London",
                "settings": {"waiting_room": False},
            },
        )

    app = create_service_app(settings, start_scheduler=False, console=False, webhooks_expected=False)
    service = app.state.service
    async with running(app):
        check = PlannedCheck(meeting_id, None, start, "Europe/London", 10, start - timedelta(minutes=10))
        service.clock = (start - timedelta(minutes=10)).timestamp
        assert await service.pre_session_check(*check.args) == "violations"
        await service.alerts.drain()
        mails = smtp.caught
        assert sorted(m.recipients for m in mails) == sorted([(LEAD,), (host,)])
        lead_mail = next(m for m in mails if m.recipients == (LEAD,))
        assert lead_mail.message["Subject"].startswith(
            "URGENT zoomaudit: unsafe session Fundraising committee"
        )
        london = start.astimezone(ZoneInfo("Europe/London"))
        assert f"{london:%H:%M} Europe/London" in lead_mail.message["Subject"]
        assert "waiting-room" in lead_mail.part("plain")
        assert f"https://za.example.org/console/meetings/{meeting_id}" in lead_mail.part("html")
        assert meeting["password"] not in lead_mail.raw.decode("utf-8", "replace")

        # A second check closer to the start finds it still unsafe: no second alert for the session.
        later = PlannedCheck(meeting_id, None, start, "Europe/London", 5, start - timedelta(minutes=5))
        service.clock = (start - timedelta(minutes=5)).timestamp
        assert await service.pre_session_check(*later.args) == "violations"
        await service.alerts.drain()
        assert len(smtp.caught) == 2
        statuses = sorted(d.status for d in service.store.notifications.recent())
        assert statuses == ["sent", "sent", "suppressed", "suppressed"]
