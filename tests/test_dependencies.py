"""Dependency choices that the code relies on."""

from __future__ import annotations

import ast
import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import zoomaudit

SRC = Path(zoomaudit.__file__).resolve().parent
SIGN_IN_MODULES = {
    "zoomaudit.service.console.signin",
    "zoomaudit.service.console.signin_oidc",
    "zoomaudit.service.console.signin_zoom",
}
"""The console's single sign-on: the only modules that import authlib (its OAuth/OIDC client)."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_authlib(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "authlib" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "authlib":
            return True
    return False


def test_only_the_console_sign_in_modules_import_authlib() -> None:
    """authlib is the console's sign-in client; the Zoom S2S flow stays our own ``httpx2.Auth``
    (zoom/auth.py says why), so no other module, above all nothing under ``zoom/``, imports it."""
    importers = {_module_name(path) for path in SRC.rglob("*.py") if _imports_authlib(path)}
    assert importers == SIGN_IN_MODULES


def test_the_cli_and_the_zoom_client_run_without_authlib() -> None:
    """Only the console loads authlib: an audit from the command line never imports it."""
    names = [
        m.name
        for m in pkgutil.walk_packages(zoomaudit.__path__, "zoomaudit.")
        if not m.name.startswith("zoomaudit.service") and not m.name.endswith("__main__")
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print('authlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_sign_in_modules_load_without_a_deprecation_warning() -> None:
    """authlib warns when it must build its client on the deprecated httpx; with httpx2 present
    it does not, and no global filter hides it (pyproject's filterwarnings says so)."""
    code = (
        "import warnings\n"
        "warnings.simplefilter('error')\n"
        "import zoomaudit.service.console.signin_oidc, zoomaudit.service.console.signin_zoom\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr


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
