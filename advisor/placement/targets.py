"""Targets as constraints: shares of cloud spend (advisor.yaml ``targets:``).

Cloud spend is the monthly run and licence cost of the workloads placed in public clouds
(locations whose ``public_cloud`` attribute is true: every provider but onprem, unless a location
says otherwise), plus the fixed cost of SaaS locations (subscriptions, always paid); other fixed
costs, egress and one-offs are not in it. Each target is linear in the placement x[g, l]
(spend[g, l] is the unit's run and licence cost at l):

- share of the locations F with at least ``min``: sum spend[g, l] x[g, l] (1[l in F] - min)
  over cloud l >= 0; at most ``max``: sum spend x (max - 1[l in F]) >= 0;
- at most ``max`` per provider p: sum spend x (max - 1[l in p]) >= 0 over cloud l, per p.

So every target is one row sum_l weight[l] spend[g, l] x[g, l] >= 0 (``weights``); the solver adds
them as rows (``advisor.placement.milp._target_rows``). A target binds when its ``from`` day is
before the end of the horizon. The plan recomputes every share exactly and prices each target:
the objective with every target less the objective without that one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from advisor.estate.model import Estate, Location, Target

if TYPE_CHECKING:
    from advisor.placement.costs import CostModel
    from advisor.placement.plan import Plan
    from advisor.rules import Evaluation

ZERO = Decimal(0)


def is_cloud(loc: Location) -> bool:
    return bool(loc.attribute("public_cloud"))


def binding(estate: Estate, as_of: dt.date) -> list[Target]:
    """The targets that bind within the horizon from ``as_of``."""
    from advisor.estate.scenario import horizon_end

    end = horizon_end(as_of, estate.horizon_months)
    return [t for t in estate.targets if t.from_ is None or t.from_ < end]


def suppliers(estate: Estate) -> dict[str, str]:
    """Location id -> the provider a per-provider target counts it under: its provider, and for
    a SaaS location its supplier (the ``providers`` entry it names with ``supplier``), else the
    location itself."""
    out = estate.provider_ids()
    for loc in estate.locations:
        if out[loc.id] == "saas":
            out[loc.id] = estate.supplier_of(loc) or loc.id
    return out


def rows_of(estate: Estate, target: Target) -> list[tuple[str, np.ndarray]]:
    """(what the row says, weight per location) for each row the target makes."""
    provider_of = suppliers(estate)
    locs = estate.locations
    cloud = np.array([1.0 if is_cloud(loc) else 0.0 for loc in locs])
    if target.kind == "per_provider":
        assert target.maximum is not None
        mx = float(target.maximum)
        providers = sorted({provider_of[loc.id] for loc in locs if is_cloud(loc)})
        return [(f"provider {p}", cloud * np.array(
            [mx - (1.0 if provider_of[loc.id] == p else 0.0) for loc in locs]))
            for p in providers]
    inside = np.array([1.0 if target.matches(loc) else 0.0 for loc in locs])
    out = []
    if target.minimum is not None:
        out.append(("min", cloud * (inside - float(target.minimum))))
    if target.maximum is not None:
        out.append(("max", cloud * (float(target.maximum) - inside)))
    return out


@dataclass
class TargetResult:
    target: Target
    share: Decimal | None  # achieved (for per_provider: the largest provider's); None: no spend
    detail: str  # e.g. the largest provider
    met: bool
    price: Decimal | None  # objective with every target - without this one (None: not priced)
    binding: bool
    share_now: Decimal | None = None


def spend_by_location(estate: Estate, model: CostModel, placement: dict[str, str],
                      spend: dict[str, Decimal]) -> dict[str, Decimal]:
    """Cloud spend per cloud location: the run and licence cost (``spend``) of the workloads the
    placement puts there, and the fixed cost of SaaS locations (subscriptions: always paid)."""
    by_id = estate.location_by_id()
    out: dict[str, Decimal] = {}
    for w, loc_id in placement.items():
        if is_cloud(by_id[loc_id]):
            out[loc_id] = out.get(loc_id, ZERO) + spend[w]
    for loc in estate.locations:
        if loc.saas and is_cloud(loc):
            out[loc.id] = out.get(loc.id, ZERO) + model.prices[loc.id].fixed_monthly
    return out


def shares(estate: Estate, at: dict[str, Decimal], target: Target
           ) -> tuple[Decimal | None, str, bool]:
    """(achieved share, detail, met) of a target, exactly, from the cloud spend per location."""
    by_id = estate.location_by_id()
    provider_of = suppliers(estate)
    total = sum(at.values(), ZERO)
    if total == 0:
        return None, "no cloud spend", True
    if target.kind == "per_provider":
        per: dict[str, Decimal] = {}
        for loc, amount in at.items():
            per[provider_of[loc]] = per.get(provider_of[loc], ZERO) + amount
        top = max(sorted(per), key=lambda p: per[p])
        share = per[top] / total
        return share, f"largest: {top}", target.maximum is None or share <= target.maximum
    share = sum((a for loc, a in at.items() if target.matches(by_id[loc])), ZERO) / total
    met = (target.minimum is None or share >= target.minimum) and \
        (target.maximum is None or share <= target.maximum)
    return share, "", met


def results(plan: Plan, estate: Estate, model: CostModel, ev: Evaluation, time_limit_s: float,
            gap: float) -> list[TargetResult]:
    """Every target of the estate: the share today and after, whether the plan meets it, and
    its price (the objective with every binding target less the objective without this one:
    one more solve per binding target)."""
    from advisor.placement.optimize import optimize
    from advisor.placement.plan import placement_objective

    assert plan.as_of is not None
    active = binding(estate, plan.as_of)
    placement = {r.workload.id: r.recommended_location for r in plan.recommendations}
    spend = {r.workload.id: r.recommended_run + r.recommended_licences
             for r in plan.recommendations}
    after = spend_by_location(estate, model, placement, spend)
    today = spend_by_location(estate, model, {w.id: w.location for w in estate.workloads},
                              {r.workload.id: r.current_run + r.current_licences
                               for r in plan.recommendations})
    ok = plan.solver["status"] in ("optimal", "feasible")
    with_all = placement_objective(estate, model, ev, placement) if ok else None
    out = []
    for t in estate.targets:
        share, detail, met = shares(estate, after, t)
        now, _, _ = shares(estate, today, t)
        price = None
        if t in active and with_all is not None:
            others = [x for x in active if x is not t]
            sol = optimize(estate, model, ev, time_limit_s=time_limit_s, gap=gap,
                           start=placement, targets=others)
            if sol.status in ("optimal", "feasible"):
                price = with_all - placement_objective(estate, model, ev, sol.placement)
        out.append(TargetResult(t, share, detail, met, price, t in active, now))
    return out
