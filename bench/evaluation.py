"""The evaluation benchmark: N meetings x the whole policy pack through the pure evaluator.

The account, hosts and meetings come from the sandbox's synthetic generator, turned into the
snapshot types the way the collector would see them (the sandbox's own route code renders each
user's effective settings and each meeting as ``GET /meetings/{id}`` answers it). Building them is
not timed; only ``evaluate_batch`` over every host batch is. A check is one applicable policy on
one meeting, i.e. one finding.

``python -m bench.evaluation --meetings 100000`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from zoomaudit.snapshot import AccountContext, GroupContext, HostBatch, HostContext, Subject
from zoomaudit.zoom.models import Meeting, User

if TYPE_CHECKING:
    from zoomaudit.sandbox.state import SandboxState

AUDITED_TYPES = (2, 3, 8)


def build(users: int, meetings: int, seed: int) -> tuple[AccountContext, list[HostBatch]]:
    """The account context and one host batch per user, from a synthetic account."""
    from zoomaudit.sandbox import synthetic_state

    return contexts(synthetic_state(users=users, meetings=meetings, seed=seed))


def contexts(state: SandboxState) -> tuple[AccountContext, list[HostBatch]]:
    """A sandbox account as the collector would see it: its context and one batch per user."""
    from zoomaudit.sandbox.routes_meetings import meeting_body
    from zoomaudit.sandbox.routes_users import user_list_item
    from zoomaudit.sandbox.tiers import effective_group_settings, effective_user_settings

    groups = {
        g.id: GroupContext(
            id=g.id, name=g.name, settings=effective_group_settings(state, g.id), locks=g.locks
        )
        for g in state.groups.values()
    }
    account = AccountContext(settings=state.account_settings, locks=state.account_locks, groups=groups)
    by_host: dict[str, list[Subject]] = {uid: [] for uid in state.users}
    for doc in state.meetings.values():
        if doc["type"] in AUDITED_TYPES:
            meeting = Meeting.model_validate(meeting_body(state, doc))
            by_host[doc["host_id"]].append(Subject(meeting=meeting))
    batches = []
    for uid, subjects in by_host.items():
        sandbox_user = state.users[uid]
        host = HostContext(
            user=User.model_validate(user_list_item(state, sandbox_user)),
            settings=effective_user_settings(state, sandbox_user),
            group_ids=tuple(sandbox_user.group_ids),
        )
        batches.append(HostBatch(host=host, subjects=subjects))
    return account, batches


def measure(account: AccountContext, batches: list[HostBatch], repeat: int) -> dict[str, Any]:
    from zoomaudit.policy import evaluate_batch, load_policies

    policies = load_policies()
    meetings = sum(len(b.subjects) for b in batches)
    # The inputs of every host are built at once here, where an audit holds one host's batch at a
    # time: out of the collector's sight (as the sandbox servers freeze their state), or each full
    # collection the findings' allocations trigger would walk 100,000 meetings that a real run
    # never holds, and time that walk (~30% of the total) instead of the evaluator.
    gc.collect()
    gc.freeze()
    times = []
    checks = 0
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        checks = 0
        for batch in batches:
            checks += len(evaluate_batch(policies, account, batch))
        times.append(time.perf_counter() - t0)
    best = min(times)
    return {
        "meetings": meetings,
        "hosts": len(batches),
        "policies_enabled": len(policies.enabled),
        "checks": checks,
        "checks_per_meeting": checks / meetings if meetings else 0.0,
        "seconds": times,
        "best_s": best,
        "checks_per_s": checks / best if best else 0.0,
        "meetings_per_s": meetings / best if best else 0.0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Time the pure evaluator over a synthetic account.")
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=None, help="Default: one host per 50 meetings.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Timed passes; the best is reported.")
    args = parser.parse_args(argv)
    users = args.users or max(1, args.meetings // 50)
    t0 = time.perf_counter()
    account, batches = build(users, args.meetings, args.seed)
    result = measure(account, batches, args.repeat)
    result["build_s"] = time.perf_counter() - t0 - sum(result["seconds"])
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
