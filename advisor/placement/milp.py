"""One mixed-integer program over a set of units, built as arrays and solved with HiGHS.

Columns: x[g, l] (binary, allowed pairs only), then egress y (continuous), then the decisions of
``Terms`` (binary: a location open, a provider used) and the commitment amounts (continuous).
Rows: one assignment per unit, egress linearisations, latency limits, capacity, and the rows of
the decisions and commitments. See ``advisor.placement.optimize`` for the model as a whole.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INF = float("inf")

_banner_silenced = False
# What a solve returns when the time limit ended before any placement was found.
TIMEOUT: dict[str, Any] = {"status": "timeout", "choice": None, "objective": 0.0, "bound": 0.0}


def _highs(module: Any) -> Any:
    """``highspy.Highs()`` (the package ships no type hints)."""
    return module.Highs()


def new_highs() -> Any:
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
    configure(h, output_flag=False)
    return h


def configure(h: Any, **options: Any) -> None:
    """Set HiGHS options; a name or value HiGHS refuses is an error here, never silently
    ignored (a misspelt time limit once let the solver run past ``--time-limit``)."""
    import highspy

    for name, value in options.items():
        if h.setOptionValue(name, value) == highspy.HighsStatus.kError:
            raise RuntimeError(f"HiGHS refused the option {name}={value!r} (an internal error)")


@dataclass
class CommitmentSegment:
    """Months of the horizon with the same commitments of one provider in force."""

    weight: float  # share of the horizon
    plan_cover: float | None  # list value the savings plans in force cover; None: no plan
    cover: dict[tuple[int, int], float]  # (location, resource 0 cpu / 1 memory) -> reserved


@dataclass
class CommitmentGroup:
    """One provider's commitments as the MILP sees them."""

    locations: list[int]
    price: dict[tuple[int, int], float]  # (location, resource) -> list price per unit-month
    segments: list[CommitmentSegment]
    fixed_use: dict[tuple[int, int], float] = field(default_factory=dict)  # units that cannot move

    def linear_share(self, loc: int, r: int) -> float:
        """The share of the horizon in which use of ``r`` at ``loc`` is paid at list price in the
        unit's own cost (neither reserved nor under a savings plan)."""
        return sum(s.weight for s in self.segments
                   if s.plan_cover is None and s.cover.get((loc, r), 0.0) <= 0)


@dataclass
class Terms:
    """The estate-level decisions and commitments, by location index."""

    open_cost: dict[int, float] = field(default_factory=dict)  # location -> cost of open[l]
    provider_cost: list[float] = field(default_factory=list)  # provider -> cost of use[p]
    provider_locations: list[list[int]] = field(default_factory=list)
    commitments: list[CommitmentGroup] = field(default_factory=list)

    def provider_at(self) -> dict[int, int]:
        return {loc: p for p, locs in enumerate(self.provider_locations) for loc in locs}


class Rows:
    """Rows of a sparse matrix, appended one, many of one length, or many of any length at a time
    (kept as arrays: a model of millions of rows is never a list of Python numbers)."""

    def __init__(self) -> None:
        self._lengths: list[np.ndarray] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self.idx: list[np.ndarray] = []
        self.val: list[np.ndarray] = []
        self.count = 0
        self.nnz = 0

    def add(self, idx: np.ndarray, val: np.ndarray, lo: float, hi: float) -> None:
        self.ragged(np.asarray(idx), np.asarray(val, dtype=float),
                    np.array([len(idx)]), lo, hi)

    def block(self, idx: np.ndarray, val: np.ndarray, lo: float, hi: float) -> None:
        """k rows of the same length (``idx``, ``val`` shaped [k, m]) with the same bounds."""
        k, m = idx.shape
        if k:
            self.ragged(idx.ravel(), val.ravel(), np.full(k, m), lo, hi)

    def ragged(self, idx: np.ndarray, val: np.ndarray, lengths: np.ndarray,
               lo: float | np.ndarray, hi: float | np.ndarray) -> None:
        """``len(lengths)`` rows, one after the other: row r holds the next ``lengths[r]``
        entries of ``idx``/``val``; ``lo``/``hi`` one bound for all or one per row."""
        k = len(lengths)
        if not k:
            return
        self._lengths.append(np.asarray(lengths, dtype=np.int64))
        self._lower.append(np.broadcast_to(np.asarray(lo, dtype=float), (k,)))
        self._upper.append(np.broadcast_to(np.asarray(hi, dtype=float), (k,)))
        self.idx.append(idx)
        self.val.append(val)
        self.count += k
        self.nnz += len(idx)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """(start, index, value, lower, upper) for HiGHS (row-wise)."""
        if not self.count:
            empty = np.zeros(0)
            return np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), empty, empty, empty
        lengths = np.concatenate(self._lengths)
        start = np.zeros(self.count + 1, dtype=np.int64)
        np.cumsum(lengths, out=start[1:])
        if start[-1] >= 2**31:
            raise RuntimeError("the placement model has more than 2^31 matrix entries")
        return (start.astype(np.int32), np.concatenate(self.idx).astype(np.int32),
                np.concatenate(self.val).astype(float), np.concatenate(self._lower),
                np.concatenate(self._upper))


