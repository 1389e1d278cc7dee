"""The request log that tests and benchmarks read. Secrets and tokens are never recorded."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    category: str | None
    """``light`` | ``medium`` for /v2 routes, None for /oauth/token and unknown paths."""
    time: float
    """``time.time()`` when the answer was decided."""
    fault: str | None = None
    """The injected fault (``drop``, ``error``, ``rate_limit``, ``malformed``) if any."""
    order: int = -1
    """When the request arrived, among all requests (0 first): an order, not a time."""
    beside: tuple[str, ...] = ()
    """The paths of the requests still being answered when this one arrived (they overlapped)."""
    account: str | None = None
    """The account id the request was for: its token's (/v2), its client id's (/oauth/token);
    None when it named no account the sandbox serves."""


_ARRIVAL: ContextVar[tuple[int, tuple[str, ...], str | None] | None] = ContextVar(
    "sandbox_arrival", default=None
)


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._in_flight: dict[int, str] = {}
        self._arrived = 0

    @contextmanager
    def serving(self, path: str, account: str | None = None) -> Iterator[None]:
        """Around answering one request (for ``account``): notes its arrival order and what it
        overlapped, so tests assert concurrency on events, not on timings."""
        with self._lock:
            order = self._arrived
            self._arrived += 1
            beside = tuple(self._in_flight.values())
            self._in_flight[order] = path
        token = _ARRIVAL.set((order, beside, account))
        try:
            yield
        finally:
            _ARRIVAL.reset(token)
            with self._lock:
                self._in_flight.pop(order, None)

    def add(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        category: str | None,
        fault: str | None = None,
        *,
        account: str | None = None,
    ) -> None:
        order, beside, serving = _ARRIVAL.get() or (-1, (), None)
        entry = LoggedRequest(
            method, path, query, status, category, time.time(), fault, order, beside, account or serving
        )
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def of_account(self, account_id: str) -> list[LoggedRequest]:
        """The requests for one account (a sandbox serving several logs them all here)."""
        return [e for e in self.entries if e.account == account_id]

    def counts(self, account_id: str | None = None) -> dict[str, int]:
        """Requests per category (``light``, ``medium``, ``token``, ``other``), of every account
        or of ``account_id``'s alone."""
        out: Counter[str] = Counter()
        for e in self.entries if account_id is None else self.of_account(account_id):
            out[e.category or ("token" if e.path == "/oauth/token" else "other")] += 1
        return dict(out)

    def statuses(self) -> dict[int, int]:
        return dict(Counter(e.status for e in self.entries))

    def matching(self, method: str | None = None, path_prefix: str = "") -> list[LoggedRequest]:
        return [
            e
            for e in self.entries
            if (method is None or e.method == method) and e.path.startswith(path_prefix)
        ]
