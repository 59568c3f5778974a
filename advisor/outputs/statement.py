"""The plan's figures as they are shown: in cents, and adding up.

Every table whose parts are shown sums exactly to its total, because the parts are apportioned
to the total in cents (``advisor.money.apportion``) rather than rounded one by one:

- the workloads' cost now and after, with the estate's lines (fixed costs, providers,
  commitments), add up to the current and recommended monthly cost; a saving shown is the
  difference of the two amounts shown beside it, so the savings add up too (moves + workloads
  that stay but change cost + the lines = monthly savings);
- the one-off column adds up to the one-off cost (migrations, onboarding, closing);
- each workload's run, licences and egress add up to its cost;
- the split (run, licences, egress, fixed, providers, commitments) adds up to each total;
- the objective line: recommended monthly cost + migration, onboarding and closing over the
  horizon + penalties = objective.

Each shown part is within a cent of its exact value. Every renderer (terminal, Markdown, JSON,
the report) shows these figures, so they agree with each other to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from advisor.money import apportion, cents
from advisor.placement.plan import Amounts, Line, Plan, Recommendation

ZERO = Decimal(0)
SPLIT = ("run", "licences", "egress", "fixed_locations", "fixed_providers", "commitments")
SPLIT_LABELS = {"run": "run (compute and storage)", "licences": "licences",
                "egress": "egress", "fixed_locations": "fixed costs of locations",
                "fixed_providers": "fixed costs of providers", "commitments": "commitments"}


Shown = Amounts  # amounts as shown: in cents


@dataclass
class Statement:
    """Every figure of a plan that is shown beside others, in cents, adding up."""

    total: Shown
    workloads: dict[str, Shown]
    lines: list[tuple[Line, Shown]]
    breakdown: dict[str, tuple[dict[str, Decimal], dict[str, Decimal]]]  # now, after parts
    split: dict[str, Shown]  # SPLIT key -> now, after
    objective: list[tuple[str, str, Decimal]]  # (key, label, amount); the last is the objective
    savings: dict[str, Decimal] = field(default_factory=dict)  # moves, stays, lines

    def stays(self, recs: list[Recommendation]) -> Shown:
        """The workloads that stay, together (a table of moves shows them as one row)."""
        rows = [self.workloads[r.workload.id] for r in recs if not r.moved]
        return Shown(sum((s.now for s in rows), ZERO), sum((s.after for s in rows), ZERO))


def _nested(groups: list[list[Decimal]], total: Decimal) -> list[list[Decimal]]:
    """Parts in groups, apportioned to ``total``: first the groups' sums, then each group's
    parts to its shown sum (so a group's subtotal is within a cent of its exact value too)."""
    sums = apportion([sum(g, ZERO) for g in groups], total)
    return [apportion(g, sums[k]) for k, g in enumerate(groups)]


def statement(plan: Plan) -> Statement:
    """The shown figures of ``plan`` (see the module docstring)."""
    s = plan.summary()
    recs = plan.recommendations
    lines = plan.lines()
    total = Shown(cents(s["current_monthly_cost"]), cents(s["recommended_monthly_cost"]),
                  cents(s["one_off_cost"]))
    groups = [[r for r in recs if r.moved], [r for r in recs if not r.moved]]
    now = _nested([[r.current_monthly_cost for r in g] for g in groups]
                  + [[ln.now for ln in lines]], total.now)
    after = _nested([[r.recommended_monthly_cost for r in g] for g in groups]
                    + [[ln.after for ln in lines]], total.after)
    once = _nested([[r.one_off_cost for r in g] for g in groups]
                   + [[ln.one_off for ln in lines]], total.one_off)
    workloads = {}
    for k, g in enumerate(groups):
        for i, r in enumerate(g):
            workloads[r.workload.id] = Shown(now[k][i], after[k][i], once[k][i])
    shown_lines = [(ln, Shown(now[2][i], after[2][i], once[2][i])) for i, ln in enumerate(lines)]
    breakdown = {}
    for r in recs:
        w = workloads[r.workload.id]
        a = apportion([r.current_run, r.current_licences, r.current_egress], w.now)
        b = apportion([r.recommended_run, r.recommended_licences, r.recommended_egress], w.after)
        breakdown[r.workload.id] = (dict(zip(("run", "licences", "egress"), a, strict=True)),
                                    dict(zip(("run", "licences", "egress"), b, strict=True)))
    cur_split = apportion([s["current_split"][key] for key in SPLIT], total.now)
    rec_split = apportion([s["recommended_split"][key] for key in SPLIT], total.after)
    split = {key: Shown(cur_split[i], rec_split[i]) for i, key in enumerate(SPLIT)}
    horizon = s["horizon_months"]
    parts = [("migration", f"migration over {horizon} months",
              s["one_off_migration_cost"] / horizon),
             ("onboarding", f"provider onboarding over {horizon} months",
              s["one_off_onboarding_cost"] / horizon),
             ("closing", f"closing locations over {horizon} months",
              s["one_off_closing_cost"] / horizon),
             ("penalty", "penalties of accepted warnings", s["penalty_monthly"])]
    objective = cents(s["objective"])
    rest = apportion([v for _, _, v in parts], objective - total.after)
    shown_objective = [("recommended", "recommended monthly cost", total.after)]
    shown_objective += [(key, label, rest[i]) for i, (key, label, v) in enumerate(parts)
                        if v or rest[i]]
    shown_objective.append(("objective", "objective", objective))
    savings = {"moves": sum((workloads[r.workload.id].saving for r in recs if r.moved), ZERO),
               "stays": sum((workloads[r.workload.id].saving for r in recs if not r.moved),
                            ZERO),
               "lines": sum((sh.saving for _, sh in shown_lines), ZERO)}
    return Statement(total, workloads, shown_lines, breakdown, split, shown_objective, savings)


@dataclass(frozen=True)
class SavingRow:
    """A row of a table of savings: a move, the moves left out, the workloads that stay but
    change cost, or an estate line (fixed cost, provider, commitment)."""

    kind: str  # move | more | stays | line
    label: str
    saving: Decimal
    one_off: Decimal
    recommendation: Recommendation | None = None
    line: Line | None = None
    count: int = 0


def saving_rows(plan: Plan, moves: list[Recommendation], limit: int | None = None,
                st: Statement | None = None) -> list[SavingRow]:
    """The rows of a table of moves that adds up to the monthly savings and the one-off cost
    (``st.total``): the moves (``limit`` of them, the rest as one row), the workloads that stay
    but change cost, and the estate lines that change."""
    st = st or statement(plan)
    out = []
    shown = moves if limit is None else moves[:limit]
    for r in shown:
        s = st.workloads[r.workload.id]
        out.append(SavingRow("move", r.workload.name or r.workload.id, s.saving, s.one_off,
                             recommendation=r))
    left = moves[len(shown):]
    if left:
        out.append(SavingRow("more", "", sum((st.workloads[r.workload.id].saving for r in left),
                                             ZERO),
                             sum((st.workloads[r.workload.id].one_off for r in left), ZERO),
                             count=len(left)))
    moved = {r.workload.id for r in moves}
    stays = [r for r in plan.recommendations if r.workload.id not in moved]
    stay_saving = sum((st.workloads[r.workload.id].saving for r in stays), ZERO)
    if stay_saving:
        out.append(SavingRow("stays", "", stay_saving, ZERO, count=len(stays)))
    for line, s in st.lines:
        if s.saving or s.one_off:
            out.append(SavingRow("line", line.label, s.saving, s.one_off, line=line))
    return out


@dataclass(frozen=True)
class ShownPair:
    """A calibration row as shown: billed and modelled in cents, their difference."""

    key: str
    billed: Decimal
    modelled: Decimal
    ratio: Decimal | None

    @property
    def difference(self) -> Decimal:
        return self.billed - self.modelled


def calibration_rows(plan: Plan, kind: str = "locations") -> list[ShownPair]:
    """The calibration's workloads or locations as shown: the modelled cost is the workloads'
    shown current cost (summed per location), the difference that of the two amounts shown."""
    cal = plan.calibration
    if cal is None:
        return []
    st = statement(plan)
    per_location: dict[str, Decimal] = {}
    for r in plan.recommendations:
        per_location[r.current_location] = per_location.get(r.current_location, ZERO) \
            + st.workloads[r.workload.id].now
    out = []
    for p in getattr(cal, kind):
        modelled = (st.workloads[p.key].now if p.key in st.workloads else cents(p.modelled)) \
            if kind == "workloads" else per_location.get(p.key, cents(p.modelled))
        out.append(ShownPair(p.key, cents(p.billed), modelled, p.ratio))
    return out
