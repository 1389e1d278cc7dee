"""Growing delays after failed sign-ins, per account and per client address (never a lockout).

After ``free`` failed sign-ins in a row, each further attempt must wait: 1 second after the first
failure past the allowance, then 2, 4, 8... up to ``cap``. An attempt made while a delay runs is not
checked and not counted, and it is answered exactly like a wrong password (the caller's job), so a
delay can neither be told from a wrong password nor be stretched by hammering. Failures are
forgotten after ``forget`` without one.

Per account the count is kept in the database (``admins.failed_attempts`` and
``admins.locked_until``, read as "no sign-in is checked before"), so every process sees it and
``zoomaudit admins unlock`` clears it; per address it is kept in memory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

_MAX_ADDRESSES = 10_000


@dataclass(frozen=True)
class Backoff:
    """How failures turn into waiting time."""

    free: int
    """Failures in a row allowed without any wait."""
    cap: timedelta
    """The longest wait."""
    first: timedelta = timedelta(seconds=1)
    forget: timedelta = timedelta(hours=1)
    """Failures older than this (counted from the end of their wait) no longer count."""

    def wait_after(self, failures: int) -> timedelta:
        """How long the next attempt must wait after ``failures`` failures in a row."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 40)
        wait: timedelta = self.first * 2**doublings
        return min(self.cap, wait)

    def failures_now(self, failures: int, not_before: datetime | None, now: datetime) -> int:
        """``failures``, or 0 when they are old enough to be forgotten."""
        if not_before is None or now >= not_before + self.forget:
            return 0
        return failures


@dataclass(frozen=True)
class LoginPolicy:
    """The delays of the console's sign-in: per account (short, so nobody can keep an admin out
    for long) and per client address (longer: one address guessing at many accounts)."""

    account: Backoff = field(default_factory=lambda: Backoff(free=5, cap=timedelta(minutes=5)))
    address: Backoff = field(default_factory=lambda: Backoff(free=10, cap=timedelta(minutes=15)))


@dataclass
class _Record:
    failures: int
    not_before: datetime


class AddressThrottle:
    """Failed sign-ins per client address, in memory (per process)."""

    def __init__(self, backoff: Backoff) -> None:
        self._backoff = backoff
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def attempt(self, address: str, now: datetime) -> bool:
        """Whether ``address`` may have a sign-in checked now; an allowed attempt counts as failed.

        Counting before the check matters: a password check takes a while, and attempts sent at
        once would otherwise all be allowed before the first failure is recorded. ``succeeded``
        clears the count of an address whose attempt turns out right.
        """
        with self._lock:
            record = self._records.get(address)
            failures = self._backoff.failures_now(record.failures, record.not_before, now) if record else 0
            if record is not None and failures and now < record.not_before:
                return False
            if len(self._records) > _MAX_ADDRESSES:
                self._forget_old(now)
            failures += 1
            self._records[address] = _Record(failures, now + self._backoff.wait_after(failures))
            return True

    def failures(self, address: str) -> int:
        with self._lock:
            record = self._records.get(address)
            return record.failures if record else 0

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._records.pop(address, None)

    def _forget_old(self, now: datetime) -> None:
        for key, record in list(self._records.items()):
            if not self._backoff.failures_now(record.failures, record.not_before, now):
                del self._records[key]
