"""The optimizer against brute force: on small random estates, every feasible placement is
enumerated and the cheapest must equal the optimizer's objective, to the cent."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest

from advisor.estate.model import (
    Capacity,
    Dependency,
    Estate,
    ExchangeRate,
    Location,
    PackRef,
    Prices,
    Resources,
    Workload,
)
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import build_plan, placement_objective
from advisor.rules import evaluate, load_packs


def _estate(seed: int) -> Estate:
    rng = random.Random(seed)
    locs = []
    for i in range(rng.randint(2, 4)):
        onprem = i == 0
        locs.append(
            Location(
                id=f"l{i}",
                name=f"l{i}",
                provider="onprem" if onprem else rng.choice(["aws", "azure"]),
                region=f"r{i}",
                country="NL",
                jurisdiction=rng.choice(["EU", "EU", "OTHER"]),
                cloud_act=not onprem and rng.random() < 0.7,
                prices=Prices(
                    rng.choice(["EUR", "USD"]),
                    Decimal(rng.choice(["0.02", "0.03", "0.05"])),
                    Decimal(rng.choice(["0.002", "0.004"])),
                    Decimal("0.05"),
                    Decimal(rng.choice(["0", "0.05", "0.09"])),
                ),
                capacity=Capacity(Decimal(rng.choice([6, 10, 40])), None, None)
                if rng.random() < 0.5
                else None,
                latency_ms={f"l{j}": Decimal(rng.choice([2, 10, 30])) for j in range(i)},
            )
        )
    n = rng.randint(3, 6)
    ws = []
    for k in range(n):
        deps = []
        for j in range(k):
            if rng.random() < 0.4:
                deps.append(
                    Dependency(
                        f"w{j}",
                        Decimal(rng.choice([0, 10, 100, 400])),
                        Decimal(rng.choice([0, 5, 50])),
                        colocate=rng.random() < 0.15,
                        max_latency_ms=Decimal(rng.choice([5, 20])) if rng.random() < 0.2 else None,
                    )
                )
        ws.append(
            Workload(
                id=f"w{k}",
                name=f"w{k}",
                application="a",
                location=rng.choice(locs).id,
                resources=Resources(
                    Decimal(rng.choice([1, 2, 4])),
                    Decimal(rng.choice([2, 8])),
                    Decimal(rng.choice([0, 100])),
                ),
                labels={
                    "personal-data": rng.choice(["none", "personal", "special"]),
                    "data-classification": rng.choice(["internal", "confidential"]),
                },
                migration_cost=Decimal(rng.choice([0, 100, 1000])) if rng.random() < 0.8 else None,
                pinned=rng.random() < 0.1,
                depends_on=tuple(deps),
            )
        )
    return Estate(
        name="t",
        currency="EUR",
        locations=locs,
        workloads=ws,
        exchange_rates=[ExchangeRate("USD", Decimal("0.9"), dt.date(2026, 1, 1))],
        horizon_months=12,
        policies=[PackRef("builtin:sovereignty", None)],
    )


def _feasible(estate: Estate, ev, placement: dict[str, str]) -> bool:
    idx = {loc.id: i for i, loc in enumerate(estate.locations)}
    locs = {loc.id: loc for loc in estate.locations}
    for w in estate.workloads:
        here = placement[w.id]
        if w.pinned and here != w.location:
            return False
        if not w.pinned and not ev.allowed[w.id][idx[here]]:
            return False
        for d in w.depends_on:
            there = placement[d.workload]
            if d.colocate and here != there:
                return False
            if d.max_latency_ms is not None and here != there:
                lat = [
                    x
                    for x in (locs[here].latency_ms.get(there), locs[there].latency_ms.get(here))
                    if x is not None
                ]
                if not lat or min(lat) > d.max_latency_ms:
                    return False
    for loc in estate.locations:
        if loc.capacity and loc.capacity.cpu is not None:
            used = sum(w.resources.cpu for w in estate.workloads if placement[w.id] == loc.id)
            if used > loc.capacity.cpu:
                return False
    return True


@pytest.mark.parametrize("seed", range(60))
def test_optimizer_matches_brute_force(seed):
    estate = _estate(seed)
    ev = evaluate(load_packs(estate.policies), estate)
    model = CostModel(estate)
    ids = [loc.id for loc in estate.locations]
    best = None
    for combo in itertools.product(ids, repeat=len(estate.workloads)):
        placement = {w.id: loc for w, loc in zip(estate.workloads, combo, strict=True)}
        if _feasible(estate, ev, placement):
            cost = placement_objective(estate, model, ev, placement)
            best = cost if best is None or cost < best else best
    sol = optimize(estate, model, ev, gap=1e-9)
    plan = build_plan(estate, model, ev, sol)
    if best is None:
        assert sol.status == "infeasible" or sol.unplaceable
        return
    if sol.unplaceable:
        return  # brute force found a placement only by moving a workload the rules exclude
    assert sol.status == "optimal"
    assert _feasible(estate, ev, sol.placement)
    got = placement_objective(estate, model, ev, sol.placement)
    assert abs(got - plan.summary()["objective"]) < Decimal("1e-18")
    assert abs(got - best) <= Decimal("0.01"), (got, best)
