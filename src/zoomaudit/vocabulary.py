"""The words every layer shares, defined once: what starts a run, what it audits, how fixes are made.

This module imports nothing from zoomaudit, so the CLI, the runner, the collector, the fix queue,
the store and the service can all use it without importing one another. The string values are
public contracts (the store's columns, the JSON report, the policy files, the CLI options): they
must not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Trigger = Literal["manual", "scheduled", "webhook"]
"""What started a run: a person (CLI, console), the nightly job, or a Zoom webhook."""

FixMode = Literal["off", "suggest", "auto"]
"""A policy's fix mode (policy files' ``fix.mode``), or a run's override of every policy's mode."""

ScopeKind = Literal["account", "meetings", "user"]
"""What a run audits; stored with the run as its ``scope``."""


class FixStatus(StrEnum):
    """The status of a fix plan in the queue. The values are the text the store and reports keep.

    ``pending`` (waiting for an admin), ``approved`` (being applied), ``applied``, ``failed``,
    ``stale``, ``rejected``, ``reverted``, ``deferred`` (over the host's daily quota; applied
    later), ``withdrawn`` (the meeting was deleted).
    """

    PENDING = "pending"
    APPROVED = "approved"
    APPLIED = "applied"
    FAILED = "failed"
    STALE = "stale"
    REJECTED = "rejected"
    REVERTED = "reverted"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


FIX_STATUSES: tuple[str, ...] = tuple(status.value for status in FixStatus)
"""Every fix status, in the order the CLI lists them."""
OPEN_FIX_STATUSES: tuple[str, ...] = (
    FixStatus.PENDING.value,
    FixStatus.APPROVED.value,
    FixStatus.DEFERRED.value,
)
"""Statuses of a plan that may still change Zoom."""


@dataclass(frozen=True)
class Scope:
    """What one run audits, tagged by ``kind``; build it with the constructors below."""

    kind: ScopeKind = "account"
    meeting_ids: tuple[int, ...] = ()
    user: str | None = None
    """A user id or e-mail for ``kind == "user"``; several hosts for webhook re-audits use ``users``."""
    users: tuple[str, ...] = ()

    @classmethod
    def account(cls) -> Scope:
        return cls("account")

    @classmethod
    def meetings(cls, *ids: int) -> Scope:
        return cls("meetings", meeting_ids=tuple(ids))

    @classmethod
    def for_user(cls, user: str) -> Scope:
        return cls("user", user=user, users=(user,))

    @classmethod
    def for_users(cls, *users: str) -> Scope:
        return cls("user", user=users[0] if users else None, users=tuple(users))
