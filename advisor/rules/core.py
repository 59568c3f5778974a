"""The rule model: what a rule selects and checks, and the findings it produces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.estate.model import Organisation, SourceRef, Workload

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
BUDGET_PER = ("workload", "application")
# What a rule checks; exactly one group per rule.
KINDS = ("location", "labels", "flow", "budget", "usage", "organisation")
# How hard a rule is: what requires it (docs/ci.md#basis).
BASES = ("law", "government-policy", "good-practice", "local")
BASIS_TEXT = {
    "law": "required by law (a statute or an EU act; the article is cited)",
    "government-policy": "binding government policy, not a statute (it binds the bodies it "
                         "names)",
    "good-practice": "good practice (a standard, framework or guidance); no law requires it",
    "local": "a decision of the organisation itself; no law requires it (the references are "
             "its context)",
}
# What one finding of a location rule is about: each workload, or once per location or
# supplier in use.
PER = ("workload", "location", "supplier")
# Organisation attributes a rule's ``when`` may select on, and their values (undeclared: not
# written in advisor.yaml).
ORGANISATION_KEYS: dict[str, tuple[str, ...]] = {
    "nis2_entity": ("essential", "important", "none", "undeclared"),
    "bio2": ("true", "false", "undeclared"),
}

Facts = Mapping[str, Any]  # a location's attribute values on the day (advisor.rules.facts)


def organisation_value(org: Organisation, key: str) -> str:
    value = getattr(org, key)
    if value is None:
        return "undeclared"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Expression:
    key: str
    operator: str
    values: tuple[str, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
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
    organisation: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def organisation_matches(self, org: Organisation) -> bool:
        """The estate-wide part: the organisation's status (a rule for NIS2 entities selects
        nothing in an organisation that is none)."""
        return all(organisation_value(org, key) in values for key, values in self.organisation)

    def matches(self, w: Workload, labels: Mapping[str, str] | None = None) -> bool:
        labels = w.labels if labels is None else labels
        if self.workloads and w.id not in self.workloads:
            return False
        if self.applications and w.application not in self.applications:
            return False
        for key, values in self.labels:
            if labels.get(key) not in values:
                return False
        return all(e.matches(labels) for e in self.expressions)

    def describe(self) -> str:
        parts = [f"organisation {k} in [{', '.join(v)}]" for k, v in self.organisation]
        parts += [f"{k} in [{', '.join(v)}]" for k, v in self.labels]
        parts += [f"{e.key} {e.operator} [{', '.join(e.values)}]" for e in self.expressions]
        if self.applications:
            parts.append(f"application in [{', '.join(self.applications)}]")
        if self.workloads:
            parts.append(f"workload in [{', '.join(self.workloads)}]")
        if self.organisation and not (self.labels or self.expressions or self.applications
                                      or self.workloads):
            parts.append("all workloads")
        return " and ".join(parts) or "all workloads"


@dataclass(frozen=True)
class Clause:
    """One condition on a location attribute (``key`` names the entry of a mapping attribute:
    a label, a SEAL objective). Op ``either`` holds when one of its groups of clauses (in
    ``values``) holds entirely."""

    attribute: str
    op: str  # in | not_in | min | max | all_of | any_of | none_of | either
    values: tuple[Any, ...]
    key: str | None = None

    def value(self, facts: Facts) -> Any:
        value = facts.get(self.attribute)
        if self.key is not None:
            return (value or {}).get(self.key)
        return value

    def holds(self, facts: Facts) -> bool:
        if self.op == "either":
            return any(all(c.holds(facts) for c in group) for group in self.values)
        value = self.value(facts)
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
        if self.op == "either":
            return " or ".join("(" + " and ".join(c.describe() for c in group) + ")"
                               for group in self.values)
        name = f"label {self.key}" if self.attribute == "labels" else \
            f"{self.attribute} {self.key}" if self.key else self.attribute
        shown = ", ".join(_show(v) for v in self.values)
        words = {"in": "in", "not_in": "not in", "min": ">=", "max": "<=",
                 "all_of": "includes all of", "any_of": "includes one of",
                 "none_of": "includes none of"}
        if self.op in ("in", "not_in") and len(self.values) == 1:
            return f"{name} {'=' if self.op == 'in' else '!='} {shown}"
        return f"{name} {words[self.op]} [{shown}]" if self.op not in ("min", "max") \
            else f"{name} {words[self.op]} {shown}"


@dataclass(frozen=True)
class LabelRequirement:
    """A label a workload must carry: present and non-empty, one of ``values``, or matching
    ``pattern`` (a regular expression over the whole value)."""

    key: str
    values: tuple[str, ...] = ()
    pattern: str | None = None

    def holds(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if value is None or not value.strip():
            return False
        if self.values and value not in self.values:
            return False
        if self.pattern is None:
            return True
        from advisor.rules.patterns import fullmatch

        return fullmatch(self.pattern, value)

    def describe(self) -> str:
        if self.values:
            return f"label {self.key} in [{', '.join(self.values)}]"
        if self.pattern is not None:
            return f"label {self.key} matching {self.pattern}"
        return f"label {self.key}"


@dataclass(frozen=True)
class Flow:
    """Workloads receiving the selected workloads' data must run where ``require`` holds.

    Data flows along a dependency edge "w depends_on d": d's data reaches w when
    receive_gb_month > min_gb_month, and w's data reaches d when send_gb_month > min_gb_month."""

    require: tuple[Clause, ...]
    min_gb_month: Decimal = Decimal(0)


