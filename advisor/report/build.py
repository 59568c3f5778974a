"""The report's figures: the plan, the ledger and the history store, gathered into one value.

Order of work (``collect``): open the store (an unreachable one stops everything, exit 3), run the
analysis, read the ledger grouped by month, provider, location and application, store every
ledger month up to the reported one and the plan of the reported month (each replaces what the
store held), then read the trend window back from the store. The report is a function of the
store after that write, so the same input gives the same bytes, run after run.

Total IT cost of a month = what the bills say + the modelled cost of today's placement at every
location no bill covers (own data centres, usually). The report says which locations were
modelled, and from which month's plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.month import Month, month_add
from advisor.report.history import HistoryStore, LedgerCell, LedgerMonth, PlanMonth, PlanRow, exact

if TYPE_CHECKING:
    from advisor.estate.model import Estate
    from advisor.ledger.report import LedgerReport
    from advisor.placement.chains import Chain
    from advisor.placement.plan import Plan, Recommendation

GRAIN = ("month", "provider", "location", "application")
ZERO = Decimal(0)
PROVIDER_ORDER = ("onprem", "aws", "azure", "gcp", "other")
MAX_MOVES_SHOWN = 50
MAX_CHAINS_SHOWN = 20
TOP_APPLICATIONS = 15


# -- months ---------------------------------------------------------------------------------------

# -- one month's cost -----------------------------------------------------------------------------

def provider_key(name: str) -> str:
    """The estate's provider for a bill's provider name (AWS, Microsoft, On-premises...)."""
    n = name.lower()
    if "amazon" in n or n.startswith("aws"):
        return "aws"
    if "microsoft" in n or "azure" in n:
        return "azure"
    if "google" in n or n.startswith("gcp"):
        return "gcp"
    if "prem" in n:
        return "onprem"
    return n or "other"


@dataclass(frozen=True)
class MonthCost:
    """A month's IT cost in every split the report shows. Amounts are exact."""

    month: str
    total: Decimal
    billed: Decimal
    modelled: Decimal
    onprem: Decimal
    cloud: Decimal
    unallocated: Decimal | None  # None: no ledger
    by_provider: dict[str, Decimal]
    by_location: dict[str, Decimal]
    by_application: dict[str, tuple[Decimal, Decimal]]  # (billed, modelled)
    modelled_locations: tuple[str, ...]
    plan_month: str | None  # whose plan supplied the modelled part


def month_cost(estate: Estate, month: str, ledger: LedgerMonth | None,
               plan_rows: Sequence[PlanRow], plan_month: str | None) -> MonthCost:
    """Billed cells of the ledger plus today's modelled cost at locations no bill covers."""
    locations = estate.location_by_id()
    by_provider: dict[str, Decimal] = {}
    by_location: dict[str, Decimal] = {}
    by_app: dict[str, list[Decimal]] = {}
    onprem = cloud = billed = modelled = ZERO

    def add(provider: str, location: str | None, app: str | None, cost: Decimal,
            is_modelled: bool) -> None:
        nonlocal onprem, cloud, billed, modelled
        by_provider[provider] = by_provider.get(provider, ZERO) + cost
        if location:
            by_location[location] = by_location.get(location, ZERO) + cost
        if app:
            slot = by_app.setdefault(app, [ZERO, ZERO])
            slot[1 if is_modelled else 0] += cost
        if provider == "onprem":
            onprem += cost
        else:
            cloud += cost
        if is_modelled:
            modelled += cost
        else:
            billed += cost

    covered: set[str] = set()
    for c in ledger.cells if ledger else ():
        loc = locations.get(c.location) if c.location else None
        key = loc.provider if loc else provider_key(c.provider)
        add(key, c.location, c.application, c.cost, False)
        if c.location:
            covered.add(c.location)
    gaps: set[str] = set()
    for r in plan_rows:
        if r.current_location in covered:
            continue
        loc = locations.get(r.current_location)
        gaps.add(r.current_location)
        add(loc.provider if loc else "other", r.current_location, r.application,
            r.current_monthly_cost, True)
    return MonthCost(
        month=month, total=billed + modelled, billed=billed, modelled=modelled, onprem=onprem,
        cloud=cloud, unallocated=ledger.unallocated if ledger else None,
        by_provider=dict(sorted(by_provider.items(), key=lambda kv: provider_rank(kv[0]))),
        by_location=dict(sorted(by_location.items())),
        by_application={k: (v[0], v[1]) for k, v in sorted(by_app.items())},
        modelled_locations=tuple(sorted(gaps)), plan_month=plan_month if gaps else None)


