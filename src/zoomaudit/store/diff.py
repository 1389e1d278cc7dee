"""Comparing the violations of two runs by finding identity (pure; the Store loads the inputs)."""

from __future__ import annotations

from collections.abc import Iterable

from zoomaudit.findings import Finding
from zoomaudit.snapshot import CollectError
from zoomaudit.store.records import RunDiff, RunRecord


def compare(
    old_run: RunRecord,
    new_run: RunRecord,
    old_violations: Iterable[Finding],
    new_violations: Iterable[Finding],
    audited: set[str],
    new_errors: Iterable[CollectError],
) -> RunDiff:
    """Sort the violations of two runs into new, resolved, still open and unchecked.

    ``audited`` holds the subjects (``meeting:<id>``, ``user:<id>``, ``account``) the new run
    has any finding for. An old violation counts as resolved only when the new run looked at
    its subject: it has a finding for it, or it audited the whole account and neither the
    meeting nor its host failed to read (a meeting gone from the account is resolved). Else it
    is unchecked: a narrower run or a read error proves nothing.
    """
    failed = {f"meeting:{e.meeting_id}" for e in new_errors if e.meeting_id is not None}
    failed |= {f"user:{e.user_id}" for e in new_errors if e.user_id is not None}
    account_wide = new_run.scope == "account"
    current = {f.identity: f for f in new_violations}
    previous = {f.identity: f for f in old_violations}

    resolved: list[Finding] = []
    still_open: list[Finding] = []
    unchecked: list[Finding] = []
    for key, finding in previous.items():
        subject = key[1]
        host_failed = finding.host_id is not None and f"user:{finding.host_id}" in failed
        if key in current:
            still_open.append(current[key])
        elif subject in audited or (account_wide and subject not in failed and not host_failed):
            resolved.append(finding)
        else:
            unchecked.append(finding)
    return RunDiff(
        old_run=old_run,
        new_run=new_run,
        new=[f for key, f in current.items() if key not in previous],
        resolved=resolved,
        still_open=still_open,
        unchecked=unchecked,
    )
