"""A digest is about its run's account (issue 18): the pending fixes, the waivers about to end and
the unsafe sessions it lists are that account's, never another's sharing the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from zoomaudit.findings import Violation
from zoomaudit.fixes.plan import FixPlan, PlanRequest
from zoomaudit.notify.deliver import Notifier
from zoomaudit.notify.facts import digest_facts
from zoomaudit.store import Store

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _violation(meeting_id: int) -> Violation:
    return Violation(
        policy_id="waiting-room", control="waiting_room", severity="high", meeting_id=meeting_id,
        topic="Youth club", host_id="u-1", host_email="a@example.org", actual=False, expected=True,
        source="user", start_time=NOW + timedelta(days=1), duration=60,
    )  # fmt: skip


def _account_with_everything(store: Store, account: str, meeting_id: int) -> str:
    run_id = store.start_run("manual", "account", {}, "h", NOW - timedelta(hours=1), account=account)
    store.add_findings(run_id, [_violation(meeting_id)])
    store.finish_run(run_id, complete=True, finished_at=NOW, counts={"violations": 1})
    request = PlanRequest(
        method="PATCH", path=f"/meetings/{meeting_id}", body={"settings": {"waiting_room": True}}
    )
    plan = FixPlan(
        policy_id="waiting-room", mode="suggest", target_level="meeting", target_id=str(meeting_id),
        request=request, before={"settings.waiting_room": False}, meeting_ids=(meeting_id,),
        dedupe_key=f"wr:{meeting_id}",
    )  # fmt: skip
    store.fixes.record_plans(run_id, [plan], NOW, account=account)
    store.waivers.add(
        policy_id="passcode", reason=f"{account} talk", approved_by="Priya", created_at=NOW,
        meeting_id=meeting_id, host_email=None, group_name=None, until=(NOW + timedelta(days=2)).date(),
        account=account,
    )  # fmt: skip
    return run_id


def test_a_digest_lists_its_own_accounts_fixes_waivers_and_sessions(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'd.db'}") as store:
        river = _account_with_everything(store, "riverside", 2001)
        _account_with_everything(store, "hillside", 3001)
        facts = digest_facts(store, river, NOW)
    assert [(f.account, f.target_id) for f in facts.fixes] == [("riverside", "2001")]
    assert [w.reason for w in facts.waivers] == ["riverside talk"]
    assert [(s.session.account, s.session.meeting_id) for s in facts.soon] == [("riverside", 2001)]


def test_each_accounts_digest_is_logged_as_that_accounts(tmp_path: Path) -> None:
    from zoomaudit.notify.events import after_run
    from zoomaudit.settings import load_settings

    sent: list[str] = []
    with Store(f"sqlite:///{tmp_path / 'd.db'}") as store:
        runs = {name: _account_with_everything(store, name, 4004) for name in ("riverside", "hillside")}
        settings = load_settings(ZOOMAUDIT_NOTIFY_URLS="json://127.0.0.1:9/hook")
        notifier = Notifier(settings, store, sender=lambda channel, message: sent.append(message.subject))
        for run_id in runs.values():
            # The same meeting id, finding and session in both accounts: each gets its digest.
            assert after_run(notifier, run_id, NOW).count("sent") == 1
        logged = store.notifications.recent()
    assert len(sent) == 2
    assert sorted(d.account for d in logged) == ["hillside", "riverside"]
