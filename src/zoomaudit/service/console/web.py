"""The console's request plumbing: ``Console`` (its state and the ``view`` wrapper), ``Ctx`` (what a
page handler gets), and reading a small form safely. ``app.create_console_app`` wires it to the
routes; the routes and the views import it (and never ``app``, which imports them).

Every page goes through ``Console.view``: it loads the signed session, checks the CSRF token of every
POST (403 without a valid one), refuses writes to viewers (403), and runs the synchronous database
work of the page in a worker thread so the event loop (scheduler, webhooks) never waits on it.

A POST body is read only after the session is known, and only as a small URL-encoded form
(``read_form``): the console's forms are a few fields, and a body read for an anonymous caller,
or a multipart upload spooled to disk, would let anyone on the network fill memory or disk.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

import zoomaudit.service.console.filters as filters
from zoomaudit.service.console.accounts import AdminInfo, get_admin
from zoomaudit.service.console.auth import SESSION_COOKIE, SSO_MARKER, OneAtATime, Session, Signer
from zoomaudit.service.console.jobs import Job
from zoomaudit.service.console.network import client_address
from zoomaudit.service.console.throttle import AddressThrottle, LoginPolicy
from zoomaudit.settings import Settings
from zoomaudit.vocabulary import DEFAULT_ACCOUNT, is_account_name

log = logging.getLogger("zoomaudit.console")

Clock = Callable[[], datetime]
R = TypeVar("R", bound=Response)
MAX_FORM_BYTES = 64 * 1024
"""The largest form body the console reads (its forms are a few short fields and a note)."""
MAX_FORM_FIELDS = 4000
"""Enough for bulk approval of a whole policy page (one ``fix_id`` field per plan shown)."""
FORM_TYPE = "application/x-www-form-urlencoded"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@dataclass
class Ctx:
    """What a page handler gets: the request, the signed-in account, and the form of a POST."""

    request: Request
    console: Console
    admin: AdminInfo
    session: Session
    form: FormData | None = None

    @property
    def base(self) -> str:
        return str(self.request.scope.get("root_path", ""))

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str) and v.strip()]

    @property
    def chosen_account(self) -> str:
        """The account picked with the ``account`` query parameter ("" for none, or a malformed one)."""
        chosen = self.request.query_params.get("account", "").strip()
        return chosen if is_account_name(chosen) else ""

    @property
    def accounts(self) -> tuple[str, ...] | None:
        """The accounts a page shows (the store's ``accounts`` filter; None: every account).

        The ``account`` query parameter picks one, within what the admin may see: an admin limited
        to some accounts who names another gets an empty page, never that account's data."""
        chosen = self.chosen_account
        if chosen:
            return (chosen,) if self.admin.may_see(chosen) else ()
        return self.admin.allowed_accounts

    def may_see(self, account: str) -> bool:
        """Whether the signed-in admin may see (and, as an admin, act on) things of ``account``."""
        return self.admin.may_see(account)

    def may_see_job(self, job: Job) -> bool:
        """Whether the signed-in admin may see a console job (every account it touches)."""
        return job.visible_to(self.admin.may_see, unlimited=self.admin.allowed_accounts is None)

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        # The account select is shown only when the admin can see more than one account with runs.
        choices = [a for a in self.console.store.known_accounts() if self.admin.may_see(a)]
        return self.console.render(
            self.request,
            template,
            status_code=status_code,
            admin=self.admin,
            csrf=self.console.signer.csrf_token(self.session.session_id),
            account_choices=choices if len(choices) > 1 else [],
            account=self.chosen_account,
            **values,
        )

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(self.base + path, status_code=303)


Handler = Callable[[Ctx], Response | Awaitable[Response]]


class Console:
    """The console's state: store, actions, signer, sign-in delays, audit jobs, templates."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: Any,
        actions: Any,
        clock: Clock,
        secret: bytes,
        login_policy: LoginPolicy,
    ) -> None:
        from zoomaudit.service.console.jobs import Jobs

        self.settings = settings
        self._store = store
        self.actions = actions
        self.clock = clock
        self.signer = Signer(secret, idle=timedelta(minutes=settings.session_idle))
        self.login_policy = login_policy
        self.throttle = AddressThrottle(login_policy.address)
        self.sign_ins = OneAtATime()
        self.jobs = Jobs(actions, clock)
        self.sign_in_methods: list[tuple[str, str]] = []
        """The single sign-on methods offered, as (path name, button text) (``signin.py``)."""
        self.audit_accounts: tuple[str, ...] = (DEFAULT_ACCOUNT,)
        """The accounts "Audit now" can audit: the service's, in the accounts file's order."""
        self.env = Environment(
            loader=PackageLoader("zoomaudit.service.console", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            # Every text a page shows passes the one sanitiser (zoomaudit.safe_text): topics and
            # names are Zoom users' text, and a bidi control would reorder what an admin reads.
            finalize=filters.sanitised,
        )
        filters.install(self.env, settings.timezone)

    @property
    def store(self) -> Any:
        """The store (given, or a function giving it: the service opens its store at start-up)."""
        return self._store() if callable(self._store) else self._store

    def now(self) -> datetime:
        return self.clock()

    def client_address(self, request: Request) -> str:
        """The client's address (``X-Forwarded-For`` believed only from ``ZOOMAUDIT_TRUSTED_PROXIES``)."""
        peer = request.client.host if request.client else None
        forwarded = request.headers.get("x-forwarded-for")
        return client_address(peer, forwarded, self.settings.trusted_proxy_networks)

    def render(
        self, request: Request, template: str, *, status_code: int = 200, **values: Any
    ) -> HTMLResponse:
        base = str(request.scope.get("root_path", ""))
        html = self.env.get_template(template).render(base=base, path=request.url.path, **values)
        return secure_headers(HTMLResponse(html, status_code=status_code))

    # sessions ---------------------------------------------------------------------------------------
    def current(self, request: Request) -> tuple[AdminInfo, Session] | None:
        """The signed-in account of a request (runs database work: call it in a thread).

        None when the cookie is missing, forged, expired or idle too long, or when the admin signed
        out, got a new password or was removed since (the session generation in the database).
        """
        from zoomaudit.service.console.accounts import _info

        session = self.signer.load_session(request.cookies.get(SESSION_COOKIE), self.now())
        if session is None:
            return None
        row = get_admin(self.store, session.admin_id)
        if row is None or row.session_generation != session.generation:
            return None
        if not self.settings.local_accounts and row.password_hash != SSO_MARKER:
            return None  # password accounts are turned off: their sessions end too
        return _info(row), session

    def start_session(self, request: Request, response: Response, admin_id: int, generation: int) -> None:
        self.set_session_cookie(request, response, self.signer.new_session(admin_id, generation, self.now()))

    def set_session_cookie(self, request: Request, response: Response, session: Session) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self.signer.dump_session(session),
            max_age=max(0, session.expires_at - int(self.now().timestamp())),
            path=cookie_path(request),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    # the wrapper every page goes through ------------------------------------------------------------
    def view(self, handler: Handler, *, write: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """An endpoint: authenticate, check CSRF (POST) and the role (writes), then call ``handler``."""

        async def endpoint(request: Request) -> Response:
            found = await run_in_threadpool(self.current, request)
            if request.method == "POST":
                if found is None:
                    return self.refuse(request, "You are not signed in (or your session has ended).")
                admin, session = found
                try:
                    form = await read_form(request)
                except FormRefused as exc:
                    return self.refuse(request, exc.reason, status_code=exc.status)
                if not self.signer.check_csrf(session.session_id, _text(form.get("csrf"))):
                    return self.refuse(
                        request,
                        "The form's security token is missing or wrong. Reload the page and try again.",
                    )
            else:
                form = None
                if found is None:
                    base = str(request.scope.get("root_path", ""))
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"{base}/login?next={quote(target)}", status_code=303)
                admin, session = found
            if write and not admin.can_approve:
                return self.refuse(request, "Your account can read the console but not change anything.")
            ctx = Ctx(request, self, admin, session, form)
            if inspect.iscoroutinefunction(handler):
                result: Response = await handler(ctx)
            else:
                produced = await run_in_threadpool(handler, ctx)
                result = await produced if inspect.isawaitable(produced) else produced
            return self._keep_alive(request, result, session)

        return endpoint

    def _keep_alive(self, request: Request, response: Response, session: Session) -> Response:
        """Renew the cookie with this request as the session's last activity (unless the handler
        set or deleted it, as signing out does)."""
        cookies = response.headers.getlist("set-cookie")
        if not any(cookie.startswith(SESSION_COOKIE + "=") for cookie in cookies):
            self.set_session_cookie(request, response, self.signer.touch(session, self.now()))
        return response

    def refuse(self, request: Request, reason: str, *, status_code: int = 403) -> Response:
        return self.render(request, "forbidden.html", status_code=status_code, reason=reason, admin=None)


class FormRefused(Exception):
    """A POST body that is not a small URL-encoded form; ``status`` is the HTTP answer."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


async def read_form(request: Request, limit: int = MAX_FORM_BYTES) -> FormData:
    """The URL-encoded form of a POST, read to at most ``limit`` bytes (``FormRefused`` otherwise)."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != FORM_TYPE:
        raise FormRefused("The console accepts only its own forms.", 415)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FormRefused("The form is too large.", 413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise FormRefused("The form is too large.", 413)
    try:
        parsed = parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        raise FormRefused("The form has too many fields.", 413) from None
    pairs: list[tuple[str, str | UploadFile]] = [(name, value) for name, value in parsed]
    return FormData(pairs)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def safe_next(request: Request, target: str | None) -> str:
    """Where to go after signing in: only a path inside the console, never another site."""
    base = str(request.scope.get("root_path", ""))
    if target and target.startswith(base + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return base + "/"


def cookie_path(request: Request) -> str:
    return str(request.scope.get("root_path", "")) or "/"


def secure_headers(response: R) -> R:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response
