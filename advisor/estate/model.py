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
    from advisor.estate.scenario import Scenario
    from advisor.estate.sources import SourceSettings

HOURS_PER_MONTH = Decimal(730)

PROVIDERS = ("onprem", "aws", "azure", "gcp", "other", "saas")
# Storage classes a workload can use and a location can price: block (disks, the default),
# file (shares), object (S3-style buckets), archive (cold tiers, tape).
STORAGE_CLASSES = ("block", "file", "object", "archive")
# From this day a cloud provider may not charge for switching, data egress included (EU Data Act,
# Regulation (EU) 2023/2854, Art. 29(1)); before it, at most the costs directly linked to the
# switch (Art. 29(2)-(3)).
SWITCHING_FREE_FROM = dt.date(2027, 1, 12)
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
    """A location's unit prices, in ``currency``.

    ``storage_gb_month`` is the price of block storage, and of every class when
    ``storage_by_class`` is None (one number in the file); with a map, a class that is not in it
    has no price here. Traffic from this location to another costs the cheapest declared path:
    ``egress_gb`` (the internet, other providers), ``egress_gb_same_provider`` (another location
    of the same provider) or ``egress_gb_to[location]`` (a private link)."""

    currency: str
    cpu_hour: Decimal
    memory_gb_hour: Decimal
    storage_gb_month: Decimal
    egress_gb: Decimal
    storage_by_class: dict[str, Decimal] | None = field(default=None, hash=False, compare=False)
    egress_gb_same_provider: Decimal | None = None
    egress_gb_to: dict[str, Decimal] = field(default_factory=dict, hash=False, compare=False)
    switching_gb: Decimal | None = None  # the at-cost rate for data leaving on a switch

    def storage_price(self, storage_class: str) -> Decimal | None:
        """The price of one GB-month of ``storage_class`` here; None when it has no price."""
        if self.storage_by_class is None:
            return self.storage_gb_month
        return self.storage_by_class.get(storage_class)


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
    # Physical cores, and how many vCPUs each one gives: vCPUs = cores x threads_per_core x
    # overcommit (None: the location's capacity.cpu is the vCPU count).
    cores: Decimal | None = None
    threads_per_core: Decimal = Decimal(1)
    overcommit: Decimal = Decimal(1)

    @property
    def vcpus(self) -> Decimal | None:
        """The vCPUs the hardware offers, when its cores are given."""
        if self.cores is None:
            return None
        return self.cores * self.threads_per_core * self.overcommit

    def monthly_cost(self) -> Decimal:
        return (self.hardware_cost / self.amortization_months
                + self.power_kw * HOURS_PER_MONTH * self.power_price_kwh
                + self.facilities_monthly + self.staff_monthly)

    def hourly_prices(self, cpu: Decimal, memory_gb: Decimal) -> tuple[Decimal, Decimal]:
        """(cpu_hour, memory_gb_hour) for a location holding ``cpu`` vCPUs and ``memory_gb``."""
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
    # As a decision: what it costs to start using it (landing zone, connectivity, contract) and
    # every month while any of its locations holds a workload, in ``currency`` (None: the
    # estate currency).
    onboarding_one_off: Decimal = Decimal(0)
    fixed_monthly: Decimal = Decimal(0)
    currency: str | None = None


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
    # Facility costs, in the location's price currency: paid every month while it holds any
    # workload; to close it once (when it may close); the hardware's remaining book value (sunk:
    # shown as the write-off a closure causes, never counted in the decision).
    fixed_monthly: Decimal = Decimal(0)
    can_close: bool | None = None  # None: the default for the provider (see ``closable``)
    close_one_off: Decimal = Decimal(0)
    book_value: Decimal = Decimal(0)

    @property
    def closable(self) -> bool:
        """May the optimizer empty it to stop its fixed cost? Default: no for an own data centre
        and a SaaS supplier, yes for a cloud region."""
        if self.can_close is not None:
            return self.can_close
        return self.provider not in ("onprem", "saas")

    @property
    def saas(self) -> bool:
        """Supplier-run: nothing moves into or out of it."""
        return self.provider == "saas"
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
    """Requested resources: vCPUs, GB of memory, GB of storage per class (``storage_gb`` is
    block storage)."""

    cpu: Decimal
    memory_gb: Decimal
    storage_gb: Decimal = Decimal(0)
    file_gb: Decimal = Decimal(0)
    object_gb: Decimal = Decimal(0)
    archive_gb: Decimal = Decimal(0)

    def storage(self) -> tuple[tuple[str, Decimal], ...]:
        """(class, GB) for every storage class, in STORAGE_CLASSES order."""
        return (("block", self.storage_gb), ("file", self.file_gb), ("object", self.object_gb),
                ("archive", self.archive_gb))

    @property
    def total_storage_gb(self) -> Decimal:
        return self.storage_gb + self.file_gb + self.object_gb + self.archive_gb


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
    licences: tuple[str, ...] = ()  # ids of advisor.yaml licences, paid per vCPU


COMMITMENT_KINDS = ("reservation", "savings_plan")


