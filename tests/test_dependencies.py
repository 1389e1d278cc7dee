"""Dependency choices that the code relies on."""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys

import pytest

import zoomaudit

# The HTTP stacks a process could end up with. zoomaudit speaks httpx2 (docs/architecture.md,
# "One HTTP library"); httpx and httpcore are its unmaintained predecessors.
HTTP_MODULES = ("httpx", "httpcore", "httpx2", "httpcore2")


def _every_module() -> list[str]:
    modules = pkgutil.walk_packages(zoomaudit.__path__, "zoomaudit.")
    return [m.name for m in modules if not m.name.endswith("__main__")]


def _imported_after(imports: list[str]) -> dict[str, object]:
    """In a fresh interpreter that turns every warning into an error, import ``imports`` and say
    which HTTP modules are loaded and whether authlib is. A fresh process, because this test
    session aliases ``httpx`` to ``httpx2`` for respx (tests/__init__.py)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {imports!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps({{'http': sorted(m for m in {HTTP_MODULES!r} if m in sys.modules),\n"
        "                  'authlib': 'authlib' in sys.modules}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_every_zoomaudit_module_together_imports_one_http_library() -> None:
    """httpx2 and its httpcore2, never httpx or httpcore beside them: one connection pool
    implementation, one exception tree to map, one set of loggers to quieten."""
    http = _imported_after(_every_module())["http"]
    assert isinstance(http, list)
    assert "httpx2" in http
    assert not {"httpx", "httpcore"} & set(http), http


def test_no_zoomaudit_module_imports_authlib() -> None:
    """The S2S OAuth flow is our own httpx2.Auth (zoom/auth.py, which says why); authlib must
    not creep into the Zoom client through any module."""
    assert _imported_after(_every_module())["authlib"] is False


@pytest.mark.skipif(importlib.util.find_spec("authlib") is None, reason="authlib is not installed")
def test_authlibs_starlette_client_takes_httpx2_without_a_warning() -> None:
    """authlib >= 1.9 imports httpx2 when it is installed and otherwise falls back to httpx with a
    deprecation warning. With httpx2 ours, its Starlette client (the console's OIDC sign-in)
    adds no second HTTP library and warns nothing, so no warning filter is needed for it."""
    imports = ["zoomaudit.zoom.client", "authlib.integrations.starlette_client"]
    http = _imported_after(imports)["http"]
    assert isinstance(http, list)
    assert "httpx2" in http
    assert not {"httpx", "httpcore"} & set(http), http
