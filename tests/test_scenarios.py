"""`advisor analyze --scenario` and the report's scenarios section, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

SCHEMAS = Path(__file__).resolve().parents[1] / "advisor" / "schemas"
DEMO_SCENARIOS = Path(__file__).resolve().parents[1] / "advisor" / "examples" / "gemeente" / \
    "scenarios.yaml"

SCENARIOS = """\
scenarios:
  - name: aws-double
    description: AWS doubles its prices
    price_factors: {aws: 2}
  - name: dc-closes
    close: [{location: dc, from: 2027-01-01}]
  - name: dc-closes-late
    close: [{location: dc, from: 2031-01-01}]
  - name: no-aws
    exclude_providers: [aws]
  - name: usd-strong
    exchange_rates: [{currency: USD, rate: 1.5, date: 2027-01-01}]
  - name: small-dc
    capacity: [{location: dc, cpu: 4}]
    horizon_months: 24
    policies: [builtin:bio2]
"""


def _write(folder: Path, text: str = SCENARIOS) -> Path:
    path = folder / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _json(run_cli, estate: Path, scenarios: Path) -> dict:
    code, out, err = run_cli("analyze", "-c", str(estate), "-q", "--as-of", "2026-12-01",
                             "--scenario", str(scenarios), "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_scenarios_json_has_the_plan_shapes(run_cli, small_estate):
    doc = _json(run_cli, small_estate, _write(small_estate))
    schema = json.loads((SCHEMAS / "plan.schema.json").read_text())
    jsonschema.validate(doc, schema)
    names = [s["name"] for s in doc["scenarios"]]
    assert names == ["aws-double", "dc-closes", "dc-closes-late", "no-aws", "usd-strong",
                     "small-dc"]
    base_keys = set(doc["summary"])
    base_rec_keys = set(doc["recommendations"][0])
    base_at = {r["workload"]: r["recommended_location"] for r in doc["recommendations"]}
    for s in doc["scenarios"]:
        assert set(s["summary"]) == base_keys
        assert set(s["recommendations"][0]) == base_rec_keys
        at = {r["workload"]: r["recommended_location"] for r in s["recommendations"]}
        # the differences are exactly the workloads placed elsewhere than in the base plan
        assert {d["workload"]: (d["base_location"], d["scenario_location"])
                for d in s["differences"]} == \
            {w: (base_at[w], at[w]) for w in at if at[w] != base_at[w]}
        # the parts add up, as in the base plan
        total = sum(r["recommended_monthly_cost"] for r in s["recommendations"]) + \
            sum(line["recommended_monthly_cost"] for line in s["lines"])
        assert round(total, 2) == s["summary"]["recommended_monthly_cost"]
    by = {s["name"]: s for s in doc["scenarios"]}
    # dearer AWS and no AWS: nothing moves into AWS
    for name in ("aws-double", "no-aws"):
        assert not any(r["recommended_location"].startswith("aws")
                       and r["current_location"] != r["recommended_location"]
                       for r in by[name]["recommendations"])
    assert by["aws-double"]["summary"]["current_monthly_cost"] > \
        doc["summary"]["current_monthly_cost"]
    # dc closes within the horizon: only the pinned vault stays there
    dc = [r["workload"] for r in by["dc-closes"]["recommendations"]
          if r["recommended_location"] == "dc"]
    assert dc == ["vault"]
    assert any("vault stays at dc" in n for n in by["dc-closes"]["notes"])
    # a closure after the horizon changes nothing
    assert by["dc-closes-late"]["differences"] == []
    assert any("after the horizon" in n for n in by["dc-closes-late"]["notes"])
    assert by["small-dc"]["summary"]["horizon_months"] == 24
    assert len(by["small-dc"]["findings"]) > len(doc["findings"])  # the extra pack's findings


def test_scenarios_are_deterministic_and_the_table_and_markdown_show_them(run_cli,
                                                                         small_estate):
    path = _write(small_estate)
    first = _json(run_cli, small_estate, path)
    assert _json(run_cli, small_estate, path) == first
    code, out, _ = run_cli("analyze", "-c", str(small_estate), "-q", "--as-of", "2026-12-01",
                           "--scenario", str(path))
    assert code == 0
    assert "Scenarios beside the base plan" in out
    table = out[out.index("Scenarios beside"):]
    for s in first["scenarios"]:
        line = next(row for row in table.splitlines() if row.startswith(s["name"] + " "))
        assert f"{s['summary']['recommended_monthly_cost']:,.2f}" in line
    assert "Scenario aws-double (AWS doubles its prices): 3 workload(s)" in out
    code, md, _ = run_cli("analyze", "-c", str(small_estate), "-q", "--as-of", "2026-12-01",
                          "--scenario", str(path), "--format", "markdown")
    assert code == 0
    assert "## Scenarios" in md and "### aws-double" in md
    assert "| base |" in md


@pytest.mark.parametrize(("text", "where", "message"), [
    ("scenarios:\n  - name: x\n    price_factors: {azur: 1.1}\n", 3,
     "unknown location or provider 'azur'"),
    ("scenarios:\n  - name: x\n    price_factors: {aws: 0}\n", 3,
     "a price factor must be more than 0"),
    ("scenarios:\n  - name: x\n    price_factors: {aws: .nan}\n", 3, "finite"),
    ("scenarios:\n  - name: x\n    close: [{location: dc9, from: 2028-01-01}]\n", 3,
     "unknown location 'dc9'"),
    ("scenarios:\n  - name: x\n    exclude_providers: [azure]\n", 3, "unknown provider 'azure'"),
    ("scenarios:\n  - name: x\n  - name: x\n", 3, "duplicate scenario name 'x'"),
    ("scenarios:\n  - name: x\n    capacity: [{location: dc}]\n", 3,
     "without cpu, memory_gb or storage_gb"),
    ("scenarios:\n  - name: x\n    horizon_months: 0\n", 3, "must be 1 or more"),
    ("scenarios:\n  - name: x\n    pricefactors: {}\n", 3, "unknown key"),
    ("workloads: []\n", None, "a workloads file, not a scenarios file"),
])
def test_bad_scenarios_exit_2_with_file_and_line(run_cli, small_estate, text, where, message):
    path = _write(small_estate, text)
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q", "--scenario", str(path))
    assert code == 2
    assert message in err
    assert str(path) + (f":{where}" if where else "") in err
    assert "Traceback" not in err and out == ""


def test_report_shows_the_scenarios_of_advisor_yaml(run_cli, small_estate, tmp_path):
    _write(small_estate)
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "scenarios: scenarios.yaml\n")
    out_md = tmp_path / "r.md"
    code, _, err = run_cli("report", "-c", str(small_estate), "--month", "2026-11", "--store",
                           str(tmp_path / "h.db"), "--format", "markdown", "-o", str(out_md))
    assert code == 0, err
    text = out_md.read_text()
    assert "## Scenarios" in text and "| aws-double |" in text
    out_html = tmp_path / "r.html"
    code, _, err = run_cli("report", "-c", str(small_estate), "--month", "2026-11", "--store",
                           str(tmp_path / "h.db"), "--format", "html", "-o", str(out_html))
    assert code == 0, err
    assert '<section id="scenarios">' in out_html.read_text()


def test_inline_scenarios_in_advisor_yaml_are_checked(run_cli, small_estate):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "scenarios:\n  - name: x\n    close: "
                    "[{location: nowhere, from: 2028-01-01}]\n")
    code, _, err = run_cli("analyze", "-c", str(small_estate), "-q")
    assert code == 2
    assert f"{main}:13" in err and "unknown location 'nowhere'" in err


def test_demo_scenarios_run(run_cli):
    code, out, err = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--scenario",
                             str(DEMO_SCENARIOS), "--moves-only")
    assert code == 0, err
    for name in ("azure-plus-15", "dc2-lease-ends", "no-us-owned-clouds", "usd-weak",
                 "dc1-smaller"):
        assert f"\n{name} " in out
