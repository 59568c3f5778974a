"""The economic keys of the estate files: bad values get one clear answer each (file, line, bad
value, what to do; exit 2), a closable location that holds pinned workloads a warning, and files
without any of the new keys the same plan as before."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _line_of(path: Path, needle: str) -> int:
    found = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert found, needle
    return found[-1]


CASES = [
    # (file, old, new, expected fragments, the line's marker)
    ("locations.yaml", "storage_gb_month: 0.1, egress_gb: 0}",
     "storage_gb_month: {block: 0.1, glacier: 0.01}, egress_gb: 0}",
     ["unknown storage class 'glacier'", "one of: block, file, object, archive"], "glacier"),
    ("workloads.yaml", "resources: {cpu: 2, memory_gb: 16, storage_gb: 200}",
     "resources: {cpu: 2, memory_gb: 16, storage: {block: 100, tape: 100}}",
     ["unknown key 'tape'"], "tape"),
    ("workloads.yaml", "resources: {cpu: 2, memory_gb: 16, storage_gb: 200}",
     "resources: {cpu: 2, memory_gb: 16, storage_gb: 200, storage: {block: 100}}",
     ["block storage given twice"], "storage: {block: 100}"),
    ("locations.yaml", "    latency_ms: {aws-fra: 10, aws-us: 90}",
     "    latency_ms: {aws-fra: 10, aws-us: 90}\n    fixed_monthly: -500",
     ["fixed_monthly", "must be 0 or more", "-500"], "fixed_monthly: -500"),
    ("locations.yaml", "    latency_ms: {aws-fra: 10, aws-us: 90}",
     "    latency_ms: {aws-fra: 10, aws-us: 90}\n    close_one_off: lots",
     ["close_one_off", "expected a number", "'lots'"], "close_one_off: lots"),
    ("locations.yaml", "storage_gb_month: 0.1, egress_gb: 0}",
     "storage_gb_month: 0.1, egress_gb: 0, egress_gb_to: {aws-frankfurt: 0.02}}",
     ["unknown location 'aws-frankfurt'", "did you mean 'aws-fra'"], "aws-frankfurt"),
    ("workloads.yaml", "    resources: {cpu: 2, memory_gb: 16, storage_gb: 200}",
     "    resources: {cpu: 2, memory_gb: 16, storage_gb: 200}\n    licences: [oracle-ee]",
     ["unknown licence 'oracle-ee'", "define it under licences"], "oracle-ee"),
    ("advisor.yaml", "policies: [builtin:sovereignty]",
     "policies: [builtin:sovereignty]\ncommitments:\n"
     "  - {id: ri, location: aws-ireland, covers: {cpu: 4}, monthly: 100, ends: 2027-06-30}",
     ["unknown location 'aws-ireland'"], "aws-ireland"),
    ("advisor.yaml", "policies: [builtin:sovereignty]",
     "policies: [builtin:sovereignty]\ncommitments:\n"
     "  - {id: ri, location: aws-fra, monthly: 100, ends: 2027-06-30}",
     ["a reservation needs 'covers'"], "id: ri"),
    ("advisor.yaml", "policies: [builtin:sovereignty]",
     "policies: [builtin:sovereignty]\ncommitments:\n"
     "  - {id: sp, kind: savings_plan, provider: gcp, monthly: 100, discount: 0.3}",
     ["unknown provider 'gcp'"], "gcp"),
    ("advisor.yaml", "policies: [builtin:sovereignty]",
     "policies: [builtin:sovereignty]\ncommitments:\n"
     "  - {id: sp, kind: savings_plan, provider: aws, monthly: 100, discount: 1.5}",
     ["discount must be between 0 and 0.99"], "discount: 1.5"),
    ("advisor.yaml", "policies: [builtin:sovereignty]",
     "policies: [builtin:sovereignty]\nlicences:\n"
     "  - {id: oracle-ee, monthly_per_vcpu: {default: 300, azure-west: 100}}",
     ["'azure-west' is not a location, a provider or default"], "azure-west"),
    ("advisor.yaml", "policies: [builtin:sovereignty]",
     "policies: [builtin:sovereignty]\nlicences:\n"
     "  - {id: win, currency: GBP, monthly_per_vcpu: {default: 30}}",
     ["currency GBP has no exchange rate into EUR"], "GBP"),
    ("locations.yaml", "locations:\n",
     "providers:\n  - {id: sovereign, fixed_monthly: 100}\nlocations:\n",
     ["provider 'sovereign' runs no location", "list its locations"], "id: sovereign"),
    ("locations.yaml", "locations:\n",
     "providers:\n  - {id: aws, locations: [aws-fra]}\nlocations:\n",
     ["named after a kind of location"], "locations: [aws-fra]"),
    ("locations.yaml", "    prices: {currency: EUR, cpu_hour: 0.05, memory_gb_hour: 0.005,",
     "    tco: {hardware_cost: 1000, amortization_months: 60, threads_per_core: 2}\n"
     "    prices: {currency: EUR, cpu_hour: 0.05, memory_gb_hour: 0.005,",
     ["threads_per_core needs cores"], "threads_per_core"),
]


@pytest.mark.parametrize("file,old,new,fragments,marker", CASES,
                         ids=[c[3][0][:40] for c in CASES])
def test_bad_economics(run_cli, small_estate, file, old, new, fragments, marker):
    path = small_estate / file
    _edit(path, old, new)
    code, _, err = run_cli("analyze", "-c", str(small_estate / "advisor.yaml"))
    assert code == 2, err
    for fragment in fragments:
        assert fragment in err, err
    assert "Traceback" not in err
    line = _line_of(path, marker)
    assert f"{path}:{line}" in err, err


def test_a_storage_class_without_a_price_where_it_runs(run_cli, small_estate):
    _edit(small_estate / "locations.yaml", "storage_gb_month: 0.1, egress_gb: 0}",
          "storage_gb_month: {block: 0.1, object: 0.03}, egress_gb: 0}")
    wl = small_estate / "workloads.yaml"
    _edit(wl, "resources: {cpu: 2, memory_gb: 16, storage_gb: 200}",
          "resources: {cpu: 2, memory_gb: 16, storage: {block: 100, archive: 500}}")
    code, _, err = run_cli("analyze", "-c", str(small_estate))
    assert code == 2
    assert "db uses archive storage, but its location dc has no archive storage price" in err
    assert f"{wl}:{_line_of(wl, 'archive: 500')}" in err, err


def test_a_class_without_a_price_excludes_the_location(run_cli, small_estate):
    """A location without a price for a class a workload uses is not an option for it, and the
    plan says why."""
    _edit(small_estate / "locations.yaml",
          "prices: {currency: USD, cpu_hour: 0.02, memory_gb_hour: 0.003, storage_gb_month: 0.08",
          "prices: {currency: USD, cpu_hour: 0.02, memory_gb_hour: 0.003, storage_gb_month: "
          "{block: 0.08}")
    _edit(small_estate / "workloads.yaml", "resources: {cpu: 4, memory_gb: 8, storage_gb: 10}",
          "resources: {cpu: 4, memory_gb: 8, storage: {block: 10, object: 500}}")
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-f", "json")
    assert code == 0, err
    web = next(r for r in json.loads(out)["recommendations"] if r["workload"] == "web")
    assert web["unavailable"] == {"aws-fra": "no object storage at aws-fra"}
    assert web["recommended_location"] != "aws-fra"


def test_can_close_with_pinned_workloads_is_a_warning(run_cli, small_estate):
    loc = small_estate / "locations.yaml"
    _edit(loc, "    latency_ms: {aws-fra: 10, aws-us: 90}",
          "    latency_ms: {aws-fra: 10, aws-us: 90}\n    fixed_monthly: 2000\n    can_close: true")
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-f", "json", "--as-of",
                             "2026-12-01")
    assert code == 0, err
    doc = json.loads(out)
    line = _line_of(loc, "- id: dc")
    note = next(n for n in doc["notes"] if "can_close" in n)
    assert f"{loc}:{line}" in note and "vault" in note and "stays open" in note
    assert {x["location"]: x["open_after"] for x in doc["locations"]} == {"dc": True}
    code, out, err = run_cli("validate", "-c", str(small_estate))
    assert code == 0 and "can_close" in err


def test_files_without_the_new_keys_give_the_same_plan(run_cli, small_estate):
    """Every new key is optional, and its default is today's behaviour: the small estate's
    figures are the ones they always were (db: 2 x 0.05 x 730 + 16 x 0.005 x 730 + 200 x 0.1)."""
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    recs = {r["workload"]: r for r in doc["recommendations"]}
    assert recs["db"]["current_monthly_cost"] == 151.40
    assert doc["lines"] == [] and doc["locations"] == [] and doc["commitments"] == []
    split = doc["summary"]["split"]
    assert split["licences"] == split["fixed_locations"] == split["commitments"] == \
        {"current": 0.0, "recommended": 0.0}


def test_tco_per_vcpu(run_cli, small_estate):
    """cores x threads x overcommit vCPUs spread the hardware's cost when capacity.cpu is left
    out, and are the capacity the optimizer fills."""
    loc = small_estate / "locations.yaml"
    _edit(loc, "    capacity: {cpu: 16, memory_gb: 64}\n    prices: {currency: EUR, "
               "cpu_hour: 0.05, memory_gb_hour: 0.005,",
          "    capacity: {memory_gb: 64}\n    tco: {hardware_cost: 36500, amortization_months: "
          "10, cores: 4, threads_per_core: 2, overcommit: 2, cpu_share: 0.8}\n"
          "    prices: {currency: EUR,")
    from advisor.estate.load import load_estate

    dc = load_estate(small_estate / "advisor.yaml").location_by_id()["dc"]
    assert dc.capacity is not None and dc.capacity.cpu == 16
    # 3,650 a month, 80% over 16 vCPUs x 730 h = 0.25 per vCPU-hour; 20% over 64 GB
    assert dc.prices.cpu_hour == Decimal(3650) * Decimal("0.8") / (16 * 730) == Decimal("0.25")
