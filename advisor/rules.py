"""The policy engine: rules are data (YAML packs), checked by a schema, never evaluated as code.

A rule selects workloads (``when``) and says what their location must be (``require``). Each rule is
evaluated once per workload and once per location, never per pair: the allowed set of a workload is
the AND of the location masks of the error rules that select it, computed once per distinct set of
selecting rules. That keeps 100,000 workloads x 12 locations fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from advisor.errors import InputError, PolicyError
from advisor.model import Estate, Location, PackRef, SourceRef, Workload
from advisor.yamlfile import Doc, View, load_yaml, nearest, parse_yaml

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
PACK_KEYS = ("pack", "title", "description", "rules")
RULE_KEYS = ("id", "title", "severity", "references", "rationale", "remediation", "when",
             "require", "penalty_monthly", "tags")
REFERENCE_KEYS = ("law", "article", "control", "title", "url")
WHEN_KEYS = ("labels", "match_expressions", "applications", "workloads")
EXPRESSION_KEYS = ("key", "operator", "values")
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
# Location attributes a rule may require, with the kind of value each holds.
ATTRIBUTES: dict[str, str] = {
    "id": "text", "provider": "text", "region": "text", "country": "text",
    "jurisdiction": "text", "cloud_act": "bool", "certifications": "set",
    "sovereignty_level": "number",
}
CLAUSE_OPS: dict[str, tuple[str, ...]] = {
    "text": ("in", "not_in"),
    "bool": ("in", "not_in"),
    "number": ("min", "max", "in", "not_in"),
    "set": ("all_of", "any_of", "none_of"),
}


@dataclass(frozen=True)
class Expression:
    key: str
    operator: str
    values: tuple[str, ...]

    def matches(self, labels: dict[str, str]) -> bool:
        if self.operator == "Exists":
            return self.key in labels
        if self.operator == "DoesNotExist":
            return self.key not in labels
        if self.operator == "In":
            return labels.get(self.key) in self.values
        return labels.get(self.key) not in self.values  # NotIn: absent counts as not in


@dataclass(frozen=True)
class Selector:
    """Which workloads a rule applies to; empty selects all."""

    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    expressions: tuple[Expression, ...] = ()
    applications: tuple[str, ...] = ()
    workloads: tuple[str, ...] = ()

    def matches(self, w: Workload) -> bool:
        if self.workloads and w.id not in self.workloads:
            return False
        if self.applications and w.application not in self.applications:
            return False
        for key, values in self.labels:
            if w.labels.get(key) not in values:
                return False
        return all(e.matches(w.labels) for e in self.expressions)

    def describe(self) -> str:
        parts = [f"{k} in [{', '.join(v)}]" for k, v in self.labels]
        parts += [f"{e.key} {e.operator} [{', '.join(e.values)}]" for e in self.expressions]
        if self.applications:
            parts.append(f"application in [{', '.join(self.applications)}]")
        if self.workloads:
            parts.append(f"workload in [{', '.join(self.workloads)}]")
        return " and ".join(parts) or "all workloads"


@dataclass(frozen=True)
class Clause:
    """One condition on a location attribute."""

    attribute: str
    op: str  # in | not_in | min | max | all_of | any_of | none_of
    values: tuple[Any, ...]

    def holds(self, loc: Location) -> bool:
        value = loc.attribute(self.attribute)
        if self.op == "in":
            return value in self.values
        if self.op == "not_in":
            return value not in self.values
        if self.op == "min":
            return value is not None and value >= self.values[0]
        if self.op == "max":
            return value is not None and value <= self.values[0]
        have = set(value or ())
        if self.op == "all_of":
            return set(self.values) <= have
        if self.op == "any_of":
            return bool(set(self.values) & have)
        return not set(self.values) & have  # none_of

    def describe(self) -> str:
        shown = ", ".join(_show(v) for v in self.values)
        words = {"in": "in", "not_in": "not in", "min": ">=", "max": "<=",
                 "all_of": "includes all of", "any_of": "includes one of",
                 "none_of": "includes none of"}
        if self.op in ("in", "not_in") and len(self.values) == 1:
            return f"{self.attribute} {'=' if self.op == 'in' else '!='} {shown}"
        return f"{self.attribute} {words[self.op]} [{shown}]" if self.op not in ("min", "max") \
            else f"{self.attribute} {words[self.op]} {shown}"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    pack: str
    rationale: str = ""
    remediation: str = ""
    references: tuple[tuple[tuple[str, str], ...], ...] = ()
    when: Selector = field(default_factory=Selector)
    require: tuple[Clause, ...] = ()
    penalty_monthly: Decimal | None = None
    tags: tuple[str, ...] = ()
    source: SourceRef | None = field(default=None, compare=False)

    def allows(self, loc: Location) -> bool:
        return all(c.holds(loc) for c in self.require)

    def failed_clauses(self, loc: Location) -> list[Clause]:
        return [c for c in self.require if not c.holds(loc)]

    def reference_text(self) -> str:
        out = []
        for ref in self.references:
            d = dict(ref)
            text = " ".join(d[k] for k in ("law", "article", "control") if k in d)
            out.append(text or d.get("title", d.get("url", "")))
        return "; ".join(out)


@dataclass(frozen=True)
class Finding:
    """A rule broken by a placement (or a workload that cannot be placed anywhere)."""

    rule: str
    severity: str
    workload: str
    location: str | None
    message: str

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-SEVERITY_RANK[self.severity], self.rule, self.workload, self.location or "")


# --------------------------------------------------------------------------- loading packs
def builtin_names() -> list[str]:
    root = resources.files("policies")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def load_packs(refs: Sequence[PackRef], estate_file: str | None = None) -> list[Rule]:
    """Every rule of every pack named in advisor.yaml; duplicate rule ids are an error."""
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    for ref in refs:
        for rule in load_pack_ref(ref, estate_file):
            if rule.id in seen:
                first = seen[rule.id]
                where = f"{first.source.file}:{first.source.line}" if first.source else first.pack
                raise _rule_error(rule, ("id",), f"duplicate rule id '{rule.id}' (also in {where})",
                                  "give every rule a unique id")
            seen[rule.id] = rule
            rules.append(rule)
    return rules


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
        text = resources.files("policies").joinpath(f"{name}.yaml").read_text("utf-8")
        file = str(Path(str(resources.files("policies"))) / f"{name}.yaml")
        return parse_pack(parse_yaml(text, file, "policy pack"), file)
    return load_pack_file(Path(ref.path))


def load_pack_file(path: Path) -> list[Rule]:
    return parse_pack(load_yaml(path, "policy pack"), str(path))


def parse_pack(data: Any, file: str) -> list[Rule]:
    doc = Doc(file, "policy pack")
    top = View(doc, data).mapping(PACK_KEYS, required=("pack", "rules"))
    pack = top.str("pack")
    rules = []
    seen: set[str] = set()
    for item in top.at("rules").items():
        rule = _rule(item, pack, file)
        if rule.id in seen:
            raise item.fail(f"duplicate rule id '{rule.id}' in this pack",
                            "give every rule a unique id", key="id")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _rule(v: View, pack: str, file: str) -> Rule:
    v.mapping(RULE_KEYS, required=("id", "title", "severity"))
    severity = v.choice("severity", SEVERITIES)
    penalty = v.decimal("penalty_monthly", required=False)
    if penalty is not None and severity != "warning":
        raise v.fail("penalty_monthly is only meaningful on a warning rule",
                     "remove it, or make the rule severity: warning", key="penalty_monthly")
    refs = []
    if v.has("references"):
        for r in v.at("references").items():
            if isinstance(r.value, str):
                refs.append((("title", r.value),))
                continue
            r.mapping(REFERENCE_KEYS)
            refs.append(tuple(sorted((k, r.str(k)) for k in r.value)))
    return Rule(
        id=v.str("id"),
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
    )


def _selector(v: View) -> Selector:
    v.mapping(WHEN_KEYS)
    labels = []
    if v.has("labels"):
        lab = v.at("labels")
        if not isinstance(lab.value, dict):
            raise lab.fail("expected a mapping of label -> value or list of values")
        for key in sorted(lab.value):
            labels.append((str(key), lab.str_list(str(key))))
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
    clauses = []
    for attr in sorted(v.value):
        kind = ATTRIBUTES[attr]
        raw = v.value[attr]
        sub = v.at(attr)
        if isinstance(raw, dict):
            ops = CLAUSE_OPS[kind]
            sub.mapping(ops)
            for op in sorted(raw):
                values = _clause_values(sub, op, kind, raw[op])
                clauses.append(Clause(attr, op, values))
        else:
            op = "all_of" if kind == "set" else "in"
            clauses.append(Clause(attr, op, _clause_values(v, attr, kind, raw)))
    return tuple(clauses)


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


def _rule_error(rule: Rule, rest: tuple[str, ...], message: str, hint: str) -> PolicyError:
    if rule.source is None:
        return PolicyError(message, hint=hint)
    err = Doc(rule.source.file, "").error((*rule.source.keypath, *rest), message, hint)
    return PolicyError(err.bare_message, file=err.file, line=err.line, hint=hint)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- evaluation
@dataclass
class Evaluation:
    """The rules applied to an estate: per workload, allowed locations, penalties, exclusions."""

    rules: list[Rule]
    locations: list[Location]
    allowed: dict[str, tuple[bool, ...]]  # workload id -> mask over locations (error rules)
    penalty: dict[str, tuple[Decimal, ...]]  # workload id -> warning penalties per location
    selected: dict[str, tuple[int, ...]]  # workload id -> indices of rules that select it
    location_ok: list[tuple[bool, ...]]  # rule index -> mask over locations

    def excluded_by(self, workload_id: str) -> dict[str, list[str]]:
        """For each location the workload may not use, the ids of the error rules that say so."""
        out: dict[str, list[str]] = {}
        for ri in self.selected[workload_id]:
            rule = self.rules[ri]
            if rule.severity != "error":
                continue
            for li, ok in enumerate(self.location_ok[ri]):
                if not ok:
                    out.setdefault(self.locations[li].id, []).append(rule.id)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def violations(self, w: Workload, location_id: str) -> list[Rule]:
        li = next(i for i, loc in enumerate(self.locations) if loc.id == location_id)
        return [self.rules[ri] for ri in self.selected[w.id] if not self.location_ok[ri][li]]


def evaluate(rules: Sequence[Rule], estate: Estate) -> Evaluation:
    locations = list(estate.locations)
    location_ok = [tuple(rule.allows(loc) for loc in locations) for rule in rules]
    n = len(locations)
    cache: dict[tuple[int, ...], tuple[tuple[bool, ...], tuple[Decimal, ...]]] = {}
    allowed: dict[str, tuple[bool, ...]] = {}
    penalty: dict[str, tuple[Decimal, ...]] = {}
    selected: dict[str, tuple[int, ...]] = {}
    for w in estate.workloads:
        sig = tuple(i for i, rule in enumerate(rules) if rule.when.matches(w))
        selected[w.id] = sig
        if sig not in cache:
            mask = [True] * n
            pen = [Decimal(0)] * n
            for ri in sig:
                rule = rules[ri]
                ok = location_ok[ri]
                for li in range(n):
                    if not ok[li]:
                        if rule.severity == "error":
                            mask[li] = False
                        elif rule.severity == "warning" and rule.penalty_monthly:
                            pen[li] += rule.penalty_monthly
            cache[sig] = (tuple(mask), tuple(pen))
        allowed[w.id], penalty[w.id] = cache[sig]
    return Evaluation(list(rules), locations, allowed, penalty, selected, location_ok)


def placement_findings(ev: Evaluation, workloads: Iterable[Workload],
                       placement: dict[str, str]) -> list[Finding]:
    """Violations of a placement (workload id -> location id), one finding per rule and workload."""
    index = {loc.id: i for i, loc in enumerate(ev.locations)}
    out = []
    for w in workloads:
        loc_id = placement.get(w.id, w.location)
        li = index[loc_id]
        loc = ev.locations[li]
        for ri in ev.selected[w.id]:
            if ev.location_ok[ri][li]:
                continue
            rule = ev.rules[ri]
            failed = "; ".join(c.describe() for c in rule.failed_clauses(loc))
            out.append(Finding(rule.id, rule.severity, w.id, loc_id,
                               f"{w.id} runs in {loc_id}, which breaks '{rule.title}' "
                               f"(requires {failed})"))
    return sorted(out, key=Finding.sort_key)
