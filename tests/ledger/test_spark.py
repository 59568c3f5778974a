"""The ledger on Spark: the same figures as DuckDB, to the cent and exactly, on the same data.

A real Spark Connect server in local mode (tests/servers.py ``spark_connect``; one per session,
the tests share the xdist group "spark"). Each test reads one data set through both engines and
compares every row, balance and total as Decimal; the Spark side reads a ``path:`` the cluster
loads itself, or a ``table:`` registered on the cluster.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import SAMPLE, focus_row, workload, write_focus
from servers import free_port

from advisor.commands.sources import read_ledger
from advisor.estate.load import load_estate
from advisor.ledger.report import LedgerReport

pytestmark = pytest.mark.xdist_group("spark")

RATES = ("  - {currency: USD, rate: 0.90, date: 2026-08-31}\n"
         "  - {currency: USD, rate: 0.92, date: 2026-09-30}\n"
         "  - {currency: GBP, rate: 1.15, date: 2026-08-01}\n"
         "  - {currency: USD, rate: 0.9, date: 2024-09-30}\n")
SAMPLE_WORKLOADS = (workload("trey", "{tags: {' org': trey}}")
                    + workload("vienna", "{tags: {business_unit: ViennaAI}}")
                    + workload("ec2", "{resource_id: ['arn:aws:ec2:*']}", application="compute")
                    + workload("acct", "{account: ['1*']}", location="dc1", application="b"))


def spark_source(url: str, **keys: str) -> str:
    inner = ", ".join(f"{k}: '{v}'" for k, v in keys.items())
    return f"[{{type: focus, engine: spark, connect: '{url}', {inner}}}]"


def same(duck: LedgerReport, spark: LedgerReport) -> None:
    """Every figure equal as Decimal (so equal to the cent), and the invariant holds."""
    assert [(r.keys, r.cost, r.unallocated, r.line_items) for r in spark.rows] == \
        [(r.keys, r.cost, r.unallocated, r.line_items) for r in duck.rows]
    assert spark.balances == duck.balances and all(b.holds for b in spark.balances)
    assert (spark.total, spark.allocated, spark.unallocated, spark.line_items) == \
        (duck.total, duck.allocated, duck.unallocated, duck.line_items)
    assert spark.rates == duck.rates and spark.currency == duck.currency
    assert [n for _, n in spark.sources] == [n for _, n in duck.sources] or \
        sum(n for _, n in spark.sources) == sum(n for _, n in duck.sources)


def test_sample_csv_path_same_on_both_engines(tmp_path: Path, estate_dir, spark_url) -> None:
    spark_dir, duck_dir = tmp_path / "spark", tmp_path / "duck"
    for d in (spark_dir, duck_dir):
        d.mkdir()
        (d / "sample.csv").write_bytes(SAMPLE.read_bytes())
    duck = _estate(estate_dir, duck_dir, SAMPLE_WORKLOADS, "[{type: focus, path: sample.csv}]")
    on_spark = _estate(estate_dir, spark_dir, SAMPLE_WORKLOADS,
                       spark_source(spark_url, path="sample.csv"))
    # one basis here (the generated months read EffectiveCost): each Spark read costs seconds
    dims = ("provider", "charge_category", "month", "workload", "location")
    want = read_ledger(duck, group_by=dims, cost_basis="list")
    got = read_ledger(on_spark, group_by=dims, cost_basis="list")
    same(want, got)
    assert got.line_items == 1000 and got.sources == [("sample.csv", 1000)]
    credit = [r for r in got.rows if r.keys[1] == "Credit"]
    assert credit and all(r.cost < 0 for r in credit)


def _estate(estate_dir: Any, folder: Path, workloads: str, sources: str) -> Any:
    """estate_dir writes into one tmp folder; give each engine its own copy."""
    config = estate_dir(workloads, sources=sources, rates=RATES)
    for name in ("advisor.yaml", "locations.yaml", "workloads.yaml"):
        (folder / name).write_text((config.parent / name).read_text())
    return load_estate(folder / "advisor.yaml")


def generated_months(folder: Path) -> Path:
    """Three months of typed FOCUS 1.1 rows in Parquet: DECIMAL costs, UTC timestamps, MAP Tags,
    ServiceProviderName; tags, namespaces, resource ids, accounts, credits, refunds and three
    currencies (EUR, USD, GBP) with amounts that DOUBLE could not hold exactly."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows: dict[str, list[Any]] = {c: [] for c in (
        "BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "BillingPeriodStart",
        "ChargeCategory", "ServiceProviderName", "BillingAccountId", "SubAccountId", "RegionId",
        "ServiceName", "ResourceId", "Tags")}
    for i in range(900):
        month = (8, 9, 10)[i % 3]
        cents = Decimal((i * 7919) % 100000) / Decimal(1000) + Decimal("0.0000000001") * i
        category = ("Usage", "Usage", "Usage", "Purchase", "Tax", "Credit", "Adjustment")[i % 7]
        if category == "Credit" or (category == "Adjustment" and i % 2):  # credits and refunds
            cents = -cents
        tags: list[tuple[str, str]] = []
        if i % 5 == 0:
            tags.append(("app", f"app-{i % 4}"))
        if i % 5 == 1:
            tags += [("app", f"app-{i % 4}"), ("env", "prod" if i % 2 else "test")]
        if i % 11 == 0:
            tags.append(("kubernetes.io/namespace", "zaken"))
        rows["BilledCost"].append(cents)
        rows["EffectiveCost"].append(cents * Decimal("0.9"))
        rows["ListCost"].append(cents * Decimal("1.1"))
        rows["BillingCurrency"].append(("EUR", "USD", "GBP", "USD")[i % 4])
        rows["BillingPeriodStart"].append(dt.datetime(2026, month, 1, tzinfo=dt.UTC))
        rows["ChargeCategory"].append(category)
        rows["ServiceProviderName"].append(("AWS", "Microsoft")[i % 2])
        rows["BillingAccountId"].append(f"billing-{i % 2}")
        rows["SubAccountId"].append(None if i % 13 == 0 else f"sub-{i % 6}")
        rows["RegionId"].append(("eu-west-1", "westeurope", None)[i % 3])
        rows["ServiceName"].append(("Compute", "Storage", "Support")[i % 3])
        rows["ResourceId"].append(f"i-{i % 17:04d}" if i % 3 else None)
        rows["Tags"].append(tags or None)
    money = pa.decimal128(24, 12)
    schema = pa.schema([
        ("BilledCost", money), ("EffectiveCost", money), ("ListCost", money),
        ("BillingCurrency", pa.string()), ("BillingPeriodStart", pa.timestamp("us", tz="UTC")),
        ("ChargeCategory", pa.string()), ("ServiceProviderName", pa.string()),
        ("BillingAccountId", pa.string()), ("SubAccountId", pa.string()),
        ("RegionId", pa.string()), ("ServiceName", pa.string()), ("ResourceId", pa.string()),
        ("Tags", pa.map_(pa.string(), pa.string()))])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "part-0.parquet"
    pq.write_table(pa.table(rows, schema=schema), path)
    return path


