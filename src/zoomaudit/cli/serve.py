"""`zoomaudit serve` and `zoomaudit schedule show|run-now`."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import typer

from zoomaudit.errors import UsageError

if TYPE_CHECKING:
    from rich.table import Table

    from zoomaudit.account_settings import AccountBook
    from zoomaudit.service.scheduler import JobInfo
    from zoomaudit.settings import Settings

# Libraries that log every request or migration step at INFO: quiet unless the level is DEBUG.
CHATTY_LOGGERS = ("httpx2", "httpcore2", "alembic")


def configure_logging(level: str, *, timestamps: bool = True) -> None:
    """The one logging set-up of the long-running commands (``serve``, ``schedule run-now``)."""
    import logging

    stamp = "%(asctime)s " if timestamps else ""
    logging.basicConfig(level=level, format=stamp + "%(levelname)s %(name)s: %(message)s")
    quiet = logging.NOTSET if level.upper() == "DEBUG" else logging.WARNING
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)


class Role(StrEnum):
    """What one ``zoomaudit serve`` process does."""

    ALL = "all"
    """The single process: web, scheduler and audits in one (today's default)."""
    WEB = "web"
    """Webhooks, /healthz and the console; audits are put on the queue."""
    SCHEDULER = "scheduler"
    """APScheduler's clock: puts the nightly audits and the checks on the queue (one active)."""
    WORKER = "worker"
    """Runs jobs from the queue, as ``zoomaudit worker``."""


def check_role(role: Role, database_url: str, command: str | None = None) -> None:
    """A UsageError (exit 2) for a role of several processes on a database that is not PostgreSQL."""
    from zoomaudit.store.engine import shown_url
    from zoomaudit.store.queue_db import is_postgresql

    if role is not Role.ALL and not is_postgresql(database_url):
        raise UsageError(
            f"{command or f'--role {role.value}'} needs the work queue, which needs PostgreSQL, but "
            f"ZOOMAUDIT_DATABASE_URL is {shown_url(database_url)}: with SQLite run the single process "
            "(`zoomaudit serve`, --role all), or point ZOOMAUDIT_DATABASE_URL at PostgreSQL "
            "(docs/operations.md, 'Several workers')"
        )


def install_accounts(settings: Settings) -> AccountBook:
    """The install's accounts (the accounts file when ``ZOOMAUDIT_ACCOUNTS`` is set, else the one
    account ``default``); a bad file is an AccountsError (exit 2, every problem located)."""
    from zoomaudit.account_settings import AccountBook

    return AccountBook.of(settings)


def say_account_warnings(book: AccountBook) -> None:
    """Log the accounts file's warnings (e.g. ``ZOOM_*`` set beside it, and so ignored)."""
    import logging

    for warning in book.accounts.warnings:
        logging.getLogger("zoomaudit.serve").warning("%s", warning)


def service_accounts(book: AccountBook) -> dict[str, Settings] | None:
    """Every account's Settings for ``serve`` (None without an accounts file: the one account of
    the ``ZOOM_*`` settings). Each account's schedule and notification targets are checked here,
    so a bad one is exit 2 naming the account before anything starts; so is a credential that
    cannot be read (the service would otherwise audit, every night, an account it cannot)."""
    from zoomaudit.notify.channels import check_channels
    from zoomaudit.service.scheduler import nightly_trigger

    if not book.from_file:
        return None
    accounts = book.every_settings()
    for name, settings in accounts.items():
        nightly_trigger(settings, name)
        check_channels(settings)
    return accounts


def run_worker_process(concurrency: int) -> None:
    """Run a worker until SIGTERM or SIGINT (the running jobs finish first)."""
    import asyncio

    from zoomaudit.queue.app import load_timings
    from zoomaudit.queue.worker import run_worker
    from zoomaudit.settings import load_settings

    settings = load_settings()
    check_role(Role.WORKER, settings.database_url, "a worker")
    timings = load_timings()
    book = install_accounts(settings)  # a bad accounts file: exit 2 before the worker starts
    configure_logging(settings.log_level)
    say_account_warnings(book)
    # Each account's Settings are resolved when its first job comes: a job of an account whose
    # credentials are missing fails (exit 2 in its error), the other accounts' jobs run.
    asyncio.run(
        run_worker(
            settings,
            concurrency=concurrency,
            timings=timings,
            settings_for=book.settings_for,
            several=len(book.names) > 1,
        )
    )


ROLE_OPTION = typer.Option(
    Role.ALL,
    "--role",
    help="all: the single process. With PostgreSQL, one process per role: web (webhooks, "
    "console), scheduler (one active; queues the jobs), worker (runs them).",
)

schedule_app = typer.Typer(
    name="schedule",
    help="The service's scheduled jobs (nightly audit, deferred fixes, pre-session checks).",
    no_args_is_help=True,
)


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default ZOOMAUDIT_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to bind (default ZOOMAUDIT_PORT, 8080)."),
    ssl_certfile: str | None = typer.Option(None, help="Serve HTTPS with this certificate (PEM)."),
    ssl_keyfile: str | None = typer.Option(None, help="The certificate's private key (PEM)."),
    insecure_http: bool = typer.Option(
        False,
        "--insecure-http",
        help="Allow plain HTTP on a non-loopback address (sign-ins cross in clear).",
    ),
    role: Role = ROLE_OPTION,
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=64, help="Jobs at once (--role worker)."),
) -> None:
    """Run the service: nightly audits, Zoom webhooks, /healthz (and the web console)."""
    import logging

    import uvicorn

    from zoomaudit.service.app import create_service_app
    from zoomaudit.service.scheduler import nightly_trigger
    from zoomaudit.settings import load_settings

    settings = load_settings()
    check_role(role, settings.database_url)
    if role is Role.WORKER:
        run_worker_process(concurrency)
        return
    bind = host or settings.serve_host
    # Refused before anything starts: a console on a public interface without TLS sends every
    # password and session cookie in clear.
    warning = plain_http_problem(bind, tls=tls_given(ssl_certfile, ssl_keyfile), insecure_http=insecure_http)
    # A bad ZOOMAUDIT_SCHEDULE or ZOOMAUDIT_TIMEZONE is a ConfigError (exit 2) here, not a
    # traceback inside uvicorn's start-up.
    nightly_trigger(settings)
    # A malformed apprise URL is refused here too (exit 2, naming the variable, never the URL).
    from zoomaudit.notify.channels import check_channels

    check_channels(settings)
    # With ZOOMAUDIT_ACCOUNTS, the file's accounts (never the ZOOM_* single account): each on
    # its own schedule, lane, notification targets and webhook secret.
    book = install_accounts(settings)
    accounts = service_accounts(book)
    configure_logging(settings.log_level)
    say_account_warnings(book)
    if accounts is not None:
        logging.getLogger("zoomaudit.serve").info(
            "%d accounts from %s: %s", len(accounts), book.accounts.file, ", ".join(accounts)
        )
    if role is Role.SCHEDULER:
        import asyncio

        from zoomaudit.queue.app import load_timings
        from zoomaudit.service.leader import run_scheduler_role

        load_timings()  # a bad timing is a ConfigError (exit 2) before anything starts
        asyncio.run(run_scheduler_role(settings, accounts=accounts))
        return
    if warning:
        logging.getLogger("zoomaudit.serve").warning("%s", warning)
    web = role is Role.WEB
    app = create_service_app(settings, start_scheduler=not web, queue_mode=web, accounts=accounts)
    uvicorn.run(
        app,
        host=bind,
        port=port or settings.serve_port,
        log_level=settings.log_level.lower(),
        lifespan="on",
        proxy_headers=True,
        # X-Forwarded-For and X-Forwarded-Proto are believed only from ZOOMAUDIT_TRUSTED_PROXIES.
        forwarded_allow_ips=[str(network) for network in settings.trusted_proxy_networks],
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        timeout_graceful_shutdown=5,
    )


