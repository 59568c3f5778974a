"""Sensitivity of every move: the price change at the target, and at the source, at which the
decision to move would flip.

Exact for the move's own cost terms, holding the rest of the placement fixed: the workload's run
and licence cost, the egress of every dependency edge it is part of (whoever it is attributed
to), its migration over the horizon and its warning penalty, at the target against at the
source. A location's prices (vCPU, memory, storage, egress and switching: what a scenario's
price factor scales) enter these terms linearly, so with D the own-terms cost of moving less
that of staying (negative: moving is cheaper) and a the change of D when the location's prices
double, the decision flips at a price change of -D / a (+23% at the target: the target must
become 23% dearer). Licences, fixed costs of locations and providers, commitments and capacity
are held as they are; a move the estate makes for those (a closure, a chain, capacity, a rule
that forbids staying) is said to be so instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from advisor.estate.model import Workload
from advisor.money import EXACT
from advisor.placement.costs import CostModel

if TYPE_CHECKING:
    from advisor.placement.plan import Plan
    from advisor.rules import Evaluation

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)


@dataclass(frozen=True)
class Flip:
    target_change: Decimal | None  # fraction: 0.23 = the target 23% dearer flips the decision
    source_change: Decimal | None  # fraction: -0.18 = the source 18% cheaper flips it
    own_saving: Decimal  # what moving saves per month on the move's own terms
    note: str = ""


def _neighbours(w: Workload, callers: dict[str, list[tuple[str, Decimal, Decimal]]]
                ) -> list[tuple[str, Decimal, Decimal]]:
    """(neighbour, GB a month from w to it, GB from it to w) for every edge of w."""
    out = [(d.workload, d.send_gb_month, d.receive_gb_month) for d in w.depends_on]
    out += [(x, recv, send) for x, send, recv in callers.get(w.id, [])]
    return out


def callers_of(workloads: list[Workload]) -> dict[str, list[tuple[str, Decimal, Decimal]]]:
    """Workload id -> (caller, GB the caller sends to it, GB it sends to the caller)."""
    out: dict[str, list[tuple[str, Decimal, Decimal]]] = {}
    for x in workloads:
        for d in x.depends_on:
            out.setdefault(d.workload, []).append((x.id, d.send_gb_month, d.receive_gb_month))
    return out


def own_cost(model: CostModel, w: Workload, at: str, where: dict[str, str],
             edges: list[tuple[str, Decimal, Decimal]], penalty: Decimal,
             factor: dict[str, Decimal]) -> Decimal:
    """The move's own terms with w at ``at`` and the rest where ``where`` puts it, every
    location's prices times ``factor`` (default 1)."""
    def f(loc: str) -> Decimal:
        return factor.get(loc, ONE)

    cost = model.run_monthly(w, at) * f(at) + model.licence_monthly(w, at) + penalty
    for n, out_gb, in_gb in edges:
        there = where[n]
        if there == at:
            continue
        cost += out_gb * model.path_price(at, there) * f(at)
        cost += in_gb * model.path_price(there, at) * f(there)
    if at != w.location:
        one_off = model.migration_one_off(w, at)
        # a declared migration cost is no price of a location; the default is priced at the
        # source (data out at its path or switching rate, a month of its run cost)
        scale = ONE if w.migration_cost is not None else f(w.location)
        cost += one_off * scale / model.horizon
    return cost


def flip(model: CostModel, w: Workload, target: str, where: dict[str, str],
         edges: list[tuple[str, Decimal, Decimal]], pen_source: Decimal, pen_target: Decimal,
         staying_allowed: bool) -> Flip:
    source = w.location

    def diff(factor: dict[str, Decimal]) -> Decimal:
        return own_cost(model, w, target, where, edges, pen_target, factor) - \
            own_cost(model, w, source, where, edges, pen_source, factor)

    d0 = diff({})
    if not staying_allowed:
        return Flip(None, None, -d0, "forced: staying where it runs is not allowed")
    if d0 > 0:
        return Flip(None, None, -d0, "the move costs more on its own terms: the estate makes "
                                     "it for a fixed cost, a provider, a chain or capacity")
    out = []
    for loc in (target, source):
        a = diff({loc: TWO}) - d0
        change = None if a == 0 else EXACT.divide(-d0, a)
        out.append(change if change is not None and change > -1 else None)
    return Flip(out[0], out[1], -d0)


def text(f: Flip, target: str, source: str) -> str:
    """The sentence a recommendation's reasons carry."""
    if f.note:
        return f"sensitivity: {f.note}"

    def pct(change: Decimal | None, loc: str) -> str | None:
        if change is None:
            return None
        word = "dearer" if change > 0 else "cheaper"
        return f"{loc} {abs(change) * 100:.1f}% {word}"

    parts = [p for p in (pct(f.target_change, target), pct(f.source_change, source)) if p]
    if not parts:
        return "sensitivity: no price change at the target or the source flips it"
    return ("sensitivity: the decision flips if " + " or ".join(parts)
            + " (its own cost terms, the rest of the placement fixed)")


def attach(plan: Plan, model: CostModel, ev: Evaluation) -> None:
    """Every move's flip, on the recommendation and as the last of its reasons."""
    estate = plan.estate
    where = {r.workload.id: r.recommended_location for r in plan.recommendations}
    callers = callers_of(estate.workloads)
    idx = {loc.id: i for i, loc in enumerate(estate.locations)}
    for r in plan.recommendations:
        if not r.moved:
            continue
        w = r.workload
        s, t = r.current_location, r.recommended_location
        allowed = ev.allowed[w.id][idx[s]] and not r.unplaceable
        f = flip(model, w, t, where, _neighbours(w, callers), ev.penalty[w.id][idx[s]],
                 ev.penalty[w.id][idx[t]], bool(allowed))
        r.sensitivity = f
        r.reasons.append(text(f, t, s))
