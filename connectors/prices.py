"""Public list prices turned into location prices (cpu_hour, memory_gb_hour, storage_gb_month,
egress_gb) for AWS (Price List API) and Azure (Retail Prices API), or from the shipped snapshot.

Compute: the on-demand Linux hourly prices of general purpose, compute and memory optimised
families (AWS m6i/c6i/r6i, Azure Dsv5/Fsv2/Esv5) are fitted by least squares without intercept,
    price_hour = cpu_hour x vCPU + memory_gb_hour x GiB,
solved exactly in rational numbers and rounded to 10 significant digits. Because the families
differ in GiB per vCPU (2, 4, 8), the split is well determined. Storage: AWS gp3 GB-month; Azure
Standard SSD E10 (128 GiB) per month / 128. Egress: the first paid internet tier.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from advisor.atomic import write_atomic
from advisor.connectors.cloud_common import first_line, scrub
from advisor.errors import InputError, SourceError

SNAPSHOT = Path(__file__).parent / "snapshots" / "prices.json"
AWS_FAMILIES = ("m6i", "c6i", "r6i")
AZURE_SIZE = re.compile(r"^Standard_(D|E|F)(\d+)s_v5$|^Standard_F(\d+)s_v2$")
AZURE_GIB_PER_VCPU = {"D": 4, "E": 8, "F": 2}
PRICING_REGIONS = ("us-east-1", "eu-central-1", "ap-south-1")  # where the Price List API lives
REGION_COUNTRY = {
    "eu-central-1": "DE", "eu-central-2": "CH", "eu-west-1": "IE", "eu-west-2": "GB",
    "eu-west-3": "FR", "eu-north-1": "SE", "eu-south-1": "IT", "us-east-1": "US",
    "westeurope": "NL", "northeurope": "IE", "germanywestcentral": "DE",
    "francecentral": "FR", "swedencentral": "SE", "switzerlandnorth": "CH", "uksouth": "GB",
    "eastus": "US",
}
EU = {"DE", "IE", "FR", "SE", "IT", "NL"}


@dataclass(frozen=True)
class LocationPrices:
    provider: str
    region: str
    currency: str
    cpu_hour: Decimal
    memory_gb_hour: Decimal
    storage_gb_month: Decimal
    egress_gb: Decimal
    basis: str  # where the figures came from

    def to_json(self) -> dict[str, str]:
        return {"currency": self.currency, "cpu_hour": str(self.cpu_hour),
                "memory_gb_hour": str(self.memory_gb_hour),
                "storage_gb_month": str(self.storage_gb_month), "egress_gb": str(self.egress_gb),
                "basis": self.basis}


def _round(value: Fraction) -> Decimal:
    """10 significant digits, exactly from the rational value."""
    if value == 0:
        return Decimal(0)
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return +d.quantize(Decimal(1).scaleb(d.adjusted() - 9)).normalize()


def fit(points: Iterable[tuple[Decimal, Decimal, Decimal]], where: str) -> tuple[Decimal, Decimal]:
    """Least squares (no intercept) of price on (vCPU, GiB): returns (cpu_hour, memory_gb_hour)."""
    sxx = sxm = smm = sxy = smy = Fraction(0)
    n = 0
    for cpu, mem, price in points:
        x, m, y = Fraction(cpu), Fraction(mem), Fraction(price)
        sxx += x * x
        sxm += x * m
        smm += m * m
        sxy += x * y
        smy += m * y
        n += 1
    det = sxx * smm - sxm * sxm
    if n < 2 or det == 0:
        raise SourceError(where, "too few instance prices with different memory per vCPU to "
                                 "split into cpu_hour and memory_gb_hour")
    return _round((sxy * smm - smy * sxm) / det), _round((smy * sxx - sxy * sxm) / det)


# -- AWS ------------------------------------------------------------------------------------------

def _aws_products(client: Any, where: str, service: str, filters: dict[str, str],
                  ) -> list[dict[str, Any]]:
    from advisor.connectors.aws import guarded

    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "ServiceCode": service, "FormatVersion": "aws_v1", "MaxResults": 100,
            "Filters": [{"Type": "TERM_MATCH", "Field": k, "Value": v}
                        for k, v in sorted(filters.items())]}
        if token:
            kwargs["NextToken"] = token
        page = guarded(where, f"pricing:GetProducts {service}",
                       partial(client.get_products, **kwargs))
        out.extend(json.loads(item) for item in page.get("PriceList", []))
        token = page.get("NextToken")
        if not token:
            return out


def _on_demand(product: dict[str, Any]) -> list[tuple[Decimal, Decimal]]:
    """(beginRange, USD price) of every on-demand price dimension."""
    out = []
    for term in product.get("terms", {}).get("OnDemand", {}).values():
        for dim in term.get("priceDimensions", {}).values():
            usd = dim.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                out.append((Decimal(str(dim.get("beginRange", "0"))), Decimal(usd)))
    return sorted(out)


def aws_prices(region: str, session: Any = None, pricing_region: str = "us-east-1",
               ) -> LocationPrices:
    """On-demand Linux prices of one region from the Price List API."""
    import boto3

    where = f"aws prices {region}"
    session = session or boto3.Session()
    client = session.client("pricing", region_name=pricing_region)
    points = []
    for p in _aws_products(client, where, "AmazonEC2", {
            "regionCode": region, "operatingSystem": "Linux", "tenancy": "Shared",
            "preInstalledSw": "NA", "capacitystatus": "Used",
            "productFamily": "Compute Instance"}):
        attrs = p.get("product", {}).get("attributes", {})
        if attrs.get("instanceType", "").split(".")[0] not in AWS_FAMILIES:
            continue
        prices = [price for _, price in _on_demand(p) if price > 0]
        mem = attrs.get("memory", "").replace(",", "").split(" ")[0]
        if prices and mem:
            points.append((Decimal(attrs["vcpu"]), Decimal(mem), prices[0]))
    cpu_hour, memory_gb_hour = fit(points, where)
    storage = [price for p in _aws_products(client, where, "AmazonEC2", {
        "regionCode": region, "productFamily": "Storage", "volumeApiName": "gp3"})
        for _, price in _on_demand(p) if price > 0]
    egress = [price for p in _aws_products(client, where, "AWSDataTransfer", {
        "fromRegionCode": region, "transferType": "AWS Outbound"})
        for _, price in _on_demand(p) if price > 0]
    if not storage or not egress:
        raise SourceError(where, "the Price List API answered no gp3 storage or no outbound "
                                 "data transfer price")
    return LocationPrices("aws", region, "USD", cpu_hour, memory_gb_hour,
                          min(storage).normalize(),
                          max(egress).normalize(),
                          f"AWS Price List API ({len(points)} instance types)")


# -- Azure ----------------------------------------------------------------------------------------

def _retail_items(base_url: str, odata_filter: str, where: str,
                  get: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    import urllib.parse

    url: str | None = (f"{base_url.rstrip('/')}/api/retail/prices?currencyCode=EUR&"
                       + urllib.parse.urlencode({"$filter": odata_filter}))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        page = get(url)
        out.extend(page.get("Items", []))
        url = page.get("NextPageLink")
    return out


def _http_get_json(where: str) -> Callable[[str], dict[str, Any]]:
    import urllib.error
    import urllib.request

    def get(url: str) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 - http(s) only
                data: dict[str, Any] = json.loads(resp.read().decode("utf-8"))
                return data
        except urllib.error.HTTPError as exc:
            raise SourceError(where, f"Retail Prices API answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise SourceError(where, scrub(f"cannot read the Retail Prices API: "
                                           f"{first_line(str(exc))}"),
                              "use --offline for the shipped snapshot") from None

    return get


def azure_prices(region: str, base_url: str = "https://prices.azure.com",
                 get: Callable[[str], dict[str, Any]] | None = None) -> LocationPrices:
    """Pay-as-you-go Linux prices of one region from the Retail Prices API, in EUR."""
    where = f"azure prices {region}"
    if not base_url.startswith(("https://", "http://")):
        raise InputError(f"--azure-prices-url '{base_url}' is not a URL")
    get = get or _http_get_json(where)
    points = []
    for item in _retail_items(base_url, "serviceName eq 'Virtual Machines' and armRegionName eq "
                              f"'{region}' and priceType eq 'Consumption'", where, get):
        match = AZURE_SIZE.match(str(item.get("armSkuName", "")))
        sku = str(item.get("skuName", "")) + " " + str(item.get("productName", ""))
        if not match or any(w in sku for w in ("Windows", "Spot", "Low Priority")):
            continue
        family = match.group(1) or "F"
        vcpu = Decimal(match.group(2) or match.group(3))
        points.append((vcpu, vcpu * AZURE_GIB_PER_VCPU[family], Decimal(str(item["retailPrice"]))))
    cpu_hour, memory_gb_hour = fit(points, where)
    disks = [Decimal(str(i["retailPrice"])) / 128 for i in _retail_items(
        base_url, f"serviceName eq 'Storage' and armRegionName eq '{region}' and "
        "meterName eq 'E10 LRS Disk'", where, get) if i.get("retailPrice")]
    egress = [Decimal(str(i["retailPrice"])) for i in _retail_items(
        base_url, f"serviceName eq 'Bandwidth' and armRegionName eq '{region}' and "
        "meterName eq 'Standard Data Transfer Out'", where, get) if i.get("retailPrice")]
    if not disks or not egress:
        raise SourceError(where, "the Retail Prices API answered no disk or no egress price")
    return LocationPrices("azure", region, "EUR", cpu_hour, memory_gb_hour,
                          _round(Fraction(min(disks))), max(egress),
                          f"Azure Retail Prices API ({len(points)} VM sizes)")


# -- snapshot and output --------------------------------------------------------------------------

def load_snapshot(path: Path = SNAPSHOT) -> tuple[str, dict[str, LocationPrices]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for key, v in data["locations"].items():
        provider, region = key.split(":", 1)
        out[key] = LocationPrices(provider, region, v["currency"], Decimal(v["cpu_hour"]),
                                  Decimal(v["memory_gb_hour"]), Decimal(v["storage_gb_month"]),
                                  Decimal(v["egress_gb"]), f"snapshot {data['date']}: "
                                  + v["basis"])
    return str(data["date"]), out


def write_snapshot(path: Path, date: str, prices: Iterable[LocationPrices]) -> None:
    doc = {"date": date, "method": __doc__.split("\n\n")[1].replace("\n", " ") if __doc__
           else "", "locations": {f"{p.provider}:{p.region}": p.to_json()
                                  for p in sorted(prices, key=lambda p: (p.provider, p.region))}}
    write_atomic(path, json.dumps(doc, indent=2, sort_keys=True) + "\n")


def render_locations(prices: Iterable[LocationPrices], header: list[str]) -> str:
    """A locations.yaml with one location per provider and region (deterministic)."""
    lines = [*header, "locations:"]
    for p in sorted(prices, key=lambda p: (p.provider, p.region)):
        country = REGION_COUNTRY.get(p.region, "ZZ")
        jurisdiction = "EU" if country in EU else "OTHER"
        lines += [f"  # {p.basis}",
                  f"  - id: {p.provider}-{p.region}",
                  f"    provider: {p.provider}",
                  f"    region: {p.region}",
                  f"    country: {country}" + ("  # unknown region: set the country"
                                                 if country == "ZZ" else ""),
                  f"    jurisdiction: {jurisdiction}",
                  "    cloud_act: true",
                  f"    prices: {{currency: {p.currency}, cpu_hour: {p.cpu_hour}, "
                  f"memory_gb_hour: {p.memory_gb_hour}, storage_gb_month: "
                  f"{p.storage_gb_month}, egress_gb: {p.egress_gb}}}"]
    return "\n".join(lines) + "\n"
