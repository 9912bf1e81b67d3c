"""Shared test helpers: fixture trees copied to tmp_path, and an in-process CLI runner.

Tests never write into the repository: each copies the fixture tree it needs into
``tmp_path`` and builds into a folder there.
"""

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"
OVERLAYS = FIXTURES / "overlays"


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def mini_tree(tmp_path: Path) -> Path:
    """A fresh copy of the mini project tree (good input: conforms, QC clean)."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    return tmp_path / "build"


def add_overlay(root: Path, overlay: str, destination: str) -> Path:
    """Copy ``tests/fixtures/overlays/<overlay>`` to ``<root>/<destination>``."""
    target = root / destination
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OVERLAYS / overlay, target)
    return target


@pytest.fixture
def sgkg(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run ``sgkg ARGS`` in-process and capture exit code, stdout and stderr."""

    def run(*args: str | Path) -> CliRun:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return CliRun(code=code, out=captured.out, err=captured.err)

    return run
