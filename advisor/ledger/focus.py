"""FOCUS as the ledger reads it: the columns it needs (1.0 to 1.3 spellings), how a file is read
(CSV, gzip CSV or Parquet, decided from its first bytes), the file's header, and the two kinds of
source the ledger scans: local files (DuckDB) and tables or paths on a cluster (Spark).

Pure local-file logic: the connectors fetch remote exports into a spool folder, and this module
decides how DuckDB reads what they fetched; a cluster source arrives with its session open.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from advisor.errors import InputError

# Columns the ledger needs, by canonical FOCUS name. A tuple lists accepted spellings in order of
# preference: FOCUS 1.3 renamed ProviderName to ServiceProviderName (the old name stays accepted).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "BilledCost": ("BilledCost",),
    "EffectiveCost": ("EffectiveCost",),
    "ListCost": ("ListCost",),
    "BillingCurrency": ("BillingCurrency",),
    "BillingPeriodStart": ("BillingPeriodStart",),
    "ChargeCategory": ("ChargeCategory",),
    "ServiceProviderName": ("ServiceProviderName", "ProviderName"),
}
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "BillingAccountId": ("BillingAccountId",),
    "SubAccountId": ("SubAccountId",),
    "RegionId": ("RegionId",),
    "RegionName": ("RegionName",),
    "ServiceName": ("ServiceName",),
    "ResourceId": ("ResourceId",),
    "Tags": ("Tags",),
    "HostProviderName": ("HostProviderName",),
    "PublisherName": ("PublisherName",),
    "InvoiceIssuerName": ("InvoiceIssuerName",),
    "ChargePeriodStart": ("ChargePeriodStart",),
}

@dataclass(frozen=True)
class LedgerFile:
    """A FOCUS file ready for DuckDB: a local path, what to call it, and how to read it."""

    local: str
    origin: str  # the path or URL the user knows, used in every message
    format: str  # "csv" or "parquet"
    compression: str = "none"  # "none" or "gzip" (CSV only)
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # the source's ``filter:``


@dataclass(frozen=True)
class ClusterTable:
    """A FOCUS table (``table``) or files (``path``) that a cluster reads where they live; the
    ledger sends its queries there and gets grouped sums back, never rows."""

    session: Any  # an open session (a pyspark SparkSession, Connect or classic)
    origin: str  # how every message names it: the table, or the path
    where: str  # the cluster, without credentials (sc://host:15002, spark://host:7077)
    table: str | None = None
    path: str | None = None
    format: str | None = None  # for ``path``: parquet, csv, json, orc, delta (None: guessed)
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    engine: str = "spark"


# -- column names ---------------------------------------------------------------------------------

def normalise_columns(names: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Map canonical FOCUS names to the file's own spelling (case-insensitive, 1.0 to 1.3).

    Returns the mapping and the canonical names of required columns that are missing.
    """
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.strip().lower(), name)
    found: dict[str, str] = {}
    missing: list[str] = []
    for table, required in ((REQUIRED_COLUMNS, True), (OPTIONAL_COLUMNS, False)):
        for canonical, spellings in table.items():
            actual = next((by_lower[s.lower()] for s in spellings if s.lower() in by_lower), None)
            if actual is not None:
                found[canonical] = actual
            elif required:
                missing.append(canonical)
    return found, missing


def csv_header(path: str, compression: str) -> list[str]:
    """The column names on a CSV file's first line (the ledger passes them to DuckDB explicitly,
    so a row with too many or too few fields is an error instead of a silently skipped row)."""
    opener = gzip.open if compression == "gzip" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        first = next(csv.reader(fh), None)
    return [c for c in first] if first else []


def sniff(local: str, origin: str) -> LedgerFile:
    """Decide how to read a file from its first bytes (names lie: an export may be gzip
    without .gz). An empty file is an error, not zero rows."""
    try:
        with open(local, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=origin) from None
    if head == b"PAR1":
        return LedgerFile(local, origin, "parquet")
    compression = "gzip" if head[:2] == b"\x1f\x8b" else "none"
    try:
        opener = gzip.open if compression == "gzip" else open
        with opener(local, "rb") as fh:
            start = fh.read(4096)
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", file=origin) from None
    if not start.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InputError("the file is empty", file=origin,
                         hint="export the FOCUS data again, or remove the file from the source")
    if b"\x00" in start:
        raise InputError("not a CSV or Parquet file (binary content)", file=origin)
    return LedgerFile(local, origin, "csv", compression)


# -- cluster sources: what the connector and the engine both need -------------------------------

MESSAGE_WIDTH = 300


def trim(exc: BaseException, width: int = MESSAGE_WIDTH) -> str:
    """The cluster's message without its JVM stack trace, on one line, clipped."""
    text = str(exc).split("JVM stacktrace:", 1)[0]
    first = " ".join(line.strip() for line in text.strip().splitlines()[:2] if line.strip())
    first = first or type(exc).__name__
    return first if len(first) <= width else first[: width - 3] + "..."


def quiet_pyspark() -> None:
    """pyspark logs every failed query as JSON on stderr; the advisor reports it itself."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True
