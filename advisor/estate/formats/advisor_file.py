"""advisor.yaml: the estate's name, currency and rates, where its locations and workloads are,
which policy packs apply and which sources feed it."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, TypeAdapter, model_validator
from pydantic_core import CoreSchema, core_schema

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import (
    Amount,
    Below,
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
    TextMap,
    Whole,
    fail,
    fail_many,
)
from advisor.estate.formats.locations_file import LocationEntry, ProviderEntry
from advisor.estate.formats.scenarios_file import ScenarioEntry, unique_names
from advisor.estate.formats.workloads_file import WorkloadEntry
from advisor.estate.model import (
    COMMITMENT_KINDS,
    NIS2_ENTITIES,
    Benchmark,
    Commitment,
    Licence,
    Migration,
    Organisation,
    SourceRef,
    Target,
)
from advisor.estate.sources import Source
from advisor.estate.yamlfile import kind


@lru_cache(maxsize=8)
def _adapter(model: type[Format]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


class FilesOr(Kind):
    """A section given as a path, a list of paths and globs, or every entry inline: a tuple of
    paths, or the list of validated entries."""

    def __init__(self, entry: type[Format]) -> None:
        self.entry = entry

    def check(self, value: Any) -> tuple[str, ...] | list[Any]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise fail(f"expected a file path or a list, got {kind(value)}")
        if value and all(isinstance(v, (dict, self.entry)) for v in value):
            return _adapter(self.entry).validate_python(value)
        errors = [((i,), fail("expected a file path or glob (or give every entry inline as a "
                              "mapping)"), v)
                  for i, v in enumerate(value) if not isinstance(v, str)]
        if errors:
            raise fail_many("paths", errors)
        return tuple(value)

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        shape = handler.generate_schema(str | list[str | self.entry])  # type: ignore[name-defined]
        return core_schema.no_info_plain_validator_function(self.validate,
                                                            json_schema_input_schema=shape)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: Any) -> Any:
        return handler(schema)


class ExchangeRateEntry(Format):
    """Units of the estate currency per one unit of ``currency``, valid on ``date``."""

    currency: Currency = Field(description="ISO 4217 code.", examples=["USD"])
    rate: Positive = Field(description="Units of the estate currency per unit of this one.")
    date: Day = Field(description="The day the rate holds (YYYY-MM-DD); the latest is used.")


class CoversEntry(Format):
    """The capacity a reservation pays for."""

    cpu: Amount = Field(Decimal(0), description="vCPUs.")
    memory_gb: Amount = Field(Decimal(0), description="GB of memory.")


class CommitmentEntry(Format):
    """A reservation (capacity at one location, paid whatever runs there until it ends) or a
    savings plan (a monthly spend committed to a provider, for a discount on its compute)."""

    id: Ident = Field(description="Unique id.", examples=["aws-ri-2025"])
    kind: Annotated[str, OneOf(*COMMITMENT_KINDS)] = Field(
        "reservation", description="reservation (default) or savings_plan.")
    location: Text | None = Field(None, description="Reservation: the location id it is for.")
    covers: CoversEntry | None = Field(None, description="Reservation: the vCPUs and GB of "
                                                         "memory it pays for.")
    provider: Text | None = Field(None, description="Savings plan: the provider id it is with.")
    discount: Annotated[Decimal, Num(maximum=Decimal("0.99"),
                                     range_text="discount must be between 0 and 0.99",
                                     range_hint="the fraction off the list price, e.g. 0.28")] \
        | None = Field(None, description="Savings plan: the fraction off list price of eligible "
                                         "compute (0-0.99).")
    monthly: Amount = Field(description="What it costs every month until it ends.")
    currency: Currency | None = Field(None, description="Currency of monthly (default: the "
                                                        "estate currency).")
    ends: Day | None = Field(None, description="The last day it is paid (YYYY-MM-DD); a "
                                               "reservation needs it; a savings plan without it "
                                               "runs beyond the horizon.")

    @model_validator(mode="after")
    def _kind_fields(self) -> CommitmentEntry:
        need = {"reservation": ("location", "covers", "ends"),
                "savings_plan": ("provider", "discount")}[self.kind]
        other = {"reservation": ("provider", "discount"),
                 "savings_plan": ("location", "covers")}[self.kind]
        errors: list[Below] = []
        for key in need:
            if getattr(self, key) is None:
                errors.append(((key,), fail(f"a {self.kind.replace('_', ' ')} needs '{key}'",
                                            f"add '{key}:' to this entry"), None))
        for key in other:
            if getattr(self, key) is not None:
                errors.append(((key,), fail(f"'{key}' is not part of a "
                                            f"{self.kind.replace('_', ' ')}",
                                            "remove it, or set kind"), None))
        if errors:
            raise fail_many("commitment", errors)
        return self

    def to_commitment(self, source: SourceRef | None) -> Commitment:
        cov = self.covers
        return Commitment(self.id, self.kind, self.monthly, self.ends, self.currency,
                          self.location, cov.cpu if cov else Decimal(0),
                          cov.memory_gb if cov else Decimal(0), self.provider,
                          self.discount or Decimal(0), source)


class LicenceEntry(Format):
    """A licence paid per vCPU per month, priced by where the workload runs."""

    id: Ident = Field(description="Unique id; workloads name it in `licences`.",
                      examples=["oracle-ee"])
    monthly_per_vcpu: Annotated[dict[str, Decimal], MapOf(
        Num(), "default, provider id or location id -> price", min_items=1)] = Field(
        description="Price per vCPU per month by location id, provider id or `default` (the "
                    "most specific wins; no price and no default: the location cannot run a "
                    "workload that needs it).", examples=[{"default": 300, "onprem": 650}])
    currency: Currency | None = Field(None, description="Currency of the prices (default: the "
                                                        "estate currency).")

    def to_licence(self, source: SourceRef | None) -> Licence:
        return Licence(self.id, dict(self.monthly_per_vcpu), self.currency, source)


class BenchmarkEntry(Format):
    """A published figure for the whole IT cost per inhabitant per year."""

    per_inhabitant_year: Positive = Field(description="Amount per inhabitant per year, in the "
                                                      "estate currency.")
    year: Annotated[int, Whole(1900, 2200)] | None = Field(None, description="The year the "
                                                                            "figure is about.")
    source: Text = Field(description="Who published it, where.")

    def to_benchmark(self) -> Benchmark:
        return Benchmark(self.per_inhabitant_year, self.year, self.source)
class OrganisationEntry(Format):
    """The organisation's legal status: the duties that apply to the whole estate."""

    nis2_entity: Annotated[str, OneOf(*NIS2_ENTITIES)] | None = Field(
        None, description="Its status under NIS2 / the Cyberbeveiligingswet: essential, "
                          "important or none (a Dutch municipality is essential).")
    bio2: Flag | None = Field(None, description="BIO2 applies (every Dutch government "
                                                "organisation).")

    def to_organisation(self, source: SourceRef) -> Organisation:
        return Organisation(self.nis2_entity, self.bio2, source)


