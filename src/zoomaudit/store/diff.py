"""Comparing the violations of two runs by finding identity (pure; the Store loads the inputs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store.records import RunDiff, RunRecord

WHOLE_ACCOUNT_STATUSES = frozenset({"complete", "incomplete"})
"""Run statuses whose account-wide run went through every meeting of the account (a failed,
abandoned or running run stopped part way, so what it did not see proves nothing)."""


@dataclass(frozen=True)
class Coverage:
    """What one run looked at: the subjects it judged and the ones it could not read."""

    run: RunRecord
    audited: frozenset[str]
    """Subjects (``meeting:<id>``, ``user:<id>``, ``account``) with any finding in the run."""
    failed: frozenset[str]
    """Subjects (``meeting:<id>``, ``user:<id>``) the run could not read."""

    @classmethod
    def of(cls, run: RunRecord, audited: Iterable[str], errors: Iterable[CollectError]) -> Coverage:
        failed: set[str] = set()
        for e in errors:
            if e.meeting_id is not None:
                failed.add(f"meeting:{e.meeting_id}")
            if e.user_id is not None:
                failed.add(f"user:{e.user_id}")
        return cls(run=run, audited=frozenset(audited), failed=frozenset(failed))

    def checked(self, finding: Finding) -> bool:
        """Whether this run looked at the finding's subject.

        It did when it has a finding for the subject, or when it went through the whole account
        and neither the subject nor (for a meeting) its host failed to read: a meeting absent
        from such a run did not exist then, or no longer exists.
        """
        subject = finding.identity[1]
        if subject in self.audited:
            return True
        whole_account = self.run.scope == "account" and self.run.status in WHOLE_ACCOUNT_STATUSES
        host_failed = finding.host_id is not None and f"user:{finding.host_id}" in self.failed
        return whole_account and subject not in self.failed and not host_failed


def compare(
    old: Coverage,
    new: Coverage,
    old_violations: Iterable[Finding],
    new_violations: Iterable[Finding],
) -> RunDiff:
    """Sort the violations of two runs into new, resolved, still open and the two unchecked kinds.

    A violation of the old run is resolved only when the new run looked at its subject, else it
    is ``unchecked`` (a narrower run or a read error proves nothing). The mirror image: a
    violation of the new run is new only when the old run looked at its subject, else it is
    ``unchecked_new`` (the old run never audited it, so nothing says it changed).
    """
    current = {f.identity: f for f in new_violations}
    previous = {f.identity: f for f in old_violations}

    resolved: list[Finding] = []
    still_open: list[Finding] = []
    unchecked: list[Finding] = []
    for key, finding in previous.items():
        if key in current:
            still_open.append(current[key])
        elif new.checked(finding):
            resolved.append(finding)
        else:
            unchecked.append(finding)
    added = [f for key, f in current.items() if key not in previous]
    return RunDiff(
        old_run=old.run,
        new_run=new.run,
        new=[f for f in added if old.checked(f)],
        resolved=resolved,
        still_open=still_open,
        unchecked=unchecked,
        unchecked_new=[f for f in added if not old.checked(f)],
    )
