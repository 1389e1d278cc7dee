"""A resolved value: the ``Decision`` that ``zoomaudit.resolve`` reaches for one control and
meeting, the fast ``Effective`` constructor it builds them with, and where a value came from in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zoomaudit.findings import Effective, Tier
from zoomaudit.snapshot import AccountContext


@dataclass(frozen=True)
class Decision:
    """An effective value plus the group that decided it (for messages), if a group did."""

    effective: Effective
    group_id: str | None = None
    unknown: str | None = None
    """Why the value cannot be judged, when it cannot (the host's groups disagree on it and their
    priority is unknown); the finding is then an error with this message."""


def new_effective(
    control: str, value: Any, tier: Tier | None, locked: bool, stated: bool, path: str | None
) -> Effective:
    """An Effective without re-validation (the hot loop builds one per meeting and control);
    the same shortcut as ``model_construct``, which costs several times more."""
    obj = Effective.__new__(Effective)
    fields = {
        "control": control,
        "value": value,
        "tier": tier,
        "locked": locked,
        "stated": stated,
        "path": path,
        "manual": False,
    }
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def explain_source(decision: Decision, account: AccountContext) -> str:
    """Where a value came from, in words: "the host's user settings (in_meeting.waiting_room)"."""
    eff = decision.effective
    group = account.groups.get(decision.group_id) if decision.group_id else None
    group_name = f" {group.name!r}" if group is not None and group.name else ""
    if eff.tier == "default":
        return "Zoom's default (no tier states it)"
    if eff.tier is None:
        return "no tier (no Zoom setting states it)"
    phrase = {
        "meeting": "the meeting's own settings",
        "user": "the host's user settings",
        "group": f"the settings of the host's group{group_name}",
        "account": "the account settings",
        "group_lock": f"a lock on the host's group{group_name}",
        "account_lock": "an account lock",
    }[eff.tier]
    return f"{phrase} ({eff.path})" if eff.path else phrase
