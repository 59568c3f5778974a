"""The policy pack format: a pack of rules, each selecting workloads and checking one thing.

The definition here is the validation of every pack (built-in and the estate's own) and the
published ``policy-pack.schema.json``; ``advisor.rules.packs`` turns a validated pack into
``Rule`` values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, Field, model_validator

from advisor.estate.formats.base import Format, with_raw_checks
from advisor.estate.formats.fields import (
    Amount,
    Below,
    Day,
    Flag,
    Kind,
    MapOf,
    Num,
    OneOf,
    Text,
    TextList,
    TextListKind,
    TextMap,
    fail,
    fail_many,
)
from advisor.estate.model import (
    EVIDENCE_TYPES,
    JURISDICTIONS,
    KEY_CUSTODY,
    PROVIDERS,
    RUBRICERING,
    SEAL_OBJECTIVES,
)
from advisor.estate.yamlfile import nearest, shown
from advisor.rules.core import (
    BASES,
    BUDGET_PER,
    OPERATORS,
    ORGANISATION_KEYS,
    PER,
    SEVERITIES,
    Clause,
    Expression,
    LabelRequirement,
    Retired,
    Selector,
)

# The values a derived ``transfer`` attribute takes (advisor.rules.facts).
TRANSFERS = ("not-needed", "adequacy", "dpf", "scc", "bcr", "none")


class ReferenceEntry(Format):
    """Where a rule comes from: a law and article, a control, a title, a link; ``unconfirmed``
    marks a reference that could not be checked against its source."""

    law: Text | None = Field(None, examples=["AVG"])
    article: Text | None = Field(None, examples=["art. 44"])
    control: Text | None = Field(None, examples=["BIO2 5.23.01"])
    title: Text | None = None
    url: Text | None = None
    unconfirmed: Flag | None = Field(None, description="The article or its force could not be "
                                                       "confirmed in the source: verify before "
                                                       "relying on it.")

    def items(self) -> tuple[tuple[str, str], ...]:
        out = self.model_dump(exclude_none=True)
        if out.pop("unconfirmed", False):
            out["unconfirmed"] = "true"
        return tuple(sorted(out.items()))


def _reference_title(value: Any) -> Any:
    """A reference may be written as just its title."""
    return {"title": value} if isinstance(value, str) else value


class ExpressionEntry(Format):
    """A Kubernetes-style label expression."""

    key: Text = Field(description="The label.")
    operator: Annotated[str, OneOf(*OPERATORS)]
    values: TextList = Field((), description="For In and NotIn.")

    @model_validator(mode="after")
    def _values_fit(self) -> ExpressionEntry:
        if self.operator in ("In", "NotIn") and not self.values:
            raise fail(f"operator {self.operator} needs values", "add 'values: [...]'")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise fail(f"operator {self.operator} takes no values", "remove 'values'",
                       key="values")
        return self

    def to_expression(self) -> Expression:
        return Expression(self.key, self.operator, self.values)


class OrganisationKind(Kind):
    """The organisation's status a rule applies to: key -> value or list of values."""

    def check(self, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(value, dict) or not value:
            raise fail("expected a mapping of organisation key -> values",
                       "e.g. organisation: {nis2_entity: [essential, important]}")
        errors: list[Below] = []
        out = []
        for key, raw in value.items():
            allowed = ORGANISATION_KEYS.get(str(key))
            if allowed is None:
                near = nearest(str(key), ORGANISATION_KEYS)
                errors.append(((str(key),), fail(f"unknown key {shown(str(key))}", (
                    f"did you mean '{near}'? " if near else "") + "one of: "
                    + ", ".join(ORGANISATION_KEYS)), key))
                continue
            items = raw if isinstance(raw, list) else [raw]
            values = tuple(("true" if v else "false") if isinstance(v, bool) else str(v)
                           for v in items)
            bad = [v for v in values if v not in allowed]
            if bad or not values:
                errors.append(((str(key),), fail(
                    f"invalid value {shown(bad[0]) if bad else 'none'}",
                    "one of: " + ", ".join(allowed)), raw))
                continue
            out.append((str(key), values))
        if errors:
            raise fail_many("organisation", errors)
        return tuple(sorted(out))

    def schema(self) -> dict[str, Any]:
        props = {k: {"oneOf": [{"enum": list(v)}, {"type": "boolean"},
                               {"type": "array", "items": {"oneOf": [{"enum": list(v)},
                                                                     {"type": "boolean"}]}}]}
                 for k, v in ORGANISATION_KEYS.items()}
        return {"type": "object", "additionalProperties": False, "minProperties": 1,
                "properties": props}


class WhenEntry(Format):
    """Which workloads the rule applies to; every part given must match (empty selects all)."""

    labels: Annotated[dict[str, tuple[str, ...]], MapOf(
        TextListKind(min_items=1), "label -> value or list of values", names="label")] | None \
        = Field(None, description="label -> value or list of values.")
    match_expressions: list[ExpressionEntry] = Field(default_factory=list)
    applications: TextList = ()
    workloads: TextList = ()
    organisation: Annotated[tuple[tuple[str, tuple[str, ...]], ...], OrganisationKind()] = \
        Field((), description="The organisation's status (advisor.yaml organisation): "
                              "nis2_entity, bio2; 'undeclared' when not written. A rule that "
                              "selects the organisation applies to the whole estate.")

    def to_selector(self) -> Selector:
        given = self.labels or {}
        labels = tuple((k, given[k]) for k in sorted(given))
        return Selector(labels, tuple(e.to_expression() for e in self.match_expressions),
                        self.applications, self.workloads, self.organisation)


CLAUSE_OPS: dict[str, tuple[str, ...]] = {
    "text": ("in", "not_in"),
    "bool": ("in", "not_in"),
    "number": ("min", "max", "in", "not_in"),
    "set": ("all_of", "any_of", "none_of"),
}


class ClauseKind(Kind):
    """A condition on a location attribute of kind text, bool, number or set: a value, a list of
    values, or a mapping of operators (in, not_in; min, max; all_of, any_of, none_of).
    ``choices`` are the values the attribute can hold: any other is a mistake."""

    def __init__(self, attr_kind: str, choices: tuple[str, ...] = ()) -> None:
        self.kind = attr_kind
        self.choices = choices

    def validate(self, value: Any) -> Any:
        if value is None:
            raise fail("needs a value")
        return self.check(value)

    def check(self, value: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        ops = CLAUSE_OPS[self.kind]
        if isinstance(value, dict):
            errors: list[Below] = []
            for op in value:
                if op not in ops:
                    near = nearest(str(op), ops)
                    errors.append(((str(op),), fail(
                        f"unknown key '{str(op)[:40]}'", f"did you mean '{near}'?" if near
                        else f"allowed keys: {', '.join(ops)}"), value[op]))
            if errors:
                raise fail_many("clause", errors)
            if not value:
                raise fail("needs at least one condition", f"use one of: {', '.join(ops)}")
            return tuple((op, self._values(value[op], op)) for op in sorted(value))
        return (("all_of" if self.kind == "set" else "in", self._values(value, None)),)

    def _values(self, raw: Any, op: str | None) -> tuple[Any, ...]:
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise fail("needs at least one value", key=op)
        out: list[Any] = []
        for item in items:
            if self.kind == "bool":
                if not isinstance(item, bool):
                    raise fail(f"expected true or false, got {shown(item)}", key=op)
            elif self.kind == "number":
                if (isinstance(item, Decimal) and not item.is_finite()) or isinstance(item, float):
                    raise fail(f"expected a finite number, got {shown(item)}", key=op)
                if isinstance(item, bool) or not isinstance(item, (int, Decimal)):
                    raise fail(f"expected a number, got {shown(item)}", key=op)
                item = Num(minimum=None).check(item)
                item = int(item) if item == item.to_integral_value() else item
            elif isinstance(item, bool) or not isinstance(item, (str, int)) or item == "":
                raise fail(f"expected text, got {shown(item)}", key=op)
            else:
                item = str(item)
                if self.choices and item not in self.choices:
                    near = nearest(item, self.choices)
                    raise fail(f"invalid value {shown(item)}", (
                        f"did you mean '{near}'? " if near else "") + "one of: "
                        + ", ".join(self.choices), key=op)
            out.append(item)
        if op in ("min", "max") and len(out) != 1:
            raise fail(f"'{op}' takes one number", key=op)
        return tuple(out)

    def schema(self) -> dict[str, Any]:
        scalars: dict[str, dict[str, Any]] = {
            "text": {"type": ["string", "integer"]}, "bool": {"type": "boolean"},
            "number": {"type": "number"}, "set": {"type": ["string", "integer"]}}
        scalar = scalars[self.kind]
        if self.choices:
            scalar = {"enum": list(self.choices)}
        values = {"oneOf": [scalar, {"type": "array", "items": scalar, "minItems": 1}]}
        ops = {op: ({"type": "number"} if op in ("min", "max") else values)
               for op in CLAUSE_OPS[self.kind]}
        return {"oneOf": [*values["oneOf"], {"type": "object", "additionalProperties": False,
                                             "minProperties": 1, "properties": ops}]}


TextClause = Annotated[tuple[tuple[str, tuple[Any, ...]], ...], ClauseKind("text")]
BoolClause = Annotated[tuple[tuple[str, tuple[Any, ...]], ...], ClauseKind("bool")]
NumberClause = Annotated[tuple[tuple[str, tuple[Any, ...]], ...], ClauseKind("number")]
SetClause = Annotated[tuple[tuple[str, tuple[Any, ...]], ...], ClauseKind("set")]
LabelClauses = Annotated[dict[str, Any], MapOf(
    ClauseKind("text"), "location label -> value, list of values, or {in: [...]} / "
    "{not_in: [...]}", names="label", min_items=1)]


class ObjectiveClauses(MapOf):
    """SEAL per objective: SOV-1..SOV-8 -> a number condition (min, max, in, not_in)."""

    def __init__(self) -> None:
        super().__init__(ClauseKind("number"), "objective SOV-1..SOV-8 -> condition",
                         names="objective", min_items=1)

    def check(self, value: Any) -> dict[str, Any]:
        out = super().check(value)
        bad = [((k,), fail(f"unknown objective {shown(k)}", "the objectives are SOV-1 .. "
                                                             "SOV-8"), k)
               for k in out if k not in SEAL_OBJECTIVES]
        if bad:
            raise fail_many("objectives", bad)
        return out


def _text(*choices: str) -> Any:
    return Annotated[tuple[tuple[str, tuple[Any, ...]], ...], ClauseKind("text", choices)]


def _set(*choices: str) -> Any:
    return Annotated[tuple[tuple[str, tuple[Any, ...]], ...], ClauseKind("set", choices)]


class Requirement(Format):
    """Conditions on a location's attributes; all must hold (``any_of``: one of several groups
    of conditions)."""

    id: TextClause | None = None
    provider: _text(*PROVIDERS) | None = None  # type: ignore[valid-type]
    region: TextClause | None = None
    country: TextClause | None = None
    jurisdiction: _text(*JURISDICTIONS) | None = None  # type: ignore[valid-type]
    cloud_act: BoolClause | None = Field(None, description="Reachable by US law (CLOUD Act, "
                                                           "FISA 702).")
    certifications: SetClause | None = Field(None, description="Held certifications: all_of, "
                                                               "any_of, none_of.")
    assurance: _set(*EVIDENCE_TYPES) | None = Field(  # type: ignore[valid-type]
        None, description="Evidence types current on the day of the run (valid_until not "
                          "passed), the location's and its provider's: all_of, any_of, "
                          "none_of.")
    seal: NumberClause | None = Field(None, description="EU Cloud Sovereignty Framework SEAL "
                                                        "0-4: min, max, in, not_in.")
    seal_objectives: Annotated[dict[str, Any], ObjectiveClauses()] | None = Field(
        None, description="SEAL per objective: SOV-1..SOV-8 -> condition.")
    sovereignty_level: NumberClause | None = Field(None, description="Deprecated: the SEAL "
                                                                     "(seal).")
    key_custody: _text(*KEY_CUSTODY) | None = Field(  # type: ignore[valid-type]
        None, description="Who holds the keys of data at rest.")
    transfer: _text(*TRANSFERS) | None = Field(  # type: ignore[valid-type]
        None, description="How personal data may lawfully reach the location: not-needed "
                          "(EU/EEA), adequacy, dpf (a certified importer), scc, bcr, none.")
    dpf_certified: BoolClause | None = None
    accredited_for: _set(*RUBRICERING[1:]) | None = Field(  # type: ignore[valid-type]
        None, description="State classification levels the location is approved for.")
    supplier: TextClause | None = Field(None, description="The supplier (providers entry id).")
    external: BoolClause | None = Field(None, description="Run by a supplier (not an own data "
                                                          "centre without one).")
    exit_plan: BoolClause | None = Field(None, description="The supplier declares an exit plan.")
    exit_plan_age_months: NumberClause | None = Field(
        None, description="Whole months since the exit plan's date (none declared: fails).")
    encryption_at_rest: BoolClause | None = None
    customer_managed_keys: BoolClause | None = Field(None, description="Deprecated: prefer "
                                                                       "key_custody.")
    public_cloud: BoolClause | None = None
    labels: LabelClauses | None = Field(None, description="Location label -> condition.")
    any_of: list[Requirement] | None = Field(None, min_length=2, description="Holds when one of "
                                                                            "these holds.")

    def clauses(self) -> tuple[Clause, ...]:
        out: list[Clause] = []
        for attr in sorted(type(self).model_fields):
            given = getattr(self, attr)
            if given is None:
                continue
            if attr == "any_of":
                out.append(Clause("any_of", "either", tuple(r.clauses() for r in given)))
            elif attr in ("labels", "seal_objectives"):
                for key in sorted(given):
                    out.extend(Clause(attr, op, values, key) for op, values in given[key])
            else:
                out.extend(Clause(attr, op, values) for op, values in given)
        return tuple(out)


Requirement.model_rebuild()


def _label_by_name(value: Any) -> Any:
    """A required label may be written as just its name."""
    return {"key": value.strip()} if isinstance(value, str) and value.strip() else value


class LabelRequirementEntry(Format):
    """A label a workload must carry: present, one of ``values``, or matching ``pattern``."""

    key: Text = Field(description="The label.")
    values: TextList = Field((), description="Allowed values (default: any non-empty one).")
    pattern: Text | None = Field(None, description="A regular expression (RE2 syntax: no "
                                 "backreferences or lookaround; at most 1000 characters and 20 "
                                 "levels of groups) over the whole value, matched in linear time.",
                                 examples=["^DPIA-[0-9]{4}-[0-9]+$"])

    @model_validator(mode="after")
    def _pattern_compiles(self) -> LabelRequirementEntry:
        if self.pattern is not None:
            from advisor.rules.patterns import PatternError, compile_pattern

            try:
                compile_pattern(self.pattern)
            except PatternError as exc:
                raise fail(f"invalid pattern {shown(self.pattern)}: {exc}",
                           "write a regular expression such as '^DPIA-[0-9]{4}-[0-9]+$'",
                           key="pattern") from None
        return self

    def to_requirement(self) -> LabelRequirement:
        return LabelRequirement(self.key, self.values, self.pattern)


LabelRequirements = Annotated[list[Annotated[LabelRequirementEntry, BeforeValidator(
    _label_by_name, json_schema_input_type=Text | LabelRequirementEntry)]], Field(min_length=1)]


class FlowEntry(Format):
    """Where the workloads that receive the selected workloads' data may run."""

    require: Requirement
    min_gb_month: Amount = Field(Decimal(0), description="Only flows above this count.")


class BudgetEntry(Format):
    """The monthly cost of a workload or an application against its budget."""

    per: Annotated[str, OneOf(*BUDGET_PER)] = "workload"
    label: Text | None = Field(None, description="The workload label holding the budget "
                                                 "(default budget_monthly).")

    @model_validator(mode="after")
    def _application_budget(self) -> BudgetEntry:
        if self.per == "application" and self.label is not None:
            raise fail("an application budget comes from the budgets file, not from a label",
                       "remove 'label', or use per: workload", key="label")
        return self


def _budget_true(value: Any) -> Any:
    return {} if value is True else value


Fraction = Annotated[Decimal, Num(positive=True, maximum=1,
                                  range_text="must be a fraction of the request between 0 and 1",
                                  range_hint="e.g. cpu: 0.2 (p95 below 20% of the requested "
                                             "cores)")]


class UsageBelowEntry(Format):
    """An idle workload: measured p95 below these fractions of the request."""

    cpu: Fraction | None = None
    memory: Fraction | None = None

    @model_validator(mode="after")
    def _one_of(self) -> UsageBelowEntry:
        if self.cpu is None and self.memory is None:
            raise fail("needs cpu, memory or both", "e.g. usage_below: {cpu: 0.2, memory: 0.3}")
        return self


GROUPS = (("require", "require_labels", "where"), ("flow",), ("budget",), ("usage_below",),
          ("require_organisation",))


class RuleEntry(Format):
    """One rule: what it selects (when), and the one thing it checks."""

    id: Text = Field(description="Unique over every loaded pack.", examples=["SOV-001"])
    title: Text
    severity: Annotated[str, OneOf(*SEVERITIES)] = Field(
        description="error: excluded/fails the gate; warning: reported (priced with "
                    "penalty_monthly); info: reported.")
    basis: Annotated[str, OneOf(*BASES)] = Field(
        description="What requires it: law (cite the article), government-policy, "
                    "good-practice, or local (the organisation's own decision).")
    references: list[Annotated[ReferenceEntry, BeforeValidator(
        _reference_title, json_schema_input_type=Text | ReferenceEntry)]] = \
        Field(default_factory=list)
    rationale: Text | None = None
    remediation: Text | None = None
    when: WhenEntry | None = None
    where: Requirement | None = Field(None, description="Limits require/require_labels to these "
                                                        "locations.")
    require: Requirement | None = Field(None, description="What the workload's location must be.")
    require_labels: LabelRequirements | None = None
    flow: FlowEntry | None = None
    budget: Annotated[BudgetEntry, BeforeValidator(
        _budget_true, json_schema_input_type=Literal[True] | BudgetEntry)] | None = None
    usage_below: UsageBelowEntry | None = None
    penalty_monthly: Amount | None = Field(None, description="A warning rule's price per month "
                                                             "in the optimizer.")
    per: Annotated[str, OneOf(*PER)] = Field(
        "workload", description="One finding per workload, or once per location or supplier "
                                "in use by the workloads it selects (a location rule).")
    require_organisation: Annotated[tuple[str, ...], TextListKind(min_items=1)] | None = Field(
        None, description="Keys advisor.yaml's organisation must declare (nis2_entity, bio2): "
                          "one finding for the estate.")
    covered_by: TextList = Field((), description="Rule ids that check the same: when one is "
                                                 "loaded, this rule is not evaluated again.")
    tags: TextList = ()

    @model_validator(mode="after")
    def _one_thing(self) -> RuleEntry:
        has = {k for k in ("require", "require_labels", "where", "flow", "budget", "usage_below",
                           "require_organisation") if getattr(self, k) is not None}
        groups = [g for g in GROUPS if any(k in has for k in g)]
        errors: list[Below] = []
        if len(groups) > 1:
            keys = [k for g in groups for k in g if k in has]
            errors.append(((keys[-1],), fail(
                f"rule {self.id} mixes {', '.join(keys)}",
                "a rule checks one thing: require/require_labels (with an optional where), "
                "flow, budget or usage_below; split it into several rules"), None))
        if "where" in has and not {"require", "require_labels"} & has:
            errors.append((("where",), fail(
                "'where' limits a require or require_labels rule, and this rule has neither",
                "add require or require_labels, or remove where"), None))
        if self.penalty_monthly is not None:
            if self.severity != "warning":
                errors.append((("penalty_monthly",), fail(
                    "penalty_monthly is only meaningful on a warning rule",
                    "remove it, or make the rule severity: warning"), None))
            elif "require_labels" in has and not {"where", "require"} & has:
                errors.append((("penalty_monthly",), fail(
                    "penalty_monthly has no effect on a label rule without where: it is broken "
                    "wherever the workload runs", "add 'where' to price it only at those "
                    "locations, or remove penalty_monthly"), None))
            elif groups and groups[0][0] in ("budget", "usage_below"):
                errors.append((("penalty_monthly",), fail(
                    f"penalty_monthly does not apply to a {groups[0][0]} rule (it is reported "
                    "on a placement, never priced by the optimizer)", "remove penalty_monthly"),
                    None))
            elif self.per != "workload":
                errors.append((("penalty_monthly",), fail(
                    f"penalty_monthly does not apply to a rule reported per {self.per}",
                    "remove it, or report per: workload"), None))
        if self.per != "workload" and ("require" not in has or "require_labels" in has):
            errors.append((("per",), fail(
                f"per: {self.per} needs a location rule (require, optionally with where)",
                "remove per, or check the location with require"), None))
        for i, key in enumerate(self.require_organisation or ()):
            if key not in ORGANISATION_KEYS:
                near = nearest(key, ORGANISATION_KEYS)
                errors.append((("require_organisation", i), fail(
                    f"invalid value {shown(key)}", (f"did you mean '{near}'? " if near else "")
                    + "one of: " + ", ".join(ORGANISATION_KEYS)), key))
        if self.id in self.covered_by:
            errors.append((("covered_by",), fail("a rule cannot be covered by itself",
                                                 "name another rule's id"), None))
        if errors:
            raise fail_many("rule", errors)
        return self


class LabelMappingEntry(Format):
    """Within the pack, read a workload's ``from`` label value as a ``to`` label value."""

    source: Text = Field(alias="from", description="The label read.")
    target: Text = Field(alias="to", description="The label it stands in for.")
    values: TextMap = Field(description="old value -> new value.")

    @model_validator(mode="after")
    def _some_values(self) -> LabelMappingEntry:
        if not self.values:
            raise fail("needs at least one 'old value: new value' entry", key="values")
        return self


class RetiredEntry(Format):
    """A rule id the pack no longer holds: waivers that name it are reported as covering
    nothing, not rejected."""

    id: Text
    replaced_by: TextList = Field((), description="The rules that check it now.")
    reason: Text | None = None

    def to_retired(self) -> Retired:
        return Retired(self.id, self.replaced_by, self.reason or "")


class PackFile(Format):
    """A policy pack: rules as data, validated by this schema, never evaluated as code."""

    pack: Text = Field(description="The pack's name.", examples=["sovereignty"])
    title: Text | None = None
    description: Text | None = None
    version: Text | None = Field(None, description="The pack's version.", examples=["2.0"])
    reviewed: Day = Field(description="The day its references were last checked against their "
                                      "sources (YYYY-MM-DD).")
    sources: list[Annotated[ReferenceEntry, BeforeValidator(
        _reference_title, json_schema_input_type=Text | ReferenceEntry)]] = Field(
        default_factory=list, description="The texts the pack rests on, with their versions.")
    retired: list[RetiredEntry] = Field(default_factory=list,
                                        description="Rule ids retired from this pack.")
    label_mappings: list[LabelMappingEntry] = Field(default_factory=list)
    rules: list[RuleEntry]

    @model_validator(mode="wrap")
    @classmethod
    def _unique_ids(cls, data: Any, handler: Any) -> Any:
        """Duplicate rule ids are found on the raw rules, so they are reported together with
        every other problem of the pack."""
        seen: set[str] = set()
        errors: list[Below] = []
        rules = data.get("rules") if isinstance(data, dict) else None
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            ident = rule.get("id") if isinstance(rule, dict) else None
            if not isinstance(ident, (str, int)) or isinstance(ident, bool):
                continue
            ident = str(ident).strip()
            if ident in seen:
                errors.append((("rules", i, "id"), fail(
                    f"duplicate rule id '{ident}' in this pack", "give every rule a unique id"),
                    ident))
            seen.add(ident)
        return with_raw_checks(data, handler, errors)



def _attribute_kinds() -> dict[str, str]:
    out = {}
    for name, info in Requirement.model_fields.items():
        if name == "any_of":
            continue
        clause = [m for a in get_args(info.annotation) for m in getattr(a, "__metadata__", ())
                  if isinstance(m, ClauseKind)]  # labels: a MapOf of text clauses
        out[name] = clause[0].kind if clause else \
            "objectives" if name == "seal_objectives" else "labels"
    return out


# Location attributes a rule may require, with the kind of value each holds (``labels`` is a
# mapping of location label -> clause of text, ``objectives`` of SEAL objective -> number).
ATTRIBUTES: dict[str, str] = _attribute_kinds()
