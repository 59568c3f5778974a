"""The pipeline behind ``advisor analyze``: files -> estate -> rules -> optimizer -> plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path

from advisor.estate.model import Estate
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import Plan, build_plan, judge_plan
from advisor.placement.rule_rows import budget_rows
from advisor.rules import Budgets, Rule, evaluate, load_packs

EXAMPLES = ("gemeente",)


def example_dir(name: str = "gemeente") -> Path:
    """The folder of a built-in example estate, shipped inside the package."""
    return Path(str(resources.files("advisor.examples").joinpath(name)))


def demo_config() -> Path:
    return example_dir("gemeente") / "advisor.yaml"


def load_rules(estate: Estate) -> list[Rule]:
    return load_packs(estate.policies, estate.path)


def analyze_estate(estate: Estate, *, time_limit_s: float = 300.0, gap: float = 1e-3,
                   headroom: Decimal = Decimal("1.2"), today: dt.date | None = None,
                   budgets: Budgets | None = None) -> Plan:
    """Rules, costs, the optimizer and the plan; rightsizing for workloads with measured
    usage. The estate arrives with its sources already collected (``advisor.commands.sources``):
    nothing here reads the network. Evidence and exit plans are judged on ``today`` (default:
    the system date). The recommendation is judged by the same gate as ``advisor check
    --placement``: error rules that depend on several workloads (budgets) are constraints of
    the optimizer, and the new warnings it accepts are listed beside the moves."""
    from advisor.placement.rightsizing import rightsizing, usage_notes

    rules = load_rules(estate)
    ev = evaluate(rules, estate, today)
    model = CostModel(estate)
    if budgets is None:
        budgets = default_budgets(estate)
    rows = budget_rows(estate, model, ev, budgets)
    solution = optimize(estate, model, ev, time_limit_s=time_limit_s, gap=gap, rows=rows)
    plan = build_plan(estate, model, ev, solution)
    judge_plan(plan, ev, model, budgets)
    plan.rightsizing = rightsizing(estate, model, headroom)
    plan.notes.extend(usage_notes(estate))
    return plan


def default_budgets(estate: Estate) -> Budgets:
    """budgets.yaml beside advisor.yaml, as ``advisor check`` reads it (none: no budgets)."""
    from advisor.check.gate import file_beside, load_budgets

    return load_budgets(file_beside(estate.path, "budgets.yaml", None, "--budgets"), estate)
