"""The fix planner: from one host's violations to the exact Zoom requests that would fix them.

Pure: no I/O and no clock. A plan names its target (meeting, user, group, account or a lock),
the request (method, path, query, body), the values the body overwrites as they are stated at
that target now (``before``: the stale check and revert rely on it), and what it makes safe.

Choices (docs/fixes.md explains them to admins):
- Tier: the policy's ``fix.tier``; when the control has no field there, the next broader tier
  (meeting -> user -> group -> account). A meeting passcode fix sets a passcode generated when
  the fix is applied (its plan holds ``redaction.GENERATE``, never a passcode).
- Locks: a lock decides the value for every lower tier, so a lower-tier change would be ignored
  by Zoom. When the account locks the control the plan sets the *account* value (the lock stays
  on and then enforces the safe value); when the host's group locks it (the host's deciding group,
  zoomaudit.priority), the plan sets that *group's* value. Such escalated plans touch
  everyone in the account or group, so they are always ``suggest``, never applied automatically.
- Dedupe: plans with the same target, occurrence, field and value are one plan (one user-level
  screen-share fix covers all of that host's meetings); a generated passcode counts as one value.
- Modes: ``mode_override`` replaces the mode of every policy whose fix is not ``off``; a policy
  whose fix is ``off`` stays off (its author chose that), and ``mode_override="off"`` plans nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from zoomaudit.controls import CATALOGUE, Control, FixTier, fix_request, flatten, lookup
from zoomaudit.findings import Finding, Violation
from zoomaudit.priority import host_groups
from zoomaudit.redaction import GENERATE, GENERATE_DIGITS
from zoomaudit.resolve import account_locked, group_manages
from zoomaudit.snapshot import AccountContext, GroupContext, HostBatch, Subject
from zoomaudit.vocabulary import FixMode

PlanMode = Literal["suggest", "auto"]
GENERATED = "<generated passcode>"
"""How a generated passcode appears in a dedupe key (never the passcode itself)."""

# Broader tiers to fall back to when a control has no field at the policy's tier.
_BROADER: dict[str, tuple[FixTier, ...]] = {
    "meeting": ("meeting", "user", "group", "account"),
    "user": ("user", "group", "account"),
    "group": ("group", "account"),
    "account": ("account",),
    "group_lock": ("group_lock", "account_lock"),
    "account_lock": ("account_lock",),
}


class FixSpecLike(Protocol):
    @property
    def mode(self) -> str: ...
    @property
    def tier(self) -> Any: ...
    @property
    def value(self) -> Any: ...


class PolicyLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def control(self) -> str: ...
    @property
    def fix(self) -> FixSpecLike | None: ...


class PlanRequest(BaseModel):
    """The exact request an approval sends."""

    model_config = ConfigDict(frozen=True)

    method: str
    path: str
    query: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any] = Field(default_factory=dict)


class FixPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    policy_id: str
    mode: PlanMode
    target_level: FixTier
    target_id: str
    host_id: str | None = None
    request: PlanRequest
    before: dict[str, Any] = Field(default_factory=dict)
    """``{dotted path: value}`` of every field the body sets, as stated at the target (None = not stated)."""
    meeting_ids: tuple[int, ...] = ()
    occurrence_id: str | None = None
    dedupe_key: str
    covers: tuple[tuple[str, str, str], ...] = ()
    """Identities (``Finding.identity``) of the violations this plan fixes."""
    note: str = ""
    """Why this tier was chosen when it is not the policy's own (e.g. an account lock decides)."""

    @property
    def fields(self) -> dict[str, Any]:
        """``{dotted path: value}`` that the body sets."""
        return flatten(self.request.body)


def _policy_index(policies: Any) -> dict[str, PolicyLike]:
    """Policies by id from a PolicySet (mapping, ``.policies`` or an iterable of policies)."""
    if isinstance(policies, Mapping):
        return dict(policies)
    items: Iterable[PolicyLike] = getattr(policies, "policies", policies)
    if isinstance(items, Mapping):
        return dict(items)
    return {p.id: p for p in items}


def effective_mode(policy: PolicyLike, mode_override: str | None) -> PlanMode | None:
    """The mode a policy's fix runs in this run, or None for no plan."""
    fix = policy.fix
    if fix is None or str(fix.mode) == "off" or mode_override == "off":
        return None
    mode = mode_override or str(fix.mode)
    return "auto" if mode == "auto" else "suggest"


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True is not 1 to Zoom


