"""The pipeline behind ``advisor analyze``: files -> estate -> rules -> optimizer -> plan."""

from __future__ import annotations

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
                   headroom: Decimal = Decimal("1.2")) -> Plan:
    """Rules, costs, the optimizer and the plan; rightsizing for workloads with measured
    usage. The estate arrives with its sources already collected (``advisor.commands.sources``):
    nothing here reads the network."""
    from advisor.placement.rightsizing import rightsizing, usage_notes

    rules = load_rules(estate)
    ev = evaluate(rules, estate)
    model = CostModel(estate)
    solution = optimize(estate, model, ev, time_limit_s=time_limit_s, gap=gap)
    plan = build_plan(estate, model, ev, solution)
    plan.rightsizing = rightsizing(estate, model, headroom)
    plan.notes.extend(usage_notes(estate))
    return plan
