"""Every report format renders the same stored run; the JSON validates against its schema."""

from __future__ import annotations

import json
from importlib import resources
from xml.etree import ElementTree

import jsonschema

from tests.e2e.conftest import audit, report_of
from zoomaudit.report import render
from zoomaudit.settings import Settings


def test_all_formats_render_one_stored_run(settings: Settings) -> None:
    outcome = audit(settings)
    report = report_of(settings, outcome.run_id, include_passed=False)
    violations = outcome.counts["violations"]

    doc = json.loads(render(report, "json"))
    schema = json.loads(resources.files("zoomaudit.report").joinpath("schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["run"]["id"] == outcome.run_id
    assert sum(f["status"] == "violation" for f in doc["findings"]) == violations

    suite = ElementTree.fromstring(render(report, "junit"))
    failures = sum(int(s.get("failures", 0)) for s in suite.iter("testsuite"))
    assert failures == violations

    rows = render(report, "csv").strip().splitlines()
    assert len(rows) - 1 == len(report.findings)

    html = render(report, "html")
    assert outcome.run_id in html
    assert "http://" not in html
    assert "https://" not in html
    assert outcome.run_id in render(report, "markdown")
    assert outcome.run_id in render(report, "table")