@dataclass(frozen=True)
class Commitment:
    """A reservation (capacity at a location: ``covers`` is paid for whatever runs there, until
    ``ends``) or a savings plan (a spend commitment with a provider: eligible compute is
    ``discount`` cheaper up to the committed amount). ``monthly`` in ``currency`` (None: the
    estate currency)."""

    id: str
    kind: str
    monthly: Decimal
    ends: dt.date | None = None  # None: beyond the horizon
    currency: str | None = None
    location: str | None = None  # reservation
    covers_cpu: Decimal = Decimal(0)
    covers_memory_gb: Decimal = Decimal(0)
    provider: str | None = None  # savings plan
    discount: Decimal = Decimal(0)
    source: SourceRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Licence:
    """A software licence paid per vCPU per month, priced by where the workload runs:
    ``monthly_per_vcpu`` maps a location id, a provider id or ``default`` to a price (the most
    specific wins; none at all: the location cannot run a workload that needs it)."""

    id: str
    monthly_per_vcpu: dict[str, Decimal] = field(hash=False, compare=False)
    currency: str | None = None
    source: SourceRef | None = field(default=None, compare=False)

    def price_at(self, location_id: str, provider_id: str) -> Decimal | None:
        for key in (location_id, provider_id, "default"):
            if key in self.monthly_per_vcpu:
                return self.monthly_per_vcpu[key]
        return None


@dataclass(frozen=True)
class Benchmark:
    """A published figure of the whole IT cost per inhabitant per year, to compare with."""

    per_inhabitant_year: Decimal
    year: int | None = None
    source: str = ""


# Location attributes a target's filter may name (``share_of_cloud_spend: {cloud_act: false}``).
TARGET_ATTRIBUTES = ("id", "provider", "region", "country", "jurisdiction", "cloud_act",
                     "sovereignty_level", "public_cloud", "encryption_at_rest",
                     "customer_managed_keys")


@dataclass(frozen=True)
class Target:
    """A target the placement must meet (advisor.yaml ``targets:``), on the monthly run and
    licence cost of the workloads in public clouds ("cloud spend"):

    - ``share``: the locations matching ``where`` (attribute -> value, all must match) hold at
      least ``minimum`` (and at most ``maximum``) of the cloud spend;
    - ``per_provider``: no cloud provider holds more than ``maximum`` of it.

    It binds when ``from_`` is before the end of the horizon (None: always)."""

    kind: str  # share | per_provider
    where: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    from_: dt.date | None = None
    source: SourceRef | None = field(default=None, compare=False)

    def matches(self, loc: Location) -> bool:
        return all(str(loc.attribute(k)).lower() == v.lower() for k, v in self.where.items())

    @property
    def label(self) -> str:
        if self.kind == "per_provider":
            return f"at most {_pct(self.maximum)} of cloud spend per provider"
        cond = ", ".join(f"{k}: {v}" for k, v in self.where.items())
        bounds = " and ".join(x for x in (
            f"at least {_pct(self.minimum)}" if self.minimum is not None else "",
            f"at most {_pct(self.maximum)}" if self.maximum is not None else "") if x)
        since = f" from {self.from_.isoformat()}" if self.from_ else ""
        return f"{bounds} of cloud spend at locations with {cond}{since}"


def _pct(value: Decimal | None) -> str:
    return f"{((value or Decimal(0)) * 100).normalize():f}%"


@dataclass(frozen=True)
class Migration:
    """How moves are carried out (advisor.yaml ``migration:``): the bandwidth data leaves at
    (Mbit/s, ``pairs`` for declared location pairs, either direction), the days of work per
    workload that moves, and the limits of one migration wave (0: no limit)."""

    bandwidth_mbps: Decimal = Decimal(1000)
    pairs: dict[tuple[str, str], Decimal] = field(default_factory=dict, hash=False,
                                                  compare=False)
    effort_days_per_workload: Decimal = Decimal(2)
    wave_max_workloads: int = 0
    wave_max_tb: Decimal = Decimal(0)
    source: SourceRef | None = field(default=None, compare=False)

    def mbps(self, src: str, dst: str) -> Decimal:
        return self.pairs.get((src, dst), self.pairs.get((dst, src), self.bandwidth_mbps))


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
    commitments: list[Commitment] = field(default_factory=list)
    licences: list[Licence] = field(default_factory=list)
    other_it_monthly: Decimal | None = None  # IT cost beside hosting (staff, software, devices)
    it_benchmark: Benchmark | None = None
    organisation: Organisation = field(default_factory=Organisation)
    # Deprecated keys read under their new names: (what, where) for the outputs' notes.
    deprecations: list[tuple[str, SourceRef | None]] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)  # advisor.yaml's, for the report
    migration: Migration = field(default_factory=Migration)
    targets: list[Target] = field(default_factory=list)

    def provider_ids(self) -> dict[str, str]:
        """Location id -> the id of the provider that runs it, for its costs (provider
        decisions, traffic between providers): its providers entry (see ``provider_of``), else
        its ``provider``."""
        out = {}
        for loc in self.locations:
            entry = self.provider_of(loc)  # a colocation or SaaS vendor is no cost provider
            own = loc.provider in ("onprem", "saas")
            out[loc.id] = entry.id if entry is not None and not own else loc.provider
        return out

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
