"""Fixtures of the work-queue tests: a fresh PostgreSQL database with the queue's schema, and
``eventually``, the one way these tests wait (a condition polled under a generous bound)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from tests.postgres_server import PostgresServer
from zoomaudit.queue.app import prepare_queue

T = TypeVar("T")

PATIENCE_SECONDS = 120.0
"""How long any awaited condition may take: far above what it needs on a loaded machine, so a
test fails only when the thing never happens."""


def eventually(condition: Callable[[], T], what: str, timeout: float = PATIENCE_SECONDS) -> T:
    """Poll ``condition`` until it returns something truthy (returned); fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def queue_url(postgres: PostgresServer) -> str:
    """A new, empty database on the test server, with the queue's schema applied."""
    url = postgres.url()
    assert prepare_queue(url) is True
    return url


@pytest.fixture
def postgres_url(postgres: PostgresServer) -> str:
    """A new, empty database on the test server."""
    return postgres.url()
