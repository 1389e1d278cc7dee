"""Dependency choices that the code relies on."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

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
    """authlib is the console's sign-in client; the Zoom S2S flow stays our own ``httpx.Auth``
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
