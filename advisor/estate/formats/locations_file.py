"""The locations file (``locations:`` list) and one location: where workloads can run, under
which law, with which certifications, capacity and prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from advisor.estate.formats.base import Format, with_raw_checks
from advisor.estate.formats.fields import (
    Amount,
    Below,
    Country,
    Currency,
    Day,
    Flag,
    Ident,
    Kind,
    MapOf,
    Num,
    OneOf,
    Positive,
    Text,
    TextList,
    TextListKind,
    TextMap,
    Whole,
    fail,
    fail_many,
)
from advisor.estate.model import (
    EVIDENCE_TYPES,
    JURISDICTIONS,
    KEY_CUSTODY,
    PROVIDERS,
    RUBRICERING,
    SEAL_OBJECTIVES,
    STORAGE_CLASSES,
    TRANSFER_MECHANISMS,
    Capacity,
    Evidence,
    ExitPlan,
    Location,
    Prices,
    Provider,
    SourceRef,
    Tco,
)
from advisor.estate.yamlfile import kind, nearest, shown

ZERO = Decimal(0)


class CapacityEntry(Format):
    """How much a location can hold; a resource left out is unbounded."""

    cpu: Amount | None = Field(None, description="vCPUs that fit (as workloads request them; "
                                                 "on premise: cores x threads x overcommit, "
                                                 "less what is held back).")
    memory_gb: Amount | None = Field(None, description="GB of memory.")
    storage_gb: Amount | None = Field(None, description="GB of storage, every class together.")


class ByStorageClass(Kind):
    """A price for every storage class (a number), or a mapping of class -> price (a class left
    out has no price at the location)."""

    def __init__(self) -> None:
        self.price = Num()

    def check(self, value: Any) -> Decimal | dict[str, Decimal]:
        if not isinstance(value, dict):
            if isinstance(value, (list, tuple, bool)):
                raise fail(f"expected a number or a mapping of storage class -> price, got "
                           f"{kind(value)}")
            amount: Decimal = self.price.validate(value)
            return amount
        out: dict[str, Decimal] = {}
        errors: list[Below] = []
        for key, price in value.items():
            name = str(key)
            if name not in STORAGE_CLASSES:
                near = nearest(name, STORAGE_CLASSES)
                errors.append(((name,), fail(
                    f"unknown storage class {shown(name)}",
                    (f"did you mean '{near}'? " if near else "")
                    + f"one of: {', '.join(STORAGE_CLASSES)}"), key))
                continue
            try:
                out[name] = self.price.validate(price)
            except (PydanticCustomError, ValidationError) as exc:
                errors.append(((name,), exc, price))
        if errors:
            raise fail_many("storage prices", errors)
        return out

    def schema(self) -> dict[str, Any]:
        return {"oneOf": [self.price.schema(),
                          {"type": "object", "additionalProperties": False,
                           "properties": {c: self.price.schema() for c in STORAGE_CLASSES}}]}


class PricesEntry(Format):
    """Unit prices in ``currency``; cpu_hour and memory_gb_hour may be derived from ``tco``."""

    currency: Currency = Field(description="ISO 4217 code; other than the estate currency it "
                                           "needs a rate in advisor.yaml's exchange_rates.",
                               examples=["EUR"])
    cpu_hour: Amount | None = Field(None, description="Price of one vCPU for one hour "
                                                      "(required unless tco is given, or the "
                                                      "provider is saas).")
    memory_gb_hour: Amount | None = Field(None, description="Price of one GB of memory for one "
                                                            "hour (required unless tco is given, "
                                                            "or the provider is saas).")
    storage_gb_month: Annotated[Decimal | dict[str, Decimal], ByStorageClass()] = Field(
        ZERO, description="Price of one GB-month of storage: one number for every class, or a "
                          "mapping by class (block, file, object, archive); a class left out "
                          "has no price here, which excludes the location for workloads that "
                          "use it.", examples=[0.05, {"block": 0.12, "object": 0.05}])
    egress_gb: Amount = Field(ZERO, description="Price of one GB leaving the location (to the "
                                                "internet and to other providers).")
    egress_gb_same_provider: Amount | None = Field(
        None, description="Price of one GB to another location of the same provider (between "
                          "regions); default egress_gb.")
    egress_gb_to: Annotated[dict[str, Decimal], MapOf(Num(), "location id -> price per GB")] = \
        Field(default_factory=dict, description="Price of one GB to a given location (a private "
                                                "link); the cheapest declared path applies.")
    switching_gb: Amount | None = Field(
        None, description="The provider's at-cost rate per GB for data leaving it when workloads "
                          "switch to another provider before 2027-01-12 (EU Data Act Art. "
                          "29(2)-(3); from that day switching is free); default: the egress "
                          "price of the path.")


class TcoEntry(Format):
    """The hardware's real monthly cost, spread over the capacity into unit prices
    (docs/kubernetes.md)."""

    hardware_cost: Amount = Field(description="What the hardware cost, once.")
    amortization_months: Positive = Field(description="Months the hardware is written off over.")
    power_kw: Amount = Field(ZERO, description="Average power draw in kW.")
    power_price_kwh: Amount = Field(ZERO, description="Price of one kWh.")
    facilities_monthly: Amount = Field(ZERO, description="Floor space, cooling, ... per month.")
    staff_monthly: Amount = Field(ZERO, description="Operations staff per month.")
    cpu_share: Annotated[Decimal, Num(maximum=1, range_text="cpu_share must be between 0 and 1",
                                      range_hint="the part of the cost that CPU carries; "
                                                 "memory carries the rest")] = \
        Field(Decimal("0.5"), description="The part of the cost that CPU carries (0-1); memory "
                                          "carries the rest.")
    cores: Positive | None = Field(None, description="Physical cores; with threads_per_core and "
                                                     "overcommit they give the vCPUs the cost is "
                                                     "spread over when capacity.cpu is left "
                                                     "out.")
    threads_per_core: Positive = Field(Decimal(1), description="Hardware threads per core "
                                                               "(2 with hyperthreading).")
    overcommit: Positive = Field(Decimal(1), description="vCPUs scheduled per hardware thread.")

    @model_validator(mode="after")
    def _cores(self) -> TcoEntry:
        if self.cores is None:
            given = [k for k in ("threads_per_core", "overcommit") if k in self.model_fields_set]
            if given:
                raise fail(f"{given[0]} needs cores", "add 'cores: N' (physical cores), or "
                           f"remove {given[0]}", key=given[0])
        return self

    def to_tco(self) -> Tco:
        return Tco(self.hardware_cost, self.amortization_months, self.power_kw,
                   self.power_price_kwh, self.facilities_monthly, self.staff_monthly,
                   self.cpu_share, self.cores, self.threads_per_core, self.overcommit)


Seal = Annotated[int, Whole(0, 4)]


class EvidenceEntry(Format):
    """Independent assurance on the service (BIO2 5.20.03): a type II report covers the
    operation over a period, a certificate the management system."""

    type: Annotated[str, OneOf(*EVIDENCE_TYPES)] = Field(
        description="The kind of evidence: ISAE3402-II, ISAE3000-II, SOC2-II, ISO27001, C5 "
                    "(type 2 attestation), TPM (NOREA third-party statement), ...")
    covers: Text = Field(description="What the report's or certificate's scope covers (services, "
                                     "regions); check it covers the contracted service.",
                         examples=["EC2, EBS, S3, KMS in eu-central-1"])
    valid_until: Day = Field(description="The last day it counts as current (e.g. the report "
                                         "period's end plus 12 months, a certificate's expiry).")
    reference: Text | None = Field(None, description="Where the document is filed.")
    issuer: Text | None = Field(None, description="The auditor or certification body.")
    locations: TextList = Field((), description="On a provider: the location ids it covers "
                                                "(default: all of the provider's locations).")

    def to_evidence(self, source: SourceRef | None) -> Evidence:
        return Evidence(self.type, self.covers, self.valid_until, self.reference, self.issuer,
                        self.locations, source)


class ExitPlanEntry(Format):
    """The supplier's exit strategy (BIO2 5.20.06): how to leave, with data transfer and
    destruction, agreed in the contract."""

    reference: Text = Field(description="The document's reference.", examples=["EXIT-2026-003"])
    date: Day = Field(description="The date it was set or last reviewed (YYYY-MM-DD).")


TransferMechanism = Annotated[str, OneOf(*TRANSFER_MECHANISMS)]


class ProviderEntry(Format):
    """A supplier under contract (cloud provider, colocation, SaaS vendor): what it declares
    for every location it runs."""

    id: Ident = Field(description="A provider of the locations (aws, azure, gcp, other, onprem, "
                                  "saas), or a name of your own with `locations` (or the "
                                  "locations' `supplier`).", examples=["aws"])
    name: Text | None = Field(None, description="Display name (default: the id).")
    exit_plan: ExitPlanEntry | None = Field(None, description="The exit strategy in the "
                                                              "contract (BIO2 5.20.06).")
    assurance: list[EvidenceEntry] = Field(default_factory=list,
                                           description="Independent evidence (BIO2 5.20.03).")
    dpf_certified: Flag | None = Field(None, description="On the EU-US Data Privacy Framework "
                                                         "List (a US importer).")
    transfer_mechanism: TransferMechanism | None = Field(
        None, description="How personal data may reach it outside the EU/EEA: adequacy, dpf, "
                          "scc, bcr or none (a location's own value wins).")
    locations: TextList = Field((), description="The locations it runs (default: every location "
                                                "whose provider is this id).")
    onboarding_one_off: Amount = Field(ZERO, description="One-off cost of starting to use it "
                                                         "(landing zone, connectivity, contract, "
                                                         "assessments), spread over the horizon; "
                                                         "none when it is used today.")
    fixed_monthly: Amount = Field(ZERO, description="Paid every month while it is used (support "
                                                    "plan, connectivity, platform team).")
    currency: Currency | None = Field(None, description="Currency of the amounts (default: the "
                                                        "estate currency).")

    def to_provider(self, source: SourceRef) -> Provider:
        evidence = tuple(e.to_evidence(SourceRef(source.file, (*source.keypath, "assurance", i)))
                         for i, e in enumerate(self.assurance))
        plan = ExitPlan(self.exit_plan.reference, self.exit_plan.date) if self.exit_plan \
            else None
        return Provider(id=self.id, name=self.name or self.id, exit_plan=plan,
                        assurance=evidence, dpf_certified=self.dpf_certified,
                        transfer_mechanism=self.transfer_mechanism, source=source,
                        locations=self.locations, onboarding_one_off=self.onboarding_one_off,
                        fixed_monthly=self.fixed_monthly, currency=self.currency)


class LocationEntry(Format):
    """A place where workloads can run: a data centre, a cloud region."""

    id: Ident = Field(description="Unique id, used by workloads' location and rules.",
                      examples=["onprem-dc1"])
    name: Text | None = Field(None, description="Display name (default: the id).")
    provider: Annotated[str, OneOf(*PROVIDERS)] = Field(description="Who runs it.")
    region: Text = Field(description="The provider's region name.", examples=["eu-central-1"])
    country: Country = Field(description="ISO 3166-1 alpha-2 country code.", examples=["NL"])
    jurisdiction: Annotated[str, OneOf(*JURISDICTIONS)] = Field(
        description="GDPR transfer status of the country.")
    cloud_act: Flag = Field(False, description="Reachable by US extraterritorial law (the CLOUD "
                                               "Act, 18 U.S.C. 2713; FISA 702): a provider with "
                                               "a US parent.")
    certifications: TextList = Field((), description="e.g. [ISO27001, BIO]; for rules, prefer "
                                                     "dated evidence in assurance.")
    seal: Seal | None = Field(None, description="EU Cloud Sovereignty Framework SEAL 0-4: the "
                                                "level the whole service assures (the lowest of "
                                                "its objectives).")
    seal_objectives: Annotated[dict[str, int], MapOf(Whole(0, 4), "SOV-1..SOV-8 -> SEAL 0-4",
                                                      names="objective")] = Field(
        default_factory=dict, description="SEAL per sovereignty objective SOV-1..SOV-8.")
    sovereignty_level: Seal | None = Field(
        None, description="Deprecated: read as seal (EU Cloud Sovereignty Framework SEAL 0-4).")
    key_custody: Annotated[str, OneOf(*KEY_CUSTODY)] | None = Field(
        None, description="Who holds the keys of data at rest: provider-managed, "
                          "customer-managed-in-provider-hsm (a KMS or key vault), "
                          "customer-managed-dedicated-hsm, external (hold your own key), "
                          "client-side, own.")
    transfer_mechanism: TransferMechanism | None = Field(
        None, description="How personal data may lawfully reach this location outside the "
                          "EU/EEA: adequacy, dpf, scc, bcr, none (default: the provider's).")
    dpf_certified: Flag | None = Field(None, description="The importer is on the EU-US Data "
                                                         "Privacy Framework List (default: the "
                                                         "provider's).")
    assurance: list[EvidenceEntry] = Field(default_factory=list,
                                           description="Independent evidence for this location "
                                                       "(besides the provider's).")
    accredited_for: Annotated[tuple[str, ...], TextListKind()] = Field(
        (), description="State classification levels the location is approved for "
                        "(dep-v, stg-c, stg-g, stg-zg).")
    supplier: Ident | None = Field(None, description="The providers entry whose contract covers "
                                                     "this location (default: the entry that "
                                                     "lists it in `locations`, else the entry "
                                                     "with the provider's id).")
    capacity: CapacityEntry | None = Field(None, description="What the location can hold.")
    prices: PricesEntry = Field(description="Unit prices.")
    latency_ms: Annotated[dict[str, Decimal], MapOf(Num(), "location id -> milliseconds")] = \
        Field(default_factory=dict, description="Round-trip milliseconds to other locations.")
    tco: TcoEntry | None = Field(None, description="Derives cpu_hour and memory_gb_hour from the "
                                                   "hardware's real cost.")
    encryption_at_rest: Flag | None = Field(None, description="Declared; undeclared counts as "
                                                              "not true.")
    customer_managed_keys: Flag | None = Field(None, description="Deprecated: prefer key_custody "
                                                                 "(read as own on premises, "
                                                                 "customer-managed-in-provider-"
                                                                 "hsm elsewhere).")
    public_cloud: Flag | None = Field(None, description="Default: every provider but onprem.")
    labels: TextMap = Field(default_factory=dict, description="Free labels, usable in rules.")
    fixed_monthly: Amount = Field(ZERO, description="Paid every month while the location holds "
                                                    "any workload (building, staff, platform "
                                                    "licences, connectivity), in the price "
                                                    "currency.")
    can_close: Flag | None = Field(None, description="May the advice empty and close it to stop "
                                                     "fixed_monthly? Default: false for onprem "
                                                     "and saas, true otherwise.")
    close_one_off: Amount = Field(ZERO, description="One-off cost of closing it "
                                                    "(decommissioning, contract exit), spread "
                                                    "over the horizon like migration.")
    book_value: Amount = Field(ZERO, description="The hardware's remaining book value: sunk, so "
                                                 "never counted in the decision; shown as the "
                                                 "write-off a closure causes.")

    @model_validator(mode="after")
    def _sovereignty(self) -> LocationEntry:
        """SEAL keys and levels that make sense together."""
        errors: list[Below] = []
        for key in self.seal_objectives:
            if key not in SEAL_OBJECTIVES:
                errors.append((("seal_objectives", key), fail(
                    f"unknown objective {key!r}", "the objectives are SOV-1 .. SOV-8"), key))
        if self.seal_objectives and self.seal is not None:
            low = min(self.seal_objectives.values())
            if self.seal > low:
                which = sorted(k for k, v in self.seal_objectives.items() if v == low)
                errors.append((("seal",), fail(
                    f"seal {self.seal} is above the lowest objective ({', '.join(which)}: "
                    f"{low})", "seal is the level the whole service assures: at most its "
                               "lowest objective (or leave seal out)"), self.seal))
        if self.sovereignty_level is not None and self.seal is not None \
                and self.sovereignty_level != self.seal:
            errors.append((("sovereignty_level",), fail(
                f"sovereignty_level {self.sovereignty_level} differs from seal {self.seal}",
                "sovereignty_level is the old name of seal: remove it"), None))
        for i, level in enumerate(self.accredited_for):
            if level not in RUBRICERING[1:]:
                errors.append((("accredited_for", i), fail(
                    f"invalid value {level!r}", "one of: " + ", ".join(RUBRICERING[1:])), level))
        if self.transfer_mechanism == "adequacy" and self.jurisdiction != "ADEQUATE":
            errors.append((("transfer_mechanism",), fail(
                f"adequacy needs jurisdiction ADEQUATE, not {self.jurisdiction}",
                "for a US importer on the Data Privacy Framework List write transfer_mechanism: "
                "dpf and dpf_certified: true"), None))
        if errors:
            raise fail_many("location", errors)
        return self

    @model_validator(mode="after")
    def _prices_or_tco(self) -> LocationEntry:
        """Unit prices come from ``prices`` or, where left out, from ``tco`` and capacity (a
        SaaS location needs none: its supplier's bill is its fixed_monthly)."""
        missing = [k for k in ("cpu_hour", "memory_gb_hour")
                   if getattr(self.prices, k) is None]
        if not missing or self.provider == "saas":
            return self
        if self.tco is None:
            raise fail_many("location", [(("prices",), fail(
                f"missing required key '{k}'", f"add '{k}:' to this entry"), None)
                for k in missing])
        cap = self.capacity
        vcpus = self.tco.to_tco().vcpus
        if (not (cap and cap.cpu) and vcpus is None) or not (cap and cap.memory_gb):
            raise fail("tco needs capacity.cpu and capacity.memory_gb to spread the cost over "
                       "(or tco.cores for the vCPUs)",
                       "add 'capacity: {cpu: VCPUS, memory_gb: GB}' (what the hardware holds)",
                       key="tco")
        if cap and cap.cpu and vcpus is not None and cap.cpu > vcpus:
            raise fail(f"capacity.cpu {cap.cpu} is more than the {vcpus.normalize():f} vCPUs of "
                       "tco (cores x threads_per_core x overcommit)",
                       "lower capacity.cpu to the vCPUs that fit, or correct the tco block",
                       key="tco")
        return self

    def to_location(self, source: SourceRef | None) -> Location:
        tco = self.tco.to_tco() if self.tco else None
        cap = self.capacity
        cpu_cap = cap.cpu if cap and cap.cpu is not None else (tco.vcpus if tco else None)
        capacity = Capacity(cpu_cap, cap.memory_gb if cap else None,
                            cap.storage_gb if cap else None) if cap or cpu_cap else None
        p = self.prices
        cpu_hour, memory_gb_hour = p.cpu_hour, p.memory_gb_hour
        if tco is not None and (cpu_hour is None or memory_gb_hour is None):
            assert capacity is not None and capacity.cpu and capacity.memory_gb
            derived = tco.hourly_prices(capacity.cpu, capacity.memory_gb)
            cpu_hour = derived[0] if cpu_hour is None else cpu_hour
            memory_gb_hour = derived[1] if memory_gb_hour is None else memory_gb_hour
        by_class = p.storage_gb_month if isinstance(p.storage_gb_month, dict) else None
        block = p.storage_gb_month if by_class is None else by_class.get("block", ZERO)
        assert isinstance(block, Decimal)
        return Location(
            id=self.id, name=self.name or self.id, provider=self.provider, region=self.region,
            country=self.country, jurisdiction=self.jurisdiction, cloud_act=self.cloud_act,
            certifications=self.certifications, sovereignty_level=self.sovereignty_level,
            capacity=capacity,
            prices=Prices(p.currency, ZERO if cpu_hour is None else cpu_hour,
                          ZERO if memory_gb_hour is None else memory_gb_hour, block,
                          p.egress_gb, by_class, p.egress_gb_same_provider,
                          dict(p.egress_gb_to), p.switching_gb),
            latency_ms=dict(self.latency_ms), source=source, tco=tco,
            encryption_at_rest=self.encryption_at_rest,
            customer_managed_keys=self.customer_managed_keys, public_cloud=self.public_cloud,
            labels=dict(self.labels), fixed_monthly=self.fixed_monthly, can_close=self.can_close,
            close_one_off=self.close_one_off, book_value=self.book_value, seal=self._seal(),
            seal_objectives=dict(sorted(self.seal_objectives.items())),
            key_custody=self.key_custody, transfer_mechanism=self.transfer_mechanism,
            dpf_certified=self.dpf_certified,
            assurance=tuple(e.to_evidence(None if source is None else SourceRef(
                source.file, (*source.keypath, "assurance", i)))
                for i, e in enumerate(self.assurance)),
            accredited_for=self.accredited_for, supplier=self.supplier,
            deprecated=tuple(k for k, old in (
                ("sovereignty_level", self.sovereignty_level is not None),
                ("customer_managed_keys", self.customer_managed_keys is not None
                 and self.key_custody is None)) if old))

    def _seal(self) -> int | None:
        if self.seal is not None:
            return self.seal
        if self.sovereignty_level is not None:
            return self.sovereignty_level
        return min(self.seal_objectives.values()) if self.seal_objectives else None


class LocationsFile(Format):
    """locations.yaml: the locations of an estate and the providers (suppliers) behind them,
    with what each costs as a decision."""

    providers: list[ProviderEntry] = Field(
        default_factory=list, description="Suppliers under contract: their exit plan, "
                                          "assurance and transfer status, and their onboarding "
                                          "and fixed costs (optional).")
    locations: list[LocationEntry] = Field(description="Every location, each with a unique id.")

    @model_validator(mode="wrap")
    @classmethod
    def _unique_providers(cls, data: Any, handler: Any) -> Any:
        """Duplicate provider ids are found on the raw entries, so they are reported with every
        other problem of the file."""
        seen: set[str] = set()
        errors: list[Below] = []
        entries = data.get("providers") if isinstance(data, dict) else None
        for i, p in enumerate(entries if isinstance(entries, list) else []):
            ident = p.get("id") if isinstance(p, dict) else None
            if isinstance(ident, str) and ident in seen:
                errors.append((("providers", i, "id"), fail(
                    f"duplicate provider id '{ident}'", "give every provider a unique id"),
                    ident))
            if isinstance(ident, str):
                seen.add(ident)
        return with_raw_checks(data, handler, errors)
