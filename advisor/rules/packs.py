"""Loading policy packs: YAML checked key by key; every problem names the file and line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from advisor.errors import InputError, PolicyError
from advisor.estate.model import PackRef, SourceRef
from advisor.estate.yamlfile import Doc, View, load_yaml, nearest, parse_yaml
from advisor.rules.core import (
    ATTRIBUTES,
    BUDGET_KEYS,
    BUDGET_PER,
    CLAUSE_OPS,
    EXPRESSION_KEYS,
    FLOW_KEYS,
    LABEL_REQUIREMENT_KEYS,
    MAPPING_KEYS,
    OPERATORS,
    PACK_KEYS,
    REFERENCE_KEYS,
    RULE_KEYS,
    SEVERITIES,
    USAGE_BELOW_KEYS,
    WHEN_KEYS,
    Budget,
    Clause,
    Expression,
    Flow,
    LabelMapping,
    LabelRequirement,
    Rule,
    Selector,
    UsageBelow,
)


def builtin_names() -> list[str]:
    root = resources.files("advisor.policies")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def builtin_file(name: str) -> str:
    return str(Path(str(resources.files("advisor.policies"))) / f"{name}.yaml")


def load_builtin(name: str) -> list[Rule]:
    text = resources.files("advisor.policies").joinpath(f"{name}.yaml").read_text("utf-8")
    file = builtin_file(name)
    return parse_pack(parse_yaml(text, file, "policy pack"), file)


def load_packs(refs: Sequence[PackRef], estate_file: str | None = None) -> list[Rule]:
    """Every rule of every pack named in advisor.yaml; duplicate rule ids are an error."""
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for ref in refs:
        for rule in load_pack_ref(ref, estate_file):
            check_duplicate(rule, seen)
            rules.append(rule)
    return rules


def check_duplicate(rule: Rule, seen: dict[str, Rule]) -> None:
    if rule.id in seen:
        first = seen[rule.id]
        where = f"{first.source.file}:{first.source.line}" if first.source else first.pack
        raise _rule_error(rule, ("id",), f"duplicate rule id '{rule.id}' (also in {where})",
                          "give every rule a unique id")
    seen[rule.id] = rule


def load_pack_ref(ref: PackRef, estate_file: str | None = None) -> list[Rule]:
    if ref.path is None:
        name = ref.name.split(":", 1)[1]
        known = builtin_names()
        if name not in known:
            near = nearest(name, known)
            hint = (f"did you mean 'builtin:{near}'? " if near else "") + \
                "built-in packs: " + ", ".join(f"builtin:{k}" for k in known)
            line = ref.source.line if ref.source else None
            raise InputError(f"unknown built-in policy pack '{ref.name}'",
                             file=ref.source.file if ref.source else estate_file, line=line,
                             hint=hint)
        return load_builtin(name)
    return load_pack_file(Path(ref.path))


def load_pack_file(path: Path) -> list[Rule]:
    return parse_pack(load_yaml(path, "policy pack"), str(path))


def parse_pack(data: Any, file: str) -> list[Rule]:
    doc = Doc(file, "policy pack")
    top = View(doc, data).mapping(PACK_KEYS, required=("pack", "rules"))
    pack = top.str("pack")
    mappings = tuple(_mapping(m) for m in top.at("label_mappings").items()) \
        if top.has("label_mappings") else ()
    rules = []
    seen: set[str] = set()
    for item in top.at("rules").items():
        rule = _rule(item, pack, file, mappings)
        if rule.id in seen:
            raise item.fail(f"duplicate rule id '{rule.id}' in this pack",
                            "give every rule a unique id", key="id")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _mapping(v: View) -> LabelMapping:
    v.mapping(MAPPING_KEYS, required=("from", "to", "values"))
    values = v.str_map("values")
    if not values:
        raise v.fail("needs at least one 'old value: new value' entry", key="values")
    return LabelMapping(v.str("from"), v.str("to"), tuple(sorted(values.items())))


def _rule(v: View, pack: str, file: str, mappings: tuple[LabelMapping, ...] = ()) -> Rule:
    v.mapping(RULE_KEYS, required=("id", "title", "severity"))
    severity = v.choice("severity", SEVERITIES)
    ident = v.str("id")
    groups = [g for g in (("require", "require_labels", "where"), ("flow",), ("budget",),
                          ("usage_below",)) if any(v.has(k) for k in g)]
    if len(groups) > 1:
        keys = [k for g in groups for k in g if v.has(k)]
        raise v.fail(f"rule {ident} mixes {', '.join(keys)}",
                     "a rule checks one thing: require/require_labels (with an optional where), "
                     "flow, budget or usage_below; split it into several rules", key=keys[-1])
    if v.has("where") and not (v.has("require") or v.has("require_labels")):
        raise v.fail("'where' limits a require or require_labels rule, and this rule has neither",
                     "add require or require_labels, or remove where", key="where")
    penalty = v.decimal("penalty_monthly", required=False)
    if penalty is not None and severity != "warning":
        raise v.fail("penalty_monthly is only meaningful on a warning rule",
                     "remove it, or make the rule severity: warning", key="penalty_monthly")
    if penalty is not None and v.has("require_labels") and not (v.has("where")
                                                                 or v.has("require")):
        raise v.fail("penalty_monthly has no effect on a label rule without where: it is broken "
                     "wherever the workload runs", "add 'where' to price it only at those "
                     "locations, or remove penalty_monthly", key="penalty_monthly")
    if penalty is not None and groups and groups[0][0] in ("budget", "usage_below"):
        raise v.fail(f"penalty_monthly does not apply to a {groups[0][0]} rule (it is reported "
                     "on a placement, never priced by the optimizer)", "remove penalty_monthly",
                     key="penalty_monthly")
    refs: list[tuple[tuple[str, str], ...]] = []
    if v.has("references"):
        for r in v.at("references").items():
            if isinstance(r.value, str):
                refs.append((("title", r.value),))
                continue
            r.mapping(REFERENCE_KEYS)
            refs.append(tuple(sorted((k, r.str(k)) for k in r.value)))
    return Rule(
        id=ident,
        title=v.str("title"),
        severity=severity,
        pack=pack,
        rationale=v.str("rationale", "") if v.has("rationale") else "",
        remediation=v.str("remediation", "") if v.has("remediation") else "",
        references=tuple(refs),
        when=_selector(v.at("when")) if v.has("when") else Selector(),
        require=_requirement(v.at("require")) if v.has("require") else (),
        penalty_monthly=penalty,
        tags=v.str_list("tags"),
        source=SourceRef(file, v.path),
        where=_requirement(v.at("where")) if v.has("where") else (),
        require_labels=_label_requirements(v.at("require_labels"))
        if v.has("require_labels") else (),
        flow=_flow(v.at("flow")) if v.has("flow") else None,
        budget=_budget(v.at("budget")) if v.has("budget") else None,
        usage_below=_usage_below(v.at("usage_below")) if v.has("usage_below") else None,
        mappings=mappings,
    )


def _selector(v: View) -> Selector:
    v.mapping(WHEN_KEYS)
    labels = []
    if v.has("labels"):
        lab = v.at("labels")
        if not isinstance(lab.value, dict):
            raise lab.fail("expected a mapping of label -> value or list of values")
        for key in sorted(lab.value, key=str):
            if not isinstance(key, str):
                raise lab.fail(f"expected a label name, got {key!r}", key=str(key))
            values = lab.str_list(key)
            if not values:
                raise lab.fail("needs at least one value", key=key)
            labels.append((key, values))
    expressions = []
    if v.has("match_expressions"):
        for e in v.at("match_expressions").items():
            e.mapping(EXPRESSION_KEYS, required=("key", "operator"))
            op = e.choice("operator", OPERATORS)
            values = e.str_list("values")
            if op in ("In", "NotIn") and not values:
                raise e.fail(f"operator {op} needs values", "add 'values: [...]'")
            if op in ("Exists", "DoesNotExist") and values:
                raise e.fail(f"operator {op} takes no values", "remove 'values'", key="values")
            expressions.append(Expression(e.str("key"), op, values))
    return Selector(tuple(labels), tuple(expressions), v.str_list("applications"),
                    v.str_list("workloads"))


def _requirement(v: View) -> tuple[Clause, ...]:
    v.mapping(tuple(ATTRIBUTES))
    clauses: list[Clause] = []
    for attr in sorted(v.value):
        kind = ATTRIBUTES[attr]
        if kind == "labels":
            labels = v.at(attr)
            if not isinstance(labels.value, dict) or not labels.value:
                raise labels.fail("expected a mapping of location label -> value, list of "
                                  "values, or {in: [...]} / {not_in: [...]}")
            for key in sorted(labels.value, key=str):
                if not isinstance(key, str):
                    raise labels.fail(f"expected a label name, got {key!r}", key=str(key))
                clauses.extend(_clauses(labels, key, "text", key))
            continue
        clauses.extend(_clauses(v, attr, kind))
    return tuple(clauses)


def _clauses(v: View, attr: str, kind: str, label: str | None = None) -> list[Clause]:
    raw = v.value[attr]
    name = "labels" if label is not None else attr
    if raw is None:
        raise v.fail("needs a value", key=attr)
    if isinstance(raw, dict):
        sub = v.at(attr)
        sub.mapping(CLAUSE_OPS[kind])
        if not raw:
            raise sub.fail("needs at least one condition", f"use one of: "
                           f"{', '.join(CLAUSE_OPS[kind])}")
        return [Clause(name, op, _clause_values(sub, op, kind, raw[op]), label)
                for op in sorted(raw)]
    op = "all_of" if kind == "set" else "in"
    return [Clause(name, op, _clause_values(v, attr, kind, raw), label)]


def _clause_values(v: View, key: str, kind: str, raw: Any) -> tuple[Any, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise v.fail("needs at least one value", key=key)
    out: list[Any] = []
    for item in items:
        if kind == "bool":
            if not isinstance(item, bool):
                raise v.fail(f"expected true or false, got {item!r}", key=key)
        elif kind == "number":
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise v.fail(f"expected a number, got {item!r}", key=key)
        elif isinstance(item, bool) or not isinstance(item, (str, int)) or item == "":
            raise v.fail(f"expected text, got {item!r}", key=key)
        else:
            item = str(item)
        out.append(item)
    if key in ("min", "max") and len(out) != 1:
        raise v.fail(f"'{key}' takes one number", key=key)
    return tuple(out)


def _label_requirements(v: View) -> tuple[LabelRequirement, ...]:
    out = []
    items = v.items()
    if not items:
        raise v.fail("needs at least one label", "e.g. require_labels: [dpia]")
    for item in items:
        if isinstance(item.value, str) and item.value.strip():
            out.append(LabelRequirement(item.value.strip()))
            continue
        if not isinstance(item.value, dict):
            raise item.fail("expected a label name or {key, values, pattern}")
        item.mapping(LABEL_REQUIREMENT_KEYS, required=("key",))
        pattern = item.str("pattern") if item.has("pattern") else None
        if pattern is not None:
            from advisor.rules.patterns import PatternError, compile_pattern

            try:
                compile_pattern(pattern)
            except PatternError as exc:
                shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
                raise item.fail(f"invalid pattern {shown!r}: {exc}",
                                "write a regular expression such as '^DPIA-[0-9]{4}-[0-9]+$'",
                                key="pattern") from None
        out.append(LabelRequirement(item.str("key"), item.str_list("values"), pattern))
    return tuple(out)


def _flow(v: View) -> Flow:
    v.mapping(FLOW_KEYS, required=("require",))
    return Flow(_requirement(v.at("require")),
                v.decimal("min_gb_month", default=Decimal(0)) or Decimal(0))


def _budget(v: View) -> Budget:
    if v.value is True:
        return Budget()
    v.mapping(BUDGET_KEYS)
    per = v.choice("per", BUDGET_PER, "workload")
    if per == "application" and v.has("label"):
        raise v.fail("an application budget comes from the budgets file, not from a label",
                     "remove 'label', or use per: workload", key="label")
    return Budget(per, v.str("label", "budget_monthly"))


def _usage_below(v: View) -> UsageBelow:
    v.mapping(USAGE_BELOW_KEYS)
    values = {}
    for key in USAGE_BELOW_KEYS:
        value = v.decimal(key, required=False)
        if value is not None and not Decimal(0) < value <= 1:
            raise v.fail(f"must be a fraction of the request between 0 and 1, got {value}",
                         "e.g. cpu: 0.2 (p95 below 20% of the requested cores)", key=key)
        values[key] = value
    if not any(values.values()):
        raise v.fail("needs cpu, memory or both", "e.g. usage_below: {cpu: 0.2, memory: 0.3}")
    return UsageBelow(values["cpu"], values["memory"])


def _rule_error(rule: Rule, rest: tuple[str, ...], message: str, hint: str) -> PolicyError:
    if rule.source is None:
        return PolicyError(message, hint=hint)
    err = Doc(rule.source.file, "").error((*rule.source.keypath, *rest), message, hint)
    return PolicyError(err.bare_message, file=err.file, line=err.line, hint=hint)
