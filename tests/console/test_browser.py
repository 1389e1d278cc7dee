"""The console in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

The whole stack runs for real: the Zoom sandbox with the demo organisation on loopback, an audit by
the runner into an SQLite store, and ``zoomaudit serve``'s app (console mounted) served by uvicorn on
a free loopback port. Chromium is launched by path with the flags this closed network needs (no
background networking, no component updates) and a fresh profile directory for every test.

``ZOOMAUDIT_SCREENSHOTS=1`` saves the screenshots used by docs/console.md to docs/img/.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Read at import: the autouse fixture of tests/conftest.py clears ZOOMAUDIT_* before each test.
SCREENSHOTS = os.environ.get("ZOOMAUDIT_SCREENSHOTS") == "1"
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
ADMIN, VIEWER, PASSWORD = "dsl@brightpath.org.uk", "trustee@brightpath.org.uk", "correct horse battery"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed at /usr/bin/chromium (run `make browser-deps`)",
    ),
]


@dataclass
class Stack:
    url: str
    """The console's root, e.g. ``http://127.0.0.1:PORT/console``."""
    sandbox: Any
    store: Any
    run_id: str


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import uvicorn

    from zoomaudit.runner import run
    from zoomaudit.sandbox import start_sandbox
    from zoomaudit.service.app import create_service_app
    from zoomaudit.service.console.accounts import add_admin
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store
    from zoomaudit.vocabulary import AccountScope

    workdir = tmp_path_factory.mktemp("console-browser")
    with pytest.MonkeyPatch.context() as env, start_sandbox() as sandbox:
        for key in list(os.environ):
            if key.startswith(("ZOOM_", "ZOOMAUDIT_")):
                env.delenv(key)
        env.chdir(workdir)
        settings = load_settings(
            ZOOMAUDIT_DATABASE_URL=f"sqlite:///{workdir / 'zoomaudit.db'}", **sandbox.env()
        )
        store = Store.from_settings(settings)
        add_admin(store, ADMIN, PASSWORD, "admin", now=datetime.now(UTC))
        add_admin(store, VIEWER, PASSWORD, "viewer", now=datetime.now(UTC))
        outcome = asyncio.run(run(AccountScope(), "manual", settings=settings, store=store))

        app = create_service_app(settings, start_scheduler=False)
        sock = _free_socket()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the service did not start")
            time.sleep(0.01)
        try:
            yield Stack(f"http://127.0.0.1:{sock.getsockname()[1]}/console", sandbox, store, outcome.run_id)
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            sock.close()
            store.close()


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 860},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            context.close()


