"""The JSON Schema of ``advisor analyze --format json`` (published as
advisor/schemas/plan.schema.json by ``python -m advisor.schemas``; the renderer in
``advisor.outputs.plan_json`` names it in every document)."""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://hybrid-advisor.example/schemas/plan.schema.json"

_MONEY = {"type": "number"}
_TEXTS = {"type": "array", "items": {"type": "string"}}
_NOW_AFTER = {"type": "object", "required": ["current", "recommended"],
              "properties": {"current": _MONEY, "recommended": _MONEY}}
_SPLIT_KEYS = ("run", "licences", "egress", "fixed_locations", "fixed_providers", "commitments")
_LINE = {
    "type": "object",
    "description": "A row of the estate's cost beside the workloads (they add up to the "
                   "summary's totals): a location's or a provider's fixed cost, a commitment.",
    "required": ["kind", "id", "label", "current_monthly_cost", "recommended_monthly_cost",
                 "monthly_savings", "one_off_cost"],
    "properties": {"kind": {"enum": ["fixed", "provider", "commitment"]},
                   "id": {"type": "string"}, "label": {"type": "string"},
                   "current_monthly_cost": _MONEY, "recommended_monthly_cost": _MONEY,
                   "monthly_savings": _MONEY, "one_off_cost": _MONEY},
}

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
        "waived": {"type": ["object", "null"],
                   "description": "The valid waiver that covers it (the same view as advisor "
                                  "check and report)."},
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
        "excluded": {"type": "object", "additionalProperties": _TEXTS,
                     "description": "Location -> the ids of the hard rules that exclude it."},
        "unavailable": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "Location -> why the cost model cannot place the "
                                       "workload there (no price for a storage class or a "
                                       "licence it needs)."},
        "rules": _TEXTS,
        "sensitivity": {
            "type": ["object", "null"],
            "description": "For a move: the price change at the target and at the source (in "
                           "percent; + dearer, - cheaper) at which the decision flips, exact "
                           "for the move's own cost terms with the rest of the placement fixed; "
                           "null when no change flips it; a note when the move is forced or "
                           "made for the estate.",
            "properties": {"target_change_percent": {"type": ["number", "null"]},
                           "source_change_percent": {"type": ["number", "null"]},
                           "own_monthly_savings": _MONEY,
                           "note": {"type": ["string", "null"]}}},
        "next_best": {
            "type": ["object", "null"],
            "description": "The cheapest other allowed location, everything else as planned.",
            "properties": {"location": {"type": "string"},
                           "monthly_cost": {**_MONEY, "description": "The workload's own run, "
                                            "licences, egress, migration and penalty there."},
                           "objective_delta": {**_MONEY, "description": "How much more the "
                                               "estate's objective would be per month."}}},
        "breakdown": {
            "type": "object",
            "description": "The monthly cost by line (run, licences, egress add up to the "
                           "row's current and recommended cost).",
            "properties": {"current": {"type": "object", "additionalProperties": _MONEY},
                           "recommended": {"type": "object", "additionalProperties": _MONEY}}},
        "new_findings": {"type": "array", "items": _FINDING,
                         "description": "Findings this move brings that today's placement "
                                        "does not have (never an error)."},
    },
}


