"""The daily-limit ledger: which categories and hosts Zoom has cut off for the day in this run.

A 429 that is not a per-second limit means waiting cannot help: Zoom's daily limit for a rate
category, or a host's daily quota of meeting updates, is used up until ``resume_at`` (or the next
UTC midnight). ``ZoomTransport`` records each such answer here and asks before every request, so
the rest of the run stops asking instead of spending more 429s. Meeting updates are charged to
their host, so the ledger also remembers which host each meeting it has seen belongs to.
"""

from __future__ import annotations

from collections import OrderedDict

from zoomaudit.errors import RateLimited
from zoomaudit.zoom.ratelimit import LimitAnswer, iso_utc, next_utc_midnight

MEETING_HOST_CACHE = 10_000


class DailyLedger:
    """Daily limits seen in this run: category or host -> (epoch when it resets, shown as)."""

    def __init__(self) -> None:
        self._categories: dict[str, tuple[float, str | None]] = {}
        self._hosts: dict[str, tuple[float, str | None]] = {}
        self._meeting_hosts: OrderedDict[int, str] = OrderedDict()

    def record(
        self, answer: LimitAnswer, category: str, host: str | None, what: str, message: str, now: float
    ) -> RateLimited:
        """Record a daily (not per-second) 429 answer; return the error to raise for it."""
        limit_category = answer.category or category
        until = answer.resume_at or next_utc_midnight(now)
        retry_at = iso_utc(until)
        if answer.kind == "host_daily":
            if host:
                self._hosts[host] = (until, retry_at)
            who = f"host {host}" if host else "this meeting's host"
            return RateLimited(
                f"{who} has used up Zoom's daily quota of meeting updates ({what}): {message} "
                f"zoomaudit makes no more changes for this host until {retry_at}",
                category=limit_category,
                retry_at=retry_at,
                host=host,
            )
        self._categories[limit_category] = (until, retry_at)
        return RateLimited(
            f"Zoom's daily rate limit for {limit_category} requests is used up ({what}); "
            f"zoomaudit stops asking until {retry_at}",
            category=limit_category,
            retry_at=retry_at,
        )

    def check(self, category: str, host: str | None, method: str, path: str, what: str, now: float) -> None:
        """Raise RateLimited when this request would hit a daily limit already reached in this run."""
        # A category cut off for the day blocks every request of it; a host's used-up quota only
        # its meeting updates (PATCH /meetings/...).
        blocked = self._categories.get(category)
        reached, charged = f"Zoom's daily rate limit for {category} requests was reached", None
        cut_off = blocked is not None and now < blocked[0]
        if not cut_off and host and method == "PATCH" and path.startswith("/meetings/"):
            blocked = self._hosts.get(host)
            reached, charged = f"host {host} reached Zoom's daily quota of meeting updates", host
        if blocked and now < blocked[0]:
            raise RateLimited(
                f"{what} not sent: {reached} earlier in this run (resets {blocked[1]})",
                category=category,
                retry_at=blocked[1],
                host=charged,
            )

    def host_of(self, path: str) -> str | None:
        """The host of the meeting a ``/meetings/{id}...`` path names, when a listing showed it."""
        parts = path.split("?", 1)[0].strip("/").split("/")
        if len(parts) >= 2 and parts[0] == "meetings" and parts[1].isdigit():
            return self._meeting_hosts.get(int(parts[1]))
        return None

    def remember_host(self, meeting_id: int, host_id: str) -> None:
        self._meeting_hosts[meeting_id] = host_id
        self._meeting_hosts.move_to_end(meeting_id)
        while len(self._meeting_hosts) > MEETING_HOST_CACHE:
            self._meeting_hosts.popitem(last=False)
