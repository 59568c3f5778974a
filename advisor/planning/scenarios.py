"""Scenarios beside the base analysis: each scenario's estate (``advisor.estate.scenario``)
analyzed like the base one, warm-started from the base placement, and the moves that differ."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from advisor.estate.model import Estate
from advisor.estate.scenario import Scenario, apply
from advisor.placement.plan import Plan


@dataclass(frozen=True)
class Difference:
    """A workload the scenario places elsewhere than the base plan."""

    workload: str
    current: str
    base: str  # where the base plan puts it
    scenario: str  # where the scenario puts it


@dataclass
class ScenarioRun:
    scenario: Scenario
    plan: Plan
    differences: list[Difference] = field(default_factory=list)


def run_scenarios(estate: Estate, base: Plan, scenarios: list[Scenario], *,
                  as_of: dt.date | None = None, **kwargs: Any) -> list[ScenarioRun]:
    """Analyze every scenario (the arguments of ``analyze_estate`` in ``kwargs``), starting the
    optimizer from the base plan's placement."""
    from advisor.pipeline import analyze_estate, plan_placement

    day = as_of or base.as_of or dt.date.today()
    start = plan_placement(base)
    out = []
    for s in scenarios:
        applied = apply(estate, s, day)
        plan = analyze_estate(applied.estate, as_of=day, banned=applied.banned, start=start,
                              **kwargs)
        notes = list(applied.notes)
        for r in plan.recommendations:
            if r.recommended_location in applied.banned:
                notes.append(f"{r.workload.id} stays at {r.recommended_location}, which the "
                             f"scenario closes or excludes: "
                             + ("pinned" if r.workload.pinned else
                                "SaaS" if plan.estate.location_by_id()[
                                    r.recommended_location].saas else "no allowed location"))
        plan.notes[:0] = notes
        base_at = start
        diffs = [Difference(r.workload.id, r.current_location, base_at[r.workload.id],
                            r.recommended_location)
                 for r in plan.recommendations
                 if base_at.get(r.workload.id) != r.recommended_location]
        out.append(ScenarioRun(s, plan, diffs))
    return out

