"""Placement benchmark: seeded estates, end to end from the YAML files, against a greedy baseline.

    python benchmarks/placement.py                  # 10,000 workloads, 25,000 edges, 12 locations
    python benchmarks/placement.py --workloads 100000 --edges 250000
    python benchmarks/placement.py --capacity-factor 0.5  # make on-premise capacity bind hard
    python benchmarks/placement.py --economics            # fixed costs, providers, commitments

The greedy baseline (each workload to its cheapest allowed location, ignoring edges and
capacity) is measured in the same run; the figures printed are its objective and the
optimizer's saving over it, so machine noise cancels out. So is the naive-MILP baseline
(``naive_milp.py``: the optimizer's model built element by element with highspy's addVar/addRow
and solved by HiGHS's MIP with default options; ``--no-naive`` leaves it out), and the ratios of
the optimizer's times to its times are printed. Peak memory (the process's maximum resident set)
is printed before the naive baseline runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from estate_gen import make_estate, write_estate
from naive_milp import naive_solve, record

from advisor.estate.load import load_estate
from advisor.estate.model import Estate
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import build_plan, placement_objective
from advisor.rules import Evaluation, evaluate, load_packs


def greedy(estate: Estate, model: CostModel, ev: Evaluation) -> dict[str, str]:
    out = {}
    for w in estate.workloads:
        if w.pinned:
            out[w.id] = w.location
            continue
        best = None
        for i, loc in enumerate(estate.locations):
            if not ev.allowed[w.id][i] or model.unavailable(w, loc.id):
                continue
            c = model.run_monthly(w, loc.id) + model.licence_monthly(w, loc.id) \
                + model.migration_monthly(w, loc.id) \
                + ev.penalty[w.id][i]
            if best is None or c < best[0]:
                best = (c, loc.id)
        out[w.id] = best[1] if best else w.location
    return out


def greedy_capacity(estate: Estate, model: CostModel, ev: Evaluation) -> dict[str, str]:
    """Greedy that respects capacity: biggest workloads first, each to its cheapest allowed
    location that still has room (edges still ignored)."""
    left = {loc.id: [loc.capacity.cpu if loc.capacity else None,
                     loc.capacity.memory_gb if loc.capacity else None]
            for loc in estate.locations}
    out = {}
    order = sorted(estate.workloads, key=lambda w: (not w.pinned, -w.resources.cpu, w.id))
    for w in order:
        options = []
        for i, loc in enumerate(estate.locations):
            if (w.pinned and loc.id != w.location) or (not w.pinned and not ev.allowed[w.id][i]) \
                    or model.unavailable(w, loc.id):
                continue
            c = model.run_monthly(w, loc.id) + model.licence_monthly(w, loc.id) \
                + model.migration_monthly(w, loc.id) \
                + ev.penalty[w.id][i]
            options.append((c, loc.id))
        chosen = w.location
        for _c, loc_id in sorted(options):
            cpu, mem = left[loc_id]
            if (cpu is None or cpu >= w.resources.cpu) and (mem is None or
                                                             mem >= w.resources.memory_gb):
                chosen = loc_id
                break
        out[w.id] = chosen
        cpu, mem = left[chosen]
        left[chosen] = [None if cpu is None else cpu - w.resources.cpu,
                        None if mem is None else mem - w.resources.memory_gb]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workloads", type=int, default=10_000)
    ap.add_argument("--edges", type=int, default=25_000)
    ap.add_argument("--locations", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--capacity-factor", type=float, default=1.0)
    ap.add_argument("--economics", action="store_true",
                    help="closable data centres with fixed costs, providers with fixed costs "
                         "and one not used today, storage classes, a licence, a reservation")
    ap.add_argument("--time-limit", dest="time_limit_s", type=float, default=600)
    ap.add_argument("--no-naive", dest="naive", action="store_false",
                    help="leave out the naive-MILP baseline")
    args = ap.parse_args()
    recorded = record()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        est = make_estate(args.workloads, args.edges, args.locations, args.seed,
                          args.capacity_factor, args.economics)
        path = write_estate(Path(tmp), est)
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        estate = load_estate(path)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        ev = evaluate(load_packs(estate.policies, estate.path), estate)
        model = CostModel(estate)
        t_rules = time.perf_counter() - t0
        t0 = time.perf_counter()
        sol = optimize(estate, model, ev, time_limit_s=args.time_limit_s)
        t_solve = time.perf_counter() - t0
        t0 = time.perf_counter()
        plan = build_plan(estate, model, ev, sol)
        t_plan = time.perf_counter() - t0
        total = t_load + t_rules + t_solve + t_plan
        t0 = time.perf_counter()
        g = greedy(estate, model, ev)
        t_greedy = time.perf_counter() - t0
        opt_obj = plan.summary()["objective"]
        greedy_obj = placement_objective(estate, model, ev, g)
        exact_obj = placement_objective(estate, model, ev, sol.placement)
        cap_broken = _capacity_broken(estate, g)
        t0 = time.perf_counter()
        gc = greedy_capacity(estate, model, ev)
        t_greedy_cap = time.perf_counter() - t0
        greedy_cap_obj = placement_objective(estate, model, ev, gc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    print(f"estate: {len(estate.workloads)} workloads, {est['edges']} edges, "
          f"{len(estate.locations)} locations, seed {args.seed}, "
          f"capacity factor {args.capacity_factor} (generated in {t_gen:.1f} s)")
    print(f"load YAML {t_load:.2f} s | rules {t_rules:.2f} s | solve {t_solve:.2f} s | "
          f"plan {t_plan:.2f} s | end to end {total:.2f} s")
    print(f"solver: {sol.status}, gap {sol.gap:.4%}, {sol.components} independent parts"
          + "".join(f"; {n}" for n in sol.notes))
    print(f"optimizer objective {opt_obj:,.2f} EUR/month (exact re-check {exact_obj:,.2f})")
    print(f"greedy baseline     {greedy_obj:,.2f} EUR/month in {t_greedy:.2f} s"
          + (f" (breaks capacity at {', '.join(cap_broken)})" if cap_broken else ""))
    print(f"greedy with capacity {greedy_cap_obj:,.2f} EUR/month in {t_greedy_cap:.2f} s")
    saving_cap = greedy_cap_obj - opt_obj
    print(f"optimizer saves {saving_cap:,.2f} EUR/month over greedy with capacity "
          f"({saving_cap / greedy_cap_obj:.2%})")
    saving = greedy_obj - opt_obj
    print(f"optimizer saves {saving:,.2f} EUR/month over plain greedy "
          f"({saving / greedy_obj:.2%}); end-to-end time / greedy time = "
          f"{total / max(t_greedy, 1e-9):.1f}x")
    print(f"peak memory {peak:.2f} GiB; load average {os.getloadavg()[0]:.1f}")
    if args.naive and recorded.calls:
        naive = naive_solve(recorded, args.time_limit_s)
        mine = recorded.objectives[-1] if recorded.coupled else sum(recorded.objectives)
        naive_total = t_load + t_rules + naive["seconds"]
        print(f"naive MILP: {naive['columns']:,} columns, {naive['rows']:,} rows, built in "
              f"{naive['build_s']:.2f} s, solved to '{naive['status']}' (gap "
              f"{naive['gap']:.4%}) in {naive['seconds']:.2f} s; its objective "
              f"{naive['objective']:,.2f}, the optimizer's {mine:,.2f} (model terms only)")
        print(f"ratios: end to end {total:.2f} s / {naive_total:.2f} s = "
              f"{total / naive_total:.2f}x; solve {t_solve:.2f} s / {naive['seconds']:.2f} s = "
              f"{t_solve / naive['seconds']:.2f}x; load average {os.getloadavg()[0]:.1f}")


def _capacity_broken(estate: Estate, placement: dict[str, str]) -> list[str]:
    used: dict[str, Decimal] = {}
    for w in estate.workloads:
        used[placement[w.id]] = used.get(placement[w.id], Decimal(0)) + w.resources.cpu
    return sorted(loc.id for loc in estate.locations
                  if loc.capacity and loc.capacity.cpu is not None
                  and used.get(loc.id, Decimal(0)) > loc.capacity.cpu)


if __name__ == "__main__":
    main()
