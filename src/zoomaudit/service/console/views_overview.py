"""Overview, run history and one run's result page."""

from __future__ import annotations

from starlette.responses import Response

import zoomaudit.service.console.data as data
from zoomaudit.errors import UsageError
from zoomaudit.findings import SEVERITY_RANK
from zoomaudit.service.console.chart import trend_svg
from zoomaudit.service.console.sessions import WINDOW, starting_soon
from zoomaudit.service.console.web import Ctx


def overview(ctx: Ctx) -> Response:
    store = ctx.console.store
    view = data.overview(store, ctx.accounts)
    return ctx.render(
        "overview.html",
        nav="overview",
        view=view,
        chart=trend_svg(view.trend) if len(view.trend) > 1 else None,
        soon=starting_soon(store, ctx.console.now(), ctx.accounts),
        window_days=WINDOW.days,
        titles={pid: title for pid, title, _ in view.by_policy if title},
    )


def runs(ctx: Ctx) -> Response:
    runs = ctx.console.store.list_runs(200, include_abandoned=True, accounts=ctx.accounts)
    return ctx.render("runs.html", nav="runs", runs=runs)


def run(ctx: Ctx) -> Response:
    store = ctx.console.store
    run_id = str(ctx.request.path_params["run_id"])
    try:
        report = store.load_report(run_id)
    except UsageError as exc:
        return ctx.render("missing.html", status_code=404, nav="runs", what=str(exc))
    if not ctx.may_see(report.run.account):
        # Said exactly as for a run that does not exist: another account's runs are not told of.
        return ctx.render("missing.html", status_code=404, nav="runs", what=f"no run with id {run_id!r}")
    findings = sorted(
        report.findings,
        key=lambda f: (
            f.status != "violation",
            SEVERITY_RANK.get(f.severity, 9),
            f.meeting_id or 0,
            f.policy_id,
        ),
    )
    return ctx.render("run.html", nav="runs", report=report, findings=findings)
