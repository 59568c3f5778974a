"""The plan: the solver's placement turned into exact, explained recommendations.

Every figure here is recomputed in Decimal from the cost model (the solver works in floats).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from advisor.estate.model import Estate, Workload
from advisor.money import money_text, payback_months
from advisor.placement.costs import CostModel
from advisor.placement.optimize import Solution
from advisor.rules import Budgets, Evaluation, Finding

ZERO = Decimal(0)


@dataclass
class Recommendation:
    workload: Workload
    current_location: str
    recommended_location: str
    current_run: Decimal
    current_egress: Decimal
    recommended_run: Decimal
    recommended_egress: Decimal
    migration_monthly: Decimal
    one_off_cost: Decimal
    penalty_monthly: Decimal
    reasons: list[str]
    excluded: dict[str, list[str]]
    next_best: tuple[str, Decimal] | None = None
    unplaceable: bool = False
    # Findings the gate reports on the recommended placement and not on today's, that this
    # move brings (warnings and info: a new error is a constraint of the optimizer).
    new_findings: list[Finding] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.current_location != self.recommended_location

    @property
    def current_monthly_cost(self) -> Decimal:
        return self.current_run + self.current_egress

    @property
    def recommended_monthly_cost(self) -> Decimal:
        return self.recommended_run + self.recommended_egress

    @property
    def monthly_savings(self) -> Decimal:
        return self.current_monthly_cost - self.recommended_monthly_cost

    @property
    def payback_months(self) -> Decimal | None:
        """Months until the one-off cost is earned back by this workload's own saving: 0 for a
        free move that saves; None when it does not move, or saves nothing on its own (a forced
        move off a forbidden location, a part of a chain that moves together)."""
        if not self.moved:
            return None
        return payback_months(self.one_off_cost, self.monthly_savings)

    @property
    def rules(self) -> list[str]:
        ids = {r for rules in self.excluded.values() for r in rules}
        return sorted(ids)


@dataclass
class Plan:
    estate: Estate
    recommendations: list[Recommendation]
    findings: list[Finding]
    solver: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    failed_sources: list[tuple[str, str]] = field(default_factory=list)
    calibration: Any = None  # advisor.ledger.calibration.Calibration when the estate has a ledger
    rightsizing: list[Any] = field(default_factory=list)  # rightsizing.Recommendation
    # The gate's findings on the recommended placement that today's placement does not have.
    new_findings: list[Finding] = field(default_factory=list)
    # Assumptions, deprecated keys and contradictions the rules rest on (rules.assumptions.Note)
    assumptions: list[Any] = field(default_factory=list)
    today: Any = None  # the day evidence and exit plans were judged on (datetime.date)

    @property
    def currency(self) -> str:
        return self.estate.currency

    def assumption_lines(self) -> list[str]:
        """Each assumption, deprecation and warning the rules rest on, with its file:line
        (relative to the estate's folder)."""
        from pathlib import Path

        base = Path(self.estate.path).parent if self.estate.path else None
        return [n.line_text(base) for n in self.assumptions]

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) for r in self.recommendations), ZERO)

    @property
    def unplaceable(self) -> list[str]:
        return sorted(r.workload.id for r in self.recommendations if r.unplaceable)

    def summary(self) -> dict[str, Any]:
        cur = self.total("current_monthly_cost")
        rec = self.total("recommended_monthly_cost")
        mig = self.total("migration_monthly")
        pen = self.total("penalty_monthly")
        out: dict[str, Any] = {
            "workloads": len(self.recommendations),
            "moves": sum(1 for r in self.recommendations if r.moved),
            "current_monthly_cost": cur,
            "recommended_monthly_cost": rec,
            "monthly_savings": cur - rec,
            "one_off_migration_cost": self.total("one_off_cost"),
            "amortized_migration_monthly": mig,
            "penalty_monthly": pen,
            "objective": rec + mig + pen,
            "horizon_months": self.estate.horizon_months,
            "unplaceable": self.unplaceable,
        }
        out["rightsizing_monthly_savings"] = sum(
            (r.monthly_saving for r in self.rightsizing if r.monthly_saving > 0), ZERO)
        if self.estate.inhabitants:
            n = Decimal(self.estate.inhabitants)
            out["current_cost_per_inhabitant_year"] = cur * 12 / n
            out["recommended_cost_per_inhabitant_year"] = rec * 12 / n
        return out


