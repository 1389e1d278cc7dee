"""Sealing the one live secret zoomaudit must keep: a meeting's old passcode, for a revert.

A passcode fix changes a live join passcode of a session with children or vulnerable adults. The
new passcode is generated when the fix is applied and never stored. The old one is kept only so
the fix can be reverted, and only for as long as it can be (``ZOOMAUDIT_PASSCODE_RETENTION_DAYS``):

- sealed with Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``) under the install's
  key, so a copy of the database or a backup holds no readable passcode;
- beside it a keyed fingerprint (HMAC-SHA256 under a key derived from the same key), so the
  stale check ("does Zoom still hold the value this fix saw?") compares fingerprints, not text.

The key comes from ``ZOOMAUDIT_SECRET_KEY`` (a Fernet key: 32 random bytes, URL-safe base64) or
from a key file the install creates on first use with mode 0600 (``ZOOMAUDIT_KEY_FILE``, by default
beside the SQLite database, else ``zoomaudit.key`` in the working directory). Losing the key loses
the ability to revert passcode fixes, nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from zoomaudit.errors import ConfigError
from zoomaudit.redaction import FINGERPRINT, SEALED, is_sealed
from zoomaudit.settings import Settings

_FINGERPRINT_CONTEXT = b"zoomaudit: passcode fingerprint v1"


class Vault:
    """Seals and opens old passcodes, and fingerprints passcodes, under one install key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "the zoomaudit secret key is not a Fernet key (32 random bytes, URL-safe base64)"
            ) from exc
        raw = base64.urlsafe_b64decode(key)
        self._fingerprint_key = hmac.new(raw, _FINGERPRINT_CONTEXT, hashlib.sha256).digest()

    @staticmethod
    def new_key() -> bytes:
        return Fernet.generate_key()

    def fingerprint(self, secret: str) -> str:
        """A keyed hash of ``secret``: equal secrets give equal fingerprints; without the key it
        says nothing about the secret (a plain hash of a 6-digit passcode would be guessed)."""
        return hmac.new(self._fingerprint_key, secret.encode("utf-8"), hashlib.sha256).hexdigest()

    def seal(self, secret: str) -> dict[str, str]:
        """``{"sealed": token, "fingerprint": hash}``: what is stored instead of ``secret``."""
        token = self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")
        return {SEALED: token, FINGERPRINT: self.fingerprint(secret)}

    def open(self, sealed: Any) -> str:
        """The secret inside a sealed value (ConfigError when this key did not seal it)."""
        if not is_sealed(sealed) or not sealed.get(SEALED):
            raise ConfigError("the stored passcode is no longer kept (its revert period is over)")
        try:
            return self._fernet.decrypt(str(sealed[SEALED]).encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ConfigError(
                "the stored passcode was sealed with another key: ZOOMAUDIT_SECRET_KEY or the key "
                "file changed since the fix was applied"
            ) from exc

    def fingerprint_only(self, secret: str) -> dict[str, str]:
        """What is kept of a passcode zoomaudit set: enough to recognise it, not to use it."""
        return {FINGERPRINT: self.fingerprint(secret)}

    def same(self, stored: Any, current: Any) -> bool:
        """Whether a stored value (sealed or plain) and a value read from Zoom are the same."""
        if is_sealed(stored):
            return self.matches(stored, current)
        return bool(stored == current)

    def matches(self, sealed: Any, candidate: Any) -> bool:
        """Whether ``candidate`` is the secret a sealed value was made from (by fingerprint)."""
        if not is_sealed(sealed) or not isinstance(candidate, str):
            return False
        return hmac.compare_digest(str(sealed.get(FINGERPRINT, "")), self.fingerprint(candidate))


def default_key_file(database_url: str) -> Path:
    """Beside a SQLite database file; otherwise ``zoomaudit.key`` in the working directory."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and not database_url.endswith(":memory:"):
        database = Path(database_url[len(prefix) :])
        if str(database):
            return database.with_name(database.name + ".key")
    return Path("zoomaudit.key")


def load_key(*, env_key: str | None, key_file: Path, create: bool) -> bytes | None:
    """The install key: from the environment, else the key file (created with mode 0600 when
    ``create`` and missing). None when there is none and ``create`` is false."""
    if env_key:
        return env_key.strip().encode("ascii")
    try:
        data = key_file.read_bytes().strip()
    except FileNotFoundError:
        if not create:
            return None
        key = Vault.new_key()
        try:
            key_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return key_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot create the zoomaudit key file {key_file} ({exc.strerror}); set "
                "ZOOMAUDIT_SECRET_KEY, or ZOOMAUDIT_KEY_FILE to a writable place"
            ) from exc
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
        return key
    except OSError as exc:
        raise ConfigError(f"cannot read the zoomaudit key file {key_file}: {exc.strerror}") from exc
    mode = key_file.stat().st_mode & 0o077
    if mode:
        raise ConfigError(
            f"the zoomaudit key file {key_file} can be read by other users (mode "
            f"{oct(key_file.stat().st_mode & 0o777)}); run: chmod 600 {key_file}"
        )
    return data


def vault_from_settings(settings: Settings, *, create: bool) -> Vault | None:
    """The install's vault (None when it has no key yet and ``create`` is false)."""
    env_key = settings.secret_key.get_secret_value() if settings.secret_key is not None else None
    key_file = Path(settings.key_file) if settings.key_file else default_key_file(settings.database_url)
    key = load_key(env_key=env_key, key_file=key_file, create=create)
    return Vault(key) if key is not None else None
