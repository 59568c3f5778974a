"""Placement checks as linear constraints of the optimizer: a move that would give the gate a new
error finding is never recommended.

The gate (``advisor check --placement``) reports rule findings and the structural ones (pins,
colocation, latency, capacity). The optimizer already obeys the structural ones, and every rule
that is a location mask (``require``, ``where`` + ``require_labels``, ``flow``: the constraints
x[w, l] = 0). What is left are error rules whose breach depends on where *several* workloads run:
budgets. A workload's monthly cost is its run cost plus the egress of its own edges, which
depends on where its neighbours run; an application's is the sum over its workloads. Both are
linear in the placement:

    cost(w) = sum_l run(w, l) x[w, l]
              + sum_(w calls d) sum_l ( receive x egress(l) x apart(d, w, l)
                                      + send x egress(l) x apart(w, d, l) )

with apart(a, b, l) = [a at l and b not at l]. For an error budget rule that today's placement
keeps (a breach today is a finding already, and staying must stay possible), the row
cost(w) <= budget (or the application's sum) is added. apart(a, b, l) becomes a continuous
z >= x[a, l] - x[b, l], z >= 0 with no cost: it appears in the row with a positive coefficient
only, so a placement satisfies the row exactly when it does with z at its least value, which is
apart(a, b, l) itself. The rows are exact, and stay apart from the objective's own egress terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from advisor.estate.model import Estate
from advisor.placement.costs import CostModel
from advisor.rules import Budgets, Evaluation


@dataclass
class Row:
    """sum x_terms + sum apart_terms <= upper, over workload indices and location indices."""

    rule: str
    subject: str
    upper: float
    x_terms: list[tuple[int, int, float]] = field(default_factory=list)  # (w, l, coef)
    apart_terms: list[tuple[int, int, int, float]] = field(default_factory=list)  # (a, b, l, c)

    def workloads(self) -> set[int]:
        return {t[0] for t in self.x_terms} | {t[0] for t in self.apart_terms} \
            | {t[1] for t in self.apart_terms}


def budget_rows(estate: Estate, model: CostModel, ev: Evaluation,
                budgets: Budgets | None) -> list[Row]:
    """A row per error budget rule and workload (or application) within budget today."""
    from advisor.rules.evaluate import budget_of

    rows: list[Row] = []
    ws = estate.workloads
    index = {w.id: i for i, w in enumerate(ws)}
    loc_ids = [loc.id for loc in estate.locations]
    current = {w.id: w.location for w in ws}
    for ri, rule in enumerate(ev.rules):
        if rule.budget is None or rule.severity != "error" or not ev.active[ri]:
            continue
        groups: dict[str, list[int]] = {}
        limit: dict[str, Decimal] = {}
        for i, w in enumerate(ws):
            if not rule.selects(w):
                continue
            found = budget_of(rule, w, budgets or Budgets())
            if found is None:
                continue
            key = w.id if rule.budget.per == "workload" else w.application
            groups.setdefault(key, []).append(i)
            limit[key] = found
        for key in sorted(groups):
            members = groups[key]
            today = sum((model.run_monthly(ws[i], current[ws[i].id])
                         + model.egress_monthly(ws[i], current) for i in members), Decimal(0))
            if today > limit[key]:
                continue  # broken today: reported by the gate, not a new finding
            row = Row(rule.id, key, float(limit[key]))
            for i in members:
                w = ws[i]
                for li, loc in enumerate(loc_ids):
                    row.x_terms.append((i, li, float(model.run_monthly(w, loc))))
                for d in w.depends_on:
                    j = index[d.workload]
                    for li, loc in enumerate(loc_ids):
                        eg = float(model.prices[loc].egress_price_per_gb)
                        if d.receive_gb_month and eg:
                            row.apart_terms.append((j, i, li, float(d.receive_gb_month) * eg))
                        if d.send_gb_month and eg:
                            row.apart_terms.append((i, j, li, float(d.send_gb_month) * eg))
            rows.append(row)
    return rows


def row_units(rows: list[Row], unit_of: np.ndarray) -> list[set[int]]:
    """The units each row couples (they must be solved in one model)."""
    return [{int(unit_of[i]) for i in row.workloads()} for row in rows]


def fixed_conflicts(rows: list[Row], allowed: np.ndarray, unit_of: np.ndarray,
                    cur: np.ndarray) -> dict[int, list[str]]:
    """Units whose one allowed location breaks a row that no other unit can mend: a forced
    move (an error rule excludes where it runs today) into a breach of a budget. Such a move
    is not recommended: the unit stays where it runs (its finding today is reported) and is
    reported as unplaceable, with the row's rule. Found before solving, so the solver never
    sees a row it cannot satisfy for this reason. Returns unit -> reasons."""
    out: dict[int, list[str]] = {}
    while True:
        count = allowed.sum(axis=1)
        where = np.where(count == 1, allowed.argmax(axis=1), -1)
        found = False
        for row in rows:
            units = {int(unit_of[i]) for i in row.workloads()}
            if any(count[u] > 1 for u in units):
                continue  # a unit that can still choose: the solver handles the row
            loc = np.array([where[unit_of[w]] if count[unit_of[w]] == 1 else cur[w]
                            for w in range(len(unit_of))])
            value = sum(v for w, li, v in row.x_terms if loc[w] == li) + \
                sum(v for a, b, li, v in row.apart_terms if loc[a] == li and loc[b] != li)
            if value <= row.upper + 1e-9:
                continue
            moved = [u for u in units if count[u] == 1
                     and any(where[u] != cur[w] for w in np.flatnonzero(unit_of == u))]
            for u in moved:
                allowed[u] = False
                out.setdefault(u, []).append(
                    f"its only allowed location would break {row.rule} (the budget of "
                    f"{row.subject})")
                found = True
        if not found:
            return out


def encode(rows: list[Row], pos: dict[int, int], col: np.ndarray, mask: np.ndarray,
           unit_of: np.ndarray, fixed_loc: np.ndarray, first_col: int,
           add_row: Callable[[np.ndarray, np.ndarray, float, float], None]) -> int:
    """Add the rows whose units are all in this model (``pos``: unit -> row of ``col``/``mask``)
    through ``add_row``, with z columns numbered from ``first_col``; return how many z columns
    were added (continuous, 0 to infinity, no cost). ``fixed_loc[w]`` is where a workload
    whose unit is not in the model runs."""
    ncol = first_col

    def x_at(w: int, li: int) -> tuple[int | None, float]:
        """(column, constant) of the indicator "workload w at location li"."""
        u = int(unit_of[w])
        if u in pos:
            k = pos[u]
            return (int(col[k, li]), 0.0) if mask[k, li] else (None, 0.0)
        return None, 1.0 if fixed_loc[w] == li else 0.0

    for row in rows:
        units = {int(unit_of[i]) for i in row.workloads()}
        if not units & set(pos):
            continue
        coef: dict[int, float] = {}
        const = 0.0
        for w, li, v in row.x_terms:
            c, k = x_at(w, li)
            const += _add(coef, c, k, v)
        z_rows: list[tuple[int, int | None, float, int | None, float]] = []
        for a, b, li, v in row.apart_terms:
            if unit_of[a] == unit_of[b]:
                continue  # one unit runs in one place: never apart
            ca, ka = x_at(a, li)
            cb, kb = x_at(b, li)
            if ca is None and cb is None:
                const += v * max(0.0, ka - kb)
            elif cb is None and kb == 0.0:
                const += _add(coef, ca, ka, v)  # b is never at li: apart is "a at li"
            elif (ca is None and ka == 0.0) or (cb is None and kb == 1.0):
                continue  # a is never at li, or b always is: never apart there
            else:
                coef[ncol] = coef.get(ncol, 0.0) + v
                z_rows.append((ncol, ca, ka, cb, kb))
                ncol += 1
        for z, ca, ka, cb, kb in z_rows:
            # z - x_a + x_b >= (constant parts of x_a - x_b)
            idx = [z]
            val = [1.0]
            lo = 0.0
            if ca is None:
                lo += ka
            else:
                idx.append(ca)
                val.append(-1.0)
            if cb is None:
                lo -= kb
            else:
                idx.append(cb)
                val.append(1.0)
            add_row(np.array(idx), np.array(val), lo, float("inf"))
        if coef:
            keys = sorted(coef)
            add_row(np.array(keys), np.array([coef[k] for k in keys]), -float("inf"),
                    row.upper - const)
    return ncol - first_col


def _add(coef: dict[int, float], c: int | None, k: float, v: float) -> float:
    """Add v x (column c) to the row; for a known indicator (no column) return its constant."""
    if c is None:
        return k * v
    coef[c] = coef.get(c, 0.0) + v
    return 0.0


def describe(rows: list[Row]) -> list[str]:
    """The constraints added, for the plan's notes."""
    return [f"{r.rule} keeps {r.subject} within its budget (a new breach would be an error "
            "finding)" for r in rows]