GENERATED_WORKLOADS = (
    workload("web", "{resource_id: ['i-0001', 'i-000[2-3]']}")
    + workload("zaak", "{namespace: [zaken]}", location="azure-we")
    + workload("app0", "{tags: {app: app-0}}")
    + workload("app1-prod", "{tags: {app: app-1, env: prod}}", application="one")
    + workload("app1", "{tags: {app: app-1}}", application="one")
    + workload("batch", "{account: ['sub-5', 'sub-4*']}", location="dc1", application="b"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, spark: Any) -> Path:
    """The generated months as a Spark table ``gen_focus`` (and its Parquet folder)."""
    folder = tmp_path_factory.mktemp("gen") / "focus"
    generated_months(folder)
    spark.sql(f"CREATE TABLE gen_focus USING parquet LOCATION '{folder}'")
    return folder


def test_generated_table_same_on_both_engines(tmp_path: Path, estate_dir, spark_url,
                                              generated: Path) -> None:
    (tmp_path / "spark").mkdir()
    (tmp_path / "duck").mkdir()
    duck = _estate(estate_dir, tmp_path / "duck", GENERATED_WORKLOADS,
                   f"[{{type: focus, path: '{generated}'}}]")
    on_spark = _estate(estate_dir, tmp_path / "spark", GENERATED_WORKLOADS,
                       spark_source(spark_url, table="default.gen_focus"))
    for dims, month, basis in ((("workload", "month", "location"), None, "billed"),
                               (("provider", "account", "charge_category", "application"),
                                "2026-09", "effective")):
        want = read_ledger(duck, group_by=dims, month=month, cost_basis=basis)
        got = read_ledger(on_spark, group_by=dims, month=month, cost_basis=basis)
        same(want, got)
        assert got.sources == [("default.gen_focus", got.line_items)]
    assert {r.keys[0] for r in want.rows} >= {"AWS", "Microsoft"}
    assert got.allocated and got.unallocated
    assert {r.currency for r in got.rates if r.date} == {"GBP", "USD"}


def test_filter_and_month_are_pushed_to_the_cluster(tmp_path: Path, estate_dir, spark_url,
                                                    generated: Path, run_cli) -> None:
    (tmp_path / "spark").mkdir()
    (tmp_path / "duck").mkdir()
    narrow = "filter: {billing_account: [billing-1], provider: [microsoft]}"
    duck = _estate(estate_dir, tmp_path / "duck", GENERATED_WORKLOADS,
                   f"[{{type: focus, path: '{generated}', {narrow}}}]")
    config = tmp_path / "spark" / "advisor.yaml"
    _estate(estate_dir, tmp_path / "spark", GENERATED_WORKLOADS,
            f"[{{type: focus, engine: spark, connect: '{spark_url}', "
            f"table: default.gen_focus, {narrow}}}]")
    want = read_ledger(duck, group_by=("provider", "workload"), month="2026-10")
    got = read_ledger(load_estate(config), group_by=("provider", "workload"), month="2026-10")
    same(want, got)
    assert {r.keys[0] for r in got.rows} == {"Microsoft"}
    assert got.line_items == 150  # a sixth of the 900 rows: one month, one provider and account
    code, _, err = run_cli("costs", "-c", str(config), "--month", "2026-12")
    assert code == 2 and "2026-08, 2026-09, 2026-10" in err


def test_calibration_and_report_use_the_cluster(tmp_path: Path, estate_dir, spark_url,
                                                generated: Path, run_cli) -> None:
    outputs = {}
    for engine, source in (("duck", f"[{{type: focus, path: '{generated}'}}]"),
                           ("spark", spark_source(spark_url, table="default.gen_focus"))):
        folder = tmp_path / engine
        folder.mkdir()
        _estate(estate_dir, folder, GENERATED_WORKLOADS, source)
        config = str(folder / "advisor.yaml")
        code, out, err = run_cli("analyze", "-c", config, "--format", "json")
        assert code == 0, err
        calibration = json.loads(out)["calibration"]
        calibration["sources"] = [s.replace(f"{generated}/part-0.parquet", "default.gen_focus")
                                  for s in calibration["sources"]]
        code, report, err = run_cli("report", "-c", config, "--month", "2026-10", "--format",
                                "markdown", "--store", str(folder / "history.duckdb"))
        assert code == 0, err
        outputs[engine] = (calibration, report.replace(
            f"{generated}/part-0.parquet".replace("_", "\\_"), "default.gen\\_focus"))
    assert outputs["spark"][0] == outputs["duck"][0]
    assert outputs["spark"][1] == outputs["duck"][1]
    assert outputs["spark"][0]["month"] == "2026-10"


def test_table_without_focus_columns_names_them(tmp_path: Path, estate_dir, spark_url, spark,
                                                run_cli) -> None:
    spark.sql("CREATE OR REPLACE TEMP VIEW unused AS SELECT 1")  # the session works
    folder = tmp_path / "notfocus"
    folder.mkdir()
    spark.sql("SELECT 1.5 AS BilledCost, 'EUR' AS BillingCurrency").write.parquet(
        str(folder / "data"))
    spark.sql(f"CREATE TABLE not_focus USING parquet LOCATION '{folder / 'data'}'")
    config = estate_dir("", sources=spark_source(spark_url, table="not_focus"))
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2, err
    assert "not_focus" in err and "EffectiveCost, ListCost, BillingPeriodStart" in err
    config = estate_dir("", sources=spark_source(spark_url, table="finops.nothing"))
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2 and "finops.nothing" in err and "Traceback" not in err


def test_bad_values_on_the_cluster_are_input_errors(tmp_path: Path, estate_dir, spark_url,
                                                    run_cli) -> None:
    path = write_focus(tmp_path / "bad" / "f.csv", [focus_row(), focus_row(BilledCost="abc")])
    config = estate_dir("", sources=spark_source(spark_url, path=str(path.parent), format="csv"))
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2, err
    assert "column BilledCost: 'abc' is not a number" in err
    write_focus(path, [focus_row(), focus_row(Tags="{not json")])
    config = estate_dir(workload("w", "{tags: {app: x}}"),
                        sources=spark_source(spark_url, path=str(path)))
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2 and "column Tags: '{not json' is not a JSON object" in err


def test_a_query_that_fails_on_the_cluster_is_a_failed_source(tmp_path: Path, estate_dir,
                                                              spark_url, run_cli) -> None:
    huge = "99999999999999999999"  # fits DECIMAL(38, 18); two of them do not: ANSI overflow
    path = write_focus(tmp_path / "f.csv", [focus_row(BilledCost=huge),
                                            focus_row(BilledCost=huge)])
    config = estate_dir("", sources=spark_source(spark_url, path=str(path)))
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 3, err
    assert "the cluster failed:" in err and "JVM stacktrace" not in err
    assert len(err.splitlines()[0]) < 500 and "Traceback" not in err


def test_unreachable_cluster_is_exit_3_without_credentials(estate_dir, run_cli) -> None:
    pytest.importorskip("pyspark")
    url = f"sc://127.0.0.1:{free_port()}/;user_id=finops;token=s3cret-token"
    config = estate_dir("", sources=f"[{{type: focus, engine: spark, connect: '{url}', "
                                    "table: finops.focus}]")
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 3, err
    assert f"sc://127.0.0.1:{url.split(':')[2].split('/')[0]}" in err
    assert "s3cret" not in err and "finops;" not in err and "Traceback" not in err


def test_settings_errors_name_the_key(estate_dir, run_cli) -> None:
    for source, expected in (
            ("{type: focus, engine: spark, table: t}", "needs one of 'connect'"),
            ("{type: focus, engine: spark, connect: 'sc://h:1', table: t, path: p}",
             "one of 'table' or 'path'"),
            ("{type: focus, path: p, table: t}", "'table' is for a cluster engine"),
            ("{type: focus, engine: sparc, path: p}", "did you mean 'spark'"),
            ("{type: focus, path: p, filter: {account: [x]}}", "unknown key 'account'")):
        code, _, err = run_cli("costs", "-c", str(estate_dir("", sources=f"[{source}]")))
        assert code == 2 and expected in err and "advisor.yaml:" in err, (source, err)


def test_classic_master_reads_the_same(tmp_path: Path, estate_dir) -> None:
    """Without Spark Connect: a classic local master (a driver in this process)."""
    pytest.importorskip("pyspark")
    (tmp_path / "duck").mkdir()
    (tmp_path / "spark").mkdir()
    path = write_focus(tmp_path / "data" / "f.csv", [
        focus_row(BilledCost="1.005", Tags='{"app": "x"}'),
        focus_row(BilledCost="-0.5", ChargeCategory="Credit", BillingCurrency="USD",
                  month="2026-09"),
        focus_row(BilledCost="2.25", ProviderName="Microsoft", RegionId="westeurope")])
    duck = _estate(estate_dir, tmp_path / "duck", workload("x", "{tags: {app: x}}"),
                   f"[{{type: focus, path: '{path}'}}]")
    classic = _estate(estate_dir, tmp_path / "spark", workload("x", "{tags: {app: x}}"),
                      f"[{{type: focus, engine: spark, master: 'local[1]', path: '{path}'}}]")
    dims = ("provider", "workload", "month")
    before = signal.getsignal(signal.SIGINT)
    same(read_ledger(duck, group_by=dims), read_ledger(classic, group_by=dims))
    # The driver's own Ctrl-C handler is gone with the driver: the previous one is back.
    assert signal.getsignal(signal.SIGINT) is before