@dataclass(frozen=True)
class Budget:
    """Monthly cost (run + egress) under a placement against a budget in the estate currency.

    Per workload, the budget is the workload's ``label`` (default budget_monthly) or the budgets
    file's entry; per application, the budgets file's entry."""

    per: str = "workload"
    label: str = "budget_monthly"


@dataclass(frozen=True)
class UsageBelow:
    """An idle workload: every measured 95th percentile below this fraction of its request."""

    cpu: Decimal | None = None
    memory: Decimal | None = None


@dataclass(frozen=True)
class LabelMapping:
    """Within a pack, a workload without label ``target`` is read as having the value that
    ``values`` gives for its ``source`` label (e.g. legacy BBN levels -> BIO2 risk)."""

    source: str
    target: str
    values: tuple[tuple[str, str], ...]
    where: SourceRef | None = field(default=None, compare=False)

    def apply(self, labels: Mapping[str, str]) -> Mapping[str, str]:
        if self.target in labels or self.source not in labels:
            return labels
        mapped = dict(self.values).get(labels[self.source])
        if mapped is None:
            return labels
        return {**labels, self.target: mapped}


@dataclass(frozen=True)
class Retired:
    """A rule id a pack no longer holds, what replaced it and why (waivers naming it are
    reported, not rejected)."""

    id: str
    replaced_by: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class PackInfo:
    """A pack's provenance: its version, the day its references were last reviewed, the
    sources it rests on and the rule ids it retired."""

    name: str
    title: str = ""
    version: str = ""
    reviewed: dt.date | None = None
    sources: tuple[tuple[tuple[str, str], ...], ...] = ()
    retired: tuple[Retired, ...] = ()
    file: str | None = None
    builtin: bool = False


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
    where: tuple[Clause, ...] = ()
    require_labels: tuple[LabelRequirement, ...] = ()
    flow: Flow | None = None
    budget: Budget | None = None
    usage_below: UsageBelow | None = None
    mappings: tuple[LabelMapping, ...] = ()
    basis: str | None = None  # law | government-policy | good-practice | local (None: advisor)
    per: str = "workload"
    covered_by: tuple[str, ...] = ()
    require_organisation: tuple[str, ...] = ()
    info: PackInfo | None = field(default=None, compare=False)

    @property
    def kind(self) -> str:
        if self.require_organisation:
            return "organisation"
        if self.flow is not None:
            return "flow"
        if self.budget is not None:
            return "budget"
        if self.usage_below is not None:
            return "usage"
        return "labels" if self.require_labels else "location"

    @property
    def per_location(self) -> bool:
        """True when the rule is a location mask per workload (the optimizer obeys it)."""
        return self.kind in ("location", "labels", "flow")

    def constrains(self) -> str:
        """How the rule reaches the optimizer, in words (for `advisor policies`)."""
        if self.kind == "organisation":
            return "reported once for the estate (never constrains the optimizer)"
        if self.kind == "budget" and self.severity == "error":
            return "a new breach is a constraint of the optimizer (a breach today is reported)"
        if self.kind in ("budget", "usage"):
            return "reported on a placement only (never constrains the optimizer)"
        if self.kind == "labels" and not self.where and not self.require:
            return "the label part is reported only (no location exclusion)"
        if self.severity == "info":
            return "reported only (info)"
        if self.severity == "warning" and not self.penalty_monthly:
            return "reported only (a warning without penalty_monthly)"
        verb = "excludes" if self.severity == "error" else "prices (penalty_monthly)"
        if self.kind == "flow":
            return f"{verb} locations of the workloads that receive the data"
        if self.kind == "labels" and self.where:
            return f"{verb} the 'where' locations of a workload that lacks the labels"
        if self.kind == "labels":
            return f"{verb} locations that break require; the label part is reported only"
        if self.per != "workload":
            return f"{verb} locations per workload (reported once per {self.per} in use)"
        return f"{verb} locations per workload"

    def labels_of(self, w: Workload) -> Mapping[str, str]:
        labels: Mapping[str, str] = w.labels
        for m in self.mappings:
            labels = m.apply(labels)
        return labels

    def selects(self, w: Workload) -> bool:
        return self.when.matches(w, self.labels_of(w) if self.mappings else None)

    def applies_at(self, facts: Facts) -> bool:
        return all(c.holds(facts) for c in self.where)

    def clauses(self) -> tuple[Clause, ...]:
        return self.flow.require if self.flow is not None else self.require

    def allows(self, facts: Facts) -> bool:
        """The location part: where the rule applies, its location requirement holds."""
        return not self.applies_at(facts) or all(c.holds(facts) for c in self.clauses())

    def failed_clauses(self, facts: Facts) -> list[Clause]:
        return [c for c in self.clauses() if not c.holds(facts)]

    def missing_labels(self, w: Workload) -> list[LabelRequirement]:
        labels = self.labels_of(w)
        return [r for r in self.require_labels if not r.holds(labels)]

    def reference_text(self) -> str:
        out = []
        for ref in self.references:
            d = dict(ref)
            text = " ".join(d[k] for k in ("law", "article", "control") if k in d)
            text = text or d.get("title", d.get("url", ""))
            out.append(text + (" (unconfirmed)" if d.get("unconfirmed") == "true" else ""))
        return "; ".join(out)

    def basis_text(self) -> str:
        """The basis in words, so that a rule no law requires is never read as law."""
        if self.basis is None:
            return "the advisor's own check"
        return f"{self.basis}: {BASIS_TEXT[self.basis]}"

    def reference_urls(self) -> list[str]:
        return [dict(ref)["url"] for ref in self.references if "url" in dict(ref)]

    def describe(self) -> list[tuple[str, str]]:
        """(what, text) lines that say what the rule checks, for people."""
        out = [("applies to", self.when.describe())]
        if self.per != "workload":
            out.append(("reported", f"once per {self.per} in use"))
        if self.require_organisation:
            out.append(("requires", "advisor.yaml declares organisation "
                        + " and ".join(self.require_organisation)))
        if self.mappings:
            out.append(("label mappings", "; ".join(
                f"{m.source} -> {m.target} ({', '.join(f'{a}={b}' for a, b in m.values)})"
                for m in self.mappings)))
        if self.where:
            out.append(("where", " and ".join(c.describe() for c in self.where)))
        if self.require:
            out.append(("requires", " and ".join(c.describe() for c in self.require)))
        if self.require_labels:
            out.append(("requires labels", " and ".join(r.describe()
                                                        for r in self.require_labels)))
        if self.flow is not None:
            out.append(("data receivers require", " and ".join(
                c.describe() for c in self.flow.require)
                + (f" (flows over {self.flow.min_gb_month} GB/month)"
                   if self.flow.min_gb_month else "")))
        if self.budget is not None:
            src = f"label {self.budget.label} or the budgets file" \
                if self.budget.per == "workload" else "the budgets file"
            out.append(("budget", f"monthly cost per {self.budget.per} <= budget ({src})"))
        if self.usage_below is not None:
            parts = [f"{k} p95 below {_pct(v)} of the request"
                     for k, v in (("cpu", self.usage_below.cpu),
                                  ("memory", self.usage_below.memory)) if v is not None]
            out.append(("idle when", " and ".join(parts)))
        return out


