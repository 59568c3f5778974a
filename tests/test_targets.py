"""Targets as constraints: the optimizer meets them exactly (against brute force), prices them,
and bad targets exit 2."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from test_optimizer_exact import _estate, _feasible

from advisor.estate.model import Target
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import placement_objective
from advisor.placement.targets import shares, spend_by_location
from advisor.rules import evaluate, load_packs

TARGETS = [Target("share", {"cloud_act": "false"}, Decimal("0.4")),
           Target("per_provider", {}, None, Decimal("0.7"))]


def _met(estate, model, placement, targets) -> bool:
    spend = {w.id: model.run_monthly(w, placement[w.id]) + model.licence_monthly(w, placement[w.id])
             for w in estate.workloads}
    at = spend_by_location(estate, model, placement, spend)
    return all(shares(estate, at, t)[2] for t in targets)


@pytest.mark.parametrize("seed", range(40))
def test_targets_match_brute_force(seed):
    estate = replace(_estate(seed), targets=TARGETS)
    ev = evaluate(load_packs(estate.policies), estate)
    model = CostModel(estate)
    ids = [loc.id for loc in estate.locations]
    best = None
    for combo in itertools.product(ids, repeat=len(estate.workloads)):
        placement = {w.id: loc for w, loc in zip(estate.workloads, combo, strict=True)}
        if _feasible(estate, ev, placement) and _met(estate, model, placement, TARGETS):
            cost = placement_objective(estate, model, ev, placement)
            best = cost if best is None or cost < best else best
    sol = optimize(estate, model, ev, gap=1e-9)
    if sol.unplaceable:
        return  # brute force may move a workload the rules exclude
    if best is None:
        assert sol.status == "infeasible"
        return
    assert sol.status == "optimal"
    assert _feasible(estate, ev, sol.placement)
    assert _met(estate, model, sol.placement, TARGETS)
    got = placement_objective(estate, model, ev, sol.placement)
    assert abs(got - best) <= Decimal("0.01"), (got, best)


SOVEREIGN = """\
  - id: eu-sov
    provider: other
    region: nl-ams
    country: NL
    jurisdiction: EU
    cloud_act: false
    prices: {currency: EUR, cpu_hour: 0.06, memory_gb_hour: 0.006, storage_gb_month: 0.1,
             egress_gb: 0.02}
    latency_ms: {dc: 3, aws-fra: 9}
"""


def _with_targets(small_estate, targets: str) -> None:
    locs = small_estate / "locations.yaml"
    locs.write_text(locs.read_text() + SOVEREIGN)
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + targets)


def test_a_binding_target_is_met_and_priced(run_cli, small_estate):
    _with_targets(small_estate, "targets:\n  - share_of_cloud_spend: {cloud_act: false}\n"
                                "    min: 0.5\n    from: 2027-06-01\n"
                                "  - max_share_per_provider: 0.9\n"
                                "  - share_of_cloud_spend: {country: CH}\n    max: 0.1\n"
                                "    from: 2040-01-01\n")
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q", "--as-of", "2026-12-01",
                             "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    first, second, third = doc["targets"]
    assert first["binding"] and first["met"] and first["share_after"] >= 0.5
    assert first["price_monthly"] > 0  # it costs something: the sovereign cloud is dearer
    assert second["met"] and second["share_after"] <= 0.9
    assert not third["binding"] and third["price_monthly"] is None
    code, out, _ = run_cli("analyze", "-c", str(small_estate), "-q", "--as-of", "2026-12-01")
    words = " ".join(out.split())  # the table wraps its long cells to fit 100 columns
    assert "Targets (shares of cloud spend" in words and "after the horizon: not binding" in words
    assert max(len(x) for x in out.splitlines()) <= 100
    code, md, _ = run_cli("analyze", "-c", str(small_estate), "-q", "--as-of", "2026-12-01",
                          "--format", "markdown")
    assert "## Targets" in md


@pytest.mark.parametrize(("targets", "line", "message"), [
    ("  - share_of_cloud_spend: {cloud_act: false}\n    min: 1.3\n", 13,
     "a share is between 0 and 1, got 1.3"),
    ("  - max_share_per_provider: 2\n", 12, "a share is between 0 and 1, got 2"),
    ("  - share_of_cloud_spend: {cloud_act: false}\n", 12, "needs min or max"),
    ("  - {max_share_per_provider: 0.5, min: 0.1}\n", 12, "min and max belong to"),
    ("  - {min: 0.1}\n", 12, "either share_of_cloud_spend"),
    ("  - share_of_cloud_spend: {cloud_akt: false}\n    min: 0.3\n", 12,
     "unknown location attribute 'cloud_akt'"),
])
def test_bad_targets_exit_2(run_cli, small_estate, targets, line, message):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "targets:\n" + targets)
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q")
    assert code == 2 and out == ""
    assert message in err and f"{main}:{line}" in err
