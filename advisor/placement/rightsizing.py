"""Rightsizing: requests that fit what a workload really uses, and what that saves a month.

recommended = p95 usage x headroom (default 1.2), rounded up to a millicore and a MiB-ish
thousandth of a GB, never below 10m CPU / 64 MiB. The saving is the workload's monthly run cost
at its current location (``advisor.placement.costs.CostModel``) with today's requests minus with the
recommended ones; negative when the workload requests less than it uses (an increase).
Only resources with a measured p95 change; storage never does.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from advisor.estate.model import Estate
from advisor.placement.costs import CostModel

STEP = Decimal("0.001")
MIN_CPU = Decimal("0.01")
MIN_MEMORY_GB = Decimal("0.0625")


@dataclass(frozen=True)
class Recommendation:
    """One workload's requests now and recommended, and the monthly cost of each."""

    workload: str
    location: str
    cpu: Decimal
    memory_gb: Decimal
    cpu_p95: Decimal | None
    memory_gb_p95: Decimal | None
    recommended_cpu: Decimal
    recommended_memory_gb: Decimal
    monthly_cost: Decimal
    recommended_monthly_cost: Decimal
    currency: str

    @property
    def monthly_saving(self) -> Decimal:
        return self.monthly_cost - self.recommended_monthly_cost


def recommend(p95: Decimal, headroom: Decimal, floor: Decimal) -> Decimal:
    """p95 x headroom rounded up to the step, at least ``floor``."""
    return max((p95 * headroom).quantize(STEP, rounding=ROUND_CEILING), floor)


def usage_notes(estate: Estate) -> list[str]:
    """One note per workload whose measured p95 is above what it requests (limits above
    requests let it burst), so the plan says so instead of accepting it silently."""
    out = []
    for w in estate.workloads:
        u = w.usage
        if u is None:
            continue
        over = [f"{name} p95 {p95.normalize():f} above the request {have.normalize():f}"
                for name, p95, have in (("cpu", u.cpu_p95, w.resources.cpu),
                                        ("memory_gb", u.memory_gb_p95, w.resources.memory_gb))
                if p95 is not None and p95 > have]
        if over:
            out.append(f"{w.id} uses more than it requests ({'; '.join(over)}): its cost is "
                       "modelled on the request; rightsizing shows the increase")
    return out


def rightsizing(estate: Estate, cost_model: CostModel,
                headroom: Decimal = Decimal("1.2")) -> list[Recommendation]:
    """Every workload with measured usage, biggest saving first (then by id)."""
    if headroom <= 0:
        raise ValueError("headroom must be more than 0")
    out = []
    for w in estate.workloads:
        u = w.usage
        if u is None or (u.cpu_p95 is None and u.memory_gb_p95 is None):
            continue
        cpu = w.resources.cpu if u.cpu_p95 is None else recommend(u.cpu_p95, headroom, MIN_CPU)
        memory = w.resources.memory_gb if u.memory_gb_p95 is None else recommend(
            u.memory_gb_p95, headroom, MIN_MEMORY_GB)
        resized = dataclasses.replace(w, resources=dataclasses.replace(
            w.resources, cpu=cpu, memory_gb=memory))
        out.append(Recommendation(
            workload=w.id, location=w.location, cpu=w.resources.cpu,
            memory_gb=w.resources.memory_gb, cpu_p95=u.cpu_p95, memory_gb_p95=u.memory_gb_p95,
            recommended_cpu=cpu, recommended_memory_gb=memory,
            monthly_cost=cost_model.run_monthly(w, w.location)
            + cost_model.licence_monthly(w, w.location),
            recommended_monthly_cost=cost_model.run_monthly(resized, w.location)
            + cost_model.licence_monthly(resized, w.location),
            currency=cost_model.currency))
    out.sort(key=lambda r: (-r.monthly_saving, r.workload))
    return out
