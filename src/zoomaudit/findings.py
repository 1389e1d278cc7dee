"""Typed results that cross the pipeline: effective values and findings.

A finding is a tagged union on ``status``; code that consumes findings matches on it
exhaustively. The JSON field names are the public report contract (docs/report-format.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Tier = Literal["meeting", "user", "group", "account", "group_lock", "account_lock", "default"]
Severity = Literal["critical", "high", "medium", "low"]
Status = Literal["violation", "error", "waived", "manual", "pass"]
SEVERITY_RANK: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3}
STATUS_RANK: dict[str, int] = {"violation": 0, "error": 1, "waived": 2, "manual": 3, "pass": 4}
"""Worst first, as reports list findings."""


class Effective(BaseModel):
    """The value of one control in force for one meeting, and where it came from."""

    model_config = ConfigDict(frozen=True)

    control: str
    value: Any = None
    tier: Tier | None = None
    """The tier that decided the value; None when no tier stated it and Zoom has no default."""
    locked: bool = False
    stated: bool = False
    """False when no tier stated the value (the value is Zoom's documented default, or None)."""
    path: str | None = None
    """The Zoom field that decided it, e.g. ``in_meeting.screen_sharing``."""
    manual: bool = False
    """The control has no API field: it must be checked by people, not by zoomaudit."""


class _Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    policy_id: str
    control: str
    severity: Severity
    meeting_id: int | None = None
    occurrence_id: str | None = None
    topic: str | None = None
    host_id: str | None = None
    host_email: str | None = None
    actual: Any = None
    expected: Any = None
    source: Tier | None = None
    locked: bool = False
    message: str = ""
    fix_id: str | None = None
    start_time: datetime | None = None
    """When the judged session starts (UTC); None for a meeting with no fixed time, a Personal
    Meeting Room, or a user or account check."""
    duration: int | None = None
    """The judged session's length in minutes; None when it has no start time."""
    timezone: str | None = None
    """The meeting's own time zone as Zoom states it (an IANA name), for showing ``start_time`` to
    people; not part of the JSON report (schema v2 adds only the start and duration)."""

    @property
    def identity(self) -> tuple[str, str, str]:
        """(policy, subject, occurrence): what makes two findings of two runs the same finding."""
        if self.meeting_id is not None:
            return (self.policy_id, f"meeting:{self.meeting_id}", self.occurrence_id or "")
        if self.host_id is not None:
            return (self.policy_id, f"user:{self.host_id}", "")
        return (self.policy_id, "account", "")


class Violation(_Finding):
    status: Literal["violation"] = "violation"


class Pass(_Finding):
    status: Literal["pass"] = "pass"


class Manual(_Finding):
    status: Literal["manual"] = "manual"


class Waived(_Finding):
    status: Literal["waived"] = "waived"
    waiver_id: int | None = None
    waiver_reason: str | None = None


class ErrorFinding(_Finding):
    """The policy could not be judged (e.g. a value of an unexpected type)."""

    status: Literal["error"] = "error"


Finding = Annotated[Violation | Pass | Manual | Waived | ErrorFinding, Field(discriminator="status")]
