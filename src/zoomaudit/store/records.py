"""Plain, frozen records the store hands out: runs, reports of runs, and diffs between runs.

These are the pure inputs of the report formats and the CLI; none of them holds a database
session, so they can be built by hand in tests and passed across threads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zoomaudit.findings import Finding, Violation
from zoomaudit.snapshot import CollectError
from zoomaudit.vocabulary import ScopeKind, Trigger

RunStatus = Literal["running", "complete", "incomplete", "failed", "abandoned"]

FINDING_COLUMNS: tuple[str, ...] = (*Violation.model_fields, "waiver_id", "waiver_reason")
"""The findings table's columns a finding is read from (``runs.finding_from``), in the order a
plain select of them returns them (``Store.iter_finding_columns``)."""

COUNT_KEYS: tuple[str, ...] = (
    "meetings",
    "users",
    "violations",
    "errors",
    "waived",
    "manual",
    "passed",
    "past",
)
"""The keys of a run's counts, in the order reports show them. ``past``: meetings left unjudged
because their sessions are over (0 for runs from before it was counted)."""
ROW_COUNT_KEYS: tuple[str, ...] = tuple(key for key in COUNT_KEYS if key != "past")
"""The counts that can be recounted from a run's stored rows (``past`` leaves no row)."""


class _Record(BaseModel):
    # from_attributes: the store builds records from its ORM rows (``Record.model_validate(row)``).
    model_config = ConfigDict(frozen=True, from_attributes=True)

    @field_validator("scope_detail", "counts", "query", mode="before", check_fields=False)
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        """A JSON column left NULL reads as an empty mapping."""
        return {} if value is None else value


class RunRecord(_Record):
    """One audit run as stored."""

    id: str
    account: str = "default"
    """The Zoom account audited (its short name; ``default`` without an accounts file)."""
    trigger: Trigger
    scope: ScopeKind
    scope_detail: dict[str, Any] = Field(default_factory=dict)
    started_at: datetime
    finished_at: datetime | None = None
    status: RunStatus
    complete: bool = False
    policy_hash: str = ""
    counts: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    rejudged_from: str | None = None
    """For a ``rejudge`` run: the run whose snapshot it judged again."""


class PolicyInfo(_Record):
    """What a report says about a policy besides its findings."""

    title: str = ""
    rationale: str = ""


class FixInfo(_Record):
    """A fix plan as reports show it next to the findings it would make safe."""

    id: str
    status: str
    target_level: str
    target_id: str | None = None
    method: str
    path: str
    query: dict[str, Any] = Field(default_factory=dict)
    body: Any = None

    @property
    def request_text(self) -> str:
        """The request in one line, e.g. ``PATCH /meetings/1?occurrence_id=2``."""
        if not self.query:
            return f"{self.method} {self.path}"
        query = "&".join(f"{key}={value}" for key, value in sorted(self.query.items()))
        return f"{self.method} {self.path}?{query}"


class RunReport(_Record):
    """Everything a report format needs about one run; formats are pure functions of it."""

    run: RunRecord
    findings: list[Finding] = Field(default_factory=list)
    errors: list[CollectError] = Field(default_factory=list)
    include_passed: bool = False
    """Whether ``findings`` holds the passes too (they are left out unless asked for)."""
    policies: dict[str, PolicyInfo] = Field(default_factory=dict)
    """Title and rationale by policy id, as recorded with the run (may be empty)."""
    fixes: dict[str, FixInfo] = Field(default_factory=dict)
    """The fix plans named by ``findings[].fix_id``, by id."""

    @property
    def summary(self) -> dict[str, int]:
        """The run's counts with every key of COUNT_KEYS present."""
        return {key: int(self.run.counts.get(key, 0)) for key in COUNT_KEYS}


class RunDiff(_Record):
    """Violations of a newer run compared with an older one, by finding identity."""

    old_run: RunRecord
    new_run: RunRecord
    new: list[Finding] = Field(default_factory=list)
    """Violations of the new run that the old run did not have, on subjects the old run audited."""
    resolved: list[Finding] = Field(default_factory=list)
    """Violations of the old run whose subject the new run audited and found no longer violating."""
    still_open: list[Finding] = Field(default_factory=list)
    """Violations of both runs (the new run's finding)."""
    unchecked: list[Finding] = Field(default_factory=list)
    """Violations of the old run whose subject the new run did not audit (out of scope, or an error)."""
    unchecked_new: list[Finding] = Field(default_factory=list)
    """Violations of the new run whose subject the old run did not audit (out of its scope, an
    error, or the old run failed): not counted as new."""
