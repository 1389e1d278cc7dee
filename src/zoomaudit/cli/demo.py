"""`zoomaudit demo`: the whole job against the built-in sandbox, with no configuration.

It starts the sandbox (the demo organisation) on a free loopback port, audits it with the
bundled policies, shows the report and the suggested fixes, approves one fix to show the safety
checks at work, re-audits that meeting, and (with ``--serve``) opens the web console.
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
    from rich.console import Console

    from zoomaudit.fixes.queue import FixRecord
    from zoomaudit.fixes.steps import ApplyResult
    from zoomaudit.settings import Settings

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
    }


def _approve_one(settings: Settings, console: Console) -> None:

    from rich.markup import escape

    from zoomaudit.cli.audit import run_audit
    from zoomaudit.fixes.apply import approve
    from zoomaudit.fixes.queue import list_fixes
    from zoomaudit.store import Store
    from zoomaudit.zoom.client import ZoomClient

    store = Store.from_settings(settings)
    try:
        fix = _pick_fix(list_fixes(store, statuses=["pending"]))
        if fix is None:
            console.print("No pending fix to approve.")
            return
        console.print(
            f"Approving [bold]{fix.id}[/] ({fix.policy_id}, {fix.method} {fix.path}) "
            "as 'demo': zoomaudit re-reads the meeting, refuses if it changed since the plan, sends "
            "the PATCH, then reads it back to verify."
        )

        async def go() -> list[ApplyResult]:
            async with ZoomClient(settings) as client:
                return list(await approve(store, client, [fix.id], actor="demo"))

        for result in asyncio.run(go()):
            console.print(f"  result: [bold]{result.status}[/] - {escape(result.message)}")
    finally:
        store.close()
    meeting_ids = [int(m) for m in fix.meeting_ids][:1]
    if meeting_ids:
        console.print(f"\nRe-auditing meeting {meeting_ids[0]} on demand (zoomaudit audit --meeting):")
        outcome = run_audit(
            settings,
            meetings=meeting_ids,
            user=None,
            fix_mode=None,
            dry_run=False,
            max_changes=0,
            quiet=True,
        )
        store = Store.from_settings(settings)
        try:
            report = store.load_report(outcome.run_id)
        finally:
            store.close()
        left = sorted({f.policy_id for f in report.findings if f.status == "violation"})
        verdict = "still violated" if fix.policy_id in left else "now passes"
        console.print(
            f"  run {outcome.run_id}: {fix.policy_id} {verdict}; "
            f"open on that meeting: {', '.join(left) or 'nothing'}"
        )


def _serve_console(settings: Settings, *, port: int, console: Console) -> None:
    """Serve the web console over the demo data until interrupted (the sandbox keeps running)."""
    import uvicorn

    from zoomaudit.service.app import create_service_app
    from zoomaudit.service.console import seed_demo_admin

    # The demo has no Zoom webhooks to receive: the endpoint being off is expected, not news.
    app = create_service_app(settings, start_scheduler=False, webhooks_expected=False)
    email, password = seed_demo_admin(settings)
    console.rule("[bold]Web console")
    console.print(
        f"Open http://127.0.0.1:{port}/console/ and sign in as {email} with password {password}\n"
        "(a throw-away account of this demo database). Ctrl-C stops the console and the sandbox."
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        serve: Annotated[
            bool, typer.Option("--serve", help="Then open the web console on the demo data.")
        ] = False,
        port: Annotated[int, typer.Option("--port", help="Console port with --serve.")] = 8080,
    ) -> None:
        """Audit the built-in demo organisation end to end: no Zoom account or configuration."""
        from rich.console import Console

        from zoomaudit.cli.audit import run_audit, show_outcome
        from zoomaudit.cli.fixes import list_command
        from zoomaudit.sandbox import start_sandbox
        from zoomaudit.settings import load_settings

        console = Console()
        workdir = Path(tempfile.mkdtemp(prefix="zoomaudit-demo-"))
        with start_sandbox() as sandbox:
            os.environ.update(demo_environment(sandbox.env(), workdir))
            settings = load_settings()
            console.rule("[bold]1. Audit of the demo organisation (Brightpath, a youth charity)")
            console.print(f"Zoom sandbox at {sandbox.base_url}; results stored in {settings.database_url}")
            console.print(
                "(a temporary database of this demo: ZOOMAUDIT_DATABASE_URL, ZOOMAUDIT_NOTIFY_URLS and "
                "ZOOMAUDIT_SMTP_URL are ignored, so no real install or person is touched)\n"
            )
            outcome = run_audit(
                settings,
                meetings=[],
                user=None,
                fix_mode=None,
                dry_run=False,
                max_changes=50,
                quiet=False,
            )
            show_outcome(settings, outcome, fmt="table", output=None, include_passed=False)
            html = workdir / "report.html"
            show_outcome(settings, outcome, fmt="html", output=html, include_passed=True)
            console.rule("[bold]2. Suggested fixes waiting for an admin")
            list_command(status=["pending"], policy=None, fmt="table")
            console.rule("[bold]3. Approving one fix")
            _approve_one(settings, console)
            console.rule("[bold]Next")
            console.print(
                f"The HTML report for a safeguarding lead: {html}\n"
                "Against your own account (docs/usage.md): set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and "
                "ZOOM_CLIENT_SECRET, then\n"
                "  zoomaudit audit                      # whole account\n"
                "  zoomaudit fixes list                 # the approval queue\n"
                "  zoomaudit fixes approve FIX_ID --by 'Your Name'\n"
                "  zoomaudit fixes reject FIX_ID --by 'Your Name' --reason '...'\n"
                "  zoomaudit waivers add --policy waiting-room --meeting ID --reason '...' --by 'Your Name'"
            )
            if serve:
                _serve_console(settings, port=port, console=console)
