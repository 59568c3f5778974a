"""The plan: the solver's placement turned into exact, explained recommendations.

Every figure here is recomputed in Decimal from the cost model (the solver works in floats):
per workload (run, licences, egress, migration, penalty) and for the estate (fixed costs of
locations and providers, commitments, one-offs of onboarding and closing), for today's placement
and the recommended one. The invariants every output shows:

    current monthly cost     = sum of the workloads' current cost + fixed + providers + commitments
    recommended monthly cost = the same for the recommended placement
    monthly savings          = sum of the savings of the workloads that move
                               + of the workloads that stay but change cost (their egress)
                               + the change of fixed, provider and commitment lines
    objective                = recommended monthly cost + one-offs / horizon + penalties
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from advisor.estate.model import Estate, Workload
from advisor.money import money_text, payback_months
from advisor.placement.costs import CostModel
from advisor.placement.explain import Alternative, Explainer, why_lines
from advisor.placement.optimize import Solution
from advisor.placement.totals import EstateCosts, PlacementCosts
from advisor.rules import Budgets, Evaluation, Finding, placement_findings

if TYPE_CHECKING:
    from advisor.check.waivers import WaiverView

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
    next_best: Alternative | None = None
    unplaceable: bool = False
    current_licences: Decimal = ZERO
    recommended_licences: Decimal = ZERO
    unavailable: dict[str, str] = field(default_factory=dict)  # location -> cost-model reason
    # Findings the gate reports on the recommended placement and not on today's, that this
    # move brings (warnings and info: a new error is a constraint of the optimizer).
    new_findings: list[Finding] = field(default_factory=list)
    sensitivity: Any = None  # advisor.placement.sensitivity.Flip, for a move

    @property
    def moved(self) -> bool:
        return self.current_location != self.recommended_location

    @property
    def current_monthly_cost(self) -> Decimal:
        return self.current_run + self.current_licences + self.current_egress

    @property
    def recommended_monthly_cost(self) -> Decimal:
        return self.recommended_run + self.recommended_licences + self.recommended_egress

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


@dataclass(frozen=True)
class Amounts:
    """A row's monthly cost now and after and its one-off cost; the saving is the difference."""

    now: Decimal
    after: Decimal
    one_off: Decimal = ZERO

    @property
    def saving(self) -> Decimal:
        return self.now - self.after


