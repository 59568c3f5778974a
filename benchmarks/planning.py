"""Exit and wave plans on the demo estate, against one analysis measured in the same run.

    python benchmarks/planning.py

Each figure is the time from the files to the finished plan (loading, rules, optimizer, plan,
the exit or the waves), wall clock and CPU of this process; printed beside one plain analysis of
the demo. Target: under 5 s each.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.estate.load import load_estate
from advisor.pipeline import analyze_estate, demo_config
from advisor.planning.budget import budget
from advisor.planning.exit import plan_exit
from advisor.planning.waves import plan_waves

AS_OF = dt.date(2026, 12, 1)


def timed(run: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    path = demo_config()
    analyze_estate(load_estate(path), as_of=AS_OF)  # warm imports and caches
    cases: dict[str, Callable[[], Any]] = {
        "one analysis": lambda: analyze_estate(load_estate(path), as_of=AS_OF),
        "exit --provider azure": lambda: plan_exit(load_estate(path), provider="azure",
                                                   date=AS_OF),
        "exit --location onprem-dc2": lambda: plan_exit(load_estate(path),
                                                        location="onprem-dc2", date=AS_OF),
        "analyze --waves --budget": lambda: (
            (p := analyze_estate(load_estate(path), as_of=AS_OF)),
            plan_waves(p, 5), budget(p)),
    }
    base = None
    for name, run in cases.items():
        wall, cpu = timed(run)
        base = base or wall
        print(f"{name:28s} {wall:6.2f} s wall, {cpu:6.2f} s CPU, {wall / base:5.2f}x one "
              f"analysis (target < 5 s)")


if __name__ == "__main__":
    main()
