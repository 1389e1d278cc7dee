"""The Personal Meeting Room is audited, but not as a session that "uses" the PMI."""

from __future__ import annotations

from zoomaudit.policy import evaluate_subject, load_policies
from zoomaudit.snapshot import AccountContext, HostContext, Subject
from zoomaudit.zoom.models import Meeting, User

HOST = HostContext(user=User(id="u1", email="host@example.org", pmi=5550100000))


def _judged(meeting: Meeting) -> set[str]:
    findings = evaluate_subject(load_policies(), AccountContext(), HOST, Subject(meeting=meeting))
    return {f.policy_id for f in findings}


def test_a_pmi_room_is_not_judged_by_no_pmi_for_sessions() -> None:
    room = Meeting(id=5550100000, type=4, settings={"waiting_room": True})
    judged = _judged(room)
    assert "no-pmi-for-sessions" not in judged
    assert "waiting-room" in judged


def test_a_session_scheduled_on_the_pmi_is_a_violation() -> None:
    session = Meeting(id=5550100000, type=2, settings={"use_pmi": True})
    findings = evaluate_subject(load_policies(), AccountContext(), HOST, Subject(meeting=session))
    (pmi,) = [f for f in findings if f.policy_id == "no-pmi-for-sessions"]
    assert pmi.status == "violation"
    assert pmi.source == "meeting"
