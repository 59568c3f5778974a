"""Pieces shared by the AWS and Azure connectors: billing periods, FOCUS rows for the ledger,
secret scrubbing, a progress line on stderr, and the collection of failed accounts.

Cost Explorer and Cost Management answer with sums, not line items. The connectors turn each
answered group into one FOCUS-shaped row and write them as CSV into the ledger's spool folder, so
``advisor costs`` reads API answers and exported files through one reader (``focus``)
and one set of rules (``advisor.ledger.report``).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from advisor.atomic import open_atomic
from advisor.connectors.base import SourceFailure
from advisor.errors import InputError
from advisor.month import Month
from advisor.redact import redact_deep

FOCUS_COLUMNS = ("BillingAccountId", "SubAccountId", "ServiceProviderName", "BillingPeriodStart",
                 "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory",
                 "BillingCurrency", "BilledCost", "EffectiveCost", "ListCost", "RegionId",
                 "ServiceName", "ResourceId", "Tags", "x_Source")


def months_between(first: Month, last: Month) -> list[Month]:
    out = []
    cur = last
    while (cur.year, cur.month) >= (first.year, first.month):
        out.append(cur)
        cur = cur.previous()
    return sorted(out, key=lambda m: (m.year, m.month))


def periods(month: str | None, start: Month | None, end: Month | None, count: int,
            today: dt.date) -> list[Month]:
    """The billing months to ask for: ``--month`` wins, then start/end, else the last ``count``
    months up to and including the current one."""
    if month:
        return [Month.parse(month)]
    this = Month(today.year, today.month)
    last = end or this
    first = start
    if first is None:
        first = last
        for _ in range(count - 1):
            first = first.previous()
    if (first.year, first.month) > (last.year, last.month):
        raise InputError(f"start {first.label} is after end {last.label}",
                         hint="swap start and end")
    return months_between(first, last)


@dataclass
class FocusRow:
    """One answered group as a FOCUS line item (amounts exact, currency as answered)."""

    billing_account: str
    sub_account: str
    provider: str
    charge_start: dt.date
    charge_end: dt.date
    currency: str
    billed: Decimal
    effective: Decimal | None
    list_cost: Decimal | None = None
    region: str = ""
    service: str = ""
    resource_id: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def cells(self) -> list[str]:
        period = Month.of(self.charge_start)

        def ts(day: dt.date) -> str:
            return f"{day.isoformat()}T00:00:00Z"

        def num(value: Decimal | None) -> str:
            return "" if value is None else format(value, "f")

        return [self.billing_account, self.sub_account, self.provider, ts(period.start),
                ts(period.end), ts(self.charge_start), ts(self.charge_end), "Usage",
                self.currency, num(self.billed), num(self.effective), num(self.list_cost),
                self.region, self.service, self.resource_id,
                json.dumps(self.tags, sort_keys=True) if self.tags else "", self.source]


def write_focus_csv(path: Path, rows: Iterable[FocusRow]) -> int:
    """Write rows sorted (deterministic bytes); returns how many were written."""
    items = sorted(r.cells() for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_atomic(path, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FOCUS_COLUMNS)
        writer.writerows(items)
    return len(items)


# -- secrets ----------------------------------------------------------------------------------

def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """Remove credentials from a message before it can reach output, a log or an error (the
    one redaction function, ``advisor.redact``, in its form for cloud SDK messages)."""
    return redact_deep(text, secrets)


def first_line(text: str, limit: int = 300) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


# -- results ----------------------------------------------------------------------------------

@dataclass
class CloudCosts:
    """What the cloud cost sources of an estate gave the ledger."""

    files: list[Any] = field(default_factory=list)  # LedgerFile for the ledger
    notes: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    paid_requests: int = 0
    cached_requests: int = 0


@dataclass
class InventoryGroup:
    """Cloud resources that become one workload: same account or subscription (``scope``),
    region and grouping tag. Sizes are summed; ``resource_ids`` feed the ledger's cost_match."""

    scope: str
    region: str
    key: str
    application: str
    cpu: Decimal = Decimal(0)
    memory_gb: Decimal = Decimal(0)
    storage_gb: Decimal = Decimal(0)
    tags: dict[str, str] = field(default_factory=dict)
    resource_ids: list[str] = field(default_factory=list)
    tagged: bool = True
