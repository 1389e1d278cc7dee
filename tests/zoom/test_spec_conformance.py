"""Every endpoint the client can call exists in Zoom's OpenAPI spec, as the client calls it.

The spec is ../shared/zoom-api/ZoomMeetingAPISpec.json (mid-2023). The client's endpoint table
(zoomaudit.zoom.endpoints.ENDPOINTS) is read here, not copied, so a new endpoint is checked too.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest

from tests.conftest import SPEC_PATH
from zoomaudit.zoom.client import ENDPOINTS
from zoomaudit.zoom.endpoints import Endpoint, find_endpoint


@cache
def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return data


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    paths = spec()["paths"]
    assert endpoint.path in paths, f"{endpoint.path} is not a path in the spec"
    item = paths[endpoint.path]
    method = endpoint.method.lower()
    assert method in item, f"{endpoint.label} is not an operation in the spec"
    operation: dict[str, Any] = item[method]
    return operation


def _declared(endpoint: Endpoint, where: str) -> set[str]:
    item = spec()["paths"][endpoint.path]
    params = [*item.get("parameters", []), *_operation(endpoint).get("parameters", [])]
    return {p["name"] for p in params if p.get("in") == where}


ALL = sorted(ENDPOINTS.values(), key=lambda e: e.label)


def test_spec_is_the_expected_copy() -> None:
    assert spec()["servers"][0]["url"] == "https://api.zoom.us/v2"


@pytest.mark.parametrize("endpoint", ALL, ids=[e.label for e in ALL])
def test_endpoint_exists_with_its_method(endpoint: Endpoint) -> None:
    _operation(endpoint)


@pytest.mark.parametrize("endpoint", ALL, ids=[e.label for e in ALL])
def test_every_query_parameter_sent_is_declared(endpoint: Endpoint) -> None:
    declared = _declared(endpoint, "query")
    undeclared = set(endpoint.query) - declared
    assert undeclared == set(endpoint.spec_gaps), (
        f"{endpoint.label} sends {sorted(undeclared)} not declared in the spec "
        "(list them in spec_gaps with their source if the spec is older than the field)"
    )
    for name, source in endpoint.spec_gaps.items():
        assert source.strip(), f"{endpoint.label}: spec gap {name} needs a source"


@pytest.mark.parametrize("endpoint", ALL, ids=[e.label for e in ALL])
def test_path_placeholders_are_declared_path_parameters(endpoint: Endpoint) -> None:
    placeholders = set(re.findall(r"\{([^}]+)\}", endpoint.path))
    assert placeholders <= _declared(endpoint, "path")


@pytest.mark.parametrize("endpoint", ALL, ids=[e.label for e in ALL])
def test_category_matches_the_rate_limit_label(endpoint: Endpoint) -> None:
    description = _operation(endpoint).get("description", "")
    found = re.search(r"Rate Limit Label\]\([^)]*\):\*\*\s*`([A-Za-z-]+)`", description)
    assert found, f"{endpoint.label}: no Rate Limit Label in the spec"
    assert found.group(1).lower() == endpoint.category


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("GET", "/users", "list_users"),
        ("GET", "/users/someone@example.org", "get_user"),
        ("GET", "/users/u1/meetings", "list_meetings"),
        ("PATCH", "/meetings/85746065432", "update_meeting"),
        ("PATCH", "/accounts/me/lock_settings", "update_account_lock_settings"),
        ("PATCH", "/groups/g1/settings", "update_group_settings"),
    ],
)
def test_concrete_requests_find_their_endpoint(method: str, path: str, name: str) -> None:
    found = find_endpoint(method, path)
    assert found is not None
    assert found.name == name


def test_unknown_requests_find_no_endpoint() -> None:
    assert find_endpoint("DELETE", "/meetings/1") is None
    assert find_endpoint("GET", "/users/u1/meetings/extra") is None
