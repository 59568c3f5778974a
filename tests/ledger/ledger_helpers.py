"""Helpers shared by the ledger tests: write FOCUS files and small estates."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "focus" / "focus-1.0-sample-1000.csv"

COLUMNS = [
    "BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "BillingAccountId",
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
    "ChargeCategory", "ProviderName", "ServiceName", "RegionId", "SubAccountId", "ResourceId",
    "Tags",
]


def focus_row(**values: Any) -> dict[str, str]:
    """A valid FOCUS 1.0 row; keyword arguments override columns."""
    month = str(values.pop("month", "2026-10"))
    row = {
        "BilledCost": "1.00", "EffectiveCost": "1.00", "ListCost": "1.00",
        "BillingCurrency": "EUR", "BillingAccountId": "acct-1",
        "BillingPeriodStart": f"{month}-01T00:00:00Z", "BillingPeriodEnd": f"{month}-28T00:00:00Z",
        "ChargePeriodStart": f"{month}-02T00:00:00Z", "ChargePeriodEnd": f"{month}-03T00:00:00Z",
        "ChargeCategory": "Usage", "ProviderName": "AWS", "ServiceName": "Amazon EC2",
        "RegionId": "eu-west-1", "SubAccountId": "111", "ResourceId": "", "Tags": "",
    }
    row.update({k: str(v) for k, v in values.items()})
    return row


def write_focus(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None,
                gz: bool = False) -> Path:
    """Write rows as a FOCUS CSV (gzip when asked); missing cells are empty."""
    cols = columns or COLUMNS
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(cols)
    for row in rows:
        writer.writerow([row.get(c, "") for c in cols])
    path.parent.mkdir(parents=True, exist_ok=True)
    data = buf.getvalue().encode()
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


LOCATIONS = """locations:
  - id: aws-ie
    provider: aws
    region: eu-west-1
    country: IE
    jurisdiction: EU
    prices: {currency: EUR, cpu_hour: 0.04, memory_gb_hour: 0.005}
  - id: azure-we
    provider: azure
    region: westeurope
    country: NL
    jurisdiction: EU
    prices: {currency: EUR, cpu_hour: 0.04, memory_gb_hour: 0.005}
  - id: dc1
    provider: onprem
    region: nl-haarlem
    country: NL
    jurisdiction: EU
    prices: {currency: EUR, cpu_hour: 0.04, memory_gb_hour: 0.005}
"""


def workload(ident: str, match: str, location: str = "aws-ie", application: str = "app") -> str:
    """One workloads.yaml entry with a cost_match flow mapping."""
    return (f"  - id: {ident}\n    application: {application}\n    location: {location}\n"
            f"    resources: {{cpu: 1, memory_gb: 1}}\n    cost_match: {match}\n")