def provider_rank(key: str) -> tuple[int, str]:
    return (PROVIDER_ORDER.index(key) if key in PROVIDER_ORDER else len(PROVIDER_ORDER), key)


# -- from the ledger and the plan to stored months ------------------------------------------------

def ledger_months(rep: LedgerReport) -> list[LedgerMonth]:
    """A ledger report grouped by GRAIN, one stored month per billing month."""
    assert tuple(rep.group_by) == GRAIN
    cells: dict[str, list[LedgerCell]] = {}
    for row in rep.rows:
        month, provider, location, application = row.keys
        if month is None:
            continue
        cells.setdefault(month, []).append(LedgerCell(
            provider or "", location, application, exact(row.cost), exact(row.unallocated)))
    heads: dict[str, list[Any]] = {}
    for b in rep.balances:
        slot = heads.setdefault(b.month, [ZERO, ZERO, 0])
        slot[0] += b.total
        slot[1] += b.unallocated
        slot[2] += b.line_items
    sources = tuple(f for f, _ in rep.sources)
    return [LedgerMonth(month, rep.cost_basis, rep.currency, exact(total), exact(unalloc), items,
                        sources, tuple(cells.get(month, ())))
            for month, (total, unalloc, items) in sorted(heads.items())]


def plan_month(plan: Plan, month: str) -> PlanMonth:
    s = plan.summary()
    counts: dict[tuple[str, str], int] = {}
    for f in plan.findings:
        counts[(f.rule, f.severity)] = counts.get((f.rule, f.severity), 0) + 1
    rows = tuple(PlanRow(r.workload.id, r.workload.application, r.current_location,
                         r.recommended_location, exact(r.current_monthly_cost),
                         exact(r.recommended_monthly_cost), exact(r.one_off_cost))
                 for r in plan.recommendations) + line_rows(plan)
    return PlanMonth(month, plan.currency, s["workloads"], s["moves"],
                     exact(s["current_monthly_cost"]), exact(s["recommended_monthly_cost"]),
                     exact(s["one_off_migration_cost"]), exact(s["rightsizing_monthly_savings"]),
                     str(plan.solver["status"]), plan.estate.inhabitants, rows,
                     tuple((r, sev, n) for (r, sev), n in sorted(counts.items())))


def line_rows(plan: Plan) -> tuple[PlanRow, ...]:
    """The plan's estate lines (fixed costs of locations and providers, commitments) as rows at
    a location, so that a month's modelled cost includes them where no bill covers the location
    (their application is empty: they belong to none). A provider's and a commitment's line sits
    where the provider runs most workloads today, whose bill holds its fees."""
    estate = plan.estate
    model = plan.model
    today: dict[str, int] = {}
    for w in estate.workloads:
        today[w.location] = today.get(w.location, 0) + 1
    out = []
    for line in plan.lines():
        if line.kind == "fixed":
            where = line.key
        elif model is None:
            continue
        else:  # where the provider runs most today: its bills there hold these fees
            if line.kind == "commitment":
                term = next(c for c in estate.commitments if c.id == line.key)
                owner = model.provider_of[term.location] if term.location else term.provider
            else:
                owner = line.key
            mine = sorted(k for k, v in model.provider_of.items() if v == owner)
            where = max(mine, key=lambda k: (today.get(k, 0), -mine.index(k)), default="")
        if where and line.now:
            out.append(PlanRow(f"({line.kind} {line.key})", "", where, where, exact(line.now),
                               exact(line.after), exact(line.one_off)))
    return tuple(out)


def source_names(estate: Estate) -> str:
    """The billing sources of the estate, for a message: 'aws (billing/aws), azure (...)'."""
    from advisor.estate.sources import BILLING_TYPES, FocusSettings

    out = []
    for s in estate.sources:
        if s.type in BILLING_TYPES:
            name = s.name if "name" in s.model_fields_set else s.type
            paths = ", ".join(s.paths) if isinstance(s, FocusSettings) else ""
            out.append(f"{name} ({paths})" if paths else name)
    return "; ".join(out) or "none"


