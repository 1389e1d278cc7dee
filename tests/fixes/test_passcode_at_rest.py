"""No live passcode at rest (issue 13): a passcode fix is generated when applied and never
stored; the old passcode is sealed while a revert may need it, then forgotten. After a passcode
fix is applied, neither passcode appears in plain text anywhere in the database files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from zoomaudit.fixes.apply import approve, reject, revert
from zoomaudit.fixes.queue import get_fix, list_fixes, trail
from zoomaudit.policy import PolicySet, load_policies
from zoomaudit.policy.model import FixSpec
from zoomaudit.redaction import FINGERPRINT, GENERATE, SEALED, is_sealed
from zoomaudit.runner import run
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope

from .conftest import Zoom, fixes_now

pytestmark = pytest.mark.anyio

AB = "1:1 support: A.B. (Year 10)"  # passcode 123456: too weak for passcode-strength
OLD = "123456"


def _strength_fixes() -> PolicySet:
    """The pack's passcode-strength, with a suggested fix that generates a new passcode."""
    policy = load_policies().get("passcode-strength")
    assert policy is not None
    fixing = policy.model_copy(update={"fix": FixSpec(mode="suggest", tier="meeting", value="generate")})
    fixing.compile()
    return PolicySet.build([fixing], "test")


async def _planned(zoom: Zoom, store: Store) -> str:
    meeting = zoom.meeting(AB)
    async with zoom.client() as client:
        await run(
            MeetingsScope.of(meeting["id"]),
            settings=zoom.settings,
            client=client,
            store=store,
            policies=_strength_fixes(),
            now=fixes_now(),
        )
    [fix] = [f for f in list_fixes(store) if f.policy_id == "passcode-strength"]
    return fix.id


def _database_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("fixes.db"))


async def test_the_plan_holds_no_passcode_and_seals_the_old_one(zoom: Zoom, store: Store) -> None:
    fix = get_fix(store, await _planned(zoom, store))
    assert fix.body == {"password": GENERATE}
    assert is_sealed(fix.before["password"])
    assert store.vault.open(fix.before["password"]) == OLD
    assert fix.public()["before"] == {"password": "********"}


async def test_apply_generates_the_passcode_and_keeps_neither_in_plain_text(
    zoom: Zoom, store: Store, tmp_path: Path
) -> None:
    fix_id = await _planned(zoom, store)
    meeting = zoom.meeting(AB)
    async with zoom.client() as client:
        [result] = await approve(store, client, [fix_id], actor="Priya", now=fixes_now())
    assert result.status == "applied", result.message
    new = meeting["password"]
    assert new != OLD
    assert len(new) == 10
    stored = get_fix(store, fix_id)
    assert set(stored.body["password"]) == {FINGERPRINT}  # recognises the new passcode, nothing more
    for event in trail(store, fix_id):
        assert new not in str(event.public())
        assert OLD not in str(event.public())
    raw = _database_bytes(tmp_path)
    assert new.encode() not in raw
    assert OLD.encode() not in raw  # "123456" appears nowhere, sealed or in the trail


async def test_revert_restores_the_sealed_old_passcode(zoom: Zoom, store: Store) -> None:
    fix_id = await _planned(zoom, store)
    meeting = zoom.meeting(AB)
    async with zoom.client() as client:
        await approve(store, client, [fix_id], actor="Priya", now=fixes_now())
        result = await revert(store, client, fix_id, actor="Priya", now=fixes_now())
    assert result.status == "reverted", result.message
    assert meeting["password"] == OLD
    before = get_fix(store, fix_id).before["password"]
    assert set(before) == {FINGERPRINT}  # reverted: the old passcode is no longer kept


async def test_a_passcode_changed_after_the_fix_makes_the_revert_stale(zoom: Zoom, store: Store) -> None:
    fix_id = await _planned(zoom, store)
    meeting = zoom.meeting(AB)
    async with zoom.client() as client:
        await approve(store, client, [fix_id], actor="Priya", now=fixes_now())
        meeting["password"] = "Host5Chose"  # the host set their own since
        result = await revert(store, client, fix_id, actor="Priya", now=fixes_now())
    assert result.status == "stale"
    assert "Host5Chose" not in result.message


async def test_after_the_revert_period_the_old_passcode_is_gone(zoom: Zoom, store: Store) -> None:
    fix_id = await _planned(zoom, store)
    async with zoom.client() as client:
        await approve(store, client, [fix_id], actor="Priya", now=fixes_now())
        later = fixes_now() + store.passcode_retention + timedelta(minutes=1)
        result = await revert(store, client, fix_id, actor="Priya", now=later)
    assert result.status == "applied"
    assert "no longer kept" in result.message
    before = get_fix(store, fix_id).before["password"]
    assert SEALED not in before


