"""Notifications end to end: a real audit of the sandbox's demo organisation, its digest sent
through apprise to a real SMTP server and to HTTP receivers on loopback, logged, deduplicated and
retried; nothing secret in any message."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from zoomaudit.errors import ConfigError
from zoomaudit.notify.catcher import SmtpCatcher
from zoomaudit.notify.channels import lead_channels, mask
from zoomaudit.notify.deliver import Notifier
from zoomaudit.notify.facts import digest_facts
from zoomaudit.notify.messages import digest
from zoomaudit.runner import run
from zoomaudit.sandbox.server import RunningSandbox, start_sandbox
from zoomaudit.settings import Settings, load_settings
from zoomaudit.store import Store
from zoomaudit.vocabulary import AccountScope

from .conftest import Receiver

pytestmark = pytest.mark.e2e

LEAD = "dsl@example.org"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as running:
        yield running


@pytest.fixture
def settings(sandbox: RunningSandbox, tmp_path: Path) -> Settings:
    return load_settings(**sandbox.env(), ZOOMAUDIT_DATABASE_URL=f"sqlite:///{tmp_path / 'n.db'}")


@pytest.fixture
def audited(settings: Settings) -> Iterator[tuple[Store, str]]:
    outcome = asyncio.run(run(AccountScope(), settings=settings))
    store = Store.from_settings(settings)
    yield store, outcome.run_id
    store.close()


def secrets_of(sandbox: RunningSandbox, settings: Settings) -> list[str]:
    """Everything that must never appear in a message: passcodes and credentials."""
    found = [str(m.get("password")) for m in sandbox.state.meetings.values() if m.get("password")]
    found += [settings.zoom_client_secret.get_secret_value()]
    return [s for s in found if len(s) >= 4]


def test_the_digest_reaches_mail_json_and_slack_shaped_webhooks_with_nothing_secret(
    sandbox: RunningSandbox,
    settings: Settings,
    audited: tuple[Store, str],
    smtp: SmtpCatcher,
    receiver: Receiver,
) -> None:
    store, run_id = audited
    urls = [smtp.url(to=LEAD), receiver.url("json", "zoomaudit"), receiver.url("mmost", "hooks/abcdef123456")]
    notifier = Notifier(
        load_settings(
            **sandbox.env(),
            ZOOMAUDIT_DATABASE_URL=settings.database_url,
            ZOOMAUDIT_NOTIFY_URLS=", ".join(urls),
            ZOOMAUDIT_CONSOLE_URL="https://za.example.org/console",
        ),
        store,
    )
    facts = digest_facts(store, run_id, datetime.now(UTC), "https://za.example.org/console")
    assert facts.soon, "the demo has unsafe sessions this week"
    sent = notifier.to_lead("digest", digest(facts))
    assert [d.status for d in sent.deliveries] == ["sent", "sent", "sent"], [d.error for d in sent.deliveries]

    [mail] = smtp.wait(1)
    assert mail.recipients == (LEAD,)
    message = mail.message
    assert message["Subject"].startswith("zoomaudit: ")
    assert "unsafe session(s) in the next 7 days" in message["Subject"]
    text, html = mail.part("plain"), mail.part("html")
    assert "Starting soon (next 7 days)" in html
    assert facts.soon[0].host in html
    assert "https://za.example.org/console/meetings/" in html
    assert "Starting soon" in text or "STARTING SOON" in text.upper()
    assert "<script" not in html.lower()

    json_post = next(p for p in receiver.posts if p.path == "/zoomaudit")
    assert json_post.json()["title"] == message["Subject"]
    assert "Soonest:" in json_post.json()["message"]
    slack_post = next(p for p in receiver.posts if p.path.startswith("/hooks/"))
    assert "unsafe session" in slack_post.json()["text"]

    everything = mail.raw.decode("utf-8", "replace") + "".join(p.body.decode() for p in receiver.posts)
    for secret in secrets_of(sandbox, settings):
        assert secret not in everything
    logged = store.notifications.recent()
    assert {d.channel for d in logged} == {mask(u) for u in urls}
    for d in logged:
        assert "abcdef123456" not in d.channel
        assert d.kind == "digest"

    # The same digest again the same day: nothing new for anyone, so nothing is sent.
    again = notifier.to_lead("digest", digest(facts))
    assert [d.status for d in again.deliveries] == ["suppressed"] * 3
    assert len(smtp.caught) == 1


def test_a_failing_channel_is_retried_with_backoff_and_never_raises(
    sandbox: RunningSandbox, settings: Settings, audited: tuple[Store, str], receiver: Receiver
) -> None:
    store, run_id = audited
    clock = [datetime(2026, 12, 4, 2, 0, tzinfo=UTC)]
    notifier = Notifier(
        load_settings(**sandbox.env(), ZOOMAUDIT_NOTIFY_URLS=receiver.url("json")),
        store,
        clock=lambda: clock[0],
    )
    receiver.status = 500
    facts = digest_facts(store, run_id, datetime.now(UTC))
    [first] = notifier.to_lead("digest", digest(facts)).deliveries
    assert (first.status, first.attempts) == ("retrying", 1)
    assert first.next_attempt_at == clock[0] + timedelta(minutes=1)
    assert notifier.retry_due().deliveries == []  # not yet due

    receiver.status = 200
    clock[0] += timedelta(minutes=2)
    [retried] = notifier.retry_due().deliveries
    assert (retried.status, retried.attempts) == ("sent", 2)
    assert len(receiver.posts) == 2


def test_with_several_accounts_a_retry_leaves_another_accounts_delivery_to_its_own_notifier(
    sandbox: RunningSandbox, audited: tuple[Store, str], receiver: Receiver
) -> None:
    store, run_id = audited
    clock = [datetime(2026, 12, 4, 2, 0, tzinfo=UTC)]
    riverside = Notifier(
        load_settings(**sandbox.env(), ZOOMAUDIT_NOTIFY_URLS=receiver.url("json")),
        store,
        clock=lambda: clock[0],
    )
    hillside = Notifier(
        load_settings(**sandbox.env(), ZOOMAUDIT_NOTIFY_URLS=receiver.url("json") + "?other=1"),
        store,
        clock=lambda: clock[0],
    )
    receiver.status = 500
    [first] = riverside.to_lead("digest", digest(digest_facts(store, run_id, datetime.now(UTC)))).deliveries
    assert first.status == "retrying"
    receiver.status = 200
    clock[0] += timedelta(minutes=2)
    assert hillside.retry_due(shared_log=True).deliveries == [], "hillside took riverside's delivery"
    [retried] = riverside.retry_due(shared_log=True).deliveries
    assert (retried.status, retried.attempts) == ("sent", 2)


def test_a_malformed_url_is_a_configuration_error_that_does_not_echo_it() -> None:
    for url in ["bogus://user:hunter2secret@example.org/x", "no-scheme-at-all-hunter2secret"]:
        with pytest.raises(ConfigError) as caught:
            lead_channels(load_settings(ZOOMAUDIT_NOTIFY_URLS=url))
        assert "ZOOMAUDIT_NOTIFY_URLS" in str(caught.value)
        assert "hunter2secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("slack://TA1/TB2/tokenC3", "slack://***/…"),
        (
            "mailtos://me:pw123456@smtp.office365.com?to=dsl@example.org",
            "mailtos://smtp.office365.com/… (to dsl@example.org)",
        ),
        ("json://hooks.example.org/zoomaudit?token=abc12345", "json://hooks.example.org/…"),
        (
            "workflows://prod-00.westus.logic.azure.com:443/wf1234/sig5678",
            "workflows://prod-00.westus.logic.azure.com/…",
        ),
    ],
)
def test_channels_are_masked_for_people(url: str, shown: str) -> None:
    assert mask(url) == shown
