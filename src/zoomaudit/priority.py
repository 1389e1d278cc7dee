"""Which of a host's groups decides a setting: Zoom's group priority, where it is known.

Zoom's current groups model ("new groups and settings management experience", Zoom Library,
Settings Resolution page) gives each group a priority rank (P1 highest). A user in several groups
inherits a setting *and its lock* from their highest-priority group that manages that setting; a
lock in a lower-priority group has no effect when a higher-priority group manages the same
setting, and a group that does not manage a setting creates no conflict. The account lock still
wins over every group.

Zoom's API does not expose the ranks: ``GET /groups`` and ``GET /groups/{id}`` answer only
``id``, ``name`` and ``total_members``, and ``GET /users`` answers ``group_ids`` with no documented
order (zoom/rivet-javascript ``users/users.d.ts``: ``GroupsListGroupsResponse``,
``GroupsGetGroupResponse``, ``UsersListUsersResponse.users[].group_ids``). So the ranks come from
the operator (``ZOOMAUDIT_GROUP_PRIORITY``, carried as ``AccountContext.group_priority``); a group
the operator did not rank has an unknown rank.

**A group manages a setting** when its settings document or its lock document states the
setting's field (the key is present, whatever its value). Zoom does not document how a group that
leaves a setting unselected answers ``GET /groups/{id}/settings``; this reading takes an absent key
as "not managed", the same as "not stated" everywhere else in the resolver.

The groups that may decide a setting are the highest-ranked group that manages it plus every
managing group whose rank is unknown: any of those could be the user's highest. When they all
agree, the setting is settled; when they disagree, the caller decides what that means (the
resolver reports "cannot be judged" when the disagreement changes the verdict).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zoomaudit.controls import MISSING, Control
from zoomaudit.errors import ConfigError
from zoomaudit.snapshot import AccountContext, GroupContext, HostContext

ENV_VAR = "ZOOMAUDIT_GROUP_PRIORITY"


@dataclass(frozen=True)
class HostGroups:
    """The host's groups the account knows, ranked groups first (highest first), then the rest."""

    ranked: tuple[GroupContext, ...] = ()
    unranked: tuple[GroupContext, ...] = ()
    """Groups whose priority is unknown, in the order Zoom listed them (which means nothing)."""
    configured: bool = False
    """Whether the operator gave a priority at all (for messages)."""

    @property
    def all(self) -> tuple[GroupContext, ...]:
        return self.ranked + self.unranked

    def candidates(self, manages: Callable[[GroupContext], bool]) -> tuple[GroupContext, ...]:
        """The groups that may be the host's highest-priority group managing a setting: the
        highest-ranked one that manages it, then every managing group of unknown rank."""
        out: list[GroupContext] = []
        for group in self.ranked:
            if manages(group):
                out.append(group)
                break
        out += [g for g in self.unranked if manages(g)]
        return tuple(out)


NO_GROUPS = HostGroups()


def host_groups(host: HostContext, account: AccountContext) -> HostGroups:
    """The host's groups in priority order as far as it is known (computed once per host)."""
    known = [account.groups[g] for g in dict.fromkeys(host.group_ids) if g in account.groups]
    priority = account.group_priority
    if not known:
        return HostGroups(configured=priority is not None)
    if priority is None:
        return HostGroups(unranked=tuple(known))
    rank = {gid: n for n, gid in enumerate(priority)}
    ranked = sorted((g for g in known if g.id in rank), key=lambda g: rank[g.id])
    unranked = [g for g in known if g.id not in rank]
    return HostGroups(tuple(ranked), tuple(unranked), configured=True)


def names(groups: Iterable[GroupContext]) -> str:
    """``'Youth workers' and 'Volunteers'`` for messages."""
    quoted = [repr(g.name or g.id) for g in groups]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def unknown_priority(groups: HostGroups, disputed: Iterable[GroupContext]) -> str:
    """Why the priority between ``disputed`` is unknown, and what to set."""
    if groups.configured:
        unranked = [g for g in disputed if g in groups.unranked]
        return (
            f"{names(unranked)} {'is' if len(unranked) == 1 else 'are'} not named in {ENV_VAR}, so "
            "Zoom's priority between these groups is unknown; add "
            f"{'it' if len(unranked) == 1 else 'them'} in the account's priority order"
        )
    return (
        "Zoom's API does not say which group has priority; set "
        f"{ENV_VAR} to the account's group names, highest priority first"
    )


def disagreement(
    control: Control,
    candidates: Sequence[GroupContext],
    positions: Sequence[tuple[Any, bool]],
    groups: HostGroups,
) -> str:
    """The "cannot be judged" message: which groups say what, and what is unknown."""
    said = "; ".join(
        f"{g.name or g.id!r}: {control.describe(None if value is MISSING else value)}"
        + (", locked" if locked else "")
        for g, (value, locked) in zip(candidates, positions, strict=True)
    )
    return (
        f"{control.title} cannot be judged: the host's groups {names(candidates)} disagree on it "
        f"({said}) and Zoom takes it from the highest-priority group; " + unknown_priority(groups, candidates)
    )


def resolve_priority(names_wanted: Iterable[str], groups: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Group ids for the names of ``ZOOMAUDIT_GROUP_PRIORITY`` (highest first), matched without
    regard to case against the account's (id, name) pairs. Raises ``ConfigError`` for a name the
    account lacks or that matches more than one group."""
    listed = list(groups)
    by_name: dict[str, list[tuple[str, str]]] = {}
    for gid, name in listed:
        by_name.setdefault(name.casefold(), []).append((gid, name))
    out: list[str] = []
    for wanted in names_wanted:
        found = by_name.get(wanted.casefold(), [])
        if not found:
            known = ", ".join(sorted(repr(name) for _, name in listed)) or "none"
            raise ConfigError(
                f"{ENV_VAR} names a group the Zoom account does not have: {wanted!r} "
                f"(the account's groups: {known}); fix the name or remove it"
            )
        if len(found) > 1:
            raise ConfigError(
                f"{ENV_VAR} names {wanted!r}, which matches {len(found)} groups of the account "
                "when case is ignored; rename one of them in Zoom so the priority is unambiguous"
            )
        out.append(found[0][0])
    return tuple(out)
