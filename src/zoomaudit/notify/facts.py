"""What the messages say, gathered from the store (no Zoom request): the builders are pure over these.

A digest is about one run: its state, the violations new since the previous comparable run, the
sessions of the next 7 days with open violations, the fixes waiting for approval and the waivers
that expire within 7 days. A host nudge is the same sessions, one host's only, with the findings
behind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from zoomaudit.findings import SEVERITY_RANK, Finding
from zoomaudit.report.common import SOON

if TYPE_CHECKING:
    from zoomaudit.store import Store
    from zoomaudit.store.fix_records import FixRecord
    from zoomaudit.store.records import PolicyInfo, RunRecord
    from zoomaudit.store.upcoming import UpcomingSession
    from zoomaudit.store.waivers import WaiverRecord

AHEAD = SOON
"""How far ahead a digest looks for unsafe sessions and expiring waivers: the reports' "Starting soon"."""


@dataclass(frozen=True)
class SessionFacts:
    """A session with open violations, and the findings behind them (worst first)."""

    session: UpcomingSession
    findings: list[Finding]

    @property
    def host(self) -> str:
        return self.session.host_email or ""


@dataclass(frozen=True)
class DigestFacts:
    run: RunRecord
    now: datetime
    console_url: str = ""
    policies: dict[str, PolicyInfo] = field(default_factory=dict)
    compared_with: RunRecord | None = None
    new: list[Finding] = field(default_factory=list)
    """Violations new since ``compared_with`` (all the run's violations when there is none)."""
    soon: list[SessionFacts] = field(default_factory=list)
    fixes: list[FixRecord] = field(default_factory=list)
    """Fix plans waiting for an admin's approval, oldest first."""
    waivers: list[WaiverRecord] = field(default_factory=list)
    """Waivers that end within ``AHEAD``."""

    def title(self, policy_id: str) -> str:
        info = self.policies.get(policy_id)
        return info.title if info is not None and info.title else policy_id


def finding_key(f: Finding) -> str:
    """The dedupe key of a finding: the same finding of two runs has the same key."""
    policy, subject, occurrence = f.identity
    return f"finding:{policy}:{subject}:{occurrence}"


def unsafe_sessions(
    store: Store, now: datetime, within: timedelta = AHEAD, *, account: str | None = None
) -> list[SessionFacts]:
    """Sessions (of ``account``; None: of all) starting within ``within`` with open violations,
    soonest first, each with the violations of the run that judged it last."""
    out: list[SessionFacts] = []
    by_run: dict[str, list[Finding]] = {}
    for session in store.upcoming.sessions(now, within, account=account):
        if not session.violations:
            continue
        if session.run_id not in by_run:
            by_run[session.run_id] = store.findings(session.run_id, statuses=["violation"])
        found = [
            f
            for f in by_run[session.run_id]
            if f.meeting_id == session.meeting_id
            and (f.occurrence_id or None) == (session.occurrence_id or None)
        ]
        found.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.policy_id))
        out.append(SessionFacts(session, found))
    return out


def digest_facts(store: Store, run_id: str, now: datetime, console_url: str = "") -> DigestFacts:
    run = store.get_run(run_id)
    report = store.load_report(run.id, with_findings=False)
    previous = store.previous_comparable(run.id) if run.status != "failed" else None
    violations = store.findings(run.id, statuses=["violation"]) if run.status != "failed" else []
    new = store.diff(previous.id, run.id).new if previous is not None else violations
    # A digest is about the run's account: its pending fixes, waivers and sessions only.
    fixes = store.fixes.find(statuses=["pending"], account=run.account)
    today = now.date()
    waivers = [
        w
        for w in store.waivers.active(today, account=run.account)
        if w.until is not None and w.until <= (now + AHEAD).date()
    ]
    return DigestFacts(
        run=run,
        now=now,
        console_url=console_url,
        policies=dict(report.policies),
        compared_with=previous,
        new=sorted(new, key=lambda f: (SEVERITY_RANK[f.severity], f.meeting_id or 0, f.policy_id)),
        soon=unsafe_sessions(store, now, account=run.account),
        fixes=fixes,
        waivers=sorted(waivers, key=lambda w: (w.until, w.id)),
    )
