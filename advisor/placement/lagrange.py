"""Capacity priced by Lagrange multipliers: a placement and a proven bound for coupled models too
large for the simplex within the time limit (about a million columns and more).

Capacity is the only constraint that couples units whose chains do not connect them. Pricing each
location's capacity with multipliers ``lam >= 0`` (one per location and resource) relaxes it:

    L(lam) = sum over units of min over allowed l of (cost[u, l] + res[u] . lam[l])
             - sum over l of cap[l] . lam[l]

is a lower bound on the cheapest placement that holds every capacity, for every ``lam >= 0``
(the egress between movable units, which is never negative, is left out of it, which keeps it a
bound). Subgradient steps raise it. The units' choices at the best multipliers nearly hold the
capacities; a repair moves the units whose moves cost least per resource out of full locations,
and a local search then takes every single move that lowers the objective, egress included. Every
move keeps latency limits and capacities. The result: a placement that holds every constraint,
its objective, and the bound, whose difference is the proven gap.

Used only for models without estate-level decisions, targets or budget-rule rows (their columns
couple units beyond capacity); see ``advisor.placement.optimize``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

INF = float("inf")


@dataclass
class Relaxed:
    """What the relaxation found: a choice per unit (a location index), its objective (unit
    costs plus the egress between the units) and the proven lower bound."""

    choice: np.ndarray
    objective: float
    bound: float
    feasible: bool


class _Graph:
    """Traffic and latency limits between the units, as adjacency lists."""

    def __init__(self, g: int, pair_flow: dict[tuple[int, int], list[float]],
                 latency_edges: list[tuple[int, int, float]], pos: dict[int, int]) -> None:
        self.out: list[list[tuple[int, float, float]]] = [[] for _ in range(g)]
        for (a, b), (fab, fba) in pair_flow.items():
            if a in pos and b in pos:
                ka, kb = pos[a], pos[b]
                self.out[ka].append((kb, fab, fba))  # (other, GB to it, GB from it)
                self.out[kb].append((ka, fba, fab))
        self.limits: list[list[tuple[int, float]]] = [[] for _ in range(g)]
        for a, b, limit in latency_edges:
            if a != b and a in pos and b in pos:
                self.limits[pos[a]].append((pos[b], limit))
                self.limits[pos[b]].append((pos[a], limit))

    def move_delta(self, u: int, choice: np.ndarray, path: np.ndarray) -> np.ndarray:
        """The egress change per month of moving unit u to each location (others stay)."""
        here = choice[u]
        delta = np.zeros(path.shape[0])
        for v, to_v, from_v in self.out[u]:
            lv = choice[v]
            delta += to_v * (path[:, lv] - path[here, lv]) + from_v * (path[lv, :] - path[lv, here])
        return delta

    def latency_ok(self, u: int, choice: np.ndarray, latency: np.ndarray,
                   skip: int = -1) -> np.ndarray:
        """Where unit u may run given where its latency-bound neighbours (but ``skip``) run."""
        ok = np.ones(latency.shape[0], dtype=bool)
        for v, limit in self.limits[u]:
            if v == skip:
                continue
            lv = choice[v]
            ok &= (latency[:, lv] <= limit) & (latency[lv, :] <= limit)
        return ok


# (the price per unit of each resource at each location, units x locations; a deadline) ->
# (the LP relaxation's optimum without capacity rows, each unit's choice), or None.
PricedLP = Callable[[np.ndarray, float], "tuple[float, np.ndarray] | None"]


def relax(cost: np.ndarray, res: np.ndarray, allowed: np.ndarray, cap: np.ndarray,
          pair_flow: dict[tuple[int, int], list[float]], units: list[int], path: np.ndarray,
          latency_edges: list[tuple[int, int, float]], latency: np.ndarray,
          deadline: float, priced_lp: PricedLP | None = None) -> Relaxed:
    """The placement of ``units`` (rows of ``cost``, ``res``, ``allowed``, already restricted to
    them) within ``cap`` (locations x 3, inf where unlimited), priced by Lagrange multipliers;
    stops at ``deadline`` (perf_counter) with what it has.

    ``priced_lp``, when given, solves the units' LP with egress and latency but no capacity at
    the best multipliers' prices: its optimum less the capacities' price is a bound that counts
    the egress too, and its choices are a second start for the repair."""
    g, nl = cost.shape
    masked = np.where(allowed, cost, INF)
    finite = np.isfinite(cap)
    capped = np.where(finite, cap, 0.0)
    pos = {u: k for k, u in enumerate(units)}
    graph = _Graph(g, pair_flow, latency_edges, pos)
    rows = np.arange(g)

    def at(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        priced = masked + res @ lam.T  # [g, nl]: lam is [nl, 3]
        choice = priced.argmin(axis=1)
        value = float(priced[rows, choice].sum() - (capped * lam).sum())
        use = np.zeros((nl, 3))
        np.add.at(use, choice, res)
        return value, choice, use

    lam = np.zeros((nl, 3))
    best_bound, choice, use = at(lam)
    best_lam = lam.copy()
    # Polyak steps towards a target level above the best bound, lowered when it is not reached.
    delta, stale = 0.05 * abs(best_bound) + 1.0, 0
    for _ in range(1000):
        if time.perf_counter() > deadline:
            break
        # A subgradient of L at lam: the use beyond each capacity (projected onto lam >= 0).
        excess = np.where(finite, use - capped, 0.0)
        grad = np.where((lam > 0) | (excess > 0), excess, 0.0)
        norm = float((grad * grad).sum())
        if norm <= 1e-18:
            break  # the choices hold every capacity: the bound is the relaxation's optimum
        lam = np.maximum(0.0, lam + delta / norm * grad)
        value, choice, use = at(lam)
        if value > best_bound + 1e-9 * abs(best_bound):
            best_bound, best_lam, stale = value, lam.copy(), 0
        else:
            stale += 1
            if stale >= 5:
                delta, stale = delta / 2, 0
                if delta < 1e-7 * abs(best_bound):
                    break
    _bound, choice, _use = at(best_lam)
    starts = [choice.copy()]
    if priced_lp is not None:
        now = time.perf_counter()
        solved = priced_lp(res @ best_lam.T, now + 0.5 * (deadline - now))
        if solved is not None:
            best_bound = max(best_bound, solved[0] - float((capped * best_lam).sum()))
            starts.insert(0, solved[1].copy())
    found: Relaxed | None = None
    for start in starts:
        use = np.zeros((nl, 3))
        np.add.at(use, start, res)
        feasible = _keep_latency(start, use, cost, res, allowed, graph, path, latency) and \
            _repair(start, use, cost, res, allowed, cap, graph, path, latency, deadline)
        if not feasible:
            continue
        _improve(start, use, cost, res, allowed, cap, graph, path, latency, deadline)
        value = objective(start, cost, pair_flow, pos, path)
        if found is None or value < found.objective:
            found = Relaxed(start, value, best_bound, True)
        if time.perf_counter() > deadline:
            break
    if found is None:
        return Relaxed(choice, INF, best_bound, False)
    return found


def objective(choice: np.ndarray, cost: np.ndarray, pair_flow: dict[tuple[int, int], list[float]],
              pos: dict[int, int], path: np.ndarray) -> float:
    """Unit costs plus the egress between the units of a choice."""
    total = float(cost[np.arange(len(choice)), choice].sum())
    for (a, b), (fab, fba) in pair_flow.items():
        if a in pos and b in pos:
            la, lb = choice[pos[a]], choice[pos[b]]
            total += fab * path[la, lb] + fba * path[lb, la]
    return total


def _room(use: np.ndarray, cap: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Locations with room for ``need`` (3 resources)."""
    fits: np.ndarray = (use + need[None, :] <= cap + 1e-6).all(axis=1)
    return fits


