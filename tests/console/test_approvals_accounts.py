"""Console approvals and reverts with several accounts: each fix goes to its own account's lane
(its client and its turn), so it is applied with its own account's credentials, on that account's
Zoom only. Two sandboxes over loopback, one store, the real approve and revert."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.several_accounts import two_sandboxes, write_accounts_file
from zoomaudit.account_settings import AccountBook
from zoomaudit.fixes.queue import list_fixes
from zoomaudit.runner import run
from zoomaudit.service.console.actions import ConsoleActions
from zoomaudit.service.lane import ZoomLane
from zoomaudit.settings import load_settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import AccountScope


def patches(sandbox: Any) -> int:
    return sum(1 for entry in sandbox.log.entries if entry.method == "PATCH")


def test_each_fix_is_approved_and_reverted_in_its_own_accounts_lane(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_sandboxes() as (riverside, hillside):
        two = write_accounts_file(tmp_path, riverside, hillside)
        monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(two.file))
        for name, value in two.environ.items():
            monkeypatch.setenv(name, value)
        base = load_settings()
        book = AccountBook.of(base)
        lanes = {name: ZoomLane(book.settings_for(name)) for name in book.names}

        async def go() -> tuple[list[Any], Any]:
            with Store.from_settings(base) as store:
                for name in book.names:
                    outcome = await run(
                        AccountScope(), "manual", settings=book.settings_for(name), store=store,
                        fix_mode="suggest", account=name,
                    )  # fmt: skip
                    assert outcome.fix_ids, f"no fix planned for {name}"
                ids = [
                    list_fixes(store, statuses=["pending"], account=name)[0].id
                    for name in ("riverside", "hillside")
                ]
                actions = ConsoleActions(
                    base, store, clock=lambda: datetime.now(UTC), lane_for=lambda name: lanes[name]
                )
                results = await actions.approve(ids, actor="oidc:dsl@example.org", note=None)
                assert patches(riverside) >= 1
                assert patches(hillside) >= 1
                before = patches(riverside)
                reverted = await actions.revert(ids[1], actor="oidc:dsl@example.org")
                assert patches(riverside) == before  # hillside's fix went to hillside's Zoom only
                for lane in lanes.values():
                    await lane.aclose()
                return results, reverted

        results, reverted = asyncio.run(go())
    assert [r.status for r in results] == ["applied", "applied"]
    assert reverted.status == "reverted"
