"""The history store: each month's cost aggregates and plan, so that trends come from stored months.

Two backends behind one small interface: an embedded DuckDB file (the default,
``.advisor/history.duckdb``) and PostgreSQL (``postgresql://...``, for a store shared by a team or a
scheduled job). Both hold the same versioned schema; opening a store migrates it to the current
version in one transaction. Writing a month replaces what the store held for that month (the
ledger part and the plan part separately), so re-running a report is idempotent.

Amounts are DECIMAL(38, 18) / NUMERIC(38, 18): exact, like the ledger. The store never invents a
month: a month is present when a report or ``advisor costs --store`` wrote it.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from advisor.errors import InputError, SourceError
from advisor.redact import redact, redact_url, url_secrets

DEFAULT_PATH = Path(".advisor") / "history.duckdb"
STORE_DIGITS = Decimal(10) ** -18

# Each migration takes the schema from version i to i + 1. Never edit a released one: add another.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: ledger aggregates per month and cost basis; the plan per month
        """CREATE TABLE advisor_ledger_month (
            estate TEXT NOT NULL, month TEXT NOT NULL, cost_basis TEXT NOT NULL,
            currency TEXT NOT NULL, total DECIMAL(38, 18) NOT NULL,
            unallocated DECIMAL(38, 18) NOT NULL,
            line_items BIGINT NOT NULL, sources TEXT NOT NULL,
            PRIMARY KEY (estate, month, cost_basis))""",
        """CREATE TABLE advisor_ledger_cost (
            estate TEXT NOT NULL, month TEXT NOT NULL, cost_basis TEXT NOT NULL,
            provider TEXT NOT NULL, location TEXT NOT NULL, application TEXT NOT NULL,
            cost DECIMAL(38, 18) NOT NULL, unallocated DECIMAL(38, 18) NOT NULL)""",
        """CREATE TABLE advisor_plan_month (
            estate TEXT NOT NULL, month TEXT NOT NULL, currency TEXT NOT NULL,
            workloads INTEGER NOT NULL, moves INTEGER NOT NULL,
            current_monthly_cost DECIMAL(38, 18) NOT NULL,
            recommended_monthly_cost DECIMAL(38, 18) NOT NULL,
            one_off_cost DECIMAL(38, 18) NOT NULL,
            rightsizing_monthly_savings DECIMAL(38, 18) NOT NULL,
            solver_status TEXT NOT NULL, PRIMARY KEY (estate, month))""",
        """CREATE TABLE advisor_plan_workload (
            estate TEXT NOT NULL, month TEXT NOT NULL, workload TEXT NOT NULL,
            application TEXT NOT NULL, current_location TEXT NOT NULL,
            recommended_location TEXT NOT NULL, current_monthly_cost DECIMAL(38, 18) NOT NULL,
            recommended_monthly_cost DECIMAL(38, 18) NOT NULL,
            one_off_cost DECIMAL(38, 18) NOT NULL)""",
    ),
    (  # 2: findings per rule and the number of inhabitants the month was reported with
        "ALTER TABLE advisor_plan_month ADD COLUMN inhabitants BIGINT",
        """CREATE TABLE advisor_plan_finding (
            estate TEXT NOT NULL, month TEXT NOT NULL, rule TEXT NOT NULL,
            severity TEXT NOT NULL, findings INTEGER NOT NULL)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


# -- values ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerCell:
    """Billed cost of one (provider, location, application) in a month; None where unknown."""

    provider: str
    location: str | None
    application: str | None
    cost: Decimal
    unallocated: Decimal


@dataclass(frozen=True)
class LedgerMonth:
    month: str
    cost_basis: str
    currency: str
    total: Decimal
    unallocated: Decimal
    line_items: int
    sources: tuple[str, ...]
    cells: tuple[LedgerCell, ...]


@dataclass(frozen=True)
class PlanRow:
    workload: str
    application: str
    current_location: str
    recommended_location: str
    current_monthly_cost: Decimal
    recommended_monthly_cost: Decimal
    one_off_cost: Decimal


@dataclass(frozen=True)
class PlanMonth:
    month: str
    currency: str
    workloads: int
    moves: int
    current_monthly_cost: Decimal
    recommended_monthly_cost: Decimal
    one_off_cost: Decimal
    rightsizing_monthly_savings: Decimal
    solver_status: str
    inhabitants: int | None
    rows: tuple[PlanRow, ...]
    findings: tuple[tuple[str, str, int], ...]  # (rule, severity, count)


