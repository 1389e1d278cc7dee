"""The pack ships inside the wheel (package data) and top-level policies/ is the same folder.

Builds a real wheel from a copy of the source tree (so the build leaves nothing in the checkout);
it takes a few seconds, and stays in the suite because a pack missing from the wheel would make an
installed zoomaudit audit nothing.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

from .conftest import ROOT


def _backend_problem() -> str | None:
    """pyproject.toml needs setuptools>=77 (PEP 639 license string) and wheel, in the venv."""
    major = int(version("setuptools").split(".")[0])
    if major < 77 or importlib.util.find_spec("wheel") is None:
        return (
            f"setuptools {version('setuptools')} / wheel "
            f"{'present' if importlib.util.find_spec('wheel') else 'missing'}: building without isolation "
            "needs setuptools>=77 and wheel in the dev environment"
        )
    return None


def test_package_data_covers_every_pack_file() -> None:
    """The static half of the proof, which needs no build backend."""
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["zoomaudit"]
    package = ROOT / "src" / "zoomaudit"
    files = [p.relative_to(package).as_posix() for p in (package / "pack").iterdir()]
    assert files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_wheel_contains_the_pack(tmp_path: Path) -> None:
    problem = _backend_problem()
    if problem:  # a fresh venv from `make install` until the dev extra lists setuptools>=77 and wheel
        pytest.skip(problem)
    source = tmp_path / "src-copy"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"),
    )
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = out.glob("zoomaudit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"zoomaudit/pack/{p.name}" for p in (ROOT / "policies").glob("*.yaml")}
    assert expected
    assert expected <= names


def test_top_level_policies_is_a_link_to_the_package_pack() -> None:
    top = ROOT / "policies"
    assert top.is_symlink()
    assert top.resolve() == (ROOT / "src" / "zoomaudit" / "pack").resolve()
