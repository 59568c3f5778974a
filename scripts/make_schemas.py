"""Write advisor/schemas/*.schema.json from the loader's key lists.

Run after changing a file format.

The test suite checks that the committed schemas equal what this script writes."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from advisor import rules
from advisor.estate import load as config

out = Path(__file__).resolve().parents[1] / "advisor" / "schemas"
B = "https://hybrid-advisor.example/schemas/"
num = {"type": "number", "minimum": 0}
numstr = {
    "oneOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"},
    ]
}
ident = {"type": "string", "pattern": r"^[A-Za-z0-9_.:/-]+$"}
strlist = {"type": "array", "items": {"type": "string"}}


def obj(props, required=()):
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "required": list(required),
    }


currency = {"type": "string", "pattern": "^[A-Z]{3}$"}
date = {"type": "string", "format": "date"}
pathlist = {"oneOf": [{"type": "string"}, {"type": "array"}]}
advisor = obj(
    {
        "version": {"const": 1},
        "name": {"type": "string"},
        "currency": currency,
        "exchange_rates": {
            "type": "array",
            "items": obj(
                {
                    "currency": currency,
                    "rate": {"type": "number", "exclusiveMinimum": 0},
                    "date": date,
                },
                ["currency", "rate", "date"],
            ),
        },
        "inhabitants": {"type": "integer", "minimum": 1},
        "horizon_months": {"type": "integer", "minimum": 1},
        "locations": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"type": "string"},
                            {"$ref": "locations.schema.json#/$defs/location"},
                        ]
                    },
                },
            ]
        },
        "workloads": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"type": "string"},
                            {"$ref": "workloads.schema.json#/$defs/workload"},
                        ]
                    },
                },
            ]
        },
        "policies": {"type": "array", "items": {"type": "string"}},
        "sources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"enum": list(config.SOURCE_TYPES)}},
            },
        },
    },
    ["version", "name", "currency", "locations", "workloads"],
)
assert set(advisor["properties"]) == set(config.ESTATE_KEYS)
# Every key the loader accepts is in the schema, and no other.
location = obj(
    {
        "id": ident,
        "name": {"type": "string"},
        "provider": {"enum": ["onprem", "aws", "azure", "gcp", "other"]},
        "region": {"type": "string"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "jurisdiction": {"enum": ["EU", "EEA", "ADEQUATE", "OTHER"]},
        "cloud_act": {"type": "boolean"},
        "certifications": strlist,
        "sovereignty_level": {"type": "integer", "minimum": 0, "maximum": 4},
        "capacity": obj({k: num for k in config.CAPACITY_KEYS}),
        # cpu_hour and memory_gb_hour may be derived from `tco` (see docs/kubernetes.md)
        "prices": obj(
            {"currency": currency, **{k: num for k in config.PRICE_KEYS if k != "currency"}},
            ["currency"],
        ),
        "tco": obj(
            {k: num for k in config.TCO_KEYS},
            ["hardware_cost", "amortization_months"],
        ),
        "latency_ms": {"type": "object", "additionalProperties": num},
        "encryption_at_rest": {"type": "boolean"},
        "customer_managed_keys": {"type": "boolean"},
        "public_cloud": {"type": "boolean"},
        "labels": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
    },
    ["id", "provider", "region", "country", "jurisdiction", "prices"],
)
assert set(location["properties"]) == set(config.LOCATION_KEYS)
locs = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": B + "locations.schema.json",
    "title": "advisor locations file",
    "type": "object",
    "additionalProperties": False,
    "required": ["locations"],
    "properties": {"locations": {"type": "array", "items": {"$ref": "#/$defs/location"}}},
    "$defs": {"location": location},
}
label_props = {
    k: {"enum": list(v)}
    for k, v in __import__("advisor.estate.model", fromlist=["x"]).KNOWN_LABEL_VALUES.items()
}
dep = obj(
    {
        "workload": ident,
        "receive_gb_month": num,
        "send_gb_month": num,
        "colocate": {"type": "boolean"},
        "max_latency_ms": num,
    },
    ["workload"],
)
workload = obj(
    {
        "id": ident,
        "name": {"type": "string"},
        "application": {"type": "string"},
        "owner": {"type": "string"},
        "location": ident,
        "labels": {
            "type": "object",
            "properties": label_props,
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        "resources": obj({"cpu": num, "memory_gb": num, "storage_gb": num}, ["cpu", "memory_gb"]),
        "usage": obj({"cpu_p95": num, "memory_gb_p95": num}),
        "migration_cost": num,
        "pinned": {"type": "boolean"},
        "depends_on": {"type": "array", "items": {"oneOf": [ident, dep]}},
        "cost_match": obj(
            {
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "resource_id": strlist,
                "account": strlist,
                "namespace": strlist,
            }
        ),
    },
    ["id", "application", "location", "resources"],
)
assert set(workload["properties"]) == set(config.WORKLOAD_KEYS)
wls = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": B + "workloads.schema.json",
    "title": "advisor workloads file",
    "type": "object",
    "additionalProperties": False,
    "required": ["workloads"],
    "properties": {"workloads": {"type": "array", "items": {"$ref": "#/$defs/workload"}}},
    "$defs": {"workload": workload},
}
adv = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": B + "advisor.schema.json",
    "title": "advisor estate file (advisor.yaml)",
    **advisor,
}
attr_clause = {
    "oneOf": [
        {"type": ["string", "number", "boolean"]},
        {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                k: {} for k in ["in", "not_in", "min", "max", "all_of", "any_of", "none_of"]
            },
        },
    ]
}
rule = obj(
    {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "severity": {"enum": list(rules.SEVERITIES)},
        "references": {
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "string"},
                    obj({k: {"type": "string"} for k in rules.REFERENCE_KEYS}),
                ]
            },
        },
        "rationale": {"type": "string"},
        "remediation": {"type": "string"},
        "when": obj(
            {
                "labels": {
                    "type": "object",
                    "additionalProperties": {"oneOf": [{"type": "string"}, strlist]},
                },
                "match_expressions": {
                    "type": "array",
                    "items": obj(
                        {
                            "key": {"type": "string"},
                            "operator": {"enum": list(rules.OPERATORS)},
                            "values": strlist,
                        },
                        ["key", "operator"],
                    ),
                },
                "applications": strlist,
                "workloads": strlist,
            }
        ),
        "require": {"$ref": "#/$defs/requirement"},
        "where": {"$ref": "#/$defs/requirement"},
        "require_labels": {
            "type": "array",
            "minItems": 1,
            "items": {
                "oneOf": [
                    {"type": "string"},
                    obj(
                        {
                            "key": {"type": "string"},
                            "values": strlist,
                            "pattern": {"type": "string"},
                        },
                        ["key"],
                    ),
                ]
            },
        },
        "flow": obj({"require": {"$ref": "#/$defs/requirement"}, "min_gb_month": num}, ["require"]),
        "budget": {
            "oneOf": [
                {"const": True},
                obj({"per": {"enum": list(rules.BUDGET_PER)}, "label": {"type": "string"}}),
            ]
        },
        "usage_below": obj(
            {
                k: {"type": "number", "exclusiveMinimum": 0, "maximum": 1}
                for k in rules.USAGE_BELOW_KEYS
            }
        ),
        "penalty_monthly": num,
        "tags": strlist,
    },
    ["id", "title", "severity"],
)
assert set(rule["properties"]) == set(rules.RULE_KEYS)
requirement = obj(
    {
        k: (
            {"type": "object", "additionalProperties": attr_clause}
            if kind == "labels"
            else attr_clause
        )
        for k, kind in rules.ATTRIBUTES.items()
    }
)
mapping = obj(
    {
        "from": {"type": "string"},
        "to": {"type": "string"},
        "values": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    ["from", "to", "values"],
)
pack_props = {
    "pack": {"type": "string"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "label_mappings": {"type": "array", "items": mapping},
    "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
}
assert set(pack_props) == set(rules.PACK_KEYS)
pack = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": B + "policy-pack.schema.json",
    "title": "advisor policy pack",
    **obj(pack_props, ["pack", "rules"]),
    "$defs": {"rule": rule, "requirement": requirement},
}
money = {"type": "number"}
rec = {
    "type": "object",
    "required": [
        "workload",
        "application",
        "current_location",
        "recommended_location",
        "current_monthly_cost",
        "recommended_monthly_cost",
        "monthly_savings",
        "one_off_cost",
        "payback_months",
        "reasons",
        "excluded",
    ],
    "properties": {
        "workload": {"type": "string"},
        "application": {"type": "string"},
        "current_location": {"type": "string"},
        "recommended_location": {"type": "string"},
        "current_monthly_cost": money,
        "recommended_monthly_cost": money,
        "monthly_savings": money,
        "one_off_cost": money,
        "payback_months": {"type": ["number", "null"]},
        "reasons": strlist,
        "excluded": {"type": "object", "additionalProperties": strlist},
        "rules": strlist,
        "next_best": {"type": ["object", "null"]},
        "breakdown": {"type": "object"},
    },
}
plan = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": B + "plan.schema.json",
    "title": "advisor analyze --format json",
    "type": "object",
    "required": ["currency", "summary", "solver", "recommendations", "findings"],
    "properties": {
        "$schema": {"type": "string"},
        "estate": {"type": "string"},
        "currency": currency,
        "exchange_rates": {"type": "array"},
        "summary": {
            "type": "object",
            "required": [
                "workloads",
                "current_monthly_cost",
                "recommended_monthly_cost",
                "monthly_savings",
                "one_off_migration_cost",
                "objective",
                "unplaceable",
            ],
            "properties": {
                "workloads": {"type": "integer"},
                "current_monthly_cost": money,
                "recommended_monthly_cost": money,
                "monthly_savings": money,
                "one_off_migration_cost": money,
                "objective": money,
                "unplaceable": strlist,
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
        "recommendations": {"type": "array", "items": rec},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["rule", "severity", "workload", "location", "message"],
                "properties": {
                    "rule": {"type": "string"},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "workload": {"type": "string"},
                    "location": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                },
            },
        },
        "notes": strlist,
        "failed_sources": {"type": "array"},
    },
}
for name, doc in [
    ("advisor", adv),
    ("locations", locs),
    ("workloads", wls),
    ("policy-pack", pack),
    ("plan", plan),
]:
    (out / f"{name}.schema.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
print("ok")
