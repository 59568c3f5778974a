"""Azure Cost Management for the ledger: ``query.usage`` per scope over the whole period.

Two queries per scope, each over the custom period of every month asked for (at most 12 months
a query; the answer has a row per month or day): ``ActualCost`` (what the invoice says: FOCUS
``BilledCost``) and ``AmortizedCost`` (reservations and savings plans spread over the usage:
``EffectiveCost``), joined on the period and the grouping keys; a group that only one of them
has counts 0 in the other. So a 12-month run stays far below the documented 12 queries per 10 s
of a client type. Requests carry a ``ClientType`` header (their own quota, not the tenant-wide
default). Pages are followed through ``nextLink`` ourselves (the SDK does not), and throttling
is handled by ``azure.call`` (every Cost Management retry-after header). Tag keys are compared
without regard to case, as Azure does. The query API has no public-price figure, so
``ListCost`` stays empty for these rows.

Each scope is read on its own: one that fails is reported and the others still count.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from advisor.connectors.azure import (
    CLIENT_TYPE,
    Answer,
    arm_client,
    call,
    credential,
    send_request,
)
from advisor.connectors.base import Progress, SourceFailure
from advisor.connectors.cloud_common import FocusRow, periods, write_focus_csv
from advisor.errors import SourceError
from advisor.estate.sources import AzureSettings
from advisor.month import Month

COST_TYPES = (("ActualCost", "billed"), ("AmortizedCost", "effective"))
DATE_COLUMNS = ("BillingMonth", "UsageDate")
COST_COLUMNS = ("Cost", "PreTaxCost", "CostUSD")
MONTHS_PER_QUERY = 12  # the query API's custom time period spans at most a year


def query_body(s: AzureSettings, cost_type: str, months: Month | Sequence[Month],
               today: dt.date) -> dict[str, Any]:
    """One query over consecutive months: from the first's start to the last's end (today for
    a month not yet closed)."""
    span = [months] if isinstance(months, Month) else list(months)
    first, month = span[0], span[-1]
    last = month.end - dt.timedelta(days=1)
    if not month.closed(today):
        last = max(month.start, min(last, today))
    grouping = [{"type": "TagKey", "name": g[4:]} if g.startswith("TAG:")
                else {"type": "Dimension", "name": g} for g in s.group_by]
    return {
        "type": cost_type,
        "timeframe": "Custom",
        "timePeriod": {"from": f"{first.start.isoformat()}T00:00:00Z",
                       "to": f"{last.isoformat()}T23:59:59Z"},
        "dataset": {
            "granularity": "Monthly" if s.granularity == "monthly" else "Daily",
            "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"}},
            "grouping": grouping,
        },
    }


def _first_page(s: AzureSettings, client: Any, scope: str, body: dict[str, Any]) -> Answer:
    """The first page through the SDK's ``query.usage``; its errors keep status and headers."""
    from azure.core.exceptions import HttpResponseError

    kwargs: dict[str, Any] = {"headers": {"ClientType": CLIENT_TYPE}}
    if s.arm_endpoint.startswith("http://"):
        kwargs["enforce_https"] = False  # a local test server; never for a real cloud
    try:
        result = client.query.usage(scope.lstrip("/"), body, **kwargs)
    except HttpResponseError as exc:
        response: Any = exc.response
        if response is None:
            raise
        try:
            data = response.json()
        except ValueError:
            data = {}
        return Answer(response.status_code, dict(response.headers),
                      data if isinstance(data, dict) else {})
    data = result.as_dict() if result is not None else {}
    return Answer(200, {}, data)


def query_rows(s: AzureSettings, client: Any, scope: str, cost_type: str,
               months: Month | Sequence[Month], today: dt.date,
               sleep: Callable[[float], None]) -> list[dict[str, Any]]:
    """Every row of one query as a dict of column -> value, across all pages."""
    body = query_body(s, cost_type, months, today)
    where = f"{s.name} scope {scope}"
    span = [months] if isinstance(months, Month) else list(months)
    label = span[0].label if len(span) == 1 else f"{span[0].label}..{span[-1].label}"
    what = f"Cost Management query ({cost_type} {label})"
    page = call(s, where, what, lambda: _first_page(s, client, scope, body), sleep)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    while True:
        props = page.get("properties", page)
        columns = [c.get("name") for c in props.get("columns", [])]
        for values in props.get("rows", []) or []:
            rows.append(dict(zip(columns, values, strict=False)))
        link = props.get("nextLink") or page.get("nextLink")
        if not link or link in seen:
            return rows
        seen.add(link)
        page = call(s, where, what + " next page",
                    partial(send_request, s, client, "POST", link, body), sleep)


def _period(row: dict[str, Any], month: Month | None) -> tuple[dt.date, dt.date] | None:
    """The row's charge period: its day or month; ``month`` when the answer has no date
    column (a one-month query); None when it has none and spans several months."""
    for col in DATE_COLUMNS:
        value = row.get(col)
        if value is None:
            continue
        text = str(value)
        if col == "UsageDate" and text.isdigit() and len(text) == 8:
            day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            return day, day + dt.timedelta(days=1)
        day = dt.date.fromisoformat(text[:10])
        m = Month(day.year, day.month)
        return m.start, m.end
    return (month.start, month.end) if month is not None else None


def _get(row: dict[str, Any], name: str) -> Any:
    """A column by name, any case (Azure tag keys are case-insensitive)."""
    if name in row:
        return row[name]
    folded = name.casefold()
    return next((v for k, v in row.items() if str(k).casefold() == folded), None)