def _shot(target: Any, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of a page (or of one element, for a locator) for docs/console.md."""
    if not SCREENSHOTS:
        return
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    path = str(DOCS_IMG / f"{name}.png")
    if hasattr(target, "goto"):
        target.screenshot(path=path, full_page=full_page)
    else:
        target.screenshot(path=path)


def _sign_in(page: Any, stack: Stack, email: str, *, shot: bool = False) -> None:
    page.goto(stack.url + "/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if shot:
        _shot(page, "console-login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(stack.url + "/")


def _pending(stack: Stack, policy: str) -> list[Any]:
    from zoomaudit.fixes.queue import list_fixes

    return [f for f in list_fixes(stack.store, statuses=("pending",), policy_id=policy)]


def test_an_admin_sees_the_violations_approves_a_fix_and_the_meeting_changes(
    stack: Stack, browser_page: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    _sign_in(page, stack, ADMIN, shot=True)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    violations = stack.store.get_run(stack.run_id).counts["violations"]
    assert violations > 0
    expect(page.locator(".tile-bad .num")).to_have_text(str(violations))
    expect(page.get_by_role("cell", name="waiting-room", exact=False).first).to_be_visible()

    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_label("Policy").select_option("waiting-room")  # filters apply on change (script)
    page.wait_for_url("**/meetings?*policy=waiting-room*")
    page.get_by_label("Severity").select_option("high")
    page.wait_for_url("**/meetings?*severity=high*")
    expect(page.locator("#meetings tbody tr")).to_have_count(
        5
    )  # four designed cases and tonight's games night
    _shot(page, "console-meetings")

    # A fix of the whole meeting (an occurrence's own override is changed in a different place).
    fix = min(
        (
            f
            for f in _pending(stack, "waiting-room")
            if f.target_level == "meeting" and f.occurrence_id is None
        ),
        key=lambda f: int(f.target_id or 0),
    )
    meeting_id = int(fix.target_id or 0)
    assert stack.sandbox.state.meetings[meeting_id]["settings"].get("waiting_room") is not True

    page.goto(f"{stack.url}/meetings/{meeting_id}")
    expect(page.locator("#controls tr[data-policy=waiting-room]")).to_contain_text("violation")
    _shot(page, "console-meeting")

    page.get_by_role("link", name="Fixes", exact=True).click()
    page.locator(f"#fix-{fix.id}").get_by_label("Note").fill("checked with the session lead")
    _shot(page.locator("#policy-waiting-room"), "console-fixes")
    page.locator(f"#fix-{fix.id}").get_by_role("button", name="Approve").click()
    result = page.locator(".result")
    expect(result).to_contain_text(fix.id)
    expect(result).to_contain_text("Applied")
    _shot(page, "console-fix-applied", full_page=False)

    # Bulk approval of one policy's fixes runs in the background and reports each outcome.
    bulk = [f.id for f in _pending(stack, "participant-video-off")]
    assert len(bulk) > 1
    page.once("dialog", lambda dialog: dialog.accept())  # the script asks for confirmation
    page.locator("#policy-participant-video-off").get_by_role(
        "button", name=f"Approve all {len(bulk)}"
    ).click()
    page.wait_for_url("**/console/jobs/*")
    expect(page.locator("#tally-h")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("status")).to_have_count(0, timeout=30_000)  # no longer running
    _shot(page, "console-bulk", full_page=False)
    assert not {f.id for f in _pending(stack, "participant-video-off")} & set(bulk)
    assert "applied" in page.locator(".result").inner_text()

    # The sandbox meeting changed, and the trail names the admin who approved it.
    assert stack.sandbox.state.meetings[meeting_id]["settings"]["waiting_room"] is True
    page.get_by_role("link", name="Audit trail").click()
    expect(page.locator("tr", has_text=fix.id).filter(has_text="applied").first).to_contain_text(ADMIN)

    # Audit now re-checks the meeting: its waiting-room policy now passes.
    page.get_by_role("link", name="Audit now").click()
    page.get_by_label("Meeting id").fill(str(meeting_id))
    page.get_by_role("button", name="Audit this meeting").click()
    page.wait_for_url("**/console/runs/*")
    expect(page.get_by_role("heading", name="Run")).to_be_visible()
    assert page.locator("tr", has_text="waiting-room").filter(has_text="violation").count() == 0
    page.goto(f"{stack.url}/meetings/{meeting_id}")
    expect(page.locator("#controls tr[data-policy=waiting-room]")).to_contain_text("pass")

    # A second whole-account audit: the overview draws the trend and names what was resolved.
    page.get_by_role("link", name="Audit now").click()
    page.get_by_role("button", name="Audit the whole account").click()
    page.wait_for_url("**/console/runs/*")
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("svg.trend circle")).to_have_count(2)
    expect(page.locator("#diff-h + p")).to_contain_text("resolved")
    _shot(page, "console-overview")


def test_a_viewer_sees_findings_but_cannot_approve(stack: Stack, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    _sign_in(page, stack, VIEWER)
    expect(page.locator(".role")).to_have_text("viewer")
    # The overview links to the Upcoming page, which viewers can read.
    page.get_by_role("link", name="All upcoming sessions").click()
    expect(page.get_by_role("heading", name="Upcoming sessions")).to_be_visible()
    expect(page.get_by_role("link", name="Upcoming", exact=True)).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Fixes", exact=True).click()
    fix = _pending(stack, "mute-upon-entry")[0]
    expect(page.locator(f"#fix-{fix.id}")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_have_count(0)
    _shot(page.locator("#policy-mute-upon-entry"), "console-viewer")

    # The server refuses too: a hand-made approval with the viewer's own valid token.
    status = page.evaluate(
        """async (fixId) => {
            const csrf = document.querySelector('input[name=csrf]').value;
            const body = new URLSearchParams({csrf, fix_id: fixId, decision: "approve"});
            const response = await fetch("fixes/decide", {method: "POST", body});
            return response.status;
        }""",
        fix.id,
    )
    assert status == 403
    assert _pending(stack, "mute-upon-entry")[0].id == fix.id


def test_a_forged_post_without_the_csrf_token_is_refused(stack: Stack, browser_page: Any) -> None:
    from playwright.sync_api import expect

    page = browser_page
    _sign_in(page, stack, ADMIN)
    fix = _pending(stack, "mute-upon-entry")[0]
    page.goto(stack.url + "/fixes")
    # A form like one another page could plant: the right fields, but no CSRF token.
    page.evaluate(
        """(fixId) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "fixes/decide";
            for (const [name, value] of [["fix_id", fixId], ["decision", "approve"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        fix.id,
    )
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("security token")
    response = page.request.post(stack.url + "/fixes/decide", form={"fix_id": fix.id, "decision": "approve"})
    assert response.status == 403
    assert fix.id in {f.id for f in _pending(stack, "mute-upon-entry")}
