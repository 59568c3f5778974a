"""Shared test helpers: run the CLI in-process and get (exit code, stdout, stderr)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Tests never write into the source tree: Hypothesis keeps its caches in a temporary folder and
# no example database (.hypothesis/); no pytest cache (-p no:cacheprovider in pyproject.toml).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                      tempfile.mkdtemp(prefix="advisor-hypothesis-"))
from cli_runner import RunCli, invoke
from hypothesis import settings

DATA = Path(__file__).parent / "data"

settings.register_profile("advisor", database=None)
settings.load_profile("advisor")


@pytest.fixture(autouse=True)
def _cwd_outside_the_source_tree(tmp_path_factory: pytest.TempPathFactory,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in an empty temporary folder, so a command that writes a default file
    into the current folder (``advisor report`` without ``-o``) never writes into the clone."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


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


# -- the source tree stays as it was ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# Written by installing and linting, never by a test.
TOOL_FILES = (".ci-node", ".mypy_cache", ".ruff_cache", "hybrid_advisor.egg-info", "build",
              "dist", ".venv")


def _tree_files() -> set[str] | None:
    """Untracked and changed files (ignored ones included) under the repository, or None."""
    import subprocess

    try:
        done = subprocess.run(["git", "status", "--porcelain", "--ignored", "-uall"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    names = {line[3:] for line in done.stdout.splitlines()}
    return {n for n in names if not n.startswith(TOOL_FILES) and "__pycache__" not in n}


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        session.config.stash[_BEFORE] = _tree_files()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return
    before = session.config.stash.get(_BEFORE, None)
    after = _tree_files()
    if before is None or after is None:
        return
    new = sorted(after - before)
    if new:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nTests wrote into the source tree (write to tmp_path instead):\n  "
              + "\n  ".join(new[:20]))


_BEFORE = pytest.StashKey[set[str] | None]()