def store_costs_option(estate: Estate | None, store_url: str, shown: LedgerReport,
                       regrouped: Callable[[], LedgerReport],
                       on_wait: Callable[[str], None] | None = None) -> str:
    """``advisor costs --store``: the ledger part of every month read, replacing what the store
    held for those months (the plan part stays). ``regrouped`` reads the same ledger grouped by
    ``GRAIN`` when ``shown`` is not. Returns the line to show."""
    from advisor.report.history import is_postgres, open_store

    if estate is None:
        raise InputError("--store needs the estate (-c advisor.yaml or --demo): the history "
                         "store keeps months per estate")
    if store_url and not is_postgres(store_url) and (
            "://" in store_url or Path(store_url).suffix.lower() in (".csv", ".gz", ".parquet")):
        from advisor.redact import redact_url

        raise InputError(f"--store took '{redact_url(store_url)}' as the history store",
                         hint="write --store=PATH, or put --store after the billing files")
    if shown.failed_sources:
        return "not stored in the history store: a source failed"
    rep = shown if tuple(shown.group_by) == GRAIN else regrouped()
    months = ledger_months(rep)
    with open_store(store_url or None, on_wait=on_wait) as store:
        for m in months:
            store.put_ledger(estate.name, m)
        name = store.name
    shown_months = f"{months[0].month}..{months[-1].month}" if len(months) > 1 else (
        months[0].month if months else "none")
    return (f"stored {len(months)} month(s) ({shown_months}, cost basis {rep.cost_basis}) in "
            f"{name}")


# -- the report -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FindingGroup:
    rule: str
    severity: str
    title: str
    references: str
    urls: tuple[str, ...]
    workloads: tuple[str, ...]
    waived: int


@dataclass(frozen=True)
class WaiverRow:
    rule: str
    subject: str
    application: bool
    owner: str
    expires: dt.date
    status: str  # valid | soon | expired
    reason: str
    reference: str | None
    used: int  # findings it waives this month


@dataclass(frozen=True)
class PriceSource:
    location: str
    name: str
    provider: str
    currency: str
    source: str  # "tco", "list:<file>" or the location's price-source label
    date: str | None


@dataclass(frozen=True)
class RateRow:
    currency: str
    rate: Decimal
    date: dt.date
    months: tuple[str, ...]  # bill months converted with it; empty: location prices
    prices: bool  # used for location prices


@dataclass
class Report:
    estate: str
    currency: str
    month: str
    cost_basis: str
    inhabitants: int | None
    horizon_months: int
    plan: Plan
    months: list[MonthCost]  # the trend window, oldest first, ends with ``current``
    current: MonthCost
    previous: MonthCost | None
    three: tuple[MonthCost, MonthCost] | None  # (two months back, now) when all three stored
    moves: list[Recommendation]
    findings: list[FindingGroup]
    waivers: list[WaiverRow] | None  # None: no waivers file
    prices: list[PriceSource]
    rates: list[RateRow]
    chains: list[Chain]
    chains_left_out: int
    has_ledger: bool
    sources: list[tuple[str, int]]
    notes: list[str] = field(default_factory=list)
    failed_sources: list[tuple[str, str]] = field(default_factory=list)
    store: str = ""
    scenarios: list[Any] = field(default_factory=list)  # advisor.planning.scenarios.ScenarioRun

    @property
    def summary(self) -> dict[str, Any]:
        return self.plan.summary()


def check_request(month: str | None, window: int) -> None:
    """The report's own arguments, checked before any work."""
    from advisor.ledger.report import check_month

    check_month(month)
    if window < 3:
        raise InputError("--months must be 3 or more (the three-month trend needs them)")


def report_month(estate: Estate, rep: LedgerReport | None, month: str | None) -> str:
    """The month to report: the one asked for (which the ledger must hold), else the ledger's
    latest; an estate without billing sources must be told the month."""
    if rep is None:
        if month is None:
            raise InputError("give --month YYYY-MM: the estate has no billing source to take "
                             "the latest month from")
        return month
    found = [m.month for m in ledger_months(rep)]
    if month is None and found:
        return found[-1]
    if month not in found:
        raise InputError(
            f"no billing data for {month}: the ledger holds "
            f"{', '.join(found) or 'no month'}; sources read: {source_names(estate)}")
    assert month is not None
    return month


