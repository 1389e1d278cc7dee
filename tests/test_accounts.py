"""The accounts file: every problem located (file:line), secrets refused unseen, ``default`` without it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zoomaudit.accounts import DEFAULT_ACCOUNT, check_output_template, load_accounts, output_for
from zoomaudit.errors import AccountsError, UsageError
from zoomaudit.settings import load_settings

GOOD = """\
accounts:
  - name: riverside
    account_id: ZaAcct0001
    client_id_env: RIVERSIDE_ZOOM_CLIENT_ID
    client_secret_env: RIVERSIDE_ZOOM_CLIENT_SECRET
    api_base_url: https://api.zoom.us/v2
    oauth_token_url: https://zoom.us/oauth/token
    rate_plan: business
    rate_share: 0.5
  - name: hillside-school
    account_id: ZaAcct0002
    secrets_file: secrets/hillside.yaml
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(path: Path, **env: str) -> tuple[str, ...]:
    return load_accounts(load_settings(ZOOMAUDIT_ACCOUNTS=str(path), **env)).names


def problems(path: Path) -> list[str]:
    with pytest.raises(AccountsError) as caught:
        load(path)
    assert caught.value.exit_code == 2
    return [str(p) for p in caught.value.problems]


def test_the_contract_shape_loads_in_file_order(tmp_path: Path) -> None:
    assert load(write(tmp_path, GOOD)) == ("riverside", "hillside-school")


def _account(extra: str) -> str:
    return (
        "accounts:\n"
        "  - name: riverside\n"
        "    account_id: ZaAcct0001\n"
        "    client_id_env: RIVERSIDE_ID\n"
        "    client_secret_env: RIVERSIDE_SECRET\n" + extra
    )


# Each bad input, the line it is reported at, and what the message says.
BAD = [
    ("accounts: {}\n", 1, "accounts: give a list of at least one account"),
    ("accounts: []\n", 1, "accounts: give a list of at least one account"),
    ("- name: x\n", 1, "an accounts file holds accounts: [...]"),
    ("accounts:\n  - name: a\n  bad: [\n", 3, "YAML syntax error"),
    ("accounts:\n  - just-a-name\n", 2, "accounts[0]: an account is a mapping of keys"),
    ("accounts:\n  - name: a\n    name: b\n", 3, "duplicate key 'name'"),
    (_account("    rate_plan: gold\n"), 6, "accounts[0].rate_plan: Input should be 'pro', 'business'"),
    (_account("    rate_share: 1.5\n"), 6, "accounts[0].rate_share: Input should be less than or equal to 1"),
    (_account("    colour: blue\n"), 6, "accounts[0].colour: Extra inputs are not permitted"),
    (
        _account("    timezone: Mars/Olympus\n"),
        6,
        "accounts[0].timezone: 'Mars/Olympus' is not an IANA time zone",
    ),
    (_account("    schedule: '0 2 *'\n"), 6, "accounts[0].schedule: '0 2 *' is not a cron schedule"),
    (_account("    pre_session: 60,soon\n"), 6, "accounts[0].pre_session: 'soon' is not a lead time"),
    (_account("    group_priority: [Staff, staff]\n"), 6, "names the group 'staff' twice"),
    (_account("    api_base_url: http://zoom.example.org/v2\n"), 6, "plain http:// to another machine"),
    (_account("    policies: no-such-folder\n"), 6, "policies: no such file or folder"),
    (
        "accounts:\n  - name: River_Side\n    account_id: A\n    secrets_file: s.yaml\n",
        2,
        "accounts[0].name: 'River_Side' is not an account name: use lower-case letters, digits and -",
    ),
    ("accounts:\n  - name: a\n    secrets_file: s.yaml\n", 2, "accounts[0].account_id: Field required"),
    (
        "accounts:\n  - name: a\n    account_id: A\n    client_id_env: A_ID\n",
        2,
        "accounts[0] (a): no source for its client secret: give client_secret_env or secrets_file",
    ),
    (
        "accounts:\n  - name: a\n    account_id: A\n    secrets_file: a.yaml\n"
        "  - name: a\n    account_id: B\n    secrets_file: b.yaml\n",
        5,
        "accounts[1].name: 'a' is already the name of the account at line 2; names are unique",
    ),
    (
        "accounts:\n  - name: a\n    account_id: A\n    secrets_file: a.yaml\nextra: 1\n",
        5,
        "'extra': unknown key",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[m[:40] for _, _, m in BAD])
def test_a_bad_accounts_file_names_the_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text)
    found = problems(path)
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in found), found


def test_every_problem_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "accounts:\n"
        "  - name: a\n    account_id: A\n    secrets_file: a.yaml\n    rate_plan: gold\n"
        "  - name: b\n    account_id: B\n    secrets_file: b.yaml\n    rate_share: 0\n",
    )
    assert [p.split(": ")[0] for p in problems(path)] == [f"{path}:5", f"{path}:9"]


def test_a_missing_accounts_file_is_a_configuration_error(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere.yaml") == [
        f"{tmp_path / 'nowhere.yaml'}: no such accounts file (ZOOMAUDIT_ACCOUNTS)"
    ]


SECRET = "s3cr3t-Value-NEVER-shown-42"

