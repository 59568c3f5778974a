"""Where the report goes: report-YYYY-MM.html in the current folder without -o (and stderr says
where), stdout with -o -; the demo's history in the user's cache folder or a temporary folder,
never in the current folder, also when the run fails."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder and a cache folder of its own."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADVISOR_STORE", raising=False)
    return folder


def test_default_file_in_the_current_folder(run_cli: Cli, here: Path, tmp_path: Path) -> None:
    code, out, err = run_cli("report", "--demo", "--month", "2026-10")
    assert code == 0, err
    assert out == ""  # no HTML on the terminal
    report = here / "report-2026-10.html"
    assert err.strip() == f"advisor: wrote {report}"
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in here.iterdir()) == ["report-2026-10.html"]  # no .advisor/
    assert (tmp_path / "cache" / "advisor" / "demo-history.duckdb").is_file()
    code, out, err = run_cli("report", "--demo", "--month", "2026-10", "--format", "markdown")
    assert code == 0, err
    assert (here / "report-2026-10.md").read_text(encoding="utf-8").startswith("# IT cost")


def test_dash_prints_to_stdout(run_cli: Cli, here: Path) -> None:
    code, out, err = run_cli("report", "--demo", "--month", "2026-10", "--format", "markdown",
                         "-o", "-")
    assert code == 0, err
    assert out.startswith("# IT cost report October 2026")
    assert "wrote" not in err
    assert list(here.iterdir()) == []


def test_a_failed_demo_run_leaves_the_folder_empty(run_cli: Cli, here: Path) -> None:
    code, _, err = run_cli("report", "--demo", "--month", "2026-12")
    assert code == 2, err
    assert list(here.iterdir()) == []
    code, _, err = run_cli("report", "--demo", "--month", "2026-10", "-o", "missing/r.html")
    assert code == 2 and "does not exist" in err
    assert list(here.iterdir()) == []


def test_unwritable_cache_falls_back_to_a_temporary_folder(
        run_cli: Cli, here: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    code, _, err = run_cli("report", "--demo", "--month", "2026-10", "-o", "r.html")
    assert code == 0, err
    assert [p.name for p in here.iterdir()] == ["r.html"]
    (folder,) = temp.iterdir()
    assert folder.name.startswith("advisor-demo-")
    assert (folder / "demo-history.duckdb").is_file()
