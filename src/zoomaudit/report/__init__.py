"""Report formats: each a pure function of a stored run (a ``RunReport``).

``render(report, fmt)`` dispatches to one module per format. Formats that list findings
(table, json, csv, markdown) show passes only when the report includes them
(``load_report(..., include_passed=True)``); html and junit use every finding the report
carries, so load it with ``load_for_format`` to give them the passes too.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Literal, TextIO, get_args

from zoomaudit.errors import UsageError

if TYPE_CHECKING:
    from zoomaudit.store import RunReport, Store

Format = Literal["table", "json", "csv", "html", "markdown", "junit"]
FORMATS: tuple[str, ...] = get_args(Format)
WITH_PASSES: frozenset[str] = frozenset({"html", "junit"})
"""Formats that always want the passes: html shows every effective setting, junit every test."""

_RENDERERS: dict[str, tuple[str, str]] = {
    "table": ("zoomaudit.report.table", "render_table"),
    "json": ("zoomaudit.report.jsondoc", "render_json"),
    "csv": ("zoomaudit.report.csvfile", "render_csv"),
    "html": ("zoomaudit.report.html", "render_html"),
    "markdown": ("zoomaudit.report.markdown", "render_markdown"),
    "junit": ("zoomaudit.report.junit", "render_junit"),
}


def render(report: RunReport, fmt: str, *, schema_version: int | None = None) -> str:
    """The report in format ``fmt`` (one of FORMATS); UsageError for an unknown format.
    ``schema_version`` picks the JSON report's version (json only; the newest when None)."""
    if fmt not in _RENDERERS:
        raise UsageError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    _check_schema_version(fmt, schema_version)
    if fmt == "json" and schema_version is not None:
        from zoomaudit.report.jsondoc import render_json

        return render_json(report, schema_version)
    module, name = _RENDERERS[fmt]
    renderer: Callable[[RunReport], str] = getattr(import_module(module), name)
    return renderer(report)


_STREAMED: frozenset[str] = frozenset({"json", "csv"})
"""Formats written finding by finding, straight from the store: a 5,000-meeting run's report
then costs no more memory than a small one's (docs/performance.md)."""


def _check_schema_version(fmt: str, schema_version: int | None) -> None:
    if schema_version is None:
        return
    if fmt != "json":
        raise UsageError("--schema-version applies to --format json only")
    from zoomaudit.report.jsondoc import check_version

    check_version(schema_version)


def write_report(
    store: Store,
    run_id: str,
    fmt: str,
    out: TextIO,
    *,
    include_passed: bool = False,
    schema_version: int | None = None,
    account: str | None = None,
) -> None:
    """Write a stored run in format ``fmt`` to ``out``; the same text as ``render`` gives.
    ``schema_version`` picks the JSON report's version (json only; the newest when None);
    ``run_id`` is resolved within ``account`` when one is given."""
    _check_schema_version(fmt, schema_version)
    if fmt not in _STREAMED:
        loaded = load_for_format(store, run_id, fmt, include_passed=include_passed, account=account)
        text = render(loaded, fmt)
        out.write(text if text.endswith("\n") else text + "\n")
        return
    head = store.load_report(run_id, include_passed, with_findings=False, account=account)
    if fmt == "json":
        from zoomaudit.report.jsondoc import SCHEMA_VERSION, write_json_stored

        columns = store.iter_finding_columns(head.run.id, include_passed=include_passed)
        write_json_stored(head, columns, out, SCHEMA_VERSION if schema_version is None else schema_version)
        return
    from zoomaudit.report.csvfile import write_csv

    write_csv(head, store.iter_findings(head.run.id, include_passed=include_passed), out)


def load_for_format(
    store: Store, run_id: str, fmt: str, *, include_passed: bool = False, account: str | None = None
) -> RunReport:
    """Load a run with what ``fmt`` needs: passes when asked for, and always for html and junit."""
    return store.load_report(run_id, include_passed=include_passed or fmt in WITH_PASSES, account=account)


__all__ = ["FORMATS", "WITH_PASSES", "Format", "load_for_format", "render", "write_report"]
