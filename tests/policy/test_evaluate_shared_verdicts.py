"""The evaluator judges each distinct (policy, decision) once per host and reuses the verdict for
the host's other meetings. That must never change a finding: a whole batch gives exactly what
judging each meeting alone, with nothing shared, gives."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from zoomaudit.policy import evaluate_batch, evaluate_subject, load_policies
from zoomaudit.sandbox.demo import demo_state
from zoomaudit.sandbox.synthetic import synthetic_state

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.evaluation import contexts  # noqa: E402


@pytest.mark.parametrize(
    "state",
    [
        pytest.param(lambda: demo_state(), id="demo"),
        pytest.param(lambda: synthetic_state(users=40, meetings=900, seed=3), id="synthetic-3"),
        pytest.param(lambda: synthetic_state(users=25, meetings=600, seed=11), id="synthetic-11"),
    ],
)
def test_a_batch_gives_what_each_meeting_judged_alone_gives(state: object) -> None:
    account, batches = contexts(state())  # type: ignore[operator]
    policies = load_policies()
    checked = 0
    for batch in batches:
        together = [f.model_dump() for f in evaluate_batch(policies, account, batch)]
        alone = [
            f.model_dump()
            for subject in batch.subjects
            for f in evaluate_subject(policies, account, batch.host, subject)
        ]
        assert together == alone, batch.host.user.id
        checked += len(together)
    assert checked > 1000  # the accounts are big enough to share verdicts at all


def test_meetings_that_state_the_same_value_share_one_decision() -> None:
    from zoomaudit.controls import CATALOGUE
    from zoomaudit.resolve import HostResolution

    account, batches = contexts(synthetic_state(users=5, meetings=200, seed=2))
    batch = max(batches, key=lambda b: len(b.subjects))
    resolution = HostResolution(CATALOGUE["waiting_room"], batch.host, account)
    decisions = [resolution.decide(s) for s in batch.subjects]
    values = {(type(d.effective.value), d.effective.value, d.effective.tier) for d in decisions}
    assert len({id(d) for d in decisions}) == len(values)


def test_meetings_whose_derived_value_is_the_same_share_one_decision() -> None:
    """The passcode control is derived from the meeting's passcode fields, whose text differs in
    every meeting: meetings that all have a passcode still share one decision (so the passcode
    policies are judged once per host, not once per meeting), and one without a passcode gets
    another."""
    from zoomaudit.controls import CATALOGUE
    from zoomaudit.resolve import HostResolution

    account, batches = contexts(synthetic_state(users=5, meetings=200, seed=2))
    batch = max(batches, key=lambda b: len(b.subjects))
    with_passcode = [s for s in batch.subjects if s.meeting.password]
    assert len({s.meeting.password for s in with_passcode}) > 5
    resolution = HostResolution(CATALOGUE["passcode"], batch.host, account)
    decisions = [resolution.decide(s) for s in with_passcode]
    assert len({id(d) for d in decisions}) == 1
    assert decisions[0].effective.value is True
    bare = with_passcode[0].model_copy(
        update={"meeting": with_passcode[0].meeting.model_copy(update={"password": "", "join_url": None})}
    )
    other = resolution.decide(bare)
    assert other is not decisions[0]
    assert other.effective.value is False
    # Nothing of a passcode's text is kept to tell meetings apart.
    assert all(s.meeting.password not in repr(key) for s in with_passcode for key in resolution.by_value)