def collect(store: HistoryStore, plan: Plan, rep: LedgerReport | None, *, month: str,
            cost_basis: str, window: int = 6, waivers: str | None = None) -> Report:
    """Everything ``advisor report`` shows (see the module docstring for the order). The
    command opened ``store``, ran the analysis (``plan``, calibrated for ``month``) and read
    the ledger grouped by ``GRAIN`` (``rep``; None without billing sources)."""
    estate = plan.estate
    notes: list[str] = []
    fresh: list[LedgerMonth] = []
    failed = list(plan.failed_sources)
    if rep is not None:
        fresh = ledger_months(rep)
        notes.extend(rep.notes)
        failed.extend(f for f in rep.failed_sources if f not in failed)
    fresh = [m for m in fresh if m.month <= month]
    own = plan_month(plan, month)
    if failed:  # never store partial figures: the report shows them, marked, once
        notes.append("not stored in the history store: a source failed")
    else:
        for m in fresh:
            store.put_ledger(estate.name, m)
        store.put_plan(estate.name, own)
        fresh = []
    first = month_add(month, -(window - 1))
    months = _trend(store, estate, month, first, cost_basis, rep is not None, fresh,
                    own if failed else None)
    name = store.name
    return _assemble(plan, month, cost_basis, months, rep, waivers, notes, failed, name)


def _trend(store: HistoryStore, estate: Estate, month: str, first: str, cost_basis: str,
           billed: bool, fresh: list[LedgerMonth], own: PlanMonth | None) -> list[MonthCost]:
    """Stored months first..month: ledger months when the estate has bills, else plan months;
    ``fresh`` and ``own`` (figures that were not stored) take the place of stored ones. A month
    without its own plan is modelled with the reported month's plan."""
    plans = {p.month: p for p in store.plan_months(estate.name, first, month)}
    if own is not None:
        plans[month] = own
    mine = plans[month]
    out = []
    if billed:
        ledgers = {m.month: m for m in store.ledger_months(estate.name, cost_basis, first, month)}
        ledgers.update((m.month, m) for m in fresh if m.month >= first)
        for key in sorted(ledgers):
            p = plans.get(key, mine)
            out.append(month_cost(estate, key, ledgers[key], p.rows, p.month))
    else:
        for key in sorted(plans):
            out.append(month_cost(estate, key, None, plans[key].rows, key))
    return out


def _assemble(plan: Plan, month: str, cost_basis: str, months: list[MonthCost],
              rep: LedgerReport | None, waivers: str | None, notes: list[str],
              failed: list[tuple[str, str]], store: str) -> Report:
    from advisor.placement.chains import chains

    estate = plan.estate
    current = next(m for m in months if m.month == month)
    previous = next((m for m in months if m.month == month_add(month, -1)), None)
    back2 = next((m for m in months if m.month == month_add(month, -2)), None)
    moves = sorted((r for r in plan.recommendations if r.moved),
                   key=lambda r: (-r.monthly_savings, r.workload.id))
    saved: dict[str, Decimal] = {}
    for r in moves:
        saved[r.workload.application] = saved.get(r.workload.application, ZERO) \
            + r.monthly_savings
    moving_apps = sorted(saved, key=lambda a: (-saved[a], a))
    found_chains = chains(plan, moving_apps[:MAX_CHAINS_SHOWN]) if moving_apps else []
    shown = sorted(found_chains, key=lambda c: c.application)
    groups, waiver_rows = _compliance(plan, month, waivers)
    return Report(
        estate=estate.name, currency=estate.currency, month=month, cost_basis=cost_basis,
        inhabitants=estate.inhabitants, horizon_months=estate.horizon_months, plan=plan,
        months=months, current=current, previous=previous,
        three=(back2, current) if back2 is not None and previous is not None else None,
        moves=moves, findings=groups, waivers=waiver_rows, prices=_prices(estate),
        rates=_rates(estate, rep, [m.month for m in months]), chains=shown,
        chains_left_out=len(moving_apps) - len(shown), has_ledger=rep is not None,
        sources=list(rep.sources) if rep is not None else [],
        notes=[*plan.notes, *(n for n in notes if n not in plan.notes),
               *plan.assumption_lines()],
        failed_sources=failed, store=store)


