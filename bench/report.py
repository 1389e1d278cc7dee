"""The benchmark's figures against their targets (issues 9 and 17), as a Markdown table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.accounts import rows as accounts_rows
from bench.rejudge import rows as rejudge_rows

BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def _row(figure: str, target: str, measured: str, met: bool | None) -> str:
    verdict = {True: "yes", False: "**no**", None: "-"}[met]
    return f"| {figure} | {target} | {measured} | {verdict} |"


def _window(audit: dict[str, Any]) -> str:
    """How the sandbox counted: ``sliding window, 50 +- 10 ms``."""
    jitter = audit.get("jitter_ms")
    return f"{audit.get('rate_window', 'fixed')} window" + (f", +- {jitter:g} ms" if jitter else "")


def _busiest(audit: dict[str, Any]) -> str:
    """The most accepted arrivals in any one-second span, per category, against the plan's limit."""
    spans = audit.get("busiest_span_accepted") or {}
    rates = audit["bound"]["rates"]
    shown = ", ".join(
        f"{category} {count}/{rates[category]:g}"
        for category, count in sorted(spans.items())
        if category in rates
    )
    return f"busiest 1-s span {shown}" if shown else "busiest 1-s span not recorded"


def targets(results: dict[str, Any]) -> list[str]:
    """Table rows: figure, target, measured, met."""
    rows = ["| Figure | Target | Measured | Met |", "|---|---|---|---|"]
    full = results.get("audit_share_1")
    if full:
        b = full["bound"]
        rows.append(
            _row(
                f"whole-account audit, share 1.0 ({full['account']['meetings']:,} meetings), {_window(full)}",
                "ratio <= 1.05 and 0 x 429",
                f"{full['wall_s']:.1f} s / bound {b['total_s']:.1f} s = **{full['ratio']:.3f}**"
                f" ({full['rate_limited']} x 429); {_busiest(full)}",
                full["ratio"] <= 1.05 and full["rate_limited"] == 0,
            )
        )
    half = results.get("audit_share_half")
    if half:
        b = half["bound"]
        rows.append(
            _row(
                f"whole-account audit, share {half['share']} (default), {_window(half)}",
                "0 x 429",
                f"{half['rate_limited']} x 429; {half['wall_s']:.1f} s / bound {b['total_s']:.1f} s"
                f" = {half['ratio']:.3f}; {_busiest(half)}",
                half["rate_limited"] == 0,
            )
        )
    fixed = results.get("audit_fixed_share_1")
    if fixed:
        b = fixed["bound"]
        rows.append(
            _row(
                f"whole-account audit, share 1.0, {_window(fixed)} (for comparison)",
                "-",
                f"{fixed['wall_s']:.1f} s / bound {b['total_s']:.1f} s = {fixed['ratio']:.3f}"
                f" ({fixed['rate_limited']} x 429); {_busiest(fixed)}",
                None,
            )
        )
    firsts = [a for a in (full, half, fixed) if a and a.get("first_request_s") is not None]
    if firsts:
        worst = max(a["first_request_s"] for a in firsts)
        rows.append(
            _row(
                "first request to Zoom after the process starts (`zoomaudit audit`)",
                "< 0.3 s",
                ", ".join(f"{a['first_request_s']:.2f} s" for a in firsts)
                + " (the whole-account audits above, in order)",
                worst < 0.3,
            )
        )
    if full:
        rows.append(
            _row(
                f"peak RSS, {full['account']['meetings']:,} meetings",
                "< 150 MB",
                f"{full['peak_rss_mb']:.0f} MB (until the last request:"
                f" {full.get('peak_rss_until_last_request_mb') or 0:.0f} MB)",
                full["peak_rss_mb"] < 150,
            )
        )
    growth = results.get("memory_growth")
    if growth:
        rows.append(
            _row(
                f"peak RSS growth {growth['small_meetings']:,} -> {growth['large_meetings']:,} meetings",
                "sub-linear",
                f"{growth['small_rss_mb']:.0f} -> {growth['large_rss_mb']:.0f} MB"
                f" (x{growth['rss_factor']:.2f} for x{growth['meetings_factor']:.1f} meetings;"
                f" until the last request {growth.get('small_rss_until_last_request_mb') or 0:.0f}"
                f" -> {growth.get('large_rss_until_last_request_mb') or 0:.0f} MB)",
                growth["sub_linear"],
            )
        )
    ev = results.get("evaluation")
    if ev:
        rows.append(
            _row(
                f"evaluation, {ev['meetings']:,} meetings x {ev['policies_enabled']} policies",
                ">= 300,000 checks/s",
                f"{ev['checks_per_s']:,.0f} checks/s ({ev['checks']:,} checks in {ev['best_s']:.2f} s)",
                ev["checks_per_s"] >= 300_000,
            )
        )
    single = results.get("single_meeting")
    if single:
        rows.append(
            _row(
                "single-meeting audit (whole process)",
                "< 1.5 s",
                f"median {single['median_s']:.2f} s of {len(single['runs_s'])} on an existing database"
                + (
                    f" ({single['fresh_database_median_s']:.2f} s on a fresh one)"
                    if "fresh_database_median_s" in single
                    else ""
                ),
                single["median_s"] < 1.5,
            )
        )
    helps = results.get("help")
    if helps:
        rows.append(
            _row(
                "`zoomaudit --help`",
                "< 0.5 s",
                f"median {helps['median_s']:.2f} s of {len(helps['runs_s'])}",
                helps["median_s"] < 0.5,
            )
        )
    rows += rejudge_rows(results, _row)
    rows += accounts_rows(results, _row)
    naive = results.get("naive")
    if naive and full:
        how = "extrapolated" if naive["extrapolated"] else "measured"
        rows.append(
            _row(
                "naive sequential script (baseline)",
                "-",
                f"{naive['wall_s']:.0f} s ({how}; {naive['requests']:,} requests"
                f" for {naive['users_done']} of {naive['users_total']} users) ="
                f" x{naive['wall_s'] / full['wall_s']:.1f} zoomaudit's share-1.0 time",
                None,
            )
        )
    return rows


