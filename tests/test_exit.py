"""`advisor exit`: exit plans for a provider or a location, through the real CLI."""

from __future__ import annotations

import pytest
from plan_json import d, plan_json


def _exit_json(run_cli, *args: str) -> dict:
    return plan_json(run_cli, "exit", "-q", "--format", "json", *args)


def test_exit_location_parts_add_up_and_pinned_cannot_leave(run_cli, small_estate):
    doc = _exit_json(run_cli, "-c", str(small_estate), "--location", "dc", "--date",
                     "2026-12-01")
    e = doc["exit"]
    assert e["kind"] == "location" and e["locations"] == ["dc"]
    parts = e["one_off"]
    assert sum(d(v) for v in parts.values()) == d(e["cost_of_leaving"])
    assert d(parts["migration"]) + d(parts["onboarding"]) + d(parts["closing"]) == \
        d(e["one_off_cost"]) == d(doc["summary"]["one_off_cost"])
    assert sum(d(lv["one_off_cost"]) for lv in e["leavers"]) == d(parts["migration"])
    assert {lv["workload"] for lv in e["leavers"]} == {"web", "api", "db"}
    assert all(lv["to"] != "dc" for lv in e["leavers"])
    assert e["cannot_leave"] == [{"workload": "vault", "location": "dc",
                                  "why": "pinned: it never moves"}]
    # only the leavers move: care (at aws-us) stays where it runs
    care = next(r for r in doc["recommendations"] if r["workload"] == "care")
    assert care["recommended_location"] == "aws-us"
    assert d(e["monthly_cost_after"]) == d(doc["summary"]["recommended_monthly_cost"])
    # duration: the busiest pair's transfer plus 2 days per workload (the defaults)
    assert e["effort_days"] == 6.0
    assert e["duration_days"] == pytest.approx(e["transfer_days"] + 6.0, abs=0.01)


def test_exit_provider_with_declared_bandwidth_and_data_act(run_cli, small_estate):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "migration:\n  bandwidth_mbps: 100\n  bandwidth:\n"
                    "    - {from: aws-us, to: dc, mbps: 8}\n  effort_days_per_workload: 1\n")
    before = _exit_json(run_cli, "-c", str(small_estate), "--provider", "aws", "--date",
                        "2027-01-11")
    after = _exit_json(run_cli, "-c", str(small_estate), "--provider", "aws", "--date",
                       "2027-01-12")
    for doc in (before, after):
        e = doc["exit"]
        assert [lv["workload"] for lv in e["leavers"]] == ["care"]
        assert e["effort_days"] == 1.0
        assert {(t["from"], t["to"]): t["mbps"] for t in e["transfers"]} == \
            {("aws-us", "dc"): 8.0}
    # care has a declared migration_cost: no switching charge either way
    assert before["exit"]["switching_charges"] == 0
    assert any("Art. 29(2)-(3)" in a for a in before["exit"]["assumptions"])
    assert any("Art. 29(1)" in a and "is free" in a for a in after["exit"]["assumptions"])


def test_exit_outputs_are_escaped_and_name_bio2(run_cli, small_estate, tmp_path):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text().replace("name: Small test estate",
                                             'name: "<script>x</script> | B&B"'))
    out = tmp_path / "exit.html"
    code, _, err = run_cli("exit", "-c", str(small_estate), "--location", "dc", "-q",
                           "--format", "html", "-o", str(out), "--date", "2026-12-01")
    assert code == 0, err
    page = out.read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page and "B&amp;B" in page
    assert "5.20.06" in page and "exit date 2026-12-01" in page
    code, md, _ = run_cli("exit", "-c", str(small_estate), "--location", "dc", "-q",
                          "--format", "markdown", "--date", "2026-12-01")
    assert code == 0
    assert "# Exit strategy: location dc" in md and "## Assumptions" in md
    assert "\\| B&amp;B" in md and "&lt;script&gt;" in md
    code, table, _ = run_cli("exit", "-c", str(small_estate), "--location", "dc", "-q",
                             "--date", "2026-12-01")
    assert code == 0 and "Workloads that cannot leave:" in table


def test_exit_is_deterministic(run_cli, small_estate):
    args = ("-c", str(small_estate), "--provider", "aws", "--date", "2026-12-01")
    assert _exit_json(run_cli, *args) == _exit_json(run_cli, *args)


@pytest.mark.parametrize(("args", "message"), [
    (("--provider", "gcp"), "unknown provider 'gcp'"),
    (("--location", "dcc"), "did you mean 'dc'?"),
    (("--provider", "aws", "--location", "dc"), "give either --provider or --location"),
    ((), "give either --provider or --location"),
])
def test_bad_exit_requests_exit_2(run_cli, small_estate, args, message):
    code, out, err = run_cli("exit", "-c", str(small_estate), "-q", *args)
    assert code == 2 and message in err and out == ""


def test_exit_from_a_provider_the_estate_does_not_use(run_cli):
    code, _, err = run_cli("exit", "--demo", "-q", "--provider", "gcp")
    assert code == 2
    assert "runs nothing at provider 'gcp'" in err and "advisor.yaml" in err


def test_bad_bandwidth_location_exit_2(run_cli, small_estate):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "migration:\n  bandwidth:\n"
                    "    - {from: aws-uss, to: dc, mbps: 8}\n")
    code, _, err = run_cli("exit", "-c", str(small_estate), "-q", "--provider", "aws")
    assert code == 2
    assert f"{main}:13" in err and "unknown location 'aws-uss'" in err


def test_demo_exit_azure(run_cli):
    doc = _exit_json(run_cli, "--demo", "--provider", "azure", "--date", "2026-12-01")
    e = doc["exit"]
    assert e["leavers"] and not any(lv["to"].startswith("azure") for lv in e["leavers"])
    assert sum(d(v) for v in e["one_off"].values()) == d(e["cost_of_leaving"])
