"""The words every layer shares, defined once: what starts a run, what it audits, how fixes are made.

This module imports nothing from zoomaudit, so the CLI, the runner, the collector, the fix queue,
the store and the service can all use it without importing one another. The string values are
public contracts (the store's columns, the JSON report, the policy files, the CLI options): they
must not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, assert_never

Trigger = Literal["manual", "scheduled", "webhook", "pre-session", "rejudge"]
"""What started a run: a person (CLI, console), the nightly job, a Zoom webhook, a check of one
session shortly before it starts (``pre-session``), or ``zoomaudit rejudge``: a stored run's
snapshot judged again, asking Zoom nothing. A rejudge run is a what-if trial, never the
account's current state (``REAL_TRIGGERS``)."""

REAL_TRIGGERS: tuple[str, ...] = ("manual", "scheduled", "webhook", "pre-session")
"""The triggers of runs that read Zoom: what the account is now (the console, digests, the
pre-session plan and the default ``diff`` read only these)."""

DEFAULT_ACCOUNT = "default"
"""The name of the one Zoom account of an install without an accounts file, and the account of
every row stored before accounts were recorded (store revision 0009)."""

ACCOUNT_NAME = re.compile(r"[a-z0-9-]+")
"""An account's short name (the accounts file's ``name``): lower-case letters, digits, hyphens."""


def is_account_name(name: str) -> bool:
    """Whether ``name`` is a well-formed account name (at most 64 characters: the store's column)."""
    return len(name) <= 64 and ACCOUNT_NAME.fullmatch(name) is not None


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
class AccountScope:
    """Every active user's scheduled meetings."""

    kind: Literal["account"] = "account"


@dataclass(frozen=True)
class MeetingsScope:
    """Some meetings, by id (``zoomaudit audit --meeting``, a webhook about one meeting)."""

    meeting_ids: tuple[int, ...]
    kind: Literal["meetings"] = "meetings"

    @classmethod
    def of(cls, *ids: int) -> MeetingsScope:
        return cls(tuple(ids))


@dataclass(frozen=True)
class UsersScope:
    """Some hosts' meetings, by user id or e-mail (``--user``, webhook re-audits of a group)."""

    users: tuple[str, ...]
    kind: Literal["user"] = "user"

    @classmethod
    def of(cls, *users: str) -> UsersScope:
        return cls(tuple(users))

    @property
    def user(self) -> str | None:
        return self.users[0] if self.users else None


Scope = AccountScope | MeetingsScope | UsersScope
"""What one run audits: a union tagged by ``kind`` (``match`` on the class, or compare ``kind``)."""


def scope_detail(scope: Scope) -> dict[str, list[int] | list[str]]:
    """What the store keeps of a scope beside its kind (the run's ``scope_detail``)."""
    match scope:
        case MeetingsScope(meeting_ids=ids):
            return {"meeting_ids": list(ids), "users": []}
        case UsersScope(users=users):
            return {"meeting_ids": [], "users": list(users)}
        case AccountScope():
            return {"meeting_ids": [], "users": []}
        case _:
            assert_never(scope)