SECRET_KEYS = [
    "client_secret",
    "client_id_secret",
    "secret",
    "api_key",
    "password",
    "token",
    "notify_urls",
    "smtp_url",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_a_secret_written_in_the_file_is_refused_without_showing_it(tmp_path: Path, key: str) -> None:
    path = write(tmp_path, _account(f"    {key}: {SECRET}\n"))
    with pytest.raises(AccountsError) as caught:
        load(path)
    text = str(caught.value)
    assert f"{path}:6: accounts[0].{key}: a secret is never written in the accounts file" in text
    assert SECRET not in text
    assert SECRET not in repr(caught.value.problems)


def test_a_secret_pasted_where_a_variable_name_belongs_is_not_shown(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "accounts:\n  - name: a\n    account_id: A\n    client_id_env: A_ID\n"
        f"    client_secret_env: {SECRET}\n",
    )
    with pytest.raises(AccountsError) as caught:
        load(path)
    text = str(caught.value)
    assert f"{path}:5: accounts[0].client_secret_env: is not an environment variable name" in text
    assert SECRET not in text


def test_a_secret_key_at_the_top_of_the_file_is_not_named_by_value(tmp_path: Path) -> None:
    path = write(tmp_path, f"accounts: []\nclient_secret: {SECRET}\n")
    with pytest.raises(AccountsError) as caught:
        load(path)
    text = str(caught.value)
    assert f"{path}:2: a key that names a secret: unknown key" in text
    assert SECRET not in text


def test_without_the_file_the_single_account_settings_are_the_account_default(tmp_path: Path) -> None:
    settings = load_settings(ZOOM_ACCOUNT_ID="acct", ZOOM_CLIENT_ID="id", ZOOM_CLIENT_SECRET="secret")
    accounts = load_accounts(settings)
    assert accounts.names == (DEFAULT_ACCOUNT,)
    assert accounts.file is None
    assert accounts.warnings == ()
    [account] = accounts.select(None, every=False)
    assert account.entry is None
    assert accounts.select(DEFAULT_ACCOUNT, every=False) == (account,)
    assert accounts.select(None, every=True) == (account,)


def test_without_the_file_another_account_name_is_a_usage_error() -> None:
    accounts = load_accounts(load_settings())
    with pytest.raises(UsageError, match=r"without an accounts file .* the one account is 'default'"):
        accounts.select("riverside", every=False)


def test_the_zoom_variables_beside_the_file_are_ignored_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "single")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", SECRET)
    path = write(tmp_path, GOOD)
    accounts = load_accounts(load_settings(ZOOMAUDIT_ACCOUNTS=str(path)))
    assert accounts.names == ("riverside", "hillside-school")
    assert accounts.warnings == (
        f"ZOOMAUDIT_ACCOUNTS is set, so ZOOM_ACCOUNT_ID, ZOOM_CLIENT_SECRET are ignored: {path} defines "
        "every account",
    )
    assert SECRET not in accounts.warnings[0]


def test_the_file_alone_gives_no_warning(tmp_path: Path) -> None:
    assert load_accounts(load_settings(ZOOMAUDIT_ACCOUNTS=str(write(tmp_path, GOOD)))).warnings == ()


def test_several_accounts_need_a_choice_and_an_output_per_account(tmp_path: Path) -> None:
    accounts = load_accounts(load_settings(ZOOMAUDIT_ACCOUNTS=str(write(tmp_path, GOOD))))
    with pytest.raises(UsageError, match=r"defines 2 accounts .*give --account NAME or --all-accounts"):
        accounts.select(None, every=False)
    with pytest.raises(UsageError, match="not both"):
        accounts.select("riverside", every=True)
    with pytest.raises(UsageError, match=r"no account named 'lakeside' in .*riverside, hillside-school"):
        accounts.select("lakeside", every=False)
    every = accounts.select(None, every=True)
    for output in (None, Path("report.json")):
        with pytest.raises(UsageError, match=r"give --output with \{account\} in it"):
            check_output_template(output, every)
    check_output_template(Path("out/{account}.json"), every)
    check_output_template(Path("report.json"), accounts.select("riverside", every=False))
    assert output_for(Path("out/{account}/report-{account}.json"), "riverside") == Path(
        "out/riverside/report-riverside.json"
    )


def test_empty_or_default_single_account_variables_give_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a .env copied from .env.example spells them out.
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", "")
    monkeypatch.setenv("ZOOM_API_BASE_URL", "https://api.zoom.us/v2")
    assert load_accounts(load_settings(ZOOMAUDIT_ACCOUNTS=str(write(tmp_path, GOOD)))).warnings == ()


def test_the_command_exits_2_naming_file_and_line_and_never_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, _account(f"    client_secret: {SECRET}\n    rate_plan: gold\n"))
    monkeypatch.setenv("ZOOMAUDIT_ACCOUNTS", str(path))
    done = subprocess.run(
        [sys.executable, "-m", "zoomaudit", "audit", "--all-accounts", "-q"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "500"},  # one problem a line, however long
        check=False,
    )
    assert done.returncode == 2
    assert "2 problem(s) in the accounts file" in done.stderr
    assert f"{path}:6: accounts[0].client_secret: a secret is never written" in done.stderr
    assert f"{path}:7: accounts[0].rate_plan: Input should be" in done.stderr
    assert SECRET not in done.stderr + done.stdout
