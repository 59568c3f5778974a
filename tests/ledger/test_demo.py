"""The demo estate's shipped FOCUS files: readable out of the box, consistent, reproducible."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from ledger_helpers import ROOT

from advisor.commands.sources import billed_summary, read_ledger
from advisor.estate.load import load_estate
from advisor.ledger.report import has_ledger

DEMO = ROOT / "advisor" / "examples" / "gemeente"
BILLING = DEMO / "billing"

pytestmark = pytest.mark.skipif(not BILLING.exists(), reason="demo billing not generated")


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generator_is_deterministic_and_files_are_current(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_demo_billing.py"),
                    "--out", str(tmp_path / "billing")], check=True, capture_output=True)
    assert _digest(tmp_path / "billing") == _digest(BILLING), \
        "demo billing is stale: run python benchmarks/make_demo_billing.py"
    size = sum(p.stat().st_size for p in BILLING.rglob("*") if p.is_file())
    assert size < 2 * 1024 * 1024


def test_demo_costs_three_months_and_unallocated(run_cli) -> None:
    estate = load_estate(DEMO / "advisor.yaml")
    if not has_ledger(estate):
        pytest.skip("the demo advisor.yaml has no focus source yet")
    report = read_ledger(estate, group_by=("provider", "month"))
    assert {b.month for b in report.balances} == {"2026-08", "2026-09", "2026-10"}
    assert {b.provider for b in report.balances} == {"AWS", "Microsoft"}
    assert all(b.holds for b in report.balances)
    assert report.unallocated > 0 and report.allocated > 0
    assert {r.currency for r in report.rates if r.date} == {"USD"}
    code, out, err = run_cli("costs", "--demo", "--format", "json", "--group-by",
                         "provider,application", "--month", "2026-10")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["currency"] == "EUR" and doc["month"] == "2026-10"
    assert any(r["application"] is None for r in doc["rows"])


def test_calibration_summary_for_the_demo() -> None:
    estate = load_estate(DEMO / "advisor.yaml")
    if not has_ledger(estate):
        pytest.skip("the demo advisor.yaml has no focus source yet")
    summary = billed_summary(estate, None)
    assert summary.month == "2026-10"
    cloud = {w.id for w in estate.workloads
             if estate.location_by_id()[w.location].provider in ("aws", "azure")}
    assert set(summary.by_workload) == cloud
    assert sum(summary.by_workload.values(), Decimal(0)) + summary.unallocated == summary.total
    assert set(summary.by_location) <= {loc.id for loc in estate.locations}