def _locked(doc: Mapping[str, Any], paths: Iterable[str]) -> bool:
    for path in paths:
        present, value = lookup(doc, path)
        if present and value is True:
            return True
    return False


def lock_above(
    control: Control, tier: FixTier, account: AccountContext, batch: HostBatch
) -> tuple[FixTier, str] | None:
    """The (tier, target id) whose lock decides ``control`` for this host above ``tier``, if any.

    Same precedence as the resolver: the account lock, then the lock of the host's
    highest-priority group that manages the setting (``zoomaudit.priority``). When that group is
    not known, any candidate that locks may be it, so the fix is planned at that lock.
    """
    if tier in ("account", "account_lock"):
        return None
    if account_locked(control, account):
        return ("account", account.account_id)
    if tier in ("group", "group_lock"):
        return None
    for group in _deciding_groups(control, account, batch):
        if _locked(group.locks, control.paths("group_lock")):
            return ("group", group.id)
    return None


def _deciding_groups(control: Control, account: AccountContext, batch: HostBatch) -> tuple[GroupContext, ...]:
    return host_groups(batch.host, account).candidates(lambda g: group_manages(control, g))


def _host_group(control: Control, account: AccountContext, batch: HostBatch) -> str | None:
    """The group a group-tier fix changes: the one deciding the setting, else the host's first."""
    deciding = _deciding_groups(control, account, batch)
    if deciding:
        return deciding[0].id
    for group_id in batch.host.group_ids:
        if group_id in account.groups:
            return group_id
    return None


def _target_doc(
    tier: FixTier, target_id: str, account: AccountContext, batch: HostBatch, subject: Subject | None
) -> Any:
    if tier == "meeting":
        return subject.meeting.model_dump() if subject is not None else {}
    if tier == "user":
        return batch.host.settings
    if tier in ("group", "group_lock"):
        group = account.groups.get(target_id)
        if group is None:
            return {}
        return group.settings if tier == "group" else group.locks
    return account.settings if tier == "account" else account.locks


class _Draft:
    """A plan being built: merged across the findings it covers."""

    def __init__(self, plan: FixPlan) -> None:
        self.plan = plan
        self.meeting_ids: list[int] = list(plan.meeting_ids)
        self.covers: list[tuple[str, str, str]] = list(plan.covers)

    def absorb(self, finding: Finding) -> None:
        if finding.meeting_id is not None and finding.meeting_id not in self.meeting_ids:
            self.meeting_ids.append(finding.meeting_id)
        if finding.identity not in self.covers:
            self.covers.append(finding.identity)

    def build(self) -> FixPlan:
        return self.plan.model_copy(
            update={"meeting_ids": tuple(sorted(self.meeting_ids)), "covers": tuple(self.covers)}
        )


def _subject_of(batch: HostBatch, finding: Finding) -> Subject | None:
    for subject in batch.subjects:
        if subject.meeting.id == finding.meeting_id and subject.occurrence_id == finding.occurrence_id:
            return subject
    for subject in batch.subjects:
        if subject.meeting.id == finding.meeting_id:
            return subject
    return None


def _choose(
    control: Control,
    wanted: FixTier,
    account: AccountContext,
    batch: HostBatch,
    finding: Finding,
    *,
    placeholder: bool,
) -> tuple[FixTier, str, str, bool] | None:
    """(tier, target id, note, escalated past a lock) for a fix of ``control``, or None."""
    for tier in _BROADER.get(wanted, (wanted,)):
        if control.path(tier) is None:
            continue
        if tier == "meeting" and finding.meeting_id is None:
            continue
        if tier in ("group", "group_lock"):
            group_id = _host_group(control, account, batch)
            if group_id is None:
                continue
            target = group_id
        elif tier == "meeting":
            target = str(finding.meeting_id)
        elif tier == "user":
            target = batch.host.user.id
        else:
            target = account.account_id
        note = "" if tier == wanted else f"{control.name} has no {wanted} field; planned at {tier}"
        # A lock on "require a passcode" does not stop a host from setting one: a meeting passcode
        # fix is never moved up (there is no passcode to "generate" at a settings tier).
        generated = tier == "meeting" and placeholder
        locked = None if generated else lock_above(control, tier, account, batch)
        if locked is not None:
            lock_tier, lock_target = locked
            if control.path(lock_tier) is None:
                return None
            note = (
                f"the {'account' if lock_tier == 'account' else 'group ' + lock_target} lock decides "
                f"{control.name}, so a {tier} change would be ignored; planned at {lock_tier}"
            )
            return lock_tier, lock_target, note, True
        return tier, target, note, False
    return None