def known_rule_ids(rules: Sequence[Rule]) -> list[str]:
    """The ids a waiver may name: every loaded rule's, and every id a loaded pack retired (a
    waiver for a retired rule is reported as covering nothing, not rejected)."""
    ids = {r.id for r in rules}
    for r in rules:
        ids.update(x.id for x in (r.info.retired if r.info else ()))
    return sorted(ids)


@dataclass(frozen=True)
class Finding:
    """A rule broken by a placement (or a workload that cannot be placed anywhere).

    ``subject`` names what the rule was evaluated on when that is not the workload itself (an
    application for a budget per application); ``resource`` the Terraform address behind it;
    ``detail`` tells apart two findings of one rule on one subject (the dependency whose latency
    limit is exceeded), so each keeps its own fingerprint."""

    rule: str
    severity: str
    workload: str
    location: str | None
    message: str
    subject: str | None = None
    resource: str | None = None
    detail: str | None = None

    def sort_key(self) -> tuple[int, str, str, str, str, str]:
        return (-SEVERITY_RANK[self.severity], self.rule, self.workload, self.location or "",
                self.resource or "", self.detail or "")

    @property
    def identity(self) -> tuple[str, str, str]:
        """What tells this finding from every other one in a run (and across runs)."""
        return (self.rule, self.key, self.detail or "")

    @property
    def key(self) -> str:
        """What identifies this finding across runs (rule excluded): subject, workload or
        resource."""
        return self.subject or self.workload or self.resource or ""

    @property
    def who(self) -> str:
        """What the finding is about, for people: a workload, an application, a location, a
        supplier or the organisation."""
        if self.subject is None or self.rule.startswith("WAIVER-"):
            return self.workload or self.resource or self.key
        kind, sep, name = self.subject.partition(":")
        if sep and kind in ("location", "supplier"):
            return f"{kind} {name}"
        if self.subject == "organisation":
            return "the organisation"
        return f"application {self.subject}"

    @property
    def shown(self) -> str:
        """``who @ location`` for a finding about a workload or an application, else who (the
        message names the locations of a location, supplier or organisation finding)."""
        who = self.who
        about_place = self.subject is not None and (":" in self.subject
                                                    or self.subject == "organisation")
        return f"{who} @ {self.location}" if self.location and not about_place else who


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pct(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"
