"""The pipeline behind ``advisor analyze``: files -> estate -> rules -> optimizer -> plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path

from advisor.estate.model import Estate
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import Plan, build_plan
from advisor.rules import Rule, evaluate, load_packs

EXAMPLES = ("gemeente",)


def example_dir(name: str = "gemeente") -> Path:
    """The folder of a built-in example estate, shipped inside the package."""
    return Path(str(resources.files("advisor.examples").joinpath(name)))


def demo_config() -> Path:
    return example_dir("gemeente") / "advisor.yaml"


def load_rules(estate: Estate) -> list[Rule]:
    return load_packs(estate.policies, estate.path)


def analyze_estate(estate: Estate, *, time_limit_s: float = 300.0, gap: float = 1e-3,
                   headroom: Decimal = Decimal("1.2"), as_of: dt.date | None = None,
                   waivers: str | None = None) -> Plan:
    """Rules, waivers, costs, the optimizer and the plan; rightsizing for workloads with
    measured usage. The estate arrives with its sources already collected
    (``advisor.commands.sources``): nothing here reads the network.

    Waivers (``waivers``, else waivers.yaml beside advisor.yaml) are judged as of ``as_of``
    (default today), as ``advisor check`` and ``advisor report`` judge them: a waived finding is
    shown as waived, its penalty does not count, and a waived error rule lets the workload stay
    where it runs."""
    from advisor.check.gate import file_beside, load_budgets
    from advisor.check.waivers import load_waivers, waiver_view, waivers_file
    from advisor.estate.cost_checks import warnings
    from advisor.placement.rightsizing import rightsizing
    from advisor.rules import placement_findings

    as_of = as_of or dt.date.today()
    rules = load_rules(estate)
    ev = evaluate(rules, estate)
    model = CostModel(estate, as_of=as_of)
    current = {w.id: w.location for w in estate.workloads}
    budgets = load_budgets(file_beside(estate.path, "budgets.yaml", None, "--budgets"), estate)
    found = placement_findings(ev, estate.workloads, current, costs=model, budgets=budgets)
    view = None
    path = waivers_file(estate.path, waivers)
    if path is not None:
        view = waiver_view(load_waivers(path, estate, [r.id for r in rules]), found, as_of)
        ev = ev.waived(view.workload_pairs(), current)
    solution = optimize(estate, model, ev, time_limit_s=time_limit_s, gap=gap)
    plan = build_plan(estate, model, ev, solution, view, found)
    plan.notes[:0] = warnings(estate)
    plan.rightsizing = rightsizing(estate, model, headroom)
    return plan
