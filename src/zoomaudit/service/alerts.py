"""The service's notifications (zoomaudit.notify), sent beside the Zoom lane, never in it.

apprise talks to mail servers and webhooks with blocking calls, so each message is sent in a
worker thread as a background task: an audit returns, and the lane moves on, without waiting for
a slow SMTP server. A channel that fails is logged and retried by the ``notify-retry`` job
(every minute); nothing here raises into an audit. At shutdown the messages being sent get a few
seconds to finish; a delivery cut short stays ``retrying`` in the log and is sent after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoomaudit.notify.deliver import Notifier

log = logging.getLogger(__name__)

RETRY_JOB_ID = "notify-retry"


class Alerts:
    """What the service tells people. ``notifier`` is None when no channel is configured."""

    def __init__(self, notifier: Notifier | None, clock: Callable[[], datetime]) -> None:
        self.notifier = notifier
        self._clock = clock
        self.tasks: set[asyncio.Task[Any]] = set()

    @property
    def on(self) -> bool:
        return self.notifier is not None and self.notifier.configured

    def _spawn(self, label: str, work: Callable[[], object]) -> None:
        if not self.on:
            return

        async def run() -> None:
            try:
                result = await asyncio.to_thread(work)
            except Exception:  # a bug in a message must not take the service down
                log.exception("notifications (%s) could not be sent", label)
                return
            line = getattr(result, "line", None)
            if callable(line):
                log.info("%s: %s", label, line())

        task = asyncio.get_running_loop().create_task(run(), name=f"zoomaudit-notify-{label}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def after_run(self, run_id: str) -> None:
        """The digest and the host nudges after a nightly run."""
        from zoomaudit.notify import events

        notifier = self.notifier
        if notifier is not None:
            self._spawn("digest", lambda: events.after_run(notifier, run_id, self._clock()))

    def after_failure(self, what: str, detail: str, key: str) -> None:
        """Trouble: a scheduled run failed, Zoom refused the credentials."""
        from zoomaudit.notify import events

        notifier = self.notifier
        if notifier is not None:
            self._spawn("trouble", lambda: events.after_failure(notifier, what, detail, key))

    def after_check(self, check_id: int) -> None:
        """An urgent alert if the pre-session check left a serious violation open."""
        from zoomaudit.notify import events

        notifier = self.notifier
        if notifier is None:
            return

        def send() -> object:
            check = notifier.store.pre_session.get(check_id)
            if check is None:
                return None
            return events.after_check(notifier, check, None)

        self._spawn("urgent alert", send)

    async def retry(self, *, shared_log: bool = False) -> None:
        """Attempt the deliveries whose retry time has come (the ``notify-retry`` job);
        ``shared_log``: several accounts share the log, each retries its own channels'."""
        notifier = self.notifier
        if notifier is not None:
            sent = await asyncio.to_thread(lambda: notifier.retry_due(shared_log=shared_log))
            if sent.deliveries:
                log.info(
                    "notification retries: %d sent, %d still failing",
                    sent.count("sent"),
                    len(sent.deliveries) - sent.count("sent"),
                )

    async def drain(self, grace: float = 10.0) -> None:
        """Give messages being sent ``grace`` seconds to finish (shutdown)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=grace)
