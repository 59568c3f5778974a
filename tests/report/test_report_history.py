"""The history store: months are stored by `advisor report` and `advisor costs --store`, a re-run
replaces its month, the schema is versioned and migrated, on DuckDB and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from report_helpers import demo_report, expected_demo, hostile_estate

from advisor.report.history import SCHEMA_VERSION, HistoryStore, _DuckDB, _Postgres, open_store

Cli = Callable[..., tuple[int, str, str]]
ESTATE = "Gemeente Voorbeeld"


def counts(url: str) -> dict[str, int]:
    with open_store(url) as store:
        b = store.backend
        return {t: int(b.query(f"SELECT count(*) FROM advisor_{t}")[0][0])
                for t in ("ledger_month", "ledger_cost", "plan_month", "plan_workload",
                          "plan_finding")}


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_report_stores_months_and_rerun_replaces(backend: str, tmp_path: Path,
                                                 request: pytest.FixtureRequest) -> None:
    url = str(tmp_path / "h.duckdb") if backend == "duckdb" else request.getfixturevalue("pg_url")
    code, first, err = demo_report(tmp_path, store=url)
    assert code == 0, err
    after_one = counts(url)
    assert after_one["ledger_month"] == 3  # the three billed months, up to the reported one
    assert after_one["plan_month"] == 1
    code, second, err = demo_report(tmp_path, store=url, name="second.html")
    assert code == 0, err
    assert counts(url) == after_one  # idempotent
    assert second == first
    with open_store(url) as store:
        assert store.version() == SCHEMA_VERSION
        months = store.ledger_months(ESTATE, "billed", "2026-01", "2026-12")
        assert [m.month for m in months] == ["2026-08", "2026-09", "2026-10"]
        exp = expected_demo()
        assert months[-1].total == exp.billed  # exact, to 18 places
        assert months[-1].unallocated == exp.unallocated
        assert sum((c.cost for c in months[-1].cells), Decimal(0)) == exp.billed
        plans = store.plan_months(ESTATE, "2026-10", "2026-10")
        assert plans[0].moves == exp.moves and plans[0].inhabitants == 157000


def test_duckdb_and_postgresql_give_the_same_report(tmp_path: Path, pg_url: str) -> None:
    code, duck, err = demo_report(tmp_path, store=str(tmp_path / "h.duckdb"), name="d.html")
    assert code == 0, err
    code, pg, err = demo_report(tmp_path, store=pg_url, name="p.html")
    assert code == 0, err
    assert duck == pg


def test_costs_store_then_report(run_cli: Cli, tmp_path: Path, pg_url: str) -> None:
    code, _, err = run_cli("costs", "--demo", "--month", "2026-09", f"--store={pg_url}")
    assert code == 0, err
    assert "stored 1 month(s) (2026-09, cost basis billed)" in err
    assert "***" not in err and "postgres@" in err
    code, _, err = run_cli("costs", "--demo", "--cost", "effective", f"--store={pg_url}")
    assert code == 0, err
    assert "stored 3 month(s) (2026-08..2026-10, cost basis effective)" in err
    c = counts(pg_url)
    assert c["ledger_month"] == 4 and c["plan_month"] == 0
    with open_store(pg_url) as store:
        assert [m.month for m in store.ledger_months(ESTATE, "billed", "2026-01", "2026-12")] \
            == ["2026-09"]


def test_costs_store_default_path(run_cli: Cli, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """With --demo, costs --store and report share the demo's store in the user's cache folder
    (never the current folder)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADVISOR_STORE", raising=False)
    store = tmp_path / "cache" / "advisor" / "demo-history.duckdb"
    code, _, err = run_cli("costs", "--demo", "--store")
    assert code == 0, err
    assert store.is_file() and str(store) in err
    code, _, err = run_cli("report", "--demo", "-o", "r.html")  # same default store, latest month
    assert code == 0, err
    assert "October 2026" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert counts(str(store))["plan_month"] == 1
    assert not (tmp_path / ".advisor").exists()


def _migrate_from_v1(store: HistoryStore) -> None:
    """Build a version-1 store and fill it the way a version-1 advisor did."""
    store.migrate(target=1)
    b = store.backend
    b.execute("INSERT INTO advisor_plan_month VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              ("Small test estate", "2026-09", "EUR", 5, 2, Decimal("100.5"), Decimal("90"),
               Decimal("1200"), Decimal("0"), "optimal"))
    b.execute("INSERT INTO advisor_plan_workload VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              ("Small test estate", "2026-09", "web", "site", "dc", "aws-fra",
               Decimal("100.5"), Decimal("90"), Decimal("600")))


@pytest.mark.parametrize("backend", ["duckdb", "postgresql"])
def test_schema_migrates_and_keeps_data(backend: str, tmp_path: Path, run_cli: Cli,
                                        request: pytest.FixtureRequest) -> None:
    if backend == "duckdb":
        url = str(tmp_path / "old.duckdb")
        old = HistoryStore(_DuckDB(url))
    else:
        url = request.getfixturevalue("pg_url")
        old = HistoryStore(_Postgres(url))
    with old:
        _migrate_from_v1(old)
        assert old.version() == 1
    with open_store(url) as store:  # opening migrates
        assert store.version() == SCHEMA_VERSION
        (p,) = store.plan_months("Small test estate", "2026-09", "2026-09")
        assert p.inhabitants is None and p.findings == () and p.rows[0].workload == "web"
    estate = hostile_estate(tmp_path).parent / "advisor.yaml"
    estate.write_text(estate.read_text(encoding="utf-8").replace(
        "name: 'Gemeente \"Quote\" & <Co>'", "name: Small test estate"), encoding="utf-8")
    code, out, err = run_cli("report", "-c", str(estate), "--month", "2026-10", "--store", url,
                             "--format", "markdown", "-o", "-")
    assert code == 0, err
    assert "| September 2026 |" in out and "| October 2026 |" in out  # the v1 month trends


def test_newer_schema_is_refused(tmp_path: Path, run_cli: Cli) -> None:
    url = str(tmp_path / "new.duckdb")
    with open_store(url) as store:
        store.backend.execute("INSERT INTO advisor_schema VALUES (?, ?)",
                              (SCHEMA_VERSION + 1, "2099-01-01"))
    code, _out, err = run_cli("report", "--demo", "--store", url)
    assert code == 2
    assert err.startswith("advisor: error: the history store") and "newer" in err
    assert "Traceback" not in err


def test_unreachable_stores_exit_3(run_cli: Cli, tmp_path: Path) -> None:
    from servers import free_port

    url = f"postgresql://advisor:hunter2@127.0.0.1:{free_port()}/history"
    code, _out, err = run_cli("report", "--demo", "--store", url)
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "hunter2" not in err and "advisor:***@127.0.0.1" in err
    not_a_db = tmp_path / "notes.duckdb"
    not_a_db.write_text("this is not a database\n" * 100)
    code, _out, err = run_cli("report", "--demo", "--store", str(not_a_db))
    assert code == 3 and len(err.strip().splitlines()) == 1
    blocked = tmp_path / "file"
    blocked.write_text("x")
    code, _out, err = run_cli("report", "--demo", "--store", str(blocked / "sub" / "h.duckdb"))
    assert code == 3 and len(err.strip().splitlines()) == 1
