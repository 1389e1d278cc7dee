"""A fix is applied and reverted with its own account's Zoom client only (issue 18): against the
in-process sandbox, a fix of ``riverside`` handed a client of another account is refused before
anything reaches Zoom."""

from __future__ import annotations

import pytest

from zoomaudit.errors import UsageError
from zoomaudit.fixes.apply import approve, revert
from zoomaudit.fixes.queue import get_fix
from zoomaudit.runner import run
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope

from .conftest import Zoom, fixes_now

pytestmark = pytest.mark.anyio

TALK = "Public talk: Keeping young people safe online"


async def test_a_fix_is_applied_and_reverted_only_with_its_accounts_client(zoom: Zoom, store: Store) -> None:
    scope = MeetingsScope.of(int(zoom.meeting(TALK)["id"]))
    async with zoom.client() as client:
        outcome = await run(
            scope, settings=zoom.settings, client=client, store=store, now=fixes_now(), account="riverside"
        )
        fix_id = outcome.fix_ids[0]
        assert get_fix(store, fix_id).account == "riverside"
        with pytest.raises(UsageError, match=rf"{fix_id} is of account 'riverside'.*'default'"):
            await approve(store, client, [fix_id], actor="Priya", clock=fixes_now)
        assert zoom.patches() == []
        assert get_fix(store, fix_id).status == "pending"
        [applied] = await approve(
            store, client, [fix_id], actor="Priya", clock=fixes_now, account="riverside"
        )
        assert applied.status == "applied"
        with pytest.raises(UsageError, match="is of account 'riverside'"):
            await revert(store, client, fix_id, actor="Priya", clock=fixes_now, account="hillside")
        assert get_fix(store, fix_id).status == "applied"
        reverted = await revert(store, client, fix_id, actor="Priya", clock=fixes_now, account="riverside")
        assert reverted.status == "reverted"
