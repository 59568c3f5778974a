"""The cost model: what a workload costs per month at a location, in the estate currency.

Conventions (also in the README, "Cost conventions"):
- run(w, l) = (cpu x cpu_hour + memory_gb x memory_gb_hour) x 730
  + sum over storage classes of GB x storage_gb_month(class); a class without a price at l
  makes l unavailable to w ("no <class> storage at <l>").
- licences(w, l) = cpu x the licence's monthly_per_vcpu at l (location id, else provider id,
  else default; none: l is unavailable to w).
- egress of an edge "w depends_on d" placed apart = receive_gb_month x path(loc of d -> loc of w)
  + send_gb_month x path(loc of w -> loc of d), where path(a -> b) is the cheapest declared
  price from a to b: egress_gb, egress_gb_same_provider (same provider), egress_gb_to[b]. The
  edge's cost is attributed to w (the caller).
- migration: migration_cost / horizon_months per month when w is placed away from where it runs;
  absent migration_cost defaults to moving the data out (every class's GB x the data-out price to
  the new location) plus one month of the current run cost (re-platforming effort). Data leaving
  a cloud provider for another provider is a switch (EU Data Act Art. 29): free from 2027-01-12,
  before that at the provider's at-cost rate (``switching_gb``, default the path's price).
Prices are converted with the estate's dated exchange rates; everything here is Decimal.
Estate-level terms (fixed costs, providers, commitments) are in ``advisor.placement.totals``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from advisor.errors import InputError
from advisor.estate.model import (
    HOURS_PER_MONTH,
    STORAGE_CLASSES,
    SWITCHING_FREE_FROM,
    Dependency,
    Estate,
    Location,
    Workload,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class LocalPrices:
    """A location's prices converted into the estate currency."""

    cpu_price_month: Decimal  # per vCPU requested for a month
    memory_price_gb_month: Decimal
    storage_price_gb_month: dict[str, Decimal]  # per storage class that has a price here
    egress_price_per_gb: Decimal
    fixed_monthly: Decimal = ZERO
    close_one_off: Decimal = ZERO
    book_value: Decimal = ZERO


