"""When each message is sent: after a nightly run (or ``audit --notify``), after a pre-session
check, and on trouble. The service and the CLI call these; they never raise for a channel that
fails (delivery logs it and retries), so an audit's outcome never depends on them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from zoomaudit.notify.deliver import Notifier, Sent
from zoomaudit.notify.facts import SessionFacts, digest_facts
from zoomaudit.notify.messages import digest, host_nudge, trouble, urgent

if TYPE_CHECKING:
    from zoomaudit.store.presession import CheckRecord
    from zoomaudit.store.upcoming import UpcomingSession

log = logging.getLogger(__name__)

URGENT_SEVERITIES = frozenset({"critical", "high"})


@dataclass
class Report:
    """What was sent, per kind (for the CLI's one line and the tests)."""

    sent: dict[str, Sent] = field(default_factory=dict)

    def add(self, kind: str, sent: Sent) -> None:
        self.sent.setdefault(kind, Sent()).deliveries.extend(sent.deliveries)

    def count(self, status: str) -> int:
        return sum(s.count(status) for s in self.sent.values())

    def line(self) -> str:
        total = sum(len(s.deliveries) for s in self.sent.values())
        if not total:
            return "notifications: nothing to send"
        return (
            f"notifications: {self.count('sent')} sent, {self.count('retrying')} to retry, "
            f"{self.count('failed')} failed, {self.count('suppressed')} with nothing new"
        )


def after_run(notifier: Notifier, run_id: str, now: datetime) -> Report:
    """The digest to the lead and, when host messages are on, each host's nudge."""
    report = Report()
    if not notifier.configured:
        return report
    facts = digest_facts(notifier.store, run_id, now, notifier.console_url)
    account = facts.run.account
    report.add("digest", notifier.to_lead("digest", digest(facts), account=account))
    if notifier.hosts_on:
        hosts = dict.fromkeys(s.host for s in facts.soon if s.host)
        for host in hosts:
            nudge = host_nudge(host, facts.soon, facts)
            report.add("host", notifier.to_host("host", host, nudge, account=account))
    return report


def after_failure(notifier: Notifier, what: str, detail: str, key: str) -> Report:
    """Trouble: a scheduled run that failed, credentials refused."""
    report = Report()
    if notifier.channels:
        report.add("trouble", notifier.to_lead("trouble", trouble(key, what, detail, notifier.console_url)))
    return report


def after_check(notifier: Notifier, check: CheckRecord, session: UpcomingSession | None) -> Report:
    """An urgent alert when a pre-session check left a high or critical violation open (the lead,
    and the host when host messages are on)."""
    report = Report()
    serious = [v for v in check.violations if v.get("severity") in URGENT_SEVERITIES]
    if check.outcome != "violations" or not serious or check.run_id is None or not notifier.configured:
        return report
    store = notifier.store
    wanted = {v["policy_id"] for v in serious}
    found = [
        f
        for f in store.findings(check.run_id, statuses=["violation"], meeting_id=check.meeting_id)
        if f.policy_id in wanted and (f.occurrence_id or None) == (check.occurrence_id or None)
    ] or [
        f
        for f in store.findings(check.run_id, statuses=["violation"], meeting_id=check.meeting_id)
        if f.policy_id in wanted
    ]
    if not found:
        return report
    if session is None:
        from zoomaudit.store.upcoming import UpcomingSession

        first = found[0]
        session = UpcomingSession(
            meeting_id=check.meeting_id,
            occurrence_id=check.occurrence_id,
            topic=first.topic,
            host_email=first.host_email,
            start_time=check.start_time,
            duration=first.duration,
            timezone=check.timezone or first.timezone,
            run_id=check.run_id,
            judged_at=check.ran_at,
            violations=sorted(wanted),
        )
    facts = SessionFacts(session, found)
    compose = urgent(facts, notifier.console_url, check_minutes=check.lead_minutes)
    report.add("urgent", notifier.to_lead("urgent", compose, account=check.account))
    if notifier.hosts_on and facts.host:
        report.add("urgent", notifier.to_host("urgent", facts.host, compose, account=check.account))
    return report