ExtraRows = Callable[[dict[int, int], np.ndarray, np.ndarray, int,
                     Callable[[np.ndarray, np.ndarray, float, float], None]], int]


def solve(units: list[int], cost: np.ndarray, ua: np.ndarray, ures: np.ndarray,
          pair_flow: dict[tuple[int, int], list[float]], egress: np.ndarray,
          discount: list[list[tuple[int, float]]], latency_edges: list[tuple[int, int, float]],
          latency: np.ndarray, cap_left: np.ndarray | None, terms: Terms | None,
          time_left: float, gap: float, start_at: np.ndarray | None = None,
          targets: tuple[np.ndarray, list[tuple[np.ndarray, float]]] | None = None,
          extra_rows: ExtraRows | None = None) -> dict[str, Any]:
    """Build one MILP over ``units`` (row-wise, from arrays) and solve it with HiGHS.

    ``discount[l]``: (m, d) where traffic from l to m costs d less per GB than egress[l].
    ``extra_rows(pos, col, mask, first_col, add_row)`` adds rows of its own (the rule rows of
    ``advisor.placement.rule_rows``) with continuous, costless columns from ``first_col`` on,
    and returns how many columns it added."""
    started = time.perf_counter()
    lp, mask, nx_, is_int, warm = build(units, cost, ua, ures, pair_flow, egress, discount,
                                        latency_edges, latency, cap_left, terms, start_at,
                                        targets, extra_rows)
    return _run(lp, mask, nx_, is_int, time_left - (time.perf_counter() - started), gap, warm)


def lp_relaxation(units: list[int], cost: np.ndarray, ua: np.ndarray, ures: np.ndarray,
                  pair_flow: dict[tuple[int, int], list[float]], egress: np.ndarray,
                  discount: list[list[tuple[int, float]]],
                  latency_edges: list[tuple[int, int, float]], latency: np.ndarray,
                  time_left: float) -> tuple[float, np.ndarray] | None:
    """The LP relaxation of the model over ``units`` without capacity rows (egress and latency
    kept): its optimum, a lower bound, and each unit's largest x; None if not solved in time."""
    if time_left <= 0:
        return None
    lp, mask, nx_, _is_int, _warm = build(units, cost, ua, ures, pair_flow, egress, discount,
                                          latency_edges, latency, None, None)
    h = new_highs()
    _pass(h, lp)
    configure(h, presolve="off", solver="simplex", time_limit=max(time_left, 1e-3))
    h.run()
    if h.modelStatusToString(h.getModelStatus()) != "Optimal":
        return None
    values = np.array(h.getSolution().col_value)
    return float(h.getInfo().objective_function_value), _choice(mask, values[:nx_])


