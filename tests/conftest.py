"""Shared test helpers: run the CLI in-process and get (exit code, stdout, stderr)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runner import RunCli, invoke

DATA = Path(__file__).parent / "data"


@pytest.fixture
def run_cli() -> RunCli:
    """Run the CLI in-process: (exit code, stdout, stderr), never a traceback."""
    return invoke


@pytest.fixture
def small_estate(tmp_path: Path) -> Path:
    """A copy of tests/data/small that a test may change."""
    target = tmp_path / "small"
    shutil.copytree(DATA / "small", target)
    return target
