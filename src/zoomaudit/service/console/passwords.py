"""Admin passwords: argon2id hashes with the OWASP parameters; older hashes verified and replaced.

- New hashes are argon2id (argon2-cffi) with OWASP's minimum configuration (19 MiB of memory, 2
  iterations, 1 lane, a random 16-byte salt), in the self-describing PHC string
  ``$argon2id$v=19$m=19456,t=2,p=1$salt$hash``: the parameters travel with the hash, so they can be
  raised later without breaking stored ones.
- Hashes of earlier zoomaudit versions (``scrypt$N$r$p$salt$hash``, N=2**14) still verify; a
  successful sign-in replaces such a hash, or an argon2 hash with weaker parameters
  (``needs_rehash``).
- ``verify_password`` is the one place a password is checked; ``dummy_hash`` is what it is checked
  against when the e-mail is unknown, so every sign-in costs one hash whatever the account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MIN_PASSWORD_LENGTH = 10

_HASHER = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
_LEGACY_SCRYPT_MAXMEM = 64 * 1024 * 1024
_ARGON2ID = "$argon2id$"


def hash_password(password: str) -> str:
    """A salted argon2id hash of ``password`` (a PHC string naming its parameters)."""
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash (argon2id, or an older scrypt hash)."""
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError, ValueError):
            return False
    if stored.startswith("scrypt$"):
        return _verify_legacy_scrypt(password, stored)
    return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` is not an argon2id hash with the current parameters."""
    if not stored.startswith(_ARGON2ID):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


_DUMMY_HASH: str | None = None


def dummy_hash() -> str:
    """A hash of a password nobody knows, with the current parameters: what an unknown e-mail's
    password is checked against, so that the answer costs as much as for a real account."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable for an admin account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must be at least {MIN_PASSWORD_LENGTH} characters long"
    if password.strip() != password:
        return "the password must not start or end with spaces"
    return None


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_legacy_scrypt(password: str, stored: str) -> bool:
    """The hashes of zoomaudit before argon2id: ``scrypt$N$r$p$salt$hash`` (constant-time compare)."""
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_LEGACY_SCRYPT_MAXMEM,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
