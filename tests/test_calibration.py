"""`advisor analyze` with a ledger: billed beside modelled; a failed ledger source exits 3."""

from __future__ import annotations

import json


def test_demo_calibration_in_json_and_table(run_cli):
    code, out, err = run_cli("analyze", "--demo", "-f", "json")
    assert code == 0, err
    cal = json.loads(out)["calibration"]
    assert cal["month"] == "2026-10" and cal["cost_basis"] == "billed"
    locations = {p["location"]: p for p in cal["locations"]}
    assert "azure-westeurope" in locations and "aws-eu-west-1" in locations
    for p in cal["locations"]:
        assert round(p["billed"] - p["modelled"], 2) == p["difference"]
    # Every workload with a bill is one the estate knows, and its modelled cost is today's.
    recs = {r["workload"]: r for r in json.loads(out)["recommendations"]}
    for p in cal["workloads"]:
        assert p["modelled"] == recs[p["workload"]]["current_monthly_cost"]
    code, out, _ = run_cli("analyze", "--demo")
    assert "Calibration: billed cost of 2026-10" in out


def test_failed_ledger_source_is_named_and_exits_3(run_cli, small_estate, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with open(small_estate / "advisor.yaml", "a") as fh:
        fh.write('sources: [{type: focus, path: "s3://bills/focus", '
                 'endpoint_url: "http://127.0.0.1:9"}]\n')
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-f", "json")
    assert code == 3
    doc = json.loads(out)  # the plan is still complete and printed
    assert doc["summary"]["workloads"] == 5
    assert doc["failed_sources"][0]["source"] == "s3://bills"
    assert "s3://bills" in err and "Traceback" not in err
    assert doc["calibration"] is None
