"""The ledger on Spark beside DuckDB: the same figures, and what comes back over the wire.

    python benchmarks/ledger_spark.py                         # 10 million rows (and 1 million)
    python benchmarks/ledger_spark.py --rows 1000000 10000000 100000000 --dir /data/bench

For each size: a seeded FOCUS 1.1 Parquet file (12 months, DECIMAL costs, 1,000 workloads by
tag, 90% of rows tagged, credits) is read by ``advisor.ledger`` on DuckDB (this process) and on
Spark in local mode (a Spark Connect server started from the pyspark package, the same file read
by the server: the data does not pass through the advisor). Grouped by workload and month, and
for one month. Printed: seconds (best of ``--repeat``), whether every row, balance and total is
equal as Decimal, and the bytes Spark Connect sent back (gRPC response messages, counted on the
client): they depend on workloads and months, not on rows.

This measures the engine on one small machine; it does not predict a cluster. Spark's local
mode pays a fixed price per query (planning, code generation, task scheduling) that DuckDB does
not, and on 2 cores it has no more hands than DuckDB has.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = 1000
MONTHS = 12


def generate(path: Path, rows: int) -> None:
    """FOCUS 1.1 rows with DECIMAL(18, 6) costs (as exports carry them), seeded by hash."""
    import duckdb

    con = duckdb.connect(config={"threads": 2, "memory_limit": "4GB",
                                 "preserve_insertion_order": False})
    con.execute(f"""COPY (SELECT
          CAST((hash(i * 3 + 1) % 2000000) / 100000.0 AS DECIMAL(18, 6))
            * (CASE WHEN i % 997 = 0 THEN -1 ELSE 1 END) AS BilledCost,
          CAST((hash(i * 3 + 1) % 2000000) / 111111.0 AS DECIMAL(18, 6)) AS EffectiveCost,
          CAST((hash(i * 3 + 1) % 2000000) / 90909.0 AS DECIMAL(18, 6)) AS ListCost,
          CASE WHEN i % 10 = 0 THEN 'EUR' ELSE 'USD' END AS BillingCurrency,
          TIMESTAMPTZ '2026-01-01 00:00:00+00'
            + INTERVAL (CAST(i % {MONTHS} AS INTEGER)) MONTH AS BillingPeriodStart,
          CASE WHEN i % 997 = 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory,
          'AWS' AS ServiceProviderName,
          '123456789012' AS BillingAccountId,
          printf('%012d', 100000000000 + hash(i * 5) % 40) AS SubAccountId,
          ['eu-west-1', 'eu-central-1', 'us-east-1'][CAST(hash(i * 7) % 3 AS INTEGER) + 1]
            AS RegionId,
          ['Amazon Elastic Compute Cloud', 'Amazon Simple Storage Service',
           'Amazon Relational Database Service', 'AWS Data Transfer']
            [CAST(hash(i * 11) % 4 AS INTEGER) + 1] AS ServiceName,
          printf('arn:aws:ec2:eu-west-1:123456789012:instance/i-%016x', hash(i * 13) % 500000)
            AS ResourceId,
          CASE WHEN hash(i * 17) % 10 = 0 THEN NULL ELSE printf(
            '{{"advisor-workload": "w-%04d", "environment": "%s"}}',
            hash(i * 19) % {WORKLOADS}, ['prod', 'test', 'dev'][CAST(i % 3 AS INTEGER) + 1])
            END AS Tags
        FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)""")
    con.close()


def estate() -> Any:
    from advisor.estate.model import (
        CostMatch,
        Estate,
        ExchangeRate,
        Location,
        Prices,
        Resources,
        Workload,
    )

    prices = Prices("EUR", Decimal("0.04"), Decimal("0.005"), Decimal("0.1"), Decimal("0.09"))
    location = Location("aws-eu-west-1", "AWS Ireland", "aws", "eu-west-1", "IE", "EU", True,
                        prices)
    workloads = [Workload(f"w-{i:04d}", f"w-{i:04d}", f"app-{i % 50:02d}", "aws-eu-west-1",
                          Resources(Decimal(2), Decimal(8)),
                          cost_match=CostMatch(tags=(("advisor-workload", f"w-{i:04d}"),)))
                 for i in range(WORKLOADS)]
    import datetime as dt

    rates = [ExchangeRate("USD", Decimal("0.92"), dt.date(2026, 1, 31))]
    return Estate("bench", "EUR", [location], workloads, exchange_rates=rates)


def on_duckdb(path: Path, month: str | None) -> tuple[float, Any]:
    from advisor.ledger.focus import sniff
    from advisor.ledger.report import report

    start = time.perf_counter()
    rep = report([sniff(str(path), str(path))], estate(), ("workload", "month"), "billed", month)
    return time.perf_counter() - start, rep


def on_spark(url: str, path: Path, month: str | None) -> tuple[float, Any, int]:
    from advisor.connectors.spark import open_session
    from advisor.ledger.focus import ClusterTable
    from advisor.ledger.report import report

    start = time.perf_counter()
    session = open_session(url, None)
    try:
        table = ClusterTable(session=session.spark, origin=str(path), where=session.where,
                             path=str(path), format="parquet")
        rep = report([table], estate(), ("workload", "month"), "billed", month)
    finally:
        session.close()
    return time.perf_counter() - start, rep, session.counter.received


def same(a: Any, b: Any) -> bool:
    return ([(r.keys, r.cost, r.unallocated, r.line_items) for r in a.rows]
            == [(r.keys, r.cost, r.unallocated, r.line_items) for r in b.rows]
            and a.balances == b.balances and a.total == b.total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--dir", default=None, help="keep generated files here")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--driver-memory", default="6g")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    import servers

    conf = {"spark.driver.memory": args.driver_memory, "spark.sql.shuffle.partitions": "8"}
    server = servers.spark_connect(conf=conf)
    url = next(server)
    print(f"Spark Connect (local[2], driver {args.driver_memory}) at {url}")
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="advisor-spark-bench-") as tmp:
            folder = Path(args.dir) if args.dir else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            print(f"{'rows':>12} {'month':>8} {'duckdb s':>9} {'spark s':>8} {'spark/duck':>10} "
                  f"{'same':>5} {'bytes back':>11} {'groups':>7}")
            for rows in args.rows:
                path = folder / f"focus-spark-{rows}.parquet"
                if not path.exists():
                    start = time.perf_counter()
                    generate(path, rows)
                    print(f"generated {path.name} ({path.stat().st_size / 2**20:,.0f} MiB) in "
                          f"{time.perf_counter() - start:.0f} s")
                with path.open("rb") as fh:  # warm the page cache for both engines
                    while fh.read(1 << 24):
                        pass
                for month in (None, "2026-06"):
                    best_d = best_s = float("inf")
                    received = 0
                    for _ in range(args.repeat):
                        seconds, duck = on_duckdb(path, month)
                        best_d = min(best_d, seconds)
                        seconds, spark, received = on_spark(url, path, month)
                        best_s = min(best_s, seconds)
                    equal = same(duck, spark)
                    ok &= equal
                    print(f"{rows:>12,} {month or 'all':>8} {best_d:>9.2f} {best_s:>8.2f} "
                          f"{best_s / best_d:>9.1f}x {'yes' if equal else 'NO':>5} "
                          f"{received:>11,} {len(spark.rows):>7,}", flush=True)
                print(f"{'':>12} total {spark.total:.2f} {spark.currency} on both engines"
                      if equal else "  totals differ", flush=True)
    finally:
        server.close()
    print("\nthe same figures on both engines" if ok else "\nFIGURES DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
