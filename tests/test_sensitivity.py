"""Sensitivity: at the price change a move reports, moving and staying cost the estate the same
(checked with the exact objective on the estate with that location's prices scaled)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.estate.load import load_estate
from advisor.estate.scenario import Scenario, apply
from advisor.pipeline import analyze_estate
from advisor.placement.costs import CostModel
from advisor.placement.plan import placement_objective
from advisor.rules import evaluate, load_packs

AS_OF = dt.date(2026, 12, 1)
DATA = Path(__file__).parent / "data" / "small"


def _difference(estate, where, wid, factor: dict[str, Decimal]) -> Decimal:
    """Objective with the workload moved less with it staying, prices scaled by ``factor``."""
    changed = apply(estate, Scenario("x", price_factors=factor), AS_OF).estate
    model = CostModel(changed, AS_OF)
    ev = evaluate(load_packs(changed.policies, changed.path), changed)
    stay = {**where, wid: estate.workload_by_id()[wid].location}
    return placement_objective(changed, model, ev, where) - \
        placement_objective(changed, model, ev, stay)


@pytest.fixture(scope="module")
def small_plan():
    estate = load_estate(DATA)
    return estate, analyze_estate(estate, as_of=AS_OF)


def test_the_flip_is_exact_for_a_move_s_own_terms(small_plan):
    estate, plan = small_plan
    where = {r.workload.id: r.recommended_location for r in plan.recommendations}
    moves = [r for r in plan.recommendations if r.moved and r.sensitivity is not None
             and r.sensitivity.target_change is not None]
    assert moves
    for r in moves:
        f = r.sensitivity
        assert f.own_saving > 0
        for loc, change in ((r.recommended_location, f.target_change),
                            (r.current_location, f.source_change)):
            if change is None:
                continue
            at = _difference(estate, where, r.workload.id, {loc: 1 + change})
            assert abs(at) < Decimal("1e-20"), (r.workload.id, loc, at)
            # a little further and staying is cheaper
            step = Decimal("0.01") if change > 0 else Decimal("-0.01")
            assert _difference(estate, where, r.workload.id, {loc: 1 + change + step}) > 0
        assert any(x.startswith("sensitivity: the decision flips if") for x in r.reasons)


def test_sensitivity_in_json(run_cli):
    code, out, err = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--format",
                             "json")
    assert code == 0, err
    recs = json.loads(out)["recommendations"]
    moved = [r for r in recs if r["current_location"] != r["recommended_location"]]
    assert all(r["sensitivity"] is not None for r in moved)
    assert all(r["sensitivity"] is None for r in recs if r not in moved)
    assert any(r["sensitivity"]["target_change_percent"] for r in moved)
    assert any(r["sensitivity"]["note"] for r in moved)
