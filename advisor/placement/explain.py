"""Why each workload goes where the plan puts it: the other locations, priced for the estate.

Moving one unit (a workload, with the workloads colocated with it) from where the plan puts it
to another location X, with every other workload where the plan puts it, changes the objective
by ``delta`` (exact, Decimal): its run, licences, amortized migration and penalties at X, the
egress of its edges, the fixed costs of locations that open or close and of providers that are
added or dropped (with their one-offs over the horizon), and the commitments whose use changes.
X is *blocked* when a rule excludes it, a pin or a SaaS supplier holds the workload, the cost
model has no price it needs there, a latency limit to a neighbour would break, or X has no
capacity left. A move's "why" names what staying would mean, the cheaper alternatives that
something blocks (the binding constraint and the cost of the alternative it excluded), and the
next best allowed location.

All units are screened in floats (numpy); only the candidates that matter are priced exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from advisor.estate.model import Dependency, Workload
from advisor.money import money_text
from advisor.placement.checks import latency_ms
from advisor.placement.costs import CostModel
from advisor.placement.optimize import Solution
from advisor.placement.totals import EstateCosts
from advisor.rules import Evaluation

ZERO = Decimal(0)
PARTS = ("run", "licences", "egress", "migration", "penalty", "fixed", "providers",
         "commitments", "one-offs")


@dataclass(frozen=True)
class Alternative:
    """One unit at another location, everything else as planned."""

    location: str
    delta: Decimal  # change of the estate's objective per month
    parts: dict[str, Decimal] = field(hash=False, compare=False)  # the delta by term (PARTS)
    blocked: tuple[str, ...] = ()  # what excludes it; empty: allowed
    monthly_cost: Decimal = ZERO  # the workload's own run, licences, egress, migration, penalty

    @property
    def allowed(self) -> bool:
        return not self.blocked

    def terms(self, currency: str, limit: int = 3) -> str:
        """The largest terms of the delta: 'fixed +15,000.00, run -1,200.00'."""
        big = sorted(((k, v) for k, v in self.parts.items() if v), key=lambda kv: -abs(kv[1]))
        return ", ".join(f"{k} {'+' if v > 0 else ''}{money_text(v)}" for k, v in big[:limit])


class Explainer:
    """Prices alternatives against one placement."""

    def __init__(self, model: CostModel, totals: EstateCosts, ev: Evaluation, sol: Solution,
                 placement: Mapping[str, str]) -> None:
        self.model = model
        self.totals = totals
        self.ev = ev
        self.sol = sol
        self.placement = dict(placement)
        estate = model.estate
        self.ws = estate.workloads
        self.by_id = estate.workload_by_id()
        self.loc_ids = [loc.id for loc in estate.locations]
        self.loc_index = {k: i for i, k in enumerate(self.loc_ids)}
        self.counts = Counter(self.placement.values())
        self.facilities = totals.facilities(self.counts)
        usage: dict[str, list[Decimal]] = {k: [ZERO, ZERO, ZERO] for k in self.loc_ids}
        for w in self.ws:
            u = usage[self.placement[w.id]]
            u[0] += w.resources.cpu
            u[1] += w.resources.memory_gb
            u[2] += w.resources.total_storage_gb
        self.usage = usage
        self.in_groups = {loc for g in totals.commitments.groups.values() for loc in g.locations}
        self.commitments = self._commitments({}) if self.in_groups else ZERO
        self.callers: dict[str, list[tuple[Workload, Dependency]]] = {}
        for w in self.ws:
            for d in w.depends_on:
                self.callers.setdefault(d.workload, []).append((w, d))
        # Prices and rule lookups repeat across the alternatives of one plan: each once.
        self._own_cache: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]] = {}
        self._edge_cache: dict[tuple[int, str, str], Decimal] = {}
        self._excluded: dict[str, dict[str, list[str]]] = {}
        self.members: dict[str, list[Workload]] = {}
        for unit in sol.unit_members:
            ids = [self.ws[i] for i in unit]
            for w in ids:
                self.members[w.id] = ids

    def _commitments(self, moved: Mapping[str, tuple[Decimal, Decimal]]) -> Decimal:
        """The commitments' net cost with the planned usage, plus (vCPUs, GB) ``moved`` per
        location (negative where they leave): no pass over every workload per alternative."""
        usage = {k: (u[0] + moved.get(k, (ZERO, ZERO))[0], u[1] + moved.get(k, (ZERO, ZERO))[1])
                 for k, u in self.usage.items()}
        return sum((c.net for c in self.totals.commitments.lines(usage)), ZERO)

    # -- exact ----------------------------------------------------------------------------

    def alternative(self, w: Workload, to: str) -> Alternative:
        """w's unit at ``to`` (everything else as planned), exactly."""
        m, ev = self.model, self.ev
        unit = self.members[w.id]
        here = self.placement[w.id]
        ids = {u.id for u in unit}
        parts = dict.fromkeys(PARTS, ZERO)
        blocked: list[str] = []
        for u in unit:
            run_to, licence_to, migration_to = self._own(u, to)
            run_here, licence_here, migration_here = self._own(u, here)
            parts["run"] += run_to - run_here
            parts["licences"] += licence_to - licence_here
            parts["migration"] += migration_to - migration_here
            pen = ev.penalty[u.id]
            parts["penalty"] += pen[self.loc_index[to]] - pen[self.loc_index[here]]
            blocked += self._blocked(u, to, ids)
        for u in unit:
            for d in u.depends_on:
                if d.workload in ids:
                    continue
                there = self.placement[d.workload]
                parts["egress"] += self._edge(d, to, there) - self._edge(d, here, there)
            for caller, d in self.callers.get(u.id, ()):
                if caller.id in ids:
                    continue
                there = self.placement[caller.id]
                parts["egress"] += self._edge(d, there, to) - self._edge(d, there, here)
        n = len(unit)
        if self.counts[here] == n or self.counts[to] == 0:
            counts = Counter(self.counts)
            counts[here] -= n
            counts[to] += n
            fac = self.totals.facilities(counts)
            base = self.facilities
            parts["fixed"] = sum(fac.fixed.values(), ZERO) - sum(base.fixed.values(), ZERO)
            parts["providers"] = sum(fac.providers.values(), ZERO) - \
                sum(base.providers.values(), ZERO)
            parts["one-offs"] = (sum(fac.onboarding.values(), ZERO)
                                 + sum(fac.closing.values(), ZERO)
                                 - sum(base.onboarding.values(), ZERO)
                                 - sum(base.closing.values(), ZERO)) / m.horizon
        if here in self.in_groups or to in self.in_groups:
            cpu = sum((u.resources.cpu for u in unit), ZERO)
            mem = sum((u.resources.memory_gb for u in unit), ZERO)
            moved = {here: (-cpu, -mem), to: (cpu, mem)} if here != to else {}
            parts["commitments"] = self._commitments(moved) - self.commitments
        blocked += self._capacity(unit, here, to)
        own = sum(self._own(w, to), ZERO) + ev.penalty[w.id][self.loc_index[to]] + sum(
            (self._edge(d, to, to if d.workload in ids else self.placement[d.workload])
             for d in w.depends_on), ZERO)
        return Alternative(to, sum(parts.values(), ZERO), parts,
                           tuple(dict.fromkeys(blocked)), own)

    def _own(self, w: Workload, at: str) -> tuple[Decimal, Decimal, Decimal]:
        """w's run, licence and migration cost per month at ``at`` (each priced once)."""
        key = (w.id, at)
        own = self._own_cache.get(key)
        if own is None:
            m = self.model
            own = (m.run_monthly(w, at), m.licence_monthly(w, at), m.migration_monthly(w, at))
            self._own_cache[key] = own
        return own

    def _edge(self, d: Dependency, src: str, dst: str) -> Decimal:
        """The traffic of ``d`` per month between its ends at ``src`` and ``dst``."""
        key = (id(d), src, dst)
        price = self._edge_cache.get(key)
        if price is None:
            price = self._edge_cache[key] = self.model.edge_monthly(d, src, dst)
        return price

    def _blocked(self, w: Workload, to: str, unit: set[str]) -> list[str]:
        out = []
        loc = self.model.locations[to]
        if to != w.location:
            if w.pinned:
                out.append(f"{w.id} is pinned to {w.location}")
            if self.model.locations[w.location].saas:
                out.append(f"{w.id} is SaaS at {w.location}: only its supplier runs it")
        if not self.ev.allowed[w.id][self.loc_index[to]]:
            if w.id not in self._excluded:
                self._excluded[w.id] = self.ev.excluded_by(w.id)
            rules = self._excluded[w.id].get(to, [])
            out.append(f"rule {', '.join(rules)} excludes {to} for {w.id}" if rules
                       else f"a hard rule excludes {to} for {w.id}")
        why = self.model.unavailable(w, to)
        if why:
            out.append(why)
        for other, d, caller in self._latency_edges(w):
            if other in unit or d.max_latency_ms is None:
                continue
            there = self.model.locations[self.placement[other]]
            ms = latency_ms(loc, there)
            if ms is None or ms > d.max_latency_ms:
                shown = "unknown" if ms is None else f"{ms.normalize():f} ms"
                out.append(f"latency limit {d.max_latency_ms.normalize():f} ms between "
                           f"{w.id if caller else other} and {other if caller else w.id} "
                           f"({other} runs at {there.id}; {to} is {shown} away)")
        return out

    def _latency_edges(self, w: Workload) -> list[tuple[str, Dependency, bool]]:
        out = [(d.workload, d, True) for d in w.depends_on if d.max_latency_ms is not None]
        out += [(c.id, d, False) for c, d in self.callers.get(w.id, ())
                if d.max_latency_ms is not None]
        return out

    def _capacity(self, unit: list[Workload], here: str, to: str) -> list[str]:
        if to == here:
            return []
        cap = self.model.locations[to].capacity
        if cap is None:
            return []
        need = [sum((u.resources.cpu for u in unit), ZERO),
                sum((u.resources.memory_gb for u in unit), ZERO),
                sum((u.resources.total_storage_gb for u in unit), ZERO)]
        out = []
        for k, (name, limit) in enumerate((("vCPU", cap.cpu), ("GB memory", cap.memory_gb),
                                           ("GB storage", cap.storage_gb))):
            if limit is not None and self.usage[to][k] + need[k] > limit:
                out.append(f"capacity of {to}: {self.usage[to][k].normalize():f} of "
                           f"{limit.normalize():f} {name} used, {need[k].normalize():f} more "
                           f"needed")
        return out

    # -- screening --------------------------------------------------------------------------

    def screen(self) -> np.ndarray:
        """Float estimate of every unit's delta at every location [units, locations] (unit
        costs and egress only; the exact price comes from ``alternative``)."""
        sol, p = self.sol, self.model
        ucost = np.array(sol.unit_cost, dtype=float)
        g, _nl = ucost.shape
        unit_of = np.zeros(len(self.ws), dtype=np.int64)
        for u, members in enumerate(sol.unit_members):
            unit_of[members] = u
        where = np.array([self.loc_index[self.placement[w.id]] for w in self.ws], dtype=np.int64)
        path = np.array([[float(p.path_price(a, b)) for b in self.loc_ids] for a in self.loc_ids])
        index = {w.id: i for i, w in enumerate(self.ws)}
        src, dst, gb = [], [], []
        for i, w in enumerate(self.ws):
            for d in w.depends_on:
                j = index[d.workload]
                if unit_of[i] == unit_of[j]:
                    continue
                for a, b, amount in ((i, j, d.send_gb_month), (j, i, d.receive_gb_month)):
                    if amount:
                        src.append(a)
                        dst.append(b)
                        gb.append(float(amount))
        cost = ucost.copy()
        if src:
            s, t, f = np.array(src), np.array(dst), np.array(gb)
            np.add.at(cost, unit_of[s], f[:, None] * path[:, where[t]].T)
            np.add.at(cost, unit_of[t], f[:, None] * path[where[s], :])
        here = np.zeros(g, dtype=np.int64)
        for u, members in enumerate(sol.unit_members):
            here[u] = where[members[0]]
        delta: np.ndarray = cost - cost[np.arange(g), here][:, None]
        return delta

    def next_best(self, screened: np.ndarray, w: Workload, tries: int = 3) -> Alternative | None:
        """The cheapest allowed other location for w's unit (exactly priced among the best
        screened candidates)."""
        u = self.sol.units[w.id]
        here = self.placement[w.id]
        order = [k for k in np.argsort(screened[u], kind="stable")
                 if self.loc_ids[k] != here and self.sol.allowed[u, k]]
        best: Alternative | None = None
        for k in order:
            alt = self.alternative(w, self.loc_ids[k])
            if alt.allowed and (best is None or alt.delta < best.delta):
                best = alt
            tries -= 1
            if tries <= 0 and best is not None:
                break
        return best

    def all(self, w: Workload) -> list[Alternative]:
        """Every other location for w's unit, exactly, cheapest first (SaaS locations are
        never alternatives: only their suppliers run workloads there)."""
        here = self.placement[w.id]
        alts = [self.alternative(w, k) for k in self.loc_ids
                if k != here and (not self.model.locations[k].saas or k == w.location)]
        return sorted(alts, key=lambda a: (a.delta, a.location))