@dataclass(frozen=True, kw_only=True)
class Line(Amounts):
    """A row of the estate's cost beside the workloads: a location's or a provider's fixed
    cost, or a commitment. Its one-off is what the recommendation pays once for it
    (onboarding, closing)."""

    kind: str  # fixed | provider | commitment
    key: str  # location, provider or commitment id
    label: str


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
    current: PlacementCosts | None = None
    recommended: PlacementCosts | None = None
    penalty: Decimal = ZERO
    waivers: WaiverView | None = None
    assumptions: list[str] = field(default_factory=list)
    as_of: dt.date | None = None
    model: CostModel | None = None
    # provider added by the plan -> how much more the best placement without it would cost
    provider_worth: dict[str, Decimal] = field(default_factory=dict)
    # The gate's findings on the recommended placement that today's placement does not have.
    new_findings: list[Finding] = field(default_factory=list)
    # Assumptions, deprecated keys and contradictions the rules rest on (rules.assumptions.Note)
    rule_assumptions: list[Any] = field(default_factory=list)
    targets: list[Any] = field(default_factory=list)  # advisor.placement.targets.TargetResult

    @property
    def currency(self) -> str:
        return self.estate.currency

    def assumption_lines(self) -> list[str]:
        """Each assumption, deprecation and warning the rules rest on, with its file:line
        (relative to the estate's folder)."""
        from pathlib import Path

        base = Path(self.estate.path).parent if self.estate.path else None
        return [n.line_text(base) for n in self.rule_assumptions]

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) for r in self.recommendations), ZERO)

    @property
    def unplaceable(self) -> list[str]:
        return sorted(r.workload.id for r in self.recommendations if r.unplaceable)

    def lines(self) -> list[Line]:
        """The estate's rows beside the workloads: fixed costs of locations and providers and
        the commitments, now and after (they add up with the workloads to the totals)."""
        out: list[Line] = []
        if self.current is None or self.recommended is None:
            return out
        now, after = self.current.facilities, self.recommended.facilities
        for loc in sorted(set(now.fixed) | set(after.fixed) | set(after.closing)):
            state = ("closes" if loc in after.closing or (loc in now.open and loc not in
                                                            after.open)
                     else "opens" if loc not in now.open and loc in after.open else "open")
            out.append(Line(now.fixed.get(loc, ZERO), after.fixed.get(loc, ZERO),
                            after.closing.get(loc, ZERO), kind="fixed", key=loc,
                            label=f"fixed cost of {loc} ({state})"))
        for p in sorted(set(now.providers) | set(after.providers) | set(after.onboarding)):
            state = "added" if p in after.onboarding or (p not in now.used and p in after.used) \
                else "dropped" if p not in after.used else "used"
            out.append(Line(now.providers.get(p, ZERO), after.providers.get(p, ZERO),
                            after.onboarding.get(p, ZERO), kind="provider", key=p,
                            label=f"provider {p} ({state})"))
        before = {c.id: c for c in self.current.commitments}
        for c in self.recommended.commitments:
            out.append(Line(before[c.id].net, c.net, kind="commitment", key=c.id,
                            label=f"commitment {c.id} (fee less what it covers)"))
        return out

    def summary(self) -> dict[str, Any]:
        assert self.current is not None and self.recommended is not None
        cur = self.current.monthly
        rec = self.recommended.monthly
        one_offs = self.recommended.one_offs()
        one_off = sum(one_offs.values(), ZERO)
        horizon = Decimal(self.estate.horizon_months)
        stays = [r for r in self.recommendations if not r.moved]
        out: dict[str, Any] = {
            "workloads": len(self.recommendations),
            "moves": sum(1 for r in self.recommendations if r.moved),
            "current_monthly_cost": cur,
            "recommended_monthly_cost": rec,
            "monthly_savings": cur - rec,
            "moves_monthly_savings": sum((r.monthly_savings for r in self.recommendations
                                          if r.moved), ZERO),
            "stays_monthly_savings": sum((r.monthly_savings for r in stays), ZERO),
            "lines_monthly_savings": sum((line.saving for line in self.lines()), ZERO),
            "one_off_cost": one_off,
            "one_off_migration_cost": one_offs["migration"],
            "one_off_onboarding_cost": one_offs["onboarding"],
            "one_off_closing_cost": one_offs["closing"],
            "amortized_migration_monthly": one_offs["migration"] / horizon,
            "amortized_one_off_monthly": one_off / horizon,
            "penalty_monthly": self.penalty,
            "objective": rec + one_off / horizon + self.penalty,
            "horizon_months": self.estate.horizon_months,
            "unplaceable": self.unplaceable,
            "current_split": self.current.split(),
            "recommended_split": self.recommended.split(),
            "write_off": sum(self.recommended.facilities.write_off.values(), ZERO),
        }
        out["rightsizing_monthly_savings"] = sum(
            (r.monthly_saving for r in self.rightsizing if r.monthly_saving > 0), ZERO)
        if self.estate.inhabitants:
            n = Decimal(self.estate.inhabitants)
            out["current_hosting_cost_per_inhabitant_year"] = cur * 12 / n
            out["recommended_hosting_cost_per_inhabitant_year"] = rec * 12 / n
            if self.estate.other_it_monthly is not None:
                other = self.estate.other_it_monthly
                out["current_it_cost_per_inhabitant_year"] = (cur + other) * 12 / n
                out["recommended_it_cost_per_inhabitant_year"] = (rec + other) * 12 / n
        if self.estate.other_it_monthly is not None:
            out["other_it_monthly"] = self.estate.other_it_monthly
        return out


