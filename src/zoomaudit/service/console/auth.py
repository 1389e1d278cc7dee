"""The console's security primitives: password hashes, signed session cookies, CSRF tokens, login limits.

Choices (documented in docs/console.md); passwords are in ``passwords.py``, sign-in delays in ``throttle.py``.
- The session is a cookie signed with HMAC-SHA256 under a secret generated on first use and kept in a
  file readable only by its owner (see ``load_or_create_secret``); it is never a constant in the code.
  The cookie holds the admin id, a random session id, the admin's session generation, the issue and
  expiry times and the time of the last request. The generation is kept in the database and raised by
  signing out and by a new password, so an old cookie stops working at once, even after a restart;
  a session unused for longer than the idle timeout (``ZOOMAUDIT_SESSION_IDLE``) is signed out.
- CSRF tokens are HMACs of the session id (synchroniser tokens that need no storage); the login form,
  which has no session yet, uses a random pre-session cookie instead.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from zoomaudit.errors import ConfigError

log = logging.getLogger("zoomaudit.console")

SESSION_COOKIE = "zoomaudit_session"
PRELOGIN_COOKIE = "zoomaudit_login"
SESSION_LIFETIME = timedelta(hours=8)
SESSION_IDLE = timedelta(minutes=30)
PROVIDER_PREFIXES = ("oidc:", "zoom:")
"""How accounts of single sign-on are named (``oidc:alice@example.org``): no password is theirs."""
SSO_MARKER = "!signed-in-by-provider"
"""Stands where a password hash would be for accounts of single sign-on: no password matches it."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- the secret ------------------------------------------------------------------------------------


def default_secret_path(database_url: str) -> Path:
    """Where the console keeps its signing secret for a given database.

    Next to an SQLite database file (``zoomaudit.db`` -> ``zoomaudit.db.console-secret``); for any other
    database, ``$XDG_STATE_HOME/zoomaudit/console-secret`` (``~/.local/state`` by default).
    """
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        db_file = Path(database_url[len(prefix) :].split("?", 1)[0])
        return db_file.with_name(db_file.name + ".console-secret")
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "zoomaudit" / "console-secret"


def load_or_create_secret(path: Path) -> bytes:
    """Read the signing secret at ``path``, creating it (mode 0600) on first use."""
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"cannot read the console secret file {path}: {exc.strerror}") from None
    if text:
        _warn_if_shared(path)
        return _unb64(text)
    secret = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process created it between our read and our write: use theirs.
        return load_or_create_secret(path)
    except OSError as exc:
        raise ConfigError(f"cannot create the console secret file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(_b64(secret) + "\n")
    return secret


def _warn_if_shared(path: Path) -> None:
    """Say so when other users may read the secret: whoever reads it can forge any admin's session."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        log.warning(
            "the console secret file %s can be read or changed by other users (mode %o): anyone who "
            "reads it can sign in as any admin; run `chmod 600 %s`",
            path,
            mode & 0o777,
            path,
        )


# ---- sessions and CSRF -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    admin_id: int
    session_id: str
    generation: int
    """The admin's session generation when the session began (``admins.session_generation``)."""
    issued_at: int
    expires_at: int
    seen_at: int
    """When the session was last used (seconds since the epoch): it ends after the idle timeout."""


class Signer:
    """Signs and checks session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: bytes, *, idle: timedelta = SESSION_IDLE) -> None:
        if len(secret) < 16:
            raise ConfigError("the console secret is too short (at least 16 bytes)")
        self._secret = secret
        self.idle = idle

    def _mac(self, purpose: str, data: bytes) -> str:
        return _b64(hmac.new(self._secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest())

    # sessions
    def new_session(self, admin_id: int, generation: int, now: datetime) -> Session:
        issued = int(now.timestamp())
        return Session(
            admin_id=admin_id,
            session_id=secrets.token_urlsafe(18),
            generation=generation,
            issued_at=issued,
            expires_at=issued + int(SESSION_LIFETIME.total_seconds()),
            seen_at=issued,
        )

    @staticmethod
    def touch(session: Session, now: datetime) -> Session:
        """The session as used at ``now`` (its idle time starts again)."""
        return replace(session, seen_at=max(session.seen_at, int(now.timestamp())))

    def dump_session(self, session: Session) -> str:
        body = json.dumps(
            [
                session.admin_id,
                session.session_id,
                session.generation,
                session.issued_at,
                session.expires_at,
                session.seen_at,
            ],
            separators=(",", ":"),
        ).encode()
        return f"{_b64(body)}.{self._mac('session', body)}"

    def load_session(self, cookie: str | None, now: datetime) -> Session | None:
        """The session in a cookie, or None when it is missing, forged, expired or idle too long.

        Whether the admin signed out since (the generation) is checked against the database by the
        caller.
        """
        if not cookie or "." not in cookie:
            return None
        encoded, mac = cookie.rsplit(".", 1)
        try:
            body = _unb64(encoded)
        except ValueError:
            return None
        # Compared as bytes: a str compare raises TypeError on non-ASCII text (a 500, not a refusal).
        if not hmac.compare_digest(mac.encode(), self._mac("session", body).encode()):
            return None
        try:
            admin_id, sid, generation, issued, expires, seen = json.loads(body)
            session = Session(int(admin_id), str(sid), int(generation), int(issued), int(expires), int(seen))
        except (ValueError, TypeError):
            return None
        stamp = int(now.timestamp())
        if stamp >= session.expires_at or session.issued_at > stamp + 60:
            return None
        if stamp - session.seen_at >= self.idle.total_seconds():
            return None
        return session

    # CSRF
    def csrf_token(self, session_id: str) -> str:
        return self._mac("csrf", session_id.encode())

    def check_csrf(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token).encode(), self.csrf_token(session_id).encode())


class OneAtATime:
    """At most one sign-in check per account at a time in this process; others wait their turn.

    The per-account failure count is read, checked and written back around a slow password check;
    attempts for one account sent at once would each read the same count and together get more
    guesses than the delays allow (on a database that does not serialise the check itself).
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


def new_prelogin_nonce() -> str:
    return secrets.token_urlsafe(18)