def tls_given(certfile: str | None, keyfile: str | None) -> bool:
    """Whether HTTPS is configured; a certificate without its key (or the reverse) is a UsageError."""
    from zoomaudit.errors import UsageError

    if bool(certfile) != bool(keyfile):
        raise UsageError("give both --ssl-certfile and --ssl-keyfile to serve HTTPS")
    return bool(certfile)


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[] ")).is_loopback
    except ValueError:
        return False


def plain_http_problem(host: str, *, tls: bool, insecure_http: bool) -> str | None:
    """Refuse (UsageError) plain HTTP on a non-loopback address unless ``insecure_http``; then the
    warning to log. None when the bind is safe (loopback, or TLS)."""
    from zoomaudit.errors import UsageError

    if tls or is_loopback(host):
        return None
    risk = (
        f"plain HTTP on {host}, which is not a loopback address: console passwords and session "
        "cookies would cross the network in clear"
    )
    if not insecure_http:
        raise UsageError(
            f"refusing to serve {risk}. Bind to 127.0.0.1 behind a reverse proxy that serves HTTPS "
            "(docs/operations.md), give --ssl-certfile and --ssl-keyfile, or pass --insecure-http "
            "to accept the risk"
        )
    return f"serving {risk} (--insecure-http given)"


@schedule_app.command("show")
def schedule_show() -> None:
    """Print the stored jobs and their next run times (reads the database; no service needed)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from zoomaudit.service.scheduler import describe_trigger, job_specs, stored_jobs
    from zoomaudit.settings import load_settings

    settings = load_settings()
    # With an accounts file, each account's nightly audit on its own schedule (as serve has them).
    specs = {spec.id: spec for spec in job_specs(settings, service_accounts(install_accounts(settings)))}
    zone = ZoneInfo(settings.timezone)  # valid: job_specs checked it
    console = Console(highlight=False)
    jobs = stored_jobs(settings.database_url)
    if jobs is None:
        console.print("No jobs stored yet: `zoomaudit serve` has not run on this database. Configured:")
        now = datetime.now(zone)
        for spec in specs.values():
            upcoming = spec.trigger.get_next_fire_time(None, now)
            console.print(
                f"  {spec.id}: {escape(describe_trigger(spec.trigger))}, "
                f"would next run {upcoming:%Y-%m-%d %H:%M %Z}"
            )
        return
    columns = ["job", "schedule", f"next run ({settings.timezone})"]
    if settings.timezone != "UTC":
        columns.append("next run (UTC)")
    from zoomaudit.service.presession import JOB_PREFIX

    checks = [job for job in jobs if job.id.startswith(JOB_PREFIX)]
    jobs = [job for job in jobs if not job.id.startswith(JOB_PREFIX)]
    table = Table(*columns)
    for job in jobs:
        when = job.next_run_time
        row = [
            job.name,
            escape(job.trigger),
            f"{when.astimezone(zone):%Y-%m-%d %H:%M %Z}" if when else "paused",
        ]
        if settings.timezone != "UTC":
            row.append(f"{when.astimezone(UTC):%Y-%m-%d %H:%M}" if when else "-")
        table.add_row(*row)
    console.print(table)
    for job in jobs:
        configured = specs.get(job.id)
        if configured is not None and job.trigger != describe_trigger(configured.trigger):
            console.print(
                f"[yellow]{job.id}: the stored schedule differs from the configured "
                f"{escape(describe_trigger(configured.trigger))}; "
                "it is applied at the next `zoomaudit serve` start.[/]"
            )
    console.print(pre_session_table(checks, settings))


def pre_session_table(checks: list[JobInfo], settings: Settings) -> Table | str:
    """The planned pre-session checks: meeting, occurrence, the session's start on the meeting's
    own clock, and when the check runs (in ``ZOOMAUDIT_TIMEZONE``)."""
    from rich.table import Table

    from zoomaudit.report.common import printable, when_text
    from zoomaudit.service.presession import PlannedCheck
    from zoomaudit.vocabulary import DEFAULT_ACCOUNT

    if not settings.pre_session_leads:
        return "Pre-session checks are off (ZOOMAUDIT_PRE_SESSION=off)."
    if not checks:
        return (
            f"No pre-session check planned (ZOOMAUDIT_PRE_SESSION={settings.pre_session}): no session "
            "known to start in the next 36 hours; they are planned from the stored runs."
        )
    found = [
        (job, PlannedCheck.from_args(job.args, job.next_run_time) if job.next_run_time else None)
        for job in checks
    ]
    # The account column only when a check is of an account of an accounts file.
    several = any(check is not None and check.account != DEFAULT_ACCOUNT for _, check in found)
    table = Table(
        *(("account",) if several else ()),
        "meeting",
        "occurrence",
        "session starts",
        "minutes before",
        f"check runs ({settings.timezone})",
        title=f"Pre-session checks (ZOOMAUDIT_PRE_SESSION={settings.pre_session})",
    )
    for job, check in found:
        if check is None:
            table.add_row(*(("-",) if several else ()), printable(job.id), "-", "-", "-", "paused")
            continue
        table.add_row(
            *((check.account,) if several else ()),
            str(check.meeting_id),
            printable(check.occurrence_id or "-"),
            when_text(check.start_time, check.timezone),
            str(check.lead),
            when_text(check.due, settings.timezone),
        )
    return table


@schedule_app.command("run-now")
def schedule_run_now(
    account: str | None = typer.Option(None, "--account", help="The account of the accounts file to audit."),
    all_accounts: bool = typer.Option(False, "--all-accounts", help="Every account of the accounts file."),
) -> None:
    """Run the nightly audit once now, in the foreground, and print the run id.

    With an accounts file, of the account given (or of each, one after the other); the exit code
    is the highest of the accounts'."""
    import asyncio

    from zoomaudit.errors import EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATIONS, ZoomAuditError
    from zoomaudit.safe_text import printable
    from zoomaudit.service.context import LoggingObserver, run_nightly
    from zoomaudit.service.wiring import real_runner
    from zoomaudit.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level, timestamps=False)
    book = install_accounts(settings)
    say_account_warnings(book)
    chosen = book.accounts.select(account, every=all_accounts)
    if not book.from_file:
        settings.require_credentials()
    codes: list[int] = []
    for each in chosen:
        prefix = f"{each.name}: " if book.from_file else ""
        try:
            account_settings = book.settings_for(each.name)
            account_settings.require_credentials()
            outcome = asyncio.run(
                run_nightly(
                    account_settings,
                    real_runner(),
                    observer=LoggingObserver(f"{prefix}nightly audit"),
                    account=each.name if book.from_file else None,
                )
            )
        except ZoomAuditError as exc:
            if not book.from_file:
                raise
            typer.echo(f"{prefix}error: {printable(str(exc))} (exit {exc.exit_code})", err=True)
            codes.append(exc.exit_code)
            continue
        violations = outcome.counts.get("violations", 0)
        state = "complete" if outcome.complete else "incomplete"
        typer.echo(f"{prefix}run {outcome.run_id} ({state}, {violations} violation(s))")
        codes.append(EXIT_INCOMPLETE if not outcome.complete else EXIT_VIOLATIONS if violations else EXIT_OK)
    raise typer.Exit(max(codes, default=EXIT_OK))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("serve")(serve)
    app.add_typer(schedule_app)
