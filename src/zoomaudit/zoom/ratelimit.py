"""Per-category request budgets, and the parsing of Zoom's 429 answers.

Zoom counts requests per rate-limit category (Light, Medium, ...) across the whole account and
every app installed on it (reference.md §3.1). zoomaudit keeps one budget per category, sized
by plan x share (``Settings.rate_budget``), so that a normal run provokes no 429 at all.

Zoom does not document whether its per-second windows are fixed clock seconds or sliding.
A client paced for fixed windows (a token bucket refilled at the limit) can put nearly twice
the limit into one second that straddles a boundary, and under a strict sliding window it met
429s at a full share. So each category keeps a *sliding log* of its last ``L`` starts (``L`` =
the budget, whole requests, at least one): the n-th request starts no earlier than the
(n-L)-th started plus one second plus a margin. No one-second span of starts then holds more
than ``L``, whatever the window Zoom applies, and a hold-up of the event loop cannot create a
burst beyond it (the log holds actual start times, not slots promised in advance).

Zoom judges *arrivals*, not starts. A request can wait in this process between its start and
the wire (the event loop held up by other work), so the log holds when each request was really
written to its connection (``Slot``, an httpx2 trace hook), not when it was allowed to start.
Measuring from the wire alone would pay that in-process time once per ``L`` requests (the next
one starts a window after the (n-L)-th went out, then spends its own time reaching the wire), so
a request may start early by the least such time recent requests took (``Pacer.lead``): its own
send then lands no sooner than the rule allows.
After the wire, arrivals spread with the network's latency. The margin covers that spread, and
it is measured, not guessed: the spread of the round trips (wire to answer) of the category's
recent requests, a high percentile less the minimum, clamped to ``MARGIN_MIN``..``MARGIN_MAX``.
A round trip's spread overstates the one-way spread (it adds the way back and Zoom's own time),
which errs on the safe side. Until enough requests have been timed, the margin is the maximum.

Starts are also spread out: at most ``burst`` (a tenth of ``L``, at least one) start within
``burst`` times ``SPREAD`` of the even spacing, so that a category's requests flow evenly
instead of in bursts of ``L`` (which the concurrency cap would then queue, widening the spread
of arrivals), while a few requests made together still start together.

A caller starts at once when the log allows it and nobody is waiting; otherwise it queues, and
one pacer per category lets the queue through in order (first come, first served). A caller
cancelled while it waits takes no slot. A 429 costs only the request it hit: that request waits
Zoom's ``Retry-After`` and queues again (transport.py); the category is not paused.

The clock and the sleep are injected so that tests run on a fake clock.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal

Clock = Callable[[], float]
"""Seconds since the epoch (``time.time``); one clock serves token expiry, budgets and Retry-After."""
Sleep = Callable[[float], Awaitable[None]]

SPAN = 1.0
"""Zoom's limits are per second."""
MARGIN_MIN = 0.002
MARGIN_MAX = 0.150
"""The margin for the spread of arrivals stays within these (seconds)."""
RTT_SAMPLES = 256
"""Round trips remembered per category: a few seconds' worth at the plans' limits."""
RTT_MIN_SAMPLES = 16
"""Fewer timed round trips than this: too few to measure a spread; the margin is the maximum."""
RTT_PERCENTILE = 0.99
"""The margin is this percentile of the round trips less their minimum. A round trip's spread
overstates the spread of arrivals (it adds the way back, the server's time and this process's
delay in reading the answer), so a lower percentile was tried: when the audit's own work kept the
event loop busy (45-50 s of CPU for 5,000 meetings), the 99th percentile made a whole-account
audit at share 1.0 take 1.15-1.16 x its bound and the 90th 1.10-1.11. But against the sandbox's
+-10 ms the 90th percentile is ~18 ms, short of the 20 ms by which two arrivals can close up, and
once the audit needed ~14 s of CPU a share-0.5 audit had 41 Light arrivals in one second against
its budget of 40 (at share 1.0 that one would have met a 429). The 99th: 0 over the budget at
either share, and 82.4-83.0 s against the 90th's 82.2 s at share 1.0 in the same hour."""
SPREAD = 0.75
"""Starts are spread at this fraction of the even spacing (window / L): faster than even, so
that the log, not a late wake-up or a request slow to reach the wire, is what holds the rate."""
BURST = 0.1
"""The fraction of ``L`` that may start together."""


