"""The plan as JSON: stable keys, sorted, byte-identical for the same input."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from advisor.outputs.money import number
from advisor.placement.plan import Plan
from advisor.rules import Finding
from advisor.schemas.plan import SCHEMA_ID


def plan_to_dict(plan: Plan, *, include_seconds: bool = False) -> dict[str, Any]:
    """The documented JSON shape (schema: advisor/schemas/plan.schema.json).

    ``solver.seconds`` varies run to run, so it is rounded to 0.1 s and only emitted when asked
    (``--timings``); without it the output is byte-identical for the same input."""
    summary = {k: _value(v) for k, v in plan.summary().items()}
    recs = []
    for r in plan.recommendations:
        recs.append({
            "workload": r.workload.id,
            "application": r.workload.application,
            "current_location": r.current_location,
            "recommended_location": r.recommended_location,
            "current_monthly_cost": number(r.current_monthly_cost),
            "recommended_monthly_cost": number(r.recommended_monthly_cost),
            "monthly_savings": number(r.monthly_savings),
            "one_off_cost": number(r.one_off_cost),
            "payback_months": None if r.payback_months is None else float(r.payback_months),
            "breakdown": {
                "current": {"run": number(r.current_run), "egress": number(r.current_egress)},
                "recommended": {"run": number(r.recommended_run),
                                "egress": number(r.recommended_egress),
                                "migration_monthly": number(r.migration_monthly),
                                "penalty_monthly": number(r.penalty_monthly)},
            },
            "next_best": None if r.next_best is None else
            {"location": r.next_best[0], "monthly_cost": number(r.next_best[1])},
            "reasons": r.reasons,
            "excluded": r.excluded,
            "rules": r.rules,
            "new_findings": [_finding(f) for f in r.new_findings],
        })
    solver: dict[str, Any] = {"status": plan.solver["status"],
                              "gap": round(float(plan.solver["gap"]), 6),
                              "components": plan.solver["components"]}
    if include_seconds:
        solver["seconds"] = round(float(plan.solver["seconds"]), 1)
    else:
        solver["seconds"] = None
    return {
        "$schema": SCHEMA_ID,
        "estate": plan.estate.name,
        "currency": plan.currency,
        "exchange_rates": [{"currency": r.currency, "rate": float(r.rate),
                            "date": r.date.isoformat()}
                           for r in sorted(plan.estate.exchange_rates,
                                           key=lambda r: (r.currency, r.date))],
        "summary": summary,
        "solver": solver,
        "recommendations": recs,
        "findings": [_finding(f) for f in plan.findings],
        "new_findings": [_finding(f) for f in plan.new_findings],
        "as_of": plan.today.isoformat() if plan.today else None,
        "assumptions": _assumptions(plan),
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


def _finding(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "severity": f.severity, "workload": f.workload,
            "subject": f.subject, "location": f.location, "message": f.message}


def _assumptions(plan: Plan) -> list[dict[str, Any]]:
    """Each with the file relative to the estate's folder (builtin:NAME for a built-in pack),
    so the document does not depend on where the estate lies."""
    from pathlib import Path

    from advisor.rules.assumptions import shown_place

    base = Path(plan.estate.path).parent if plan.estate.path else None
    out = []
    for n in plan.assumptions:
        src = n.source
        out.append({"kind": n.kind, "text": n.text,
                    "file": shown_place(src.file, None, base) if src else None,
                    "line": src.line if src else None})
    return out


def _calibration(plan: Plan) -> dict[str, Any] | None:
    cal = plan.calibration
    if cal is None:
        return None

    def pairs(items: Any, key: str) -> list[dict[str, Any]]:
        return [{key: p.key, "billed": number(p.billed), "modelled": number(p.modelled),
                 "difference": number(p.difference),
                 "ratio": None if p.ratio is None else round(float(p.ratio), 4)} for p in items]

    return {"month": cal.month, "cost_basis": cal.cost_basis, "currency": cal.currency,
            "total_billed": number(cal.total_billed), "unallocated": number(cal.unallocated),
            "workloads": pairs(cal.workloads, "workload"),
            "locations": pairs(cal.locations, "location"),
            "sources": list(cal.sources)}


def _value(v: Any) -> Any:
    return number(v) if isinstance(v, Decimal) else v


def render(plan: Plan, *, include_seconds: bool = False) -> str:
    return json.dumps(plan_to_dict(plan, include_seconds=include_seconds), indent=2,
                      sort_keys=True, ensure_ascii=False) + "\n"