def _keep_latency(choice: np.ndarray, use: np.ndarray, cost: np.ndarray, res: np.ndarray,
                  allowed: np.ndarray, graph: _Graph, path: np.ndarray,
                  latency: np.ndarray) -> bool:
    """Move each unit whose latency-bound neighbours run too far away to its cheapest location
    within every limit (capacity is repaired after); False when some unit has none."""
    for _ in range(3):
        moved = False
        for u in range(len(choice)):
            if not graph.limits[u]:
                continue
            ok = allowed[u] & graph.latency_ok(u, choice, latency)
            here = int(choice[u])
            if ok[here]:
                continue
            if not ok.any():
                if not _move_pair(u, choice, use, cost, res, allowed, graph, latency):
                    return False
                moved = True
                continue
            delta = cost[u] + graph.move_delta(u, choice, path)
            to = int(np.where(ok, delta, INF).argmin())
            use[here] -= res[u]
            use[to] += res[u]
            choice[u] = to
            moved = True
        if not moved:
            return True
    return False


def _move_pair(u: int, choice: np.ndarray, use: np.ndarray, cost: np.ndarray, res: np.ndarray,
               allowed: np.ndarray, graph: _Graph, latency: np.ndarray) -> bool:
    """Unit u has no location within its limits where its neighbours run: move u together with
    the latency-bound neighbour for which the pair's cheapest joint move costs least."""
    best: tuple[float, int, int, int] | None = None
    for v, limit in graph.limits[u]:
        ok_u = allowed[u] & graph.latency_ok(u, choice, latency, skip=v)
        ok_v = allowed[v] & graph.latency_ok(v, choice, latency, skip=u)
        near = np.maximum(latency, latency.T) <= limit
        joint = ok_u[:, None] & ok_v[None, :] & near
        if not joint.any():
            continue
        price = np.where(joint, cost[u][:, None] + cost[v][None, :], INF)
        flat = int(price.argmin())
        at_u, at_v = divmod(flat, price.shape[1])
        if best is None or price[at_u, at_v] < best[0]:
            best = (float(price[at_u, at_v]), v, at_u, at_v)
    if best is None:
        return False
    _price, v, to_u, to_v = best
    for unit, to in ((u, to_u), (v, to_v)):
        use[choice[unit]] -= res[unit]
        use[to] += res[unit]
        choice[unit] = to
    return True


