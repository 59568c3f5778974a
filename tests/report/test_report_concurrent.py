"""Three `advisor report` runs on one history store at once (a CI job and a monthly cron meet):
each waits for the store instead of failing, and no month is lost or doubled, on DuckDB and on a
real PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.report.history import open_store

ESTATE = "Gemeente Voorbeeld"


def _run(tmp_path: Path, store: str, month: str, n: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", "report", "--demo", "--month", month, "--store", store,
         "--format", "markdown", "-o", str(tmp_path / f"r{n}.md")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_three_concurrent_reports_wait_and_keep_every_month(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    store = str(tmp_path / "h.duckdb") if backend == "duckdb" else \
        request.getfixturevalue("pg_url")
    months = ["2026-08", "2026-09", "2026-10"]
    runs = [_run(tmp_path, store, m, n) for n, m in enumerate(months)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in runs]
    for code, _, err in results:
        assert code == 0, err
        assert "Conflicting lock" not in err
    with open_store(store) as history:
        plans = history.plan_months(ESTATE, "2026-01", "2026-12")
        assert [p.month for p in plans] == months  # each run's month, once
        ledger = history.ledger_months(ESTATE, "billed", "2026-01", "2026-12")
        assert [m.month for m in ledger] == months
        b = history.backend
        assert int(b.query("SELECT count(*) FROM advisor_plan_month")[0][0]) == 3


def test_a_held_duckdb_store_is_waited_for_and_said(tmp_path: Path) -> None:
    """While another process holds the file, a run says it waits; past the bound it is exit 3."""
    store = tmp_path / "h.duckdb"
    with open_store(str(store)):
        pass  # create it
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(60)", str(store)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        said: list[str] = []
        from advisor.errors import SourceError

        with pytest.raises(SourceError) as info:
            open_store(str(store), wait=1.0, on_wait=said.append)
        assert said and "waiting for it (at most 1 s)" in said[0]
        assert "another advisor run held it for more than 1 s" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    with open_store(str(store), wait=5.0) as history:  # free again
        assert history.version() > 0
