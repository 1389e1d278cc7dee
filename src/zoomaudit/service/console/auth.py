"""The console's security primitives: password hashes, signed session cookies, CSRF tokens, login limits.

Choices (documented in docs/console.md):
- Passwords are stored only as scrypt hashes (``hashlib.scrypt``, random 16-byte salt, N=2**14, r=8, p=1),
  in a self-describing string so the cost can be raised later without breaking old hashes.
- The session is a cookie signed with HMAC-SHA256 under a secret generated on first use and kept in a
  file readable only by its owner (see ``load_or_create_secret``); it is never a constant in the code.
  The cookie holds the admin id, a random session id, the issue and expiry times and a fingerprint of the
  admin's password hash, so changing a password or removing the admin ends every session at once.
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
import threading
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from zoomaudit.errors import ConfigError

log = logging.getLogger("zoomaudit.console")

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 10

SESSION_COOKIE = "zoomaudit_session"
PRELOGIN_COOKIE = "zoomaudit_login"
SESSION_LIFETIME = timedelta(hours=8)


# ---- passwords -------------------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` as ``scrypt$N$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=_SCRYPT_MAXMEM, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_SCRYPT_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash of a password nobody knows: checked when the e-mail is unknown so that the answer takes as
# long as for a real account and does not reveal which e-mails exist.
_DUMMY_HASH: str | None = None


def burn_password_check(password: str) -> None:
    """Spend the time of one password check without an account."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    verify_password(password, _DUMMY_HASH)


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable for an admin account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if password.strip() != password:
        return "the password must not start or end with spaces"
    return None


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
    issued_at: int
    expires_at: int
    fingerprint: str
    """A short digest of the admin's password hash when the session began."""


def password_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class Signer:
    """Signs and checks session cookies and CSRF tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ConfigError("the console secret is too short (at least 16 bytes)")
        self._secret = secret
        self._revoked: dict[str, int] = {}
        self._lock = threading.Lock()

    def _mac(self, purpose: str, data: bytes) -> str:
        return _b64(hmac.new(self._secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest())

    # sessions
    def new_session(self, admin_id: int, password_hash: str, now: datetime) -> Session:
        issued = int(now.timestamp())
        return Session(
            admin_id=admin_id,
            session_id=secrets.token_urlsafe(18),
            issued_at=issued,
            expires_at=issued + int(SESSION_LIFETIME.total_seconds()),
            fingerprint=password_fingerprint(password_hash),
        )

    def dump_session(self, session: Session) -> str:
        body = json.dumps(
            [
                session.admin_id,
                session.session_id,
                session.issued_at,
                session.expires_at,
                session.fingerprint,
            ],
            separators=(",", ":"),
        ).encode()
        return f"{_b64(body)}.{self._mac('session', body)}"

    def load_session(self, cookie: str | None, now: datetime) -> Session | None:
        """The session in a cookie, or None when it is missing, forged, expired or logged out."""
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
            admin_id, sid, issued, expires, fingerprint = json.loads(body)
            session = Session(int(admin_id), str(sid), int(issued), int(expires), str(fingerprint))
        except (ValueError, TypeError):
            return None
        stamp = int(now.timestamp())
        if stamp >= session.expires_at or session.issued_at > stamp + 60:
            return None
        with self._lock:
            if session.session_id in self._revoked:
                return None
        return session

    def revoke(self, session: Session, now: datetime) -> None:
        """Log a session out: the cookie stops working even if someone kept a copy.

        Revocations are kept in memory until the session would have expired anyway; a restart forgets
        them, which is why sessions also end when the password hash changes or the admin is removed.
        """
        stamp = int(now.timestamp())
        with self._lock:
            self._revoked = {sid: exp for sid, exp in self._revoked.items() if exp > stamp}
            self._revoked[session.session_id] = session.expires_at

    # CSRF
    def csrf_token(self, session_id: str) -> str:
        return self._mac("csrf", session_id.encode())

    def check_csrf(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token).encode(), self.csrf_token(session_id).encode())


class OneAtATime:
    """At most one sign-in check per account at a time in this process; others wait their turn.

    The per-account failure count is read, checked and written back around a slow password check;
    attempts for one account sent at once would each read the same count and together get more
    guesses than the lockout allows (on a database that does not serialise the check itself).
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


# ---- login limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed logins are allowed before a lockout, and for how long."""

    account_attempts: int = 5
    account_lockout: timedelta = timedelta(minutes=15)
    address_attempts: int = 20
    address_window: timedelta = timedelta(minutes=15)


_MAX_ADDRESSES = 10_000


class AddressLimiter:
    """Failed logins per client address in a sliding window (in memory: per process)."""

    def __init__(self, policy: LoginPolicy) -> None:
        self._policy = policy
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _prune(self, address: str, now: datetime) -> deque[datetime]:
        window = self._failures.setdefault(address, deque())
        while window and now - window[0] >= self._policy.address_window:
            window.popleft()
        return window

    def blocked_for(self, address: str, now: datetime) -> timedelta | None:
        """How long ``address`` must wait before trying again, or None when it may try now."""
        with self._lock:
            window = self._prune(address, now)
            if len(window) < self._policy.address_attempts:
                return None
            return window[0] + self._policy.address_window - now

    def attempt(self, address: str, now: datetime) -> timedelta | None:
        """Count a sign-in attempt as failed before it is checked; how long to wait if it may not try.

        Counting first matters: a password check takes a while, and attempts sent at once would
        otherwise all pass ``blocked_for`` before the first failure is recorded. ``succeeded``
        clears the count of an address whose attempt turns out right.
        """
        with self._lock:
            window = self._prune(address, now)
            if len(window) >= self._policy.address_attempts:
                return window[0] + self._policy.address_window - now
            self._record(address, now)
            return None

    def failed(self, address: str, now: datetime) -> None:
        with self._lock:
            self._record(address, now)

    def _record(self, address: str, now: datetime) -> None:
        if len(self._failures) > _MAX_ADDRESSES:
            # Many addresses at once: forget those whose failures are all outside the window.
            for key in list(self._failures):
                if not self._prune(key, now):
                    del self._failures[key]
        self._prune(address, now).append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)