def build_plan(estate: Estate, model: CostModel, ev: Evaluation, sol: Solution) -> Plan:
    ws = estate.workloads
    current = {w.id: w.location for w in ws}
    rec_place = sol.placement
    loc_ids = [loc.id for loc in estate.locations]
    index = {w.id: i for i, w in enumerate(ws)}
    colocated = _colocated(ws, sol)
    # Neighbours of each workload in both directions, for next-best pricing.
    neighbours: list[list[tuple[int, float, float]]] = [[] for _ in ws]  # (j, out GB, in GB)
    for i, w in enumerate(ws):
        for d in w.depends_on:
            j = index[d.workload]
            neighbours[i].append((j, float(d.send_gb_month), float(d.receive_gb_month)))
            neighbours[j].append((i, float(d.receive_gb_month), float(d.send_gb_month)))
    eg = np.array([float(model.prices[loc].egress_price_per_gb) for loc in loc_ids])
    loc_pos = {loc: k for k, loc in enumerate(loc_ids)}
    rec_pos = np.array([loc_pos[rec_place[w.id]] for w in ws])
    recs = []
    for i, w in enumerate(ws):
        here, there = current[w.id], rec_place[w.id]
        excluded = ev.excluded_by(w.id)
        unplaceable = w.id in sol.unplaceable
        reasons: list[str] = []
        now_broken = [r for r in ev.violations(w, here) if r.severity == "error"]
        if now_broken:
            reasons.append("today's location breaks " + ", ".join(r.id for r in now_broken))
        if unplaceable:
            why = sol.unplaceable[w.id] or ["every location is excluded by a hard rule"]
            reasons.append("no allowed location: " + "; ".join(why) + " (stays where it is)")
        if w.pinned:
            reasons.append("pinned: never moves")
        if colocated.get(w.id):
            reasons.append("runs together with " + ", ".join(colocated[w.id]))
        penalty = ev.penalty[w.id][loc_pos[there]]
        if penalty:
            warned = [r.id for r in ev.violations(w, there) if r.severity == "warning"]
            reasons.append(f"accepts warning {', '.join(warned)} (penalty {money_text(penalty)} "
                           f"{estate.currency}/month in the objective)")
        rec = Recommendation(
            workload=w,
            current_location=here,
            recommended_location=there,
            current_run=model.run_monthly(w, here),
            current_egress=model.egress_monthly(w, current),
            recommended_run=model.run_monthly(w, there),
            recommended_egress=model.egress_monthly(w, rec_place),
            migration_monthly=model.migration_monthly(w, there),
            one_off_cost=model.migration_one_off(w) if here != there else ZERO,
            penalty_monthly=penalty,
            reasons=reasons,
            excluded=excluded,
            unplaceable=unplaceable,
        )
        if rec.moved:
            reasons.insert(0, _move_reason(rec, estate))
        rec.next_best = _next_best(i, w, sol, model, ev, ws, neighbours, eg, rec_pos, loc_ids,
                                   rec_place)
        if rec.next_best:
            loc, cost = rec.next_best
            diff = cost - (rec.recommended_monthly_cost + rec.migration_monthly + penalty)
            reasons.append(f"next best allowed: {loc} at {money_text(cost)} "
                           f"{estate.currency}/month ({'+' if diff >= 0 else ''}"
                           f"{money_text(diff)})")
        if excluded:
            reasons.append("excluded: " + "; ".join(f"{loc} by {', '.join(r)}"
                                                   for loc, r in excluded.items()))
        recs.append(rec)
    from advisor.placement.checks import gate_findings

    findings = gate_findings(ev, estate, current)[0]
    for wid in sorted(sol.unplaceable):
        because = "; ".join(sol.unplaceable[wid]) or "every location is excluded by a hard rule"
        findings.append(Finding("UNPLACEABLE", "error", wid, current[wid],
                                f"{wid} has no allowed location: {because}"))
    findings.sort(key=Finding.sort_key)
    solver = {"status": sol.status, "gap": sol.gap, "seconds": sol.seconds,
              "components": sol.components}
    recs.sort(key=lambda r: r.workload.id)
    return Plan(estate, recs, findings, solver, notes=list(sol.notes), today=ev.today)


