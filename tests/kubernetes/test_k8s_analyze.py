"""`advisor analyze` with a kubernetes source: discovered workloads join the plan, rightsizing is
shown beside the placement, and an unreachable cluster is named with exit 3."""

from __future__ import annotations

import json
from pathlib import Path


def _add_source(estate_dir: Path, kubeconfig: Path, context: str) -> None:
    with open(estate_dir / "advisor.yaml", "a") as fh:
        fh.write(f"sources:\n  - {{type: kubernetes, kubeconfig: '{kubeconfig}', "
                 f"context: {context}, location: onprem-dc1, headroom: 1.5}}\n")


def test_analyze_merges_the_cluster_and_rightsizes(estate_dir: Path, kubeconfig: Path,
                                                   run_cli) -> None:
    _add_source(estate_dir, kubeconfig, "dc1")
    result = run_cli("analyze", "-c", str(estate_dir), "-f", "json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    ids = {r["workload"] for r in doc["recommendations"]}
    assert any(i.startswith("dc1/") for i in ids), "discovered workloads join the estate"
    assert doc["rightsizing"], "metrics.k8s.io usage gives rightsizing advice"
    for r in doc["rightsizing"]:
        assert r["workload"] in ids
        # headroom 1.5 from the source settings, rounded up, never below the floor
        if r["cpu_p95"] is not None:
            assert r["recommended_cpu"] >= round(r["cpu_p95"] * 1.5, 3) - 0.001
    assert doc["summary"]["rightsizing_monthly_savings"] >= 0
    assert doc["failed_sources"] == []


def test_unreachable_cluster_is_named_and_exits_3(estate_dir: Path, kubeconfig: Path,
                                                  run_cli) -> None:
    _add_source(estate_dir, kubeconfig, "down")
    result = run_cli("analyze", "-c", str(estate_dir), "-f", "json")
    assert result.code == 3
    doc = json.loads(result.out)  # the catalogue is still analyzed and printed
    assert doc["summary"]["workloads"] >= 1
    assert len(doc["failed_sources"]) == 1
    assert "down" in json.dumps(doc["failed_sources"]) or "127.0.0.1" in result.err


def test_a_source_with_ledger_out_writes_the_month_of_on_premise_cost(
        estate_dir: Path, kubeconfig: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "onprem-2024-01.csv"
    with open(estate_dir / "advisor.yaml", "a") as fh:
        fh.write(f"sources:\n  - {{type: kubernetes, kubeconfig: '{kubeconfig}', context: dc1, "
                 f"location: onprem-dc1, ledger_out: '{out}', month: 2024-01}}\n")
    result = run_cli("analyze", "-c", str(estate_dir), "-f", "json")
    assert result.code == 0, result.err
    text = out.read_text()
    assert "On-premises" in text and "2024-01-01T00:00:00Z" in text
    costs = run_cli("costs", str(out), "-c", str(estate_dir), "--group-by", "provider",
                    "--format", "json")
    assert costs.code == 0, costs.err
    assert json.loads(costs.out)["rows"][0]["provider"] == "On-premises"
