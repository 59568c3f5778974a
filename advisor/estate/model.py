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
# The organisation's status under NIS2 / the Dutch Cyberbeveiligingswet (Cbw).
NIS2_ENTITIES = ("essential", "important", "none")
# Who holds the keys that encrypt data at rest, from the weakest to the strongest protection
# against a provider that is compelled to hand data over (docs/ci.md#key-custody).
KEY_CUSTODY = ("provider-managed", "customer-managed-in-provider-hsm",
               "customer-managed-dedicated-hsm", "external", "client-side", "own")
# How personal data may lawfully leave the EU/EEA (GDPR chapter V), as declared for a location
# or its provider: adequacy (art. 45), the EU-US Data Privacy Framework (art. 45, decision
# (EU) 2023/1795, certified importers only), standard contractual clauses or binding corporate
# rules (art. 46), or none.
TRANSFER_MECHANISMS = ("adequacy", "dpf", "scc", "bcr", "none")
# Independent evidence that a supplier's controls exist and work (BIO2 5.20.03): type II reports
# cover the operation over a period, type I only the design at a date.
EVIDENCE_TYPES = ("ISAE3402-I", "ISAE3402-II", "ISAE3000-I", "ISAE3000-II", "SOC2-I", "SOC2-II",
                  "ISO27001", "ISO27017", "ISO27018", "NEN7510", "C5-I", "C5", "SecNumCloud",
                  "TPM")
# The sovereignty objectives of the EU Cloud Sovereignty Framework (v1.2.1, October 2025), each
# assessed at a SEAL (Sovereignty Effectiveness Assurance Level) 0-4.
SEAL_OBJECTIVES = tuple(f"SOV-{i}" for i in range(1, 9))
# State classification (rubricering, VIR-BI 2013): Departementaal Vertrouwelijk and the state
# secret levels Stg. Confidentieel, Stg. Geheim, Stg. Zeer Geheim.
RUBRICERING = ("none", "dep-v", "stg-c", "stg-g", "stg-zg")

# Labels whose values the built-in rules give a meaning. Other labels are free.
KNOWN_LABEL_VALUES: dict[str, tuple[str, ...]] = {
    "personal-data": ("none", "personal", "special", "criminal"),
    "data-classification": ("public", "internal", "confidential", "secret"),
    "rubricering": RUBRICERING,
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
class Evidence:
    """Independent assurance on a supplier's service (BIO2 5.20.03): a report or certificate of
    ``type`` whose scope ``covers`` the service, valid through ``valid_until``. Declared on a
    provider, it holds for the provider's locations (or only ``locations`` when given)."""

    type: str
    covers: str
    valid_until: dt.date
    reference: str | None = None
    issuer: str | None = None
    locations: tuple[str, ...] = ()
    source: SourceRef | None = field(default=None, compare=False)

    def current(self, today: dt.date) -> bool:
        return self.valid_until >= today


@dataclass(frozen=True)
class ExitPlan:
    """A supplier's exit strategy (BIO2 5.20.06): the document's reference and its date."""

    reference: str
    date: dt.date


@dataclass(frozen=True)
class Provider:
    """A supplier under contract: a cloud provider, a colocation, a SaaS vendor. Its locations
    are the ones it lists in ``locations``, or that name it with ``supplier``, or (when it
    lists none) every location whose provider is its id."""

    id: str
    name: str
    exit_plan: ExitPlan | None = None
    assurance: tuple[Evidence, ...] = ()
    dpf_certified: bool | None = None
    transfer_mechanism: str | None = None
    source: SourceRef | None = field(default=None, compare=False)
    locations: tuple[str, ...] = ()  # declared; empty: by the locations' provider


@dataclass(frozen=True)
class Organisation:
    """The organisation's legal status: NIS2/Cbw entity (None: not declared) and whether BIO2
    applies (None: not declared)."""

    nis2_entity: str | None = None
    bio2: bool | None = None
    source: SourceRef | None = field(default=None, compare=False)


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
    # EU Cloud Sovereignty Framework: the overall SEAL and the per-objective ones (SOV-1..8).
    # ``sovereignty_level`` above is the deprecated name of ``seal`` (the loader maps it).
    seal: int | None = None
    seal_objectives: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    key_custody: str | None = None
    transfer_mechanism: str | None = None
    dpf_certified: bool | None = None
    assurance: tuple[Evidence, ...] = ()
    accredited_for: tuple[str, ...] = ()
    supplier: str | None = None  # a providers entry id (declared)
    deprecated: tuple[str, ...] = field(default=(), compare=False)  # old keys it was read from

    def custody(self) -> str | None:
        """Key custody as declared, else read from the deprecated customer_managed_keys: own
        keys on premises, keys in the provider's key service elsewhere."""
        if self.key_custody is not None or self.customer_managed_keys is None:
            return self.key_custody
        if not self.customer_managed_keys:
            return "provider-managed"
        return "own" if self.provider == "onprem" else "customer-managed-in-provider-hsm"

    def attribute(self, name: str) -> Any:
        """The value of a declared attribute a policy clause compares against (the date- and
        provider-dependent ones come from ``advisor.rules.facts``)."""
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
    providers: list[Provider] = field(default_factory=list)
    organisation: Organisation = field(default_factory=Organisation)
    # Deprecated keys read under their new names: (what, where) for the outputs' notes.
    deprecations: list[tuple[str, SourceRef | None]] = field(default_factory=list)

    def location_by_id(self) -> dict[str, Location]:
        return {loc.id: loc for loc in self.locations}

    def workload_by_id(self) -> dict[str, Workload]:
        return {w.id: w for w in self.workloads}

    def provider_of(self, loc: Location) -> Provider | None:
        """The providers entry whose contract covers ``loc``: the one it names with
        ``supplier``, else the one that lists it in ``locations``, else the one whose id is its
        provider (when that entry lists no locations)."""
        if loc.supplier:
            return next((p for p in self.providers if p.id == loc.supplier), None)
        listed = next((p for p in self.providers if loc.id in p.locations), None)
        if listed is not None:
            return listed
        return next((p for p in self.providers if p.id == loc.provider and not p.locations),
                    None)

    def supplier_of(self, loc: Location) -> str | None:
        """The supplier a location depends on: its providers entry (see ``provider_of``), else
        its provider (a SaaS location without an entry: itself; an own data centre without an
        entry has none)."""
        entry = self.provider_of(loc)
        if entry is not None:  # an entry for onprem (its costs) is no supplier
            return None if entry.id == "onprem" else entry.id
        if loc.supplier:
            return loc.supplier
        if loc.provider == "saas":  # each SaaS location is its own vendor's service
            return loc.id
        return None if loc.provider == "onprem" else loc.provider

    def rate(self, currency: str) -> ExchangeRate | None:
        """The dated rate for ``currency`` into the estate currency (the latest if several)."""
        if currency == self.currency:
            return ExchangeRate(currency, Decimal(1), dt.date.min)
        found = [r for r in self.exchange_rates if r.currency == currency]
        return max(found, key=lambda r: r.date) if found else None
