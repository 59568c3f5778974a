"""The demo, priced as the real thing (advisor/examples/gemeente/README.md): what a controller
reads in its plan."""

from __future__ import annotations

import json

import pytest

AS_OF = "2026-12-02"


@pytest.fixture(scope="module")
def demo():
    from cli_runner import invoke

    code, out, err = invoke("analyze", "--demo", "--as-of", AS_OF, "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    doc["by_workload"] = {r["workload"]: r for r in doc["recommendations"]}
    return doc


def _kind(doc, location_id: str) -> str:
    prefix = location_id.split("-")[0]
    return {"onprem": "onprem", "aws": "cloud", "azure": "cloud", "gcp": "cloud",
            "nl": "sovereign", "saas": "saas"}[prefix]


def test_moves_in_several_directions(demo):
    moves = {(_kind(demo, r["current_location"]), _kind(demo, r["recommended_location"]))
             for r in demo["recommendations"]
             if r["current_location"] != r["recommended_location"]}
    assert ("cloud", "onprem") in moves  # repatriation
    assert ("onprem", "sovereign") in moves
    assert ("onprem", "onprem") in moves  # the fallback site's workloads to Haarlem
    assert not any(a == "saas" or b == "saas" for a, b in moves)


def test_the_colocation_site_closes_and_the_sovereign_provider_pays_for_itself(demo):
    locations = {x["location"]: x for x in demo["locations"]}
    assert locations["onprem-dc2"]["open_now"] and not locations["onprem-dc2"]["open_after"]
    assert locations["onprem-dc2"]["write_off"] == 110000
    assert locations["onprem-dc1"]["open_after"]
    providers = {p["provider"]: p for p in demo["providers"]}
    sovereign = providers["nl-sovereign"]
    assert not sovereign["used_now"] and sovereign["used_after"]
    assert sovereign["onboarding_one_off"] == 40000
    assert sovereign["worth_monthly"] > 40000 / 36 + sovereign["fixed_monthly"]
    assert not providers["gcp"]["used_after"] and providers["gcp"]["worth_monthly"] is None
    s = demo["summary"]
    assert s["one_off_onboarding_cost"] == 40000 and s["one_off_closing_cost"] == 25000
    why = " ".join(demo["by_workload"]["iam-ad-dc2"]["reasons"])
    assert "LOCAL-002" in why and "fixed +8,800.00" in why


def test_saas_stays_with_its_findings(demo):
    for wid in ("hr-verzuim", "kcc-telefonie", "bi-service", "collab-mail-gateway"):
        r = demo["by_workload"][wid]
        assert r["current_location"] == r["recommended_location"]
        assert r["current_location"].startswith("saas-")
        assert any("SaaS" in reason for reason in r["reasons"])
    assert any(f["rule"] == "SOV-002" and f["workload"] == "hr-verzuim"
               for f in demo["findings"])
    fixed = {line["id"]: line for line in demo["lines"] if line["kind"] == "fixed"}
    assert fixed["saas-arbodienst"]["current_monthly_cost"] == 3600


def test_licences_storage_classes_and_commitments_decide(demo):
    oracle = demo["by_workload"]["belastingen-db"]
    assert oracle["recommended_location"] == "onprem-dc1"
    assert oracle["breakdown"]["current"]["licences"] > 1000  # Oracle EE per vCPU on premise
    vault = demo["by_workload"]["backup-vault"]
    assert vault["recommended_location"] == "nl-sovereign-ams"  # archive tier, LOCAL-002
    assert demo["summary"]["split"]["licences"]["current"] > 0
    ri = next(c for c in demo["commitments"] if c["id"] == "aws-ri-ireland")
    assert ri["stranded_after"] > ri["stranded_now"]
    assert ri["covered_now"] > 0


def test_every_move_says_why(demo):
    for r in demo["recommendations"]:
        if r["current_location"] == r["recommended_location"]:
            continue
        text = " ".join(r["reasons"])
        assert text.startswith(f"move {r['current_location']} -> {r['recommended_location']}")
        assert "why not stay" in text or "next best allowed: staying" in text, r["workload"]
    chatbot = " ".join(demo["by_workload"]["chatbot-nlu"]["reasons"])
    assert "SOV-001" in chatbot


def test_waived_findings_and_the_objective(demo):
    waived = {(f["rule"], f["workload"]) for f in demo["findings"] if f["waived"]}
    assert waived == {("COST-001", "vdi-hosts"), ("LOCAL-008", "kcc-telefonie")}
    s = demo["summary"]
    parts = {p["part"]: p["amount"] for p in s["objective_parts"]}
    assert parts["recommended"] == s["recommended_monthly_cost"]
    assert round(sum(parts.values()), 2) == s["objective"]


def test_the_data_act_date_changes_the_switching_assumption(run_cli):
    code, before, _ = run_cli("analyze", "--demo", "--as-of", "2027-01-11", "-f", "json")
    code2, after, _ = run_cli("analyze", "--demo", "--as-of", "2027-01-12", "-f", "json")
    assert code == code2 == 0
    a = next(x for x in json.loads(before)["assumptions"] if "switching" in x)
    b = next(x for x in json.loads(after)["assumptions"] if "switching" in x)
    assert "at most at cost" in a and "is free" in b
