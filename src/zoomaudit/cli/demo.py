"""`zoomaudit demo`: the whole job against the built-in sandbox, with no configuration.

It starts the sandbox (the demo organisation) on a free loopback port, audits it with the
bundled policies and prints what a newcomer needs first: a summary, the soonest unsafe sessions
and how to approve fixes. It approves one fix to show the safety checks at work, re-audits that
meeting, and (with ``--serve``) opens the web console. The text is in ``demo_output``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from rich.console import Console

    from zoomaudit.fixes.queue import FixRecord
    from zoomaudit.fixes.steps import ApplyResult
    from zoomaudit.settings import Settings

    Say = Callable[[list[str]], None]
    """Prints one section of the demo (see ``_sayer``)."""

# The fix the demo approves: a meeting-level waiting-room fix shows the re-read, PATCH and verify.
PREFERRED_DEMO_FIX = ("waiting-room", "passcode-required", "join-before-host-off")


def _pick_fix(pending: list[FixRecord]) -> FixRecord | None:
    for policy_id in PREFERRED_DEMO_FIX:
        for fix in pending:
            if fix.policy_id == policy_id and fix.target_level == "meeting":
                return fix
    return pending[0] if pending else None


def demo_environment(sandbox_env: Mapping[str, str], workdir: Path) -> dict[str, str]:
    """The demo's variables, whatever is set already (or in ``.env``): the sandbox's Zoom, its own
    temporary database and key in ``workdir``, and no notification channel. So the demo never
    writes into a real install's database and never messages real people."""
    return {
        **sandbox_env,
        "ZOOMAUDIT_DATABASE_URL": f"sqlite:///{workdir / 'demo.db'}",
        "ZOOMAUDIT_KEY_FILE": str(workdir / "demo.key"),
        "ZOOMAUDIT_SECRET_KEY": "",
        "ZOOMAUDIT_NOTIFY_URLS": "",
        "ZOOMAUDIT_SMTP_URL": "",
        # The console's sign-in: "Sign in with Zoom" against the sandbox (its variables come with
        # ``sandbox_env``), the demo admin's password, and none of a real install's providers.
        "ZOOMAUDIT_OIDC_ISSUER": "",
        "ZOOMAUDIT_CONSOLE_URL": "",
        "ZOOMAUDIT_LOCAL_ACCOUNTS": "true",
        "ZOOMAUDIT_ZOOM_SIGNIN_ADMINS": "Owner,Admin",
        "ZOOMAUDIT_ZOOM_SIGNIN_VIEWERS": "Member",
    }


def _approve_one(settings: Settings, fix: FixRecord, *, now: datetime | None, width: int) -> list[str]:
    """Approve ``fix`` as an admin would, then re-audit its meeting: the lines that tell how it went."""
    from zoomaudit.cli.audit import run_audit
    from zoomaudit.cli.demo_output import MORE, wrapped
    from zoomaudit.fixes.apply import approve
    from zoomaudit.report.common import printable
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient

    lines = wrapped(
        f"The demo approves {fix.id} ({fix.policy_id}, {fix.method} {fix.path}) as 'demo': zoomaudit "
        "re-reads the meeting, refuses if it changed since the plan, sends the PATCH, then reads it back "
        "to verify.",
        width=width,
    )
    with Store.from_settings(settings) as store:

        async def go() -> list[ApplyResult]:
            async with ZoomClient(settings) as client:
                return list(await approve(store, client, [fix.id], actor="demo", now=now))

        for result in asyncio.run(go()):
            lines += wrapped(
                f"result: {result.status} - {printable(result.message or '')}", indent=MORE, width=width
            )
    meeting_ids = [int(m) for m in fix.meeting_ids][:1]
    if not meeting_ids:
        return lines
    lines += wrapped(
        f"Re-auditing meeting {meeting_ids[0]} on demand (zoomaudit audit --meeting):", width=width
    )
    outcome = run_audit(
        settings,
        meetings=meeting_ids,
        user=None,
        fix_mode=None,
        dry_run=False,
        max_changes=0,
        quiet=True,
        now=now,
    )
    with Store.from_settings(settings) as store:
        report = store.load_report(outcome.run_id)
    left = sorted({f.policy_id for f in report.findings if f.status == "violation"})
    verdict = "still violated" if fix.policy_id in left else "now passes"
    lines += wrapped(
        f"run {outcome.run_id}: {fix.policy_id} {verdict}; "
        f"open on that meeting: {', '.join(left) or 'nothing'}",
        indent=MORE,
        width=width,
    )
    return lines


