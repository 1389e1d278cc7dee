"""Issue 19 in a real browser: single sign-on through a local OpenID Connect provider and through
the sandbox's Zoom OAuth, with the console on another site than the providers.

The console (``zoomaudit serve``'s app) is opened at ``http://localhost:PORT``; the provider and the
sandbox answer at ``http://127.0.0.1:PORT``, which Chromium counts as another site. The way back
from the provider is then a cross-site navigation: the console's ``SameSite=Strict`` cookies stay
behind, and only the sign-in transaction's ``Lax`` cookie comes along, which the tests check on the
callback request itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .oidc_provider import Provider, provider_env, serve, start_provider
from .test_browser import CHROMIUM, CHROMIUM_FLAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (run `make browser-deps`)",
    ),
]

OWNER = "priya.shah@brightpath.org.uk"


@dataclass
class Stack:
    url: str
    """The console's root as the browser sees it: ``http://localhost:PORT/console``."""
    store: Any
    provider: Provider


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from zoomaudit.sandbox import start_sandbox
    from zoomaudit.service.app import create_service_app
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    workdir = tmp_path_factory.mktemp("console-signin")
    with pytest.MonkeyPatch.context() as env, start_sandbox() as sandbox, start_provider() as provider:
        for key in list(os.environ):
            if key.startswith(("ZOOM_", "ZOOMAUDIT_")):
                env.delenv(key)
        env.chdir(workdir)
        settings = load_settings(
            ZOOMAUDIT_DATABASE_URL=f"sqlite:///{workdir / 'zoomaudit.db'}",
            **sandbox.env(),
            **sandbox.signin_env(),
            **provider_env(provider, ZOOMAUDIT_OIDC_ADMINS="alice@example.org"),
        )
        store = Store.from_settings(settings)
        app = create_service_app(settings, start_scheduler=False)
        with serve(app, lifespan="on") as port:
            try:
                yield Stack(f"http://localhost:{port}/console", store, provider)
            finally:
                store.close()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        try:
            opened = context.pages[0] if context.pages else context.new_page()
            opened.set_default_timeout(20_000)
            yield opened
        finally:
            context.close()


def _callbacks(page: Any, name: str) -> list[Any]:
    seen: list[Any] = []
    page.on("request", lambda r: seen.append(r) if f"/signin/{name}/callback" in r.url else None)
    return seen


def _cookie_names(request: Any) -> set[str]:
    header = request.all_headers().get("cookie", "")
    return {part.split("=", 1)[0].strip() for part in header.split(";") if "=" in part}


def test_an_admin_signs_in_through_the_organisations_provider(stack: Stack, page: Any) -> None:
    from playwright.sync_api import expect

    callbacks = _callbacks(page, "oidc")
    page.goto(stack.url + "/")  # not signed in: the login page, which sets its Strict cookie
    page.get_by_role("link", name="Sign in with Example Org").click()
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_role("link", name="Continue as alice@example.org").click()
    page.wait_for_url(stack.url + "/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    assert len(callbacks) == 1
    sent = _cookie_names(callbacks[0])
    assert "zoomaudit_signin_oidc" in sent  # Lax: came back across sites
    assert "zoomaudit_login" not in sent  # Strict, though set for this path: left behind
    account = stack.store.admins.by_email("oidc:alice@example.org")
    assert account is not None
    assert account.role == "admin"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "zoomaudit_signin_oidc" not in cookies  # deleted after use
    assert cookies["zoomaudit_session"]["sameSite"] == "Strict"


def test_the_zoom_account_owner_signs_in_with_zoom(stack: Stack, page: Any) -> None:
    from playwright.sync_api import expect

    callbacks = _callbacks(page, "zoom")
    page.goto(stack.url + "/login")
    page.get_by_role("link", name="Sign in with Zoom").click()
    expect(page.get_by_role("heading", name="Zoom sandbox")).to_be_visible()
    page.get_by_role("button", name=f"Priya Shah ({OWNER})").click()
    page.wait_for_url(stack.url + "/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    assert len(callbacks) == 1
    assert "zoomaudit_signin_zoom" in _cookie_names(callbacks[0])
    account = stack.store.admins.by_email("zoom:" + OWNER)
    assert account is not None
    assert account.role == "admin"


def test_a_zoom_member_is_told_they_may_not_enter(stack: Stack, page: Any) -> None:
    from playwright.sync_api import expect

    page.goto(stack.url + "/login")
    page.get_by_role("link", name="Sign in with Zoom").click()
    page.get_by_role("button", name="Sian Hughes (sian.hughes@brightpath.org.uk)").click()
    expect(page.get_by_role("heading", name="Not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("is a Zoom Member of the account")
    assert stack.store.admins.by_email("zoom:sian.hughes@brightpath.org.uk") is None
    page.goto(stack.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
