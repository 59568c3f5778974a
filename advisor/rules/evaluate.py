"""Evaluating rules: location masks per workload for the optimizer, findings for a placement.

Each rule is evaluated once per workload and once per location, never per pair."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from advisor.errors import InputError
from advisor.estate.model import Estate, Location, Workload
from advisor.estate.yamlfile import Doc, to_decimal
from advisor.rules.core import Finding, Rule, UsageBelow, _pct


@dataclass
class Evaluation:
    """The rules applied to an estate: per workload, allowed locations, penalties, exclusions."""

    rules: list[Rule]
    locations: list[Location]
    allowed: dict[str, tuple[bool, ...]]  # workload id -> mask over locations (error rules)
    penalty: dict[str, tuple[Decimal, ...]]  # workload id -> warning penalties per location
    selected: dict[str, tuple[int, ...]]  # workload id -> indices of per-location rules reaching it
    location_ok: list[tuple[bool, ...]]  # rule index -> mask over locations (where => require)
    applies: list[tuple[bool, ...]] = field(default_factory=list)  # rule index -> where mask
    # workload id -> indices of label rules whose labels it lacks
    label_failed: dict[str, tuple[int, ...]] = field(default_factory=dict)
    flows: dict[tuple[int, str], tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)

    def index_of(self, location_id: str) -> int:
        return next(i for i, loc in enumerate(self.locations) if loc.id == location_id)

    def broken_at(self, workload_id: str, ri: int, li: int) -> bool:
        """Does rule ``ri`` (which reaches the workload) break at location ``li``?"""
        if not self.applies[ri][li]:
            return False
        return not self.location_ok[ri][li] or ri in self.label_failed.get(workload_id, ())

    def _excludes(self, workload_id: str, ri: int, li: int) -> bool:
        """Does rule ``ri`` take location ``li`` away from the workload (or price it)?"""
        if not self.location_ok[ri][li]:
            return True
        rule = self.rules[ri]
        return bool(rule.where) and ri in self.label_failed.get(workload_id, ()) \
            and self.applies[ri][li]

    def excluded_by(self, workload_id: str) -> dict[str, list[str]]:
        """For each location the workload may not use, the ids of the error rules that say so."""
        out: dict[str, list[str]] = {}
        for ri in self.selected[workload_id]:
            rule = self.rules[ri]
            if rule.severity != "error":
                continue
            for li in range(len(self.locations)):
                if self._excludes(workload_id, ri, li):
                    out.setdefault(self.locations[li].id, []).append(rule.id)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def waived(self, pairs: set[tuple[str, str]], current: Mapping[str, str]) -> Evaluation:
        """The evaluation with waivers applied: for each (rule id, workload id) in ``pairs`` the
        rule's penalty is dropped wherever the workload may run and, for an error rule, the
        workload may stay where it runs today (it is never moved into a location a rule
        excludes, waived or not)."""
        if not pairs:
            return self
        ids = {r.id: ri for ri, r in enumerate(self.rules)}
        by_workload: dict[str, set[int]] = {}
        for rule_id, workload_id in pairs:
            if rule_id in ids and workload_id in self.selected:
                by_workload.setdefault(workload_id, set()).add(ids[rule_id])
        allowed, penalty = dict(self.allowed), dict(self.penalty)
        for wid, waived in by_workload.items():
            here = self.index_of(current[wid])
            mask, pen = [], []
            for li in range(len(self.locations)):
                ok, cost = True, Decimal(0)
                for ri in self.selected[wid]:
                    rule = self.rules[ri]
                    if not self._excludes(wid, ri, li):
                        continue
                    if rule.severity == "error" and not (ri in waived and li == here):
                        ok = False
                    elif rule.severity == "warning" and rule.penalty_monthly and \
                            ri not in waived:
                        cost += rule.penalty_monthly
                mask.append(ok)
                pen.append(cost)
            allowed[wid], penalty[wid] = tuple(mask), tuple(pen)
        return replace(self, allowed=allowed, penalty=penalty)

    def violations(self, w: Workload, location_id: str) -> list[Rule]:
        """The rules that make ``location_id`` worse than another location for w (a label rule
        broken everywhere is not among them; ``placement_findings`` reports it)."""
        li = self.index_of(location_id)
        return [self.rules[ri] for ri in self.selected[w.id] if self._excludes(w.id, ri, li)]


def evaluate(rules: Sequence[Rule], estate: Estate) -> Evaluation:
    locations = list(estate.locations)
    n = len(locations)
    location_ok = [tuple(rule.allows(loc) for loc in locations) for rule in rules]
    applies = [tuple(rule.applies_at(loc) for loc in locations) for rule in rules]
    receivers, flows = _flows(rules, estate)
    cache: dict[tuple[tuple[int, ...], tuple[int, ...]],
                tuple[tuple[bool, ...], tuple[Decimal, ...]]] = {}
    allowed: dict[str, tuple[bool, ...]] = {}
    penalty: dict[str, tuple[Decimal, ...]] = {}
    selected: dict[str, tuple[int, ...]] = {}
    label_failed: dict[str, tuple[int, ...]] = {}
    direct = [i for i, rule in enumerate(rules) if rule.kind in ("location", "labels")]
    for w in estate.workloads:
        sig = tuple(sorted([i for i in direct if rules[i].selects(w)]
                           + receivers.get(w.id, [])))
        failed = tuple(i for i in sig if rules[i].require_labels and rules[i].missing_labels(w))
        selected[w.id] = sig
        if failed:
            label_failed[w.id] = failed
        key = (sig, failed)
        if key not in cache:
            mask = [True] * n
            pen = [Decimal(0)] * n
            for ri in sig:
                rule = rules[ri]
                ok = location_ok[ri]
                lacks = ri in failed and bool(rule.where)
                for li in range(n):
                    if not ok[li] or (lacks and applies[ri][li]):
                        if rule.severity == "error":
                            mask[li] = False
                        elif rule.severity == "warning" and rule.penalty_monthly:
                            pen[li] += rule.penalty_monthly
            cache[key] = (tuple(mask), tuple(pen))
        allowed[w.id], penalty[w.id] = cache[key]
    return Evaluation(list(rules), locations, allowed, penalty, selected, location_ok, applies,
                      label_failed, flows)


def _flows(rules: Sequence[Rule], estate: Estate) -> tuple[
        dict[str, list[int]], dict[tuple[int, str], tuple[tuple[str, Decimal], ...]]]:
    """For each flow rule, the workloads that receive data from a workload it selects."""
    receivers: dict[str, list[int]] = {}
    flows: dict[tuple[int, str], tuple[tuple[str, Decimal], ...]] = {}
    by_id = estate.workload_by_id()
    for ri, rule in enumerate(rules):
        if rule.flow is None:
            continue
        limit = rule.flow.min_gb_month
        sources = {w.id for w in estate.workloads if rule.selects(w)}
        if not sources:
            continue
        got: dict[str, dict[str, Decimal]] = {}
        for w in estate.workloads:
            for d in w.depends_on:
                if d.workload not in by_id:
                    continue
                if d.workload in sources and d.receive_gb_month > limit:
                    got.setdefault(w.id, {}).setdefault(d.workload, Decimal(0))
                    got[w.id][d.workload] += d.receive_gb_month
                if w.id in sources and d.send_gb_month > limit:
                    got.setdefault(d.workload, {}).setdefault(w.id, Decimal(0))
                    got[d.workload][w.id] += d.send_gb_month
        for receiver, srcs in got.items():
            receivers.setdefault(receiver, []).append(ri)
            flows[(ri, receiver)] = tuple(sorted(srcs.items()))
    return receivers, flows


class CostSource(Protocol):
    """What budget rules need from the cost model (advisor.placement.costs.CostModel has it)."""

    currency: str

    def run_monthly(self, w: Workload, location_id: str) -> Decimal: ...

    def licence_monthly(self, w: Workload, location_id: str) -> Decimal: ...

    def egress_monthly(self, w: Workload, placement: dict[str, str]) -> Decimal: ...


@dataclass(frozen=True)
class Budgets:
    """Monthly budgets in the estate currency from a budgets file (labels are read per rule)."""

    workloads: Mapping[str, Decimal] = field(default_factory=dict)
    applications: Mapping[str, Decimal] = field(default_factory=dict)
    source: str | None = None


def placement_findings(ev: Evaluation, workloads: Iterable[Workload],
                       placement: dict[str, str], *, costs: CostSource | None = None,
                       budgets: Budgets | None = None) -> list[Finding]:
    """Violations of a placement (workload id -> location id), one finding per rule and workload
    (or application). Budget rules need ``costs``; without it they are skipped."""
    return check_placement(ev, workloads, placement, costs=costs, budgets=budgets)[0]


def check_placement(ev: Evaluation, workloads: Iterable[Workload], placement: dict[str, str],
                    *, costs: CostSource | None = None, budgets: Budgets | None = None,
                    ) -> tuple[list[Finding], dict[str, list[tuple[str, str]]]]:
    """The findings of a placement and, per rule id, what it was evaluated on: (subject, the
    workload whose definition stands for it), sorted. Everything a CI report counts."""
    ws = list(workloads)
    index = {loc.id: i for i, loc in enumerate(ev.locations)}
    out: list[Finding] = []
    evaluated: dict[str, list[tuple[str, str]]] = {r.id: [] for r in ev.rules}
    for w in ws:
        loc_id = placement.get(w.id, w.location)
        li = index[loc_id]
        loc = ev.locations[li]
        for ri in ev.selected[w.id]:
            rule = ev.rules[ri]
            evaluated[rule.id].append((w.id, w.id))
            if not ev.broken_at(w.id, ri, li):
                continue
            out.append(Finding(rule.id, rule.severity, w.id, loc_id,
                               _message(ev, ri, rule, w, loc)))
    full = {w.id: placement.get(w.id, w.location) for w in ws}
    for rule in ev.rules:
        if rule.usage_below is not None:
            for w in ws:
                if rule.selects(w) and _has_usage(w, rule.usage_below):
                    evaluated[rule.id].append((w.id, w.id))
                    text = _idle(w, rule.usage_below)
                    if text:
                        out.append(Finding(rule.id, rule.severity, w.id, full[w.id],
                                           f"{w.id} {text}, which breaks '{rule.title}'"))
        elif rule.budget is not None and costs is not None:
            found, seen = _budget_findings(rule, ws, full, costs, budgets or Budgets())
            out.extend(found)
            evaluated[rule.id].extend(seen)
    for pairs in evaluated.values():
        pairs.sort()
    return sorted(out, key=Finding.sort_key), evaluated


def _message(ev: Evaluation, ri: int, rule: Rule, w: Workload, loc: Location) -> str:
    parts = []
    failed = rule.failed_clauses(loc) if ev.applies[ri][ev.index_of(loc.id)] else []
    if rule.flow is not None:
        srcs = ev.flows.get((ri, w.id), ())
        shown = ", ".join(f"{s} ({_num(gb)} GB/month)" for s, gb in srcs)
        return (f"{w.id} runs in {loc.id} and receives data from {shown}, which breaks "
                f"'{rule.title}' (requires {'; '.join(c.describe() for c in failed)})")
    if failed:
        parts.append("requires " + "; ".join(c.describe() for c in failed))
    missing = rule.missing_labels(w) if ri in ev.label_failed.get(w.id, ()) else []
    if missing:
        parts.append("lacks " + "; ".join(m.describe() for m in missing))
    if missing and not failed and not rule.where:
        return f"{w.id} lacks {'; '.join(m.describe() for m in missing)}, which breaks " \
            f"'{rule.title}'"
    where = f" ({'; '.join(c.describe() for c in rule.where)})" if rule.where else ""
    return f"{w.id} runs in {loc.id}{where}, which breaks '{rule.title}' ({', '.join(parts)})"


def _has_usage(w: Workload, u: UsageBelow) -> bool:
    if w.usage is None:
        return False
    return (u.cpu is not None and w.usage.cpu_p95 is not None and w.resources.cpu > 0) or \
        (u.memory is not None and w.usage.memory_gb_p95 is not None and w.resources.memory_gb > 0)


def _idle(w: Workload, u: UsageBelow) -> str | None:
    """A description when every measured resource is below its threshold; None otherwise."""
    assert w.usage is not None
    parts = []
    for name, limit, used, requested in (
            ("cpu", u.cpu, w.usage.cpu_p95, w.resources.cpu),
            ("memory", u.memory, w.usage.memory_gb_p95, w.resources.memory_gb)):
        if limit is None or used is None or requested <= 0:
            continue
        ratio = used / requested
        if ratio >= limit:
            return None
        unit = "cores" if name == "cpu" else "GB"
        parts.append(f"uses {name} p95 {_num(used)} of {_num(requested)} {unit} requested "
                     f"({_pct(ratio.quantize(Decimal('0.001')))} < {_pct(limit)})")
    return " and ".join(parts) if parts else None


def _budget_findings(rule: Rule, ws: list[Workload], placement: dict[str, str],
                     costs: CostSource, budgets: Budgets,
                     ) -> tuple[list[Finding], list[tuple[str, str]]]:
    from advisor.money import cents

    assert rule.budget is not None
    out: list[Finding] = []
    seen: list[tuple[str, str]] = []
    cur = costs.currency

    def cost_of(w: Workload) -> Decimal:
        return costs.run_monthly(w, placement[w.id]) + costs.licence_monthly(w, placement[w.id]) \
            + costs.egress_monthly(w, placement)

    if rule.budget.per == "workload":
        for w in ws:
            if not rule.selects(w):
                continue
            budget, where = budgets.workloads.get(w.id), "budgets file"
            if budget is None and rule.budget.label in w.labels:
                budget, where = _label_amount(w, rule.budget.label), f"label {rule.budget.label}"
            if budget is None:
                continue
            seen.append((w.id, w.id))
            cost = cost_of(w)
            if cost > budget:
                out.append(Finding(rule.id, rule.severity, w.id, placement[w.id],
                                   f"{w.id} costs {cents(cost)} {cur}/month in {placement[w.id]}"
                                   f", over its budget of {cents(budget)} {cur} ({where})"))
        return out, seen
    apps: dict[str, list[Workload]] = {}
    for w in ws:
        if rule.selects(w):
            apps.setdefault(w.application, []).append(w)
    for app in sorted(apps):
        budget = budgets.applications.get(app)
        if budget is None:
            continue
        first = min(apps[app], key=lambda w: w.id)
        seen.append((app, first.id))
        cost = sum((cost_of(w) for w in apps[app]), Decimal(0))
        if cost > budget:
            out.append(Finding(rule.id, rule.severity, first.id, None,
                               f"application {app} ({len(apps[app])} workloads) costs "
                               f"{cents(cost)} {cur}/month, over its budget of {cents(budget)} "
                               f"{cur} (budgets file)", subject=app))
    return out, seen


def _label_amount(w: Workload, label: str) -> Decimal:
    amount = to_decimal(w.labels[label])
    if amount is None or amount < 0:
        message = (f"label {label} of workload {w.id}: expected an amount in the estate "
                   f"currency, got {w.labels[label]!r}")
        hint = f"write e.g. '{label}: 1500'"
        if w.source is None:
            raise InputError(message, hint=hint)
        raise Doc(w.source.file, "").error((*w.source.keypath, "labels", label), message, hint)
    return amount


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text
