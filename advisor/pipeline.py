"""The pipeline behind ``advisor analyze``: files -> estate -> rules -> optimizer -> plan."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from importlib import resources
from pathlib import Path

from advisor.estate.model import Estate
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import Plan, build_plan, judge_plan
from advisor.placement.rule_rows import Row, budget_rows
from advisor.rules import Budgets, Evaluation, Rule, evaluate, load_packs

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
                   waivers: str | None = None, budgets: Budgets | None = None,
                   banned: frozenset[str] = frozenset(),
                   start: dict[str, str] | None = None) -> Plan:
    """Rules, waivers, costs, the optimizer and the plan; rightsizing for workloads with
    measured usage. The estate arrives with its sources already collected
    (``advisor.commands.sources``): nothing here reads the network.

    Waivers (``waivers``, else waivers.yaml beside advisor.yaml) are judged as of ``as_of``
    (default today), as ``advisor check`` and ``advisor report`` judge them: a waived finding is
    shown as waived, its penalty does not count, and a waived error rule lets the workload stay
    where it runs. Evidence and exit plans are judged on ``as_of`` too. The recommendation is
    judged by the same gate as ``advisor check --placement``: error rules that depend on several
    workloads (budgets) are constraints of the optimizer, and the new warnings it accepts are
    listed beside the moves.

    ``banned``: locations no workload may use (a scenario's closed locations and excluded
    providers; pinned and SaaS workloads stay). ``start``: a placement the optimizer starts
    from where it can (a scenario starts from the base analysis)."""
    from advisor.check.waivers import load_waivers, waiver_view, waivers_file
    from advisor.estate.cost_checks import warnings
    from advisor.placement.rightsizing import rightsizing, usage_notes
    from advisor.rules import placement_findings

    as_of = as_of or dt.date.today()
    rules = load_rules(estate)
    ev = evaluate(rules, estate, as_of)
    model = CostModel(estate, as_of=as_of)
    current = {w.id: w.location for w in estate.workloads}
    if budgets is None:
        budgets = default_budgets(estate)
    found = placement_findings(ev, estate.workloads, current, costs=model, budgets=budgets)
    view = None
    path = waivers_file(estate.path, waivers)
    if path is not None:
        view = waiver_view(load_waivers(path, estate, [r.id for r in rules]), found, as_of)
        ev = ev.waived(view.workload_pairs(), current)
    if banned:
        ev = ban(estate, ev, banned)
    rows = budget_rows(estate, model, ev, budgets)
    deadline = time.perf_counter() + time_limit_s  # one limit for every solve of this run
    solution = optimize(estate, model, ev, time_limit_s=time_limit_s, gap=gap, rows=rows,
                        start=start)
    plan = build_plan(estate, model, ev, solution, view, found)
    judge_plan(plan, ev, model, budgets)
    from advisor.placement.sensitivity import attach

    attach(plan, model, ev)
    plan.provider_worth = provider_worth(plan, estate, model, ev,
                                         deadline - time.perf_counter(), gap, rows)
    if estate.targets:
        from advisor.placement.targets import results

        plan.targets = results(plan, estate, model, ev, deadline - time.perf_counter(), gap)
    plan.notes[:0] = warnings(estate)
    plan.rightsizing = rightsizing(estate, model, headroom)
    plan.notes.extend(usage_notes(estate))
    return plan


def default_budgets(estate: Estate) -> Budgets:
    """budgets.yaml beside advisor.yaml, as ``advisor check`` reads it (none: no budgets)."""
    from advisor.check.gate import file_beside, load_budgets

    return load_budgets(file_beside(estate.path, "budgets.yaml", None, "--budgets"), estate)


def provider_worth(plan: Plan, estate: Estate, model: CostModel, ev: Evaluation,
                   time_limit_s: float, gap: float,
                   rows: list[Row] | None = None) -> dict[str, Decimal]:
    """For each provider the plan starts using: how much more the best placement without it
    would cost per month (the objective, exactly), so the plan can say the estate-wide saving
    pays for the provider. One more solve per added provider."""
    from advisor.placement.plan import placement_objective

    if plan.current is None or plan.recommended is None:
        return {}
    added = sorted(plan.recommended.facilities.used - plan.current.facilities.used)
    if not added or plan.solver["status"] not in ("optimal", "feasible"):
        return {}
    deadline = time.perf_counter() + time_limit_s
    with_it = placement_objective(estate, model, ev, plan_placement(plan))
    out = {}
    for provider in added:
        if deadline - time.perf_counter() <= 0:
            break  # the run's time limit is spent: the worth of the others is not shown
        banned = frozenset(loc.id for loc in estate.locations
                           if model.provider_of[loc.id] == provider)
        without = optimize(estate, model, ban(estate, ev, banned),
                           time_limit_s=deadline - time.perf_counter(), gap=gap, rows=rows,
                           start=plan_placement(plan))
        if without.status in ("optimal", "feasible"):
            out[provider] = placement_objective(estate, model, ev, without.placement) - with_it
    return out


def ban(estate: Estate, ev: Evaluation, banned: frozenset[str]) -> Evaluation:
    """The evaluation with ``banned`` locations allowed to no workload (the optimizer still
    keeps pinned and SaaS workloads where they run)."""
    from dataclasses import replace

    out = [loc.id in banned for loc in estate.locations]
    allowed = {wid: tuple(ok and not out[i] for i, ok in enumerate(mask))
               for wid, mask in ev.allowed.items()}
    return replace(ev, allowed=allowed)


def plan_placement(plan: Plan) -> dict[str, str]:
    return {r.workload.id: r.recommended_location for r in plan.recommendations}