class CostModel:
    """Prices every (workload, location) pair and every edge in the estate currency.

    ``as_of`` is the day the advice is given: it decides the switching charges (EU Data Act) and
    how much of each commitment is still to be paid (``advisor.placement.totals``)."""

    def __init__(self, estate: Estate, as_of: dt.date | None = None) -> None:
        self.estate = estate
        self.currency = estate.currency
        self.as_of = as_of or dt.date.today()
        self.horizon = Decimal(estate.horizon_months)
        self.locations = estate.location_by_id()
        self.provider_of = estate.provider_ids()
        self.prices: dict[str, LocalPrices] = {}
        for loc in estate.locations:
            self.prices[loc.id] = self._convert(loc)
        self.workloads = estate.workload_by_id()
        self._path: dict[tuple[str, str], Decimal] = {}
        for a in estate.locations:
            for b in estate.locations:
                if a.id != b.id:
                    self._path[(a.id, b.id)] = self._cheapest_path(a, b)
        self.licence_prices: dict[str, dict[str, Decimal | None]] = {}
        for lic in estate.licences:
            r = self.rate(lic.currency)
            self.licence_prices[lic.id] = {
                loc.id: None if (p := lic.price_at(loc.id, self.provider_of[loc.id])) is None
                else p * r for loc in estate.locations}

    def rate(self, currency: str | None) -> Decimal:
        """Units of the estate currency per unit of ``currency`` (None: the estate's own)."""
        if currency is None:
            return Decimal(1)
        found = self.estate.rate(currency)
        if found is None:
            raise InputError(f"no exchange rate for {currency}", file=self.estate.path,
                             hint="add it to exchange_rates")
        return found.rate

    def _convert(self, loc: Location) -> LocalPrices:
        p = loc.prices
        r = self.rate(p.currency)
        storage = {c: price * r for c in STORAGE_CLASSES
                   if (price := p.storage_price(c)) is not None}
        return LocalPrices(p.cpu_hour * r * HOURS_PER_MONTH, p.memory_gb_hour * r * HOURS_PER_MONTH,
                           storage, p.egress_gb * r, loc.fixed_monthly * r,
                           loc.close_one_off * r, loc.book_value * r)

    def _cheapest_path(self, a: Location, b: Location) -> Decimal:
        p = a.prices
        options = [p.egress_gb]
        if p.egress_gb_same_provider is not None and \
                self.provider_of[a.id] == self.provider_of[b.id]:
            options.append(p.egress_gb_same_provider)
        if b.id in p.egress_gb_to:
            options.append(p.egress_gb_to[b.id])
        return min(options) * self.rate(p.currency)

    # -- one workload at one location ------------------------------------------------------

    def unavailable(self, w: Workload, location_id: str) -> str | None:
        """Why the cost model cannot place w at the location (None: it can)."""
        if self.locations[location_id].saas:  # nothing moves in or out; its own bill counts
            return None if location_id == w.location else \
                f"{location_id} is SaaS: only its supplier runs workloads there"
        prices = self.prices[location_id]
        for cls, gb in w.resources.storage():
            if gb and cls not in prices.storage_price_gb_month:
                return f"no {cls} storage at {location_id}"
        for name in w.licences:
            if self.licence_prices[name][location_id] is None:
                return f"no price for licence {name} at {location_id}"
        return None

    def compute_monthly(self, w: Workload, location_id: str) -> Decimal:
        p = self.prices[location_id]
        return w.resources.cpu * p.cpu_price_month + w.resources.memory_gb * p.memory_price_gb_month

    def storage_monthly(self, w: Workload, location_id: str) -> Decimal:
        """Every storage class at its price here (a class without a price counts 0: the location
        is unavailable to w, see ``unavailable``)."""
        prices = self.prices[location_id].storage_price_gb_month
        return sum((gb * prices.get(cls, ZERO) for cls, gb in w.resources.storage() if gb),
                   ZERO)

    def run_monthly(self, w: Workload, location_id: str) -> Decimal:
        """Compute and storage at list price."""
        return self.compute_monthly(w, location_id) + self.storage_monthly(w, location_id)

    def licence_monthly(self, w: Workload, location_id: str) -> Decimal:
        total = ZERO
        for name in w.licences:
            price = self.licence_prices[name][location_id]
            total += w.resources.cpu * (price or ZERO)
        return total

    def path_price(self, from_id: str, to_id: str) -> Decimal:
        """Per GB from one location to another: the cheapest declared path (0 within one)."""
        return ZERO if from_id == to_id else self._path[(from_id, to_id)]

    def edge_monthly(self, dep: Dependency, caller_location: str, callee_location: str) -> Decimal:
        if caller_location == callee_location:
            return ZERO
        return dep.receive_gb_month * self.path_price(callee_location, caller_location) \
            + dep.send_gb_month * self.path_price(caller_location, callee_location)

    def egress_monthly(self, w: Workload, placement: dict[str, str]) -> Decimal:
        """Egress of w's own dependency edges under a placement (workload id -> location id)."""
        here = placement[w.id]
        return sum((self.edge_monthly(d, here, placement[d.workload]) for d in w.depends_on),
                   ZERO)

    # -- moving ---------------------------------------------------------------------------

    @property
    def switching_free(self) -> bool:
        return self.as_of >= SWITCHING_FREE_FROM

    def is_switch(self, from_id: str, to_id: str) -> bool:
        """Data leaving a cloud provider for another provider or for an own data centre (the
        Data Act's switching, Art. 2(34)); data leaving an own data centre is not (no provider
        charges it), and nothing moves out of a SaaS."""
        return self.locations[from_id].provider not in ("onprem", "saas") and \
            self.provider_of[from_id] != self.provider_of[to_id]

    def data_out_price(self, from_id: str, to_id: str) -> Decimal:
        """Per GB of data moved from one location to another when a workload moves."""
        path = self.path_price(from_id, to_id)
        if not self.is_switch(from_id, to_id):
            return path
        if self.switching_free:
            return ZERO
        at_cost = self.locations[from_id].prices.switching_gb
        if at_cost is None:
            return path
        return min(path, at_cost * self.rate(self.locations[from_id].prices.currency))

    def migration_one_off(self, w: Workload, location_id: str) -> Decimal:
        """What moving w to the location costs once (0 where it runs)."""
        if location_id == w.location:
            return ZERO
        if w.migration_cost is not None:
            return w.migration_cost
        return w.resources.total_storage_gb * self.data_out_price(w.location, location_id) \
            + self.run_monthly(w, w.location)

    def migration_monthly(self, w: Workload, location_id: str) -> Decimal:
        return self.migration_one_off(w, location_id) / self.horizon

    def switching_assumption(self) -> str:
        """The Data Act assumption behind every data-out price, for every output."""
        day = self.as_of.isoformat()
        if self.switching_free:
            return (f"switching charges as of {day}: data leaving a cloud provider for another "
                    "provider is free (EU Data Act Art. 29(1), from 2027-01-12)")
        return (f"switching charges as of {day}: data leaving a cloud provider for another "
                "provider is charged at most at cost (the location's switching_gb, default its "
                "egress price; EU Data Act Art. 29(2)-(3)); free from 2027-01-12 "
                "(Art. 29(1); --as-of 2027-01-12 shows that)")
