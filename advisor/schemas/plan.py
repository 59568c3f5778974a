"""The JSON Schema of ``advisor analyze --format json`` (published as
advisor/schemas/plan.schema.json by ``python -m advisor.schemas``; the renderer in
``advisor.outputs.plan_json`` names it in every document)."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://hybrid-advisor.example/schemas/plan.schema.json"

_MONEY = {"type": "number"}
_TEXTS = {"type": "array", "items": {"type": "string"}}

_FINDING = {
    "type": "object",
    "required": ["rule", "severity", "workload", "location", "message"],
    "properties": {
        "rule": {"type": "string"},
        "severity": {"enum": ["error", "warning", "info"]},
        "workload": {"type": "string"},
        "subject": {"type": ["string", "null"],
                    "description": "What a finding not about one workload is about: an "
                                   "application, location:ID, supplier:ID or organisation."},
        "location": {"type": ["string", "null"]},
        "message": {"type": "string"},
    },
}

_RECOMMENDATION = {
    "type": "object",
    "required": ["workload", "application", "current_location", "recommended_location",
                 "current_monthly_cost", "recommended_monthly_cost", "monthly_savings",
                 "one_off_cost", "payback_months", "reasons", "excluded"],
    "properties": {
        "workload": {"type": "string"},
        "application": {"type": "string"},
        "current_location": {"type": "string"},
        "recommended_location": {"type": "string"},
        "current_monthly_cost": _MONEY,
        "recommended_monthly_cost": _MONEY,
        "monthly_savings": _MONEY,
        "one_off_cost": _MONEY,
        "payback_months": {"type": ["number", "null"]},
        "reasons": _TEXTS,
        "excluded": {"type": "object", "additionalProperties": _TEXTS},
        "rules": _TEXTS,
        "next_best": {"type": ["object", "null"]},
        "breakdown": {"type": "object"},
        "new_findings": {"type": "array", "items": _FINDING,
                         "description": "Findings this move brings that today's placement "
                                        "does not have (never an error)."},
    },
}


def plan_schema() -> dict[str, Any]:
    """The schema document (draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "advisor analyze --format json",
        "type": "object",
        "required": ["currency", "summary", "solver", "recommendations", "findings"],
        "properties": {
            "$schema": {"type": "string"},
            "estate": {"type": "string"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "exchange_rates": {"type": "array"},
            "summary": {
                "type": "object",
                "required": ["workloads", "current_monthly_cost", "recommended_monthly_cost",
                             "monthly_savings", "one_off_migration_cost", "objective",
                             "unplaceable"],
                "properties": {
                    "workloads": {"type": "integer"},
                    "current_monthly_cost": _MONEY,
                    "recommended_monthly_cost": _MONEY,
                    "monthly_savings": _MONEY,
                    "one_off_migration_cost": _MONEY,
                    "objective": _MONEY,
                    "unplaceable": _TEXTS,
                },
            },
            "solver": {
                "type": "object",
                "required": ["status", "gap", "seconds"],
                "properties": {
                    "status": {"enum": ["optimal", "feasible", "infeasible", "timeout"]},
                    "gap": {"type": "number"},
                    "seconds": {"type": ["number", "null"]},
                },
            },
            "recommendations": {"type": "array", "items": _RECOMMENDATION},
            "findings": {"type": "array", "items": _FINDING,
                         "description": "The gate's findings on today's placement."},
            "new_findings": {"type": "array", "items": _FINDING,
                             "description": "The gate's findings on the recommended placement "
                                            "that today's placement does not have."},
            "as_of": {"type": ["string", "null"], "format": "date",
                      "description": "The day evidence and exit plans were judged on."},
            "assumptions": {
                "type": "array",
                "description": "Declarations the rules rest on (assumption), deprecated keys "
                               "read under their new names (deprecated) and rules that "
                               "contradict each other (warning), with where they are written.",
                "items": {
                    "type": "object",
                    "required": ["kind", "text", "file", "line"],
                    "properties": {
                        "kind": {"enum": ["assumption", "deprecated", "warning"]},
                        "text": {"type": "string"},
                        "file": {"type": ["string", "null"]},
                        "line": {"type": ["integer", "null"]},
                    },
                },
            },
            "notes": _TEXTS,
            "failed_sources": {"type": "array"},
        },
    }
