"""The multi-year budget (meerjarenbegroting) of a plan: per calendar year, what the recommended
placement costs, split the way a municipal budget is.

Years: the ``years`` calendar years after the as-of day's year (default 4: next year's budget
and the three after it). The moves are carried out in the first year. Per year, exactly:

- operating: 12 x the plan's recommended monthly cost without its commitment lines, less the
  capital charges below;
- capital charges: depreciation of on-premise hardware, the hardware part of the run cost of the
  workloads at on-premise locations whose prices come from a ``tco`` block (the run cost of vCPU
  and memory x hardware_cost / amortization_months / the TCO's monthly cost); in the first year
  also the book value written off of locations the plan closes;
- commitments: each commitment's fee for its months in the year until it ends, less the
  list value of the use it covers in those months (the plan's cover, its average over the
  horizon, per month in force);
- one-off: the plan's one-off cost (migration, onboarding, closing), in the first year;
- total = operating + capital charges + commitments + one-off.

Beside it, not added: the commitments that end in the year, and the replacement investment of
hardware that stays in use: when its book value (depreciated at hardware_cost /
amortization_months a month from the as-of day) runs out, the hardware is replaced for
hardware_cost (the replacement cycle is amortization_months).

With scenarios (``budgets``), each scenario's recommended placement gets the same years as the
base plan (the as-of day is the base plan's), so the budgets compare year by year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.placement.plan import Plan

ZERO = Decimal(0)
TWELVE = Decimal(12)
PARTS = ("operating", "capital_charges", "commitments", "one_off")


@dataclass
class BudgetYear:
    year: int
    operating: Decimal
    capital_charges: Decimal
    commitments: Decimal
    one_off: Decimal
    ending: list[str] = field(default_factory=list)  # commitments that end in the year
    replacement: dict[str, Decimal] = field(default_factory=dict)  # location -> investment

    @property
    def total(self) -> Decimal:
        return self.operating + self.capital_charges + self.commitments + self.one_off

    def part(self, key: str) -> Decimal:
        value: Decimal = getattr(self, key)
        return value


def _months_in(year: int, start: dt.date, ends: dt.date | None) -> int:
    """Months of ``year`` from ``start``'s month on and up to ``ends``'s month (included)."""
    first = max(year * 12 + 1, start.year * 12 + start.month)
    last = year * 12 + 12 if ends is None else min(year * 12 + 12, ends.year * 12 + ends.month)
    return max(0, last - first + 1)


def capital_monthly(plan: Plan) -> dict[str, Decimal]:
    """Per on-premise location with a tco block: the depreciation in the recommended placement's
    monthly cost (the hardware share of its workloads' vCPU and memory run cost)."""
    model = plan.model
    assert model is not None
    out: dict[str, Decimal] = {}
    by_id = plan.estate.location_by_id()
    for r in plan.recommendations:
        loc = by_id[r.recommended_location]
        if loc.provider != "onprem" or loc.tco is None or loc.tco.monthly_cost() == 0:
            continue
        p = model.prices[loc.id]
        res = r.workload.resources
        cpu_mem = res.cpu * p.cpu_price_month + res.memory_gb * p.memory_price_gb_month
        share = loc.tco.hardware_cost / loc.tco.amortization_months / loc.tco.monthly_cost()
        out[loc.id] = out.get(loc.id, ZERO) + cpu_mem * share
    return out


def budget(plan: Plan, years: int = 4, first_year: int | None = None) -> list[BudgetYear]:
    """The plan's budget year by year (see the module docstring)."""
    assert plan.current is not None and plan.recommended is not None and plan.model is not None
    as_of = plan.as_of or dt.date.today()
    first = first_year or as_of.year + 1
    model = plan.model
    lines = plan.recommended.commitments
    monthly = plan.recommended.monthly - sum((c.net for c in lines), ZERO)
    capital = sum(capital_monthly(plan).values(), ZERO)
    one_off = sum(plan.recommended.one_offs().values(), ZERO)
    write_off = sum(plan.recommended.facilities.write_off.values(), ZERO)
    horizon = Decimal(plan.estate.horizon_months)
    commitments = {c.id: c for c in plan.estate.commitments}
    out = []
    for k in range(years):
        year = first + k
        paid = ZERO
        ending = []
        for line in lines:
            c = commitments[line.id]
            fee = model.rate(c.currency) * c.monthly
            in_force = _months_in(year, as_of, c.ends)
            # the plan's covered value is its average over the horizon: per month in force
            within = min(line.months_left, plan.estate.horizon_months)
            covered = line.covered * horizon / within if within else ZERO
            paid += (fee - covered) * in_force
            if c.ends is not None and c.ends.year == year:
                ending.append(f"{c.id} ({c.ends.isoformat()})")
        replacement = {}
        for loc in plan.estate.locations:
            t = loc.tco
            if t is None or loc.id not in plan.recommended.facilities.open or not loc.book_value:
                continue
            rate = t.hardware_cost / t.amortization_months
            months = loc.book_value / rate  # until the book value is spent
            due = as_of.year * 12 + as_of.month - 1 + int(months)
            if due // 12 == year:
                replacement[loc.id] = t.hardware_cost
        out.append(BudgetYear(year, TWELVE * (monthly - capital),
                              TWELVE * capital + (write_off if k == 0 else ZERO), paid,
                              one_off if k == 0 else ZERO, sorted(ending), replacement))
    return out


@dataclass
class PlanBudget:
    """The budget of one plan: the base plan (``name`` "base") or a scenario's."""

    name: str
    description: str
    years: list[BudgetYear]


def budgets(plan: Plan, runs: list[Any] | None, years: int = 4) -> list[PlanBudget]:
    """The base plan's budget and, for each scenario run (``advisor.planning.scenarios``), the
    budget of the scenario's recommended placement over the same calendar years; base first."""
    as_of = plan.as_of or dt.date.today()
    first = as_of.year + 1
    out = [PlanBudget("base", "", budget(plan, years, first))]
    for r in runs or []:
        out.append(PlanBudget(r.scenario.name, r.scenario.description,
                              budget(r.plan, years, first)))
    return out
