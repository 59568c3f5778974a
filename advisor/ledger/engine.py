"""Running the ledger's queries (``advisor.ledger.queries``) on an engine.

An engine is where the rows are summed: DuckDB on this machine (``advisor.ledger.scan``) or a
Spark cluster (``advisor.ledger.spark``). ``run`` drives the same passes on either and returns
only small, grouped results (``Raw``); the rows themselves never leave the engine.

Adding an engine (Trino/Athena, BigQuery, ...) is a subclass of ``Engine``: name its SQLGlot
dialect, run SQL (``run``/``fetch``), upload a small table, keep a temporary table, read Tags
(``tags``), say how each source is read (``Source.relation``) and turn its errors into ours.
The queries themselves are not touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.errors import InputError
from advisor.estate.model import Estate
from advisor.ledger import queries as Q
from advisor.ledger.queries import Layout, Rules


@dataclass
class Source:
    """One thing a scan reads in one statement: its layout, the SQL relation that reads it, the
    SQL of its ``_file`` key, and the source's own row filter."""

    layout: Layout
    relation: str
    file_sql: str
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class Raw:
    """What an engine sends back: grouped sums only (their size does not grow with rows)."""

    rows: list[tuple[tuple[str | None, ...], str, str, Any, Any, int]] = field(
        default_factory=list)
    balance: list[tuple[str, str, str, bool, Any, int]] = field(default_factory=list)
    sources: list[tuple[str, int]] = field(default_factory=list)
    totals: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)
    months: set[str] = field(default_factory=set)  # months in the result
    found: set[str] = field(default_factory=set)  # with a chosen month: every month the data has


class Engine:
    """What the ledger needs from an engine; the queries are the same for all."""

    dialect = "duckdb"

    def run(self, sql: str) -> None:
        raise NotImplementedError

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def small_table(self, name: str, columns: list[str], rows: list[list[str]]) -> None:
        """Upload a small table of strings (rules, workloads) as ``name``."""
        raise NotImplementedError

    def keep(self, name: str, selects: list[str], columns: str) -> None:
        """Make ``name`` a temporary table holding the union of ``selects`` (kept by the engine:
        the later queries read it, not the source)."""
        raise NotImplementedError

    def view(self, name: str, select: str) -> None:
        """Make ``name`` a temporary view of ``select``."""
        raise NotImplementedError

    def tags(self, layout: Layout, keys: Sequence[str]) -> tuple[str, list[str], str | None]:
        """How Tags are read: (inner select items, one expression per key, a condition on raw
        columns true where Tags is not a JSON object, or None when the engine stops there)."""
        raise NotImplementedError

    def sources(self) -> list[Source]:
        raise NotImplementedError

    def source_of(self, file_key: str) -> Source:
        """The source (one file where the engine can) behind a ``_file`` value."""
        raise NotImplementedError

    def origin(self, file_key: str) -> str:
        return file_key

    def locate(self, source: Source, column: str, value: str | None, problem: str,
               hint: str) -> InputError:
        """An input error naming the source, and the row where the engine can find it."""
        shown = "an empty value" if value is None else repr(_clip(str(value)))
        return InputError(f"column {column}: {shown} {problem}", file=source.layout.origin,
                          hint=hint)


def run(engine: Engine, estate: Estate | None, group_by: tuple[str, ...], cost_column: str,
        month: str | None) -> Raw:
    """Scan, check, attribute and sum on ``engine``; only grouped results come back."""
    rules = Rules(estate.workloads if estate else [])
    keys = Q.key_columns(group_by, rules)
    sources = engine.sources()
    selects = []
    for src in sources:
        where = Q.row_filter(src.layout, month, src.filters)
        selects.append(Q.scan_select(src.layout, src.relation, src.file_sql, keys, rules,
                                     cost_column, where, engine.tags(src.layout, rules.tag_keys)))
    engine.keep("g", selects, Q.g_columns(keys))
    for name, (cols, rows) in rules.tables.items():
        engine.small_table(name, cols, rows)
    tables = Q.estate_tables(estate.workloads if estate else [],
                             estate.locations if estate else [])
    for name, (cols, rows) in tables.items():
        engine.small_table(name, cols, rows)
    engine.view("a", Q.attributed(rules))
    checks = Q.checks(cost_column)
    raw = Raw()
    n = len(group_by)
    for part, *keys, amount, unallocated, count in engine.fetch(
            Q.results(group_by, month, [c[0] for c in checks] + [Q.NOT_A_DATE])):
        if part == "check":
            _check(engine, checks, keys, month)
        elif part == "total":
            raw.totals[(keys[0], keys[1], keys[2])] = amount
        elif part == "balance":
            raw.balance.append((keys[0], keys[1], keys[2], keys[3] == "a", amount, int(count)))
        elif part == "source":
            raw.sources.append((engine.origin(keys[0]), int(count)))
        else:
            raw.rows.append((tuple(keys[:n]), keys[n], keys[n + 1], amount, unallocated,
                             int(count)))
    raw.months = {r[1] for r in raw.balance}
    if month is not None and not raw.months:
        for src in sources:
            where = Q.row_filter(src.layout, None, src.filters)
            raw.found.update(r[0] for r in engine.fetch(Q.found_months(
                src.layout, src.relation, where)) if r[0])
    return raw


def _check(engine: Engine, checks: list[tuple[str, str, str, str]],
           failing: Sequence[str | None], month: str | None) -> None:
    """Stop at the first bad value, located as precisely as the engine can (the slow search for
    the value runs only when something is wrong). ``failing`` holds, per check and then for the
    dates, the first source that fails it."""
    for (cond, canonical, problem, hint), file_key in zip(checks, failing, strict=False):
        if file_key is None:
            continue
        src = engine.source_of(file_key)
        layout = src.layout
        name = layout.col(canonical) or canonical
        if canonical == "ServiceProviderName":
            name = layout.lower.get("serviceprovidername") or layout.lower["providername"]
        value = None
        if cond == "n_num < n_cost":
            where = Q.row_filter(layout, month, src.filters)
            found = engine.fetch(Q.bad_value(src.relation, name, Q.not_a_number(name), where))
            value = found[0][0] if found else None
            if value is not None and _is_big_number(str(value)):
                problem, hint = "is out of range", ("the ledger keeps 20 digits before the "
                                                    "decimal point and 18 after; check the "
                                                    "export's number format")
        elif canonical == "Tags":
            bad = engine.tags(layout, ["x"])[2]
            where = Q.row_filter(layout, month, src.filters)
            found = engine.fetch(Q.bad_value(src.relation, name, bad or "FALSE", where))
            value = found[0][0] if found else None
        raise engine.locate(src, name, value, problem, hint)
    file_key = failing[len(checks)]
    if file_key is not None:
        src = engine.source_of(file_key)
        value = engine.fetch(Q.first_bad_date(file_key))[0][0]
        raise engine.locate(src, src.layout.cols["BillingPeriodStart"], value, "is not a date",
                            "FOCUS dates are ISO 8601 such as 2026-10-01T00:00:00Z")


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _is_big_number(text: str) -> bool:
    """A number too large for the ledger's DECIMAL(38, 18), as opposed to no number at all."""
    import math

    try:
        return math.isfinite(float(text.strip()))
    except ValueError:
        return False
