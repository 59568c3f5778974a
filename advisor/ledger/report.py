"""The ledger: FOCUS billing rows in, exact costs per workload out.

DuckDB reads the files out of core (CSV, gzip CSV, Parquet) and sums DECIMAL(38, 18) exactly; no
row becomes a Python object. The work is three passes, each over less data than the one before:

1. **scan** (``advisor.ledger.scan``): one aggregate per group of alike files, keyed by the raw
   values the later passes need (provider, billing period, currency, the dimensions asked for, the
   tag values and ids the attribution rules look at). Bad values stop the scan and are located
   (file, row, column, value) before anything is shown.
2. **attribute**: the small scan table is joined to the workloads' ``cost_match`` rules in a fixed
   order of precedence; a row that matches none is ``unallocated``.
3. **report**: sums per requested dimension and per (currency, month), converted to the estate
   currency with the dated rate in force for that month, in Python ``Decimal``.

The invariant allocated + unallocated = total holds per provider and month, exactly (it is
checked on every run; a failure is a bug, reported as such).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError, InputError
from advisor.estate.model import Estate, ExchangeRate
from advisor.ledger.focus import ClusterTable, LedgerFile
from advisor.money import EXACT, cents
from advisor.month import Month

COST_BASES = {"billed": "BilledCost", "effective": "EffectiveCost", "list": "ListCost"}
SUMMARY_GRAIN = ("month", "workload", "location")  # what ``summarize`` reads
DIMENSIONS = ("provider", "account", "location", "region", "service", "charge_category",
              "application", "workload", "month")


def shown_split(total: Decimal, unallocated: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(total, allocated, unallocated) in cents such that the shown figures add up: total and
    unallocated are rounded, allocated is their difference (within a cent of its exact value)."""
    t, u = cents(total), cents(unallocated)
    return t, t - u, u


@dataclass(frozen=True)
class RateUse:
    """The rate a (currency, month) was converted with; ``date`` None for the estate currency."""

    currency: str
    month: str
    rate: Decimal
    date: dt.date | None


@dataclass(frozen=True)
class CostRow:
    keys: tuple[str | None, ...]  # one value per group-by dimension, None when the row has none
    cost: Decimal
    line_items: int
    unallocated: Decimal = Decimal(0)  # the part of ``cost`` that matched no workload


@dataclass(frozen=True)
class Balance:
    """The invariant for one provider and month: allocated + unallocated = total."""

    provider: str
    month: str
    total: Decimal
    allocated: Decimal
    unallocated: Decimal
    line_items: int

    @property
    def holds(self) -> bool:
        return EXACT.add(self.allocated, self.unallocated) == self.total


