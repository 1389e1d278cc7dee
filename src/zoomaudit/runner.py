"""The one orchestration: collect -> resolve/evaluate -> store -> plan/apply fixes.

The CLI, the nightly job, the webhooks and the web console all call ``run``; none of them
re-implements a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Trigger = Literal["manual", "scheduled", "webhook"]
FixMode = Literal["off", "suggest", "auto"]
ScopeKind = Literal["account", "meetings", "user"]


@dataclass(frozen=True)
class Scope:
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


class Observer(Protocol):
    """Progress callbacks. The CLI plugs in a Rich progress bar, the service plugs in logging."""

    def phase(self, name: str) -> None: ...
    def total(self, hosts: int) -> None: ...
    def advance(self, hosts: int = 1) -> None: ...


class NullObserver:
    def phase(self, name: str) -> None:
        pass

    def total(self, hosts: int) -> None:
        pass

    def advance(self, hosts: int = 1) -> None:
        pass


@dataclass
class RunOutcome:
    """What a caller needs after a run; the details are in the store under ``run_id``."""

    run_id: str
    complete: bool
    counts: dict[str, int] = field(default_factory=dict)
    """violations, passed, manual, waived, errors, meetings, users."""
    fix_ids: list[str] = field(default_factory=list)
    """Fix plans created or reused by this run."""
    applied_fix_ids: list[str] = field(default_factory=list)