def why_lines(w: Workload, here: str, there: str, alts: list[Alternative],
              currency: str) -> list[str]:
    """The reasons for a move (or a forced stay): staying, and the cheaper alternatives that
    something blocks, each with the constraint that binds and what it would have cost."""
    out: list[str] = []
    stay = next((a for a in alts if a.location == here), None)
    first_allowed = next((a for a in alts if a.allowed), None)
    if stay is not None and here != there:
        if stay.blocked:
            out.append(f"why not stay at {here}: {'; '.join(stay.blocked)}")
        elif stay is not first_allowed:  # else the next-best line says it
            out.append(f"why not stay at {here}: it would cost the estate "
                       f"{money_text(stay.delta)} {currency}/month more ({stay.terms(currency)})")
    for a in alts:
        if a.location == here or a.delta >= 0 or not a.blocked:
            continue
        out.append(f"binding: {a.location} would cost the estate {money_text(-a.delta)} "
                   f"{currency}/month less ({a.terms(currency)}), but {'; '.join(a.blocked)}")
        if sum(1 for x in out if x.startswith("binding")) >= 2:
            break
    cheaper = [a for a in alts if a.allowed and a.delta < 0]
    if cheaper:
        a = cheaper[0]
        out.append(f"{a.location} would be {money_text(-a.delta)} {currency}/month cheaper "
                   "within the solver's gap")
    return out