class Slot:
    """One request in its category's log: when it started, went out, and was answered.

    ``trace`` is an httpx2 trace extension (httpcore2 calls it around each step of a request):
    it notes when the request was written to the connection and when the answer's headers
    were read, so the log holds when the request really left, not just when it was allowed to.
    """

    __slots__ = ("_clock", "answered", "sent", "start")

    def __init__(self, start: float, clock: Clock) -> None:
        self.start = start
        self.sent: float | None = None
        self.answered: float | None = None
        self._clock = clock

    @property
    def at(self) -> float:
        """When the request went out, or, until it has, when it started."""
        return self.start if self.sent is None else max(self.start, self.sent)

    @property
    def lead(self) -> float | None:
        """Seconds from its start to the wire (time spent in this process), once it went out."""
        return None if self.sent is None else max(0.0, self.sent - self.start)

    @property
    def round_trip(self) -> float | None:
        if self.sent is None or self.answered is None:
            return None
        return self.answered - self.sent

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event.endswith("send_request_body.complete"):
            self.sent = self._clock()  # a replay (a renewed token) moves it on: later is safe
        elif event.endswith("receive_response_headers.complete"):
            self.answered = self._clock()


class Pacer:
    """The sliding log of one rate-limit category."""

    def __init__(self, budget: float, *, clock: Clock = time.time, sleep: Sleep = asyncio.sleep) -> None:
        if budget <= 0:
            raise ValueError("a rate budget must be positive")
        self.budget = budget
        """Requests per second zoomaudit may spend (plan limit x share)."""
        self.limit = max(1, math.floor(budget + 1e-9))
        """``L``: at most this many starts in any window."""
        self.window = max(SPAN, self.limit / budget)
        """One second, or longer when the budget is under one request a second."""
        self.spacing = SPREAD * self.window / self.limit
        self.burst = max(1, math.floor(self.limit * BURST))
        self._clock = clock
        self._sleep = sleep
        self._log: deque[Slot] = deque(maxlen=self.limit)
        """The last ``L`` requests, each at the time it went out (``Slot.at``)."""
        self._round_trips: deque[float] = deque(maxlen=RTT_SAMPLES)
        self._leads: deque[float] = deque(maxlen=RTT_SAMPLES)
        self._waiting: deque[asyncio.Future[Slot]] = deque()
        self._pacer: asyncio.Task[None] | None = None

    @property
    def margin(self) -> float:
        """Seconds added to the window for the spread of arrivals, measured from round trips."""
        if len(self._round_trips) < RTT_MIN_SAMPLES:
            return MARGIN_MAX
        ordered = sorted(self._round_trips)
        high = ordered[min(len(ordered) - 1, math.ceil(RTT_PERCENTILE * (len(ordered) - 1)))]
        return min(MARGIN_MAX, max(MARGIN_MIN, high - ordered[0]))

    @property
    def lead(self) -> float:
        """The least time recent requests spent between their start and the wire: a request
        that starts now goes out no sooner than this, so it may start that much before the
        log's (n-L)-th went out a window and a margin ago (0 until enough were timed)."""
        if len(self._leads) < RTT_MIN_SAMPLES:
            return 0.0
        return min(self._leads)

    def observe(self, round_trip: float, lead: float | None = None) -> None:
        """One request's seconds from the wire to its answer (``Slot.round_trip``) and from its
        start to the wire (``Slot.lead``)."""
        if round_trip >= 0:
            self._round_trips.append(round_trip)
        if lead is not None and lead >= 0:
            self._leads.append(lead)

    def ready_at(self) -> float:
        """The earliest time the next request may start."""
        log = self._log
        # Both rules measure from when earlier requests went out; the next one goes out no
        # sooner than ``lead`` after it starts, so it may start that much earlier.
        lead = self.lead
        spaced = (
            log[-self.burst].at + self.burst * self.spacing - lead if len(log) >= self.burst else -math.inf
        )
        if len(log) < self.limit:
            return spaced
        return max(spaced, log[0].at + self.window + self.margin - lead)

    async def acquire(self) -> Slot:
        """Wait until a request of this category may start (first come, first served); return
        its place in the log (send the request with ``slot.trace`` so that it notes when the
        request went out and when its answer came)."""
        now = self._clock()
        if not self._waiting and now >= self.ready_at():
            slot = Slot(now, self._clock)
            self._log.append(slot)
            return slot
        turn: asyncio.Future[Slot] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        if self._pacer is None or self._pacer.done():
            self._pacer = asyncio.ensure_future(self._pace())
        slot = await turn
        # The pacer noted when it let this caller go; if the event loop was held up before the
        # caller resumed, the request really starts now, and the log must say so, or the
        # request L places on could start less than a window after this one.
        slot.start = max(slot.start, self._clock())
        return slot

    async def _pace(self) -> None:
        """Let the waiting callers start one at a time, each when the log allows it."""
        while self._waiting:
            now = self._clock()
            ready = self.ready_at()
            if now < ready:
                await self._sleep(ready - now)
                continue
            turn = self._waiting.popleft()
            if not turn.done():  # a caller cancelled while it waited takes no slot
                slot = Slot(now, self._clock)
                self._log.append(slot)
                turn.set_result(slot)


