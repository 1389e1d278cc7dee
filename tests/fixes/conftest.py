"""Builders for the fixes tests: snapshots, findings, policies and a fresh store per test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from zoomaudit.findings import Violation
from zoomaudit.snapshot import AccountContext, GroupContext, HostBatch, HostContext, Subject
from zoomaudit.store import Store
from zoomaudit.zoom.models import Meeting, User

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
HOST = "u-alice"
EMAIL = "alice@example.org"


@dataclass(frozen=True)
class Fix:
    mode: str = "suggest"
    tier: str = "meeting"
    value: Any = True


@dataclass(frozen=True)
class Pol:
    """Stands in for zoomaudit.policy.Policy: the planner reads id, control and fix."""

    id: str
    control: str
    fix: Fix | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Pols:
    policies: tuple[Pol, ...]


def policies(*items: Pol) -> Pols:
    return Pols(tuple(items))


def meeting(meeting_id: int, **fields: Any) -> Meeting:
    settings = fields.pop("settings", {})
    return Meeting(
        id=meeting_id, host_id=HOST, topic=f"Session {meeting_id}", type=2, settings=settings, **fields
    )


def batch(
    *meetings: Meeting,
    settings: dict[str, Any] | None = None,
    group_ids: tuple[str, ...] = (),
    occurrences: dict[int, str] | None = None,
) -> HostBatch:
    occurrences = occurrences or {}
    host = HostContext(user=User(id=HOST, email=EMAIL), settings=settings or {}, group_ids=group_ids)
    subjects = [Subject(meeting=m, occurrence_id=occurrences.get(m.id)) for m in meetings]
    return HostBatch(host=host, subjects=subjects)


def account(
    settings: dict[str, Any] | None = None,
    locks: dict[str, Any] | None = None,
    groups: tuple[GroupContext, ...] = (),
) -> AccountContext:
    return AccountContext(settings=settings or {}, locks=locks or {}, groups={g.id: g for g in groups})


def group(
    group_id: str, settings: dict[str, Any] | None = None, locks: dict[str, Any] | None = None
) -> GroupContext:
    return GroupContext(id=group_id, name=f"Group {group_id}", settings=settings or {}, locks=locks or {})


def violation(policy: str, control: str, meeting_id: int | None = None, **fields: Any) -> Violation:
    values: dict[str, Any] = {
        "policy_id": policy,
        "control": control,
        "severity": "high",
        "meeting_id": meeting_id,
        "host_id": HOST,
        "host_email": EMAIL,
    }
    values.update(fields)
    return Violation(**values)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'fixes.db'}") as opened:
        yield opened


# --- the sandbox, in process ------------------------------------------------------------------


@dataclass
class Zoom:
    """The demo organisation served in process, and a way to make clients that talk to it."""

    state: Any
    app: Any
    settings: Any

    def client(self) -> Any:
        import httpx2

        from zoomaudit.zoom.client import ZoomClient

        return ZoomClient(self.settings, transport=httpx2.ASGITransport(app=self.app))

    @property
    def log(self) -> Any:
        from zoomaudit.sandbox import runtime

        return runtime(self.app).log

    def patches(self) -> list[str]:
        return [e.path for e in self.log.entries if e.method == "PATCH"]

    def meeting(self, topic: str) -> dict[str, Any]:
        doc: dict[str, Any] = self.state.meeting_by_topic(topic)
        return doc


_NOON = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
_STARTED = time.monotonic()


def fixes_now() -> datetime:
    """The fixes tests' clock: noon UTC of the day they started, moving on at the real pace.

    The in-process sandbox (``make_zoom``) is built at it and keeps time by it, and the tests hand
    it to the app as "now", so the sandbox's and the app's UTC day are the same one and no test
    sees midnight pass, whenever it runs."""
    return _NOON + timedelta(seconds=time.monotonic() - _STARTED)


def make_zoom(**options: Any) -> Zoom:
    from zoomaudit.sandbox import SandboxOptions, create_app, demo_state
    from zoomaudit.settings import Settings

    state = demo_state(fixes_now())
    state.clock = fixes_now
    opts = SandboxOptions(**{"rate_limits": False, "meeting_update_quota": False, **options})
    settings = Settings(
        zoom_account_id=state.account_id,
        zoom_client_id=state.client_id,
        zoom_client_secret=state.client_secret,
        zoom_api_base_url="http://127.0.0.1/v2",
        zoom_oauth_token_url="http://127.0.0.1/oauth/token",
        max_retries=2,
    )
    return Zoom(state, create_app(state, opts), settings)


@pytest.fixture
def zoom() -> Zoom:
    return make_zoom()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The demo organisation served on loopback, with zoomaudit's environment pointing at it."""
    from zoomaudit.sandbox import demo_state, no_limits, start_sandbox

    with start_sandbox(demo_state(), no_limits()) as running:
        for key, value in running.env().items():
            monkeypatch.setenv(key, value)
        yield running