class BandwidthEntry(Format):
    """The bandwidth between two locations (either direction)."""

    from_: Ident = Field(alias="from", description="A location id.")
    to: Ident = Field(description="Another location id.")
    mbps: Positive = Field(description="Mbit/s data can move at between them.")


class MigrationEntry(Format):
    """How moves are carried out: for exit plans (duration) and migration waves."""

    bandwidth_mbps: Positive = Field(Decimal(1000), description="Mbit/s between any two "
                                     "locations not listed in `bandwidth` (default 1000: a "
                                     "1 Gbit/s line at full speed).")
    bandwidth: list[BandwidthEntry] = Field(default_factory=list,
                                            description="Mbit/s of declared location pairs.")
    effort_days_per_workload: Amount = Field(Decimal(2), description="Working days of effort "
                                             "(re-platforming, tests, cut-over) per workload "
                                             "that moves.")
    wave_max_workloads: Annotated[int, Whole(1)] | None = Field(
        None, description="At most this many workloads per migration wave (default: no "
                          "limit; `advisor plan --waves --max-workloads` overrides).")
    wave_max_tb: Positive | None = Field(
        None, description="At most this many TB of data per migration wave (default: no limit; "
                          "`--max-tb` overrides).")

    def to_migration(self, source: SourceRef | None) -> Migration:
        return Migration(self.bandwidth_mbps, {(b.from_, b.to): b.mbps for b in self.bandwidth},
                         self.effort_days_per_workload, self.wave_max_workloads or 0,
                         self.wave_max_tb or Decimal(0), source)


Share = Annotated[Decimal, Num(maximum=1, range_text="a share is between 0 and 1",
                               range_hint="0.3 is 30%")]


class TargetEntry(Format):
    """A target the placement must meet, on the monthly cost of the workloads in public clouds
    (their run and licence cost): a share for locations with given attributes, or a maximum
    share per provider."""

    share_of_cloud_spend: TextMap | None = Field(
        None, description="Location attributes (all must match) whose share of cloud spend is "
                          "bounded by min and/or max.", examples=[{"cloud_act": False}])
    min: Share | None = Field(None, description="The least share (0-1).")
    max: Share | None = Field(None, description="The most share (0-1).")
    max_share_per_provider: Share | None = Field(
        None, description="No cloud provider holds more than this share (0-1).")
    from_: Day | None = Field(None, alias="from", description="The day it applies from; a day "
                              "after the horizon makes it not binding (a note says so).")

    @model_validator(mode="after")
    def _one_kind(self) -> TargetEntry:
        errors: list[Below] = []
        share, per = self.share_of_cloud_spend is not None, self.max_share_per_provider is not None
        if share == per:
            errors.append(((), fail("a target is either share_of_cloud_spend (with min or max) "
                                    "or max_share_per_provider",
                                    "give exactly one of them"), None))
        elif share and self.min is None and self.max is None:
            errors.append(((), fail("share_of_cloud_spend needs min or max",
                                    "add 'min: 0.3' (30%) or 'max:'"), None))
        elif per and (self.min is not None or self.max is not None):
            errors.append(((), fail("min and max belong to share_of_cloud_spend",
                                    "remove them"), None))
        elif self.min is not None and self.max is not None and self.min > self.max:
            errors.append((("min",), fail(f"min {self.min} is above max {self.max}"), self.min))
        if errors:
            raise fail_many("target", errors)
        return self

    def to_target(self, source: SourceRef | None) -> Target:
        if self.max_share_per_provider is not None:
            return Target("per_provider", {}, None, self.max_share_per_provider, self.from_,
                          source)
        return Target("share", dict(self.share_of_cloud_spend or {}), self.min, self.max,
                      self.from_, source)


