"""How a sandbox behaves: rate limits, token lifetime, settings view and fault injection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Tamper = Callable[[str, str, Any], Any]
"""``(method, path, body) -> body``: rewrites a 200 JSON answer; ``bytes`` are sent as they are."""


@dataclass
class SandboxOptions:
    """All faults are off by default. Options may be changed while the sandbox runs (tests do)."""

    plan: Literal["pro", "business", "enterprise"] = "business"
    rate_limits: bool = True
    """Per-second Light/Medium limits of the plan (reference.md §3.2)."""
    rate_window: Literal["sliding", "fixed"] = "sliding"
    """How the per-second limits count (ratelimit.QpsLimiter): ``sliding``, no one-second span
    holds more than the limit (the strictest reading of Zoom); ``fixed``, each clock second afresh."""
    meeting_update_quota: bool = True
    """100 meeting updates per host per UTC day (reference.md §3.3)."""
    daily_update_limit: int = 100
    token_ttl: int = 3600
    """Seconds a token lives, as advertised in ``expires_in`` and enforced."""
    settings_view: Literal["effective", "stored"] = "effective"
    """What user/group settings GETs answer (docs/sandbox.md, guess 1)."""
    auth_shape: Literal["flat", "nested"] = "flat"
    """Which of Zoom's two documented shapes ``GET /users/{id}/settings?option=meeting_authentication``
    answers in (tiers.nested_authentication)."""

    # -- fault injection (seeded; see faults.py) --
    seed: int = 0
    latency_ms: float = 0.0
    """Added to every /v2 answer (and to /oauth/token only with ``fault_token_endpoint``)."""
    latency_jitter_ms: float = 0.0
    """The added latency varies uniformly within +-this (never below 0): arrivals spread like
    a real network's. Seeded by ``seed``."""
    error_rate: float = 0.0
    """Fraction of /v2 requests answered with a 5xx."""
    rate_limit_rate: float = 0.0
    """Fraction of /v2 requests answered with a QPS 429."""
    burst_every_s: int = 0
    """When > 0, every N-th wall-clock second answers all /v2 requests with a QPS 429."""
    drop_rate: float = 0.0
    """Fraction of /v2 requests whose connection is closed without an answer."""
    malformed_rate: float = 0.0
    """Fraction of JSON 200 answers whose body is cut short (invalid JSON)."""
    token_expire_after: float | None = None
    """Tokens stop working this many seconds after issue, whatever ``expires_in`` said."""
    fault_token_endpoint: bool = False
    """Apply latency, 5xx and drops to ``/oauth/token`` too."""
    tamper: Tamper | None = None
    """Rewrites every 200 JSON answer of /v2 (odd answers from Zoom: a page token that is an
    object, an id out of range, JSON nested too deep); returning ``bytes`` sends them as they are."""

    @property
    def faults_on(self) -> bool:
        return bool(
            self.error_rate
            or self.rate_limit_rate
            or self.burst_every_s
            or self.drop_rate
            or self.malformed_rate
        )


def no_limits() -> SandboxOptions:
    """Options for behaviour tests: no rate limits, no quota."""
    return SandboxOptions(rate_limits=False, meeting_update_quota=False)
