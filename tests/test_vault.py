"""The vault that seals a passcode fix's old passcode: sealing, fingerprints, the key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from zoomaudit.errors import ConfigError
from zoomaudit.redaction import is_sealed
from zoomaudit.settings import Settings
from zoomaudit.store.sealing import forgotten
from zoomaudit.vault import Vault, default_key_file, load_key, vault_from_settings


def test_a_sealed_passcode_opens_and_holds_no_plain_text() -> None:
    vault = Vault(Vault.new_key())
    sealed = vault.seal("Kite2024x")
    assert is_sealed(sealed)
    assert "Kite2024x" not in str(sealed)
    assert vault.open(sealed) == "Kite2024x"
    assert vault.seal("Kite2024x")["sealed"] != sealed["sealed"]  # fresh IV each time


def test_fingerprints_are_keyed() -> None:
    one, other = Vault(Vault.new_key()), Vault(Vault.new_key())
    assert one.fingerprint("123456") == one.fingerprint("123456")
    assert one.fingerprint("123456") != other.fingerprint("123456")
    assert one.fingerprint("123456") != one.fingerprint("123457")
    sealed = one.seal("123456")
    assert one.matches(sealed, "123456")
    assert not one.matches(sealed, "654321")
    assert not one.matches(sealed, None)


def test_another_key_cannot_open_it() -> None:
    sealed = Vault(Vault.new_key()).seal("Kite2024x")
    with pytest.raises(ConfigError, match="another key"):
        Vault(Vault.new_key()).open(sealed)


def test_a_forgotten_passcode_keeps_only_its_fingerprint() -> None:
    vault = Vault(Vault.new_key())
    kept = forgotten({"password": vault.seal("Kite2024x")})["password"]
    assert vault.matches(kept, "Kite2024x")
    with pytest.raises(ConfigError, match="no longer kept"):
        vault.open(kept)


def test_a_bad_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a Fernet key"):
        Vault(b"not a key")


def test_the_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    key_file = tmp_path / "state" / "zoomaudit.db.key"
    assert load_key(env_key=None, key_file=key_file, create=False) is None
    key = load_key(env_key=None, key_file=key_file, create=True)
    assert key is not None
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_key(env_key=None, key_file=key_file, create=True) == key


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "zoomaudit.key"
    key_file.write_bytes(Vault.new_key())
    key_file.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key(env_key=None, key_file=key_file, create=True)


def test_the_environment_key_wins(tmp_path: Path) -> None:
    key = Vault.new_key().decode()
    settings = Settings.model_validate(
        {"ZOOMAUDIT_SECRET_KEY": key, "ZOOMAUDIT_DATABASE_URL": f"sqlite:///{tmp_path}/z.db"}
    )
    vault = vault_from_settings(settings, create=True)
    assert vault is not None
    assert not (tmp_path / "z.db.key").exists()
    assert Vault(key.encode()).open(vault.seal("x1y2z3")) == "x1y2z3"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///zoomaudit.db", Path("zoomaudit.db.key")),
        ("sqlite:////var/lib/zoomaudit/audit.db", Path("/var/lib/zoomaudit/audit.db.key")),
        ("postgresql://u@h/db", Path("zoomaudit.key")),
        ("sqlite:///:memory:", Path("zoomaudit.key")),
    ],
)
def test_the_default_key_file_sits_beside_the_database(url: str, expected: Path) -> None:
    assert default_key_file(url) == expected
