"""On-premise cost: TCO-derived prices, max(request, usage), idle cost, FOCUS rows."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from cli_runner import RunCli

from advisor.connectors.kubernetes import discover, parse_settings
from advisor.errors import InputError
from advisor.estate.load import load_estate
from advisor.money import cents
from advisor.placement.onprem_cost import billed, cluster_cost, focus_rows, month_period

D = Decimal
JAN = month_period("2024-01")  # 744 hours


def test_tco_derives_unit_prices(estate_dir: Path) -> None:
    loc = load_estate(estate_dir / "advisor.yaml").location_by_id()["onprem-dc1"]
    # 120000/60 + 4 kW x 730 h x 0.25 + 500 + 2770 = 6000 a month; 60% on 32 cores
    assert loc.tco is not None and loc.tco.monthly_cost() == D(6000)
    assert loc.prices.cpu_hour == D(3600) / (D(32) * 730)
    assert loc.prices.memory_gb_hour == D(2400) / (D(128) * 730)
    assert loc.prices.storage_gb_month == D("0.1")


def test_explicit_prices_win_over_tco(estate_dir: Path) -> None:
    text = (estate_dir / "locations.yaml").read_text().replace(
        "prices: {currency: EUR, storage_gb_month", "prices: {currency: EUR, cpu_hour: 0.2, "
        "storage_gb_month")
    (estate_dir / "locations.yaml").write_text(text)
    loc = load_estate(estate_dir / "advisor.yaml").location_by_id()["onprem-dc1"]
    assert loc.prices.cpu_hour == D("0.2")
    assert loc.prices.memory_gb_hour == D(2400) / (D(128) * 730)


def test_tco_needs_capacity(estate_dir: Path) -> None:
    text = (estate_dir / "locations.yaml").read_text().replace(
        "    capacity: {cpu: 32, memory_gb: 128}\n", "")
    (estate_dir / "locations.yaml").write_text(text)
    with pytest.raises(InputError) as err:
        load_estate(estate_dir / "advisor.yaml")
    assert err.value.message.startswith(f"{estate_dir / 'locations.yaml'}:10: locations[0].tco")
    assert "capacity.cpu and capacity.memory_gb" in err.value.message


def test_tco_share_out_of_range(estate_dir: Path) -> None:
    text = (estate_dir / "locations.yaml").read_text().replace("cpu_share: 0.6",
                                                                "cpu_share: 1.5")
    (estate_dir / "locations.yaml").write_text(text)
    with pytest.raises(InputError, match="cpu_share must be between 0 and 1"):
        load_estate(estate_dir / "advisor.yaml")


def test_billed_is_max_of_request_and_usage() -> None:
    assert billed(D(2), D("0.5")) == D(2)
    assert billed(D("0.5"), D(2)) == D(2)
    assert billed(D(1), None) == D(1)


def test_cluster_cost_and_idle(kubeconfig: Path, estate_dir: Path) -> None:
    loc = load_estate(estate_dir / "advisor.yaml").location_by_id()["onprem-dc1"]
    found = discover(parse_settings({"kubeconfig": str(kubeconfig), "context": "dc1",
                                     "location": "onprem-dc1"}))
    cost = cluster_cost(found, loc, JAN)
    # the nodes are exactly the capacity the TCO is spread over: 6000 a month of 730 hours
    assert cents(cost.node_cost) == cents(D(6000) * 744 / 730)
    web = {w.workload: w for w in cost.workloads}["dc1/shop/deployment/web"]
    assert web.cpu == D("0.9")  # request 0.9 > usage 0.39
    assert web.cpu_cost == D("0.9") * loc.prices.cpu_hour * 744
    db = {w.workload: w for w in cost.workloads}["dc1/shop/statefulset/db"]
    assert db.storage_cost == D(20) * D("0.1")
    assert cost.idle_cost == cost.node_cost - cost.workload_compute_cost
    assert cost.idle_cost > 0 and cost.currency == "EUR"


def test_focus_rows_balance_to_the_node_cost(kubeconfig: Path, estate_dir: Path,
                                             tmp_path: Path, run_cli: RunCli) -> None:
    out = tmp_path / "ledger" / "onprem-2024-01.csv"
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig),
                 "--context", "dc1", "--location", "onprem-dc1", "-c",
                 str(estate_dir / "advisor.yaml"), "--focus-out", str(out), "--month",
                 "2024-01", "-o", str(tmp_path / "w.yaml"))
    assert result.code == 0, result.err
    assert "cost 2024-01 at onprem-dc1: nodes EUR 6115.07" in result.err
    assert "idle EUR" in result.err and f"written to {out}" in result.err
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    for column in ("BilledCost", "EffectiveCost", "ListCost", "BillingCurrency",
                   "ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart",
                   "BillingPeriodEnd", "ChargeCategory", "ProviderName", "RegionId",
                   "ResourceId", "ServiceName", "Tags"):
        assert column in rows[0]
    assert {r["ProviderName"] for r in rows} == {"On-premises"}
    assert {r["RegionId"] for r in rows} == {"onprem-dc1"}
    assert {r["ChargeCategory"] for r in rows} == {"Usage"}
    categories: dict[str, set[str]] = {}  # focus-validator: one ServiceCategory per ServiceName
    for r in rows:
        categories.setdefault(r["ServiceName"], set()).add(r["ServiceCategory"])
    assert all(len(c) == 1 for c in categories.values()), categories
    assert "Storage" in {c for cs in categories.values() for c in cs}
    assert {r["ChargePeriodStart"] for r in rows} == {"2024-01-01T00:00:00Z"}
    assert {r["ChargePeriodEnd"] for r in rows} == {"2024-02-01T00:00:00Z"}
    web = [r for r in rows if r["ResourceId"] == "dc1/shop/deployment/web"]
    assert [r["SkuId"] for r in web] == ["onprem-cpu", "onprem-memory"]
    assert json.loads(web[0]["Tags"])["advisor-workload"] == "dc1/shop/deployment/web"
    total = sum((D(r["BilledCost"]) for r in rows), D(0))
    storage = sum((D(r["BilledCost"]) for r in rows if r["SkuId"] == "onprem-storage"), D(0))
    assert cents(total - storage) == cents(D(6000) * 744 / 730)  # workloads + idle = nodes
    assert storage == D("2.0000000000")
    idle = [r for r in rows if r["ResourceId"] == "dc1/idle"]
    assert len(idle) == 2 and json.loads(idle[0]["Tags"]) == {"advisor-idle": "dc1",
                                                             "k8s-cluster": "dc1"}


def test_focus_out_needs_prices(run_cli: RunCli, kubeconfig: Path, tmp_path: Path) -> None:
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig),
                 "--context", "dc1", "--location", "onprem-dc1", "--focus-out",
                 str(tmp_path / "x.csv"))
    assert result.code == 2 and "--focus-out needs -c advisor.yaml" in result.err


def test_overcommitted_cluster_has_no_idle_rows(kubeconfig: Path, estate_dir: Path) -> None:
    loc = load_estate(estate_dir / "advisor.yaml").location_by_id()["onprem-dc1"]
    found = discover(parse_settings({"kubeconfig": str(kubeconfig), "context": "dc1",
                                     "location": "onprem-dc1"}))
    found.node_cpu = D(1)  # pretend the nodes are tiny
    cost = cluster_cost(found, loc, JAN)
    assert cost.idle_cpu_cost < 0
    idle = [r["SkuId"] for r in focus_rows(cost) if r["ResourceId"] == "dc1/idle"]
    assert idle == ["onprem-memory"]


def test_the_ledger_reads_the_rows(kubeconfig: Path, estate_dir: Path, tmp_path: Path,
                                   run_cli: RunCli) -> None:
    pytest.importorskip("advisor.ledger.report", reason="the ledger (issue 3) is not in this tree")
    out = tmp_path / "onprem.csv"
    assert run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig),
               "--context", "dc1", "--location", "onprem-dc1", "-c",
               str(estate_dir / "advisor.yaml"), "--focus-out", str(out), "--month", "2024-01",
               "-o", str(tmp_path / "w.yaml")).code == 0
    result = run_cli("costs", str(out), "-c", str(estate_dir / "advisor.yaml"),
                 "--group-by", "provider", "--format", "json")
    assert result.code == 0, result.err
    assert "On-premises" in result.out
