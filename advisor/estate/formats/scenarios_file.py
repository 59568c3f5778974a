"""The scenarios file (``scenarios:`` list, or the same list inline in advisor.yaml): named sets of
changes to the estate that ``advisor analyze --scenario`` and ``advisor report`` run beside the
base analysis ("what if Azure costs 15% more", "what if the second data centre's lease ends")."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, model_validator

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import (
    Amount,
    Below,
    Currency,
    Day,
    Ident,
    MapOf,
    Num,
    Positive,
    Text,
    TextList,
    Whole,
    fail,
    fail_many,
)
from advisor.estate.model import ExchangeRate, SourceRef
from advisor.estate.scenario import CapacityChange, Closure, Scenario


class CloseEntry(Format):
    """A location that can hold no workload from a day on (a lease or a contract that ends)."""

    location: Ident = Field(description="The location id.", examples=["onprem-dc2"])
    from_: Day = Field(alias="from", description="The first day it is closed (YYYY-MM-DD). A day "
                                                 "after the horizon changes nothing (a note "
                                                 "says so).")


class CapacityChangeEntry(Format):
    """New capacity for a location (a resource left out keeps today's bound)."""

    location: Ident = Field(description="The location id.", examples=["onprem-dc1"])
    cpu: Amount | None = Field(None, description="vCPUs that fit.")
    memory_gb: Amount | None = Field(None, description="GB of memory.")
    storage_gb: Amount | None = Field(None, description="GB of storage, every class together.")

    @model_validator(mode="after")
    def _something(self) -> CapacityChangeEntry:
        if self.cpu is None and self.memory_gb is None and self.storage_gb is None:
            raise fail_many("capacity", [((), fail(
                "a capacity change without cpu, memory_gb or storage_gb",
                "give at least one of cpu, memory_gb, storage_gb"), None)])
        return self


class ScenarioRateEntry(Format):
    """A dated exchange rate for the scenario (replaces today's rate of that day, else is added;
    the latest rate of a currency is used)."""

    currency: Currency = Field(description="ISO 4217 code.", examples=["USD"])
    rate: Positive = Field(description="Units of the estate currency per unit of this one.")
    date: Day = Field(description="The day the rate holds (YYYY-MM-DD).")


FACTOR = Num(positive=True, range_text="a price factor must be more than 0",
             range_hint="1.15 is 15% dearer, 0.9 is 10% cheaper")


class ScenarioEntry(Format):
    """One scenario: a name and the changes it makes to the estate. Every change is optional;
    a scenario with none repeats the base analysis."""

    name: Ident = Field(description="Unique name, shown in every output.",
                        examples=["azure-plus-15"])
    description: Text | None = Field(None, description="What the scenario asks, for people.")
    price_factors: Annotated[dict[str, Decimal], MapOf(FACTOR, "location or provider id -> "
                                                               "factor", names="location or "
                                                                               "provider")] = \
        Field(default_factory=dict,
              description="Multiply a location's unit prices (cpu, memory, storage, egress, "
                          "switching) and its fixed_monthly by a factor, by location id or "
                          "provider id (both given: both apply).",
              examples=[{"azure": 1.15}])
    close: list[CloseEntry] = Field(default_factory=list,
                                    description="Locations that close from a day on.")
    exclude_providers: TextList = Field((), description="Providers no workload may use (pinned "
                                                        "and SaaS workloads stay).",
                                        examples=[["aws", "azure"]])
    exchange_rates: list[ScenarioRateEntry] = Field(default_factory=list,
                                                    description="Other exchange rates.")
    capacity: list[CapacityChangeEntry] = Field(default_factory=list,
                                                description="New capacity for locations.")
    policies: TextList = Field((), description="Extra policy packs: builtin:NAME or a path "
                                               "(relative to the file that names it).",
                               examples=[["builtin:sovereignty"]])
    horizon_months: Annotated[int, Whole(1)] | None = Field(
        None, description="Another horizon over which one-off costs are spread.")

    def to_scenario(self, source: SourceRef | None) -> Scenario:
        """The scenario; a pack path is taken relative to the file that names it."""
        from pathlib import Path

        folder = Path(source.file).parent if source else Path(".")
        return Scenario(
            name=self.name, description=self.description or "",
            price_factors=dict(self.price_factors),
            close=tuple(Closure(c.location, c.from_) for c in self.close),
            exclude_providers=self.exclude_providers,
            exchange_rates=tuple(ExchangeRate(r.currency, r.rate, r.date)
                                 for r in self.exchange_rates),
            capacity=tuple(CapacityChange(c.location, c.cpu, c.memory_gb, c.storage_gb)
                           for c in self.capacity),
            policies=tuple(p if p.startswith("builtin:") else str(folder / p)
                           for p in self.policies),
            horizon_months=self.horizon_months, source=source)


class ScenariosFile(Format):
    """A scenarios file: the named scenarios to run beside the base analysis."""

    scenarios: list[ScenarioEntry] = Field(description="The scenarios, each a set of changes.")

    @model_validator(mode="after")
    def _unique(self) -> ScenariosFile:
        errors = unique_names(self.scenarios, ("scenarios",))
        if errors:
            raise fail_many("scenarios", errors)
        return self


def unique_names(entries: list[ScenarioEntry], prefix: tuple[Any, ...]) -> list[Below]:
    """An error for every scenario whose name an earlier one already has, or that is "base"."""
    seen: set[str] = set()
    out: list[Below] = []
    for i, s in enumerate(entries):
        if s.name == "base":  # the base plan's name beside the scenarios (tables, budget CSV)
            out.append(((*prefix, i, "name"), fail("the scenario name 'base' is the base plan's",
                                                   "give the scenario another name"), s.name))
        if s.name in seen:
            out.append(((*prefix, i, "name"), fail(f"duplicate scenario name '{s.name}'",
                                                   "give each scenario a unique name"), s.name))
        seen.add(s.name)
    return out
