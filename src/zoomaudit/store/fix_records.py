"""The records the fix repository hands out: plain frozen models, never a session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from zoomaudit.redaction import redact
from zoomaudit.store.models import FixEvent
from zoomaudit.store.models import FixPlan as FixRow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class FixRecord(BaseModel):
    """A fix plan as stored (the body unmasked: it is what an approval sends)."""

    model_config = ConfigDict(frozen=True)

    id: str
    account: str = "default"
    """The Zoom account the plan changes (its short name)."""
    policy_id: str
    status: str
    target_level: str
    target_id: str | None
    host_id: str | None
    method: str
    path: str
    query: dict[str, Any]
    body: Any
    before: Any
    meeting_ids: list[int]
    occurrence_id: str | None
    dedupe_key: str
    created_at: datetime
    created_run_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    applied_at: datetime | None
    error: str | None
    note: str | None
    version: int

    @field_validator("query", mode="before")
    @classmethod
    def _query(cls, value: Any) -> dict[str, Any]:
        return dict(value or {})

    @field_validator("meeting_ids", mode="before")
    @classmethod
    def _meeting_ids(cls, value: Any) -> list[int]:
        return [int(m) for m in (value or [])]

    @property
    def fields(self) -> dict[str, Any]:
        """``{dotted path: value}`` the body sets."""
        from zoomaudit.controls import flatten

        return flatten(self.body or {})

    def public(self) -> dict[str, Any]:
        """The JSON shape of ``fixes list --format json`` (passcodes masked)."""
        return {
            "id": self.id,
            "account": self.account,
            "policy_id": self.policy_id,
            "status": self.status,
            "target": {"level": self.target_level, "id": self.target_id},
            "host_id": self.host_id,
            "request": {
                "method": self.method,
                "path": self.path,
                "query": dict(self.query),
                "body": redact(self.body),
            },
            "before": redact(self.before or {}),
            "meeting_ids": list(self.meeting_ids),
            "occurrence_id": self.occurrence_id,
            "created_at": _iso(self.created_at),
            "created_run_id": self.created_run_id,
            "decided_by": self.decided_by,
            "decided_at": _iso(self.decided_at),
            "applied_at": _iso(self.applied_at),
            "error": self.error,
            "note": self.note,
        }


class EventRecord(BaseModel):
    """One entry of the trail (as stored: masked by its writer)."""

    model_config = ConfigDict(frozen=True)

    id: int
    fix_id: str
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    before: Any
    after: Any
    note: str | None

    def public(self) -> dict[str, Any]:
        return {
            "fix_id": self.fix_id,
            "at": _iso(self.at),
            "actor": self.actor,
            "from": self.from_status,
            "to": self.to_status,
            "before": self.before,
            "after": self.after,
            "note": self.note,
        }


def record_of(row: FixRow) -> FixRecord:
    return FixRecord.model_validate(row, from_attributes=True)


def event_of(row: FixEvent) -> EventRecord:
    return EventRecord.model_validate(row, from_attributes=True)