def exact(amount: Decimal) -> Decimal:
    """The stored form of an amount: 18 decimal places, as the columns hold it."""
    return amount.quantize(STORE_DIGITS)


# -- opening --------------------------------------------------------------------------------------

def is_postgres(url: str) -> bool:
    """A postgresql:// URL or a libpq key=value DSN (``host=db dbname=finops``), which must
    never become a DuckDB file named after it (password and all)."""
    return url.startswith(("postgresql://", "postgres://")) or \
        re.match(r"\s*[A-Za-z_]+\s*=", url) is not None


LOCK_WAIT_SECONDS = 120.0


def demo_store() -> str:
    """Where ``--demo`` keeps its history when no store is given: the user's cache folder
    ($XDG_CACHE_HOME or ~/.cache, then advisor/demo-history.duckdb), or a folder in the system's
    temporary directory when that cannot be written. Never the current folder: trying the demo
    leaves nothing behind where it was run."""
    import os
    import tempfile

    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for folder in (Path(root) / "advisor",
                   Path(tempfile.gettempdir()) / f"advisor-demo-{os.getuid()}"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return str(folder / "demo-history.duckdb")
    return str(Path(tempfile.mkdtemp(prefix="advisor-demo-")) / "demo-history.duckdb")


def open_store(url: str | None = None, *, wait: float = LOCK_WAIT_SECONDS,
               on_wait: Callable[[str], None] | None = None) -> HistoryStore:
    """Open (and migrate) the store at ``url``: a postgresql:// URL, or a DuckDB file path
    (default ``.advisor/history.duckdb``). Unreachable: SourceError (exit 3). A DuckDB file
    another run holds is waited for, at most ``wait`` seconds (``on_wait`` is told once, so
    the user knows why nothing happens); PostgreSQL serialises writers itself."""
    target = url or str(DEFAULT_PATH)
    backend: _Backend = _Postgres(target) if is_postgres(target) else \
        _DuckDB(target, wait, on_wait)
    store = HistoryStore(backend)
    try:
        store.migrate()
    except BaseException:
        backend.close()
        raise
    return store


class _Backend:
    """The few things the store needs from a database connection."""

    name: str
    placeholder = "?"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def transaction(self) -> Any:
        raise NotImplementedError

    def lock(self) -> None:
        """Serialise migrations between concurrent writers (within the open transaction)."""

    def tables(self) -> set[str]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    secrets: tuple[str, ...] = ()

    def failed(self, exc: Exception) -> SourceError:
        return SourceError(f"history store {self.name}", redact(_first_line(exc), self.secrets))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _DuckDB(_Backend):
    def __init__(self, path: str, wait: float = 0.0,
                 on_wait: Callable[[str], None] | None = None) -> None:
        import duckdb

        self.name = path
        file = Path(path)
        deadline = time.monotonic() + wait
        pause = 0.05
        told = False
        while True:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
                self.con = duckdb.connect(str(file))
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    if "lock" in str(exc).lower():
                        raise SourceError(f"history store {self.name}", f"another advisor run "
                                          f"held it for more than {wait:g} s",
                                          "run again when it is done; runs that share a store "
                                          "wait for each other") from None
                    raise self.failed(exc) from None
                if on_wait is not None and not told:
                    on_wait(f"the history store {self.name} is in use by another advisor run: "
                            f"waiting for it (at most {wait:g} s)")
                    told = True
                time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
                pause = min(pause * 2, 1.0)
            except (OSError, duckdb.Error) as exc:
                raise self.failed(exc) from None
        self._error: type[Exception] = duckdb.Error

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def tables(self) -> set[str]:
        return {r[0] for r in self.query("SELECT table_name FROM information_schema.tables")}

    def close(self) -> None:
        self.con.close()


class _Postgres(_Backend):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.name = redact_url(url)
        self.secrets = tuple(url_secrets(url))
        netloc = url.split("://", 1)[1].split("/", 1)[0] if "://" in url else ""
        if netloc.count("@") > 1:
            raise InputError(f"the store URL {self.name} has an '@' in its user or password",
                             hint="write it percent-encoded: %40 (or give the password in "
                                  "PGPASSWORD or ~/.pgpass)")
        try:
            import psycopg
        except ImportError:
            raise SourceError(f"history store {self.name}", "the PostgreSQL driver is not "
                              "installed", "pip install 'hybrid-advisor[postgres]'") from None
        try:
            self.con = psycopg.connect(url, connect_timeout=10, autocommit=True)
        except psycopg.Error as exc:
            raise self.failed(exc) from None
        self._error = psycopg.Error

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql.replace("?", "%s"), list(params))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cur = self.con.execute(sql.replace("?", "%s"), list(params))
        return list(cur.fetchall())

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con.transaction():
            yield

    def lock(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(7261001)")

    def tables(self) -> set[str]:
        return {r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema()")}

    def close(self) -> None:
        self.con.close()


# -- the store ------------------------------------------------------------------------------------

class HistoryStore:
    """Monthly aggregates and plans, per estate (one store may serve several estates)."""

    def __init__(self, backend: _Backend) -> None:
        self.backend = backend

    @property
    def name(self) -> str:
        return self.backend.name

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Database errors become one clear SourceError line (exit 3)."""
        try:
            yield
        except self.backend._error as exc:  # type: ignore[attr-defined]
            raise self.backend.failed(exc) from None

    # schema
    def version(self) -> int:
        with self._guard():
            if "advisor_schema" not in self.backend.tables():
                return 0
            rows = self.backend.query("SELECT max(version) FROM advisor_schema")
            return int(rows[0][0] or 0)

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema to ``target`` (the current version unless a test asks for less)."""
        b = self.backend
        with self._guard(), b.transaction():
            b.lock()
            if "advisor_schema" not in b.tables():
                b.execute("CREATE TABLE advisor_schema (version INTEGER NOT NULL, "
                          "applied TEXT NOT NULL)")
            rows = b.query("SELECT max(version) FROM advisor_schema")
            have = int(rows[0][0] or 0)
            if have > SCHEMA_VERSION:
                raise InputError(f"the history store {self.name} has schema version {have}, "
                                 f"newer than this advisor knows ({SCHEMA_VERSION})",
                                 hint="upgrade advisor, or give another --store")
            for version in range(have + 1, target + 1):
                for statement in MIGRATIONS[version - 1]:
                    b.execute(statement)
                b.execute("INSERT INTO advisor_schema VALUES (?, ?)",
                          (version, dt.date.today().isoformat()))

    # writing
    def put_ledger(self, estate: str, m: LedgerMonth) -> None:
        """Replace the ledger part of one month (and cost basis)."""
        b = self.backend
        key = (estate, m.month, m.cost_basis)
        with self._guard(), b.transaction():
            b.lock()  # concurrent runs replace one month one after the other, never both
            b.execute("DELETE FROM advisor_ledger_month WHERE estate = ? AND month = ? AND "
                      "cost_basis = ?", key)
            b.execute("DELETE FROM advisor_ledger_cost WHERE estate = ? AND month = ? AND "
                      "cost_basis = ?", key)
            b.execute("INSERT INTO advisor_ledger_month VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (*key, m.currency, exact(m.total), exact(m.unallocated), m.line_items,
                       "\n".join(m.sources)))
            self._insert("advisor_ledger_cost", 8, [
                (*key, c.provider, c.location or "", c.application or "", exact(c.cost),
                 exact(c.unallocated)) for c in m.cells])

    def put_plan(self, estate: str, p: PlanMonth) -> None:
        """Replace the plan part of one month."""
        b = self.backend
        key = (estate, p.month)
        where = "estate = ? AND month = ?"
        with self._guard(), b.transaction():
            b.lock()
            for table in ("plan_month", "plan_workload", "plan_finding"):
                b.execute(f"DELETE FROM advisor_{table} WHERE {where}", key)  # noqa: S608
            b.execute("INSERT INTO advisor_plan_month (estate, month, currency, workloads, "
                      "moves, current_monthly_cost, recommended_monthly_cost, one_off_cost, "
                      "rightsizing_monthly_savings, solver_status, inhabitants) VALUES "
                      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (*key, p.currency, p.workloads, p.moves, exact(p.current_monthly_cost),
                       exact(p.recommended_monthly_cost), exact(p.one_off_cost),
                       exact(p.rightsizing_monthly_savings), p.solver_status, p.inhabitants))
            self._insert("advisor_plan_workload", 9, [
                (*key, r.workload, r.application, r.current_location, r.recommended_location,
                 exact(r.current_monthly_cost), exact(r.recommended_monthly_cost),
                 exact(r.one_off_cost)) for r in p.rows])
            self._insert("advisor_plan_finding", 5, [(*key, *f) for f in p.findings])

    def _insert(self, table: str, width: int, rows: list[tuple[Any, ...]],
                chunk: int = 500) -> None:
        """Many rows, a few hundred per statement (fast on both backends, no extra driver)."""
        one = "(" + ", ".join(["?"] * width) + ")"
        for i in range(0, len(rows), chunk):
            part = rows[i:i + chunk]
            sql = f"INSERT INTO {table} VALUES " + ", ".join([one] * len(part))  # noqa: S608
            self.backend.execute(sql,
                                 [v for row in part for v in row])

    # reading
    def ledger_months(self, estate: str, cost_basis: str, first: str,
                      last: str) -> list[LedgerMonth]:
        """The stored ledger months first..last (inclusive), oldest first."""
        b = self.backend
        with self._guard():
            heads = b.query(
                "SELECT month, currency, total, unallocated, line_items, sources FROM "
                "advisor_ledger_month WHERE estate = ? AND cost_basis = ? AND month >= ? AND "
                "month <= ? ORDER BY month", (estate, cost_basis, first, last))
            cells = b.query(
                "SELECT month, provider, location, application, cost, unallocated FROM "
                "advisor_ledger_cost WHERE estate = ? AND cost_basis = ? AND month >= ? AND "
                "month <= ? ORDER BY month, provider, location, application",
                (estate, cost_basis, first, last))
        by_month: dict[str, list[LedgerCell]] = {}
        for month, provider, location, application, cost, unallocated in cells:
            by_month.setdefault(month, []).append(LedgerCell(
                provider, location or None, application or None, Decimal(cost),
                Decimal(unallocated)))
        return [LedgerMonth(month, cost_basis, currency, Decimal(total), Decimal(unalloc),
                            int(items), tuple(s for s in sources.split("\n") if s),
                            tuple(by_month.get(month, ())))
                for month, currency, total, unalloc, items, sources in heads]

    def plan_months(self, estate: str, first: str, last: str) -> list[PlanMonth]:
        """The stored plans first..last (inclusive), oldest first."""
        b = self.backend
        args = (estate, first, last)
        with self._guard():
            heads = b.query(
                "SELECT month, currency, workloads, moves, current_monthly_cost, "
                "recommended_monthly_cost, one_off_cost, rightsizing_monthly_savings, "
                "solver_status, inhabitants FROM advisor_plan_month WHERE estate = ? AND "
                "month >= ? AND month <= ? ORDER BY month",
                args)
            rows = b.query(
                "SELECT month, workload, application, current_location, recommended_location, "
                "current_monthly_cost, recommended_monthly_cost, one_off_cost FROM "
                "advisor_plan_workload WHERE estate = ? AND month >= ? AND month <= ? "
                "ORDER BY month, workload", args)
            found = b.query("SELECT month, rule, severity, findings FROM advisor_plan_finding "
                            "WHERE estate = ? AND month >= ? AND month <= ? "
                            "ORDER BY month, rule, severity", args)
        by_month: dict[str, list[PlanRow]] = {}
        for month, *rest in rows:
            w, app, cur, rec, cur_cost, rec_cost, one_off = rest
            by_month.setdefault(month, []).append(PlanRow(
                w, app, cur, rec, Decimal(cur_cost), Decimal(rec_cost), Decimal(one_off)))
        findings: dict[str, list[tuple[str, str, int]]] = {}
        for month, rule, severity, count in found:
            findings.setdefault(month, []).append((rule, severity, int(count)))
        return [PlanMonth(month, currency, int(n), int(moves), Decimal(cur), Decimal(rec),
                          Decimal(one_off), Decimal(rs), status,
                          None if people is None else int(people),
                          tuple(by_month.get(month, ())), tuple(findings.get(month, ())))
                for month, currency, n, moves, cur, rec, one_off, rs, status, people in heads]
