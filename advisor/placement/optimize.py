"""Exact placement: a mixed-integer program solved by HiGHS.

Model (all amounts per month in the estate currency, as floats inside the solver; the plan
recomputes every shown figure exactly in Decimal):
- x[g, l] in {0, 1}: unit g (a workload, or a group contracted by ``colocate`` edges) runs at l;
  only allowed pairs get a column (hard rules, pins and latency to fixed units prune the rest).
- sum_l x[g, l] = 1 for every unit.
- Egress between units a and b placed apart costs F_ab x egress(l_a) + F_ba x egress(l_b), where
  F_ab is the GB per month flowing from a to b. Linearised exactly with y[a, l] >= x[a, l] - x[b, l]
  (cost F_ab x egress(l)); when b cannot be at l the term folds into a's own cost, and an edge to
  a unit with a single possible location is linear in the other unit.
- max_latency_ms: x[a, l] + sum{x[b, m] : latency(l, m) > limit} <= 1 for every l.
- Capacity: sum_g resources(g) x[g, l] <= capacity(l) - what fixed units already use at l.
- Rule rows (``advisor.placement.rule_rows``): error rules whose breach depends on several
  workloads (budgets) as linear rows, so no recommended move creates a new error finding.
Independent parts of the dependency graph (networkx components) are solved apart when capacity
does not bind; if the combined answer breaks a capacity, one coupled model is solved instead.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advisor.estate.model import Estate
from advisor.placement.costs import CostModel
from advisor.placement.rule_rows import Row, encode, fixed_conflicts, row_units
from advisor.rules import Evaluation

INF = float("inf")
MIN_FIXED_SECONDS = 30.0  # the small fix-and-solve MIP may run this long past a tighter limit


@dataclass
class Solution:
    placement: dict[str, str]  # workload id -> location id (unplaceable ones stay where they are)
    status: str  # optimal | feasible | infeasible
    gap: float
    seconds: float
    objective: float  # the solver's objective (float; the plan recomputes it exactly)
    unplaceable: dict[str, list[str]] = field(default_factory=dict)  # workload -> reasons
    units: dict[str, int] = field(default_factory=dict)  # workload id -> unit index
    unit_members: list[list[int]] = field(default_factory=list)
    allowed: Any = None  # numpy bool [units, locations] after pins and latency pruning
    unit_cost: Any = None  # numpy float [units, locations] (run + migration + penalty)
    components: int = 0
    notes: list[str] = field(default_factory=list)


_banner_silenced = False


def _highs(module: Any) -> Any:
    """``highspy.Highs()`` (the package ships no type hints)."""
    return module.Highs()


def _new_highs() -> Any:
    """A silent HiGHS instance.

    The one process-wide side effect in the advisor, and unavoidable: HiGHS's C++ constructor
    prints a banner to file descriptor 1 the first time one is built in a process, before any
    option can be set (``output_flag`` only silences what follows). That banner would corrupt
    JSON or SARIF written to stdout, so the first construction runs with fd 1 pointed at
    /dev/null for the duration of that one call; fd 1 is restored even when it fails. A thread
    writing to stdout at that very moment would lose its output, which is why the optimizer is
    only ever called from the command's own thread."""
    global _banner_silenced
    import highspy

    if _banner_silenced:
        h = _highs(highspy)
    else:
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            h = _highs(highspy)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _banner_silenced = True
    h.setOptionValue("output_flag", False)
    return h


class Problem:
    """The estate reduced to units, costs and couplings, ready for the solver."""

    def __init__(self, estate: Estate, model: CostModel, ev: Evaluation,
                 rows: list[Row] | None = None) -> None:
        self.estate = estate
        self.rows = rows or []
        locs = estate.locations
        self.loc_ids = [loc.id for loc in locs]
        li = {loc_id: i for i, loc_id in enumerate(self.loc_ids)}
        ws = estate.workloads
        self.ws = ws
        n, nl = len(ws), len(locs)
        self.L = nl
        widx = {w.id: i for i, w in enumerate(ws)}
        self.widx = widx
        cur = np.array([li[w.location] for w in ws], dtype=np.int64)
        self.cur = cur
        price = model.prices
        cpu_m = np.array([float(price[i].cpu_price_month) for i in self.loc_ids])
        mem_m = np.array([float(price[i].memory_price_gb_month) for i in self.loc_ids])
        sto_m = np.array([float(price[i].storage_price_gb_month) for i in self.loc_ids])
        self.egress = np.array([float(price[i].egress_price_per_gb) for i in self.loc_ids])
        res = np.array([[float(w.resources.cpu), float(w.resources.memory_gb),
                         float(w.resources.storage_gb)] for w in ws]).reshape(n, 3)
        cost = np.outer(res[:, 0], cpu_m) + np.outer(res[:, 1], mem_m) + np.outer(res[:, 2], sto_m)
        mig = np.array([float(model.migration_one_off(w)) for w in ws]) / estate.horizon_months
        cost += mig[:, None]
        cost[np.arange(n), cur] -= mig
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
        for i, w in enumerate(ws):
            if w.pinned:
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
                pinned = {cur[i] for i in members_g if ws[i].pinned}
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


