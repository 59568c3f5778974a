"""How the rule kinds reach the optimizer (through `advisor analyze`) and how the engine scales.

- require / where: a location mask per workload (error excludes, warning with a penalty prices);
- require_labels with where: a workload lacking the labels loses the `where` locations;
- require_labels without where: reported only, never makes a workload unplaceable;
- flow: the receiving workload's locations are masked, whatever the source's placement;
- budget and usage_below: reported on a placement only.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

from advisor.estate.model import Dependency, Estate, Location, Prices, Resources, Workload
from advisor.rules import evaluate, load_builtin

LOCATIONS = """locations:
  - {id: dc, provider: onprem, region: nl, country: NL, jurisdiction: EU, cloud_act: false,
     prices: {currency: EUR, cpu_hour: 0.09, memory_gb_hour: 0.009}}
  - {id: aws-fra, provider: aws, region: eu-central-1, country: DE, jurisdiction: EU,
     cloud_act: true, prices: {currency: EUR, cpu_hour: 0.05, memory_gb_hour: 0.005}}
  - {id: aws-us, provider: aws, region: us-east-1, country: US, jurisdiction: OTHER,
     cloud_act: true, prices: {currency: EUR, cpu_hour: 0.03, memory_gb_hour: 0.003}}
"""


def _estate(tmp_path: Path, workloads: str, packs: str) -> Path:
    (tmp_path / "locations.yaml").write_text(LOCATIONS)
    (tmp_path / "workloads.yaml").write_text("workloads:\n" + workloads)
    (tmp_path / "advisor.yaml").write_text(
        "version: 1\nname: t\ncurrency: EUR\nlocations: locations.yaml\n"
        f"workloads: workloads.yaml\npolicies: [{packs}]\n")
    return tmp_path / "advisor.yaml"


def _analyze(run_cli, config: Path) -> dict:
    code, out, err = run_cli("analyze", "-c", str(config), "-f", "json")
    assert code == 0, err
    return json.loads(out)


def _placed(doc: dict) -> dict[str, str]:
    return {r["workload"]: r["recommended_location"] for r in doc["recommendations"]}


W = ("  - {{id: {id}, application: a, location: dc, migration_cost: 0, labels: {{{labels}}}, "
     "resources: {{cpu: 2, memory_gb: 8}}{extra}}}\n")


def test_label_rule_with_where_keeps_a_workload_out_until_the_label_exists(run_cli, tmp_path):
    wl = W.format(id="conf", labels="rubricering: dep-v", extra="") + \
        W.format(id="conf-ra", labels="rubricering: dep-v, risk-acceptance: RA-1", extra="")
    doc = _analyze(run_cli, _estate(tmp_path, wl, "builtin:cloud-policy-nl"))
    assert _placed(doc) == {"conf": "dc", "conf-ra": "aws-us"}
    rec = {r["workload"]: r for r in doc["recommendations"]}
    assert rec["conf"]["excluded"] == {"aws-fra": ["CNL-002"], "aws-us": ["CNL-002"]}
    assert rec["conf-ra"]["excluded"] == {}


def test_label_rule_without_where_reports_but_never_excludes(run_cli, tmp_path):
    wl = W.format(id="nodpia", labels="personal-data: personal", extra="")
    doc = _analyze(run_cli, _estate(tmp_path, wl, "builtin:cloud-policy-nl"))
    assert _placed(doc) == {"nodpia": "aws-us"}
    assert doc["summary"]["unplaceable"] == []
    assert [(f["rule"], f["workload"]) for f in doc["findings"]] == [("CNL-003", "nodpia")]


def test_flow_rule_masks_the_receiver(run_cli, tmp_path):
    src = W.format(id="src", labels="personal-data: personal", extra=", pinned: true")
    reader = W.format(id="reader", labels="personal-data: none",
                      extra=", depends_on: [{workload: src, receive_gb_month: 10}]")
    writer = W.format(id="writer", labels="personal-data: none",
                      extra=", depends_on: [{workload: src, send_gb_month: 10}]")
    doc = _analyze(run_cli, _estate(tmp_path, src + reader + writer, "builtin:sovereignty"))
    # reader receives personal data and must stay in the EU; writer only sends to src.
    assert _placed(doc) == {"src": "dc", "reader": "aws-fra", "writer": "aws-us"}
    rec = {r["workload"]: r for r in doc["recommendations"]}
    assert rec["reader"]["excluded"] == {"aws-us": ["SOV-005"]}


def test_budget_and_idle_rules_never_move_anything(run_cli, tmp_path):
    wl = W.format(id="idle", labels="budget_monthly: 1",
                  extra=", usage: {cpu_p95: 0.1, memory_gb_p95: 0.5}")
    doc = _analyze(run_cli, _estate(tmp_path, wl, "builtin:cost"))
    assert _placed(doc) == {"idle": "aws-us"}
    assert doc["recommendations"][0]["excluded"] == {}
    code, out, _ = run_cli("check", "-c", str(tmp_path), "-f", "json", "--fail-on", "warning")
    assert code == 1
    assert sorted(f["rule"] for f in json.loads(out)["findings"]) == ["COST-001", "COST-003"]


def test_warning_label_rule_with_where_and_penalty_prices_the_locations(run_cli, tmp_path):
    (tmp_path / "local.yaml").write_text(
        "pack: local\nreviewed: 2026-12-01\nrules:\n  - id: L-1\n"
        "    title: Exit plan in public cloud\n    basis: local\n"
        "    severity: warning\n    penalty_monthly: 1000\n    where: {public_cloud: true}\n"
        "    require_labels: [exit-plan]\n")
    wl = W.format(id="plain", labels="", extra="") + \
        W.format(id="planned", labels="exit-plan: X-1", extra="")
    doc = _analyze(run_cli, _estate(tmp_path, wl, "local.yaml"))
    assert _placed(doc) == {"plain": "dc", "planned": "aws-us"}


def test_evaluation_is_per_workload_and_location_not_per_pair():
    """100,000 workloads with flows over 12 locations evaluate in seconds."""
    prices = Prices("EUR", Decimal("0.04"), Decimal("0.004"), Decimal(0), Decimal(0))
    locations = [Location(f"l{i}", f"l{i}", ("onprem", "aws", "azure")[i % 3], f"r{i}", "NL",
                          ("EU", "OTHER")[i % 2], bool(i % 2), prices,
                          certifications=("ISO27001",) if i % 4 else ("ISO27001", "C5"))
                 for i in range(12)]
    labels = [{"personal-data": "personal", "data-classification": "confidential"},
              {"personal-data": "none", "nis2": "important"},
              {"personal-data": "special", "bio-risk": "high", "dpia": "D-1"},
              {"data-classification": "secret"}]
    n = 100_000
    workloads = [Workload(f"w{i}", f"w{i}", f"app{i % 500}", f"l{i % 12}",
                          Resources(Decimal(2), Decimal(8)), labels=labels[i % 4],
                          depends_on=(Dependency(f"w{i - 1}", Decimal(5)),) if i else ())
                 for i in range(n)]
    estate = Estate("big", "EUR", locations, workloads)
    rules = [r for name in ("sovereignty", "cloud-policy-nl", "bio2", "nis2")
             for r in load_builtin(name)]
    started = time.perf_counter()
    ev = evaluate(rules, estate)
    seconds = time.perf_counter() - started
    assert len(ev.allowed) == n
    assert seconds < 20, seconds
    # A workload receiving personal data (via the flow rule) may not run outside the EU.
    receiver = workloads[1]  # w1 receives 5 GB/month from w0 (personal)
    assert not any(ev.allowed[receiver.id][i] for i in range(12) if i % 2)