def judge_plan(plan: Plan, ev: Evaluation, model: CostModel, budgets: Budgets | None) -> None:
    """Check the recommendation with the gate of ``advisor check --placement``: today's
    findings become the plan's findings (budgets included), and every finding the
    recommendation adds is listed on the plan and beside the moves that bring it. A new error
    would be a defect (the optimizer's constraints exclude them): it is named in the notes."""
    from advisor.placement.checks import gate_findings, new_findings
    from advisor.rules.assumptions import notes

    estate = plan.estate
    current = {w.id: w.location for w in estate.workloads}
    recommended = {r.workload.id: r.recommended_location for r in plan.recommendations}
    before = gate_findings(ev, estate, current, costs=model, budgets=budgets)[0]
    after = gate_findings(ev, estate, recommended, costs=model, budgets=budgets)[0]
    unplaceable = [f for f in plan.findings if f.rule == "UNPLACEABLE"]
    plan.findings = sorted([*before, *unplaceable], key=Finding.sort_key)
    plan.new_findings = new_findings(before, after)
    by_id = {r.workload.id: r for r in plan.recommendations}
    suppliers = ev.suppliers
    for f in plan.new_findings:
        for r in _bringers(f, plan.recommendations, by_id, suppliers):
            r.new_findings.append(f)
            r.reasons.append(f"brings a new {f.severity}: {f.rule} on {f.who} (see the new "
                             "findings)")
    errors = [f for f in plan.new_findings if f.severity == "error"]
    if errors:
        plan.notes.append("the recommended placement would add error findings the optimizer "
                          "should have excluded (a defect; please report it): "
                          + "; ".join(f"{f.rule} {f.key}" for f in errors))
    plan.assumptions = notes(ev, estate)


def _bringers(f: Finding, recs: list[Recommendation], by_id: dict[str, Recommendation],
              suppliers: dict[str, str | None]) -> list[Recommendation]:
    """The moves that bring a new finding: its workload's own, else the moves into the
    location or supplier it is about, else the moves of the application it is about."""
    if f.workload and f.workload in by_id and f.subject is None:
        return [by_id[f.workload]]
    subject = f.subject or ""
    if subject.startswith("location:"):
        return [r for r in recs if r.moved and r.recommended_location == subject[9:]]
    if subject.startswith("supplier:"):
        return [r for r in recs if r.moved
                and suppliers.get(r.recommended_location) == subject[9:]]
    if f.subject is not None:
        return [r for r in recs if r.moved and r.workload.application == f.subject]
    return [by_id[f.workload]] if f.workload in by_id else []


def _move_reason(rec: Recommendation, estate: Estate) -> str:
    c = estate.currency
    return (f"move {rec.current_location} -> {rec.recommended_location}: run "
            f"{money_text(rec.current_run)} -> {money_text(rec.recommended_run)}, egress "
            f"{money_text(rec.current_egress)} -> {money_text(rec.recommended_egress)}, "
            f"migration {money_text(rec.one_off_cost)} {c} one-off "
            f"({money_text(rec.migration_monthly)} {c}/month over {estate.horizon_months} months)")


def _colocated(ws: list[Workload], sol: Solution) -> dict[str, list[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    for w in ws:
        groups[sol.units[w.id]].append(w.id)
    out = {}
    for members in groups.values():
        if len(members) > 1:
            for m in members:
                out[m] = sorted(x for x in members if x != m)
    return out


def _next_best(i: int, w: Workload, sol: Solution, model: CostModel, ev: Evaluation,
               ws: list[Workload], neighbours: list[list[tuple[int, float, float]]],
               eg: np.ndarray, rec_pos: np.ndarray, loc_ids: list[str],
               placement: dict[str, str]) -> tuple[str, Decimal] | None:
    """The cheapest other allowed location for w's unit, priced for w with the rest as placed."""
    u = sol.units[w.id]
    allowed = sol.allowed[u].copy()
    if w.id in sol.unplaceable or allowed.sum() < 2:
        return None
    members = set(sol.unit_members[u])
    cost = sol.unit_cost[u].copy()
    for m in members:
        for j, out_gb, in_gb in neighbours[m]:
            if j in members:
                continue
            lj = rec_pos[j]
            add = out_gb * eg + in_gb * eg[lj]
            add[lj] = 0.0
            cost += add
    cost[~allowed] = np.inf
    cost[rec_pos[i]] = np.inf
    best = int(cost.argmin())
    if not np.isfinite(cost[best]):
        return None
    loc = loc_ids[best]
    member_ids = {ws[m].id for m in members}
    egress = sum((model.edge_monthly(d, loc, loc if d.workload in member_ids
                                     else placement[d.workload]) for d in w.depends_on), ZERO)
    exact = model.run_monthly(w, loc) + egress \
        + model.migration_monthly(w, loc) + ev.penalty[w.id][best]
    return loc, exact


def placement_objective(estate: Estate, model: CostModel, ev: Evaluation,
                        placement: dict[str, str]) -> Decimal:
    """Exact objective of any placement: run + egress + amortized migration + warning penalties.

    What the optimizer minimizes; used to compare plans (greedy baseline, brute force in tests)."""
    idx = {loc.id: i for i, loc in enumerate(estate.locations)}
    total = ZERO
    for w in estate.workloads:
        loc = placement[w.id]
        total += model.run_monthly(w, loc) + model.egress_monthly(w, placement) \
            + model.migration_monthly(w, loc) + ev.penalty[w.id][idx[loc]]
    return total
