"""Scenarios beside the base plan: one row each (monthly cost now and after, saving, one-off
cost, moves, payback, findings, objective) and the moves each scenario makes differently; as a
terminal table, Markdown and JSON (the plan's shapes, ``advisor.outputs.plan_json``)."""

from __future__ import annotations

from typing import Any

from tabulate import tabulate

from advisor.money import money_text
from advisor.outputs.escape import markdown_text
from advisor.outputs.statement import statement
from advisor.placement.plan import Plan
from advisor.planning.scenarios import ScenarioRun

HEADERS = ["scenario", "now/mo", "after/mo", "saving/mo", "one-off", "moves", "payback",
           "findings", "objective/mo"]
MAX_DIFFERENCES = 25  # per scenario in the table and Markdown (JSON has them all)


def _payback(plan: Plan) -> str:
    from advisor.outputs.plan_text import _payback as text

    s = plan.summary()
    return text(s["one_off_cost"], s["monthly_savings"])


def row(name: str, plan: Plan) -> list[str]:
    """A scenario's figures as shown (the statement's cents: they add up as in its plan)."""
    st = statement(plan)
    s = plan.summary()
    return [name, money_text(st.total.now), money_text(st.total.after),
            money_text(st.total.saving), money_text(st.total.one_off), str(s["moves"]),
            _payback(plan), str(len(plan.findings)), money_text(st.objective[-1][2])]


def rows(base: Plan, runs: list[ScenarioRun]) -> list[list[str]]:
    return [row("base", base), *(row(r.scenario.name, r.plan) for r in runs)]


def difference_rows(run: ScenarioRun, limit: int | None = MAX_DIFFERENCES) -> list[list[str]]:
    shown = run.differences if limit is None else run.differences[:limit]
    return [[d.workload, d.current, d.base, d.scenario] for d in shown]


DIFF_HEADERS = ["workload", "now", "base plan", "this scenario"]


def _more(run: ScenarioRun) -> str | None:
    left = len(run.differences) - MAX_DIFFERENCES
    return f"... and {left} more (all of them in --format json)" if left > 0 else None


def render_table(base: Plan, runs: list[ScenarioRun]) -> str:
    c = base.currency
    out = [f"Scenarios beside the base plan (amounts in {c}; findings: rules today's placement "
           "breaks under the scenario's packs):", "",
           tabulate(rows(base, runs), headers=HEADERS, tablefmt="simple", disable_numparse=True,
                    colalign=("left",) + ("right",) * 8), ""]
    for r in runs:
        title = f"Scenario {r.scenario.name}"
        if r.scenario.description:
            title += f" ({r.scenario.description})"
        out.append(f"{title}: {len(r.differences)} workload(s) placed differently from the base "
                   "plan" + (":" if r.differences else "."))
        if r.differences:
            out.append(tabulate(difference_rows(r), headers=DIFF_HEADERS, tablefmt="simple",
                                disable_numparse=True))
            more = _more(r)
            if more:
                out.append(more)
        out.extend(f"  note: {n}" for n in r.plan.notes)
        out.append("")
    return "\n".join(out)


def render_markdown(base: Plan, runs: list[ScenarioRun], heading: str = "##") -> str:
    from advisor.outputs.plan_text import _md_rows

    out = [f"{heading} Scenarios", "",
           f"Amounts in {markdown_text(base.currency)}; findings: rules today's placement breaks "
           "under the scenario's packs.", "",
           *_md_rows(HEADERS, rows(base, runs)), ""]
    for r in runs:
        out.append(f"{heading}# {markdown_text(r.scenario.name)}")
        out.append("")
        if r.scenario.description:
            out += [markdown_text(r.scenario.description), ""]
        out.append(f"{len(r.differences)} workload(s) placed differently from the base plan.")
        out.append("")
        if r.differences:
            out += [*_md_rows(DIFF_HEADERS, difference_rows(r), left=4), ""]
            more = _more(r)
            if more:
                out += [markdown_text(more), ""]
        out.extend(f"- note: {markdown_text(n)}" for n in r.plan.notes)
        if r.plan.notes:
            out.append("")
    return "\n".join(out)


def scenarios_json(runs: list[ScenarioRun]) -> list[dict[str, Any]]:
    """``scenarios`` of the JSON plan: each in the base plan's shapes."""
    from advisor.outputs.plan_json import plan_to_dict

    out = []
    for r in runs:
        whole = plan_to_dict(r.plan)
        out.append({
            "name": r.scenario.name,
            "description": r.scenario.description,
            "summary": whole["summary"],
            "recommendations": whole["recommendations"],
            "lines": whole["lines"],
            "solver": whole["solver"],
            "assumptions": whole["assumptions"],
            "notes": whole["notes"],
            "findings": whole["findings"],
            "differences": [{"workload": d.workload, "current_location": d.current,
                             "base_location": d.base, "scenario_location": d.scenario}
                            for d in r.differences],
        })
    return out
