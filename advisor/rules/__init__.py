"""The policy engine: rules are data (YAML packs), checked by a schema, never evaluated as code.

A rule selects workloads (``when``) and checks one thing about them:

- ``require`` (optionally limited by ``where``): what the workload's location must be;
- ``require_labels`` (optionally limited by ``where``): labels the workload must carry, e.g. a
  DPIA reference when it holds personal data, or a risk acceptance when it runs in public cloud;
- ``flow``: where the workloads that *receive* the selected workloads' data (along the dependency
  graph) may run;
- ``budget``: the monthly cost of a workload or application under a placement, against a budget;
- ``usage_below``: measured use far below the requested resources (an idle workload).

Each rule is evaluated once per workload and once per location, never per pair: the allowed set
of a workload is the AND of the location masks of the error rules that reach it, computed once per
distinct set of reaching rules. That keeps 100,000 workloads x 12 locations fast. ``require``,
``where`` and ``flow`` become location masks the optimizer obeys (a flow rule constrains the
receiving workload's location whatever the source's placement, so it is a mask too). A label rule
with ``where`` excludes the ``where`` locations for a workload that lacks the labels; without
``where`` it is broken wherever the workload runs, so it is reported but excludes nothing.
``budget`` and ``usage_below`` depend on a whole placement or on measurements only: they are
reported on a given placement and never constrain the optimizer.
"""

from __future__ import annotations

from advisor.rules.contradictions import Contradiction, static_contradictions
from advisor.rules.core import (
    BASES,
    BUDGET_PER,
    KINDS,
    OPERATORS,
    SEVERITIES,
    SEVERITY_RANK,
    Budget,
    Clause,
    Expression,
    Finding,
    Flow,
    LabelMapping,
    LabelRequirement,
    PackInfo,
    Retired,
    Rule,
    Selector,
    UsageBelow,
    known_rule_ids,
)
from advisor.rules.evaluate import (
    Budgets,
    CostSource,
    Evaluation,
    active_rules,
    budget_of,
    check_placement,
    evaluate,
    placement_findings,
)
from advisor.rules.pack_file import ATTRIBUTES, CLAUSE_OPS, PackFile
from advisor.rules.packs import (
    builtin_file,
    builtin_names,
    check_duplicate,
    load_builtin,
    load_pack_file,
    load_pack_ref,
    load_packs,
    parse_pack,
)

__all__ = [
    "ATTRIBUTES",
    "BASES",
    "BUDGET_PER",
    "CLAUSE_OPS",
    "KINDS",
    "OPERATORS",
    "SEVERITIES",
    "SEVERITY_RANK",
    "Budget",
    "Budgets",
    "Clause",
    "Contradiction",
    "CostSource",
    "Evaluation",
    "Expression",
    "Finding",
    "Flow",
    "LabelMapping",
    "LabelRequirement",
    "PackFile",
    "PackInfo",
    "Retired",
    "Rule",
    "Selector",
    "UsageBelow",
    "active_rules",
    "budget_of",
    "builtin_file",
    "builtin_names",
    "check_duplicate",
    "check_placement",
    "evaluate",
    "known_rule_ids",
    "load_builtin",
    "load_pack_file",
    "load_pack_ref",
    "load_packs",
    "parse_pack",
    "placement_findings",
    "static_contradictions",
]