def plan_fixes(
    findings: Sequence[Finding],
    policies: Any,
    account: AccountContext,
    batch: HostBatch,
    *,
    mode_override: FixMode | None = None,
) -> list[FixPlan]:
    """The fix plans for one host batch's violations, deduplicated, in a stable order."""
    by_id = _policy_index(policies)
    drafts: dict[str, _Draft] = {}
    requirement: Any = None
    requirement_read = False
    for finding in findings:
        if not isinstance(finding, Violation):
            continue
        policy = by_id.get(finding.policy_id)
        if policy is None or policy.fix is None:
            continue
        mode = effective_mode(policy, mode_override)
        control = CATALOGUE.get(policy.control) or CATALOGUE.get(finding.control)
        if mode is None or control is None:
            continue
        wanted: FixTier = policy.fix.tier or "meeting"
        placeholder = control.fix_placeholder is not None and policy.fix.value == control.fix_placeholder
        if not placeholder and _same(finding.actual, policy.fix.value):
            # The setting already has the fix's value and the check fails for another reason (no
            # waiting room, an E2EE meeting): setting it again would change nothing.
            continue
        chosen = _choose(control, wanted, account, batch, finding, placeholder=placeholder)
        if chosen is None:
            continue
        tier, target_id, note, escalated = chosen
        value: Any = policy.fix.value
        if placeholder and tier != "meeting":
            continue  # a placeholder only makes sense where the planner can fill it in
        key_fields = control.fix_fields(tier, GENERATED if placeholder else value)
        occurrence = finding.occurrence_id if tier == "meeting" and control.occurrence_fixable else None
        dedupe_key = f"{tier}:{target_id}:{occurrence or '-'}:{json.dumps(key_fields, sort_keys=True)}"
        draft = drafts.get(dedupe_key)
        if draft is None:
            subject = _subject_of(batch, finding) if tier == "meeting" else None
            if tier == "meeting" and subject is None:
                continue
            if placeholder:
                if not requirement_read:
                    requirement = passcode_requirement(account, batch)
                    requirement_read = True
                # The passcode itself is generated when the fix is applied and never stored; the
                # plan keeps which kind Zoom will accept (only digits, when the host's rules say so).
                value = GENERATE_DIGITS if getattr(requirement, "only_allow_numeric", False) else GENERATE
            fields = control.fix_fields(tier, value)
            doc = _target_doc(tier, target_id, account, batch, subject)
            before: dict[str, Any] = {}
            for path in fields:
                present, current = lookup(doc, path)
                before[path] = current if present else None
            if before == fields:
                continue  # the target already holds these values: something else decides
            request = fix_request(
                control,
                tier,
                value,
                meeting_id=finding.meeting_id,
                occurrence_id=occurrence,
                user_id=batch.host.user.id,
                group_id=target_id if tier in ("group", "group_lock") else None,
            )
            plan = FixPlan(
                policy_id=policy.id,
                mode="suggest" if escalated else mode,
                target_level=tier,
                target_id=target_id,
                # The host whose meetings it changes; an account or group change is nobody's own.
                host_id=batch.host.user.id if tier in ("meeting", "user") else None,
                request=PlanRequest(
                    method=request.method, path=request.path, query=request.query, body=request.body
                ),
                before=before,
                occurrence_id=occurrence,
                dedupe_key=dedupe_key,
                note=note,
            )
            draft = drafts[dedupe_key] = _Draft(plan)
        draft.absorb(finding)
    return [drafts[key].build() for key in sorted(drafts)]


def passcode_requirement(account: AccountContext, batch: HostBatch) -> Any:
    """The passcode requirement in force for the host (the policy module reads it)."""
    from zoomaudit.policy.checks import passcode_requirement as read_requirement

    return read_requirement(batch.host, account)
