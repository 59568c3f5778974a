"""AWS Cost Explorer for the ledger: ``get_cost_and_usage`` per billing month, cached on disk.

Each Cost Explorer request costs USD 0.01. A month whose last day is over cannot change any more,
so its answers are kept in a cache folder keyed by the request (and the caller's account and
profile): asking again for a closed month costs nothing. The open month is always asked afresh.
Pages are followed with our own ``NextPageToken`` loop and a ``LimitExceededException`` is retried
with exponential backoff (1, 2, 4 ... seconds, at most ``max_retries`` times); the run counts
how many paid requests it made.

Each answered group becomes one FOCUS row: ``UnblendedCost`` is ``BilledCost`` (what the invoice
says) and ``NetAmortizedCost`` is ``EffectiveCost`` (commitments spread over the usage they cover,
after discounts). Cost Explorer has no public-price metric, so ``ListCost`` stays empty and
``--cost list`` is not available for these rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from advisor.connectors.aws import describe, today_utc
from advisor.connectors.base import Progress
from advisor.connectors.cloud_common import FocusRow, periods, write_focus_csv
from advisor.errors import SourceError
from advisor.estate.sources import AwsSettings
from advisor.month import Month

METRICS = ("NetAmortizedCost", "UnblendedCost")


@dataclass
class CeStats:
    """Requests a run made: ``paid`` reached Cost Explorer, ``cached`` were answered from disk."""

    paid: int = 0
    cached: int = 0
    retries: int = 0


def default_cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "advisor" / "aws-cost-explorer"


def build_request(s: AwsSettings, month: Month, today: dt.date) -> dict[str, Any]:
    """The request body for one month (the open month ends today, as Cost Explorer requires)."""
    end = month.end if month.closed(today) else max(today, month.start + dt.timedelta(days=1))
    req: dict[str, Any] = {
        "TimePeriod": {"Start": month.start.isoformat(), "End": end.isoformat()},
        "Granularity": s.granularity.upper(),
        "Metrics": list(METRICS),
        "GroupBy": [{"Type": "TAG", "Key": g[4:]} if g.startswith("TAG:")
                    else {"Type": "DIMENSION", "Key": g} for g in s.group_by],
    }
    if s.accounts and not s.all_accounts:
        req["Filter"] = {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": list(s.accounts)}}
    return req


class CostExplorer:
    """One payer's Cost Explorer, with the disk cache, the backoff and the request count."""

    def __init__(self, s: AwsSettings, client: Any, caller: str, stats: CeStats,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.s = s
        self.client = client
        self.caller = caller
        self.stats = stats
        self.sleep = sleep
        self.cache = s.cache_path or default_cache_dir()

    def _key(self, request: dict[str, Any]) -> str:
        ident = {"caller": self.caller, "profile": self.s.profile or "",
                 "endpoint": str(self.client.meta.endpoint_url), "request": request}
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()

    def page(self, request: dict[str, Any], closed: bool) -> dict[str, Any]:
        """One page: from the cache for a closed month, else from Cost Explorer (and then
        cached when the month is closed)."""
        path = self.cache / f"{self._key(request)}.json"
        if closed and path.is_file():
            try:
                cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
                self.stats.cached += 1
                return cached
            except (OSError, ValueError):
                pass  # a damaged cache entry is asked again and overwritten
        answer = self._call(request)
        if closed:
            keep = {k: answer[k] for k in ("ResultsByTime", "NextPageToken",
                                           "DimensionValueAttributes", "GroupDefinitions")
                    if k in answer}
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(keep, sort_keys=True), encoding="utf-8")
                tmp.replace(path)
            except OSError:
                pass  # a read-only cache folder costs money, not correctness
        return answer

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        attempt = 0
        while True:
            try:
                answer: dict[str, Any] = self.client.get_cost_and_usage(**request)
                self.stats.paid += 1
                return answer
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                if code in ("LimitExceededException", "ThrottlingException",
                            "TooManyRequestsException") and attempt < self.s.max_retries:
                    self.stats.retries += 1
                    self.sleep(min(2.0 ** attempt, 30.0))
                    attempt += 1
                    continue
                message, hint = describe(exc, "ce:GetCostAndUsage")
                if code in ("LimitExceededException", "ThrottlingException"):
                    message += f" (still throttled after {attempt + 1} attempts)"
                    hint = "try again later, or raise 'max_retries' in the source settings"
                raise SourceError(self.s.name, message, hint) from None
            except BotoCoreError as exc:
                message, hint = describe(exc, "ce:GetCostAndUsage")
                raise SourceError(self.s.name, message, hint) from None

    def month_rows(self, month: Month, today: dt.date) -> list[FocusRow]:
        base = build_request(self.s, month, today)
        closed = month.closed(today)
        rows: list[FocusRow] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            request = dict(base, NextPageToken=token) if token else base
            answer = self.page(request, closed)
            rows.extend(self._rows(answer))
            token = answer.get("NextPageToken")
            if not token or token in seen:
                return rows
            seen.add(token)

    def _rows(self, answer: dict[str, Any]) -> list[FocusRow]:
        out = []
        for period in answer.get("ResultsByTime", []):
            start = dt.date.fromisoformat(period["TimePeriod"]["Start"])
            end = dt.date.fromisoformat(period["TimePeriod"]["End"])
            groups = period.get("Groups") or []
            if not groups and period.get("Total"):
                groups = [{"Keys": [], "Metrics": period["Total"]}]
            for group in groups:
                row = self._row(start, end, group)
                if row is not None:
                    out.append(row)
        return out

    def _row(self, start: dt.date, end: dt.date, group: dict[str, Any]) -> FocusRow | None:
        metrics = group.get("Metrics", {})
        billed = _amount(metrics.get("UnblendedCost"), self.s.name)
        effective = _amount(metrics.get("NetAmortizedCost"), self.s.name)
        if billed is None and effective is None:
            return None
        unit = (metrics.get("UnblendedCost") or metrics.get("NetAmortizedCost") or {}).get(
            "Unit", "USD")
        row = FocusRow(billing_account=self.caller, sub_account=self.caller, provider="AWS",
                       charge_start=start, charge_end=end, currency=str(unit),
                       billed=billed or Decimal(0), effective=effective or Decimal(0),
                       source=f"{self.s.name} Cost Explorer")
        for key, value in zip(self.s.group_by, group.get("Keys", []), strict=False):
            value = str(value)
            if key == "LINKED_ACCOUNT":
                row.sub_account = value
            elif key == "SERVICE":
                row.service = value
            elif key == "REGION":
                row.region = value
            elif key.startswith("TAG:"):
                tag, _, tag_value = value.partition("$")
                if tag_value:
                    row.tags[tag or key[4:]] = tag_value
        return row


