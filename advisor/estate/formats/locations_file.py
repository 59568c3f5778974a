"""The locations file (``locations:`` list) and one location: where workloads can run, under
which law, with which certifications, capacity and prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import (
    Amount,
    Country,
    Currency,
    Flag,
    Ident,
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
from advisor.estate.model import (
    JURISDICTIONS,
    PROVIDERS,
    Capacity,
    Location,
    Prices,
    SourceRef,
    Tco,
)

ZERO = Decimal(0)


class CapacityEntry(Format):
    """How much a location can hold; a resource left out is unbounded."""

    cpu: Amount | None = Field(None, description="Cores.")
    memory_gb: Amount | None = Field(None, description="GB of memory.")
    storage_gb: Amount | None = Field(None, description="GB of storage.")


class PricesEntry(Format):
    """Unit prices in ``currency``; cpu_hour and memory_gb_hour may be derived from ``tco``."""

    currency: Currency = Field(description="ISO 4217 code; other than the estate currency it "
                                           "needs a rate in advisor.yaml's exchange_rates.",
                               examples=["EUR"])
    cpu_hour: Amount | None = Field(None, description="Price of one core for one hour "
                                                      "(required unless tco is given).")
    memory_gb_hour: Amount | None = Field(None, description="Price of one GB of memory for one "
                                                            "hour (required unless tco is given).")
    storage_gb_month: Amount = Field(ZERO, description="Price of one GB of storage per month.")
    egress_gb: Amount = Field(ZERO, description="Price of one GB leaving the location.")


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

    def to_tco(self) -> Tco:
        return Tco(self.hardware_cost, self.amortization_months, self.power_kw,
                   self.power_price_kwh, self.facilities_monthly, self.staff_monthly,
                   self.cpu_share)


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
    cloud_act: Flag = Field(False, description="Reachable by non-EU extraterritorial law.")
    certifications: TextList = Field((), description="e.g. [ISO27001, BIO].")
    sovereignty_level: Annotated[int, Whole(0, 4)] | None = Field(
        None, description="0 (none) to 4 (fully sovereign).")
    capacity: CapacityEntry | None = Field(None, description="What the location can hold.")
    prices: PricesEntry = Field(description="Unit prices.")
    latency_ms: Annotated[dict[str, Decimal], MapOf(Num(), "location id -> milliseconds")] = \
        Field(default_factory=dict, description="Round-trip milliseconds to other locations.")
    tco: TcoEntry | None = Field(None, description="Derives cpu_hour and memory_gb_hour from the "
                                                   "hardware's real cost.")
    encryption_at_rest: Flag | None = Field(None, description="Declared; undeclared counts as "
                                                              "not true.")
    customer_managed_keys: Flag | None = Field(None, description="Declared; undeclared counts as "
                                                                 "not true.")
    public_cloud: Flag | None = Field(None, description="Default: every provider but onprem.")
    labels: TextMap = Field(default_factory=dict, description="Free labels, usable in rules.")

    @model_validator(mode="after")
    def _prices_or_tco(self) -> LocationEntry:
        """Unit prices come from ``prices`` or, where left out, from ``tco`` and capacity."""
        missing = [k for k in ("cpu_hour", "memory_gb_hour")
                   if getattr(self.prices, k) is None]
        if not missing:
            return self
        if self.tco is None:
            raise fail_many("location", [(("prices",), fail(
                f"missing required key '{k}'", f"add '{k}:' to this entry"), None)
                for k in missing])
        cap = self.capacity
        if cap is None or not cap.cpu or not cap.memory_gb:
            raise fail("tco needs capacity.cpu and capacity.memory_gb to spread the cost over",
                       "add 'capacity: {cpu: CORES, memory_gb: GB}' (what the hardware holds)",
                       key="tco")
        return self

    def to_location(self, source: SourceRef | None) -> Location:
        capacity = Capacity(self.capacity.cpu, self.capacity.memory_gb,
                            self.capacity.storage_gb) if self.capacity else None
        tco = self.tco.to_tco() if self.tco else None
        cpu_hour, memory_gb_hour = self.prices.cpu_hour, self.prices.memory_gb_hour
        if tco is not None and (cpu_hour is None or memory_gb_hour is None):
            assert capacity is not None and capacity.cpu and capacity.memory_gb
            derived = tco.hourly_prices(capacity.cpu, capacity.memory_gb)
            cpu_hour = derived[0] if cpu_hour is None else cpu_hour
            memory_gb_hour = derived[1] if memory_gb_hour is None else memory_gb_hour
        assert cpu_hour is not None and memory_gb_hour is not None
        return Location(
            id=self.id, name=self.name or self.id, provider=self.provider, region=self.region,
            country=self.country, jurisdiction=self.jurisdiction, cloud_act=self.cloud_act,
            certifications=self.certifications, sovereignty_level=self.sovereignty_level,
            capacity=capacity,
            prices=Prices(self.prices.currency, cpu_hour, memory_gb_hour,
                          self.prices.storage_gb_month, self.prices.egress_gb),
            latency_ms=dict(self.latency_ms), source=source, tco=tco,
            encryption_at_rest=self.encryption_at_rest,
            customer_managed_keys=self.customer_managed_keys, public_cloud=self.public_cloud,
            labels=dict(self.labels))


class LocationsFile(Format):
    """locations.yaml: the locations of an estate."""

    locations: list[LocationEntry] = Field(description="Every location, each with a unique id.")
