"""The demo oracle (demo_cases.py) agrees with the demo data as zoomaudit's evaluator reads it.

The snapshot is built here from the sandbox's own answers (the merged option views, as the
collector builds them), then judged by the bundled pack with every policy enabled.
"""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.findings import Finding
from zoomaudit.policy.evaluate import evaluate_subject
from zoomaudit.policy.load import load_policies
from zoomaudit.policy.model import PolicySet
from zoomaudit.snapshot import AccountContext, GroupContext, HostContext, Subject
from zoomaudit.zoom.models import Meeting, User

from .conftest import Api
from .demo_cases import CASES, DemoCase, occurrence_id


def _merged(api: Api, path: str, options: tuple[str, ...]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for option in (None, *options):
        params = {"option": option} if option else {}
        response = api.get(path, **params)
        assert response.status_code == 200, response.text
        doc.update(response.json())
    return doc


def _findings(api: Api, case: DemoCase, policies: PolicySet, account: AccountContext) -> list[Finding]:
    meeting = api.state.meeting_by_topic(case.topic)
    occ = occurrence_id(api.state, case)
    params = {"occurrence_id": occ} if occ else {}
    body = api.get(f"/meetings/{meeting['id']}", **params).json()
    host_id = body["host_id"]
    user = User.model_validate(api.get(f"/users/{host_id}").json())
    settings = _merged(api, f"/users/{host_id}/settings", ("meeting_security", "meeting_authentication"))
    host = HostContext(user=user, settings=settings, group_ids=tuple(user.group_ids))
    subject = Subject(meeting=Meeting.model_validate(body), occurrence_id=occ)
    return evaluate_subject(policies, account, host, subject)


@pytest.fixture(scope="module")
def judged() -> dict[tuple[str, int | None], list[Finding]]:
    from zoomaudit.sandbox.demo import demo_state
    from zoomaudit.sandbox.options import no_limits

    api = Api(demo_state(), no_limits())
    pack = load_policies()
    policies = PolicySet.build([p.model_copy(update={"enabled": True}) for p in pack.policies], "test")
    groups = {}
    for group in api.get("/groups").json()["groups"]:
        gid = group["id"]
        groups[gid] = GroupContext(
            id=gid,
            name=group["name"],
            settings=_merged(api, f"/groups/{gid}/settings", ("meeting_security", "meeting_authentication")),
            locks=_merged(api, f"/groups/{gid}/lock_settings", ("meeting_security",)),
        )
    account = AccountContext(
        settings=_merged(api, "/accounts/me/settings", ("meeting_security", "meeting_authentication")),
        locks=_merged(api, "/accounts/me/lock_settings", ("meeting_security",)),
        groups=groups,
    )
    out = {}
    for case in CASES:
        key = (case.topic, case.occurrence)
        if key not in out:
            out[key] = _findings(api, case, policies, account)
    return out


def test_the_oracle_is_big_enough_and_covers_the_tiers() -> None:
    assert len(CASES) >= 25
    assert {c.status for c in CASES} == {"violation", "pass", "error"}
    assert {"meeting", "user", "group", "group_lock", "account_lock", "default"} <= {c.source for c in CASES}
    assert any(c.occurrence is not None for c in CASES)
    assert len({(c.topic, c.occurrence, c.policy_id) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy_id}|{c.topic}|{c.occurrence}")
def test_each_designed_case_is_what_the_evaluator_finds(
    case: DemoCase, judged: dict[tuple[str, int | None], list[Finding]]
) -> None:
    findings = [f for f in judged[(case.topic, case.occurrence)] if f.policy_id == case.policy_id]
    assert len(findings) == 1, findings
    finding = findings[0]
    assert (finding.status, finding.source, finding.locked) == (case.status, case.source, case.locked), (
        finding.message
    )