def optimize(estate: Estate, model: CostModel, ev: Evaluation, *, time_limit_s: float = 300.0,
             gap: float = 1e-3, rows: list[Row] | None = None) -> Solution:
    """The cheapest placement that obeys every hard rule, pin, colocation, latency and capacity,
    and the rule ``rows`` (``advisor.placement.rule_rows``)."""
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
    const = 0.0
    pair_flow: dict[tuple[int, int], list[float]] = {}
    eg = p.egress
    # Fold edges with a known endpoint into the other's cost; keep variable-variable pairs.
    for (i, j), f in p.flow.items():
        # f GB/month flows from workload i to workload j; paid at i's location when apart.
        a, b = p.unit_of[i], p.unit_of[j]
        a_var, b_var = variable[a], variable[b]
        if a_var and b_var:
            key = (min(a, b), max(a, b))
            pair_flow.setdefault(key, [0.0, 0.0])[0 if a < b else 1] += f
        elif a_var:
            add = f * eg
            add[loc_of_w[j]] = 0.0
            cost[a] += add
        elif b_var:
            add = np.full(nl, f * eg[loc_of_w[i]])
            add[loc_of_w[i]] = 0.0
            cost[b] += add
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
    # Components of the coupling graph among variable units.
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(int(u) for u in var_units)
    graph.add_edges_from(pair_flow)
    for _wi, _di, a, b, _limit in p.latency_edges:
        if a != b and variable[a] and variable[b]:
            graph.add_edge(int(min(a, b)), int(max(a, b)))
    in_rows = _couple_rows(graph, p.row_units, variable)
    comps = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: c[0])
    choice = np.full(g, -1)
    choice[single] = unit_loc[single]
    deadline = started + time_limit_s
    obj = const
    bound = const
    singles = [c[0] for c in comps if len(c) == 1 and c[0] not in in_rows]
    if singles:
        s = np.array(singles)
        masked = np.where(ua[s], cost[s], INF)
        choice[s] = masked.argmin(axis=1)
        obj += float(masked.min(axis=1).sum())
        bound = obj
    multi = [c for c in comps if len(c) > 1 or c[0] in in_rows]
    batch: list[int] = []
    batches: list[list[int]] = []
    for c in multi:
        batch.extend(c)
        if int(ua[batch].sum()) > 20000:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    for units in batches:
        res = _solve(p, units, cost, ua, pair_flow, None, deadline - time.perf_counter(), gap,
                     loc_of_w)
        if res["status"] in ("infeasible", "timeout"):
            solver_status = res["status"]
            break
        if res["status"] == "feasible":
            solver_status = "feasible"
        choice[units] = res["choice"]
        obj += res["objective"]
        bound += res["bound"]
    capped = np.isfinite(left).any()
    if capped and len(var_units) and solver_status not in ("infeasible", "timeout"):
        use = np.zeros((nl, 3))
        np.add.at(use, choice[var_units], p.ures[var_units])
        if (use > left + 1e-6).any():
            notes.append("capacity binds: solved all movable workloads as one coupled model")
            res = _solve(p, [int(u) for u in var_units], cost, ua, pair_flow, left,
                         deadline - time.perf_counter(), gap, loc_of_w)
            solver_status = res["status"]
            if res["status"] not in ("infeasible", "timeout"):
                choice[var_units] = res["choice"]
                obj = const + res["objective"]
                bound = const + res["bound"]
    placement: dict[str, str] = {}
    if solver_status in ("infeasible", "timeout"):
        notes.append(("no placement satisfies every capacity"
                      + (" and budget rule" if p.rows else "") + ": the current placement is kept")
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


def _couple_rows(graph: Any, row_units: list[set[int]], variable: np.ndarray) -> set[int]:
    """Units a rule row touches are solved in one model (never as a lone cheapest pick); the
    set of them."""
    out: set[int] = set()
    for units in row_units:
        var = sorted(u for u in units if variable[u])
        out.update(var)
        graph.add_edges_from((var[0], u) for u in var[1:])
    return out


def _solve(p: Problem, units: list[int], cost: np.ndarray, ua: np.ndarray,
           pair_flow: dict[tuple[int, int], list[float]], cap_left: np.ndarray | None,
           time_left: float, gap: float, fixed_loc: np.ndarray | None = None) -> dict[str, Any]:
    """Build one MILP over ``units`` (row-wise, from arrays) and solve it with HiGHS."""
    import highspy

    nl = p.L
    units_arr = np.array(units)
    pos = {u: k for k, u in enumerate(units)}
    mask = ua[units_arr]
    col = np.full(mask.shape, -1, dtype=np.int64)
    nx_ = int(mask.sum())
    col[mask] = np.arange(nx_)
    costs = [cost[units_arr][mask]]
    rows_start: list[int] = []
    rows_idx: list[np.ndarray] = []
    rows_val: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    nnz = 0

    def add_row(idx: np.ndarray, val: np.ndarray, lo: float, hi: float) -> None:
        nonlocal nnz
        rows_start.append(nnz)
        rows_idx.append(idx)
        rows_val.append(val)
        nnz += len(idx)
        lower.append(lo)
        upper.append(hi)

    # Assignment rows.
    for k in range(len(units)):
        idx = col[k][mask[k]]
        add_row(idx, np.ones(len(idx)), 1.0, 1.0)
    ncol = nx_
    eg = p.egress
    extra_cost: list[float] = []
    for (a, b), (fab, fba) in pair_flow.items():
        if a not in pos or b not in pos:
            continue
        ka, kb = pos[a], pos[b]
        for src, dst, f in ((ka, kb, fab), (kb, ka, fba)):
            if f <= 0:
                continue
            for li in range(nl):
                if not mask[src, li] or eg[li] <= 0:
                    continue
                if not mask[dst, li]:
                    costs[0][col[src, li]] += f * eg[li]
                    continue
                # y >= x_src,l - x_dst,l  ->  y - x_src,l + x_dst,l >= 0
                add_row(np.array([ncol, col[src, li], col[dst, li]]),
                        np.array([1.0, -1.0, 1.0]), 0.0, INF)
                extra_cost.append(f * eg[li])
                ncol += 1
    for _wi, _di, a, b, limit in p.latency_edges:
        if a == b or a not in pos or b not in pos:
            continue
        ka, kb = pos[a], pos[b]
        for x, y in ((ka, kb), (kb, ka)):
            for li in range(nl):
                if not mask[x, li]:
                    continue
                far = mask[y] & (p.latency[li] > limit)
                if far.any():
                    idx = np.concatenate(([col[x, li]], col[y][far]))
                    add_row(idx, np.ones(len(idx)), -INF, 1.0)
    if p.rows:
        added = encode(p.rows, pos, col, mask, p.unit_of,
                       fixed_loc if fixed_loc is not None else p.cur, ncol, add_row)
        extra_cost.extend([0.0] * added)
        ncol += added
    if cap_left is not None:
        res = p.ures[units_arr]
        for li in range(nl):
            on = mask[:, li]
            for r in range(3):
                if np.isfinite(cap_left[li, r]) and on.any():
                    add_row(col[on, li], res[on, r], -INF, float(cap_left[li, r]))
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = len(lower)
    lp.col_cost_ = np.concatenate((costs[0], np.array(extra_cost)))
    lp.col_lower_ = np.zeros(ncol)
    lp.col_upper_ = np.concatenate((np.ones(nx_), np.full(ncol - nx_, INF)))
    lp.row_lower_ = np.array(lower)
    lp.row_upper_ = np.array(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array([*rows_start, nnz], dtype=np.int32)
    lp.a_matrix_.index_ = np.concatenate(rows_idx).astype(np.int32) if rows_idx else \
        np.zeros(0, dtype=np.int32)
    lp.a_matrix_.value_ = np.concatenate(rows_val) if rows_val else np.zeros(0)
    deadline = time.perf_counter() + time_left
    # The LP relaxation first: egress-coupled placement LPs are very often integral, and an
    # integral LP optimum is a proven MILP optimum (gap 0) at a fraction of the MIP's cost.
    # Dual simplex without presolve is the fastest on these models (measured in benchmarks/).
    # The LP runs without a time limit: it is what proves the bound, and it is fast.
    h = _new_highs()
    h.passModel(lp)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("solver", "simplex")
    h.run()
    lp_status = h.modelStatusToString(h.getModelStatus())
    if lp_status == "Infeasible":
        return {"status": "infeasible", "choice": None, "objective": 0.0, "bound": 0.0}
    values = np.array(h.getSolution().col_value)
    solved = lp_status == "Optimal" and len(values) == ncol
    if solved:
        xv = values[:nx_]
        if np.abs(xv - np.round(xv)).max(initial=0.0) <= 1e-7:
            obj = float(h.getInfo().objective_function_value)
            return {"status": "optimal", "choice": _choice(mask, xv), "objective": obj,
                    "bound": obj}
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nx_ + \
        [highspy.HighsVarType.kContinuous] * (ncol - nx_)
    lp_bound = float(h.getInfo().objective_function_value) if solved else -INF
    start = None
    if solved:
        # Fix every unit the LP already placed integrally and solve the small MIP over the
        # rest. With the LP bound this proves the gap; most often it is within tolerance. It is
        # small, so it gets at least MIN_FIXED_SECONDS even when the time limit is shorter:
        # a placement within the gap is worth more than keeping to a very tight limit.
        xv = values[:nx_]
        fixed = np.zeros(nx_, dtype=bool)
        xs = np.full(mask.shape, np.nan)
        xs[mask] = xv
        whole = np.all(np.isnan(xs) | (np.abs(xs - np.round(xs)) <= 1e-7), axis=1)
        fixed[col[whole][mask[whole]]] = True
        saved_lower = lp.col_lower_.copy()
        saved_upper = lp.col_upper_.copy()
        lp.col_lower_ = np.concatenate((np.where(fixed & (xv > 0.5), 1.0, 0.0),
                                        np.zeros(ncol - nx_)))
        lp.col_upper_ = np.concatenate((np.where(fixed & (xv < 0.5), 0.0, 1.0),
                                        np.full(ncol - nx_, INF)))
        part = _run_mip(lp, gap, max(deadline - time.perf_counter(), MIN_FIXED_SECONDS))
        lp.col_lower_, lp.col_upper_ = saved_lower, saved_upper
        if part is not None:
            start = part
            if (part[0] - lp_bound) <= gap * max(abs(part[0]), 1e-9):
                return {"status": "optimal", "choice": _choice(mask, part[1][:nx_]),
                        "objective": part[0], "bound": lp_bound}
    h = _new_highs()
    h.passModel(lp)
    if start is not None:
        h.setSolution(_solution(start[1]))
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit_s", max(1.0, deadline - time.perf_counter()))
    h.setOptionValue("random_seed", 0)
    h.run()
    name = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if name == "Infeasible":
        return {"status": "infeasible", "choice": None, "objective": 0.0, "bound": 0.0}
    values = np.array(h.getSolution().col_value)
    bound = max(float(info.mip_dual_bound), lp_bound)
    if info.primal_solution_status != 2 or len(values) < nx_:  # 2 = a feasible solution
        if start is None:
            return {"status": "timeout", "choice": None, "objective": 0.0, "bound": 0.0}
        obj, values = start
        name = "Time limit reached"
    else:
        obj = float(info.objective_function_value)
    return {"status": "optimal" if name == "Optimal" else "feasible",
            "choice": _choice(mask, values[:nx_]), "objective": obj,
            "bound": bound if np.isfinite(bound) else obj}


def _run_mip(lp: Any, gap: float, time_left: float) -> tuple[float, Any] | None:
    """Solve ``lp`` as a MIP; (objective, column values) or None when no solution was found."""
    h = _new_highs()
    h.passModel(lp)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit_s", max(1.0, time_left))
    h.setOptionValue("random_seed", 0)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return None
    return float(info.objective_function_value), np.array(h.getSolution().col_value)


def _solution(values: Any) -> Any:
    import highspy

    sol = highspy.HighsSolution()
    sol.col_value = list(values)
    sol.value_valid = True
    return sol


def _choice(mask: np.ndarray, xv: np.ndarray) -> np.ndarray:
    """The chosen location per unit from the x columns (the largest value wins)."""
    xs = np.full(mask.shape, -1.0)
    xs[mask] = xv
    chosen: np.ndarray = xs.argmax(axis=1)
    return chosen


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
