"""Evaluating rules: location masks per workload for the optimizer, findings for a placement.

Each rule is evaluated once per workload and once per location, never per pair. Location
attributes are read from each location's facts on the day of the run (``advisor.rules.facts``):
evidence expires and exit plans age. A rule whose ``when`` selects on the organisation applies
to the whole estate, or to nothing; a rule covered by another loaded rule is not evaluated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from advisor.errors import InputError
from advisor.estate.model import Estate, Organisation, Workload
from advisor.estate.yamlfile import Doc, to_decimal
from advisor.rules.contradictions import Contradiction
from advisor.rules.core import Clause, Facts, Finding, Rule, UsageBelow, _pct
from advisor.rules.facts import location_facts, why


@dataclass
class Evaluation:
    """The rules applied to an estate: per workload, allowed locations, penalties, exclusions."""

    rules: list[Rule]
    locations: list[Any]  # advisor.estate.model.Location
    allowed: dict[str, tuple[bool, ...]]  # workload id -> mask over locations (error rules)
    penalty: dict[str, tuple[Decimal, ...]]  # workload id -> warning penalties per location
    selected: dict[str, tuple[int, ...]]  # workload id -> indices of per-location rules reaching it
    location_ok: list[tuple[bool, ...]]  # rule index -> mask over locations (where => require)
    applies: list[tuple[bool, ...]] = field(default_factory=list)  # rule index -> where mask
    # workload id -> indices of label rules whose labels it lacks
    label_failed: dict[str, tuple[int, ...]] = field(default_factory=dict)
    flows: dict[tuple[int, str], tuple[tuple[str, Decimal], ...]] = field(default_factory=dict)
    facts: Sequence[Facts] = field(default_factory=list)  # per location, on ``today``
    today: dt.date = field(default_factory=dt.date.today)
    active: tuple[bool, ...] = ()  # rule index -> evaluated (organisation matches, not covered)
    contradictions: list[tuple[Contradiction, int]] = field(default_factory=list)  # (+ count)
    suppliers: dict[str, str | None] = field(default_factory=dict)  # location id -> supplier
    organisation: Organisation = field(default_factory=Organisation)

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


def active_rules(rules: Sequence[Rule], estate: Estate) -> tuple[bool, ...]:
    """Which rules are evaluated: the organisation matches their ``when``, and no other loaded
    rule covers them."""
    loaded = {r.id for r in rules}
    return tuple(rule.when.organisation_matches(estate.organisation)
                 and not (set(rule.covered_by) & loaded) for rule in rules)


def evaluate(rules: Sequence[Rule], estate: Estate, today: dt.date | None = None) -> Evaluation:
    """The rules applied to the estate's workloads and locations on ``today`` (default: the
    system date; pass it for reproducible output)."""
    today = today or dt.date.today()
    locations = list(estate.locations)
    n = len(locations)
    facts = [location_facts(estate, loc, today) for loc in locations]
    active = active_rules(rules, estate)
    location_ok = [tuple(rule.allows(f) for f in facts) for rule in rules]
    applies = [tuple(rule.applies_at(f) for f in facts) for rule in rules]
    alike = _Alike(rules, estate.workloads)
    receivers, flows = _flows(rules, estate, active, alike)
    cache: dict[tuple[tuple[int, ...], tuple[int, ...]],
                tuple[tuple[bool, ...], tuple[Decimal, ...]]] = {}
    allowed: dict[str, tuple[bool, ...]] = {}
    penalty: dict[str, tuple[Decimal, ...]] = {}
    selected: dict[str, tuple[int, ...]] = {}
    label_failed: dict[str, tuple[int, ...]] = {}
    direct = [i for i, rule in enumerate(rules)
              if rule.kind in ("location", "labels") and active[i]]
    for w in estate.workloads:
        got = receivers.get(w.id)
        sig = alike.chosen(w, "direct", direct) if not got else \
            tuple(sorted([*alike.chosen(w, "direct", direct), *got]))
        failed = alike.lacking(w, sig)
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
    ev = Evaluation(list(rules), locations, allowed, penalty, selected, location_ok, applies,
                    label_failed, flows, facts, today, active,
                    suppliers={loc.id: estate.supplier_of(loc) for loc in locations},
                    organisation=estate.organisation)
    ev.contradictions = _estate_contradictions(ev, estate.workloads)
    return ev


class _Alike:
    """Which rules select a workload and which of their labels it lacks depend only on its
    labels (and its application or id, where a rule names them): workloads alike in those are
    looked at once."""

    def __init__(self, rules: Sequence[Rule], workloads: Sequence[Workload]) -> None:
        self.rules = rules
        by_app = any(r.when.applications for r in rules)
        by_id = any(r.when.workloads for r in rules)
        self.key = {w.id: (tuple(sorted(w.labels.items())), w.application if by_app else "",
                           w.id if by_id else "") for w in workloads}
        self._chosen: dict[tuple[Any, str], tuple[int, ...]] = {}
        self._lacks: dict[tuple[Any, int], bool] = {}

    def chosen(self, w: Workload, group: str, candidates: Sequence[int]) -> tuple[int, ...]:
        """The rules among ``candidates`` (always the same for one ``group``) that select
        ``w``."""
        k = (self.key[w.id], group)
        got = self._chosen.get(k)
        if got is None:
            got = self._chosen[k] = tuple(i for i in candidates if self.rules[i].selects(w))
        return got

    def lacking(self, w: Workload, sig: Sequence[int]) -> tuple[int, ...]:
        """The rules of ``sig`` whose required labels ``w`` lacks."""
        out = []
        for i in sig:
            if not self.rules[i].require_labels:
                continue
            k = (self.key[w.id], i)
            lacks = self._lacks.get(k)
            if lacks is None:
                lacks = self._lacks[k] = bool(self.rules[i].missing_labels(w))
            if lacks:
                out.append(i)
        return tuple(out)


def _estate_contradictions(ev: Evaluation, workloads: Sequence[Workload],
                           ) -> list[tuple[Contradiction, int]]:
    """Pairs of error rules that together exclude every location of a workload while each
    alone leaves one open: (the first workload's contradiction, how many workloads). Workloads
    with the same rules and the same missing labels have the same pairs: looked at once."""
    found: dict[tuple[int, int], list[str]] = {}
    n = len(ev.locations)
    pairs_of: dict[tuple[tuple[int, ...], tuple[int, ...]], list[tuple[int, int]]] = {}
    for w in workloads:
        if any(ev.allowed[w.id]):
            continue
        key = (ev.selected[w.id], ev.label_failed.get(w.id, ()))
        pairs = pairs_of.get(key)
        if pairs is None:
            pairs = pairs_of[key] = []
            errors = [ri for ri in ev.selected[w.id] if ev.rules[ri].severity == "error"]
            masks = {ri: [not ev._excludes(w.id, ri, li) for li in range(n)] for ri in errors}
            for i, a in enumerate(errors):
                for b in errors[i + 1:]:
                    if any(masks[a]) and any(masks[b]) and \
                            not any(x and y for x, y in zip(masks[a], masks[b], strict=True)):
                        pairs.append((a, b))
        for pair in pairs:
            found.setdefault(pair, []).append(w.id)
    out = []
    for (a, b), ids in sorted(found.items(), key=lambda kv: (ev.rules[kv[0][0]].id,
                                                              ev.rules[kv[0][1]].id)):
        ra, rb = ev.rules[a], ev.rules[b]
        out.append((Contradiction(ra, rb, "each leaves a location open, together none",
                                  f"workload {sorted(ids)[0]}"), len(ids)))
    return out


def _flows(rules: Sequence[Rule], estate: Estate, active: Sequence[bool], alike: _Alike,
           ) -> tuple[dict[str, list[int]], dict[tuple[int, str], tuple[tuple[str, Decimal], ...]]]:
    """For each flow rule, the workloads that receive data from a workload it selects."""
    receivers: dict[str, list[int]] = {}
    flows: dict[tuple[int, str], tuple[tuple[str, Decimal], ...]] = {}
    by_id = estate.workload_by_id()
    sources: dict[int, set[str]] = {}
    limits: dict[int, Decimal] = {}
    flow_rules = [ri for ri, rule in enumerate(rules) if rule.flow is not None and active[ri]]
    for w in estate.workloads:
        for ri in alike.chosen(w, "flow", flow_rules):
            sources.setdefault(ri, set()).add(w.id)
    for ri in sources:
        flow = rules[ri].flow
        assert flow is not None
        limits[ri] = flow.min_gb_month
    got: dict[int, dict[str, dict[str, Decimal]]] = {ri: {} for ri in sources}
    for w in estate.workloads:  # every edge once, for every flow rule
        for d in w.depends_on:
            if d.workload not in by_id:
                continue
            for ri, src in sources.items():
                if d.workload in src and d.receive_gb_month > limits[ri]:
                    into = got[ri].setdefault(w.id, {})
                    into[d.workload] = into.get(d.workload, Decimal(0)) + d.receive_gb_month
                if w.id in src and d.send_gb_month > limits[ri]:
                    into = got[ri].setdefault(d.workload, {})
                    into[w.id] = into.get(w.id, Decimal(0)) + d.send_gb_month
    for ri in sorted(got):
        for receiver, srcs in got[ri].items():
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
    # (rule index, subject) -> the workloads there, and the locations where it breaks
    grouped: dict[tuple[int, str], tuple[list[str], list[int]]] = {}
    for w in ws:
        loc_id = placement.get(w.id, w.location)
        li = index[loc_id]
        for ri in ev.selected[w.id]:
            rule = ev.rules[ri]
            if rule.per != "workload":
                subject = _subject(ev, rule, loc_id)
                if subject is not None:
                    seen, broken = grouped.setdefault((ri, subject), ([], []))
                    seen.append(w.id)
                    if ev.broken_at(w.id, ri, li) and li not in broken:
                        broken.append(li)
                continue
            evaluated[rule.id].append((w.id, w.id))
            if not ev.broken_at(w.id, ri, li):
                continue
            out.append(Finding(rule.id, rule.severity, w.id, loc_id,
                               _message(ev, ri, rule, w, li)))
    for (ri, subject), (seen, broken) in sorted(grouped.items(),
                                                key=lambda kv: (kv[0][0], kv[0][1])):
        rule = ev.rules[ri]
        evaluated[rule.id].append((subject, min(seen)))
        if broken:
            out.append(_grouped_finding(ev, ri, subject, sorted(seen), sorted(broken)))
    full = {w.id: placement.get(w.id, w.location) for w in ws}
    for ri, rule in enumerate(ev.rules):
        if not ev.active[ri]:
            continue
        if rule.require_organisation:
            evaluated[rule.id].append(("organisation", ""))
            missing = [k for k in rule.require_organisation
                       if getattr(ev.organisation, k) is None]
            if missing:
                out.append(Finding(rule.id, rule.severity, "", None,
                                   f"advisor.yaml does not declare organisation "
                                   f"{' and '.join(missing)}, which breaks '{rule.title}'",
                                   subject="organisation"))
        elif rule.usage_below is not None:
            for w in ws:
                if rule.selects(w) and _has_usage(w, rule.usage_below):
                    evaluated[rule.id].append((w.id, w.id))
                    text = _idle(w, rule.usage_below)
                    if text:
                        out.append(Finding(rule.id, rule.severity, w.id, full[w.id],
                                           f"{w.id} {text}, which breaks '{rule.title}'"))
        elif rule.budget is not None and costs is not None:
            found, seen_ = _budget_findings(rule, ws, full, costs, budgets or Budgets())
            out.extend(found)
            evaluated[rule.id].extend(seen_)
    for pairs in evaluated.values():
        pairs.sort()
    return sorted(out, key=Finding.sort_key), evaluated


def _subject(ev: Evaluation, rule: Rule, loc_id: str) -> str | None:
    """What a rule reported per location or supplier is about at ``loc_id`` (None: an own data
    centre has no supplier)."""
    if rule.per == "location":
        return f"location:{loc_id}"
    supplier = ev.suppliers.get(loc_id)
    return None if supplier is None else f"supplier:{supplier}"


def _grouped_finding(ev: Evaluation, ri: int, subject: str, workloads: list[str],
                     broken: list[int]) -> Finding:
    rule = ev.rules[ri]
    li = broken[0]
    loc = ev.locations[li]
    failed = rule.failed_clauses(ev.facts[li])
    shown = ", ".join(workloads[:5]) + (f" and {len(workloads) - 5} more"
                                        if len(workloads) > 5 else "")
    what = subject.split(":", 1)
    where = f"{what[0]} {what[1]}"
    if what[0] == "supplier":
        where += " (" + ", ".join(ev.locations[i].id for i in broken) + ")"
    return Finding(rule.id, rule.severity, "", loc.id,
                   f"{where}, used by {shown}, breaks '{rule.title}' "
                   f"({_requires(failed, ev.facts[li])})", subject=subject)


def _requires(failed: Sequence[Clause], facts: Facts) -> str:
    """``requires ...`` with why a derived attribute fails, where the facts know it."""
    parts = []
    for c in failed:
        reason = why(facts, c.attribute)
        parts.append(c.describe() + (f": {reason}" if reason else ""))
    return "requires " + "; ".join(parts)


def _message(ev: Evaluation, ri: int, rule: Rule, w: Workload, li: int) -> str:
    loc = ev.locations[li]
    facts = ev.facts[li]
    failed = rule.failed_clauses(facts) if ev.applies[ri][li] else []
    if rule.flow is not None:
        srcs = ev.flows.get((ri, w.id), ())
        shown = ", ".join(f"{s} ({_num(gb)} GB/month)" for s, gb in srcs)
        return (f"{w.id} runs in {loc.id} and receives data from {shown}, which breaks "
                f"'{rule.title}' ({_requires(failed, facts)})")
    parts = []
    if failed:
        parts.append(_requires(failed, facts))
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


def budget_of(rule: Rule, w: Workload, budgets: Budgets) -> Decimal | None:
    """The budget a budget rule holds ``w`` to: per workload the budgets file's entry or the
    workload's label, per application the budgets file's entry (None: no budget)."""
    assert rule.budget is not None
    if rule.budget.per == "application":
        return budgets.applications.get(w.application)
    found = budgets.workloads.get(w.id)
    if found is None and rule.budget.label in w.labels:
        found = _label_amount(w, rule.budget.label)
    return found


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
            budget = budget_of(rule, w, budgets)
            if budget is None:
                continue
            where = "budgets file" if w.id in budgets.workloads else \
                f"label {rule.budget.label}"
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
