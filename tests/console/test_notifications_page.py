"""The console's Notifications page: the delivery log, newest first, channels masked, viewers too."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest

from zoomaudit.store import Store

from .conftest import NOW, VIEWER, login

pytestmark = pytest.mark.anyio


def deliver(
    store: Store, kind: str, status: str, subject: str, minutes: int, error: str | None = None
) -> None:
    store.notifications.record(
        kind=kind,
        channel="slack://***/…",
        channel_fp="fp1",
        recipients=[],
        host=None,
        subject=subject,
        covers=[f"k:{subject}"],
        marks=[],
        status=status,
        created_at=NOW - timedelta(minutes=minutes),
        error=error,
    )


async def test_the_log_newest_first_with_masked_channels_and_a_kind_filter(
    client: httpx2.AsyncClient, store: Store
) -> None:
    deliver(store, "digest", "sent", "zoomaudit: 3 unsafe session(s)", 90)
    deliver(
        store, "urgent", "failed", "URGENT zoomaudit: <script>x</script>", 5, error="Internal server error"
    )
    assert (await client.get("/notifications")).status_code == 303  # signed in only
    assert (await login(client, VIEWER)).status_code == 303
    text = (await client.get("/notifications")).text
    assert text.index("URGENT zoomaudit") < text.index("zoomaudit: 3 unsafe session(s)")
    assert "slack://***/…" in text
    assert "<script>x</script>" not in text  # subjects are escaped
    assert "Internal server error" in text
    assert "No notification channel is configured" in text
    only_digests = (await client.get("/notifications?kind=digest")).text
    assert "3 unsafe session(s)" in only_digests
    assert "URGENT" not in only_digests


async def test_nothing_sent_yet(client: httpx2.AsyncClient) -> None:
    await login(client)
    assert "Nothing has been sent yet." in (await client.get("/notifications")).text
