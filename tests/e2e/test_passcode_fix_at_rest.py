"""A passcode fix through the CLI, each command its own Store opened from settings: the install
key is created beside the database with mode 0600, the old passcode is sealed under it, and a
later `fixes revert` opens it again. Neither passcode is ever in the database files."""

from __future__ import annotations

import json
import stat
import textwrap
from pathlib import Path

import pytest

from tests.e2e.conftest import cli
from zoomaudit.sandbox.server import RunningSandbox

pytestmark = pytest.mark.e2e

AB = "1:1 support: A.B. (Year 10)"
OLD = "123456"
POLICY = """
    policies:
      - id: passcode-strength
        title: The passcode is hard to guess
        severity: medium
        control: passcode
        check: passcode_strength
        params: {length: 8, have_letter: true, have_number: true}
        rationale: A guessable passcode lets strangers in.
        fix: {mode: suggest, tier: meeting, value: generate}
"""


def test_passcode_fix_approve_and_revert_keep_no_passcode(
    sandbox: RunningSandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "strength.yaml").write_text(textwrap.dedent(POLICY), encoding="utf-8")
    monkeypatch.setenv("ZOOMAUDIT_POLICIES", str(policies))
    meeting = sandbox.state.meeting_by_topic(AB)

    audited = cli("audit", "--meeting", str(meeting["id"]), "--format", "json")
    assert audited.exit_code == 1, audited.output  # violations found
    listed = cli("fixes", "list", "--format", "json", "--policy", "passcode-strength")
    [fix] = json.loads(listed.output)
    assert fix["request"]["body"] == {"password": "<a new passcode, generated when applied>"}
    assert fix["before"] == {"password": "********"}
    key_file = tmp_path / "audit.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    approved = cli("fixes", "approve", fix["id"], "--by", "Priya Shah")
    assert approved.exit_code == 0, approved.output
    new = meeting["password"]
    assert new != OLD
    assert new not in approved.output

    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("audit.db"))
    assert new.encode() not in raw
    assert OLD.encode() not in raw

    reverted = cli("fixes", "revert", fix["id"], "--by", "Priya Shah")
    assert reverted.exit_code == 0, reverted.output
    assert meeting["password"] == OLD
    assert OLD not in reverted.output
