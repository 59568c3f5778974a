"""The plan as JSON: stable keys, sorted, byte-identical for the same input."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from advisor.outputs.money import number
from advisor.outputs.statement import calibration_rows, statement
from advisor.placement.plan import Plan
from advisor.rules import Finding
from advisor.schemas.plan import SCHEMA_ID

# Exact figures the statement shows differently (apportioned, or as parts of another key).
LEFT_OUT = ("current_split", "recommended_split", "moves_monthly_savings",
            "stays_monthly_savings", "lines_monthly_savings", "amortized_migration_monthly",
            "amortized_one_off_monthly")


def plan_to_dict(plan: Plan, *, include_seconds: bool = False) -> dict[str, Any]:
    """The documented JSON shape (schema: advisor/schemas/plan.schema.json).

    Amounts are the shown figures of ``advisor.outputs.statement``: cents that add up (the
    recommendations and ``lines`` to the summary's totals, each breakdown to its row, each split
    to its total, the objective's parts to the objective). ``solver.seconds`` varies run to run,
    so it is rounded to 0.1 s and only emitted when asked (``--timings``); without it the output
    is byte-identical for the same input."""
    st = statement(plan)
    summary = {k: _value(v) for k, v in plan.summary().items() if k not in LEFT_OUT}
    summary.update({
        "current_monthly_cost": number(st.total.now),
        "recommended_monthly_cost": number(st.total.after),
        "monthly_savings": number(st.total.saving),
        "one_off_cost": number(st.total.one_off),
        "savings": {k: number(v) for k, v in st.savings.items()},
        "split": {k: {"current": number(v.now), "recommended": number(v.after)}
                  for k, v in st.split.items()},
        "objective_parts": [{"part": key, "label": label, "amount": number(amount)}
                            for key, label, amount in st.objective[:-1]],
        "objective": number(st.objective[-1][2]),
        "as_of": plan.as_of.isoformat() if plan.as_of else None,
    })
    if plan.estate.it_benchmark is not None:
        b = plan.estate.it_benchmark
        summary["it_benchmark"] = {"per_inhabitant_year": number(b.per_inhabitant_year),
                                   "year": b.year, "source": b.source}
    recs = []
    for r in plan.recommendations:
        shown = st.workloads[r.workload.id]
        now, after = st.breakdown[r.workload.id]
        recs.append({
            "workload": r.workload.id,
            "application": r.workload.application,
            "current_location": r.current_location,
            "recommended_location": r.recommended_location,
            "current_monthly_cost": number(shown.now),
            "recommended_monthly_cost": number(shown.after),
            "monthly_savings": number(shown.saving),
            "one_off_cost": number(shown.one_off),
            "payback_months": None if r.payback_months is None else float(r.payback_months),
            "breakdown": {
                "current": {k: number(v) for k, v in now.items()},
                "recommended": {**{k: number(v) for k, v in after.items()},
                                "migration_monthly": number(r.migration_monthly),
                                "penalty_monthly": number(r.penalty_monthly)},
            },
            "next_best": None if r.next_best is None else
            {"location": r.next_best.location, "monthly_cost": number(r.next_best.monthly_cost),
             "objective_delta": number(r.next_best.delta)},
            "reasons": r.reasons,
            "excluded": r.excluded,
            "unavailable": r.unavailable,
            "rules": r.rules,
            "new_findings": [_finding(plan, f) for f in r.new_findings],
            "sensitivity": _sensitivity(r.sensitivity),
        })
    solver: dict[str, Any] = {"status": plan.solver["status"],
                              "gap": round(float(plan.solver["gap"]), 6),
                              "components": plan.solver["components"]}
    if include_seconds:
        solver["seconds"] = round(float(plan.solver["seconds"]), 1)
    else:
        solver["seconds"] = None
    doc = {
        "$schema": SCHEMA_ID,
        "estate": plan.estate.name,
        "currency": plan.currency,
        "exchange_rates": [{"currency": r.currency, "rate": float(r.rate),
                            "date": r.date.isoformat()}
                           for r in sorted(plan.estate.exchange_rates,
                                           key=lambda r: (r.currency, r.date))],
        "assumptions": plan.assumptions,
        "summary": summary,
        "solver": solver,
        "recommendations": recs,
        "lines": [{"kind": line.kind, "id": line.key, "label": line.label,
                   "current_monthly_cost": number(shown.now),
                   "recommended_monthly_cost": number(shown.after),
                   "monthly_savings": number(shown.saving), "one_off_cost": number(shown.one_off)}
                  for line, shown in st.lines],
        "locations": _locations(plan),
        "providers": _providers(plan),
        "commitments": _commitments(plan),
        "findings": [_finding(plan, f) for f in plan.findings],
        "new_findings": [_finding(plan, f) for f in plan.new_findings],
        "rule_assumptions": _rule_assumptions(plan),
        "notes": plan.notes,
        "failed_sources": [{"source": s, "error": e} for s, e in plan.failed_sources],
        "calibration": _calibration(plan),
        "rightsizing": [{
            "workload": r.workload, "location": r.location,
            "cpu": float(r.cpu), "memory_gb": float(r.memory_gb),
            "cpu_p95": None if r.cpu_p95 is None else float(r.cpu_p95),
            "memory_gb_p95": None if r.memory_gb_p95 is None else float(r.memory_gb_p95),
            "recommended_cpu": float(r.recommended_cpu),
            "recommended_memory_gb": float(r.recommended_memory_gb),
            "monthly_cost": number(r.monthly_cost),
            "recommended_monthly_cost": number(r.recommended_monthly_cost),
            "monthly_savings": number(r.monthly_saving)} for r in plan.rightsizing],
    }
    if plan.targets:
        from advisor.outputs.targets_text import targets_json

        doc["targets"] = targets_json(plan)
    return doc


def _sensitivity(f: Any) -> dict[str, Any] | None:
    """A move's flip (``advisor.placement.sensitivity``): price changes as percentages."""
    if f is None:
        return None

    def pct(x: Decimal | None) -> float | None:
        return None if x is None else round(float(x * 100), 2)

    return {"target_change_percent": pct(f.target_change),
            "source_change_percent": pct(f.source_change),
            "own_monthly_savings": number(f.own_saving), "note": f.note or None}


def _finding(plan: Plan, f: Finding) -> dict[str, Any]:
    waiver = plan.waivers.waiver_of(f) if plan.waivers is not None else None
    return {"rule": f.rule, "severity": f.severity, "workload": f.workload,
            "subject": f.subject, "location": f.location, "message": f.message,
            "waived": None if waiver is None else {
                "owner": waiver.owner, "expires": waiver.expires.isoformat(),
                "reason": waiver.reason, "reference": waiver.reference}}


def _locations(plan: Plan) -> list[dict[str, Any]]:
    """Every location with a fixed cost, a closing cost or a book value: open now and after."""
    if plan.current is None or plan.recommended is None or plan.model is None:
        return []
    now, after = plan.current.facilities, plan.recommended.facilities
    out = []
    for loc in plan.estate.locations:
        p = plan.model.prices[loc.id]
        if not (p.fixed_monthly or p.close_one_off or p.book_value):
            continue
        out.append({"location": loc.id, "open_now": loc.id in now.open,
                    "open_after": loc.id in after.open, "can_close": loc.closable,
                    "fixed_monthly": number(p.fixed_monthly),
                    "close_one_off": number(after.closing.get(loc.id, Decimal(0))),
                    "write_off": number(after.write_off.get(loc.id, Decimal(0)))})
    return out


def _providers(plan: Plan) -> list[dict[str, Any]]:
    if plan.current is None or plan.recommended is None or plan.model is None:
        return []
    from advisor.placement.totals import EstateCosts

    now, after = plan.current.facilities, plan.recommended.facilities
    return [{"provider": p.id, "locations": list(p.locations), "used_now": p.id in now.used,
             "used_after": p.id in after.used, "fixed_monthly": number(p.fixed_monthly),
             "onboarding_one_off": number(after.onboarding.get(p.id, Decimal(0))),
             "worth_monthly": None if p.id not in plan.provider_worth
             else number(plan.provider_worth[p.id])}
            for p in EstateCosts(plan.model).providers]


def _commitments(plan: Plan) -> list[dict[str, Any]]:
    if plan.current is None or plan.recommended is None:
        return []
    before = {c.id: c for c in plan.current.commitments}
    return [{"id": c.id, "kind": c.kind, "location": c.location, "provider": c.provider,
             "monthly": number(c.monthly), "months_left": c.months_left,
             "fee_monthly": number(c.fee), "covered_now": number(before[c.id].covered),
             "covered_after": number(c.covered),
             "unused_cpu_after": float(c.unused_cpu),
             "unused_memory_gb_after": float(c.unused_memory_gb),
             "stranded_now": number(before[c.id].stranded), "stranded_after": number(c.stranded)}
            for c in plan.recommended.commitments]


def _rule_assumptions(plan: Plan) -> list[dict[str, Any]]:
    """Each with the file relative to the estate's folder (builtin:NAME for a built-in pack),
    so the document does not depend on where the estate lies."""
    from pathlib import Path

    from advisor.rules.assumptions import shown_place

    base = Path(plan.estate.path).parent if plan.estate.path else None
    out = []
    for n in plan.rule_assumptions:
        src = n.source
        out.append({"kind": n.kind, "text": n.text,
                    "file": shown_place(src.file, None, base) if src else None,
                    "line": src.line if src else None})
    return out


def _calibration(plan: Plan) -> dict[str, Any] | None:
    cal = plan.calibration
    if cal is None:
        return None

    def pairs(kind: str, key: str) -> list[dict[str, Any]]:
        return [{key: p.key, "billed": number(p.billed), "modelled": number(p.modelled),
                 "difference": number(p.difference),
                 "ratio": None if p.ratio is None else round(float(p.ratio), 4)}
                for p in calibration_rows(plan, kind)]

    return {"month": cal.month, "cost_basis": cal.cost_basis, "currency": cal.currency,
            "total_billed": number(cal.total_billed), "unallocated": number(cal.unallocated),
            "workloads": pairs("workloads", "workload"),
            "locations": pairs("locations", "location"),
            "sources": list(cal.sources)}


def _value(v: Any) -> Any:
    return number(v) if isinstance(v, Decimal) else v


def render(plan: Plan, *, include_seconds: bool = False, scenarios: Any = None,
           waves: Any = None, budget: Any = None) -> str:
    """The plan as JSON; with ``scenarios`` (``advisor.planning.scenarios.ScenarioRun``), each
    in the plan's shapes under ``scenarios``; with ``waves`` (``advisor.planning.waves``), the
    migration waves under ``waves``; with ``budget`` (``advisor.planning.budget.PlanBudget``,
    the base plan's first), the base plan's years under ``budget`` and each scenario's under
    its ``scenarios[i].budget``."""
    doc = plan_to_dict(plan, include_seconds=include_seconds)
    if budget is not None:
        from advisor.outputs.budget_text import budget_json

        doc["budget"] = budget_json(budget[0].years)
    if waves is not None:
        from advisor.outputs.waves_text import waves_json

        doc["waves"] = waves_json(plan, waves)
    if scenarios is not None:
        from advisor.outputs.scenarios_text import scenarios_json

        doc["scenarios"] = scenarios_json(scenarios)
        if budget is not None:
            for entry, b in zip(doc["scenarios"], budget[1:], strict=True):
                entry["budget"] = budget_json(b.years)
    return dumps(doc)


def dumps(doc: dict[str, Any]) -> str:
    """JSON as every command writes it: sorted keys, indented, byte-identical."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