class AdvisorFile(Format):
    """advisor.yaml: the estate and the files and sources it is made of."""

    version: Annotated[int, Whole()] = Field(description="The file format version: 1.",
                                             json_schema_extra={"const": 1})
    name: Text = Field(description="The organisation or estate.",
                       examples=["Gemeente Voorbeeld"])
    currency: Currency = Field(description="The reporting currency (ISO 4217).",
                               examples=["EUR"])
    exchange_rates: list[ExchangeRateEntry] = Field(
        default_factory=list, description="Rates of the other currencies prices are in.")
    organisation: OrganisationEntry | None = Field(
        None, description="NIS2/Cbw status and BIO2 applicability: duties for the whole estate.")
    inhabitants: Annotated[int, Whole(1)] | None = Field(
        None, description="Enables IT cost per inhabitant.")
    horizon_months: Annotated[int, Whole(1)] = Field(
        36, description="One-off migration costs are spread over this many months.")
    locations: Annotated[list[LocationEntry] | tuple[str, ...], FilesOr(LocationEntry)] = Field(
        description="A path relative to this file, a list of paths or globs, or the locations "
                    "inline.", examples=["locations.yaml"])
    workloads: Annotated[list[WorkloadEntry] | tuple[str, ...], FilesOr(WorkloadEntry)] = Field(
        description="A path relative to this file, a list of paths or globs, or the workloads "
                    "inline.", examples=["workloads.yaml"])
    providers: list[ProviderEntry] = Field(
        default_factory=list, description="Suppliers, when the locations are given inline "
                                          "(else in the locations file).")
    policies: TextList = Field((), description="Policy packs: builtin:NAME or a path.",
                               examples=[["builtin:sovereignty", "rules/local.yaml"]])
    sources: list[Source] = Field(default_factory=list,
                                  description="Connectors that feed the estate: focus, "
                                              "kubernetes, aws, azure.")
    commitments: list[CommitmentEntry] = Field(
        default_factory=list, description="Reservations and savings plans already bought.")
    licences: list[LicenceEntry] = Field(
        default_factory=list, description="Licences paid per vCPU, priced by location or "
                                          "provider.")
    other_it_monthly: Amount | None = Field(
        None, description="IT cost beside hosting per month (staff, software, devices, "
                          "SaaS not modelled as locations): with inhabitants, the whole IT "
                          "cost per inhabitant is shown.")
    it_benchmark: BenchmarkEntry | None = Field(
        None, description="A published whole-IT cost per inhabitant per year to show beside "
                          "the estate's.")
    targets: list[TargetEntry] = Field(
        default_factory=list, description="Targets the placement must meet exactly (shares of "
                                          "cloud spend); the output shows the price of each.")
    migration: MigrationEntry | None = Field(
        None, description="How moves are carried out: bandwidth, effort, wave limits.")
    scenarios: Annotated[list[ScenarioEntry] | tuple[str, ...], FilesOr(ScenarioEntry)] = Field(
        (), description="Scenarios `advisor report` runs beside the base analysis: a path to a "
                        "scenarios file (relative to this file), a list of paths, or the "
                        "scenarios inline.", examples=["scenarios.yaml"])

    @model_validator(mode="after")
    def _version_and_rates(self) -> AdvisorFile:
        errors: list[Below] = []
        if self.version != 1:
            errors.append((("version",), fail(f"unsupported version {self.version}",
                                              "this advisor reads version: 1"), self.version))
        seen: set[tuple[str, Any]] = set()
        for i, rate in enumerate(self.exchange_rates):
            if rate.currency == self.currency:
                errors.append((("exchange_rates", i, "currency"), fail(
                    f"a rate for the estate currency {self.currency} itself",
                    "remove it; amounts in the estate currency need no rate"), rate.currency))
            elif (rate.currency, rate.date) in seen:
                errors.append((("exchange_rates", i), fail(
                    f"duplicate rate for {rate.currency} on {rate.date}",
                    "keep one rate per currency and date"), None))
            seen.add((rate.currency, rate.date))
        if isinstance(self.scenarios, list):
            errors += unique_names(self.scenarios, ("scenarios",))
        if errors:
            raise fail_many("advisor.yaml", errors)
        return self