@dataclass
class LedgerReport:
    """Costs grouped as asked, in one currency and one cost basis, with the invariant per
    provider and month and the files and rates that produced them."""

    currency: str
    cost_basis: str
    group_by: tuple[str, ...]
    month: str | None
    rows: list[CostRow]
    total: Decimal
    allocated: Decimal
    unallocated: Decimal
    line_items: int
    balances: list[Balance]
    rates: list[RateUse]
    sources: list[tuple[str, int]]  # (file or URL, line items read)
    notes: list[str] = field(default_factory=list)
    # Set by whoever gathered the files: aws/azure sources that failed (source, message), and
    # what the cloud cost APIs were asked (paid and cached requests), for the command to show.
    failed_sources: list[tuple[str, str]] = field(default_factory=list)
    api_requests: tuple[int, int] = (0, 0)

    def to_json(self) -> dict[str, Any]:
        """The ``--format json`` document: amounts rounded to cents, rows sorted."""
        rows = []
        for row in self.rows:
            item: dict[str, Any] = dict(zip(self.group_by, row.keys, strict=True))
            item["cost"] = float(cents(row.cost))
            item["line_items"] = row.line_items
            rows.append(item)
        total, allocated, unallocated = shown_split(self.total, self.unallocated)
        balance = []
        for b in self.balances:
            b_total, b_alloc, b_unalloc = shown_split(b.total, b.unallocated)
            balance.append({"provider": b.provider, "month": b.month, "total": float(b_total),
                            "allocated": float(b_alloc), "unallocated": float(b_unalloc),
                            "line_items": b.line_items, "holds": b.holds})
        return {
            "currency": self.currency,
            "cost_basis": self.cost_basis,
            "group_by": list(self.group_by),
            "month": self.month,
            "rows": rows,
            "total": float(total),
            "allocated": float(allocated),
            "unallocated": float(unallocated),
            "line_items": self.line_items,
            "balance": balance,
            "rates": [
                {"currency": r.currency, "month": r.month, "rate": str(r.rate),
                 "date": r.date.isoformat() if r.date else None}
                for r in self.rates if r.date is not None
            ],
            "sources": [{"file": f, "line_items": n} for f, n in self.sources],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class LedgerSummary:
    """Billed cost of one month per workload and per location, for calibration in ``analyze``.

    ``by_workload`` maps workload id -> cost; ``by_location`` maps location id -> cost (a row goes
    to its workload's location, else to the estate location with the row's provider and region);
    ``unlocated`` is what matched no location. All amounts are exact ``Decimal`` in ``currency``.
    """

    month: str
    currency: str
    cost_basis: str
    by_workload: dict[str, Decimal]
    by_location: dict[str, Decimal]
    unallocated: Decimal
    unlocated: Decimal
    total: Decimal
    sources: tuple[str, ...]
    rates: tuple[RateUse, ...]
    failures: tuple[tuple[str, str], ...] = ()  # aws/azure sources that failed (exit 3)


# -- public entry points --------------------------------------------------------------------------

def has_ledger(estate: Estate) -> bool:
    """True when the estate configures a billing source: FOCUS files, or aws/azure cost APIs."""
    from advisor.estate.sources import BILLING_TYPES

    return any(s.type in BILLING_TYPES for s in estate.sources)


def check_request(month: str | None, group_by: Sequence[str], cost_basis: str
                  ) -> tuple[str, ...]:
    """Validate what a ledger read is asked for (before any file is fetched); the dimensions."""
    check_month(month)
    dims = check_group_by(group_by)
    if cost_basis not in COST_BASES:
        raise InputError(f"unknown cost basis '{cost_basis}'",
                         hint=f"one of: {', '.join(COST_BASES)}")
    return dims


def summarize(rep: LedgerReport, month: str | None = None) -> LedgerSummary:
    """Billed cost of ``month`` (YYYY-MM; None: the latest month in ``rep``) per workload id and
    per location id, with unallocated, total and the sources read, in the estate currency.

    ``rep`` must be grouped by (month, workload, location). For ``advisor analyze`` calibration:
    compare these with the modelled monthly cost of the current placement.
    """
    if tuple(rep.group_by) != SUMMARY_GRAIN:
        raise ValueError(f"summarize needs a report grouped by {SUMMARY_GRAIN}")
    found = sorted({r.keys[0] for r in rep.rows if r.keys[0]})
    if not found:
        raise InputError("the ledger holds no rows")
    month = month or found[-1]
    by_workload: dict[str, Decimal] = {}
    by_location: dict[str, Decimal] = {}
    unlocated = Decimal(0)
    total = Decimal(0)
    unallocated = Decimal(0)
    for row in rep.rows:
        row_month, workload, location = row.keys
        if row_month != month:
            continue
        total = EXACT.add(total, row.cost)
        unallocated = EXACT.add(unallocated, row.unallocated)
        if workload is not None:
            by_workload[workload] = EXACT.add(by_workload.get(workload, Decimal(0)), row.cost)
        if location is not None:
            by_location[location] = EXACT.add(by_location.get(location, Decimal(0)), row.cost)
        else:
            unlocated = EXACT.add(unlocated, row.cost)
    return LedgerSummary(
        month=month, currency=rep.currency, cost_basis=rep.cost_basis,
        by_workload=dict(sorted(by_workload.items())),
        by_location=dict(sorted(by_location.items())),
        unallocated=unallocated, unlocated=unlocated, total=total,
        sources=tuple(f for f, _ in rep.sources),
        rates=tuple(r for r in rep.rates if r.month == month),
        failures=tuple(rep.failed_sources))


def check_month(month: str | None) -> None:
    if month is not None:
        Month.parse(month)


def check_group_by(group_by: Sequence[str]) -> tuple[str, ...]:
    from advisor.estate.yamlfile import nearest

    dims: list[str] = []
    for dim in group_by:
        dim = dim.strip()
        if dim not in DIMENSIONS:
            near = nearest(dim, DIMENSIONS)
            raise InputError(f"unknown --group-by dimension '{dim}'",
                             hint=(f"did you mean '{near}'? " if near else "")
                             + f"one of: {', '.join(DIMENSIONS)}")
        if dim not in dims:
            dims.append(dim)
    return tuple(dims)


# -- the report -----------------------------------------------------------------------------------

def report(files: Sequence[LedgerFile | ClusterTable], estate: Estate | None,
           group_by: tuple[str, ...], cost_basis: str, month: str | None = None,
           notes: Sequence[str] = (), spool: Path | None = None) -> LedgerReport:
    """Scan, attribute and sum ``files`` (local files and cluster tables); see the module
    docstring for the passes. Each engine sends back grouped sums, merged here."""
    from advisor.ledger.engine import run

    raws = []
    local = [f for f in files if isinstance(f, LedgerFile)]
    if local:
        from advisor.ledger.scan import DuckDBEngine

        with DuckDBEngine(local, spool) as duck:
            raws.append(run(duck, estate, group_by, COST_BASES[cost_basis], month))
    clusters: dict[int, list[ClusterTable]] = {}
    for f in files:
        if isinstance(f, ClusterTable):
            clusters.setdefault(id(f.session), []).append(f)
    for tables in clusters.values():
        from advisor.ledger.spark import SparkEngine

        with SparkEngine(tables) as spark:
            raws.append(run(spark, estate, group_by, COST_BASES[cost_basis], month))
    months = sorted(set().union(*(r.months for r in raws)))
    if month is not None and month not in months:
        have = ", ".join(sorted(set().union(*(r.found for r in raws)))) or "none"
        raise InputError(f"the ledger holds no rows for {month} (months found: {have})",
                         hint="choose another --month")
    raw_rows = [row for r in raws for row in r.rows]
    raw_balance = [row for r in raws for row in r.balance]
    sources = sorted(s for r in raws for s in r.sources)
    currency = estate.currency if estate else _single_currency(raw_balance, files)
    rates: dict[tuple[str, str], RateUse] = {}

    def convert(amount: Decimal, cur: str, mon: str) -> Decimal:
        use = rates.get((cur, mon))
        if use is None:
            use = rates[(cur, mon)] = _rate_for(estate, currency, cur, mon, files)
        return EXACT.multiply(amount, use.rate)

    grouped: dict[tuple[str | None, ...], list[Any]] = {}
    for keys, cur, mon, amount, unallocated_part, count in raw_rows:
        slot = grouped.setdefault(keys, [Decimal(0), 0, Decimal(0)])
        slot[0] = EXACT.add(slot[0], convert(amount, cur, mon))
        slot[1] += count
        slot[2] = EXACT.add(slot[2], convert(unallocated_part, cur, mon))
    rows = [CostRow(k, v[0], v[1], v[2])
            for k, v in sorted(grouped.items(), key=lambda kv: _order(kv[0]))]
    sums: dict[tuple[str, str], list[Any]] = {}
    for provider, mon, cur, is_allocated, amount, count in raw_balance:
        slot = sums.setdefault((provider, mon), [Decimal(0), Decimal(0), Decimal(0), 0])
        value = convert(amount, cur, mon)
        slot[0] = EXACT.add(slot[0], value)
        part = 1 if is_allocated else 2
        slot[part] = EXACT.add(slot[part], value)
        slot[3] += count
    totals: dict[tuple[str, str, str], Decimal] = {}
    for r in raws:
        for key, amount in r.totals.items():
            if month is None or key[1] == month:
                totals[key] = EXACT.add(totals.get(key, Decimal(0)), amount)
    balances = []
    for (provider, mon), (total_from_parts, alloc, unalloc, count) in sorted(sums.items()):
        total = Decimal(0)
        for (p, m, cur), amount in totals.items():
            if (p, m) == (provider, mon):
                total = EXACT.add(total, convert(amount, cur, m))
        balance = Balance(provider, mon, total, alloc, unalloc, count)
        if not balance.holds or total_from_parts != total:
            raise AdvisorError(f"ledger invariant broken for {provider} {mon}: allocated {alloc} "
                               f"+ unallocated {unalloc} != total {total}",
                               "this is a bug in the advisor; please report it")
        balances.append(balance)
    total = _sum(b.total for b in balances)
    allocated = _sum(b.allocated for b in balances)
    unallocated = _sum(b.unallocated for b in balances)
    line_items = sum(b.line_items for b in balances)
    if sum(r.line_items for r in rows) != line_items:
        raise AdvisorError("ledger rows do not add up to the line items read",
                           "this is a bug in the advisor; please report it")
    return LedgerReport(
        currency=currency, cost_basis=cost_basis, group_by=group_by, month=month, rows=rows,
        total=total, allocated=allocated, unallocated=unallocated, line_items=line_items,
        balances=balances, rates=sorted(rates.values(), key=lambda r: (r.currency, r.month)),
        sources=sources, notes=list(notes))


def _sum(values: Any) -> Decimal:
    total = Decimal(0)
    for v in values:
        total = EXACT.add(total, v)
    return total


def _order(keys: tuple[str | None, ...]) -> tuple[tuple[int, str], ...]:
    """Sort key: values ascending, rows without a value (unallocated) last."""
    return tuple((1, "") if k is None else (0, k) for k in keys)


def _single_currency(balance: list[Any], files: Sequence[LedgerFile | ClusterTable]) -> str:
    found = sorted({row[2] for row in balance})
    if len(found) == 1:
        return str(found[0])
    if not found:
        raise InputError("the ledger holds no rows", file=files[0].origin if files else None)
    raise InputError(f"the billing data mixes currencies {', '.join(found)} and no exchange "
                     "rates are configured",
                     hint="give -c advisor.yaml with a currency and dated exchange_rates")


def _rate_for(estate: Estate | None, currency: str, cur: str, month: str,
              files: Sequence[LedgerFile | ClusterTable]) -> RateUse:
    """The rate in force for ``month``: the latest dated on or before the month's last day, or,
    when every rate is later, the earliest one. A currency without any rate is an error."""
    if cur == currency:
        return RateUse(cur, month, Decimal(1), None)
    found: list[ExchangeRate] = [r for r in (estate.exchange_rates if estate else [])
                                 if r.currency == cur]
    if not found:
        where = estate.path if estate else None
        raise InputError(
            f"billing rows in {cur} ({month}) but no exchange rate from {cur} to {currency}",
            file=where,
            hint=f"add '- {{currency: {cur}, rate: ..., date: YYYY-MM-DD}}' to exchange_rates")
    year, mon = int(month[:4]), int(month[5:7])
    end = dt.date(year + mon // 12, mon % 12 + 1, 1) - dt.timedelta(days=1)
    before = [r for r in found if r.date <= end]
    chosen = max(before, key=lambda r: r.date) if before else min(found, key=lambda r: r.date)
    return RateUse(cur, month, chosen.rate, chosen.date)
