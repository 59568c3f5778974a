"""The estate: locations, workloads, dependencies and the money they are priced in.

Plain frozen values, built by ``advisor.estate.load`` from the user's files and by connectors.
Money is ``Decimal``; every amount names its unit and period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.estate.sources import SourceSettings

HOURS_PER_MONTH = Decimal(730)

PROVIDERS = ("onprem", "aws", "azure", "gcp", "other")
JURISDICTIONS = ("EU", "EEA", "ADEQUATE", "OTHER")

# Labels whose values the built-in rules give a meaning. Other labels are free.
KNOWN_LABEL_VALUES: dict[str, tuple[str, ...]] = {
    "personal-data": ("none", "personal", "special"),
    "data-classification": ("public", "internal", "confidential", "secret"),
    "nis2": ("none", "important", "essential"),
    "bio-risk": ("low", "medium", "high"),
}


@dataclass(frozen=True)
class SourceRef:
    """Where a value was defined: the file and its key path (the line is found on demand)."""

    file: str
    keypath: tuple[str | int, ...] = ()

    @property
    def line(self) -> int | None:
        from advisor.estate.yamlfile import line_of

        return line_of(self.file, self.keypath)


@dataclass(frozen=True)
class ExchangeRate:
    """Units of the estate currency per one unit of ``currency``, valid on ``date``."""

    currency: str
    rate: Decimal
    date: dt.date


@dataclass(frozen=True)
class Prices:
    """A location's unit prices, in ``currency``."""

    currency: str
    cpu_hour: Decimal
    memory_gb_hour: Decimal
    storage_gb_month: Decimal
    egress_gb: Decimal


@dataclass(frozen=True)
class Capacity:
    """How much a location can hold; None means unbounded."""

    cpu: Decimal | None = None
    memory_gb: Decimal | None = None
    storage_gb: Decimal | None = None


@dataclass(frozen=True)
class Tco:
    """The real monthly cost of on-premise hardware, spread over its capacity into unit prices.

    monthly = hardware_cost / amortization_months + power_kw x 730 x power_price_kwh
              + facilities_monthly + staff_monthly
    cpu_hour = monthly x cpu_share / (capacity cpu x 730)
    memory_gb_hour = monthly x (1 - cpu_share) / (capacity memory_gb x 730)
    """

    hardware_cost: Decimal
    amortization_months: Decimal
    power_kw: Decimal = Decimal(0)
    power_price_kwh: Decimal = Decimal(0)
    facilities_monthly: Decimal = Decimal(0)
    staff_monthly: Decimal = Decimal(0)
    cpu_share: Decimal = Decimal("0.5")

    def monthly_cost(self) -> Decimal:
        return (self.hardware_cost / self.amortization_months
                + self.power_kw * HOURS_PER_MONTH * self.power_price_kwh
                + self.facilities_monthly + self.staff_monthly)

    def hourly_prices(self, cpu: Decimal, memory_gb: Decimal) -> tuple[Decimal, Decimal]:
        """(cpu_hour, memory_gb_hour) for a location holding ``cpu`` cores and ``memory_gb``."""
        monthly = self.monthly_cost()
        return (monthly * self.cpu_share / (cpu * HOURS_PER_MONTH),
                monthly * (1 - self.cpu_share) / (memory_gb * HOURS_PER_MONTH))


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    provider: str
    region: str
    country: str
    jurisdiction: str
    cloud_act: bool
    prices: Prices
    certifications: tuple[str, ...] = ()
    sovereignty_level: int | None = None
    capacity: Capacity | None = None
    latency_ms: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=False)
    source: SourceRef | None = field(default=None, compare=False)
    tco: Tco | None = None  # when given, cpu_hour / memory_gb_hour may be derived from it
    # Declared security properties (None = not declared, which no rule counts as true).
    encryption_at_rest: bool | None = None
    customer_managed_keys: bool | None = None
    public_cloud: bool | None = None  # None: derived from provider (everything but onprem)
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def attribute(self, name: str) -> Any:
        """The value a policy ``require`` clause compares against."""
        if name == "public_cloud" and self.public_cloud is None:
            return self.provider != "onprem"
        return getattr(self, name)


@dataclass(frozen=True)
class Resources:
    """Requested resources: cores, GB of memory, GB of storage."""

    cpu: Decimal
    memory_gb: Decimal
    storage_gb: Decimal = Decimal(0)


@dataclass(frozen=True)
class Usage:
    """Measured use over a window (95th percentiles)."""

    cpu_p95: Decimal | None = None
    memory_gb_p95: Decimal | None = None


@dataclass(frozen=True)
class Dependency:
    """``workload`` is called by the owner of this edge; traffic is per month in GB."""

    workload: str
    receive_gb_month: Decimal = Decimal(0)
    send_gb_month: Decimal = Decimal(0)
    colocate: bool = False
    max_latency_ms: Decimal | None = None


@dataclass(frozen=True)
class CostMatch:
    """How billing rows are attributed to a workload (used by the ledger)."""

    tags: tuple[tuple[str, str], ...] = ()
    resource_id: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    namespace: tuple[str, ...] = ()


@dataclass(frozen=True)
class Workload:
    id: str
    name: str
    application: str
    location: str
    resources: Resources
    owner: str = ""
    labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    usage: Usage | None = None
    migration_cost: Decimal | None = None
    pinned: bool = False
    depends_on: tuple[Dependency, ...] = ()
    cost_match: CostMatch | None = None
    source: SourceRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PackRef:
    """A policy pack named in advisor.yaml: ``builtin:NAME`` or a path."""

    name: str
    path: str | None  # None for built-in packs
    source: SourceRef | None = None


@dataclass
class Estate:
    """Everything the advisor knows about an organisation, from its files and sources."""

    name: str
    currency: str
    locations: list[Location]
    workloads: list[Workload]
    exchange_rates: list[ExchangeRate] = field(default_factory=list)
    inhabitants: int | None = None
    horizon_months: int = 36
    policies: list[PackRef] = field(default_factory=list)
    sources: list[SourceSettings] = field(default_factory=list)  # checked, typed settings
    path: str | None = None  # the advisor.yaml this came from
    files: dict[str, str] = field(default_factory=dict)  # kind -> path, for reporting

    def location_by_id(self) -> dict[str, Location]:
        return {loc.id: loc for loc in self.locations}

    def workload_by_id(self) -> dict[str, Workload]:
        return {w.id: w for w in self.workloads}

    def rate(self, currency: str) -> ExchangeRate | None:
        """The dated rate for ``currency`` into the estate currency (the latest if several)."""
        if currency == self.currency:
            return ExchangeRate(currency, Decimal(1), dt.date.min)
        found = [r for r in self.exchange_rates if r.currency == currency]
        return max(found, key=lambda r: r.date) if found else None
