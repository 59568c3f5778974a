"""The optimizer never recommends what the gate would fail: on small random estates with error
budget rules (per workload and per application), flow rules and label rules, every placement is
enumerated and judged by the gate of `advisor check --placement`; the cheapest placement that
adds no error finding must cost what the optimizer's does, to the cent, and the optimizer's
recommendation must add no error finding."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.estate.model import (
    Dependency,
    Estate,
    ExchangeRate,
    Location,
    PackRef,
    Prices,
    Resources,
    Workload,
)
from advisor.placement.checks import gate_findings, new_findings
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import build_plan, judge_plan, placement_objective
from advisor.placement.rule_rows import budget_rows
from advisor.rules import Budgets, evaluate, load_packs

PACK = """pack: rows
reviewed: 2026-12-01
rules:
  - id: B-W
    title: A workload stays within its budget (hard)
    severity: error
    basis: local
    budget: {per: workload}
  - id: B-A
    title: An application stays within its budget (hard)
    severity: error
    basis: local
    budget: {per: application}
  - id: F-1
    title: Personal data does not flow out of the EU
    severity: error
    basis: law
    when: {labels: {personal-data: personal}}
    flow: {require: {jurisdiction: [EU]}}
  - id: L-1
    title: Confidential data in public cloud needs a risk acceptance
    severity: error
    basis: local
    when: {labels: {data-classification: confidential}}
    where: {public_cloud: true}
    require_labels: [risk-acceptance]
  - id: W-1
    title: A warning priced by the optimizer
    severity: warning
    basis: local
    penalty_monthly: 7
    require: {cloud_act: false}
"""


def _estate(seed: int, pack: Path) -> tuple[Estate, Budgets]:
    rng = random.Random(seed)
    locs = []
    for i in range(rng.randint(2, 3)):
        onprem = i == 0
        locs.append(Location(
            id=f"l{i}", name=f"l{i}", provider="onprem" if onprem else rng.choice(["aws", "azure"]),
            region=f"r{i}", country="NL", jurisdiction=rng.choice(["EU", "EU", "OTHER"]),
            cloud_act=not onprem and rng.random() < 0.7,
            prices=Prices("EUR", Decimal(rng.choice(["0.02", "0.03", "0.05"])),
                          Decimal(rng.choice(["0.002", "0.004"])), Decimal("0.05"),
                          Decimal(rng.choice(["0", "0.05", "0.09"])))))
    n = rng.randint(3, 6)
    ws = []
    for k in range(n):
        deps = tuple(Dependency(f"w{j}", Decimal(rng.choice([0, 10, 100, 400])),
                                Decimal(rng.choice([0, 5, 50])),
                                colocate=rng.random() < 0.1)
                     for j in range(k) if rng.random() < 0.45)
        labels = {"personal-data": rng.choice(["none", "personal"]),
                  "data-classification": rng.choice(["internal", "confidential"])}
        if rng.random() < 0.3:
            labels["risk-acceptance"] = "RA-1"
        ws.append(Workload(
            id=f"w{k}", name=f"w{k}", application=rng.choice(["a", "b"]),
            location=rng.choice(locs).id,
            resources=Resources(Decimal(rng.choice([1, 2])), Decimal(rng.choice([2, 4])),
                                Decimal(rng.choice([0, 20]))),
            labels=labels,
            migration_cost=Decimal(rng.choice([0, 50, 200])),
            pinned=rng.random() < 0.1, depends_on=deps))
    estate = Estate(name="t", currency="EUR", locations=locs, workloads=ws,
                    exchange_rates=[ExchangeRate("USD", Decimal("0.9"), dt.date(2026, 1, 1))],
                    horizon_months=12, policies=[PackRef("rows", str(pack))])
    # Budgets around today's cost, so that some hold today and bind a move.
    model = CostModel(estate)
    current = {w.id: w.location for w in ws}
    cost = {w.id: model.run_monthly(w, w.location) + model.egress_monthly(w, current) for w in ws}
    factors = [Decimal("0.8"), Decimal("1"), Decimal("1.05"), Decimal("1.3")]
    per_workload = {w.id: (cost[w.id] * rng.choice(factors)).quantize(Decimal("0.01"))
                    for w in ws if rng.random() < 0.4}
    apps = {app: (sum((cost[w.id] for w in ws if w.application == app), Decimal(0))
                  * rng.choice(factors)).quantize(Decimal("0.01")) for app in ("a", "b")}
    return estate, Budgets(workloads=per_workload, applications=apps)


def _no_new_error(ev, estate, model, budgets, before, placement) -> bool:
    """What the optimizer promises: every error rule mask and pin, colocation and capacity
    holds, and no error finding appears that today's placement does not have."""
    idx = {loc.id: i for i, loc in enumerate(estate.locations)}
    for w in estate.workloads:
        here = placement[w.id]
        if w.pinned and here != w.location:
            return False
        if not w.pinned and not ev.allowed[w.id][idx[here]]:
            return False
        for d in w.depends_on:
            if d.colocate and here != placement[d.workload]:
                return False
    after = gate_findings(ev, estate, placement, costs=model, budgets=budgets)[0]
    return not any(f.severity == "error" for f in new_findings(before, after))


@pytest.mark.parametrize("seed", range(50))
def test_no_recommended_move_creates_an_error_finding(seed, tmp_path):
    pack = tmp_path / "rows.yaml"
    pack.write_text(PACK)
    estate, budgets = _estate(seed, pack)
    ev = evaluate(load_packs(estate.policies), estate, dt.date(2026, 12, 1))
    model = CostModel(estate)
    current = {w.id: w.location for w in estate.workloads}
    before = gate_findings(ev, estate, current, costs=model, budgets=budgets)[0]
    ids = [loc.id for loc in estate.locations]
    best = None
    for combo in itertools.product(ids, repeat=len(estate.workloads)):
        placement = dict(zip((w.id for w in estate.workloads), combo, strict=True))
        if _no_new_error(ev, estate, model, budgets, before, placement):
            cost = placement_objective(estate, model, ev, placement)
            best = cost if best is None or cost < best else best
    rows = budget_rows(estate, model, ev, budgets)
    sol = optimize(estate, model, ev, gap=1e-9, rows=rows)
    if best is None or sol.unplaceable:
        assert sol.status == "infeasible" or sol.unplaceable
        return
    assert sol.status == "optimal", sol.notes
    assert _no_new_error(ev, estate, model, budgets, before, sol.placement)
    got = placement_objective(estate, model, ev, sol.placement)
    assert abs(got - best) <= Decimal("0.01"), (got, best)
    plan = build_plan(estate, model, ev, sol)
    judge_plan(plan, ev, model, budgets)
    assert not [f for f in plan.new_findings if f.severity == "error"]
    for f in plan.new_findings:  # a new warning is listed beside a move that brings it
        assert any(f in r.new_findings for r in plan.recommendations), f


def test_a_budget_broken_today_is_reported_not_enforced(tmp_path):
    """A breach that exists today is a finding, not a new one: staying must stay possible."""
    pack = tmp_path / "rows.yaml"
    pack.write_text(PACK)
    estate, _ = _estate(3, pack)
    budgets = Budgets(applications={"a": Decimal("0.01"), "b": Decimal("0.01")})
    ev = evaluate(load_packs(estate.policies), estate, dt.date(2026, 12, 1))
    model = CostModel(estate)
    rows = budget_rows(estate, model, ev, budgets)
    assert not [r for r in rows if r.rule == "B-A"]
