"""Read-only queries behind the console's pages (synchronous: called from worker threads).

Runs and reports come from the Store's API; the meeting list and the fix queue are aggregated in SQL
over the store's ORM models so a large account does not load every finding into memory per page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from zoomaudit.findings import SEVERITY_RANK, Finding
from zoomaudit.fixes.queue import EventRecord, FixRecord, get_fixes, list_fixes, trail
from zoomaudit.fixes.waivers import WaiverRecord, list_waivers
from zoomaudit.service.console.chart import TrendPoint
from zoomaudit.store import COUNT_KEYS, RunDiff, RunRecord, Store
from zoomaudit.store.models import FindingRow, FixPlan, Run, RunErrorRow
from zoomaudit.store.runs import record_of

FINISHED = ("complete", "incomplete")
STATUSES = ("violation", "error", "waived", "manual", "pass")
SEVERITIES = ("critical", "high", "medium", "low")
FIX_RESULTS = ("applied", "stale", "failed", "deferred", "rejected", "reverted", "approved")


@dataclass
class Overview:
    latest: RunRecord | None = None
    summary: dict[str, int] = field(default_factory=dict)
    """The latest run's counts, every key of COUNT_KEYS present."""
    errors: int = 0
    """Meetings or users the latest run could not read."""
    by_severity: list[tuple[str, int]] = field(default_factory=list)
    by_policy: list[tuple[str, str, int]] = field(default_factory=list)
    """(policy id, title, violations), most violations first."""
    trend: list[TrendPoint] = field(default_factory=list)
    diff: RunDiff | None = None
    recent: list[RunRecord] = field(default_factory=list)
    pending_fixes: int = 0


def account_runs(store: Store, limit: int = 30) -> list[RunRecord]:
    """Finished whole-account runs, newest first (however many single-meeting runs came since)."""

    query = (
        select(Run)
        .where(Run.scope == "account", Run.status.in_(FINISHED))
        .order_by(Run.started_at.desc(), Run.id.desc())
        .limit(limit)
    )
    with store.read_session() as db:
        return [record_of(run) for run in db.scalars(query)]


def listing_run(store: Store) -> RunRecord | None:
    """The run the meeting list shows: the newest whole-account run, else the newest finished run."""
    runs = account_runs(store, 1) or [r for r in store.list_runs(20) if r.status in FINISHED]
    return runs[0] if runs else None


def _summarise(store: Store, out: Overview) -> None:
    """Counts of the latest run by severity and policy, in SQL (a large account has many findings)."""
    latest = out.latest
    if latest is None:
        return
    run_id = latest.id
    with store.read_session() as db:
        violations = (FindingRow.run_id == run_id) & (FindingRow.status == "violation")
        severities = dict(
            db.execute(
                select(FindingRow.severity, func.count()).where(violations).group_by(FindingRow.severity)
            ).all()
        )
        policies = db.execute(
            select(FindingRow.policy_id, func.count()).where(violations).group_by(FindingRow.policy_id)
        ).all()
        out.errors = int(db.scalar(select(func.count()).where(RunErrorRow.run_id == run_id)) or 0)
        titles = db.scalar(select(Run.policies).where(Run.id == run_id)) or {}
    out.by_severity = [(s, int(severities.get(s, 0))) for s in SEVERITIES]
    out.by_policy = [
        (pid, str((titles.get(pid) or {}).get("title", "")), int(n))
        for pid, n in sorted(policies, key=lambda kv: (-kv[1], kv[0]))
    ]
    out.summary = {key: int(latest.counts.get(key, 0)) for key in COUNT_KEYS}
    if not all(key in latest.counts for key in COUNT_KEYS):
        # A run the runner did not finish counting: the store counts its rows.
        out.summary = store.load_report(run_id).summary


def overview(store: Store) -> Overview:
    recent = store.list_runs(10)
    out = Overview(recent=recent, pending_fixes=count_fixes(store, "pending"))
    runs = account_runs(store)
    if not runs:
        finished = [r for r in recent if r.status in FINISHED]
        if not finished:
            return out
        runs = finished[:1]
    out.latest = runs[0]
    _summarise(store, out)
    out.trend = [
        TrendPoint(r.id, r.started_at, int(r.counts.get("violations", 0)), r.complete) for r in reversed(runs)
    ]
    if len(runs) > 1:
        out.diff = store.diff(runs[1].id, runs[0].id)
    return out


# ---- meetings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFilter:
    host: str = ""
    group: str = ""
    policy: str = ""
    severity: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return any((self.host, self.group, self.policy, self.severity, self.status))


@dataclass
class MeetingRow:
    meeting_id: int
    topic: str | None
    host_id: str | None
    host_email: str | None
    counts: Counter[str] = field(default_factory=Counter)
    worst: str | None = None
    """The worst severity among the meeting's violations."""


@dataclass
class MeetingList:
    run: RunRecord | None
    rows: list[MeetingRow]
    hosts: list[str]
    policies: list[str]