DEMO_LEAD = "priya.shah@brightpath.org.uk"
"""The demo organisation's safeguarding lead, to whom its digest is addressed."""


def _lead_digest(
    settings: Settings, run_id: str, workdir: Path, now: datetime | None
) -> tuple[Path, str] | None:
    """Send the run's digest, as the nightly run would, to an SMTP catcher of the demo's own on
    loopback, and keep the message beside the HTML report (``digest.eml``; ``digest.html``, its
    HTML part, opens in a browser). Nobody real is mailed. None when nothing was caught."""
    from datetime import UTC
    from datetime import datetime as clock

    from pydantic import SecretStr

    from zoomaudit.notify import events
    from zoomaudit.notify.catcher import SmtpCatcher
    from zoomaudit.notify.deliver import Notifier
    from zoomaudit.store import Store

    with SmtpCatcher() as smtp:
        mailing = settings.model_copy(
            update={
                "notify_urls": SecretStr(smtp.url(to=DEMO_LEAD, sender="zoomaudit@brightpath.org.uk")),
                "notify_hosts": False,
            }
        )
        with Store.from_settings(settings) as store:
            events.after_run(Notifier(mailing, store), run_id, now or clock.now(UTC))
        caught = smtp.wait(1, timeout=5.0)
    if not caught:
        return None
    mail = caught[0]
    path = workdir / "digest.eml"
    path.write_bytes(mail.raw)
    (workdir / "digest.html").write_text(mail.part("html"), encoding="utf-8")
    return path, str(mail.message["Subject"])


def _digest_lines(digest: tuple[Path, str] | None, width: int) -> list[str]:
    from zoomaudit.cli.demo_output import INDENT, wrapped

    if digest is None:
        return []
    path, subject = digest
    return [
        f"{INDENT}The digest {DEMO_LEAD} would get after the nightly run: {path}",
        *wrapped(
            f'("{subject}"; its HTML part: {path.with_suffix(".html")}; '
            "docs/notifications.md sets up e-mail, Slack or Teams)",
            width=width,
        ),
    ]


