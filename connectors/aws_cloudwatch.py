"""CPU usage of EC2 instances from CloudWatch: the 95th percentile of ``CPUUtilization`` over a
window, per instance, through ``GetMetricData`` (read-only, ``cloudwatch:GetMetricData``).

We ask for 5-minute averages (``Stat: Average``; hourly ones for windows beyond the 63 days that
CloudWatch keeps 5-minute data) and take the 95th percentile of those points ourselves, the way
the Prometheus connector takes ``quantile_over_time`` of 5-minute rates. CloudWatch's own
percentile statistics (``p95``) are not used: they need high-resolution or detailed monitoring
to mean the same thing, and the points of a 5-minute average series are what every account has.

A workload's ``usage.cpu_p95`` in cores is the sum over its instances of
``p95 % × vCPU / 100``. Instances seldom peak together, so the sum can only overstate the p95 of
the workload as a whole: a safe side for rightsizing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from advisor.connectors.aws import guarded

NAMESPACE = "AWS/EC2"
METRIC = "CPUUtilization"
QUERIES_PER_REQUEST = 500  # GetMetricData's limit of MetricDataQueries per request
FIVE_MINUTE_DAYS = 63  # CloudWatch keeps 5-minute points this long, then hourly ones (455 days)


@dataclass(frozen=True)
class CpuWindow:
    """The measured window: ``seconds`` long, ending at ``end`` (aligned to the period)."""

    text: str
    seconds: int
    end: dt.datetime

    @property
    def period(self) -> int:
        return 300 if self.seconds <= FIVE_MINUTE_DAYS * 86400 else 3600

    @property
    def start(self) -> dt.datetime:
        return self.end - dt.timedelta(seconds=self.seconds)

    @classmethod
    def ending_now(cls, text: str, seconds: int, now: dt.datetime | None = None) -> CpuWindow:
        """The window up to the last whole period before ``now`` (CloudWatch answers aligned
        windows fastest, and a period still being filled would lower the figures)."""
        now = now or dt.datetime.now(dt.UTC)
        period = 300 if seconds <= FIVE_MINUTE_DAYS * 86400 else 3600
        epoch = int(now.timestamp()) // period * period
        return cls(text, seconds, dt.datetime.fromtimestamp(epoch, dt.UTC))

    def describe(self) -> str:
        minutes = self.period // 60
        return (f"p95 of CloudWatch {METRIC} ({minutes}-minute averages) over {self.text} "
                f"before {self.end.strftime('%Y-%m-%dT%H:%MZ')}")


def percentile(values: Sequence[Decimal], q: Decimal) -> Decimal:
    """The q-quantile with linear interpolation between closest ranks (as Prometheus'
    ``quantile_over_time`` and numpy's default), exact in Decimal."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _queries(instance_ids: Sequence[str], period: int) -> list[dict[str, Any]]:
    return [{"Id": f"i{n}", "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": NAMESPACE, "MetricName": METRIC,
                   "Dimensions": [{"Name": "InstanceId", "Value": iid}]},
        "Period": period, "Stat": "Average"}} for n, iid in enumerate(instance_ids)]


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def cpu_p95_percent(session: Any, region: str, where: str, instance_ids: Sequence[str],
                    window: CpuWindow) -> tuple[dict[str, Decimal], list[str]]:
    """p95 CPU utilisation (percent) of each instance that has data in the window, and notes.

    Raises SourceError (naming ``where``) when CloudWatch refuses or cannot be reached.
    """
    cloudwatch = session.client("cloudwatch", region_name=region)
    points: dict[str, list[Decimal]] = {iid: [] for iid in instance_ids}
    notes: list[str] = []
    for chunk in _chunks(sorted(set(instance_ids)), QUERIES_PER_REQUEST):
        by_query = {f"i{n}": iid for n, iid in enumerate(chunk)}

        def pages(chunk: Sequence[str] = chunk) -> list[dict[str, Any]]:
            return list(cloudwatch.get_paginator("get_metric_data").paginate(
                MetricDataQueries=_queries(chunk, window.period), StartTime=window.start,
                EndTime=window.end, ScanBy="TimestampAscending"))

        for page in guarded(where, "cloudwatch:GetMetricData", pages):
            for result in page.get("MetricDataResults", []):
                iid = by_query.get(str(result.get("Id")))
                if iid is None:
                    continue
                points[iid].extend(Decimal(str(v)) for v in result.get("Values", []))
            for message in page.get("Messages", []):
                notes.append(f"{where}: CloudWatch says {message.get('Code', '')}: "
                             f"{message.get('Value', '')}".rstrip(": "))
    found = {iid: percentile(values, Decimal("0.95")) for iid, values in points.items() if values}
    return found, notes
