"""Shared test helpers: run the CLI in-process and get (exit code, stdout, stderr)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.commands.main import main

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def small_estate(tmp_path: Path) -> Path:
    """A copy of tests/data/small that a test may change."""
    target = tmp_path / "small"
    shutil.copytree(DATA / "small", target)
    return target