class RateLimiter:
    """One pacer per category; unknown categories share the smallest budget."""

    def __init__(
        self,
        budget: Mapping[str, float],
        *,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.pacers = {cat.lower(): Pacer(rate, clock=clock, sleep=sleep) for cat, rate in budget.items()}
        self._fallback = min(self.pacers.values(), key=lambda p: p.budget)

    def pacer(self, category: str) -> Pacer:
        return self.pacers.get(category.lower(), self._fallback)

    async def acquire(self, category: str) -> Slot:
        """Wait for the category's turn; the request's place in the log (``Pacer.acquire``)."""
        return await self.pacer(category).acquire()

    def observe(self, category: str, slot: Slot) -> None:
        """Learn from a request that was answered: its round trip, if it was timed."""
        if slot.round_trip is not None:
            self.pacer(category).observe(slot.round_trip, slot.lead)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """When (epoch seconds) a ``Retry-After`` value allows the next request, or None if unreadable.

    Zoom sends seconds on some answers and an ISO-8601 date-time on daily-limit answers
    (reference.md §3.4); HTTP allows an HTTP-date too. All three are accepted.
    """
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return now + float(text)
    when: datetime | None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def next_utc_midnight(now: float) -> float:
    """The next 00:00 UTC, when Zoom's per-user daily meeting quota resets (reference.md §3.3)."""
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=1)).timestamp()


def iso_utc(epoch: float) -> str:
    """``2026-11-22T00:00:00Z``: how a retry time is shown and stored."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class LimitAnswer:
    """What a 429 says: which limit was hit, for which category, and when asking again may work."""

    kind: Literal["per_second", "daily", "host_daily"]
    category: str | None
    resume_at: float | None
    """Epoch seconds. Always set for the daily kinds (next 00:00 UTC when Zoom does not say)."""


def read_429(headers: Mapping[str, str], message: str, now: float) -> LimitAnswer:
    """Classify a 429 from its headers and its message (reference.md §3.4).

    Headers alone are not trusted: the per-user meeting quota answer has been seen with
    ``X-RateLimit-Category: Light``, no ``X-RateLimit-Type`` and no ``Retry-After``
    (devforum 18928), so the message is read too.
    """
    text = message.lower()
    category = headers.get("X-RateLimit-Category", "").strip().lower() or None
    resume = parse_retry_after(headers.get("Retry-After"), now)
    per_host = any(s in text for s in ("meeting create/update", "particular user", "single user"))
    daily = headers.get("X-RateLimit-Type", "").strip().lower() == "daily-limit" or "daily" in text
    if per_host or daily:
        until = resume if resume is not None and resume > now else next_utc_midnight(now)
        return LimitAnswer("host_daily" if per_host else "daily", category, until)
    return LimitAnswer("per_second", category, resume)
