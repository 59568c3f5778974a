"""What on-premise Kubernetes workloads cost, written as FOCUS rows next to the cloud bills.

Prices are the location's (``locations.yaml``), explicit or derived from the hardware's total cost
of ownership (``advisor.estate.model.Tco``):

    monthly        = hardware_cost / amortization_months + power_kw x 730 x power_price_kwh
                     + facilities_monthly + staff_monthly
    cpu_hour       = monthly x cpu_share       / (capacity.cpu       x 730)
    memory_gb_hour = monthly x (1 - cpu_share) / (capacity.memory_gb x 730)

A workload is charged for max(request, p95 usage) per resource (the OpenCost convention: what it
reserves, or more if it uses more), times the hours in the month; its storage for the claimed
GB-months. The cluster's nodes cost their capacity at the same prices; idle cost = node cost -
workload compute cost, per resource, shown per cluster (system namespaces left out of discovery
are part of idle). Amounts stay exact Decimals; the CSV carries them to 10 decimal places.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from advisor.atomic import open_atomic
from advisor.errors import InputError
from advisor.estate.model import Location, Workload
from advisor.month import Month

PROVIDER = "On-premises"
PLACES = Decimal("0.0000000001")
FOCUS_COLUMNS = (
    "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodStart",
    "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "BilledCost", "EffectiveCost", "ListCost",
    "ContractedCost", "ListUnitPrice", "ContractedUnitPrice", "PricingCategory",
    "PricingQuantity", "PricingUnit", "ConsumedQuantity", "ConsumedUnit", "ProviderName",
    "PublisherName", "InvoiceIssuerName", "RegionId", "RegionName", "ResourceId", "ResourceName",
    "ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SubAccountId", "SubAccountName",
    "Tags",
)


class PlacedWorkload(Protocol):
    """What a cluster says about one workload: where it runs and as what."""

    @property
    def namespace(self) -> str: ...

    @property
    def kind(self) -> str: ...


class ClusterInventory(Protocol):
    """One discovered cluster, as far as its cost goes (the Kubernetes connector's Discovery)."""

    @property
    def source(self) -> str: ...

    @property
    def cluster(self) -> str: ...

    @property
    def workloads(self) -> Sequence[Workload]: ...

    @property
    def info(self) -> Mapping[str, PlacedWorkload]: ...

    @property
    def node_cpu(self) -> Decimal: ...

    @property
    def node_memory_gb(self) -> Decimal: ...


def month_period(text: str) -> Month:
    """'2024-01' -> the month; an InputError for anything else."""
    return Month.parse(text)


def billed(request: Decimal, usage: Decimal | None) -> Decimal:
    """What a workload is charged for: its request, or its usage when that is higher."""
    return request if usage is None else max(request, usage)


@dataclass(frozen=True)
class WorkloadCost:
    workload: str
    name: str
    kind: str
    namespace: str
    cpu: Decimal  # billed cores: max(request, p95)
    memory_gb: Decimal
    storage_gb: Decimal
    cpu_cost: Decimal
    memory_cost: Decimal
    storage_cost: Decimal

    @property
    def compute_cost(self) -> Decimal:
        return self.cpu_cost + self.memory_cost

    @property
    def total(self) -> Decimal:
        return self.cpu_cost + self.memory_cost + self.storage_cost


@dataclass(frozen=True)
class ClusterCost:
    """One cluster's month, in the location's price currency."""

    source: str
    cluster: str
    location: str
    region: str
    currency: str
    period: Month
    cpu_hour: Decimal
    memory_gb_hour: Decimal
    storage_gb_month: Decimal
    node_cpu: Decimal
    node_memory_gb: Decimal
    workloads: tuple[WorkloadCost, ...]

    @property
    def node_cpu_cost(self) -> Decimal:
        return self.node_cpu * self.cpu_hour * self.period.hours

    @property
    def node_memory_cost(self) -> Decimal:
        return self.node_memory_gb * self.memory_gb_hour * self.period.hours

    @property
    def node_cost(self) -> Decimal:
        return self.node_cpu_cost + self.node_memory_cost

    @property
    def workload_compute_cost(self) -> Decimal:
        return sum((w.compute_cost for w in self.workloads), Decimal(0))

    @property
    def storage_cost(self) -> Decimal:
        return sum((w.storage_cost for w in self.workloads), Decimal(0))

    @property
    def idle_cpu_cost(self) -> Decimal:
        return self.node_cpu_cost - sum((w.cpu_cost for w in self.workloads), Decimal(0))

    @property
    def idle_memory_cost(self) -> Decimal:
        return self.node_memory_cost - sum((w.memory_cost for w in self.workloads), Decimal(0))

    @property
    def idle_cost(self) -> Decimal:
        """Node cost not taken by any workload (negative: workloads use more than the nodes)."""
        return self.node_cost - self.workload_compute_cost


def workload_cost(w: Workload, loc: Location, hours: Decimal, namespace: str = "",
                  kind: str = "") -> WorkloadCost:
    """max(request, usage) x price x hours for CPU and memory; storage per GB-month."""
    p = loc.prices
    usage = w.usage
    cpu = billed(w.resources.cpu, usage.cpu_p95 if usage else None)
    memory = billed(w.resources.memory_gb, usage.memory_gb_p95 if usage else None)
    return WorkloadCost(
        workload=w.id, name=w.name, kind=kind, namespace=namespace, cpu=cpu, memory_gb=memory,
        storage_gb=w.resources.storage_gb, cpu_cost=cpu * p.cpu_hour * hours,
        memory_cost=memory * p.memory_gb_hour * hours,
        storage_cost=w.resources.storage_gb * (p.storage_price("block") or Decimal(0)))


def cluster_cost(found: ClusterInventory, loc: Location, period: Month) -> ClusterCost:
    """Price one discovered cluster for a month at its location's prices."""
    costs = []
    for w in found.workloads:
        info = found.info.get(w.id)
        costs.append(workload_cost(w, loc, period.hours, info.namespace if info else "",
                                   info.kind if info else ""))
    return ClusterCost(
        source=found.source, cluster=found.cluster, location=loc.id, region=loc.region,
        currency=loc.prices.currency, period=period, cpu_hour=loc.prices.cpu_hour,
        memory_gb_hour=loc.prices.memory_gb_hour, storage_gb_month=loc.prices.storage_gb_month,
        node_cpu=found.node_cpu, node_memory_gb=found.node_memory_gb,
        workloads=tuple(sorted(costs, key=lambda c: c.workload)))


def _money(amount: Decimal) -> str:
    return format(amount.quantize(PLACES), "f")


def _qty(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.000001")).normalize(), "f") if amount else "0"


def _stamp(day: dt.date) -> str:
    """Midnight UTC of ``day`` in FOCUS's date-time form."""
    return f"{day.isoformat()}T00:00:00Z"


# FOCUS: each ServiceName has exactly one ServiceCategory (focus-validator checks it).
SERVICE_NAMES = {"Compute": "Kubernetes", "Storage": "Kubernetes Persistent Volumes"}


def focus_rows(cost: ClusterCost) -> list[dict[str, str]]:
    """FOCUS 1.0 rows: per workload one row per resource, then the cluster's idle rows."""
    base = {
        "BillingAccountId": f"onprem:{cost.location}", "BillingAccountName": cost.location,
        "BillingCurrency": cost.currency,
        "BillingPeriodStart": _stamp(cost.period.start),
        "BillingPeriodEnd": _stamp(cost.period.end),
        "ChargePeriodStart": _stamp(cost.period.start),
        "ChargePeriodEnd": _stamp(cost.period.end),
        "ChargeCategory": "Usage", "ChargeClass": "", "ChargeFrequency": "Usage-Based",
        "PricingCategory": "Standard", "ProviderName": PROVIDER, "PublisherName": PROVIDER,
        "InvoiceIssuerName": PROVIDER, "RegionId": cost.location, "RegionName": cost.region,
        "SubAccountId": cost.cluster,
        "SubAccountName": cost.cluster,
    }
    hours = cost.period.hours
    rows: list[dict[str, str]] = []

    def row(resource_id: str, name: str, rtype: str, sku: str, category: str, amount: Decimal,
            quantity: Decimal, unit: str, unit_price: Decimal, tags: dict[str, str],
            what: str) -> None:
        money = _money(amount)
        rows.append({**base, "ResourceId": resource_id, "ResourceName": name,
                     "ResourceType": rtype, "SkuId": sku, "ServiceCategory": category,
                     "ServiceName": SERVICE_NAMES[category],
                     "ChargeDescription": what, "BilledCost": money, "EffectiveCost": money,
                     "ListCost": money, "ContractedCost": money,
                     "ListUnitPrice": _money(unit_price), "ContractedUnitPrice":
                     _money(unit_price), "PricingQuantity": _qty(quantity),
                     "ConsumedQuantity": _qty(quantity), "PricingUnit": unit,
                     "ConsumedUnit": unit, "Tags": json.dumps(tags, sort_keys=True)})

    for w in cost.workloads:
        tags = {"advisor-workload": w.workload, "k8s-cluster": cost.cluster,
                "k8s-namespace": w.namespace, "advisor-cost-basis": "max(request,p95)"}
        rtype = f"Kubernetes {w.kind}".strip()
        name = f"{w.namespace}/{w.name}" if w.namespace else w.name
        row(w.workload, name, rtype, "onprem-cpu", "Compute", w.cpu_cost, w.cpu * hours,
            "Core-Hours", cost.cpu_hour, tags, f"{w.cpu} cores for {hours} hours")
        row(w.workload, name, rtype, "onprem-memory", "Compute", w.memory_cost,
            w.memory_gb * hours, "GB-Hours", cost.memory_gb_hour, tags,
            f"{w.memory_gb} GB memory for {hours} hours")
        if w.storage_gb:
            row(w.workload, name, rtype, "onprem-storage", "Storage", w.storage_cost,
                w.storage_gb, "GB-Months", cost.storage_gb_month, tags,
                f"{w.storage_gb} GB persistent volumes")
    idle_tags = {"advisor-idle": cost.cluster, "k8s-cluster": cost.cluster}
    idle_id = f"{cost.cluster}/idle"
    for sku, amount, unit_price, unit in (
            ("onprem-cpu", cost.idle_cpu_cost, cost.cpu_hour, "Core-Hours"),
            ("onprem-memory", cost.idle_memory_cost, cost.memory_gb_hour, "GB-Hours")):
        if amount > 0:
            row(idle_id, f"{cost.cluster} idle capacity", "Kubernetes idle", sku, "Compute",
                amount, amount / unit_price if unit_price else Decimal(0), unit, unit_price,
                idle_tags, "node capacity no workload requested or used")
    return rows


def write_focus_csv(path: str | Path, cost: ClusterCost) -> Path:
    """Write the rows as a FOCUS CSV the ledger reads like any cloud export."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_atomic(target, newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=FOCUS_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(focus_rows(cost))
    except OSError as exc:
        raise InputError(f"cannot write the on-premise cost file: {exc.strerror}",
                         file=str(target)) from None
    return target
