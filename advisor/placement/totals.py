"""What one placement costs, exactly, split into the lines a controller checks.

Per workload: run (compute and storage at list price), licences, egress (its own edges) and, when
it moves, its one-off migration. For the estate: each location's ``fixed_monthly`` while it is
open, each provider's ``fixed_monthly`` while it is used, each commitment's fee less the list
value it covers (``advisor.placement.commitments``), and the one-offs of starting to use a
provider (``onboarding_one_off``) and of closing a location (``close_one_off``), which are spread
over the horizon like migration. A location is open when it holds a workload, or when it held one
today and may not close (or closing costs more than keeping it); a provider is used when one of
its locations is open. A closed
location's ``book_value`` is shown as a write-off and never counted: it is sunk.

    monthly cost = run + licences + egress + fixed (locations, providers) + commitments
    objective    = recommended monthly cost + (migration + onboarding + closing) / horizon
                   + warning penalties
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from advisor.placement.commitments import Commitments, Line
from advisor.placement.costs import CostModel

ZERO = Decimal(0)


@dataclass(frozen=True)
class ProviderTerms:
    """A provider as a decision, in the estate currency."""

    id: str
    locations: tuple[str, ...]
    onboarding_one_off: Decimal
    fixed_monthly: Decimal
    used_today: bool


@dataclass
class Facilities:
    """The estate-level terms that follow from which locations are open."""

    open: set[str]
    used: set[str]  # providers with costs that are used
    fixed: dict[str, Decimal]  # open location -> fixed_monthly
    providers: dict[str, Decimal]  # used provider -> fixed_monthly
    onboarding: dict[str, Decimal]  # provider used from now on -> one-off
    closing: dict[str, Decimal]  # location closed -> one-off
    write_off: dict[str, Decimal]  # location closed -> book value (sunk)


@dataclass
class PlacementCosts:
    """One placement's cost, every line exact."""

    run: dict[str, Decimal]
    licences: dict[str, Decimal]
    egress: dict[str, Decimal]
    migration: dict[str, Decimal]  # one-off, per workload that moves
    facilities: Facilities
    commitments: list[Line] = field(default_factory=list)

    def workload_monthly(self, workload_id: str) -> Decimal:
        return self.run[workload_id] + self.licences[workload_id] + self.egress[workload_id]

    @property
    def fixed_monthly(self) -> Decimal:
        return sum(self.facilities.fixed.values(), ZERO)

    @property
    def provider_monthly(self) -> Decimal:
        return sum(self.facilities.providers.values(), ZERO)

    @property
    def commitment_monthly(self) -> Decimal:
        return sum((c.net for c in self.commitments), ZERO)

    def split(self) -> dict[str, Decimal]:
        """The monthly cost by line (they add up to ``monthly``)."""
        return {"run": sum(self.run.values(), ZERO),
                "licences": sum(self.licences.values(), ZERO),
                "egress": sum(self.egress.values(), ZERO),
                "fixed_locations": self.fixed_monthly,
                "fixed_providers": self.provider_monthly,
                "commitments": self.commitment_monthly}

    @property
    def monthly(self) -> Decimal:
        return sum(self.split().values(), ZERO)

    def one_offs(self) -> dict[str, Decimal]:
        """The one-off costs by kind."""
        return {"migration": sum(self.migration.values(), ZERO),
                "onboarding": sum(self.facilities.onboarding.values(), ZERO),
                "closing": sum(self.facilities.closing.values(), ZERO)}


