"""Exact placement: a mixed-integer program solved by HiGHS.

Model (all amounts per month in the estate currency, as floats inside the solver; the plan
recomputes every shown figure exactly in Decimal):
- x[g, l] in {0, 1}: unit g (a workload, or a group contracted by ``colocate`` edges) runs at l;
  only allowed pairs get a column (hard rules, pins, SaaS, prices the workload needs and latency
  to fixed units prune the rest). Its cost: run, licences, amortized migration and penalties.
- sum_l x[g, l] = 1 for every unit.
- Egress: F_ab GB per month from a to b, placed at l and m, costs F_ab x path(l, m), the cheapest
  declared price from l to m (egress_gb, or less to the same provider or over a private link).
  Linearised exactly with one y per pair, direction and location l:
  y >= x[a, l] - x[b, l] - sum_m (egress(l) - path(l, m)) / egress(l) x[b, m], at cost
  F_ab x egress(l) (uses sum_m x[b, m] = 1); with no cheaper path it is today's
  y >= x[a, l] - x[b, l]. An edge to a unit with one possible location is linear in the other.
- max_latency_ms: x[a, l] + sum{x[b, m] : latency(l, m) > limit} <= 1 for every l.
- Capacity: sum_g resources(g) x[g, l] <= capacity(l) - what fixed units already use at l.
- Fixed costs (a facility-location model): open[l] >= x[g, l] for every unit (the tight,
  disaggregated form), at cost fixed_monthly(l) - close_one_off(l) / horizon for a location open
  today that may close (the closing cost then counts as a constant); use[p] >= open[l] (or
  >= x[g, l]) for the locations of a provider, at cost fixed_monthly(p) + onboarding(p) /
  horizon for a provider not used today.
- Commitments, per provider and per segment s of the horizon with the same commitments in force
  (weight w_s): o[l, r, s] >= use(l, r) - reserved(l, r, s) for reserved resources, at cost
  w_s x price(l, r); with a savings plan in force, v[s] >= sum of the list value of use that no
  reservation covers - the plan's cover, at cost w_s, instead. Use that is neither reserved nor
  under a plan stays linear in the unit's cost.
- Rule rows (``advisor.placement.rule_rows``): error rules whose breach depends on several
  workloads (budgets) as linear rows, so no recommended move creates a new error finding.
Independent parts of the dependency graph (networkx components; units that can reach one
location, provider or commitment decision are one part) are solved apart when capacity does not
bind; if the combined answer breaks a capacity, one coupled model is solved instead.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.estate.model import Estate, Target
from advisor.placement.cost_arrays import cost_arrays
from advisor.placement.costs import CostModel
from advisor.placement.lagrange import relax
from advisor.placement.milp import (
    TIMEOUT,
    CommitmentGroup,
    CommitmentSegment,
    Terms,
    lp_relaxation,
    solve,
)
from advisor.placement.rule_rows import Row, encode, fixed_conflicts, row_units
from advisor.placement.totals import EstateCosts
from advisor.rules import Evaluation

INF = float("inf")


@dataclass
class Solution:
    placement: dict[str, str]  # workload id -> location id (unplaceable ones stay where they are)
    status: str  # optimal | feasible | infeasible | timeout | given
    gap: float
    seconds: float
    objective: float  # the solver's objective (float; the plan recomputes it exactly)
    unplaceable: dict[str, list[str]] = field(default_factory=dict)  # workload -> reasons
    units: dict[str, int] = field(default_factory=dict)  # workload id -> unit index
    unit_members: list[list[int]] = field(default_factory=list)
    allowed: Any = None  # numpy bool [units, locations] after pins, prices and latency pruning
    unit_cost: Any = None  # numpy float [units, locations] (run + migration + penalty)
    components: int = 0
    notes: list[str] = field(default_factory=list)


class Problem:
    """The estate reduced to units, costs and couplings, ready for the solver."""

    def __init__(self, estate: Estate, model: CostModel, ev: Evaluation,
                 rows: list[Row] | None = None) -> None:
        self.estate = estate
        self.model = model
        self.totals = EstateCosts(model)
        self.rows = rows or []
        locs = estate.locations
        self.loc_ids = [loc.id for loc in locs]
        li = {loc_id: i for i, loc_id in enumerate(self.loc_ids)}
        self.li = li
        ws = estate.workloads
        self.ws = ws
        n, nl = len(ws), len(locs)
        self.L = nl
        widx = {w.id: i for i, w in enumerate(ws)}
        self.widx = widx
        cur = np.array([li[w.location] for w in ws], dtype=np.int64)
        self.cur = cur
        arrays = cost_arrays(model, ws, self.loc_ids, cur)
        self.arrays = arrays
        self.egress = arrays.egress
        self.path = arrays.path
        self.discount: list[list[tuple[int, float]]] = [
            [(m, float(arrays.egress[l_] - arrays.path[l_, m])) for m in range(nl)
             if m != l_ and arrays.path[l_, m] < arrays.egress[l_] - 1e-12]
            for l_ in range(nl)]
        res = arrays.res
        cost = arrays.run + arrays.licences + arrays.migration
        self.groups = self._commitment_groups()
        for group in self.groups:
            for loc in group.locations:
                for r in (0, 1):
                    share = group.linear_share(loc, r)
                    if share < 1.0:
                        cost[:, loc] -= (1.0 - share) * res[:, r] * group.price[(loc, r)]
        # Rule masks and penalties are shared by every workload with the same selecting rules.
        allowed = np.zeros((n, nl), dtype=bool)
        pen_rows: dict[tuple[Any, ...], np.ndarray] = {}
        for i, w in enumerate(ws):
            allowed[i] = ev.allowed[w.id]
            p = ev.penalty[w.id]
            if any(p):
                if p not in pen_rows:
                    pen_rows[p] = np.array([float(x) for x in p])
                cost[i] += pen_rows[p]
        self.rule_allowed = allowed.copy()
        self.reasons: dict[int, list[str]] = defaultdict(list)
        lost = allowed.any(axis=1) & ~(allowed & arrays.available).any(axis=1)
        for i in np.flatnonzero(lost).tolist():
            why = [model.unavailable(ws[i], self.loc_ids[k]) for k in np.flatnonzero(allowed[i])]
            self.reasons[i].append("; ".join(r for r in why if r))
        allowed &= arrays.available
        saas = np.array([loc.saas for loc in locs], dtype=bool)
        for i, w in enumerate(ws):
            if w.pinned or saas[cur[i]]:
                allowed[i] = False
                allowed[i, cur[i]] = True
        # Contract colocate edges into units.
        import networkx as nx

        sets = nx.utils.UnionFind(range(n))
        for i, w in enumerate(ws):
            for d in w.depends_on:
                if d.colocate:
                    sets.union(i, widx[d.workload])
        roots = np.arange(n)  # each workload's unit is named by its first member
        for members_of in sets.to_sets():
            roots[sorted(members_of)] = min(members_of)
        uniq, unit_of = np.unique(roots, return_inverse=True)
        self.unit_of = unit_of
        g = len(uniq)
        self.G = g
        members: list[list[int]] = [[] for _ in range(g)]
        for i in range(n):
            members[unit_of[i]].append(i)
        self.members = members
        self.ucost = np.zeros((g, nl))
        np.add.at(self.ucost, unit_of, cost)
        self.uallowed = np.ones((g, nl), dtype=bool)
        np.logical_and.at(self.uallowed, unit_of, allowed)
        self.ures = np.zeros((g, 3))
        np.add.at(self.ures, unit_of, res)
        self.res = res
        for members_g in members:
            if len(members_g) > 1:
                pinned = {cur[i] for i in members_g if ws[i].pinned or saas[cur[i]]}
                if len(pinned) > 1:
                    for i in members_g:
                        self.reasons[i].append(
                            "colocated with workloads pinned to different locations ("
                            + ", ".join(sorted(self.loc_ids[p] for p in pinned)) + ")")
        # Edges between different units: GB per month from workload i to workload j (paid at
        # i's location when their units are apart), and latency limits.
        flow: dict[tuple[int, int], float] = defaultdict(float)
        self.latency_edges: list[tuple[int, int, int, int, float]] = []  # wi, di, a, b, limit
        for i, w in enumerate(ws):
            for d in w.depends_on:
                j = widx[d.workload]
                a, b = unit_of[i], unit_of[j]
                if d.max_latency_ms is not None:
                    self.latency_edges.append((i, j, a, b, float(d.max_latency_ms)))
                if a == b:
                    continue
                if d.send_gb_month:
                    flow[(i, j)] += float(d.send_gb_month)
                if d.receive_gb_month:
                    flow[(j, i)] += float(d.receive_gb_month)
        self.flow = flow
        self.latency = self._latency_matrix()
        self.row_units = row_units(self.rows, unit_of)

    def _commitment_groups(self) -> list[CommitmentGroup]:
        out = []
        a = self.arrays
        for group in self.totals.commitments.groups.values():
            locs = [self.li[k] for k in group.locations]
            terms = {t.id: t for t in group.reservations + group.plans}
            segments = []
            for seg in group.segments:
                plans = [terms[i] for i in seg.in_force if terms[i].commitment.kind ==
                         "savings_plan"]
                cover: dict[tuple[int, int], float] = defaultdict(float)
                for i in seg.in_force:
                    c = terms[i].commitment
                    if c.kind == "reservation" and c.location is not None:
                        cover[(self.li[c.location], 0)] += float(c.covers_cpu)
                        cover[(self.li[c.location], 1)] += float(c.covers_memory_gb)
                segments.append(CommitmentSegment(
                    float(seg.weight),
                    float(sum(t.covers_list_value for t in plans)) if plans else None,
                    dict(cover)))
            price = {(loc, r): float(a.cpu_month[loc] if r == 0 else a.memory_month[loc])
                     for loc in locs for r in (0, 1)}
            out.append(CommitmentGroup(locs, price, segments))
        return out

    def _latency_matrix(self) -> np.ndarray:
        nl = self.L
        lat = np.full((nl, nl), INF)
        np.fill_diagonal(lat, 0.0)
        index = {loc_id: i for i, loc_id in enumerate(self.loc_ids)}
        for loc in self.estate.locations:
            for other, ms in loc.latency_ms.items():
                a, b = index[loc.id], index[other]
                lat[a, b] = min(lat[a, b], float(ms))
                lat[b, a] = min(lat[b, a], float(ms))
        return lat

    def terms(self, fixed_w: np.ndarray, loc_of_w: np.ndarray) -> tuple[Terms, float,
                                                                         list[list[int]]]:
        """The decisions and commitments for the solver, the constant part of their cost, and
        the locations that each couples (units that can reach them are solved together)."""
        model, totals = self.model, self.totals
        horizon = float(model.horizon)
        fixed_at = set(loc_of_w[fixed_w].tolist())
        terms = Terms()
        const = 0.0
        forced: set[int] = set()
        for k, loc_id in enumerate(self.loc_ids):
            prices = model.prices[loc_id]
            fixed = float(prices.fixed_monthly)
            closing = float(prices.close_one_off) / horizon \
                if loc_id in totals.open_today and loc_id in totals.closable else 0.0
            if k in fixed_at or totals.is_open(loc_id, 0):
                forced.add(k)
                const += fixed
            elif fixed > 0 or closing > 0:
                terms.open_cost[k] = fixed - closing
                const += closing
        for p in totals.providers:
            cost = float(p.fixed_monthly) + (0.0 if p.used_today else
                                             float(p.onboarding_one_off) / horizon)
            if cost <= 0:
                continue
            locs = [self.li[k] for k in p.locations]
            if any(k in forced for k in locs):
                const += cost
            else:
                terms.provider_cost.append(cost)
                terms.provider_locations.append(locs)
        for group in self.groups:
            for loc in group.locations:
                on = fixed_w & (loc_of_w == loc)
                group.fixed_use[(loc, 0)] = float(self.res[on, 0].sum())
                group.fixed_use[(loc, 1)] = float(self.res[on, 1].sum())
            terms.commitments.append(group)
        for t in (t for g in totals.commitments.groups.values()
                  for t in g.reservations + g.plans):
            const += float(t.monthly) * t.months / horizon
        couples = [[k] for k in sorted(terms.open_cost)] + \
            [list(locs) for locs in terms.provider_locations] + \
            [list(g.locations) for g in terms.commitments]
        return terms, const, couples


# Coupled models with more allowed (unit, location) pairs than this are placed by the Lagrangian
# relaxation first (``advisor.placement.lagrange``): their LP alone can outlast any time limit.
LARGE_MODEL_PAIRS = 400_000
# The share of the time left that the coupled MILP may use when the relaxation is its fallback.
_MILP_SHARE = 0.8


def _coupled(p: Problem, run: Any, units: list[int], cost: np.ndarray, left: np.ndarray,
             pair_flow: dict[tuple[int, int], list[float]],
             latency_edges: list[tuple[int, int, float]], terms: Terms, targets: bool,
             deadline: float, gap: float, notes: list[str]) -> dict[str, Any]:
    """All movable units in one model with the capacity left. Where nothing but capacity
    couples them (no location or provider decisions, commitments, targets or budget rows), the
    Lagrangian relaxation is the fallback (or, for very large models, goes first): the best
    placement of the two, with the better of their bounds."""
    simple = not (terms.open_cost or terms.provider_cost or terms.commitments or targets
                  or p.rows)
    if not simple:
        res: dict[str, Any] = run(units, left)
        return res
    ua = p.uallowed[units]
    large = int(ua.sum()) > LARGE_MODEL_PAIRS
    best: dict[str, Any] | None = None
    if not large:
        now = time.perf_counter()
        best = run(units, left, now + _MILP_SHARE * (deadline - now))
        if best["status"] in ("optimal", "infeasible"):
            return best

    def priced_lp(extra: np.ndarray, until: float) -> tuple[float, np.ndarray] | None:
        priced = cost.copy()
        priced[units] += extra
        return lp_relaxation(units, priced, p.uallowed, p.ures, pair_flow, p.egress, p.discount,
                             latency_edges, p.latency, until - time.perf_counter())

    relaxed = relax(cost[units], p.ures[units], ua, left, pair_flow, units, p.path,
                    latency_edges, p.latency, deadline, priced_lp)
    if relaxed.feasible:
        mine = {"status": "feasible", "choice": relaxed.choice,
                "objective": relaxed.objective, "bound": relaxed.bound}
        if best is not None and best["status"] == "feasible":
            mine["bound"] = max(relaxed.bound, best["bound"])
            if best["objective"] <= relaxed.objective:
                mine.update(choice=best["choice"], objective=best["objective"])
        best = mine
    if large and time.perf_counter() < deadline and (
            best is None or _gap(best["objective"], best["bound"]) > gap):
        res = run(units, left)
        if res["status"] in ("optimal", "infeasible") or best is None:
            return res
        if res["status"] == "feasible" and res["objective"] < best["objective"]:
            best.update(choice=res["choice"], objective=res["objective"])
            best["bound"] = max(best["bound"], res["bound"])
    if best is None:
        return dict(TIMEOUT)
    if relaxed.feasible:
        within = _gap(best["objective"], best["bound"])
        why = (f"{int(ua.sum()):,} allowed placements: too many for the simplex" if large
               else "the coupled model did not finish in its share of the time limit")
        notes.append(f"capacity priced by Lagrange multipliers ({why}): within {within:.2%} of "
                     "the proven lower bound")
    if best["status"] == "feasible" and _gap(best["objective"], best["bound"]) <= gap:
        best["status"] = "optimal"
    return best


def _gap(objective: float, bound: float) -> float:
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def optimize(estate: Estate, model: CostModel, ev: Evaluation, *, time_limit_s: float = 300.0,
             gap: float = 1e-3, rows: list[Row] | None = None,
             start: dict[str, str] | None = None,
             targets: list[Target] | None = None) -> Solution:
    """The cheapest placement that obeys every hard rule, pin, colocation, latency and capacity,
    and the rule ``rows`` (``advisor.placement.rule_rows``).

    ``start``: a placement to start from (a warm start, e.g. the base analysis for a scenario):
    where the LP relaxation is not integral and fixing its integral part does not prove the gap,
    HiGHS's branch and bound starts from it (units it places on a location they may no longer
    use are left for HiGHS to complete).

    ``targets``: the targets to meet (default: the estate's that bind within the horizon,
    ``advisor.placement.targets``); they couple every movable workload into one model."""
    started = time.perf_counter()
    p = Problem(estate, model, ev, rows)
    nl, g = p.L, p.G
    ua = p.uallowed
    # Fixed point: a latency limit towards a workload whose location is already known (its unit
    # has one possible location, or none, so it stays where it runs) prunes the other side.
    for _ in range(g + 1):
        changed = False
        count = ua.sum(axis=1)
        unit_at = np.where(count == 1, ua.argmax(axis=1), -1)
        for wi, di, a, b, limit in p.latency_edges:
            if a == b:
                continue  # one unit runs in one location: latency 0
            for x, other in ((a, di), (b, wi)):
                y = p.unit_of[other]
                known = unit_at[y] if count[y] == 1 else (p.cur[other] if count[y] == 0 else -1)
                if known < 0 or not ua[x].any():
                    continue
                ok = p.latency[known] <= limit
                if (ua[x] & ~ok).any():
                    ua[x] &= ok
                    changed = True
                    if not ua[x].any():
                        for i in p.members[x]:
                            p.reasons[i].append(
                                f"no location within {limit:g} ms of {p.ws[other].id} "
                                f"({p.loc_ids[known]}), which cannot move")
        if not changed:
            break
    if p.rows:
        for stays, why in fixed_conflicts(p.rows, ua, p.unit_of, p.cur).items():
            for i in p.members[stays]:
                p.reasons[i].extend(why)
    unplaceable_units = ~ua.any(axis=1)
    # Where every workload of an unplaceable unit stays, and which units are fixed.
    loc_of_w = p.cur.copy()
    single = (ua.sum(axis=1) == 1)
    unit_loc = np.where(single, ua.argmax(axis=1), -1)
    variable = ~single & ~unplaceable_units
    for u in np.flatnonzero(single):
        loc_of_w[p.members[u]] = unit_loc[u]
    fixed_w = ~variable[p.unit_of]  # workloads whose location is known before solving

    cost = p.ucost.copy()
    pair_flow: dict[tuple[int, int], list[float]] = {}
    path = p.path
    terms, const, couples = p.terms(fixed_w, loc_of_w)
    # Fold edges with a known endpoint into the other's cost; keep variable-variable pairs.
    for (i, j), f in p.flow.items():
        # f GB/month flows from workload i to workload j; paid at i's location when apart.
        a, b = p.unit_of[i], p.unit_of[j]
        a_var, b_var = variable[a], variable[b]
        if a_var and b_var:
            key = (min(a, b), max(a, b))
            pair_flow.setdefault(key, [0.0, 0.0])[0 if a < b else 1] += f
        elif a_var:
            cost[a] += f * path[:, loc_of_w[j]]
        elif b_var:
            cost[b] += f * path[loc_of_w[i], :]
        else:
            const += f * path[loc_of_w[i], loc_of_w[j]]
    for u in np.flatnonzero(~variable & ~unplaceable_units):
        const += float(cost[u, unit_loc[u]])
    # Capacity left for the variable units.
    cap = np.full((nl, 3), INF)
    for li_, loc in enumerate(estate.locations):
        if loc.capacity:
            for k, v in enumerate((loc.capacity.cpu, loc.capacity.memory_gb,
                                   loc.capacity.storage_gb)):
                if v is not None:
                    cap[li_, k] = float(v)
    used_fixed = np.zeros((nl, 3))
    np.add.at(used_fixed, loc_of_w[fixed_w], p.res[fixed_w])
    left = cap - used_fixed
    notes: list[str] = []
    var_units = np.flatnonzero(variable)
    solver_status = "optimal"
    over_fixed = bool((left < -1e-9).any())
    if over_fixed:
        bad = sorted({p.loc_ids[i] for i in np.flatnonzero((left < -1e-9).any(axis=1))})
        notes.append("workloads that cannot move (pinned or with one allowed location) already "
                     "exceed the capacity of " + ", ".join(bad) + ": no placement can hold; "
                     "the others are placed as if that location were full")
        left = np.maximum(left, 0.0)
    if targets is None:
        from advisor.placement.targets import binding

        targets = binding(estate, model.as_of)
    target_rows = _target_terms(p, targets, fixed_w, loc_of_w) if targets else None
    comps = _components(p, var_units, variable, pair_flow, ua, couples, p.row_units)
    if target_rows is not None and len(var_units):
        comps = [([int(u) for u in var_units], True)]  # the targets couple every unit
    elif target_rows is not None and any(const < -1e-9 for _w, const in target_rows[1]):
        solver_status = "infeasible"  # nothing can move, and what cannot misses a target
    choice = np.full(g, -1)
    choice[single] = unit_loc[single]
    deadline = started + time_limit_s
    obj = const
    bound = const
    singles = [c[0] for c, coupled in comps if len(c) == 1 and not coupled]
    if singles:
        s = np.array(singles)
        masked = np.where(ua[s], cost[s], INF)
        choice[s] = masked.argmin(axis=1)
        obj += float(masked.min(axis=1).sum())
        bound = obj
    multi = [c for c, coupled in comps if len(c) > 1 or coupled]
    batch: list[int] = []
    batches: list[list[int]] = []
    for c in multi:
        batch.extend(c)
        if int(ua[batch].sum()) > 20000:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)

    def rule_rows(pos: dict[int, int], col: np.ndarray, mask: np.ndarray, first_col: int,
                  add_row: Any) -> int:
        return encode(p.rows, pos, col, mask, p.unit_of, loc_of_w, first_col, add_row)

    start_at = _start_choice(p, ua, start)

    unit_latency = [(a, b, limit) for _wi, _di, a, b, limit in p.latency_edges]

    def run(units: list[int], cap_left: np.ndarray | None,
            until: float = deadline) -> dict[str, Any]:
        return solve(units, cost, ua, p.ures, pair_flow, p.egress, p.discount, unit_latency,
                     p.latency, cap_left, terms, until - time.perf_counter(), gap,
                     start_at, target_rows, rule_rows if p.rows else None)

    capped = np.isfinite(left).any()
    if capped and len(var_units):
        # When each movable unit at its cheapest allowed location (edges between movable units
        # aside) already overfills a capacity, the independent parts' answer would break it
        # too: go straight to the coupled model rather than solve the parts first for nothing.
        cheapest = np.where(ua[var_units], cost[var_units], INF).argmin(axis=1)
        use = np.zeros((nl, 3))
        np.add.at(use, cheapest, p.ures[var_units])
        if (use > left + 1e-6).any():
            batches = []
            choice[var_units] = cheapest  # breaks a capacity: the coupled model follows
    for units in batches:
        res = run(units, None)
        if res["status"] in ("infeasible", "timeout"):
            solver_status = res["status"]
            break
        if res["status"] == "feasible":
            solver_status = "feasible"
        choice[units] = res["choice"]
        obj += res["objective"]
        bound += res["bound"]
    if capped and len(var_units) and solver_status not in ("infeasible", "timeout"):
        use = np.zeros((nl, 3))
        np.add.at(use, choice[var_units], p.ures[var_units])
        if (use > left + 1e-6).any():
            notes.append("capacity binds: solved all movable workloads as one coupled model")
            res = _coupled(p, run, [int(u) for u in var_units], cost, left, pair_flow,
                           unit_latency, terms, target_rows is not None, deadline, gap, notes)
            solver_status = res["status"]
            if res["status"] not in ("infeasible", "timeout"):
                choice[var_units] = res["choice"]
                obj = const + res["objective"]
                bound = const + res["bound"]
    placement: dict[str, str] = {}
    if solver_status in ("infeasible", "timeout"):
        what = "capacity" + (", target" if targets else "") + (", budget rule" if p.rows else "")
        notes.append((f"no placement satisfies every {what}: the current placement is kept")
                     if solver_status == "infeasible" else
                     "the time limit ended before any placement that satisfies every constraint "
                     "was found: the current placement is kept; raise --time-limit")
        for w in p.ws:
            placement[w.id] = w.location
    else:
        for i, w in enumerate(p.ws):
            u = p.unit_of[i]
            placement[w.id] = p.loc_ids[choice[u]] if choice[u] >= 0 else w.location
    unplaceable: dict[str, list[str]] = {}
    for u in np.flatnonzero(unplaceable_units):
        for i in p.members[u]:
            unplaceable[p.ws[i].id] = p.reasons.get(i, [])
    if over_fixed:
        solver_status = "infeasible"
    rel_gap = 0.0 if solver_status == "optimal" and obj == bound else \
        max(0.0, (obj - bound) / max(abs(obj), 1e-9))
    sol = Solution(placement=placement, status=solver_status, gap=rel_gap,
                   seconds=time.perf_counter() - started, objective=obj,
                   unplaceable=unplaceable, notes=notes, components=len(comps))
    sol.units = {w.id: int(p.unit_of[i]) for i, w in enumerate(p.ws)}
    sol.unit_members = p.members
    sol.allowed = ua
    sol.unit_cost = p.ucost
    return sol


def _target_terms(p: Problem, targets: list[Target], fixed_w: np.ndarray,
                  loc_of_w: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, float]]]:
    """The targets for the solver: each unit's run and licence cost per location, and per row
    its weight per location and the constant that the workloads that cannot move add."""
    from advisor.placement.targets import rows_of

    spend_w = p.arrays.run + p.arrays.licences
    spend = np.zeros((p.G, p.L))
    np.add.at(spend, p.unit_of, spend_w)
    out = []
    idx = np.flatnonzero(fixed_w)
    saas = np.array([float(p.model.prices[loc.id].fixed_monthly) if loc.saas else 0.0
                     for loc in p.estate.locations])  # subscriptions: always paid
    for t in targets:
        for _what, weight in rows_of(p.estate, t):
            const = float((spend_w[idx, loc_of_w[idx]] * weight[loc_of_w[idx]]).sum()
                          + (saas * weight).sum())
            out.append((weight, const))
    return spend, out


def _start_choice(p: Problem, ua: np.ndarray, start: dict[str, str] | None) -> np.ndarray | None:
    """The start placement as a location index per unit (-1: none, or not allowed now)."""
    if start is None:
        return None
    out = np.full(p.G, -1, dtype=np.int64)
    for u, members in enumerate(p.members):
        loc = p.li.get(start.get(p.ws[members[0]].id, ""), -1)
        if loc >= 0 and ua[u, loc]:
            out[u] = loc
    return out


def _components(p: Problem, var_units: np.ndarray, variable: np.ndarray,
                pair_flow: dict[tuple[int, int], list[float]], ua: np.ndarray,
                couples: list[list[int]], row_units: list[set[int]] | None = None
                ) -> list[tuple[list[int], bool]]:
    """The independent parts among the variable units: (units, whether a decision, a commitment
    or a rule row couples them), each part's units sorted, parts by their first unit. Units a
    rule row touches are solved in one model, never as a lone cheapest pick."""
    import networkx as nx

    g = p.G
    graph = nx.Graph()
    graph.add_nodes_from(int(u) for u in var_units)
    graph.add_edges_from(pair_flow)
    for _wi, _di, a, b, _limit in p.latency_edges:
        if a != b and variable[a] and variable[b]:
            graph.add_edge(int(min(a, b)), int(max(a, b)))
    for k, locs in enumerate(couples):
        reach = var_units[ua[var_units][:, locs].any(axis=1)] if len(var_units) else var_units
        if len(reach):
            node = g + k  # a node that stands for the decision
            graph.add_edges_from((node, int(u)) for u in reach)
    for k, members in enumerate(row_units or []):
        var = sorted(u for u in members if variable[u])
        if var:
            node = g + len(couples) + k  # a node that stands for the rule row
            graph.add_edges_from((node, u) for u in var)
    out = []
    for c in nx.connected_components(graph):
        units = sorted(n for n in c if n < g)
        out.append((units, len(units) < len(c)))
    out.sort(key=lambda uc: uc[0][0])
    return out


def given_solution(estate: Estate, model: CostModel, ev: Evaluation,
                   placement: dict[str, str]) -> Solution:
    """A placement decided elsewhere (a proposal in a CI check) in the optimizer's shape, so the
    plan, its explanations and the chain diagrams can describe it. Status ``given``: nothing was
    optimized."""
    p = Problem(estate, model, ev)
    sol = Solution(placement={w.id: placement.get(w.id, w.location) for w in estate.workloads},
                   status="given", gap=0.0, seconds=0.0, objective=0.0,
                   components=0, notes=["a given placement: not optimized"])
    sol.units = {w.id: int(p.unit_of[i]) for i, w in enumerate(p.ws)}
    sol.unit_members = p.members
    sol.allowed = p.uallowed
    sol.unit_cost = p.ucost
    return sol