def build(units: list[int], cost: np.ndarray, ua: np.ndarray, ures: np.ndarray,
          pair_flow: dict[tuple[int, int], list[float]], egress: np.ndarray,
          discount: list[list[tuple[int, float]]], latency_edges: list[tuple[int, int, float]],
          latency: np.ndarray, cap_left: np.ndarray | None, terms: Terms | None,
          start_at: np.ndarray | None = None,
          targets: tuple[np.ndarray, list[tuple[np.ndarray, float]]] | None = None,
          extra_rows: ExtraRows | None = None) -> tuple[Any, np.ndarray, int, np.ndarray, Any]:
    """The MILP over ``units`` as a ``highspy.HighsLp`` (row-wise), the units' allowed-location
    mask, the number of x columns (first), which columns are integer and the warm start (the
    x columns ``start_at`` sets, or None)."""
    import highspy

    nl = cost.shape[1]
    units_arr = np.array(units)
    pos = {u: k for k, u in enumerate(units)}
    mask = ua[units_arr]
    col = np.full(mask.shape, -1, dtype=np.int64)
    nx_ = int(mask.sum())
    col[mask] = np.arange(nx_)
    x_cost = cost[units_arr][mask]
    extra_cost: list[np.ndarray] = []
    rows = Rows()
    # Assignment rows: sum_l x[g, l] = 1, one per unit (row-major order of the mask).
    rows.ragged(col[mask], np.ones(nx_), mask.sum(axis=1), 1.0, 1.0)
    directed = _directed_flows(pair_flow, pos)
    ncol = _egress_rows(rows, directed, mask, col, egress, discount, x_cost, nx_, extra_cost)
    _latency_rows(rows, [(pos[a], pos[b], limit) for a, b, limit in latency_edges
                         if a != b and a in pos and b in pos], mask, col, latency)
    if cap_left is not None:
        res = ures[units_arr]
        for li in range(nl):
            on = mask[:, li]
            for r in range(3):
                if np.isfinite(cap_left[li, r]) and on.any():
                    rows.add(col[on, li], res[on, r], -INF, float(cap_left[li, r]))
    if extra_rows is not None:
        added = extra_rows(pos, col, mask, ncol, rows.add)
        extra_cost.append(np.zeros(added))
        ncol += added
    if targets is not None:
        _target_rows(rows, units_arr, mask, col, *targets)
    integer = np.zeros(0, dtype=np.int64)
    if terms is not None:
        term_cost: list[float] = []
        ncol, integer = _terms(terms, mask, col, ures[units_arr], rows, ncol, term_cost)
        extra_cost.append(np.array(term_cost))
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = rows.count
    lp.col_cost_ = np.concatenate((x_cost, *extra_cost))
    is_int = np.zeros(ncol, dtype=bool)
    is_int[:nx_] = True
    is_int[integer] = True
    lp.col_lower_ = np.zeros(ncol)
    lp.col_upper_ = np.where(is_int, 1.0, INF)
    start, index, value, lower, upper = rows.arrays()
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    warm = None
    if start_at is not None:
        at = start_at[units_arr]
        given = (at >= 0) & mask[np.arange(len(units)), np.maximum(at, 0)]
        if given.any():
            # Every x column of the units the start places: 1 at its location, 0 elsewhere.
            rows_given = np.flatnonzero(given)
            cols = col[rows_given][mask[rows_given]]
            vals = (col[rows_given, at[rows_given]][:, None] == col[rows_given]
                    )[mask[rows_given]].astype(float)
            warm = (cols.astype(np.int32), vals)
    return lp, mask, nx_, is_int, warm


# Rows are built in blocks of this many directed edges (bounds the padded work arrays).
_CHUNK = 20000


