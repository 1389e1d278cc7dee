"""One account's desk in ``zoomaudit serve``: its settings, its Zoom lane and its notifications.

Zoom's rate budget is per account, so the service keeps, for each account it audits, one lane
(lane.py: one client, one turn) made from that account's Settings, and the account's own
notification targets. Accounts never share a lane: a slow or failing account holds up only its
own jobs, and the others' audits run beside it. Without an accounts file there is one desk,
``default``, exactly the single-account service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from zoomaudit.service.alerts import Alerts
from zoomaudit.service.lane import ClientFactory, ZoomLane

if TYPE_CHECKING:
    from zoomaudit.settings import Settings


@dataclass(eq=False)
class AccountDesk:
    """What the service keeps for one account."""

    name: str
    settings: Settings
    lane: ZoomLane
    alerts: Alerts

    @classmethod
    def open(
        cls,
        name: str,
        settings: Settings,
        clock: Callable[[], datetime],
        make_client: ClientFactory | None = None,
    ) -> AccountDesk:
        return cls(name, settings, ZoomLane(settings, make_client=make_client), Alerts(None, clock))

    @property
    def webhook_secret(self) -> str:
        """The account's webhook secret token ('' when its webhooks are off)."""
        return self.settings.zoom_webhook_secret_token.get_secret_value()
