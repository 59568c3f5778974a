"""Usage and mesh edges from a real Prometheus over a backfilled week of known p95s."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import promdata
import pytest
import yaml
from cli_runner import RunCli
from k8s_support import Prometheus

from advisor.connectors.kubernetes import discover, parse_settings
from advisor.connectors.prometheus import PrometheusClient, PromSettings, collect_usage
from advisor.errors import InputError
from advisor.estate.load import load_estate
from advisor.money import cents
from advisor.placement.costs import CostModel
from advisor.placement.rightsizing import rightsizing

D = Decimal
AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def six(x: Decimal) -> Decimal:
    return x.quantize(D("0.000001"), rounding=ROUND_HALF_UP).normalize()


def test_p95_per_workload_matches_the_generated_series(prometheus: Prometheus) -> None:
    s = PromSettings(url=prometheus.url, window="7d")
    usage = collect_usage(PrometheusClient(s.url), s, AT)
    expected = {(w.namespace, w.kind.lower(), w.name): (w.p95_cpu, w.p95_memory_gb)
                for w in promdata.WORKLOADS}
    assert set(usage.cpu_p95) == set(expected)
    for key, (cpu, memory) in expected.items():
        assert usage.cpu_p95[key] == cpu, key
        assert usage.memory_gb_p95[key] == memory, key
    # the p95 is not the peak: web peaks at 3 cores for an hour a day
    assert usage.cpu_p95[("shop", "deployment", "web")] == D("1.5")
    assert usage.notes == []


def test_mesh_traffic_becomes_edges(prometheus: Prometheus) -> None:
    s = PromSettings(url=prometheus.url, window="7d")
    edges = {(e.source, e.destination): e for e in collect_usage(
        PrometheusClient(s.url), s, AT).edges}
    assert set(edges) == {(("shop", "web"), ("payments", "api")),
                          (("shop", "web"), ("shop", "db"))}  # unknown callers left out
    for (src, dst), (send, receive) in promdata.expected_edges().items():
        edge = edges[(("shop", src), ("payments" if dst == "api" else "shop", dst))]
        assert six(edge.send_gb_month) == six(send)
        assert six(edge.receive_gb_month) == six(receive)


def test_cli_discover_with_prometheus(run_cli: RunCli, kubeconfig: Path, prometheus: Prometheus,
                                      estate_dir: Path) -> None:
    out = estate_dir / "discovered.yaml"
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig),
                 "--context", "dc1", "--location", "onprem-dc1", "--prometheus", prometheus.url,
                 "--window", "7d", "--at", prometheus.at, "-o", str(out))
    assert result.code == 0, result.err
    assert f"usage: p95 over 7d before 2024-01-01T00:00:00Z from {prometheus.url}" in result.err
    w = {x["id"]: x for x in yaml.safe_load(out.read_text())["workloads"]}
    web = w["dc1/shop/deployment/web"]
    assert web["usage"] == {"cpu_p95": 1.5, "memory_gb_p95": 1.125}
    assert web["depends_on"] == [
        {"workload": "dc1/payments/deployment/api", "receive_gb_month": 171.09375,
         "send_gb_month": 42.773438},
        {"workload": "dc1/shop/statefulset/db", "receive_gb_month": 85.546875,
         "send_gb_month": 21.386719}]
    legacy = w["dc1/payments/deployment/legacy"]  # no requests: filled from the p95
    assert legacy["resources"] == {"cpu": 0.25, "memory_gb": 0.75, "storage_gb": 0}
    assert w["dc1/default/pod/debug-shell"]["usage"] == {"cpu_p95": 0.125,
                                                         "memory_gb_p95": 0.0625}
    assert "usage" not in w["dc1/batch/job/migrate-once"]  # no series for it
    (estate_dir / "advisor.yaml").write_text(
        "version: 1\nname: T\ncurrency: EUR\nlocations: locations.yaml\n"
        "workloads: [discovered.yaml]\n")
    estate = load_estate(estate_dir / "advisor.yaml")
    recs = {r.workload: r for r in rightsizing(estate, CostModel(estate))}
    api = recs["dc1/payments/deployment/api"]
    assert (api.recommended_cpu, api.recommended_memory_gb) == (D("0.6"), D("3"))
    # TCO prices: 112.50 per core-month, 18.75 per GB-month
    assert cents(api.monthly_saving) == D("176.25")
    web_rec = recs["dc1/shop/deployment/web"]
    assert web_rec.recommended_cpu == D("1.8") and web_rec.monthly_saving < 0  # under-requested
    savings = [r.monthly_saving for r in recs.values()]
    assert savings == sorted(savings, reverse=True)


def test_renamed_metric_without_series_is_explained(prometheus: Prometheus) -> None:
    s = PromSettings(url=prometheus.url, window="7d",
                     metrics={**PromSettings(url="x").metrics, "cpu": "node_cpu_seconds_total",
                              "memory": "node_memory_bytes"}, mesh="none")
    usage = collect_usage(PrometheusClient(s.url), s, AT)
    assert usage.cpu_p95 == {} and usage.edges == []
    assert usage.notes == ["no usage from Prometheus: no 'node_cpu_seconds_total' series in the "
                           "7d before 2024-01-01T00:00:00Z; set metrics.cpu if it is named "
                           "differently"]


def test_selector_narrows_to_one_cluster(prometheus: Prometheus, kubeconfig: Path) -> None:
    s = parse_settings({"kubeconfig": str(kubeconfig), "context": "dc1",
                        "location": "onprem-dc1", "prometheus": prometheus.url, "window": "7d",
                        "at": prometheus.at, "selector": 'cluster="dc2"'})
    found = discover(s)
    assert all(w.usage is None for w in found.workloads)
    assert any("no usage from Prometheus" in n for n in found.notes)


def test_promql_error_is_bad_input(prometheus: Prometheus, kubeconfig: Path) -> None:
    s = parse_settings({"kubeconfig": str(kubeconfig), "context": "dc1",
                        "location": "onprem-dc1", "prometheus": prometheus.url, "window": "7d",
                        "at": prometheus.at, "selector": 'cluster=="dc1'})
    with pytest.raises(InputError) as err:
        discover(s)
    assert err.value.exit_code == 2
    assert err.value.message.startswith(f"Prometheus at {prometheus.url} rejected a query: ")
    assert "parse error" in err.value.message


def test_bad_metric_name_is_caught_before_asking(kubeconfig: Path) -> None:
    with pytest.raises(InputError) as err:
        parse_settings({"location": "a", "prometheus": "http://p:9090",
                        "metrics": {"cpu": "container-cpu"}})
    assert "metrics.cpu: 'container-cpu' is not a Prometheus metric name" in err.value.message
