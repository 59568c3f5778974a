"""Rules that contradict each other: two error rules that can select the same workload while no
location can satisfy both.

Two checks. ``static_contradictions`` reads the rules alone: their ``when`` parts can select one
workload, and their ``require`` parts ask for values of one attribute that cannot hold together
(provider onprem and provider aws; seal >= 3 and seal <= 2; an evidence type required and
forbidden). It catches a defect in a pack whatever the estate (built-in packs must have none).
``estate_contradictions`` (in ``advisor.rules.evaluate``) looks at an estate: a workload whose
every location is excluded, by a pair of rules that each leave some location open.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from advisor.rules.core import Clause, Rule, Selector


@dataclass(frozen=True)
class Contradiction:
    first: Rule
    second: Rule
    why: str  # what cannot hold together
    who: str  # which workloads both select

    def text(self) -> str:
        return (f"rules {_where(self.first)} and {_where(self.second)} contradict for "
                f"{self.who}: {self.why}, so no location can satisfy both")


def _where(rule: Rule) -> str:
    if rule.source is None:
        return rule.id
    return f"{rule.id} ({rule.source.file}:{rule.source.line})"


def static_contradictions(rules: Sequence[Rule]) -> list[Contradiction]:
    """Pairs of error location rules (without ``where``) that cannot both hold."""
    candidates = [r for r in rules if r.severity == "error" and r.kind == "location"
                  and not r.where and r.require]
    out = []
    for a, b in itertools.combinations(candidates, 2):
        who = _overlap(a.when, b.when)
        if who is None:
            continue
        why = _clash(a.require, b.require)
        if why is not None:
            out.append(Contradiction(a, b, why, who))
    return out


def _overlap(a: Selector, b: Selector) -> str | None:
    """A description of the workloads both selectors can select, or None when none can."""
    labels: dict[str, set[str]] = {}
    for key, values in (*a.labels, *b.labels):
        labels[key] = labels[key] & set(values) if key in labels else set(values)
    for e in (*a.expressions, *b.expressions):
        if e.operator == "In":
            labels[e.key] = labels[e.key] & set(e.values) if e.key in labels else set(e.values)
        elif e.operator == "NotIn" and e.key in labels:
            labels[e.key] -= set(e.values)
    if any(not v for v in labels.values()):
        return None
    for x, y in ((a.applications, b.applications), (a.workloads, b.workloads)):
        if x and y and not set(x) & set(y):
            return None
    org: dict[str, set[str]] = {}
    for key, values in (*a.organisation, *b.organisation):
        org[key] = org[key] & set(values) if key in org else set(values)
    if any(not v for v in org.values()):
        return None
    parts = [f"{k} {'/'.join(sorted(v))}" for k, v in sorted(labels.items())]
    names = sorted(set(a.workloads) & set(b.workloads)) if a.workloads and b.workloads else \
        sorted(a.workloads or b.workloads)
    if names:
        parts.append("workload " + "/".join(names))
    return "a workload with " + " and ".join(parts) if parts else "every workload"


def _clash(a: Sequence[Clause], b: Sequence[Clause]) -> str | None:
    """What the two requirements ask that cannot hold together, or None."""
    by_attr: dict[tuple[str, str | None], list[Clause]] = {}
    for c in (*a, *b):
        if c.op != "either":
            by_attr.setdefault((c.attribute, c.key), []).append(c)
    for (attr, key), clauses in sorted(by_attr.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        name = f"{attr} {key}" if key else attr
        why = _values_clash(clauses)
        if why:
            return f"{name} {why}"
    return None


def _values_clash(clauses: list[Clause]) -> str | None:
    allowed: set[Any] | None = None
    banned: set[Any] = set()
    low: Decimal | None = None
    high: Decimal | None = None
    need: set[Any] = set()
    forbid: set[Any] = set()
    for c in clauses:
        if c.op == "in":
            allowed = set(c.values) if allowed is None else allowed & set(c.values)
        elif c.op == "not_in":
            banned |= set(c.values)
        elif c.op == "min":
            low = Decimal(c.values[0]) if low is None else max(low, Decimal(c.values[0]))
        elif c.op == "max":
            high = Decimal(c.values[0]) if high is None else min(high, Decimal(c.values[0]))
        elif c.op == "all_of":
            need |= set(c.values)
        elif c.op == "none_of":
            forbid |= set(c.values)
        elif c.op == "any_of" and set(c.values) <= forbid:
            return f"must include one of [{', '.join(map(str, c.values))}], all forbidden"
    if allowed is not None:
        left = {v for v in allowed if v not in banned
                and (low is None or not isinstance(v, (int, Decimal)) or v >= low)
                and (high is None or not isinstance(v, (int, Decimal)) or v <= high)}
        if not left:
            return "must be " + " and ".join(_says(c) for c in clauses)
    if low is not None and high is not None and low > high:
        return f"must be at least {low} and at most {high}"
    if need & forbid:
        return f"must include and exclude {', '.join(sorted(map(str, need & forbid)))}"
    return None


def _says(c: Clause) -> str:
    shown = ", ".join("true" if v is True else "false" if v is False else str(v)
                      for v in c.values)
    return {"in": f"in [{shown}]", "not_in": f"not in [{shown}]", "min": f">= {shown}",
            "max": f"<= {shown}"}.get(c.op, f"{c.op} [{shown}]")