def requests_table(audit: dict[str, Any]) -> list[str]:
    rows = ["| Category | Requests | Plan limit/s | x share | Time at the limit |", "|---|---|---|---|---|"]
    b = audit["bound"]
    for category, count in sorted(audit["requests"].items()):
        rate = b["rates"].get(category)
        if rate is None:
            rows.append(f"| {category} | {count:,} | not rate limited | | |")
            continue
        seconds = b["per_category_s"].get(category, 0.0)
        rows.append(f"| {category} | {count:,} | {rate:g} | {rate * b['share']:g} | {seconds:.1f} s |")
    rows.append(f"| sequential start | token + account settings | | | {b['start_s']:.2f} s |")
    return rows


def machine_line(m: dict[str, Any]) -> str:
    load = m.get("load_average_at_start")
    return (
        f"{m['cpu']}, {m['logical_cores']} logical cores, {m['memory_gb']} GB RAM, "
        f"Python {m['python']} ({m['implementation']}), {m['platform']}"
        + (f"; load average at start {load[0]}" if load else "")
    )


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Run `{results['command']}` on {results['finished_at']}.",
        "",
        f"Machine: {machine_line(results['machine'])}.",
        "",
        *targets(results),
    ]
    full = results.get("audit_share_1")
    if full:
        lines += ["", "Requests of the share-1.0 whole-account audit (counted by the sandbox):", ""]
        lines += requests_table(full)
    return "\n".join(lines) + "\n"


def update_doc(path: Path, results: dict[str, Any]) -> None:
    """Replace the generated block of docs/performance.md (between the markers) with ``results``."""
    text = path.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{path} has no {BEGIN} ... {END} block")
    block = f"{BEGIN}\n{markdown(results)}{END}"
    path.write_text(text[:start] + block + text[end + len(END) :], encoding="utf-8")