def _serve_console(settings: Settings, *, port: int, console: Console) -> None:
    """Serve the web console over the demo data until interrupted (the sandbox keeps running)."""
    import uvicorn

    from zoomaudit.cli.demo_output import wrapped
    from zoomaudit.service.app import create_service_app
    from zoomaudit.service.console import seed_demo_admin

    # The demo has no Zoom webhooks to receive: the endpoint being off is expected, not news.
    app = create_service_app(settings, start_scheduler=False, webhooks_expected=False)
    email, password = seed_demo_admin(settings)
    _sayer(console, first=False)(
        [
            "Web console",
            *wrapped(
                f"Open http://127.0.0.1:{port}/console/ and choose Sign in with Zoom: the sandbox "
                "asks who you are (Priya Shah, the account owner, or Tom Bennett, an admin, enter as "
                "console admins; members as viewers). Or sign in as "
                f"{email} with password {password} (a throw-away account of this demo database). "
                "Ctrl-C stops the console and the sandbox.",
                width=_width(console),
            ),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _sayer(console: Console, *, first: bool = True) -> Say:
    """Print a section: its first line as a heading (bold on a terminal, plain in a pipe), after a
    blank line unless it is the ``first`` of the output. Lines are already cut to width: Rich must
    not wrap them again."""

    def say(lines: list[str]) -> None:
        nonlocal first
        if not first:
            console.print()
        first = False
        console.print(lines[0], style="bold", soft_wrap=True)
        for line in lines[1:]:
            console.print(line, soft_wrap=True)

    return say


def _width(console: Console) -> int:
    """The demo's line width: a terminal's own when narrower than ``WIDTH``; ``WIDTH`` in a pipe,
    whose reported width (80 unless COLUMNS says otherwise) says nothing about the log keeping it."""
    from zoomaudit.cli.demo_output import WIDTH

    return min(console.width, WIDTH) if console.is_terminal else WIDTH


def _moment(text: str) -> datetime:
    """``--at``: an ISO 8601 moment; a time without a zone is UTC."""
    from datetime import UTC, datetime

    from zoomaudit.errors import UsageError

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO 8601 moment, such as 2030-01-08T12:00:00Z") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def run_demo(*, serve: bool, port: int, show_fixes: bool, now: datetime | None) -> None:
    """Start the sandbox, audit it, and print what a newcomer needs, in this order: a summary, the
    soonest unsafe sessions, how to approve (and one approval at work), where to go next.

    ``now`` replays the demo at a given moment (the organisation is built around it and every run
    and approval is stamped with it), so its output can be compared from one run to the next.
    """
    from rich.console import Console

    from zoomaudit.cli.audit import run_audit
    from zoomaudit.cli.audit_output import show_outcome
    from zoomaudit.cli.demo_output import (
        INDENT,
        Queue,
        approve_section,
        fix_queue_section,
        soon_section,
        summary_section,
        wrapped,
    )
    from zoomaudit.fixes.queue import list_fixes
    from zoomaudit.sandbox import demo_state, start_sandbox
    from zoomaudit.settings import load_settings
    from zoomaudit.store import Store

    # markup off: topics and names are Zoom users' text. No colour outside a terminal (Rich decides).
    console = Console(highlight=False, markup=False, emoji=False)
    say = _sayer(console)
    width = _width(console)
    state = demo_state(now)
    if now is not None:
        moment = now
        state.clock = lambda: moment
    workdir = Path(tempfile.mkdtemp(prefix="zoomaudit-demo-"))
    with start_sandbox(state) as sandbox:
        os.environ.update(demo_environment({**sandbox.env(), **sandbox.signin_env()}, workdir))
        settings = load_settings()
        database = settings.database_url  # always the demo's own temporary SQLite file: no password
        say(
            [
                "zoomaudit demo: Brightpath Youth & Wellbeing, a youth charity, on a built-in Zoom sandbox",
                f"{INDENT}Zoom sandbox at {sandbox.base_url}",
                # A path is never broken, nor parted from what names it, whatever the width.
                f"{INDENT}results stored in {database}",
                *wrapped(
                    "(a temporary database of this demo: ZOOMAUDIT_DATABASE_URL, ZOOMAUDIT_NOTIFY_URLS and "
                    "ZOOMAUDIT_SMTP_URL are ignored, so no real install or person is touched)",
                    width=width,
                ),
            ]
        )
        outcome = run_audit(
            settings,
            meetings=[],
            user=None,
            fix_mode=None,
            dry_run=False,
            max_changes=50,
            quiet=False,
            now=now,
        )
        html = workdir / "report.html"
        show_outcome(settings, outcome, fmt="html", output=html, include_passed=True)
        digest = _lead_digest(settings, outcome.run_id, workdir, now)
        with Store.from_settings(settings) as store:
            report = store.load_report(outcome.run_id)
            pending = list_fixes(store, statuses=["pending"])
        example = _pick_fix(pending)
        other = next((f for f in pending if example is not None and f.id != example.id), None)
        queue = Queue(pending, applied_automatically=len(outcome.applied_fix_ids))
        say(summary_section(report, queue, width=width))
        say(soon_section(report, width=width))
        say(approve_section(example, other, database, width=width))
        if example is not None:
            approving = _approve_one(settings, example, now=now, width=width)
            say(["Approving one fix, as an admin would", *approving])
        if show_fixes:
            with Store.from_settings(settings) as store:
                say(fix_queue_section(list_fixes(store, statuses=["pending"]), width=width))
        say(
            [
                "Next",
                f"{INDENT}The HTML report for a safeguarding lead: {html}",
                *_digest_lines(digest, width),
                *wrapped(
                    f"Every finding of this run: zoomaudit report {outcome.run_id} (with the database above)",
                    width=width,
                ),
                *wrapped(
                    "Against your own account (docs/usage.md): set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and "
                    "ZOOM_CLIENT_SECRET, then run zoomaudit audit.",
                    width=width,
                ),
            ]
        )
        if serve:
            _serve_console(settings, port=port, console=console)


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        serve: Annotated[
            bool, typer.Option("--serve", help="Then open the web console on the demo data.")
        ] = False,
        port: Annotated[int, typer.Option("--port", help="Console port with --serve.")] = 8080,
        show_fixes: Annotated[
            bool,
            typer.Option("--show-fixes", help="Also list every fix waiting for approval, with its request."),
        ] = False,
        at: Annotated[
            str | None,
            typer.Option(
                "--at",
                hidden=True,
                help="Replay the demo at this ISO 8601 moment (tests, documentation excerpts).",
            ),
        ] = None,
    ) -> None:
        """Audit the built-in demo organisation end to end: no Zoom account or configuration.

        Prints a summary, the soonest unsafe sessions and how to approve: plain lines for a pipe or log.
        """
        run_demo(serve=serve, port=port, show_fixes=show_fixes, now=_moment(at) if at else None)
