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
    view = data.overview(store)
    return ctx.render(
        "overview.html",
        nav="overview",
        view=view,
        chart=trend_svg(view.trend) if len(view.trend) > 1 else None,
        soon=starting_soon(store, ctx.console.now()),
        window_days=WINDOW.days,
        titles={pid: title for pid, title, _ in view.by_policy if title},
    )


def runs(ctx: Ctx) -> Response:
    return ctx.render("runs.html", nav="runs", runs=ctx.console.store.list_runs(200, include_abandoned=True))


def run(ctx: Ctx) -> Response:
    store = ctx.console.store
    try:
        report = store.load_report(str(ctx.request.path_params["run_id"]))
    except UsageError as exc:
        return ctx.render("missing.html", status_code=404, nav="runs", what=str(exc))
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
