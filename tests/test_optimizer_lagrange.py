"""Capacity priced by Lagrange multipliers (``advisor.placement.lagrange``), the optimizer's path
for coupled models too large for the simplex within the time limit. Forced here on small
estates (the size threshold set to 0) and checked against the MILP on the same estate: the
placement holds every pin, colocation, latency limit, capacity and hard rule; its objective is
what the cost model says it is; its bound is below the MILP's optimum and its gap is honest."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.estate.load import load_estate
from advisor.placement import optimize as optimize_module
from advisor.placement.checks import structural_findings
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import placement_objective
from advisor.rules import evaluate, load_packs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from estate_gen import make_estate, write_estate


@pytest.mark.parametrize("seed", [3, 5, 7, 11])
def test_lagrangian_placement_holds_every_constraint_and_bounds_the_optimum(
        tmp_path, monkeypatch, seed):
    # Capacity factor 0.7: on-premise capacity binds, so one coupled model is needed.
    estate = load_estate(write_estate(tmp_path, make_estate(500, 1200, 8, seed, 0.7)))
    ev = evaluate(load_packs(estate.policies, estate.path), estate)
    model = CostModel(estate)
    milp = optimize(estate, model, ev, time_limit_s=120)
    assert not any("Lagrange" in n for n in milp.notes)

    monkeypatch.setattr(optimize_module, "LARGE_MODEL_PAIRS", 0)
    # A 5% gap: the relaxation's answer stands (else the MILP would go on from it).
    relaxed = optimize(estate, model, ev, time_limit_s=120, gap=0.05)
    if milp.status == "infeasible":  # seeds 7 and 11: no placement holds every capacity
        assert relaxed.status == "infeasible"
        assert relaxed.placement == {w.id: w.location for w in estate.workloads}
        return
    assert milp.status == "optimal"
    assert any("Lagrange multipliers" in n for n in relaxed.notes), relaxed.notes
    assert relaxed.status in ("optimal", "feasible")

    assert structural_findings(estate, relaxed.placement) == []
    index = {loc.id: i for i, loc in enumerate(estate.locations)}
    for w in estate.workloads:
        at = relaxed.placement[w.id]
        assert at == w.location or ev.allowed[w.id][index[at]], (w.id, at)

    exact = placement_objective(estate, model, ev, relaxed.placement)
    assert abs(Decimal(str(float(relaxed.objective))) - exact) <= Decimal("0.05")
    optimum = placement_objective(estate, model, ev, milp.placement)
    bound = relaxed.objective - relaxed.gap * abs(relaxed.objective)
    # The bound is below the true optimum, which the MILP's placement is within its gap of.
    assert bound <= float(optimum) + 0.01
    assert float(exact) >= float(optimum) * (1 - milp.gap) - 0.01
    assert relaxed.status == "optimal" and relaxed.gap <= 0.05
