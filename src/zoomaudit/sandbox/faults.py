"""Seeded fault injection.

Each request draws its faults from a generator seeded by (seed, method, path, query, attempt
number of that same request). The n-th attempt of a given request therefore meets the same
fault in every run, whatever order concurrent requests arrive in: a failing test replays exactly.
The time-based 429 burst (``burst_every_s``) is the one fault that depends on the clock.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from zoomaudit.sandbox.options import SandboxOptions

Fault = Literal["drop", "error", "rate_limit"]
ERROR_STATUSES = (500, 502, 503, 504)
ERROR_BODIES = {
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable.",
    504: "Gateway timeout.",
}


@dataclass(slots=True)
class Draw:
    fault: Fault | None
    status: int
    malformed: bool


class FaultPlan:
    def __init__(self) -> None:
        self._attempts: Counter[str] = Counter()

    def draw(self, options: SandboxOptions, method: str, path: str, query: str) -> Draw:
        if not options.faults_on:
            return Draw(None, 200, False)
        key = f"{method} {path}?{query}"
        self._attempts[key] += 1
        rng = random.Random(f"{options.seed}|{key}|{self._attempts[key]}")
        roll_drop, roll_error, roll_429, roll_bad = rng.random(), rng.random(), rng.random(), rng.random()
        status = ERROR_STATUSES[rng.randrange(len(ERROR_STATUSES))]
        fault: Fault | None = None
        if roll_drop < options.drop_rate:
            fault = "drop"
        elif roll_error < options.error_rate:
            fault = "error"
        elif roll_429 < options.rate_limit_rate or _in_burst(options.burst_every_s):
            fault = "rate_limit"
        return Draw(fault, status, roll_bad < options.malformed_rate)

    def reset(self) -> None:
        self._attempts.clear()


def _in_burst(every: int) -> bool:
    return every > 0 and int(wall_clock()) % every == 0


wall_clock = time.time
"""The clock of 429 bursts (module level so tests can replace it)."""
