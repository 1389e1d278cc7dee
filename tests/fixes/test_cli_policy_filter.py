"""`fixes list/approve --policy`: an id that names no policy is a usage error, not "nothing to do"."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from zoomaudit.cli.app import app
from zoomaudit.errors import UsageError

from .conftest import NOW, Fix, Pol, account, batch, meeting, policies, violation


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(
    "args",
    [
        ("fixes", "list", "--policy", "nosuch"),
        ("fixes", "list", "--policy", "nosuch", "--format", "json"),
        ("fixes", "approve", "--all", "--policy", "nosuch", "--by", "Priya"),
    ],
)
def test_unknown_policy_is_a_usage_error_naming_it(args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    assert "nosuch" in str(result.exception)
    assert "waiting-room" in str(result.exception)  # the known ids are listed


def test_known_policy_without_fixes_is_just_empty() -> None:
    result = cli("fixes", "list", "--policy", "waiting-room")
    assert result.exit_code == 0, result.output
    assert "no fix plans" in result.output


def test_a_policy_removed_since_still_lists_its_fixes() -> None:
    from zoomaudit.fixes.plan import plan_fixes
    from zoomaudit.fixes.queue import record_plans
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    retired = Pol("retired-policy", "waiting_room", Fix("suggest", "meeting", True))
    found = [violation("retired-policy", "waiting_room", 7)]
    plans = plan_fixes(found, policies(retired), account(), batch(meeting(7)))
    with Store.from_settings(load_settings()) as store:
        [fix_id] = record_plans(store, None, plans, NOW).values()
    result = cli("fixes", "list", "--policy", "retired-policy", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [f["id"] for f in json.loads(result.output)] == [fix_id]
