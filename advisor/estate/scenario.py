"""Scenarios: named sets of changes to the estate, and the estate each one gives.

A scenario changes prices (``price_factors`` by location or provider id), closes locations from
a day on, excludes providers, adds exchange rates, changes capacity, adds policy packs and
changes the horizon. ``apply`` returns the changed estate and the locations no workload may use;
the pipeline (``advisor.scenarios``) analyzes it like the base estate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from advisor.errors import InputError
from advisor.estate.model import Capacity, Estate, ExchangeRate, Location, PackRef, SourceRef
from advisor.estate.yamlfile import nearest


@dataclass(frozen=True)
class Closure:
    location: str
    from_: dt.date


@dataclass(frozen=True)
class CapacityChange:
    location: str
    cpu: Decimal | None = None
    memory_gb: Decimal | None = None
    storage_gb: Decimal | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str = ""
    price_factors: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=False)
    close: tuple[Closure, ...] = ()
    exclude_providers: tuple[str, ...] = ()
    exchange_rates: tuple[ExchangeRate, ...] = ()
    capacity: tuple[CapacityChange, ...] = ()
    policies: tuple[str, ...] = ()  # builtin:NAME or a path (resolved against its file)
    horizon_months: int | None = None
    source: SourceRef | None = field(default=None, compare=False)


@dataclass
class Applied:
    """The estate of a scenario: the changed estate, the locations no workload may use (closed
    within the horizon, or of an excluded provider) and what the changes mean."""

    estate: Estate
    banned: frozenset[str]
    notes: list[str]


def horizon_end(as_of: dt.date, months: int) -> dt.date:
    """The first day after a horizon of ``months`` from ``as_of`` (same day of the month, or the
    month's last day)."""
    import calendar

    total = as_of.month - 1 + months
    year, month = as_of.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(as_of.day, calendar.monthrange(year, month)[1]))


def apply(estate: Estate, scenario: Scenario, as_of: dt.date) -> Applied:
    """The estate as the scenario changes it (the base estate is left as it is)."""
    provider_of = estate.provider_ids()
    notes: list[str] = []
    horizon = scenario.horizon_months or estate.horizon_months
    end = horizon_end(as_of, horizon)
    closed: set[str] = set()
    for c in scenario.close:
        if c.from_ < end:
            closed.add(c.location)
            notes.append(f"{c.location} closes from {c.from_.isoformat()}, within the horizon "
                         f"(until {end.isoformat()}): every workload that may move leaves it")
        else:
            notes.append(f"{c.location} closes from {c.from_.isoformat()}, after the horizon "
                         f"(until {end.isoformat()}): no effect on this placement")
    capacity = {c.location: c for c in scenario.capacity}
    pinned = {w.location for w in estate.workloads if w.pinned}
    locations = []
    for loc in estate.locations:
        factor = (scenario.price_factors.get(loc.id, Decimal(1))
                  * (scenario.price_factors.get(provider_of[loc.id], Decimal(1))
                     if provider_of[loc.id] != loc.id else Decimal(1)))
        if factor != 1:
            loc = _scaled(loc, factor)
        if loc.id in capacity:
            loc = replace(loc, capacity=_capacity(loc.capacity, capacity[loc.id]))
        if loc.id in closed and loc.id not in pinned:
            loc = replace(loc, can_close=True)  # it may empty and stop its fixed cost
        locations.append(loc)
    banned = set(closed)
    for p in scenario.exclude_providers:
        banned |= {k for k, v in provider_of.items() if v == p}
    rates = {(r.currency, r.date): r for r in estate.exchange_rates}
    rates.update({(r.currency, r.date): r for r in scenario.exchange_rates})
    known = {ref.name for ref in estate.policies}
    packs = [*estate.policies, *(PackRef(name, None if name.startswith("builtin:") else name,
                                         scenario.source)
                                 for name in scenario.policies if name not in known)]
    changed = replace(estate, locations=locations, horizon_months=horizon,
                      exchange_rates=sorted(rates.values(), key=lambda r: (r.currency, r.date)),
                      policies=packs)
    return Applied(changed, frozenset(banned), notes)


def _scaled(loc: Location, factor: Decimal) -> Location:
    p = loc.prices

    def f(v: Decimal | None) -> Decimal | None:
        return None if v is None else v * factor

    prices = replace(p, cpu_hour=p.cpu_hour * factor, memory_gb_hour=p.memory_gb_hour * factor,
                     storage_gb_month=p.storage_gb_month * factor, egress_gb=p.egress_gb * factor,
                     storage_by_class=None if p.storage_by_class is None else
                     {k: v * factor for k, v in p.storage_by_class.items()},
                     egress_gb_same_provider=f(p.egress_gb_same_provider),
                     egress_gb_to={k: v * factor for k, v in p.egress_gb_to.items()},
                     switching_gb=f(p.switching_gb))
    return replace(loc, prices=prices, fixed_monthly=loc.fixed_monthly * factor)


def _capacity(cap: Capacity | None, change: CapacityChange) -> Capacity:
    cap = cap or Capacity()
    return Capacity(cap.cpu if change.cpu is None else change.cpu,
                    cap.memory_gb if change.memory_gb is None else change.memory_gb,
                    cap.storage_gb if change.storage_gb is None else change.storage_gb)


def problems(estate: Estate, scenarios: list[Scenario]) -> list[InputError]:
    """Every scenario change that names a location or provider the estate does not have."""
    from advisor.estate.cost_checks import at

    locations = {loc.id: loc for loc in estate.locations}
    providers = {p: p for p in estate.provider_ids().values()} | {p.id: p.id
                                                                  for p in estate.providers}
    out: list[InputError] = []

    def hint(word: str, known: Mapping[str, object], what: str) -> str:
        near = nearest(word, known)
        return (f"did you mean '{near}'? " if near else "") + \
            f"known {what}: {', '.join(sorted(known))}"

    both = {**locations, **{p: p for p in providers}}
    seen: set[str] = set()
    for s in scenarios:
        if s.name in seen:
            out.append(at(s.source, ("name",), f"duplicate scenario name '{s.name}'",
                          "give each scenario a unique name"))
        seen.add(s.name)
        for key in s.price_factors:
            if key not in both:
                out.append(at(s.source, ("price_factors", key),
                              f"scenario '{s.name}': unknown location or provider '{key}'",
                              hint(key, both, "locations and providers")))
        named: list[tuple[tuple[str | int, ...], str, Mapping[str, object], str]] = [
            (("close", i, "location"), c.location, locations, "location")
                 for i, c in enumerate(s.close)]
        named += [(("exclude_providers", i), p, providers, "provider")
                  for i, p in enumerate(s.exclude_providers)]
        named += [(("capacity", i, "location"), c.location, locations, "location")
                  for i, c in enumerate(s.capacity)]
        for keypath, ident, known, what in named:
            if ident not in known:
                out.append(at(s.source, keypath, f"scenario '{s.name}': unknown {what} '{ident}'",
                              hint(ident, known, what + "s")))
        for i, r in enumerate(s.exchange_rates):
            if r.currency == estate.currency:
                out.append(at(s.source, ("exchange_rates", i, "currency"),
                              f"scenario '{s.name}': a rate for the estate currency "
                              f"{estate.currency} itself",
                              "remove it; amounts in the estate currency need no rate"))
    return out
