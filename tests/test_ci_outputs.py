"""What third-party validators say about the CI outputs: one fingerprint and one JUnit key per
finding, JUnit valid against junit-10.xsd, SARIF rules complete for GitHub (issue 12, 15-17)."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data"
SCHEMAS = DATA / "schemas"
TODAY = ("--today", "2026-11-01")


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    """web calls api and care with a 5 ms limit; the proposal moves web away from both."""
    target = tmp_path / "estate"
    shutil.copytree(DATA / "check", target)
    doc = yaml.safe_load((target / "workloads.yaml").read_text(encoding="utf-8"))
    web = doc["workloads"][0]
    web["depends_on"] = [{"workload": "api", "max_latency_ms": 5},
                         {"workload": "care", "max_latency_ms": 5}]
    (target / "workloads.yaml").write_text(yaml.safe_dump(doc, sort_keys=False),
                                           encoding="utf-8")
    (tmp_path / "proposal.yaml").write_text("web: aws-fra\n", encoding="utf-8")
    return target


def _run(run_cli, estate: Path, fmt: str) -> str:
    code, out, err = run_cli("check", "-c", str(estate), "--placement",
                             str(estate.parent / "proposal.yaml"), "--format", fmt, *TODAY)
    assert code == 1, err
    return out


def test_two_findings_of_one_rule_keep_two_fingerprints(run_cli, estate: Path) -> None:
    sarif = json.loads(_run(run_cli, estate, "sarif"))
    place = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "PLACE-003"]
    assert len(place) == 2
    prints = [r["partialFingerprints"]["advisorFinding/v1"] for r in sarif["runs"][0]["results"]]
    assert len(prints) == len(set(prints))
    gitlab = json.loads(_run(run_cli, estate, "gitlab"))
    assert len([i for i in gitlab if i["check_name"] == "PLACE-003"]) == 2
    assert len({i["fingerprint"] for i in gitlab}) == len(gitlab)
    junit = ET.fromstring(_run(run_cli, estate, "junit"))
    keys = [(s.get("name"), c.get("classname"), c.get("name"))
            for s in junit.iter("testsuite") for c in s.iter("testcase")]
    assert len(keys) == len(set(keys))
    names = sorted(c.get("name") for c in junit.iter("testcase")
                   if c.get("classname", "").endswith("PLACE-003"))
    assert names == ["web -> api", "web -> care"]


def test_junit_is_valid_against_junit_10_xsd(run_cli, estate: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))
    for extra in ((), ("--placement", str(estate.parent / "proposal.yaml"))):
        code, out, err = run_cli("check", "-c", str(estate), "--format", "junit", *extra, *TODAY)
        assert code == 1, err
        schema.validate(out)


def test_sarif_rules_are_complete_for_github(run_cli, estate: Path, tmp_path: Path) -> None:
    import jsonschema

    pack = {"pack": "nis2-nl", "title": "NIS2 (nl)", "reviewed": "2026-12-01", "rules": [{
        "id": "NL-001", "title": "Essentiële workloads alleen in de EU", "severity": "warning",
        "basis": "local", "require": {"jurisdiction": ["EU"]}}]}
    (estate / "nl.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    cfg = yaml.safe_load((estate / "advisor.yaml").read_text(encoding="utf-8"))
    cfg["policies"] = [*cfg["policies"], "builtin:cost", "nl.yaml"]
    (estate / "advisor.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    doc = json.loads(_run(run_cli, estate, "sarif"))
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["helpUri"].startswith("https://"), rule["id"]
        assert float(rule["properties"]["security-severity"]) > 0, rule["id"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["NL-001"]["name"] == "EssentiëleWorkloadsAlleenInDeEU"
    assert by_id["NL-001"]["properties"]["security-severity"] == "5.0"
    assert "security" in by_id["SOV-001"]["properties"]["tags"]
    assert "security" not in by_id["PLACE-003"]["properties"]["tags"]
    assert run["automationDetails"] == {"id": "advisor/check-test-estate/"}
