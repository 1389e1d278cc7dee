"""Runs of several accounts in one store (issue 18), against a real audit of the sandbox over
loopback HTTP: the runner records its account on the run and on every fix plan it makes, only
that account's waivers apply, and `history`, `report`, `diff`, `fixes`, `waivers`, `upcoming` and
`rejudge` keep to the account named with ``--account``.

The sandbox serves one Zoom account here; audited once as ``default`` and once as ``riverside``,
its same meeting ids are what two accounts' identical meeting ids look like to the store.
"""

from __future__ import annotations

import json
from typing import Any

from typer.testing import Result

from tests.e2e.conftest import audit, cli, report_of
from zoomaudit.errors import UsageError
from zoomaudit.sandbox.server import RunningSandbox
from zoomaudit.settings import Settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import MeetingsScope

DROP_IN = "Youth club online: Tuesday drop-in"


def _refusal(result: Result) -> str:
    """The message of a refusal, which ``cli.app.main`` prints and exits 2 (usage) with."""
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    return str(result.exception)


def _json(*args: str) -> Any:
    result = cli(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_two_accounts_runs_fixes_and_waivers_stay_apart(sandbox: RunningSandbox, settings: Settings) -> None:
    meeting_id = int(sandbox.state.meeting_by_topic(DROP_IN)["id"])
    scope = MeetingsScope.of(meeting_id)
    ours = audit(settings, scope)
    theirs = audit(settings, scope, account="riverside")
    assert (ours.account, theirs.account) == ("default", "riverside")
    assert report_of(settings, theirs.run_id).run.account == "riverside"

    # The same meeting in two accounts: two sets of fix plans, never merged.
    assert theirs.fix_ids
    assert set(theirs.fix_ids).isdisjoint(ours.fix_ids)
    with Store.from_settings(settings) as store:
        plans = store.fixes.get_many(theirs.fix_ids)
        assert {plan.account for plan in plans.values()} == {"riverside"}
        # A second audit of each account reuses that account's own plans.
        again = audit(settings, scope, account="riverside")
        assert set(again.fix_ids) == set(theirs.fix_ids)

    # A waiver of riverside's meeting waives nothing in the default account.
    violation = next(f for f in report_of(settings, theirs.run_id).findings if f.status == "violation")
    added = cli(
        "waivers", "add", "--policy", violation.policy_id, "--meeting", str(meeting_id),
        "--reason", "public talk", "--by", "Priya", "--account", "riverside",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    waived = audit(settings, scope, account="riverside")
    unwaived = audit(settings, scope)

    def status(run_id: str) -> str:
        [finding] = [f for f in report_of(settings, run_id).findings if f.identity == violation.identity]
        return finding.status

    assert (status(waived.run_id), status(unwaived.run_id)) == ("waived", "violation")
    assert _json("waivers", "list", "--account", "default") == []
    assert [w["account"] for w in _json("waivers", "list", "--account", "riverside")] == ["riverside"]

    # The commands keep to the account named.
    river_runs = [theirs.run_id, again.run_id, waived.run_id]
    history = _json("history", "--account", "riverside")
    assert [r["id"] for r in history] == river_runs[::-1]
    assert {r["account"] for r in _json("history")} == {"default", "riverside"}
    latest = _json("report", "latest", "--account", "riverside")
    assert (latest["run"]["id"], latest["run"]["account"]) == (waived.run_id, "riverside")
    assert _json("report", "latest")["run"]["id"] == unwaived.run_id  # newest of all accounts
    compared = _json("diff", "--account", "riverside")
    assert (compared["old_run"]["id"], compared["new_run"]["id"]) == (again.run_id, waived.run_id)
    listed = _json("fixes", "list", "--account", "riverside")
    assert {f["id"] for f in listed} == set(theirs.fix_ids)
    assert {f["account"] for f in _json("fixes", "list", "--account", "default")} == {"default"}
    assert {e["fix_id"] for e in _json("fixes", "trail", "--account", "riverside")} == set(theirs.fix_ids)

    # A rejudge of riverside's run is riverside's.
    rejudged = cli("rejudge", "latest", "--account", "riverside", "--format", "json")
    assert rejudged.exit_code in (0, 1), rejudged.output
    document = json.loads(rejudged.stdout[: rejudged.stdout.rindex("}") + 1])
    assert document["run"]["account"] == "riverside"
    assert document["run"]["rejudged_from"] == waived.run_id


def test_an_unknown_account_lists_nothing_and_says_so(sandbox: RunningSandbox, settings: Settings) -> None:
    audit(settings, MeetingsScope.of(int(sandbox.state.meeting_by_topic(DROP_IN)["id"])))
    result = cli("history", "--account", "lakeside")
    assert result.exit_code == 0
    assert "no runs for account 'lakeside' (accounts with runs: default)" in result.stderr
    listed = cli("history", "--account", "lakeside", "--format", "json")
    assert json.loads(listed.stdout) == []
    report = cli("report", "latest", "--account", "lakeside")
    assert (
        _refusal(report)
        == "there are no runs of account 'lakeside' yet; `zoomaudit audit` makes the first one"
    )
    upcoming = cli("upcoming", "--account", "lakeside", "--format", "json")
    assert json.loads(upcoming.stdout) == []
    assert "no runs for account 'lakeside'" in upcoming.stderr


def test_a_malformed_account_name_is_a_usage_error(settings: Settings) -> None:
    commands = (
        ["history"],
        ["fixes", "list"],
        ["fixes", "trail"],
        ["waivers", "list"],
        ["upcoming"],
        ["diff"],
    )
    for command in (*commands, ["notify", "log"], ["report", "latest"], ["rejudge", "latest"]):
        result = cli(*command, "--account", "River Side")
        assert "'River Side' is not an account name" in _refusal(result), command