def _directed_flows(pair_flow: dict[tuple[int, int], list[float]],
                    pos: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, destination, GB/month) per direction with traffic, as positions among the units
    here: each pair's a->b then b->a, in the pairs' order."""
    kept = [(pos[a], pos[b], fab, fba) for (a, b), (fab, fba) in pair_flow.items()
            if a in pos and b in pos]
    if not kept:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    arr = np.array(kept, dtype=float)
    ka, kb = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    src = np.stack([ka, kb], axis=1).ravel()
    dst = np.stack([kb, ka], axis=1).ravel()
    flow = np.stack([arr[:, 2], arr[:, 3]], axis=1).ravel()
    on = flow > 0
    return src[on], dst[on], flow[on]


def _egress_rows(rows: Rows, directed: tuple[np.ndarray, np.ndarray, np.ndarray],
                 mask: np.ndarray, col: np.ndarray, egress: np.ndarray,
                 discount: list[list[tuple[int, float]]], x_cost: np.ndarray, ncol: int,
                 extra_cost: list[np.ndarray]) -> int:
    """The egress of f GB/month from src to dst, when src runs at l, is f x the path price from
    l to where dst runs: y >= x[src, l] - x[dst, l] - sum_m (d_lm / e_l) x[dst, m], at cost
    f e_l (d_lm: how much less than e_l traffic from l to m costs). Where dst can run neither at
    l nor anywhere cheaper to reach, the egress is certain and goes into x[src, l]'s cost.
    One row and one column per (direction, l), in that order; returns the next free column."""
    src_all = directed[0]
    nl = mask.shape[1]
    near_d = np.zeros((nl, nl))
    for li, pairs in enumerate(discount):
        for m, d in pairs:
            near_d[li, m] = d
    near = near_d > 0
    safe_e = np.where(egress > 0, egress, 1.0)
    ratio = near_d / safe_e[:, None]
    paid = egress > 0
    for lo in range(0, len(src_all), _CHUNK):
        src, dst, flow = (a[lo:lo + _CHUNK] for a in directed)
        at_dst = mask[dst]
        cand = mask[src] & paid[None, :]
        # near_dst[e, l, m]: dst may run at m, which l reaches cheaper than egress.
        near_dst = at_dst[:, None, :] & near[None, :, :]
        has_row = cand & (at_dst | near_dst.any(axis=2))
        certain = cand & ~has_row
        if certain.any():
            np.add.at(x_cost, col[src][certain], (flow[:, None] * egress[None, :])[certain])
        e_idx, l_idx = np.nonzero(has_row)
        k = len(e_idx)
        if not k:
            continue
        width = 3 + nl
        idx = np.zeros((k, width), dtype=np.int64)
        val = np.zeros((k, width))
        valid = np.zeros((k, width), dtype=bool)
        idx[:, 0] = ncol + np.arange(k)
        val[:, 0] = 1.0
        idx[:, 1] = col[src[e_idx], l_idx]
        val[:, 1] = -1.0
        valid[:, :2] = True
        idx[:, 2] = col[dst[e_idx], l_idx]
        val[:, 2] = 1.0
        valid[:, 2] = at_dst[e_idx, l_idx]
        idx[:, 3:] = col[dst[e_idx]]
        val[:, 3:] = ratio[l_idx]
        valid[:, 3:] = near_dst[e_idx, l_idx]
        rows.ragged(idx[valid], val[valid], valid.sum(axis=1), 0.0, INF)
        extra_cost.append(flow[e_idx] * egress[l_idx])
        ncol += k
    return ncol


def _latency_rows(rows: Rows, edges: list[tuple[int, int, float]], mask: np.ndarray,
                  col: np.ndarray, latency: np.ndarray) -> None:
    """x[a, l] + sum of x[b, m] over the m too far from l <= 1, for each edge's both
    directions and each l where a may run (only where some m is too far)."""
    if not edges:
        return
    arr = np.array(edges, dtype=float)
    ka, kb = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    xs = np.stack([ka, kb], axis=1).ravel()
    ys = np.stack([kb, ka], axis=1).ravel()
    limits = np.repeat(arr[:, 2], 2)
    nl = mask.shape[1]
    for lo in range(0, len(xs), _CHUNK):
        x, y, limit = xs[lo:lo + _CHUNK], ys[lo:lo + _CHUNK], limits[lo:lo + _CHUNK]
        far = mask[y][:, None, :] & (latency[None, :, :] > limit[:, None, None])
        has_row = mask[x] & far.any(axis=2)
        e_idx, l_idx = np.nonzero(has_row)
        k = len(e_idx)
        if not k:
            continue
        idx = np.zeros((k, 1 + nl), dtype=np.int64)
        valid = np.zeros((k, 1 + nl), dtype=bool)
        idx[:, 0] = col[x[e_idx], l_idx]
        valid[:, 0] = True
        idx[:, 1:] = col[y[e_idx]]
        valid[:, 1:] = far[e_idx, l_idx]
        rows.ragged(idx[valid], np.ones(int(valid.sum())), valid.sum(axis=1), -INF, 1.0)


def _target_rows(rows: Rows, units_arr: np.ndarray, mask: np.ndarray, col: np.ndarray,
                 spend: np.ndarray, targets: list[tuple[np.ndarray, float]]) -> None:
    """One row per target (``advisor.placement.targets``): sum over the units here of
    weight[l] x spend[g, l] x x[g, l] >= -(what the units that cannot move add)."""
    here = spend[units_arr]
    for weight, const in targets:
        values = (here * weight[None, :])[mask]
        keep = values != 0
        rows.add(col[mask][keep], values[keep], -const, INF)


def _terms(terms: Terms, mask: np.ndarray, col: np.ndarray, res: np.ndarray, rows: Rows,
           ncol: int, extra_cost: list[float]) -> tuple[int, np.ndarray]:
    """Columns and rows of the decisions (open[l] >= x[g, l]; use[p] >= open[l] or x[g, l]) and
    of the commitments (the use above what is reserved, the spend above a savings plan)."""
    integer: list[int] = []
    at_provider = terms.provider_at()
    use_col: dict[int, int] = {}
    for p, locs in enumerate(terms.provider_locations):
        if any(mask[:, loc].any() for loc in locs):
            use_col[p] = ncol
            extra_cost.append(terms.provider_cost[p])
            integer.append(ncol)
            ncol += 1
    for loc, open_cost in sorted(terms.open_cost.items()):
        on = np.flatnonzero(mask[:, loc])
        if not len(on):
            continue
        own = ncol
        extra_cost.append(open_cost)
        integer.append(own)
        ncol += 1
        # x[g, l] - open[l] <= 0, one row per unit: the tight (disaggregated) form.
        rows.block(np.stack([col[on, loc], np.full(len(on), own)], axis=1),
                   np.tile([1.0, -1.0], (len(on), 1)), -INF, 0.0)
        owner = at_provider.get(loc)
        if owner is not None and owner in use_col:
            rows.add(np.array([own, use_col[owner]]), np.array([1.0, -1.0]), -INF, 0.0)
    for loc, p in sorted(at_provider.items()):
        if loc in terms.open_cost or p not in use_col:
            continue
        on = np.flatnonzero(mask[:, loc])
        rows.block(np.stack([col[on, loc], np.full(len(on), use_col[p])], axis=1),
                   np.tile([1.0, -1.0], (len(on), 1)), -INF, 0.0)
    for group in terms.commitments:
        if not any(mask[:, loc].any() for loc in group.locations):
            continue
        for seg in group.segments:
            over: dict[tuple[int, int], int] = {}
            for (loc, r), cover in sorted(seg.cover.items()):
                if cover <= 0:
                    continue
                on = np.flatnonzero(mask[:, loc])
                # o - sum_g res x[g, l] >= fixed use - cover
                rows.add(np.concatenate(([ncol], col[on, loc])),
                         np.concatenate(([1.0], -res[on, r])),
                         group.fixed_use.get((loc, r), 0.0) - cover, INF)
                over[(loc, r)] = ncol
                extra_cost.append(0.0 if seg.plan_cover is not None
                                  else seg.weight * group.price[(loc, r)])
                ncol += 1
            if seg.plan_cover is None:
                continue
            idx, val = [ncol], [1.0]
            const = -seg.plan_cover
            for loc in group.locations:
                on = np.flatnonzero(mask[:, loc])
                linear = np.zeros(len(on))
                for r in (0, 1):
                    price = group.price[(loc, r)]
                    if (loc, r) in over:
                        idx.append(over[(loc, r)])
                        val.append(-price)
                    else:
                        linear -= price * res[on, r]
                        const += price * group.fixed_use.get((loc, r), 0.0)
                if linear.any():
                    idx.extend(col[on, loc].tolist())
                    val.extend(linear.tolist())
            rows.add(np.array(idx), np.array(val), const, INF)
            extra_cost.append(seg.weight)
            ncol += 1
    return ncol, np.array(integer, dtype=np.int64)


def _run(lp: Any, mask: np.ndarray, nx_: int, is_int: np.ndarray, time_left: float,
         gap: float, warm: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, Any]:
    """LP first; then fix-and-solve; then the full MIP from that start (or, without one, from
    ``warm``: a partial solution, the x columns of a given placement, that HiGHS completes)."""
    import highspy

    ncol = len(is_int)
    deadline = time.perf_counter() + time_left
    # The LP relaxation first: egress-coupled placement LPs are very often integral, and an
    # integral LP optimum is a proven MILP optimum (gap 0) at a fraction of the MIP's cost.
    # Dual simplex without presolve is the fastest on these models (measured in benchmarks/).
    # Every HiGHS call gets the time left until the run's deadline, this one included.
    if time_left <= 0:
        return TIMEOUT.copy()
    h = new_highs()
    _pass(h, lp)
    configure(h, presolve="off", solver="simplex", time_limit=time_left)
    h.run()
    lp_status = h.modelStatusToString(h.getModelStatus())
    if lp_status == "Infeasible":
        return {"status": "infeasible", "choice": None, "objective": 0.0, "bound": 0.0}
    if lp_status == "Time limit reached" or (lp_status != "Optimal"
                                              and deadline - time.perf_counter() <= 0):
        return TIMEOUT.copy()  # no bound and no placement within the limit
    values = np.array(h.getSolution().col_value)
    solved = lp_status == "Optimal" and len(values) == ncol
    if solved:
        iv = values[is_int]
        if np.abs(iv - np.round(iv)).max(initial=0.0) <= 1e-7:
            obj = float(h.getInfo().objective_function_value)
            return {"status": "optimal", "choice": _choice(mask, values[:nx_]), "objective": obj,
                    "bound": obj}
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in is_int]
    lp_bound = float(h.getInfo().objective_function_value) if solved else -INF
    start = None
    if solved:
        # Fix every unit the LP already placed integrally and solve the small MIP over the
        # rest. With the LP bound this proves the gap; most often it is within tolerance.
        xv = values[:nx_]
        fixed = np.zeros(nx_, dtype=bool)
        col = np.full(mask.shape, -1, dtype=np.int64)
        col[mask] = np.arange(nx_)
        xs = np.full(mask.shape, np.nan)
        xs[mask] = xv
        whole = np.all(np.isnan(xs) | (np.abs(xs - np.round(xs)) <= 1e-7), axis=1)
        fixed[col[whole][mask[whole]]] = True
        saved_lower = lp.col_lower_.copy()
        saved_upper = lp.col_upper_.copy()
        lp.col_lower_ = np.concatenate((np.where(fixed & (xv > 0.5), 1.0, 0.0),
                                        saved_lower[nx_:]))
        lp.col_upper_ = np.concatenate((np.where(fixed & (xv < 0.5), 0.0, 1.0),
                                        saved_upper[nx_:]))
        part = _run_mip(lp, gap, deadline)
        lp.col_lower_, lp.col_upper_ = saved_lower, saved_upper
        if part is not None:
            start = part
            if (part[0] - lp_bound) <= gap * max(abs(part[0]), 1e-9):
                return {"status": "optimal", "choice": _choice(mask, part[1][:nx_]),
                        "objective": part[0], "bound": lp_bound}
    if deadline - time.perf_counter() <= 0:
        if start is None:
            return TIMEOUT.copy()
        return {"status": "feasible", "choice": _choice(mask, start[1][:nx_]),
                "objective": start[0], "bound": lp_bound}
    h = new_highs()
    _pass(h, lp)
    if start is not None:
        # HiGHS (1.16) can answer a wrong "optimal" when a user solution meets its MIP
        # presolve (the objective it reports then disagrees with its own solution; the same
        # model without the start, or without presolve, is right): with a start, no presolve.
        h.setSolution(_solution(start[1]))
        configure(h, presolve="off")
    elif warm is not None:
        h.setSolution(len(warm[0]), warm[0], warm[1])
        configure(h, presolve="off")
    configure(h, mip_rel_gap=gap, time_limit=max(deadline - time.perf_counter(), 1e-3),
              random_seed=0)
    h.run()
    name = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if name == "Infeasible":
        return {"status": "infeasible", "choice": None, "objective": 0.0, "bound": 0.0}
    values = np.array(h.getSolution().col_value)
    bound = max(float(info.mip_dual_bound), lp_bound)
    if info.primal_solution_status != 2 or len(values) < nx_:  # 2 = a feasible solution
        if start is None:
            return TIMEOUT.copy()
        obj, values = start
        name = "Time limit reached"
    else:
        obj = _objective(lp, values)
        if start is not None and obj > start[0]:
            obj, values = start
    return {"status": "optimal" if name == "Optimal" else "feasible",
            "choice": _choice(mask, values[:nx_]), "objective": obj,
            "bound": bound if np.isfinite(bound) else obj}


def _pass(h: Any, lp: Any) -> None:
    """Hand the model to HiGHS; a model it refuses is a bug here, never the user's."""
    import highspy

    if h.passModel(lp) == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused the placement model (an internal error)")


def _run_mip(lp: Any, gap: float, deadline: float) -> tuple[float, Any] | None:
    """Solve ``lp`` as a MIP until ``deadline`` (perf_counter); (objective, column values) or
    None when no solution was found. An answer whose reported objective disagrees with its own
    solution (a HiGHS presolve defect) is solved again without presolve, time permitting."""
    found: tuple[float, Any] | None = None
    for presolve in ("on", "off"):
        time_left = deadline - time.perf_counter()
        if time_left <= 0:
            return found
        h = new_highs()
        _pass(h, lp)
        configure(h, presolve=presolve, mip_rel_gap=gap, time_limit=time_left, random_seed=0)
        h.run()
        info = h.getInfo()
        if info.primal_solution_status != 2:
            return found
        values = np.array(h.getSolution().col_value)
        obj = _objective(lp, values)
        found = obj, values
        claimed = float(info.objective_function_value)
        if abs(claimed - obj) <= 1e-6 * max(1.0, abs(obj)):
            return found
    return found


def _objective(lp: Any, values: np.ndarray) -> float:
    """The objective of column values, computed here (not as the solver reports it)."""
    return float(np.dot(np.asarray(lp.col_cost_), values))


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
