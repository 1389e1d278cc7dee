"""Read-only queries behind the console's pages (synchronous: called from worker threads).

Runs and reports come from the Store's API; the meeting list and the counts are aggregated in SQL by
the store's console read models (``Store.console``) so a large account does not load every finding
into memory per page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from zoomaudit.findings import SEVERITY_RANK, Finding
from zoomaudit.fixes.queue import EventRecord, FixRecord, get_fixes, trail
from zoomaudit.fixes.waivers import WaiverRecord
from zoomaudit.service.console.chart import TrendPoint
from zoomaudit.store import COUNT_KEYS, ROW_COUNT_KEYS, RunDiff, RunRecord, Store

Accounts = tuple[str, ...] | None
"""The accounts a page shows (``Ctx.accounts``): None for every account."""

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


def account_runs(store: Store, limit: int = 30, accounts: Accounts = None) -> list[RunRecord]:
    """Finished whole-account runs, newest first (however many single-meeting runs came since)."""

    return store.console.runs(scope="account", statuses=FINISHED, limit=limit, accounts=accounts)


def _judged_state(run: RunRecord) -> bool:
    """A finished run that read Zoom: a rejudge run (a what-if trial) is not the account's state."""
    return run.status in FINISHED and run.trigger != "rejudge"


def listing_run(store: Store, accounts: Accounts = None) -> RunRecord | None:
    """The run the meeting list shows: the newest whole-account run, else the newest finished run."""
    runs = account_runs(store, 1, accounts) or [
        r for r in store.list_runs(20, accounts=accounts) if _judged_state(r)
    ]
    return runs[0] if runs else None


def _summarise(store: Store, out: Overview) -> None:
    """Counts of the latest run by severity and policy, in SQL (a large account has many findings)."""
    latest = out.latest
    if latest is None:
        return
    run_id = latest.id
    tallies = store.console.tallies(run_id)
    out.errors = tallies.errors
    out.by_severity = [(s, tallies.by_severity.get(s, 0)) for s in SEVERITIES]
    out.by_policy = [
        (pid, tallies.titles.get(pid, ""), n)
        for pid, n in sorted(tallies.by_policy, key=lambda kv: (-kv[1], kv[0]))
    ]
    out.summary = {key: int(latest.counts.get(key, 0)) for key in COUNT_KEYS}
    if not all(key in latest.counts for key in ROW_COUNT_KEYS):
        # A run the runner did not finish counting: the store counts its rows.
        out.summary = store.load_report(run_id).summary


def overview(store: Store, accounts: Accounts = None) -> Overview:
    recent = store.list_runs(10, accounts=accounts)
    out = Overview(recent=recent, pending_fixes=count_fixes(store, "pending", accounts))
    runs = account_runs(store, accounts=accounts)
    if not runs:
        finished = [r for r in recent if _judged_state(r)]
        if not finished:
            return out
        runs = finished[:1]
    # The trend and the diff follow one account: the newest run's (an account's runs compared
    # with another's would read as violations appearing and vanishing).
    runs = [r for r in runs if r.account == runs[0].account]
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


def meeting_list(
    store: Store, flt: MeetingFilter, host_ids: set[str] | None, accounts: Accounts = None
) -> MeetingList:
    """Meetings of the latest whole-account run (``listing_run``) with a finding matching the filter.

    A policy or severity filter without a status matches findings other than passes.

    ``host_ids`` limits the list to those hosts (the group filter, resolved by the caller).
    """
    run = listing_run(store, accounts)
    if run is None:
        return MeetingList(None, [], [], [])
    counts = store.console.meeting_counts(
        run.id,
        policy=flt.policy,
        severity=flt.severity,
        status=flt.status,
        host=flt.host,
        host_ids=host_ids,
    )
    rows: dict[int, MeetingRow] = {}
    for c in counts:
        row = rows.setdefault(c.meeting_id, MeetingRow(c.meeting_id, c.topic, c.host_id, c.host_email))
        row.counts[c.status] += c.count
        if c.status == "violation" and (
            row.worst is None or SEVERITY_RANK[c.severity] < SEVERITY_RANK[row.worst]
        ):
            row.worst = c.severity
    hosts = store.console.host_emails(run.id)
    policies = store.console.policy_ids(run.id)
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


def meeting_detail(store: Store, meeting_id: int, accounts: Accounts = None) -> MeetingDetail:
    """The meeting's findings in the newest finished run (of ``accounts``) that audited it, and
    every fix of those accounts that covers it."""
    run_id = store.console.newest_run_of_meeting(meeting_id, FINISHED, accounts=accounts)
    plans = [
        p
        for p in reversed(store.fixes.find(accounts=accounts))
        if meeting_id in p.meeting_ids or (p.target_level == "meeting" and p.target_id == str(meeting_id))
    ]
    found = [w for w in waivers(store, accounts) if w.meeting_id == meeting_id]
    if run_id is None:
        return MeetingDetail(meeting_id, None, [], plans, found)
    findings = store.findings(run_id, meeting_id=meeting_id)
    findings.sort(key=lambda f: (f.status == "pass", SEVERITY_RANK.get(f.severity, 9), f.control))
    return MeetingDetail(meeting_id, store.get_run(run_id), findings, plans, found)


# ---- fixes and waivers (through the fixes package's queries: passcodes stay masked) -----------------


def count_fixes(store: Store, status: str, accounts: Accounts = None) -> int:
    return store.fixes.count(status, accounts=accounts)


def pending_fixes(store: Store, accounts: Accounts = None) -> list[FixRecord]:
    return store.fixes.find(statuses=("pending",), accounts=accounts)


def decided_fixes(store: Store, limit: int = 100, accounts: Accounts = None) -> list[FixRecord]:
    """The latest decisions and their outcomes, newest first."""
    done = [f for f in store.fixes.find(accounts=accounts) if f.status != "pending"]
    done.sort(key=lambda f: f.decided_at or f.applied_at or f.created_at, reverse=True)
    return done[:limit]


def fixes_by_id(store: Store, ids: list[str], accounts: Accounts = None) -> list[FixRecord]:
    known = store.fixes.known_ids(ids)
    found = get_fixes(store, [i for i in ids if i in known]) if known else []
    return [f for f in found if accounts is None or f.account in accounts]


def by_policy(plans: list[FixRecord]) -> list[tuple[str, list[FixRecord]]]:
    groups: dict[str, list[FixRecord]] = {}
    for plan in plans:
        groups.setdefault(plan.policy_id, []).append(plan)
    return sorted(groups.items())


def events(
    store: Store, fix_id: str | None = None, limit: int = 500, accounts: Accounts = None
) -> list[EventRecord]:
    """The audit trail, newest first (of the plans of ``accounts``: a trail belongs to its plan's
    account)."""
    return list(reversed(trail(store, fix_id, accounts=accounts)))[:limit]


def waivers(store: Store, accounts: Accounts = None) -> list[WaiverRecord]:
    """Every waiver (of ``accounts``), newest first, removed ones included (they are part of the
    record)."""
    return list(reversed(store.waivers.find(include_removed=True, accounts=accounts)))


def policy_ids(store: Store, accounts: Accounts = None) -> list[str]:
    """Policy ids known from the newest run (for the waiver form), else from the fix plans."""
    runs = store.list_runs(1, accounts=accounts)
    ids = set(store.console.policy_ids(runs[0].id)) if runs else set()
    return sorted(ids | store.fixes.policy_ids(accounts=accounts))