def build_plan(estate: Estate, model: CostModel, ev: Evaluation, sol: Solution,
               waivers: WaiverView | None = None,
               findings: list[Finding] | None = None) -> Plan:
    """Recompute the solution exactly and explain every workload's place. ``findings``: those
    of today's placement (default: the location and label rules')."""
    ws = estate.workloads
    current = {w.id: w.location for w in ws}
    rec_place = sol.placement
    totals = EstateCosts(model)
    now_costs, rec_costs = totals.costs(current), totals.costs(rec_place)
    loc_pos = {loc.id: k for k, loc in enumerate(estate.locations)}
    colocated = _colocated(ws, sol)
    explainer = Explainer(model, totals, ev, sol, rec_place)
    saas_ids = {loc.id for loc in estate.locations if loc.saas}
    screened = explainer.screen()
    recs = []
    for w in ws:
        here, there = current[w.id], rec_place[w.id]
        excluded = {k: v for k, v in ev.excluded_by(w.id).items()
                    if k not in saas_ids or k == here}
        unavailable = {loc.id: why for loc in estate.locations if loc.id not in saas_ids
                       and (why := model.unavailable(w, loc.id)) is not None}
        unplaceable = w.id in sol.unplaceable
        reasons: list[str] = []
        now_broken = [r for r in ev.violations(w, here) if r.severity == "error"]
        if now_broken and not ev.allowed[w.id][loc_pos[here]]:
            reasons.append("today's location breaks " + ", ".join(r.id for r in now_broken))
        if unplaceable:
            causes = sol.unplaceable[w.id] or ["every location is excluded by a hard rule"]
            reasons.append("no allowed location: " + "; ".join(causes) + " (stays where it is)")
        if w.pinned:
            reasons.append("pinned: never moves")
        if here in saas_ids:
            reasons.append(f"SaaS at {here}: only its supplier runs it, so it never moves; its "
                           "findings stand until the supplier or the contract changes")
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
            current_run=now_costs.run[w.id],
            current_egress=now_costs.egress[w.id],
            recommended_run=rec_costs.run[w.id],
            recommended_egress=rec_costs.egress[w.id],
            migration_monthly=model.migration_monthly(w, there),
            one_off_cost=rec_costs.migration.get(w.id, ZERO),
            penalty_monthly=penalty,
            reasons=reasons,
            excluded=excluded,
            unplaceable=unplaceable,
            current_licences=now_costs.licences[w.id],
            recommended_licences=rec_costs.licences[w.id],
            unavailable=unavailable,
        )
        if rec.moved or unplaceable:
            alts = explainer.all(w)
            if rec.moved:
                reasons.insert(0, _move_reason(rec, estate, model))
            reasons.extend(why_lines(w, here, there, alts, estate.currency))
            allowed = [a for a in alts if a.allowed]
            rec.next_best = allowed[0] if allowed else None
        else:
            rec.next_best = explainer.next_best(screened, w)
        if rec.next_best:
            nb = rec.next_best
            where = f"staying at {nb.location}" if nb.location == here else nb.location
            reasons.append(f"next best allowed: {where}, costing the estate "
                           f"{'+' if nb.delta >= 0 else ''}{money_text(nb.delta)} "
                           f"{estate.currency}/month ({nb.terms(estate.currency)})")
        if excluded:
            reasons.append("excluded: " + "; ".join(f"{loc} by {', '.join(r)}"
                                                   for loc, r in excluded.items()))
        if unavailable:
            reasons.append("unavailable: " + "; ".join(unavailable.values()))
        recs.append(rec)
    findings = list(findings) if findings is not None else placement_findings(ev, ws, current)
    for wid in sorted(sol.unplaceable):
        because = "; ".join(sol.unplaceable[wid]) or "every location is excluded by a hard rule"
        findings.append(Finding("UNPLACEABLE", "error", wid, current[wid],
                                f"{wid} has no allowed location: {because}"))
    if waivers is not None:
        findings.extend(f for _, f in waivers.findings())
    findings.sort(key=Finding.sort_key)
    solver = {"status": sol.status, "gap": sol.gap, "seconds": sol.seconds,
              "components": sol.components}
    recs.sort(key=lambda r: r.workload.id)
    penalty_total = sum((r.penalty_monthly for r in recs), ZERO)
    plan = Plan(estate, recs, findings, solver, notes=list(sol.notes), current=now_costs,
                recommended=rec_costs, penalty=penalty_total, waivers=waivers,
                as_of=model.as_of, model=model)
    plan.assumptions = assumptions(plan, model, totals)
    return plan


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
    plan.rule_assumptions = notes(ev, estate)


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


def assumptions(plan: Plan, model: CostModel, totals: EstateCosts) -> list[str]:
    """What every figure rests on, for every output."""
    estate = plan.estate
    out = [f"as of {model.as_of.isoformat()}; monthly figures in {estate.currency}, one-off "
           f"costs spread over {estate.horizon_months} months"]
    rates = sorted({(r.currency, r.rate, r.date) for r in estate.exchange_rates})
    for cur, rate, day in rates:
        out.append(f"1 {cur} = {rate.normalize():f} {estate.currency} (rate of {day.isoformat()})")
    out.append(model.switching_assumption())
    if totals.commitments:
        out.append("commitments count as their average over the horizon from the as-of month "
                   "(a commitment that ends within it counts that share of its fee and cover)")
    if any(loc.book_value for loc in estate.locations):
        out.append("book value is sunk: a closure shows its write-off but never counts it")
    return out


def _move_reason(rec: Recommendation, estate: Estate, model: CostModel) -> str:
    c = estate.currency
    lic = ""
    if rec.current_licences or rec.recommended_licences:
        lic = (f", licences {money_text(rec.current_licences)} -> "
               f"{money_text(rec.recommended_licences)}")
    switch = ""
    w = rec.workload
    if w.migration_cost is None and model.is_switch(rec.current_location,
                                                    rec.recommended_location):
        switch = (" (data out at the switching rate: free from 2027-01-12)"
                  if not model.switching_free else " (data out free: EU Data Act Art. 29)")
    return (f"move {rec.current_location} -> {rec.recommended_location}: run "
            f"{money_text(rec.current_run)} -> {money_text(rec.recommended_run)}{lic}, egress "
            f"{money_text(rec.current_egress)} -> {money_text(rec.recommended_egress)}, "
            f"migration {money_text(rec.one_off_cost)} {c} one-off{switch} "
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


def placement_objective(estate: Estate, model: CostModel, ev: Evaluation,
                        placement: dict[str, str]) -> Decimal:
    """Exact objective of any placement: the monthly cost (every line), the one-offs over the
    horizon and the warning penalties. What the optimizer minimizes; used to compare plans
    (greedy baseline, brute force in tests)."""
    idx = {loc.id: i for i, loc in enumerate(estate.locations)}
    penalty = sum((ev.penalty[w.id][idx[placement[w.id]]] for w in estate.workloads), ZERO)
    return EstateCosts(model).objective(placement, penalty)
