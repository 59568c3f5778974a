"""Attribution: cost_match precedence, unallocated rows, the invariant, currencies and months."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from ledger_helpers import focus_row, workload, write_focus

from advisor.commands.sources import billed_summary, read_ledger
from advisor.errors import InputError
from advisor.estate.load import load_estate

ARN = "arn:aws:ec2:eu-west-1:111:instance/i-"


def _rows() -> list[dict[str, str]]:
    return [
        # resource id beats every tag
        focus_row(BilledCost="10", ResourceId=ARN + "web1", Tags='{"app": "db"}'),
        # namespace beats tags
        focus_row(BilledCost="20", Tags='{"aws:eks:namespace": "payments", "app": "db"}'),
        # two tags beat one tag
        focus_row(BilledCost="30", Tags='{"app": "db", "env": "prod"}'),
        focus_row(BilledCost="40", Tags='{"app": "db", "env": "test"}'),
        # account only
        focus_row(BilledCost="50", SubAccountId="999"),
        # nothing matches: unallocated (a support fee and an untagged resource)
        focus_row(BilledCost="5.55", ServiceName="AWS Support", SubAccountId="000"),
        focus_row(BilledCost="-1.25", ChargeCategory="Credit", SubAccountId="000"),
        # Azure row, no rule: unallocated, located by provider + region
        focus_row(BilledCost="7", ProviderName="Microsoft", RegionId="westeurope",
                  SubAccountId="/subscriptions/abc"),
    ]


WORKLOADS = (
    workload("web", f"{{resource_id: ['{ARN}web*']}}")
    + workload("pay", "{namespace: [payments]}")
    + workload("db-any", "{tags: {app: db}}", application="database")
    + workload("db-prod", "{tags: {app: db, env: prod}}", application="database")
    + workload("batch", "{account: ['999']}", location="dc1", application="batch")
)


@pytest.fixture
def ledger(tmp_path: Path, estate_dir) -> Path:
    write_focus(tmp_path / "bill" / "focus.csv", _rows())
    return estate_dir(WORKLOADS, sources="[{type: focus, path: bill}]")


def test_precedence_resource_namespace_tags_account(ledger: Path) -> None:
    report = read_ledger(load_estate(ledger), group_by=("workload",))
    got = {row.keys[0]: row.cost for row in report.rows}
    assert got == {"web": Decimal(10), "pay": Decimal(20), "db-prod": Decimal(30),
                   "db-any": Decimal(40), "batch": Decimal(50), None: Decimal("11.30")}
    assert report.unallocated == Decimal("11.30")
    assert report.allocated + report.unallocated == report.total == Decimal("161.30")


def test_invariant_per_provider_and_month(ledger: Path) -> None:
    report = read_ledger(load_estate(ledger), group_by=("application",))
    assert [(b.provider, b.month) for b in report.balances] == [("AWS", "2026-10"),
                                                               ("Microsoft", "2026-10")]
    aws, azure = report.balances
    assert aws.total == Decimal("154.30") and aws.unallocated == Decimal("4.30")
    assert azure.total == azure.unallocated == Decimal(7)
    assert all(b.holds for b in report.balances)


def test_location_dimension_and_summary(ledger: Path) -> None:
    estate = load_estate(ledger)
    report = read_ledger(estate, group_by=("location",))
    got = {row.keys[0]: row.cost for row in report.rows}
    # allocated rows go to their workload's location, unallocated ones by provider + region
    assert got == {"aws-ie": Decimal("104.30"), "dc1": Decimal(50), "azure-we": Decimal(7)}
    summary = billed_summary(estate, None)
    assert summary.month == "2026-10" and summary.currency == "EUR"
    assert summary.by_workload["db-prod"] == Decimal(30)
    assert summary.by_location == {"aws-ie": Decimal("104.30"), "azure-we": Decimal(7),
                                   "dc1": Decimal(50)}
    assert summary.unallocated == Decimal("11.30") and summary.total == Decimal("161.30")
    assert summary.sources == ("bill/focus.csv",)


def test_table_prints_the_invariant(ledger: Path, run_cli) -> None:
    code, out, err = run_cli("costs", "-c", str(ledger), "--group-by", "provider,application")
    assert code == 0, err
    assert "AWS 2026-10: 150.00 + 4.30 = 154.30  ok" in out
    assert "Microsoft 2026-10: 0.00 + 7.00 = 7.00  ok" in out
    assert "(unallocated)" in out


def test_duplicate_claim_is_an_error(tmp_path: Path, estate_dir, run_cli) -> None:
    write_focus(tmp_path / "f.csv", [focus_row()])
    config = estate_dir(workload("a", "{tags: {app: x}}") + workload("b", "{tags: {app: x}}"),
                        sources="[{type: focus, path: f.csv}]")
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2
    assert "workloads.yaml:" in err and "already claimed by workload 'a'" in err


def test_month_filter_and_unknown_month(tmp_path: Path, estate_dir, run_cli) -> None:
    write_focus(tmp_path / "f.csv", [focus_row(month="2026-09", BilledCost="1.005"),
                                     focus_row(month="2026-10", BilledCost="2")])
    config = estate_dir("", sources="[{type: focus, path: f.csv}]")
    code, out, _ = run_cli("costs", "-c", str(config), "--month", "2026-09", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["total"] == 1.01 and doc["month"] == "2026-09"  # half-up at display only
    code, _, err = run_cli("costs", "-c", str(config), "--month", "2026-12")
    assert code == 2 and "2026-09, 2026-10" in err


def test_currency_conversion_uses_the_dated_rate(tmp_path: Path, estate_dir) -> None:
    write_focus(tmp_path / "f.csv", [
        focus_row(month="2026-09", BillingCurrency="USD", BilledCost="100"),
        focus_row(month="2026-10", BillingCurrency="USD", BilledCost="100"),
        focus_row(month="2026-10", BillingCurrency="EUR", BilledCost="1"),
    ])
    rates = ("  - {currency: USD, rate: 0.90, date: 2026-09-30}\n"
             "  - {currency: USD, rate: 0.95, date: 2026-10-31}\n")
    config = estate_dir("", sources="[{type: focus, path: f.csv}]", rates=rates)
    report = read_ledger(load_estate(config), group_by=("month",))
    got = {row.keys[0]: row.cost for row in report.rows}
    assert got == {"2026-09": Decimal("90.00"), "2026-10": Decimal("96.00")}
    used = {(r.currency, r.month): (r.rate, str(r.date)) for r in report.rates if r.date}
    assert used == {("USD", "2026-09"): (Decimal("0.90"), "2026-09-30"),
                    ("USD", "2026-10"): (Decimal("0.95"), "2026-10-31")}


def test_currency_without_rate_is_an_error_naming_it(tmp_path: Path, estate_dir, run_cli) -> None:
    write_focus(tmp_path / "f.csv", [focus_row(BillingCurrency="GBP")])
    config = estate_dir("", sources="[{type: focus, path: f.csv}]")
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2
    assert "GBP" in err and "exchange rate" in err and "Traceback" not in err


def test_mixed_currencies_without_estate(tmp_path: Path, run_cli) -> None:
    path = write_focus(tmp_path / "f.csv", [focus_row(BillingCurrency="USD"),
                                            focus_row(BillingCurrency="EUR")])
    code, _, err = run_cli("costs", str(path))
    assert code == 2 and "EUR, USD" in err and len(err.strip().splitlines()) <= 2


def test_no_source_configured(estate_dir) -> None:
    with pytest.raises(InputError, match="no billing source"):
        read_ledger(load_estate(estate_dir("")))


def test_glob_rules_in_workload_order(tmp_path: Path, estate_dir) -> None:
    write_focus(tmp_path / "f.csv", [focus_row(ResourceId="i-abc"), focus_row(SubAccountId="9x")])
    config = estate_dir(workload("first", "{resource_id: ['i-*']}")
                        + workload("second", "{resource_id: ['i-a*'], account: ['9*']}"),
                        sources="[{type: focus, path: f.csv}]")
    got = {r.keys[0]: r.line_items for r in read_ledger(load_estate(config),
                                                  group_by=("workload",)).rows}
    assert got == {"first": 1, "second": 1}


def test_csv_shows_the_unallocated_share_and_o_writes_a_file(ledger: Path, tmp_path: Path,
                                                             run_cli) -> None:
    target = tmp_path / "out.csv"
    code, out, err = run_cli("costs", "-c", str(ledger), "--group-by", "provider", "--format",
                         "csv", "-o", str(target))
    assert code == 0 and out == "", err
    assert target.read_text().splitlines() == [
        "provider,cost,unallocated,line_items,currency,cost_basis",
        "AWS,154.30,4.30,7,EUR,billed",
        "Microsoft,7.00,7.00,1,EUR,billed",
    ]


def test_a_file_named_by_two_sources_counts_once(tmp_path: Path, estate_dir) -> None:
    write_focus(tmp_path / "bill" / "f.csv", [focus_row(BilledCost="3")])
    config = estate_dir("", sources="[{type: focus, path: bill}, "
                                    "{type: focus, path: bill/f.csv}]")
    report = read_ledger(load_estate(config))
    assert report.total == Decimal(3) and report.line_items == 1
    assert any("named twice" in n for n in report.notes)


def test_namespace_from_an_x_column(tmp_path: Path, estate_dir) -> None:
    from ledger_helpers import COLUMNS

    rows = [focus_row(BilledCost="2", x_KubernetesNamespace="zaken"),
            focus_row(BilledCost="3", Tags='{"kubernetes.io/namespace": "zaken"}')]
    write_focus(tmp_path / "k.csv", rows, [*COLUMNS, "x_KubernetesNamespace"])
    config = estate_dir(workload("zaak", "{namespace: [zaken]}"),
                        sources="[{type: focus, path: k.csv}]")
    report = read_ledger(load_estate(config), group_by=("workload",))
    assert [(r.keys, r.cost) for r in report.rows] == [(("zaak",), Decimal(5))]