async def test_a_rejected_plan_forgets_the_old_passcode(zoom: Zoom, store: Store) -> None:
    fix_id = await _planned(zoom, store)
    reject(store, [fix_id], actor="Priya", reason="we will set it by hand", now=fixes_now())
    before: Any = get_fix(store, fix_id).before["password"]
    assert set(before) == {FINGERPRINT}


async def test_a_second_audit_reuses_the_open_plan(zoom: Zoom, store: Store) -> None:
    """The sealed before is compared by fingerprint: the same old passcode is the same plan."""
    first = await _planned(zoom, store)
    second = await _planned(zoom, store)
    assert first == second


def test_plans_from_before_sealing_are_sealed_by_the_next_sweep(store: Store) -> None:
    from zoomaudit.store.models import FixPlan as FixRow

    now = fixes_now()
    rows = {
        "fx-open0001": ("pending", {"password": "Legacy99x"}, {"password": "OldOne77"}),
        "fx-done0001": ("applied", {"password": "Legacy98x"}, {"password": "OldTwo66"}),
        "fx-gone0001": ("rejected", {"password": "Legacy97x"}, {"password": "OldSix55"}),
    }
    with store.session() as session:
        for fix_id, (status, body, before) in rows.items():
            session.add(
                FixRow(id=fix_id, policy_id="passcode-required", status=status, target_level="meeting",
                       target_id="1", method="PATCH", path="/meetings/1", query={}, body=body,
                       before=before, meeting_ids=[1], dedupe_key=fix_id, created_at=now,
                       applied_at=now if status == "applied" else None)
            )  # fmt: skip
    store.passcodes.forget_expired(now)
    pending, applied, rejected = (get_fix(store, i) for i in rows)
    assert pending.body == {"password": GENERATE}
    assert store.vault.open(pending.before["password"]) == "OldOne77"
    assert set(applied.body["password"]) == {FINGERPRINT}
    assert store.vault.open(applied.before["password"]) == "OldTwo66"
    assert set(rejected.before["password"]) == {FINGERPRINT}
    everything = str([f.model_dump() for f in (pending, applied, rejected)])
    for secret in ("Legacy99x", "Legacy98x", "Legacy97x", "OldOne77", "OldTwo66", "OldSix55"):
        assert secret not in everything


async def test_an_audit_sweeps_old_passcodes_once_not_once_a_host(
    zoom: Zoom, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep (``PasscodeKeeping.forget_expired``) reads every plan that mentions a passcode:
    an audit runs it once, before its plans, not once for each host's batch."""
    from zoomaudit.store.models import FixPlan as FixRow
    from zoomaudit.store.sealing import PasscodeKeeping
    from zoomaudit.vocabulary import AccountScope

    now = fixes_now()
    with store.session() as session:
        session.add(
            FixRow(id="fx-open0002", policy_id="passcode-required", status="pending",
                   target_level="meeting", target_id="1", method="PATCH", path="/meetings/1", query={},
                   body={"password": "Legacy96x"}, before={}, meeting_ids=[1], dedupe_key="fx-open0002",
                   created_at=now)
        )  # fmt: skip
    sweeps: list[object] = []
    sweep = PasscodeKeeping.forget_expired

    def counted(self: PasscodeKeeping, at: Any) -> int:
        sweeps.append(at)
        return sweep(self, at)

    monkeypatch.setattr(PasscodeKeeping, "forget_expired", counted)
    async with zoom.client() as client:
        outcome = await run(
            AccountScope(),
            settings=zoom.settings,
            client=client,
            store=store,
            policies=_strength_fixes(),
            now=now,
        )
    hosts = {f.host_id for f in store.findings(outcome.run_id)}
    assert len(hosts) > 1, "the audit stored several hosts' batches"
    assert outcome.fix_ids
    assert len(sweeps) == 1
    assert get_fix(store, "fx-open0002").body == {"password": GENERATE}


def test_an_install_without_passcode_fixes_never_needs_a_key(tmp_path: Path) -> None:
    from zoomaudit.fixes.plan import plan_fixes
    from zoomaudit.fixes.queue import record_plans
    from zoomaudit.settings import Settings

    from .conftest import Fix, Pol, account, batch, meeting, policies, violation

    settings = Settings.model_validate({"ZOOMAUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'z.db'}"})
    waiting = Pol("waiting-room", "waiting_room", Fix("suggest", "meeting", True))
    b = batch(meeting(1, settings={"waiting_room": False}))
    plans = plan_fixes([violation("waiting-room", "waiting_room", 1)], policies(waiting), account(), b)
    with Store.from_settings(settings) as opened:
        record_plans(opened, None, plans, fixes_now())
        record_plans(opened, None, plans, fixes_now())  # the same plan again: compared, not sealed
    assert not (tmp_path / "z.db.key").exists()