def _amount(row: dict[str, Any], where: str) -> Decimal:
    for col in COST_COLUMNS:
        if col in row and row[col] is not None:
            try:
                return Decimal(str(row[col]))
            except InvalidOperation:
                raise SourceError(where, f"Cost Management answered a non-number cost "
                                         f"{row[col]!r}") from None
    return Decimal(0)


def scope_rows(s: AzureSettings, client: Any, scope: str, months: Month | Sequence[Month],
               today: dt.date, sleep: Callable[[float], None]) -> list[FocusRow]:
    """Actual and amortized cost of one scope over consecutive months (one query per cost
    type), joined into FOCUS rows."""
    where = f"{s.name} scope {scope}"
    span = [months] if isinstance(months, Month) else list(months)
    joined: dict[tuple[Any, ...], dict[str, Decimal]] = {}
    for cost_type, basis in COST_TYPES:
        for row in query_rows(s, client, scope, cost_type, span, today, sleep):
            period = _period(row, span[0] if len(span) == 1 else None)
            if period is None:
                raise SourceError(where, f"Cost Management answered rows without a date "
                                         f"column for {span[0].label}..{span[-1].label}")
            start, end = period
            keys = []
            for g in s.group_by:
                if g.startswith("TAG:"):
                    tag_key = str(row.get("TagKey") or g[4:])
                    value = row.get("TagValue") if tag_key.casefold() == g[4:].casefold() \
                        else None
                    keys.append(str(value or _get(row, g[4:]) or ""))
                else:
                    keys.append(str(row.get(g) or ""))
            currency = str(row.get("Currency") or row.get("BillingCurrency") or "")
            key: tuple[Any, ...] = (start, end, currency, *keys)
            slot = joined.setdefault(key, {"billed": Decimal(0), "effective": Decimal(0)})
            slot[basis] += _amount(row, where)
    subscription = scope.split("/")[2] if scope.lower().startswith("/subscriptions/") else scope
    out: list[FocusRow] = []
    for key, amounts in joined.items():
        row_out = FocusRow(billing_account=scope, sub_account=subscription, provider="Microsoft",
                           charge_start=key[0], charge_end=key[1], currency=key[2] or "EUR",
                           billed=amounts["billed"], effective=amounts["effective"],
                           source=f"{s.name} Cost Management")
        for g, value in zip(s.group_by, key[3:], strict=True):
            if g == "ServiceName":
                row_out.service = value
            elif g == "SubscriptionId" and value:
                row_out.sub_account = value
            elif g == "ResourceLocation":
                row_out.region = value
            elif g == "ResourceGroupName" and value:
                row_out.tags["x-resource-group"] = value
            elif g.startswith("TAG:") and value:
                row_out.tags[g[4:]] = value
        out.append(row_out)
    return out


def collect_costs(s: AzureSettings, spool: Path, month: str | None, *, cred: Any = None,
                  progress: Progress | None = None, today: dt.date | None = None,
                  sleep: Callable[[float], None] = time.sleep,
                  ) -> tuple[list[tuple[Path, str]], list[str], list[SourceFailure]]:
    """FOCUS files (path, origin) for every scope that answered, notes, and failed scopes."""
    from advisor.connectors.aws import today_utc

    files: list[tuple[Path, str]] = []
    notes: list[str] = []
    failures: list[SourceFailure] = []
    if s.cost_query:
        today = today or today_utc()
        client = arm_client(s, cred if cred is not None else credential(s))
        months = periods(month, s.start, s.end, s.months, today)
        for i, scope in enumerate(s.scopes):
            rows: list[FocusRow] = []
            chunks = [months[k:k + MONTHS_PER_QUERY]
                      for k in range(0, len(months), MONTHS_PER_QUERY)]
            try:
                for j, chunk in enumerate(chunks):
                    if progress:
                        progress.step(f"{s.name} {chunk[0].label}..{chunk[-1].label}",
                                      i * len(chunks) + j, len(s.scopes) * len(chunks))
                    rows.extend(scope_rows(s, client, scope, chunk, today, sleep))
            except SourceError as exc:
                failures.append(SourceFailure(f"{s.name} scope {scope}", exc.message
                                              + (f" ({exc.hint})" if exc.hint else "")))
                continue
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in scope)[-80:]
            path = spool / f"cloud-azure-{i:03d}-{safe}.csv"
            count = write_focus_csv(path, rows)
            files.append((path, f"{s.name} (Cost Management {scope})"))
            notes.append(f"{s.name}: {count} Cost Management groups for {scope} "
                         f"({s.granularity}, by {' and '.join(s.group_by)}); BilledCost = "
                         "ActualCost, EffectiveCost = AmortizedCost, no ListCost")
    if s.focus_path:
        from advisor.connectors.focus import fetch
        from advisor.estate.sources import FocusSettings, settings_from

        raw = {"name": f"{s.name} export", "path": [s.focus_path], "account_url": s.account_url,
               "connection_string": s.connection_string, "authority": s.authority}
        fs = settings_from(FocusSettings, {k: v for k, v in raw.items() if v is not None},
                           base=s.base)
        try:
            got = fetch(fs, spool, month)
        except SourceError as exc:
            failures.append(SourceFailure(f"{s.name} export", exc.message))
        else:
            files += [(Path(f.local), f.origin) for f in got.files]
            notes += got.notes
    return files, notes, failures
