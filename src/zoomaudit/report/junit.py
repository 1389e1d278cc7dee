"""JUnit XML so that a CI job fails on violations.

One test suite per policy, one test case per policy x subject (the finding's identity):
a violation is a ``failure``, a finding that could not be judged an ``error``, a waived or
manual one ``skipped``, a pass a plain test case. Subjects that could not be read at all are
``error`` test cases of a ``collection`` suite. A run that did not finish its work (failed,
abandoned, still running, or incomplete without a recorded reason) adds an ``error`` test case
to a ``run`` suite, so a CI job never turns green on a run that judged nothing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import assert_never

from zoomaudit.findings import ErrorFinding, Finding, Manual, Pass, Violation, Waived
from zoomaudit.report.common import (
    actual_of,
    error_subject,
    expected_of,
    finding_key,
    subject_text,
    tier_text,
)
from zoomaudit.safe_text import xml_text
from zoomaudit.store.records import RunReport


def _case_name(f: Finding) -> str:
    name = subject_text(f)
    return f"{name} ({f.topic})" if f.topic else name


def _details(f: Finding) -> str:
    lines = [
        f"policy: {f.policy_id} ({f.severity})",
        f"control: {f.control}",
        f"actual: {actual_of(f)}",
        f"expected: {expected_of(f)}",
        f"decided by: {tier_text(f)}",
    ]
    if f.host_email or f.host_id:
        lines.append(f"host: {f.host_email or f.host_id}")
    if f.message:
        lines.append(f"message: {f.message}")
    if f.fix_id:
        lines.append(f"suggested fix: {f.fix_id} (zoomaudit fixes show {f.fix_id})")
    return "\n".join(lines)


def _suite(root: ET.Element, name: str, stamp: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", {"name": name, "timestamp": stamp})


def _count(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    for tag, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attribute, str(sum(1 for c in cases if c.find(tag) is not None)))


_UNFINISHED: dict[str, str] = {
    "failed": "the run failed",
    "abandoned": "the run was abandoned: its process stopped before finishing",
    "running": "the run has not finished yet",
    "incomplete": "the run is incomplete: some subjects could not be read",
}


def _run_error(report: RunReport) -> tuple[str, str] | None:
    """(status, message) of the ``run`` error test case, or None when the run needs none.

    An incomplete run with recorded collect errors already fails through the ``collection``
    suite; every other unfinished run gets one error carrying the run's own error text.
    """
    run = report.run
    if run.status == "complete" or (run.status == "incomplete" and report.errors):
        return None
    reason = _UNFINISHED.get(run.status, f"the run is {run.status}")
    return run.status, f"{reason}: {run.error}" if run.error else reason


def render_junit(report: RunReport) -> str:
    stamp = report.run.started_at.isoformat()
    root = ET.Element("testsuites", {"name": f"zoomaudit {report.run.id}"})
    suites: dict[str, ET.Element] = {}
    for f in sorted(report.findings, key=lambda f: (f.policy_id, *finding_key(f))):
        suite = suites.get(f.policy_id)
        if suite is None:
            suite = suites[f.policy_id] = _suite(root, f.policy_id, stamp)
        case = ET.SubElement(
            suite, "testcase", {"classname": f"zoomaudit.{f.policy_id}", "name": _case_name(f)}
        )
        summary = f.message or f"{f.control} is {actual_of(f)}, expected {expected_of(f)}"
        match f:
            case Violation():
                ET.SubElement(case, "failure", {"type": f.severity, "message": summary}).text = _details(f)
            case ErrorFinding():
                ET.SubElement(case, "error", {"type": "unjudged", "message": summary}).text = _details(f)
            case Waived():
                reason = f.waiver_reason or f.message or "waived"
                ET.SubElement(case, "skipped", {"message": f"waived: {reason}"})
            case Manual():
                ET.SubElement(case, "skipped", {"message": f"check by hand: {f.message or f.control}"})
            case Pass():
                pass  # a plain test case
            case _:
                assert_never(f)
    if report.errors:
        suite = _suite(root, "collection", stamp)
        for e in report.errors:
            case = ET.SubElement(
                suite, "testcase", {"classname": "zoomaudit.collection", "name": error_subject(e)}
            )
            ET.SubElement(case, "error", {"type": "unreadable", "message": e.message})
    run_error = _run_error(report)
    if run_error is not None:
        status, message = run_error
        suite = _suite(root, "run", stamp)
        case = ET.SubElement(
            suite, "testcase", {"classname": "zoomaudit.run", "name": f"run {report.run.id}"}
        )
        ET.SubElement(
            case, "error", {"type": status, "message": message}
        ).text = f"{message}\nrun: {report.run.id} ({report.run.trigger}, {report.run.scope})"
    for suite in root.findall("testsuite"):
        _count(suite)
    for attribute in ("tests", "failures", "errors", "skipped"):
        root.set(attribute, str(sum(int(s.get(attribute, "0")) for s in root.findall("testsuite"))))
    ET.indent(root)
    # ElementTree writes a control character as it is, which no XML parser accepts: every text
    # and attribute keeps only what is printable and legal in XML 1.0 (safe_text.py).
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml_text(ET.tostring(root, encoding="unicode")) + "\n"