def _repair(choice: np.ndarray, use: np.ndarray, cost: np.ndarray, res: np.ndarray,
            allowed: np.ndarray, cap: np.ndarray, graph: _Graph, path: np.ndarray,
            latency: np.ndarray, deadline: float) -> bool:
    """Move units out of overfull locations, cheapest per unit of the scarce resource first,
    into locations with room (latency limits kept); True when every capacity then holds."""
    for _ in range(len(choice) + 1):
        over = (use > cap + 1e-6)
        if not over.any():
            return True
        if time.perf_counter() > deadline:
            return False
        loc, r = map(int, np.argwhere(over)[0])
        members = np.flatnonzero((choice == loc) & (res[:, r] > 0))
        best: tuple[float, int, int] | None = None
        # Price the cheapest moves of the units there (unit cost plus egress).
        elsewhere = allowed[members].copy()
        elsewhere[:, loc] = False
        base = cost[members] - cost[members, loc][:, None]
        for k in np.argsort(base.min(axis=1, where=elsewhere, initial=INF)
                            / res[members, r], kind="stable")[:200]:
            u = int(members[k])
            ok = allowed[u] & _room(use, cap, res[u]) & graph.latency_ok(u, choice, latency)
            ok[loc] = False
            if not ok.any():
                continue
            delta = cost[u] - cost[u, loc] + graph.move_delta(u, choice, path)
            to = int(np.where(ok, delta, INF).argmin())
            per = float(delta[to]) / float(res[u, r])
            if best is None or per < best[0]:
                best = (per, u, to)
        if best is None:
            return False
        _per, u, to = best
        use[choice[u]] -= res[u]
        use[to] += res[u]
        choice[u] = to
    return not (use > cap + 1e-6).any()


def _improve(choice: np.ndarray, use: np.ndarray, cost: np.ndarray, res: np.ndarray,
             allowed: np.ndarray, cap: np.ndarray, graph: _Graph, path: np.ndarray,
             latency: np.ndarray, deadline: float, passes: int = 3) -> None:
    """Single moves that lower the objective (egress included), keeping every constraint."""
    for _ in range(passes):
        moved = 0
        for u in range(len(choice)):
            if time.perf_counter() > deadline:
                return
            here = int(choice[u])
            delta = cost[u] - cost[u, here] + graph.move_delta(u, choice, path)
            if delta.min() >= -1e-9:
                continue
            ok = allowed[u] & _room(use, cap, res[u]) & graph.latency_ok(u, choice, latency)
            ok[here] = False
            if not ok.any():
                continue
            to = int(np.where(ok, delta, INF).argmin())
            if delta[to] < -1e-9:
                use[here] -= res[u]
                use[to] += res[u]
                choice[u] = to
                moved += 1
        if not moved:
            return
