"""Dependency choices that the code relies on."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import zoomaudit


def test_no_zoomaudit_module_imports_authlib() -> None:
    """The S2S OAuth flow is our own httpx.Auth (zoom/auth.py); authlib's deprecated httpx
    integration must not creep back in through any module."""
    modules = pkgutil.walk_packages(zoomaudit.__path__, "zoomaudit.")
    names = [m.name for m in modules if not m.name.endswith("__main__")]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print('authlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