def _amount(metric: dict[str, Any] | None, source: str) -> Decimal | None:
    if not metric or metric.get("Amount") in (None, ""):
        return None
    try:
        return Decimal(str(metric["Amount"]))
    except InvalidOperation:
        raise SourceError(source, f"Cost Explorer answered a non-number amount "
                                  f"{metric['Amount']!r}") from None


def cost_rows(s: AwsSettings, session: Any, caller: str, month: str | None, stats: CeStats,
              progress: Progress | None = None, today: dt.date | None = None,
              sleep: Callable[[float], None] = time.sleep) -> list[FocusRow]:
    """Every month's rows from the payer's Cost Explorer (its endpoint lives in us-east-1)."""
    today = today or today_utc()
    from botocore.config import Config

    # botocore would retry LimitExceededException itself, briefly and uncounted; we do it here
    client = session.client("ce", region_name="us-east-1",
                            config=Config(retries={"total_max_attempts": 1}))
    ce = CostExplorer(s, client, caller, stats, sleep)
    months = periods(month, s.start, s.end, s.months, today)
    rows: list[FocusRow] = []
    for i, m in enumerate(months):
        if progress:
            progress.step(f"{s.name} Cost Explorer {m.label}", i, len(months))
        rows.extend(ce.month_rows(m, today))
    return rows


def collect_costs(s: AwsSettings, spool: Path, month: str | None, stats: CeStats,
                  progress: Progress | None = None,
                  sleep: Callable[[float], None] = time.sleep) -> tuple[list[Path], list[str]]:
    """Cost Explorer rows as a FOCUS CSV in ``spool`` (plus nothing else: Data Exports in S3 are
    read by the FOCUS reader). Raises SourceError when the source cannot be read."""
    from advisor.connectors.aws import base_session, caller_account

    if not s.cost_explorer:
        return [], []
    session = base_session(s)
    caller = caller_account(s, session)
    rows = cost_rows(s, session, caller, month, stats, progress, sleep=sleep)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in s.name)
    path = spool / f"cloud-{safe}-cost-explorer.csv"
    count = write_focus_csv(path, rows)
    notes = [f"{s.name}: {count} Cost Explorer groups ({s.granularity}, by "
             f"{' and '.join(s.group_by)}); BilledCost = UnblendedCost, EffectiveCost = "
             "NetAmortizedCost, no ListCost"]
    return [path], notes
