"""An SMTP server on loopback that keeps what it receives (aiosmtpd): ``zoomaudit demo`` shows
the digest a safeguarding lead would get with it, and the tests send real mail to it.

It listens on an ephemeral port chosen by the OS (no port picked in advance, so no race with
another process) in a thread of its own, and accepts mail for anyone: it is a catcher, never a
relay.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class CaughtMail:
    sender: str
    recipients: tuple[str, ...]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def part(self, subtype: str) -> str:
        """The text of the ``text/<subtype>`` part ("plain" or "html"), or ""."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return str(part.get_content())
        return ""


@dataclass
class _Handler:
    caught: list[CaughtMail] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = CaughtMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), bytes(envelope.original_content))
        with self.arrived:
            self.caught.append(mail)
            self.arrived.notify_all()
        return "250 Message accepted"


class SmtpCatcher:
    """``with SmtpCatcher() as smtp:`` ... ``smtp.url(to=...)``, ``smtp.caught``, ``smtp.wait(n)``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._handler = _Handler()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None

    @property
    def caught(self) -> list[CaughtMail]:
        with self._handler.arrived:
            return list(self._handler.caught)

    def url(self, *, to: str | None = None, sender: str = "zoomaudit@localhost") -> str:
        """An apprise ``mailto`` URL that sends here (plain SMTP: it is loopback only)."""
        query = f"from={sender}&smtp={self.host}" + (f"&to={to}" if to else "")
        return f"mailto://{self.host}:{self.port}?{query}"

    def wait(self, count: int, timeout: float = 10.0) -> list[CaughtMail]:
        """Wait until ``count`` messages have arrived (the sender's SMTP dialogue is over by the
        time apprise returns, so in tests this returns at once)."""
        with self._handler.arrived:
            self._handler.arrived.wait_for(lambda: len(self._handler.caught) >= count, timeout)
            return list(self._handler.caught)

    def start(self) -> SmtpCatcher:
        from aiosmtpd.smtp import SMTP

        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(
            loop.create_server(lambda: SMTP(self._handler, hostname="zoomaudit-catcher"), self.host, 0)
        )
        self.port = int(server.sockets[0].getsockname()[1])
        self._loop, self._server = loop, server
        self._thread = threading.Thread(target=loop.run_forever, name="smtp-catcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        loop, server, thread = self._loop, self._server, self._thread
        if loop is None or server is None or thread is None:
            return

        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
        self._loop = self._server = self._thread = None

    def __enter__(self) -> SmtpCatcher:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