def _compliance(plan: Plan, month: str, waivers_path: str | None
                ) -> tuple[list[FindingGroup], list[WaiverRow] | None]:
    """Findings grouped by rule and severity, with the rule's title and references; the
    waivers file (if any) and which findings each waiver covers. A waiver's status is judged at
    the end of the reported month, so the same month always reads the same."""
    from advisor.check.waivers import load_waivers, waiver_view, waivers_file
    from advisor.pipeline import load_rules
    from advisor.rules import known_rule_ids

    estate = plan.estate
    rules = {r.id: r for r in load_rules(estate)}
    path = waivers_file(estate.path, waivers_path)
    loaded = load_waivers(path, estate, known_rule_ids(list(rules.values()))) if path else None
    end = Month.parse(month).last_day
    view = waiver_view(loaded or (), plan.findings, end)
    used: dict[int, int] = {}
    index = {id(w): i for i, w in enumerate(loaded or ())}
    grouped: dict[tuple[str, str], list[str]] = {}
    waived_n: dict[tuple[str, str], int] = {}
    for f in plan.findings:
        if f.rule in ("WAIVER-EXPIRED", "WAIVER-UNUSED"):
            continue  # the waivers table says it
        key = (f.rule, f.severity)
        grouped.setdefault(key, []).append(f.workload or f.subject or f.resource or "")
        w = view.waiver_of(f)
        if w is not None:
            used[index[id(w)]] = used.get(index[id(w)], 0) + 1
            waived_n[key] = waived_n.get(key, 0) + 1
    from advisor.rules import SEVERITY_RANK

    groups = []
    for (rule_id, severity), subjects in sorted(
            grouped.items(), key=lambda kv: (-SEVERITY_RANK.get(kv[0][1], 0), kv[0][0])):
        rule = rules.get(rule_id)
        groups.append(FindingGroup(
            rule_id, severity, rule.title if rule else _builtin_title(rule_id),
            rule.reference_text() if rule else "", tuple(rule.reference_urls()) if rule else (),
            tuple(sorted(set(subjects))), waived_n.get((rule_id, severity), 0)))
    rows = None
    if loaded is not None:
        rows = []
        for i, w in enumerate(loaded):
            status = "expired" if w.expired(end) else (
                "soon" if (w.expires - end).days <= 90 else "valid")
            rows.append(WaiverRow(w.rule, w.subject, w.application, w.owner, w.expires, status,
                                  w.reason, w.reference, used.get(i, 0)))
        rows.sort(key=lambda r: (r.expires, r.rule, r.subject))
    return groups, rows


def _builtin_title(rule: str) -> str:
    return {"UNPLACEABLE": "No allowed location"}.get(rule, rule)


def _prices(estate: Estate) -> list[PriceSource]:
    out = []
    for loc in estate.locations:
        label_source = loc.labels.get("price-source")
        if label_source:
            source = label_source
        elif loc.tco is not None:
            source = "tco"
        else:
            source = "list:" + (Path(loc.source.file).name if loc.source else "locations")
        out.append(PriceSource(loc.id, loc.name, loc.provider, loc.prices.currency, source,
                               loc.labels.get("price-date")))
    return out


def _rates(estate: Estate, rep: LedgerReport | None, months: list[str]) -> list[RateRow]:
    """Each dated rate used: for the location prices (the latest per currency) and for the
    bills of the months in the trend."""
    used: dict[tuple[str, Decimal, dt.date], set[str]] = {}
    for r in rep.rates if rep else ():
        if r.date is not None and r.month in months:
            used.setdefault((r.currency, r.rate, r.date), set()).add(r.month)
    price_currencies = {loc.prices.currency for loc in estate.locations} - {estate.currency}
    for cur in price_currencies:
        rate = estate.rate(cur)
        if rate is not None:
            used.setdefault((rate.currency, rate.rate, rate.date), set())
    out = []
    for (cur, rate_value, date), ms in sorted(used.items()):
        latest = estate.rate(cur)
        prices = cur in price_currencies and latest is not None and latest.date == date \
            and latest.rate == rate_value
        out.append(RateRow(cur, rate_value, date, tuple(sorted(ms)), prices))
    return out


def change(now: Decimal, before: Decimal) -> tuple[Decimal, Decimal | None]:
    """(difference, fraction of ``before``; None when before is zero)."""
    diff = now - before
    return diff, (None if before == 0 else diff / before)
