"""Where FOCUS files come from and how they look: formats, versions, export layouts."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from ledger_helpers import COLUMNS, SAMPLE, focus_row, write_focus

from advisor.commands.sources import read_ledger
from advisor.connectors.focus import _Entry, select_exports


def total(*paths: str, **kw: object) -> tuple[Decimal, int]:
    report = read_ledger(None, paths=paths, **kw)  # type: ignore[arg-type]
    return report.total, report.line_items


def test_gzip_csv_and_parquet_give_the_same_totals(tmp_path: Path) -> None:
    import duckdb

    parquet = tmp_path / "sample.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{SAMPLE}', all_varchar=true, nullstr='NULL')) "
               f"TO '{parquet}' (FORMAT parquet)")
    gz = tmp_path / "export-without-suffix"
    import gzip

    gz.write_bytes(gzip.compress(SAMPLE.read_bytes(), mtime=0))
    expected = total(str(SAMPLE))
    assert total(str(parquet)) == expected
    assert total(str(gz)) == expected  # sniffed, not guessed from the name
    assert expected[1] == 1000


def test_typed_parquet_with_map_tags(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "typed.parquet"
    duckdb.sql(f"""COPY (SELECT CAST(1.25 AS DECIMAL(18, 6)) AS BilledCost,
        1.0::DOUBLE AS EffectiveCost, 2.0::DOUBLE AS ListCost, 'EUR' AS BillingCurrency,
        TIMESTAMP '2026-10-01' AS BillingPeriodStart, 'Usage' AS ChargeCategory,
        'AWS' AS ProviderName, MAP {{'advisor-workload': 'w1'}} AS Tags
        FROM range(4)) TO '{path}' (FORMAT parquet)""")
    from advisor.estate.model import CostMatch, Estate, Location, Prices, Resources, Workload

    prices = Prices("EUR", Decimal(1), Decimal(1), Decimal(0), Decimal(0))
    estate = Estate("t", "EUR", [Location("l", "l", "aws", "eu-west-1", "IE", "EU", True, prices)],
                    [Workload("w1", "w1", "a", "l", Resources(Decimal(1), Decimal(1)),
                              cost_match=CostMatch(tags=(("advisor-workload", "w1"),)))])
    report = read_ledger(estate, paths=[str(path)], group_by=("workload", "month"))
    assert [(r.keys, r.cost, r.line_items) for r in report.rows] == [
        (("w1", "2026-10"), Decimal("5.00"), 4)]


def test_focus_13_names_case_and_x_columns(tmp_path: Path) -> None:
    cols = [c.lower() if c == "BilledCost" else c for c in COLUMNS if c != "ProviderName"]
    cols += ["ServiceProviderName", "HostProviderName", "x_ResourceGroupName"]
    row = focus_row(BilledCost="3")
    row["billedcost"] = "3"
    row.update(ServiceProviderName="Microsoft", HostProviderName="Microsoft",
               x_ResourceGroupName="rg")
    path = write_focus(tmp_path / "f13.csv", [row], cols)
    report = read_ledger(None, paths=[str(path)], group_by=("provider",))
    assert [(r.keys, r.cost) for r in report.rows] == [(("Microsoft",), Decimal(3))]


def test_service_provider_name_wins_over_provider_name(tmp_path: Path) -> None:
    cols = [*COLUMNS, "ServiceProviderName"]
    rows = [focus_row(ServiceProviderName="Microsoft"), focus_row(ServiceProviderName="")]
    path = write_focus(tmp_path / "both.csv", rows, cols)
    report = read_ledger(None, paths=[str(path)], group_by=("provider",))
    assert {r.keys[0] for r in report.rows} == {"Microsoft", "AWS"}


def test_aws_data_exports_layout_reads_the_latest_delivery(tmp_path: Path) -> None:
    export = tmp_path / "exports" / "focus" / "data"
    old = write_focus(export / "BILLING_PERIOD=2026-10" / "run-a" / "part-1.csv.gz",
                      [focus_row(BilledCost="1")], gz=True)
    new = write_focus(export / "BILLING_PERIOD=2026-10" / "run-b" / "part-1.csv.gz",
                      [focus_row(BilledCost="2")], gz=True)
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    write_focus(export / "BILLING_PERIOD=2026-09" / "part-1.csv.gz",
                [focus_row(BilledCost="4", month="2026-09")], gz=True)
    (tmp_path / "exports" / "focus" / "metadata").mkdir()
    (tmp_path / "exports" / "focus" / "metadata" / "m.json").write_text("{}")
    report = read_ledger(None, paths=[str(tmp_path / "exports")])
    assert report.total == Decimal(6) and report.line_items == 2
    assert any("latest delivery 'run-b'" in n for n in report.notes)
    assert total(str(tmp_path / "exports"), month="2026-09") == (Decimal(4), 1)


def test_aws_data_exports_manifest_in_a_local_copy(tmp_path: Path) -> None:
    """A synced copy of an AWS Data Export: the period's Manifest.json names the delivery to
    read, even when another delivery has newer files."""
    root = tmp_path / "cur" / "focus-export"
    period = root / "data" / "BILLING_PERIOD=2026-10"
    listed = write_focus(period / "exec-1" / "focus-export-00001.csv.gz",
                         [focus_row(BilledCost="2")], gz=True)
    newer = write_focus(period / "exec-2" / "focus-export-00001.csv.gz",
                        [focus_row(BilledCost="9")], gz=True)
    os.utime(listed, (1_000_000, 1_000_000))
    os.utime(newer, (2_000_000, 2_000_000))
    meta = root / "metadata" / "BILLING_PERIOD=2026-10"
    meta.mkdir(parents=True)
    (meta / "focus-export-Manifest.json").write_text(json.dumps({"dataFiles": [
        "s3://bucket/cur/focus-export/data/BILLING_PERIOD=2026-10/exec-1/"
        "focus-export-00001.csv.gz"]}))
    report = read_ledger(None, paths=[str(tmp_path / "cur")])
    assert report.total == Decimal(2)
    assert any("focus-export-Manifest.json lists, 1 other(s) left out" in n
               for n in report.notes)


def test_azure_export_layout_and_glob(tmp_path: Path) -> None:
    base = tmp_path / "costexports" / "focus"
    write_focus(base / "20261001-20261031" / "0a-run" / "part_0_0001.csv",
                [focus_row(BilledCost="5")])
    write_focus(base / "20261001-20261031" / "0a-run" / "part_0_0002.csv",
                [focus_row(BilledCost="6")])
    (base / "20261001-20261031" / "0a-run" / "manifest.json").write_text("{}")
    assert total(str(tmp_path / "costexports")) == (Decimal(11), 2)
    assert total(str(tmp_path / "costexports/**/part_0_0002.csv")) == (Decimal(6), 1)


def test_select_exports_keeps_files_outside_layouts() -> None:
    entries = [_Entry("a.csv", 1, 1), _Entry("notes.txt", 1, 1), _Entry("_SUCCESS", 1, 1),
               _Entry("x/data/BILLING_PERIOD=2026-10/v1/p.parquet", 1, 1),
               _Entry("x/data/BILLING_PERIOD=2026-10/v2/p.parquet", 2, 1)]
    chosen, notes = select_exports(entries, None)
    assert [e.key for e in chosen] == ["a.csv", "x/data/BILLING_PERIOD=2026-10/v2/p.parquet"]
    assert len(notes) == 1


def test_null_literal_and_quoted_commas(tmp_path: Path) -> None:
    row = focus_row(BilledCost="2.5", RegionId="NULL",
                    Tags=json.dumps({"team": "a,b", "note": ",NULL,"}))
    path = write_focus(tmp_path / "q.csv", [row])
    report = read_ledger(None, paths=[str(path)], group_by=("region",))
    assert [(r.keys, r.cost) for r in report.rows] == [((None,), Decimal("2.5"))]


def test_header_only_file_is_zero_rows_not_an_error(tmp_path: Path) -> None:
    write_focus(tmp_path / "d" / "empty-month.csv", [])
    write_focus(tmp_path / "d" / "full.csv", [focus_row(BilledCost="1")])
    assert total(str(tmp_path / "d")) == (Decimal(1), 1)
