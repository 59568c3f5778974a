"""The naive-MILP baseline: the optimizer's own model, built element by element and solved by
HiGHS's MIP with its defaults.

``record()`` wraps the optimizer's call to the solver so that the benchmark learns the models it
solves (the same columns, rows and costs); ``naive_solve()`` then builds those models the way one
writes a model by hand with highspy (``addVar`` and ``changeColCost`` per column, ``addRow`` per
constraint) and runs HiGHS's branch-and-cut with default options. When capacity binds, the last
model the optimizer solves is the coupled one over every movable workload, and it alone is the
naive model; otherwise the independent models are put side by side in one. Deriving the
coefficients (units, allowed locations, cost arrays) is not timed for the baseline: that favours
it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import advisor.placement.optimize as optimize_module
from advisor.placement import milp


@dataclass
class Recorded:
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    objectives: list[float] = field(default_factory=list)
    coupled: bool = False


def record() -> Recorded:
    """Record every model the optimizer hands to the solver from now on."""
    rec = Recorded()
    real = milp.solve

    def recording(*args: Any) -> dict[str, Any]:
        rec.calls.append(args)
        res = real(*args)
        rec.objectives.append(res["objective"])
        if args[9] is not None:  # cap_left: the coupled model, which replaces the others
            rec.coupled = True
        return res

    optimize_module.solve = recording  # type: ignore[assignment]
    return rec


def naive_solve(rec: Recorded, time_limit_s: float) -> dict[str, Any]:
    """Build the recorded models element by element and solve them with HiGHS's defaults."""
    import highspy

    calls = rec.calls[-1:] if rec.coupled else rec.calls
    # The coefficients (solve's arguments but the time limit and the gap): not timed.
    models = [milp.build(*args[:11], *args[13:]) for args in calls]
    started = time.perf_counter()
    h = milp.new_highs()
    milp.configure(h, time_limit=time_limit_s)
    off = 0
    kinteger = highspy.HighsVarType.kInteger
    for lp, _mask, _nx, is_int, _warm in models:
        cost = lp.col_cost_.tolist() if hasattr(lp.col_cost_, "tolist") else list(lp.col_cost_)
        lower, upper = list(lp.col_lower_), list(lp.col_upper_)
        for j in range(lp.num_col_):
            h.addVar(lower[j], upper[j])
            h.changeColCost(off + j, cost[j])
            if is_int[j]:
                h.changeColIntegrality(off + j, kinteger)
        start = list(lp.a_matrix_.start_)
        index = list(lp.a_matrix_.index_)
        value = list(lp.a_matrix_.value_)
        row_lower, row_upper = list(lp.row_lower_), list(lp.row_upper_)
        for r in range(lp.num_row_):
            a, b = start[r], start[r + 1]
            h.addRow(row_lower[r], row_upper[r], b - a, [off + i for i in index[a:b]],
                     value[a:b])
        off += lp.num_col_
    built = time.perf_counter() - started
    h.run()
    info = h.getInfo()
    return {"status": h.modelStatusToString(h.getModelStatus()),
            "objective": float(info.objective_function_value),
            "gap": float(info.mip_gap), "build_s": built,
            "seconds": time.perf_counter() - started,
            "columns": off, "rows": h.getNumRow()}