def plan_schema() -> dict[str, Any]:
    """The schema document (draft 2020-12)."""
    doc = _base_schema()
    props = doc["properties"]
    props["scenarios"] = {
        "type": "array",
        "description": "advisor analyze --scenario: each scenario analyzed like the base plan, "
                       "in the same shapes.",
        "items": {"type": "object", "required": ["name", "summary", "recommendations"],
                  "properties": {
                      "name": {"type": "string"}, "description": {"type": "string"},
                      "summary": props["summary"], "solver": props["solver"],
                      "recommendations": props["recommendations"], "lines": props["lines"],
                      "assumptions": props["assumptions"], "notes": props["notes"],
                      "findings": props["findings"],
                      "differences": {"type": "array", "description": "Workloads the scenario "
                                      "places elsewhere than the base plan.",
                                      "items": {"type": "object", "properties": {
                                          k: {"type": "string"} for k in (
                                              "workload", "current_location", "base_location",
                                              "scenario_location")}}}}}}
    money_map = {"type": "object", "additionalProperties": _MONEY}
    props["exit"] = {
        "type": "object",
        "description": "advisor exit: leaving a provider or a location (BIO2 5.20.06).",
        "required": ["kind", "id", "date", "one_off", "cost_of_leaving", "leavers",
                     "cannot_leave"],
        "properties": {
            "kind": {"enum": ["provider", "location"]}, "id": {"type": "string"},
            "locations": _TEXTS, "date": {"type": "string", "format": "date"},
            "reoptimize": {"type": "boolean"},
            "one_off": {"type": "object", "description": "migration + onboarding + closing + "
                        "stranded_commitments + book_value_written_off = cost_of_leaving",
                        "properties": {k: _MONEY for k in (
                            "migration", "onboarding", "closing", "stranded_commitments",
                            "book_value_written_off")}},
            "one_off_cost": {**_MONEY, "description": "Cash: migration + onboarding + "
                                                      "closing."},
            "cost_of_leaving": _MONEY, "switching_charges": _MONEY,
            "monthly_cost_now": _MONEY, "monthly_cost_after": _MONEY,
            "stranded_commitments": money_map, "book_value_written_off": money_map,
            "transfer_days": {"type": "number"}, "effort_days": {"type": "number"},
            "duration_days": {"type": "number"},
            "leavers": {"type": "array", "items": {"type": "object", "properties": {
                "workload": {"type": "string"}, "from": {"type": "string"},
                "to": {"type": "string"}, "data_gb": {"type": "number"},
                "one_off_cost": _MONEY, "switching_charges": _MONEY}}},
            "transfers": {"type": "array", "items": {"type": "object", "properties": {
                "from": {"type": "string"}, "to": {"type": "string"},
                "data_gb": {"type": "number"}, "mbps": {"type": "number"},
                "days": {"type": "number"}}}},
            "cannot_leave": {"type": "array", "items": {"type": "object", "properties": {
                "workload": {"type": "string"}, "location": {"type": "string"},
                "why": {"type": "string"}}}},
            "assumptions": _TEXTS}}
    props["targets"] = {
        "type": "array",
        "description": "advisor.yaml targets: the share of cloud spend today and after, "
                       "whether the plan meets it, and its price (objective with every binding "
                       "target - without this one).",
        "items": {"type": "object", "properties": {
            "label": {"type": "string"}, "kind": {"enum": ["share", "per_provider"]},
            "where": {"type": "object"}, "min": {"type": ["number", "null"]},
            "max": {"type": ["number", "null"]},
            "from": {"type": ["string", "null"], "format": "date"},
            "binding": {"type": "boolean"}, "share_now": {"type": ["number", "null"]},
            "share_after": {"type": ["number", "null"]}, "detail": {"type": "string"},
            "met": {"type": "boolean"}, "price_monthly": {"type": ["number", "null"]}}}}
    props["budget"] = {
        "type": "array",
        "description": "advisor analyze --budget: per calendar year, operating + "
                       "capital_charges + commitments + one_off = total.",
        "items": {"type": "object", "properties": {
            "year": {"type": "integer"},
            **{k: _MONEY for k in ("operating", "capital_charges", "commitments", "one_off",
                                   "total")},
            "commitments_ending": _TEXTS,
            "replacement_investment": {"type": "object", "additionalProperties": _MONEY}}}}
    props["scenarios"]["items"]["properties"]["budget"] = {
        **props["budget"], "description": "advisor analyze --scenario --budget: the scenario's "
                                          "budget over the base plan's years, in the same "
                                          "shape."}
    props["waves"] = {
        "type": "object",
        "description": "advisor analyze --waves: the moves in migration waves; the waves' "
                       "one_off_cost and monthly_savings add up to the summary's.",
        "properties": {
            "max_workloads": {"type": ["integer", "null"]},
            "max_tb": {"type": ["number", "null"]},
            "waves": {"type": "array", "items": {"type": "object", "properties": {
                "wave": {"type": "integer"}, "workloads": _TEXTS,
                "data_gb": {"type": "number"}, "one_off_cost": _MONEY,
                "one_off": {"type": "object", "properties": {
                    k: _MONEY for k in ("migration", "onboarding", "closing")}},
                "monthly_savings": _MONEY, "notes": _TEXTS}}}}}
    return doc