class EstateCosts:
    """The estate-level terms of the cost model: fixed costs, providers and commitments."""

    def __init__(self, model: CostModel) -> None:
        self.model = model
        estate = model.estate
        self.today = {w.id: w.location for w in estate.workloads}
        self.open_today = set(self.today.values())
        self.closable = {loc.id for loc in estate.locations if loc.closable}
        provider_of = model.provider_of
        self.providers: list[ProviderTerms] = []
        for p in sorted(estate.providers, key=lambda p: p.id):
            locs = tuple(sorted(k for k, v in provider_of.items() if v == p.id))
            r = model.rate(p.currency)
            self.providers.append(ProviderTerms(p.id, locs, p.onboarding_one_off * r,
                                                p.fixed_monthly * r,
                                                any(loc in self.open_today for loc in locs)))
        rates: dict[str | None, Decimal] = {None: Decimal(1)}
        for c in estate.commitments:
            rates[c.currency] = model.rate(c.currency)
        self.commitments = Commitments(
            estate.commitments, as_of=model.as_of, horizon=estate.horizon_months,
            provider_of=provider_of, rate=rates,
            cpu_price={k: p.cpu_price_month for k, p in model.prices.items()},
            memory_price={k: p.memory_price_gb_month for k, p in model.prices.items()})

    def is_open(self, location_id: str, holds: int) -> bool:
        """Open when it holds a workload, or when it is open today and may not close, or when
        closing it costs more than keeping it (close_one_off / horizon > fixed_monthly)."""
        if holds > 0:
            return True
        if location_id not in self.open_today:
            return False
        p = self.model.prices[location_id]
        return location_id not in self.closable or \
            p.close_one_off / self.model.horizon > p.fixed_monthly

    def facilities(self, counts: Mapping[str, int]) -> Facilities:
        """The fixed terms for a placement that puts ``counts[l]`` workloads at each location."""
        prices = self.model.prices
        opened = {loc for loc in prices if self.is_open(loc, counts.get(loc, 0))}
        fixed = {loc: prices[loc].fixed_monthly for loc in sorted(opened)
                 if prices[loc].fixed_monthly}
        closing, write_off = {}, {}
        for loc in sorted(self.open_today - opened):
            if prices[loc].close_one_off:
                closing[loc] = prices[loc].close_one_off
            if prices[loc].book_value:
                write_off[loc] = prices[loc].book_value
        used: set[str] = set()
        provider_fixed, onboarding = {}, {}
        for p in self.providers:
            if any(loc in opened for loc in p.locations):
                used.add(p.id)
                if p.fixed_monthly:
                    provider_fixed[p.id] = p.fixed_monthly
                if not p.used_today and p.onboarding_one_off:
                    onboarding[p.id] = p.onboarding_one_off
        return Facilities(opened, used, fixed, provider_fixed, onboarding, closing, write_off)

    def usage(self, placement: Mapping[str, str]) -> dict[str, tuple[Decimal, Decimal]]:
        """(vCPUs, GB of memory) per location."""
        out: dict[str, tuple[Decimal, Decimal]] = {}
        for w in self.model.estate.workloads:
            loc = placement[w.id]
            cpu, mem = out.get(loc, (ZERO, ZERO))
            out[loc] = (cpu + w.resources.cpu, mem + w.resources.memory_gb)
        return out

    def costs(self, placement: Mapping[str, str]) -> PlacementCosts:
        """Every line of a placement (workload id -> location id)."""
        m = self.model
        where = dict(placement)
        run, lic, egress, migration = {}, {}, {}, {}
        for w in m.estate.workloads:
            here = where[w.id]
            run[w.id] = m.run_monthly(w, here)
            lic[w.id] = m.licence_monthly(w, here)
            egress[w.id] = m.egress_monthly(w, where)
            if here != w.location:
                migration[w.id] = m.migration_one_off(w, here)
        counts = Counter(where[w.id] for w in m.estate.workloads)
        lines = self.commitments.lines(self.usage(where)) if self.commitments else []
        return PlacementCosts(run, lic, egress, migration, self.facilities(counts), lines)

    def objective(self, placement: Mapping[str, str], penalty: Decimal = ZERO) -> Decimal:
        """What the optimizer minimizes: the monthly cost, the one-offs over the horizon and the
        warning penalties (given)."""
        c = self.costs(placement)
        return c.monthly + sum(c.one_offs().values(), ZERO) / self.model.horizon + penalty