def meeting_list(store: Store, flt: MeetingFilter, host_ids: set[str] | None) -> MeetingList:
    """Meetings of the latest whole-account run (``listing_run``) with a finding matching the filter.

    A policy or severity filter without a status matches findings other than passes.

    ``host_ids`` limits the list to those hosts (the group filter, resolved by the caller).
    """
    run = listing_run(store)
    if run is None:
        return MeetingList(None, [], [], [])
    with store.read_session() as db:
        hosts = sorted(
            h
            for h in db.scalars(select(FindingRow.host_email).where(FindingRow.run_id == run.id).distinct())
            if h
        )
        policies = sorted(
            db.scalars(select(FindingRow.policy_id).where(FindingRow.run_id == run.id).distinct())
        )
        match = select(FindingRow.meeting_id).where(FindingRow.run_id == run.id)
        if flt.policy:
            match = match.where(FindingRow.policy_id == flt.policy)
        if flt.severity:
            match = match.where(FindingRow.severity == flt.severity)
        if flt.status:
            match = match.where(FindingRow.status == flt.status)
        elif flt.policy or flt.severity:
            # "Meetings with a high-severity finding" means something to look at, not a pass.
            match = match.where(FindingRow.status != "pass")
        # Counted in SQL: one row per (meeting, status, severity), not one per finding.
        query = (
            select(
                FindingRow.meeting_id,
                FindingRow.status,
                FindingRow.severity,
                func.count(),
                func.max(FindingRow.topic),
                func.max(FindingRow.host_id),
                func.max(FindingRow.host_email),
            )
            .where(
                FindingRow.run_id == run.id,
                FindingRow.meeting_id.is_not(None),
                FindingRow.meeting_id.in_(match.distinct()),
            )
            .group_by(FindingRow.meeting_id, FindingRow.status, FindingRow.severity)
        )
        if flt.host:
            query = query.where(FindingRow.host_email == flt.host)
        if host_ids is not None:
            query = query.where(FindingRow.host_id.in_(sorted(host_ids)))
        rows: dict[int, MeetingRow] = {}
        for meeting_id, status, severity, count, topic, host_id, host_email in db.execute(query):
            if meeting_id is None:  # excluded by the query; this tells the type checker
                continue
            row = rows.setdefault(meeting_id, MeetingRow(meeting_id, topic, host_id, host_email))
            row.counts[status] += count
            if status == "violation" and (
                row.worst is None or SEVERITY_RANK[severity] < SEVERITY_RANK[row.worst]
            ):
                row.worst = severity
    ordered = sorted(
        rows.values(),
        key=lambda r: (SEVERITY_RANK.get(r.worst or "", 9), -r.counts["violation"], r.meeting_id),
    )
    return MeetingList(run, ordered, hosts, policies)


@dataclass
class MeetingDetail:
    meeting_id: int
    run: RunRecord | None
    findings: list[Finding]
    fixes: list[FixRecord]
    waivers: list[WaiverRecord]


def meeting_detail(store: Store, meeting_id: int) -> MeetingDetail:
    """The meeting's findings in the newest finished run that audited it, and every fix that covers it."""
    with store.read_session() as db:
        run_id = db.scalar(
            select(Run.id)
            .join(FindingRow, FindingRow.run_id == Run.id)
            .where(FindingRow.meeting_id == meeting_id, Run.status.in_(FINISHED))
            .order_by(Run.started_at.desc())
            .limit(1)
        )
    plans = [
        p
        for p in reversed(list_fixes(store))
        if meeting_id in p.meeting_ids or (p.target_level == "meeting" and p.target_id == str(meeting_id))
    ]
    found = [w for w in waivers(store) if w.meeting_id == meeting_id]
    if run_id is None:
        return MeetingDetail(meeting_id, None, [], plans, found)
    findings = store.findings(run_id, meeting_id=meeting_id)
    findings.sort(key=lambda f: (f.status == "pass", SEVERITY_RANK.get(f.severity, 9), f.control))
    return MeetingDetail(meeting_id, store.get_run(run_id), findings, plans, found)


# ---- fixes and waivers (through the fixes package's queries: passcodes stay masked) -----------------


def count_fixes(store: Store, status: str) -> int:
    with store.read_session() as db:
        return int(db.scalar(select(func.count()).select_from(FixPlan).where(FixPlan.status == status)) or 0)


def pending_fixes(store: Store) -> list[FixRecord]:
    return list_fixes(store, statuses=("pending",))


def decided_fixes(store: Store, limit: int = 100) -> list[FixRecord]:
    """The latest decisions and their outcomes, newest first."""
    done = [f for f in list_fixes(store) if f.status != "pending"]
    done.sort(key=lambda f: f.decided_at or f.applied_at or f.created_at, reverse=True)
    return done[:limit]


def fixes_by_id(store: Store, ids: list[str]) -> list[FixRecord]:
    with store.read_session() as db:
        known = set(db.scalars(select(FixPlan.id).where(FixPlan.id.in_(ids))))
    return get_fixes(store, [i for i in ids if i in known]) if known else []


def by_policy(plans: list[FixRecord]) -> list[tuple[str, list[FixRecord]]]:
    groups: dict[str, list[FixRecord]] = {}
    for plan in plans:
        groups.setdefault(plan.policy_id, []).append(plan)
    return sorted(groups.items())


def events(store: Store, fix_id: str | None = None, limit: int = 500) -> list[EventRecord]:
    """The audit trail, newest first."""
    return list(reversed(trail(store, fix_id)))[:limit]


def waivers(store: Store) -> list[WaiverRecord]:
    """Every waiver, newest first, removed ones included (they are part of the record)."""
    return list(reversed(list_waivers(store, include_removed=True)))


def policy_ids(store: Store) -> list[str]:
    """Policy ids known from the newest run (for the waiver form), else from the fix plans."""
    runs = store.list_runs(1)
    with store.read_session() as db:
        ids: set[str] = set()
        if runs:
            ids |= set(
                db.scalars(select(FindingRow.policy_id).where(FindingRow.run_id == runs[0].id).distinct())
            )
        ids |= set(db.scalars(select(FixPlan.policy_id).distinct()))
    return sorted(ids)
