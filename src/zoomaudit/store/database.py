"""What a repository needs of the Store: transactions, and the vault for passcodes at rest.

A protocol, so repositories (``fixes``, ``waivers``, ``admins``...) depend on this small surface
rather than on ``store.store``, which builds them: no import cycle between the two.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from zoomaudit.vault import Vault


class Database(Protocol):
    passcode_retention: timedelta
    snapshot_runs: int

    def session(self) -> AbstractContextManager[Session]: ...

    def read_session(self) -> AbstractContextManager[Session]: ...

    @property
    def vault(self) -> Vault: ...
