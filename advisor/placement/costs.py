"""The cost model: what a workload costs per month at a location, in the estate currency.

Conventions (also in the README):
- run(w, l) = (cpu x cpu_hour + memory_gb x memory_gb_hour) x 730 + storage_gb x storage_gb_month
- egress of an edge "w depends_on d" placed apart = receive_gb_month x egress_gb(loc of d)
  + send_gb_month x egress_gb(loc of w); the edge's cost is attributed to w (the caller).
- migration: migration_cost / horizon_months per month when w is placed away from where it runs;
  absent migration_cost defaults to moving the data out (storage_gb x egress_gb of the current
  location) plus one month of the current run cost (re-platforming effort).
Prices are converted with the estate's dated exchange rates; everything here is Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from advisor.errors import InputError
from advisor.estate.model import HOURS_PER_MONTH, Dependency, Estate, Location, Prices, Workload


@dataclass(frozen=True)
class LocalPrices:
    """A location's prices converted into the estate currency."""

    cpu_price_month: Decimal  # per vCPU requested for a month
    memory_price_gb_month: Decimal
    storage_price_gb_month: Decimal
    egress_price_per_gb: Decimal


class CostModel:
    """Prices every (workload, location) pair and every edge in the estate currency."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.currency = estate.currency
        self.prices: dict[str, LocalPrices] = {}
        for loc in estate.locations:
            self.prices[loc.id] = self._convert(loc)
        self.workloads = estate.workload_by_id()

    def _convert(self, loc: Location) -> LocalPrices:
        p: Prices = loc.prices
        rate = self.estate.rate(p.currency)
        if rate is None:
            raise InputError(f"location {loc.id}: no exchange rate for {p.currency}",
                             file=self.estate.path, hint="add it to exchange_rates")
        r = rate.rate
        return LocalPrices(p.cpu_hour * r * HOURS_PER_MONTH, p.memory_gb_hour * r * HOURS_PER_MONTH,
                           p.storage_gb_month * r, p.egress_gb * r)

    def run_monthly(self, w: Workload, location_id: str) -> Decimal:
        p = self.prices[location_id]
        res = w.resources
        return res.cpu * p.cpu_price_month + res.memory_gb * p.memory_price_gb_month \
            + res.storage_gb * p.storage_price_gb_month

    def edge_monthly(self, dep: Dependency, caller_location: str, callee_location: str) -> Decimal:
        if caller_location == callee_location:
            return Decimal(0)
        return dep.receive_gb_month * self.prices[callee_location].egress_price_per_gb \
            + dep.send_gb_month * self.prices[caller_location].egress_price_per_gb

    def migration_one_off(self, w: Workload) -> Decimal:
        if w.migration_cost is not None:
            return w.migration_cost
        return w.resources.storage_gb * self.prices[w.location].egress_price_per_gb \
            + self.run_monthly(w, w.location)

    def migration_monthly(self, w: Workload, location_id: str) -> Decimal:
        if location_id == w.location:
            return Decimal(0)
        return self.migration_one_off(w) / self.estate.horizon_months

    def egress_monthly(self, w: Workload, placement: dict[str, str]) -> Decimal:
        """Egress of w's own dependency edges under a placement (workload id -> location id)."""
        here = placement[w.id]
        return sum((self.edge_monthly(d, here, placement[d.workload]) for d in w.depends_on),
                   Decimal(0))
