"""Every kind of bad input gets one clear answer: file, line, bad value, what to do; exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    """The last line holding ``needle`` (a duplicate is reported where it repeats)."""
    found = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert found, needle
    return found[-1]


CASES = [
    # (file, old, new, expected fragments in the error, line marker or None)
    (
        "workloads.yaml",
        "resources: {cpu: 4, memory_gb: 8, storage_gb: 10}",
        "resources: {cpu: 4, memory_gb: 8, storage_gb: 10",
        ["YAML syntax error"],
        None,
    ),
    (
        "workloads.yaml",
        "    migration_cost: 600\n    depends_on:\n      - {workload: api,",
        "    migraton_cost: 600\n    depends_on:\n      - {workload: api,",
        ["unknown key 'migraton_cost'", "did you mean 'migration_cost'"],
        "migraton_cost",
    ),
    (
        "workloads.yaml",
        "resources: {cpu: 4, memory_gb: 16}",
        "resources: {cpu: four, memory_gb: 16}",
        ["expected a number", "'four'"],
        "cpu: four",
    ),
    (
        "workloads.yaml",
        "resources: {cpu: 2, memory_gb: 16, storage_gb: 200}",
        "resources: {cpu: -2, memory_gb: 16, storage_gb: 200}",
        ["must be 0 or more", "-2"],
        "cpu: -2",
    ),
    (
        "workloads.yaml",
        "    resources: {cpu: 2, memory_gb: 4}\n",
        "",
        ["missing required key 'resources'"],
        None,
    ),
    ("workloads.yaml", "  - id: db\n", "  - id: api\n", ["duplicate workload id 'api'"], "id: api"),
    (
        "workloads.yaml",
        "{workload: api, receive_gb_month: 100",
        "{workload: apj, receive_gb_month: 100",
        ["unknown workload 'apj'", "did you mean 'api'"],
        "workload: apj",
    ),
    (
        "workloads.yaml",
        "location: aws-us\n",
        "location: aws-usa\n",
        ["unknown location 'aws-usa'", "did you mean 'aws-us'"],
        "location: aws-usa",
    ),
    (
        "workloads.yaml",
        "labels: {personal-data: special}",
        "labels: {personal-data: specail}",
        ["invalid value 'specail'", "did you mean 'special'"],
        "specail",
    ),
    (
        "locations.yaml",
        "currency: USD, cpu_hour: 0.02,",
        "currency: GBP, cpu_hour: 0.02,",
        ["GBP has no exchange rate", "exchange_rates"],
        None,
    ),
    (
        "locations.yaml",
        "jurisdiction: OTHER",
        "jurisdiction: USA",
        ["invalid value 'USA'", "EU, EEA, ADEQUATE, OTHER"],
        "jurisdiction: USA",
    ),
    (
        "advisor.yaml",
        "policies: [builtin:sovereignty]",
        "policies: [builtin:soverignty]",
        ["unknown built-in policy pack", "did you mean 'builtin:sovereignty'"],
        "policies",
    ),
    ("advisor.yaml", "workloads: workloads.yaml", "workloads: nothere.yaml", ["not found"], None),
    (
        "advisor.yaml",
        "currency: EUR",
        "currency: euro",
        ["invalid currency 'euro'"],
        "currency: euro",
    ),
    (
        "advisor.yaml",
        "horizon_months: 12",
        "horizon_months: 0",
        ["must be 1 or more"],
        "horizon_months",
    ),
    (
        "advisor.yaml",
        "horizon_months: 12",
        "horizon_month: 12",
        ["unknown key 'horizon_month'", "did you mean 'horizon_months'"],
        "horizon_month",
    ),
    (
        "advisor.yaml",
        "  - {currency: USD, rate: 0.9, date: 2026-10-31}",
        "  - {currency: USD, rate: 0.9, date: 31-10-2026}",
        ["expected a date as YYYY-MM-DD"],
        "rate",
    ),
    (
        "advisor.yaml",
        "date: 2026-10-31",
        "date: 2026-02-30",
        ["invalid value '2026-02-30'", "day is out of range"],
        "2026-02-30",
    ),
    (
        "workloads.yaml",
        "  - id: care\n",
        "workloads:\n  - id: care\n",
        ["duplicate key 'workloads'", "merge the two entries"],
        "workloads:",
    ),
    (
        "workloads.yaml",
        "resources: {cpu: 2, memory_gb: 4}",
        'resources: {cpu: "1e999999", memory_gb: 4}',
        ["1e999999 is out of range"],
        "1e999999",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "fragments", "marker"), CASES, ids=[c[3][0][:40] for c in CASES]
)
def test_bad_estate_file(run_cli, small_estate, file, old, new, fragments, marker):
    path = small_estate / file
    _edit(path, old, new)
    code, out, err = run_cli("analyze", "-c", str(small_estate / "advisor.yaml"))
    assert code == 2, err
    assert "Traceback" not in err and out == ""
    for fragment in fragments:
        assert fragment in err, err
    if file != "advisor.yaml" or "not found" not in fragments:
        assert str(path) in err or "nothere" in err, err
    if marker:
        assert f"{path}:{_line_of(path, marker)}:" in err, err


def test_empty_file(run_cli, small_estate):
    (small_estate / "locations.yaml").write_text("# nothing here\n")
    code, _, err = run_cli("analyze", "-c", str(small_estate))
    assert code == 2 and "locations file is empty" in err and "locations.yaml" in err


def test_not_a_text_file(run_cli, small_estate):
    (small_estate / "workloads.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, _, err = run_cli("analyze", "-c", str(small_estate))
    assert code == 2 and "not a text file" in err


def test_missing_estate_file(run_cli, tmp_path):
    code, _, err = run_cli("analyze", "-c", str(tmp_path / "nope.yaml"))
    assert code == 2 and "estate file not found" in err and "nope.yaml" in err


def test_wrong_top_level_type(run_cli, small_estate):
    (small_estate / "workloads.yaml").write_text("- just\n- a list\n")
    code, _, err = run_cli("analyze", "-c", str(small_estate))
    assert code == 2 and "expected a mapping" in err


PACK_CASES = [
    # (the local pack's text, fragments of the error, the line the error must name)
    ("pack: local\nreviewed: 2026-12-01\nrules:\n  - id: L1\n    title: t\n"
     "    basis: local\n    severity: fatal\n", ["invalid value 'fatal'"], 7),
    ("pack: local\nreviewed: 2026-12-01\nrules:\n  - id: L1\n    title: t\n"
     "    basis: local\n    severity: error\n    require: {juristiction: EU}\n",
     ["unknown key 'juristiction'", "did you mean 'jurisdiction'"], 8),
    ("pack: local\nreviewed: 2026-12-01\nrules:\n  - id: SOV-001\n    title: t\n"
     "    basis: local\n    severity: info\n", ["duplicate rule id 'SOV-001'"], 4),
]


@pytest.mark.parametrize(("pack", "fragments", "line"), PACK_CASES,
                         ids=["unknown severity", "unknown attribute", "duplicate id"])
def test_malformed_local_pack(run_cli, small_estate, pack, fragments, line):
    (small_estate / "local.yaml").write_text(pack)
    _edit(small_estate / "advisor.yaml", "policies: [builtin:sovereignty]",
          "policies: [builtin:sovereignty, local.yaml]")
    code, _, err = run_cli("analyze", "-c", str(small_estate))
    assert code == 2 and "Traceback" not in err
    assert f"{small_estate / 'local.yaml'}:{line}:" in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_usage_error_exit_2(run_cli):
    code, _, err = run_cli("analyze", "--format", "xml")
    assert code == 2 and "xml" in err


def test_demo_and_config_together(run_cli, small_estate):
    code, _, err = run_cli("analyze", "--demo", "-c", str(small_estate))
    assert code == 2 and "either --demo or -c" in err
