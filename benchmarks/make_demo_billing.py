"""Generate the demo estate's FOCUS billing files (August to October 2026), deterministically.

    python benchmarks/make_demo_billing.py [--out advisor/examples/gemeente/billing]

Reads the demo estate (advisor/examples/gemeente) and writes, for its AWS and Azure workloads:

- AWS, billed in USD, laid out as AWS Data Exports (FOCUS 1.0 column names, gzip CSV):
  ``aws/gemeente-focus/data/BILLING_PERIOD=YYYY-MM/gemeente-focus-00001.csv.gz`` plus the
  export's ``metadata/.../gemeente-focus-Manifest.json``;
- Azure, billed in EUR, laid out as a Cost Management export (FOCUS 1.3 provider columns, CSV):
  ``azure/gemeente-focus/YYYYMMDD-YYYYMMDD/<run id>/part_0_0001.csv`` plus ``manifest.json``.

Costs follow the estate's prices: compute (cpu x cpu_hour + memory_gb x memory_gb_hour per hour),
block storage (storage_gb x the block price spread over the days) and egress of the workload's
edges that leave its location. AWS list prices carry a 5% enterprise discount; chatbot-nlu runs on
a Savings Plan (billed 0 per hour, effective cost amortised, a monthly purchase row) and the
workloads in the region of the estate's AWS reservation on it (billed 0, effective cost 42% of
list, the reservation's monthly fee as a recurring purchase row). A few rows
belong to no workload on purpose: AWS Support, an untagged NAT gateway, a credit, Defender for
Cloud and a Log Analytics workspace. Same input, same bytes: seeded, no timestamps in gzip.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import gzip
import hashlib
import io
import json
import random
import sys
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.estate.load import load_estate  # noqa: E402
from advisor.estate.model import Estate, Workload  # noqa: E402

MONTHS = ((2026, 8), (2026, 9), (2026, 10))
SEED = 20261031
PLACES = Decimal("0.0000000001")
AWS_DISCOUNT = Decimal("0.95")
SAVINGS_PLAN_RATE = Decimal("0.72")
SAVINGS_PLAN_WORKLOADS = ("chatbot-nlu",)
RESERVATION_RATE = Decimal("0.42")  # the 3-year reserved instances in eu-west-1: 58% off list
AWS_PAYER = "111122223333"
AWS_ACCOUNTS = {"eu-west-1": ("444455556666", "gemeente-prod-eu"),
                "us-east-1": ("777788889999", "gemeente-digital-us")}
AZURE_BILLING = "/providers/Microsoft.Billing/billingAccounts/80012345"
AZURE_SUB = "/subscriptions/6f1e2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"

AWS_COLUMNS = [
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
    "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountStatus",
    "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
    "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
    "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory",
    "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags",
]
AZURE_COLUMNS = [
    c for c in AWS_COLUMNS if c not in ("ProviderName", "PublisherName")
] + ["ServiceProviderName", "HostProviderName", "x_ResourceGroupName", "x_SkuMeterCategory"]


def money(value: Decimal) -> str:
    return str(value.quantize(PLACES, rounding=ROUND_HALF_UP))


def stamp(year: int, month: int, day: int, style: str) -> str:
    if day > calendar.monthrange(year, month)[1]:
        year, month, day = (year + 1, 1, 1) if month == 12 else (year, month + 1, 1)
    return f"{year:04d}-{month:02d}-{day:02d}T00:00:00" + (".000Z" if style == "aws" else "Z")


def short_hash(text: str, n: int = 17) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def egress_gb_month(estate: Estate, w: Workload) -> Decimal:
    """GB per month leaving w's location because of w: what it sends to callees elsewhere and
    what it answers to callers elsewhere (the cost model's convention, seen from the bill)."""
    where = {x.id: x.location for x in estate.workloads}
    total = sum((d.send_gb_month for d in w.depends_on if where[d.workload] != w.location),
                Decimal(0))
    for caller in estate.workloads:
        for d in caller.depends_on:
            if d.workload == w.id and caller.location != w.location:
                total += d.receive_gb_month
    return total


class Bill:
    """Rows of one provider's bill for one month."""

    def __init__(self, provider: str, year: int, month: int) -> None:
        self.provider = provider
        self.year, self.month = year, month
        self.days = calendar.monthrange(year, month)[1]
        self.rows: list[dict[str, str]] = []

    def add(self, day: int | None, **values: object) -> dict[str, str]:
        style = "aws" if self.provider == "aws" else "azure"
        start, end = (day, day + 1) if day else (1, self.days + 1)
        row = {
            "BillingPeriodStart": stamp(self.year, self.month, 1, style),
            "BillingPeriodEnd": stamp(self.year, self.month, self.days + 1, style),
            "ChargePeriodStart": stamp(self.year, self.month, start, style),
            "ChargePeriodEnd": stamp(self.year, self.month, end, style),
            "ChargeFrequency": "Usage-Based" if day else "Recurring",
            "PricingCategory": "Standard",
        }
        for key, value in values.items():
            row[key] = money(value) if isinstance(value, Decimal) else str(value)
        self.rows.append(row)
        return row


def aws_bill(estate: Estate, year: int, month: int, rng: random.Random) -> Bill:
    locs = estate.location_by_id()
    bill = Bill("aws", year, month)
    common = {"BillingAccountId": AWS_PAYER, "BillingAccountName": "Gemeente Voorbeeld",
              "BillingCurrency": "USD", "InvoiceIssuerName": "Amazon Web Services EMEA SARL",
              "ProviderName": "AWS", "PublisherName": "Amazon Web Services, Inc."}
    plan_id = f"arn:aws:savingsplans::{AWS_PAYER}:savingsplan/{short_hash('sp', 8)}"
    reservation = next((c for c in estate.commitments if c.kind == "reservation"
                        and locs[str(c.location)].provider == "aws"), None)
    ri_id = f"arn:aws:ec2:eu-west-1:{AWS_PAYER}:reserved-instances/{short_hash('ri', 12)}"
    plan_total = Decimal(0)
    usage_total = Decimal(0)
    for w in estate.workloads:
        loc = locs[w.location]
        if loc.provider != "aws":
            continue
        p = loc.prices
        account, account_name = AWS_ACCOUNTS.get(loc.region, AWS_ACCOUNTS["eu-west-1"])
        tags = json.dumps({"advisor-workload": w.id, "application": w.application,
                           "owner": w.owner or "unknown"})
        place = {**common, "RegionId": loc.region, "RegionName": loc.name,
                 "SubAccountId": account, "SubAccountName": account_name, "Tags": tags}
        instance = f"i-0{short_hash(w.id)}"
        volume = f"vol-0{short_hash(w.id + '/ebs')}"
        hourly = w.resources.cpu * p.cpu_hour + w.resources.memory_gb * p.memory_gb_hour
        covered = w.id in SAVINGS_PLAN_WORKLOADS
        reserved = reservation is not None and reservation.location == w.location
        egress = egress_gb_month(estate, w)
        for day in range(1, bill.days + 1):
            hours = Decimal(24) if rng.random() > 0.03 else Decimal(rng.randint(18, 23))
            list_cost = hourly * hours
            billed = Decimal(0) if covered or reserved else list_cost * AWS_DISCOUNT
            effective = list_cost * SAVINGS_PLAN_RATE if covered else \
                list_cost * RESERVATION_RATE if reserved else billed
            plan_total += effective if covered else Decimal(0)
            usage_total += billed
            bill.add(day, **place, AvailabilityZone=f"{loc.region}a", ChargeCategory="Usage",
                     ChargeDescription=f"{w.resources.cpu} vCPU / {w.resources.memory_gb} GiB "
                     "instance-hours (m6i family)",
                     ConsumedQuantity=hours, ConsumedUnit="Hours", PricingQuantity=hours,
                     PricingUnit="Hours", ListUnitPrice=hourly, ListCost=list_cost,
                     ContractedUnitPrice=hourly * AWS_DISCOUNT,
                     ContractedCost=list_cost * AWS_DISCOUNT, BilledCost=billed,
                     EffectiveCost=effective, ResourceId=f"arn:aws:ec2:{loc.region}:{account}:"
                     f"instance/{instance}", ResourceName=w.name, ResourceType="Instance",
                     ServiceCategory="Compute", ServiceName="Amazon Elastic Compute Cloud",
                     SkuId=short_hash("sku-ec2" + loc.region, 16).upper(),
                     SkuPriceId=short_hash("price-ec2" + loc.region, 16).upper(),
                     **({"CommitmentDiscountCategory": "Spend", "CommitmentDiscountId": plan_id,
                         "CommitmentDiscountName": "Compute Savings Plan",
                         "CommitmentDiscountStatus": "Used",
                         "CommitmentDiscountType": "Savings Plan",
                         "PricingCategory": "Committed"} if covered else
                        {"CommitmentDiscountCategory": "Usage", "CommitmentDiscountId": ri_id,
                         "CommitmentDiscountName": "EC2 Reserved Instances (3 years)",
                         "CommitmentDiscountStatus": "Used",
                         "CommitmentDiscountType": "Reserved Instance",
                         "PricingCategory": "Committed"} if reserved else {}))
            gb_month = w.resources.storage_gb / bill.days
            storage = gb_month * p.storage_gb_month
            usage_total += storage * AWS_DISCOUNT
            bill.add(day, **place, AvailabilityZone=f"{loc.region}a", ChargeCategory="Usage",
                     ChargeDescription="gp3 storage, GB-month", ConsumedQuantity=gb_month,
                     ConsumedUnit="GB-Mo", PricingQuantity=gb_month, PricingUnit="GB-Mo",
                     ListUnitPrice=p.storage_gb_month, ListCost=storage,
                     ContractedUnitPrice=p.storage_gb_month * AWS_DISCOUNT,
                     ContractedCost=storage * AWS_DISCOUNT, BilledCost=storage * AWS_DISCOUNT,
                     EffectiveCost=storage * AWS_DISCOUNT,
                     ResourceId=f"arn:aws:ec2:{loc.region}:{account}:volume/{volume}",
                     ResourceName=f"{w.id}-data", ResourceType="Volume",
                     ServiceCategory="Storage", ServiceName="Amazon Elastic Compute Cloud",
                     SkuId=short_hash("sku-ebs" + loc.region, 16).upper(),
                     SkuPriceId=short_hash("price-ebs" + loc.region, 16).upper())
        if egress:
            gb = egress * Decimal(rng.randint(90, 110)) / 100
            cost = gb * p.egress_gb
            usage_total += cost * AWS_DISCOUNT
            bill.add(None, **place, ChargeCategory="Usage", ChargeFrequency="Usage-Based",
                     ChargeDescription="Data transfer out to the internet, per GB",
                     ConsumedQuantity=gb, ConsumedUnit="GB", PricingQuantity=gb,
                     PricingUnit="GB", ListUnitPrice=p.egress_gb, ListCost=cost,
                     ContractedUnitPrice=p.egress_gb * AWS_DISCOUNT,
                     ContractedCost=cost * AWS_DISCOUNT, BilledCost=cost * AWS_DISCOUNT,
                     EffectiveCost=cost * AWS_DISCOUNT,
                     ResourceId=f"arn:aws:ec2:{loc.region}:{account}:instance/{instance}",
                     ResourceName=w.name, ResourceType="Instance",
                     ServiceCategory="Networking", ServiceName="AWS Data Transfer",
                     SkuId=short_hash("sku-dto", 16).upper(),
                     SkuPriceId=short_hash("price-dto", 16).upper())
    # --- rows that belong to no workload -------------------------------------------------------
    account, account_name = AWS_ACCOUNTS["eu-west-1"]
    untagged = {**common, "RegionId": "eu-west-1", "RegionName": "AWS Europe (Ireland)",
                "SubAccountId": account, "SubAccountName": account_name, "Tags": ""}
    nat = f"arn:aws:ec2:eu-west-1:{account}:natgateway/nat-0{short_hash('nat')}"
    for day in range(1, bill.days + 1):
        cost = Decimal("0.048") * 24
        usage_total += cost * AWS_DISCOUNT
        bill.add(day, **untagged, ChargeCategory="Usage", ChargeDescription="NAT gateway hours",
                 ConsumedQuantity=Decimal(24), ConsumedUnit="Hours", PricingQuantity=Decimal(24),
                 PricingUnit="Hours", ListUnitPrice=Decimal("0.048"), ListCost=cost,
                 ContractedUnitPrice=Decimal("0.048") * AWS_DISCOUNT,
                 ContractedCost=cost * AWS_DISCOUNT, BilledCost=cost * AWS_DISCOUNT,
                 EffectiveCost=cost * AWS_DISCOUNT, ResourceId=nat, ResourceName="shared-nat",
                 ResourceType="NAT Gateway", ServiceCategory="Networking",
                 ServiceName="Amazon Virtual Private Cloud",
                 SkuId=short_hash("sku-nat", 16).upper(),
                 SkuPriceId=short_hash("price-nat", 16).upper())
    payer = {**common, "SubAccountId": AWS_PAYER, "SubAccountName": "gemeente-management",
             "Tags": ""}
    if plan_total:
        bill.add(None, **payer, ChargeCategory="Purchase",
                 ChargeDescription="Compute Savings Plan, 1 year no upfront, monthly fee",
                 BilledCost=plan_total, EffectiveCost=Decimal(0), ListCost=plan_total,
                 ContractedCost=plan_total, PricingQuantity=Decimal(1), PricingUnit="Month",
                 CommitmentDiscountCategory="Spend", CommitmentDiscountId=plan_id,
                 CommitmentDiscountName="Compute Savings Plan",
                 CommitmentDiscountType="Savings Plan", ResourceId=plan_id,
                 ServiceCategory="Compute", ServiceName="Savings Plans for AWS Compute usage")
    if reservation is not None:
        bill.add(None, **payer, ChargeCategory="Purchase", ChargeFrequency="Recurring",
                 ChargeDescription="EC2 Reserved Instances, 3 years no upfront, monthly fee",
                 BilledCost=reservation.monthly, EffectiveCost=Decimal(0),
                 ListCost=reservation.monthly, ContractedCost=reservation.monthly,
                 PricingQuantity=Decimal(1), PricingUnit="Month",
                 CommitmentDiscountCategory="Usage", CommitmentDiscountId=ri_id,
                 CommitmentDiscountName="EC2 Reserved Instances (3 years)",
                 CommitmentDiscountType="Reserved Instance", ResourceId=ri_id,
                 ServiceCategory="Compute", ServiceName="Amazon Elastic Compute Cloud")
    support = max(Decimal(100), usage_total * Decimal("0.10"))
    bill.add(None, **payer, ChargeCategory="Usage", ChargeFrequency="Recurring",
             ChargeDescription="AWS Support (Business), 10% of monthly usage, at least USD 100",
             BilledCost=support, EffectiveCost=support, ListCost=support, ContractedCost=support,
             PricingQuantity=Decimal(1), PricingUnit="Month", ServiceCategory="Management and "
             "Governance", ServiceName="AWS Support (Business)")
    if month == 9:
        bill.add(None, **payer, ChargeCategory="Credit", ChargeClass="",
                 ChargeDescription="AWS promotional credit (sovereignty pilot)",
                 BilledCost=Decimal(-250), EffectiveCost=Decimal(-250), ListCost=Decimal(-250),
                 ContractedCost=Decimal(-250), ServiceCategory="Other",
                 ServiceName="AWS Promotional Credit")
    return bill


def azure_bill(estate: Estate, year: int, month: int, rng: random.Random) -> Bill:
    locs = estate.location_by_id()
    bill = Bill("azure", year, month)
    common = {"BillingAccountId": AZURE_BILLING, "BillingAccountName": "Gemeente Voorbeeld",
              "BillingCurrency": "EUR", "InvoiceIssuerName": "Microsoft",
              "ServiceProviderName": "Microsoft", "HostProviderName": "Microsoft",
              "SubAccountId": AZURE_SUB, "SubAccountName": "gemeente-productie"}
    for w in estate.workloads:
        loc = locs[w.location]
        if loc.provider != "azure":
            continue
        p = loc.prices
        group = f"rg-{w.application}"
        base = f"{AZURE_SUB}/resourcegroups/{group}/providers"
        tags = json.dumps({"advisor-workload": w.id, "application": w.application,
                           "cost-center": w.owner or "unknown"})
        place = {**common, "RegionId": loc.region, "RegionName": "West Europe", "Tags": tags,
                 "x_ResourceGroupName": group}
        hourly = w.resources.cpu * p.cpu_hour + w.resources.memory_gb * p.memory_gb_hour
        for day in range(1, bill.days + 1):
            hours = Decimal(24) if rng.random() > 0.03 else Decimal(rng.randint(18, 23))
            cost = hourly * hours
            bill.add(day, **place, ChargeCategory="Usage",
                     ChargeDescription=f"D-series v5, {w.resources.cpu} vCPU",
                     ConsumedQuantity=hours, ConsumedUnit="Hours", PricingQuantity=hours,
                     PricingUnit="1 Hour", ListUnitPrice=hourly, ListCost=cost,
                     ContractedUnitPrice=hourly, ContractedCost=cost, BilledCost=cost,
                     EffectiveCost=cost,
                     ResourceId=f"{base}/microsoft.compute/virtualmachines/vm-{w.id}",
                     ResourceName=f"vm-{w.id}", ResourceType="Virtual machine",
                     ServiceCategory="Compute", ServiceName="Virtual Machines",
                     x_SkuMeterCategory="Virtual Machines",
                     SkuId=short_hash("sku-vm", 12).upper(),
                     SkuPriceId=short_hash("price-vm", 12).upper())
            gb_month = w.resources.storage_gb / bill.days
            storage = gb_month * p.storage_gb_month
            bill.add(day, **place, ChargeCategory="Usage",
                     ChargeDescription="Premium SSD v2 capacity, GB-month",
                     ConsumedQuantity=gb_month, ConsumedUnit="GB/Month", PricingQuantity=gb_month,
                     PricingUnit="1 GB/Month", ListUnitPrice=p.storage_gb_month,
                     ListCost=storage, ContractedUnitPrice=p.storage_gb_month,
                     ContractedCost=storage, BilledCost=storage, EffectiveCost=storage,
                     ResourceId=f"{base}/microsoft.compute/disks/disk-{w.id}",
                     ResourceName=f"disk-{w.id}", ResourceType="Disk",
                     ServiceCategory="Storage", ServiceName="Storage",
                     x_SkuMeterCategory="Storage", SkuId=short_hash("sku-disk", 12).upper(),
                     SkuPriceId=short_hash("price-disk", 12).upper())
        egress = egress_gb_month(estate, w)
        if egress:
            gb = egress * Decimal(rng.randint(90, 110)) / 100
            cost = gb * p.egress_gb
            bill.add(None, **place, ChargeCategory="Usage", ChargeFrequency="Usage-Based",
                     ChargeDescription="Data transfer out (internet egress), per GB",
                     ConsumedQuantity=gb, ConsumedUnit="GB", PricingQuantity=gb,
                     PricingUnit="1 GB", ListUnitPrice=p.egress_gb, ListCost=cost,
                     ContractedUnitPrice=p.egress_gb, ContractedCost=cost, BilledCost=cost,
                     EffectiveCost=cost,
                     ResourceId=f"{base}/microsoft.compute/virtualmachines/vm-{w.id}",
                     ResourceName=f"vm-{w.id}", ResourceType="Virtual machine",
                     ServiceCategory="Networking", ServiceName="Bandwidth",
                     x_SkuMeterCategory="Bandwidth")
    # --- rows that belong to no workload -------------------------------------------------------
    shared = {**common, "RegionId": "westeurope", "RegionName": "West Europe", "Tags": "{}",
              "x_ResourceGroupName": "rg-platform"}
    for day in range(1, bill.days + 1):
        defender = Decimal("0.0196") * 24 * 6
        bill.add(day, **shared, ChargeCategory="Usage",
                 ChargeDescription="Defender for Servers Plan 2, 6 nodes",
                 ConsumedQuantity=Decimal(144), ConsumedUnit="Hours", PricingUnit="1 Hour",
                 PricingQuantity=Decimal(144), ListUnitPrice=Decimal("0.0196"),
                 ListCost=defender, ContractedCost=defender, BilledCost=defender,
                 EffectiveCost=defender, ResourceId=f"{AZURE_SUB}/providers/microsoft.security/"
                 "pricings/virtualmachines", ServiceCategory="Security",
                 ServiceName="Microsoft Defender for Cloud", x_SkuMeterCategory="Microsoft "
                 "Defender for Cloud")
        gb = Decimal(rng.randint(30, 45)) / 10
        logs = gb * Decimal("2.61")
        bill.add(day, **shared, ChargeCategory="Usage", ChargeDescription="Log Analytics "
                 "pay-as-you-go ingestion, per GB", ConsumedQuantity=gb, ConsumedUnit="GB",
                 PricingUnit="1 GB", PricingQuantity=gb, ListUnitPrice=Decimal("2.61"),
                 ListCost=logs, ContractedCost=logs, BilledCost=logs, EffectiveCost=logs,
                 ResourceId=f"{AZURE_SUB}/resourcegroups/rg-platform/providers/"
                 "microsoft.operationalinsights/workspaces/law-gemeente",
                 ResourceName="law-gemeente", ResourceType="Log Analytics workspace",
                 ServiceCategory="Management and Governance", ServiceName="Log Analytics",
                 x_SkuMeterCategory="Log Analytics")
    return bill


def to_csv(rows: list[dict[str, str]], columns: list[str], null: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") or null for c in columns])
    return out.getvalue().encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as fh:
        fh.write(data)
    return buf.getvalue()


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--estate", default=str(ROOT / "advisor/examples/gemeente/advisor.yaml"))
    parser.add_argument("--out", default=str(ROOT / "advisor/examples/gemeente/billing"))
    args = parser.parse_args(argv)
    estate = load_estate(args.estate)
    out = Path(args.out)
    rng = random.Random(SEED)
    total = 0
    for year, month in MONTHS:
        period = f"{year:04d}-{month:02d}"
        days = calendar.monthrange(year, month)[1]
        aws = aws_bill(estate, year, month, rng)
        export = out / "aws" / "gemeente-focus"
        data_key = f"data/BILLING_PERIOD={period}/gemeente-focus-00001.csv.gz"
        write(export / data_key, gzip_bytes(to_csv(aws.rows, AWS_COLUMNS, "")))
        manifest = {"exportName": "gemeente-focus", "billingPeriod": period,
                    "dataFiles": [f"s3://gemeente-billing/exports/gemeente-focus/{data_key}"],
                    "columns": [{"name": c} for c in AWS_COLUMNS]}
        write(export / f"metadata/BILLING_PERIOD={period}/gemeente-focus-Manifest.json",
              (json.dumps(manifest, indent=2) + "\n").encode())
        azure = azure_bill(estate, year, month, rng)
        run = uuid.uuid5(uuid.NAMESPACE_URL, f"gemeente-focus/{period}")
        folder = out / "azure" / "gemeente-focus" / f"{period.replace('-', '')}01-" \
            f"{period.replace('-', '')}{days:02d}" / str(run)
        write(folder / "part_0_0001.csv", to_csv(azure.rows, AZURE_COLUMNS, ""))
        run_info = {"runInfo": {"runId": str(run), "exportName": "gemeente-focus",
                                "dataVersion": "1.0r2"},
                    "blobs": [{"blobName": "part_0_0001.csv", "dataRowCount": len(azure.rows)}]}
        write(folder / "manifest.json", (json.dumps(run_info, indent=2) + "\n").encode())
        total += len(aws.rows) + len(azure.rows)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {total} FOCUS rows, {size / 1024:.0f} KiB, under {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
