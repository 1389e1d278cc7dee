"""The console's URL map, and the sign-in and sign-out pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

import zoomaudit.service.console.views_audit as views_audit
import zoomaudit.service.console.views_fixes as views_fixes
import zoomaudit.service.console.views_meetings as views_meetings
import zoomaudit.service.console.views_notifications as views_notifications
import zoomaudit.service.console.views_overview as views_overview
import zoomaudit.service.console.views_upcoming as views_upcoming
import zoomaudit.service.console.views_waivers as views_waivers
from zoomaudit.service.console.accounts import LoginResult, check_login, count_admins, normalise_email
from zoomaudit.service.console.auth import PRELOGIN_COOKIE, SESSION_COOKIE, new_prelogin_nonce
from zoomaudit.service.console.web import (
    Console,
    Ctx,
    FormRefused,
    cookie_path,
    read_form,
    safe_next,
    secure_headers,
)

Endpoint = Callable[[Request], Awaitable[Response]]
WRONG_LOGIN = "Wrong e-mail or password. After several failed sign-ins, each further one must wait a while."


def build(console: Console) -> list[BaseRoute]:
    # Ids in paths are taken as text and checked by the views: Starlette's ``:int`` accepts any
    # number of digits, and an id beyond int64 (or beyond Python's 4300-digit limit) is a 500.
    v = console.view
    return [
        Route("/", v(views_overview.overview), name="overview"),
        Route("/login", _login_page(console), methods=["GET"], name="login"),
        Route("/login", _login_submit(console), methods=["POST"]),
        Route("/logout", v(_logout), methods=["POST"], name="logout"),
        Route("/upcoming", v(views_upcoming.page), name="upcoming"),
        Route("/notifications", v(views_notifications.page), name="notifications"),
        Route("/runs", v(views_overview.runs), name="runs"),
        Route("/runs/{run_id}", v(views_overview.run), name="run"),
        Route("/meetings", v(views_meetings.meetings), name="meetings"),
        Route("/meetings/{meeting_id}", v(views_meetings.meeting), name="meeting"),
        Route("/fixes", v(views_fixes.queue), name="fixes"),
        Route("/fixes/decide", v(views_fixes.decide, write=True), methods=["POST"]),
        Route("/fixes/approve-policy", v(views_fixes.approve_policy, write=True), methods=["POST"]),
        Route("/fixes/revert", v(views_fixes.revert, write=True), methods=["POST"]),
        Route("/fixes/{fix_id}", v(views_fixes.fix), name="fix"),
        Route("/trail", v(views_fixes.trail), name="trail"),
        Route("/waivers", v(views_waivers.waivers), name="waivers"),
        Route("/waivers", v(views_waivers.add, write=True), methods=["POST"]),
        Route("/waivers/{waiver_id}/remove", v(views_waivers.remove, write=True), methods=["POST"]),
        Route("/audit", v(views_audit.page), name="audit"),
        Route("/audit", v(views_audit.start, write=True), methods=["POST"]),
        Route("/jobs/{job_id}", v(views_audit.job), name="job"),
    ]


def _login_form(
    console: Console,
    request: Request,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    nonce = request.cookies.get(PRELOGIN_COOKIE) or new_prelogin_nonce()
    response = console.render(
        request,
        "login.html",
        status_code=status_code,
        admin=None,
        csrf=console.signer.csrf_token("login:" + nonce),
        error=error,
        next=safe_next(request, request.query_params.get("next")),
        local_accounts=console.settings.local_accounts,
        methods=console.sign_in_methods,
    )
    response.set_cookie(
        PRELOGIN_COOKIE,
        nonce,
        max_age=3600,
        path=cookie_path(request),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _login_page(console: Console) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if await run_in_threadpool(console.current, request) is not None:
            return RedirectResponse(safe_next(request, request.query_params.get("next")), status_code=303)

        def no_accounts() -> bool:
            return count_admins(console.store) == 0

        error = None
        if not console.settings.local_accounts and not console.sign_in_methods:
            error = (
                "No way to sign in is configured: password accounts are off "
                "(ZOOMAUDIT_LOCAL_ACCOUNTS) and no single sign-on is set up (docs/console.md)."
            )
        elif (
            console.settings.local_accounts
            and not console.sign_in_methods
            and await run_in_threadpool(no_accounts)
        ):
            error = (
                "No console accounts exist yet: create one on the server with `zoomaudit admins add EMAIL`."
            )
        return _login_form(console, request, error=error)

    return endpoint


def _login_submit(console: Console) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if not console.settings.local_accounts:
            return console.refuse(
                request, "Password sign-in is turned off on this console: use single sign-on."
            )
        try:
            form = await read_form(request)
        except FormRefused as exc:
            return console.refuse(request, exc.reason, status_code=exc.status)
        nonce = request.cookies.get(PRELOGIN_COOKIE)
        token = form.get("csrf")
        if not nonce or not isinstance(token, str) or not console.signer.check_csrf("login:" + nonce, token):
            return console.refuse(
                request, "The sign-in form's security token is missing or wrong. Reload the page."
            )
        email = str(form.get("email") or "").strip()
        password = str(form.get("password") or "")
        address = console.client_address(request)
        now = console.now()
        address_allowed = console.throttle.attempt(address, now)

        def check() -> LoginResult:
            return check_login(
                console.store,
                email,
                password,
                now=now,
                policy=console.login_policy,
                address_allowed=address_allowed,
            )

        async with console.sign_ins.hold(normalise_email(email)):
            result = await run_in_threadpool(check)
        if result.admin is None:
            # Unknown e-mail, wrong password, or a delay running: one answer for all (the page does
            # not even repeat the e-mail), so none can be told from another.
            return _login_form(console, request, status_code=401, error=WRONG_LOGIN)
        console.throttle.succeeded(address)
        target = safe_next(request, str(form.get("next") or ""))
        response = secure_headers(RedirectResponse(target, status_code=303))
        console.start_session(request, response, result.admin.id, result.generation)
        response.delete_cookie(PRELOGIN_COOKIE, path=cookie_path(request))
        return response

    return endpoint


def _logout(ctx: Ctx) -> Response:
    """Sign out: every session of the account ends (its generation is raised in the database)."""
    ctx.console.store.admins.end_sessions(ctx.admin.id)
    response = ctx.redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path=cookie_path(ctx.request), httponly=True, samesite="strict")
    return response
