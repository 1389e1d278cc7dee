"""Passcodes at rest in fix plans: sealed while a revert may need them, then forgotten.

What a passcode fix keeps (docs/fixes.md, "What is kept"):

- its request body holds a marker (``redaction.GENERATE``), never a passcode: the new passcode
  is generated when the fix is applied; once applied, the body keeps only the new passcode's
  keyed fingerprint, so a revert can tell whether someone changed it since;
- its ``before`` holds the old passcode sealed (``zoomaudit.vault``) while the fix may still be
  applied and reverted; when it no longer can be (reverted, rejected, stale, withdrawn, failed,
  or applied longer ago than the revert period), the ciphertext is deleted and the fingerprint
  stays.

The trail masks every passcode (``store.trail``); findings never hold one. So after a passcode
fix neither passcode is in the database in plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from zoomaudit.controls.model import flatten
from zoomaudit.redaction import FINGERPRINT, GENERATE, GENERATE_DIGITS, SEALED, is_sealed, is_secret_name
from zoomaudit.store.models import FixPlan as FixRow

if TYPE_CHECKING:
    from zoomaudit.store.database import Database
    from zoomaudit.vault import Vault

NO_REVERT = ("reverted", "rejected", "stale", "withdrawn", "failed")
"""Statuses from which a plan can never be reverted: its old passcode is not kept."""
OPEN = ("pending", "approved", "deferred")
MARKERS = (GENERATE, GENERATE_DIGITS)
_WORDS = ("pass", "secret", "token")  # the key names redaction.is_secret_name looks for


def _is_passcode(path: str, value: Any) -> bool:
    return is_secret_name(path) and isinstance(value, str) and value != "" and value not in MARKERS


def seal_values(values: Mapping[str, Any], vault: Callable[[], Vault]) -> dict[str, Any]:
    """``{path: value}`` with every passcode sealed (the vault is only opened when one is there,
    so an install that never plans a passcode fix never needs a key)."""
    return {p: vault().seal(v) if _is_passcode(p, v) else v for p, v in values.items()}


def same_values(
    stored: Mapping[str, Any] | None, plain: Mapping[str, Any], vault: Callable[[], Vault]
) -> bool:
    """Whether stored values (passcodes sealed) are the plain values read now."""
    stored = stored or {}
    if set(stored) != set(plain):
        return False
    return all(
        vault().same(stored[p], plain[p]) if is_sealed(stored[p]) else stored[p] == plain[p] for p in plain
    )


def forgotten(values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    return {
        p: {FINGERPRINT: v[FINGERPRINT]} if is_sealed(v) and SEALED in v else v for p, v in values.items()
    }


def to_generate(body: Any) -> Any:
    """An open plan's body with any passcode in it replaced by the generate marker: the passcode
    is generated when the fix is applied, never stored (a body without one is returned as is)."""
    if not isinstance(body, dict):
        return body
    for path, value in flatten(body).items():
        if _is_passcode(path, value):
            body = _set_path(body, path, GENERATE)
    return body


def _set_path(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = dict(body)
    node = out
    *heads, last = path.split(".")
    for head in heads:
        node[head] = dict(node.get(head) or {})
        node = node[head]
    node[last] = value
    return out


class PasscodeKeeping:
    """The store's side of passcode fixes (``Store.passcodes``)."""

    def __init__(self, store: Database) -> None:
        self._store = store

    def keep_fingerprints(self, fix_id: str, applied: Mapping[str, Any]) -> None:
        """After a passcode fix is applied: the body keeps the fingerprint of each passcode it
        set (a revert checks Zoom still holds it), never the passcode."""
        vault = self._store.vault
        with self._store.session() as session:
            row = session.get(FixRow, fix_id)
            if row is None:
                return
            body = dict(row.body or {})
            for path, value in applied.items():
                if _is_passcode(path, value):
                    body = _set_path(body, path, vault.fingerprint_only(value))
            row.body = body

    def forget_expired(self, now: datetime) -> int:
        """Delete the sealed old passcodes no revert can use any more; how many plans changed."""
        cutoff = now - self._store.passcode_retention
        changed = 0
        with self._store.session() as session:
            rows = session.scalars(
                select(FixRow).where(
                    # Only plans still holding a sealed copy: the sweep must not grow with history.
                    cast(FixRow.before, String).contains(f'"{SEALED}"'),
                    or_(
                        FixRow.status.in_(NO_REVERT),
                        (FixRow.status == "applied") & (FixRow.applied_at < cutoff),
                    ),
                )
            )
            for row in rows:
                kept = forgotten(row.before)
                if kept != row.before:
                    row.before = kept
                    changed += 1
            changed += self._seal_legacy(session)
        return changed

    def _seal_legacy(self, session: Session) -> int:
        """Plans written before passcodes were sealed hold them in plain text: an open plan's
        passcode becomes the marker (a fresh one is generated when applied), a kept old one is
        sealed, and any other is reduced to its fingerprint."""
        changed = 0
        # Only plans whose body or before could hold a passcode (one written before sealing).
        suspects = or_(
            *(
                cast(column, String).contains(word)
                for column in (FixRow.body, FixRow.before)
                for word in _WORDS
            )
        )
        for row in session.scalars(select(FixRow).where(suspects)):
            body = row.body if isinstance(row.body, dict) else {}
            flat = flatten(body)
            plain = {p: v for p, v in flat.items() if _is_passcode(p, v)}
            before = dict(row.before or {}) if isinstance(row.before, dict) else {}
            old = {p: v for p, v in before.items() if _is_passcode(p, v)}
            if not plain and not old:
                continue
            vault = self._store.vault
            for path, value in plain.items():
                replacement = GENERATE if row.status in OPEN else vault.fingerprint_only(value)
                body = _set_path(body, path, replacement)
            revertible = row.status in OPEN or row.status == "applied"
            for path, value in old.items():
                before[path] = vault.seal(value) if revertible else vault.fingerprint_only(value)
            row.body, row.before = body, before
            changed += 1
        return changed
