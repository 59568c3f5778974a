"""Scenario benchmark: five scenarios on the seeded benchmark estate, against one analysis.

    python benchmarks/scenarios.py                  # 10,000 workloads, 25,000 edges, 12 locations
    python benchmarks/scenarios.py --workloads 2000 --edges 5000

Measured in one run: one analysis as ``advisor analyze`` does it (load the YAML, rules, costs,
optimizer, plan), then the same plus five scenarios as ``advisor analyze --scenario`` does it
(the estate loaded once, each scenario analyzed warm-started from the base placement), and the
five scenarios again without the warm start. Printed: the ratios to one analysis.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from estate_gen import make_estate, write_estate

from advisor.estate.load import load_estate
from advisor.estate.model import ExchangeRate
from advisor.estate.scenario import CapacityChange, Closure, Scenario, apply
from advisor.pipeline import analyze_estate
from advisor.planning.scenarios import run_scenarios

AS_OF = dt.date(2026, 12, 1)


def scenarios() -> list[Scenario]:
    return [
        Scenario("azure-plus-15", price_factors={"azure": Decimal("1.15")}),
        Scenario("dc2-lease-ends", close=(Closure("onprem-dc2", dt.date(2028, 1, 1)),)),
        Scenario("no-us-owned-clouds", exclude_providers=("aws", "azure")),
        Scenario("usd-weak", exchange_rates=(ExchangeRate("USD", Decimal("0.80"),
                                                          dt.date(2027, 1, 1)),)),
        Scenario("dc1-smaller", capacity=(CapacityChange("onprem-dc1", cpu=Decimal(500)),),
                 horizon_months=60),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--workloads", type=int, default=10_000)
    ap.add_argument("--edges", type=int, default=25_000)
    ap.add_argument("--locations", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--time-limit", dest="time_limit_s", type=float, default=600)
    args = ap.parse_args()
    kw = {"time_limit_s": args.time_limit_s, "as_of": AS_OF}
    with tempfile.TemporaryDirectory() as tmp:
        est = make_estate(args.workloads, args.edges, args.locations, args.seed)
        path = write_estate(Path(tmp), est)
        t0 = time.perf_counter()
        estate = load_estate(path)
        base = analyze_estate(estate, **kw)
        t_one = time.perf_counter() - t0
        t0 = time.perf_counter()
        estate = load_estate(path)
        base = analyze_estate(estate, **kw)
        runs = run_scenarios(estate, base, scenarios(), **kw)
        t_all = time.perf_counter() - t0
        t0 = time.perf_counter()
        cold = [analyze_estate((a := apply(estate, s, AS_OF)).estate, banned=a.banned, **kw)
                for s in scenarios()]
        t_cold = time.perf_counter() - t0
    print(f"estate: {len(estate.workloads)} workloads, {est['edges']} edges, "
          f"{len(estate.locations)} locations, seed {args.seed}")
    print(f"one analysis (load, rules, optimizer, plan): {t_one:.2f} s; "
          f"solver {base.solver['status']}, gap {base.solver['gap']:.4%}")
    for r, c in zip(runs, cold, strict=True):
        same = r.plan.summary()["objective"] - c.summary()["objective"]
        print(f"  {r.scenario.name}: {r.plan.solver['status']}, gap {r.plan.solver['gap']:.4%}, "
              f"{len(r.differences)} moves differ from the base plan; objective warm - cold "
              f"{same:,.2f}")
    print(f"base + 5 scenarios (warm starts): {t_all:.2f} s = {t_all / t_one:.2f}x one analysis "
          "(target <= 6x)")
    print(f"5 scenarios without warm starts: {t_cold:.2f} s; 5 scenarios with them: "
          f"{t_all - t_one:.2f} s (approximately: base counted as one analysis)")


if __name__ == "__main__":
    main()