def _base_schema() -> dict[str, Any]:
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
            "assumptions": {**_TEXTS, "description": "What every figure rests on: the as-of "
                                                     "day, rates, the Data Act switching rule, "
                                                     "how commitments count."},
            "summary": {
                "type": "object",
                "required": ["workloads", "current_monthly_cost", "recommended_monthly_cost",
                             "monthly_savings", "one_off_migration_cost", "objective",
                             "unplaceable"],
                "properties": {
                    "workloads": {"type": "integer"},
                    "moves": {"type": "integer"},
                    "as_of": {"type": ["string", "null"], "format": "date"},
                    "current_monthly_cost": _MONEY,
                    "recommended_monthly_cost": _MONEY,
                    "monthly_savings": {**_MONEY, "description": "current - recommended, as "
                                        "shown: the sum of savings.moves, .stays, .lines"},
                    "savings": {"type": "object",
                                "properties": {k: _MONEY for k in ("moves", "stays", "lines")}},
                    "split": {"type": "object",
                              "properties": {k: _NOW_AFTER for k in _SPLIT_KEYS}},
                    "one_off_cost": {**_MONEY, "description": "migration + onboarding + "
                                                              "closing"},
                    "one_off_migration_cost": _MONEY,
                    "one_off_onboarding_cost": _MONEY,
                    "one_off_closing_cost": _MONEY,
                    "penalty_monthly": _MONEY,
                    "objective": _MONEY,
                    "objective_parts": {
                        "type": "array",
                        "items": {"type": "object", "required": ["part", "label", "amount"],
                                  "properties": {
                                      "part": {"enum": ["recommended", "migration",
                                                        "onboarding", "closing", "penalty"]},
                                      "label": {"type": "string"}, "amount": _MONEY}}},
                    "write_off": _MONEY,
                    "horizon_months": {"type": "integer"},
                    "unplaceable": _TEXTS,
                    "rightsizing_monthly_savings": _MONEY,
                    "current_hosting_cost_per_inhabitant_year": _MONEY,
                    "recommended_hosting_cost_per_inhabitant_year": _MONEY,
                    "current_it_cost_per_inhabitant_year": _MONEY,
                    "recommended_it_cost_per_inhabitant_year": _MONEY,
                    "other_it_monthly": _MONEY,
                    "it_benchmark": {"type": "object", "properties": {
                        "per_inhabitant_year": _MONEY, "year": {"type": ["integer", "null"]},
                        "source": {"type": "string"}}},
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
            "lines": {"type": "array", "items": _LINE},
            "locations": {
                "type": "array",
                "description": "Locations with a fixed cost, a closing cost or a book value.",
                "items": {"type": "object", "properties": {
                    "location": {"type": "string"}, "open_now": {"type": "boolean"},
                    "open_after": {"type": "boolean"}, "can_close": {"type": "boolean"},
                    "fixed_monthly": _MONEY, "close_one_off": _MONEY, "write_off": _MONEY}}},
            "providers": {
                "type": "array",
                "items": {"type": "object", "properties": {
                    "provider": {"type": "string"}, "locations": _TEXTS,
                    "used_now": {"type": "boolean"}, "used_after": {"type": "boolean"},
                    "fixed_monthly": _MONEY, "onboarding_one_off": _MONEY,
                    "worth_monthly": {"type": ["number", "null"], "description": "For a "
                                      "provider the plan adds: how much more the best "
                                      "placement without it would cost per month."}}}},
            "commitments": {
                "type": "array",
                "items": {"type": "object", "properties": {
                    "id": {"type": "string"}, "kind": {"enum": ["reservation", "savings_plan"]},
                    "location": {"type": ["string", "null"]},
                    "provider": {"type": "string"}, "monthly": _MONEY,
                    "months_left": {"type": "integer"}, "fee_monthly": _MONEY,
                    "covered_now": _MONEY, "covered_after": _MONEY,
                    "unused_cpu_after": {"type": "number"},
                    "unused_memory_gb_after": {"type": "number"},
                    "stranded_now": _MONEY, "stranded_after": _MONEY}}},
            "findings": {"type": "array", "items": _FINDING,
                         "description": "The gate's findings on today's placement."},
            "new_findings": {"type": "array", "items": _FINDING,
                             "description": "The gate's findings on the recommended placement "
                                            "that today's placement does not have."},
            "rule_assumptions": {
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
