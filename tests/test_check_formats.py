"""The report formats ecosystems read: SARIF 2.1.0, JUnit XML, GitLab Code Quality, Markdown."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = ROOT / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json"
DATA = Path(__file__).parent / "data" / "check"
TODAY = ("--today", "2026-11-01")
WAIVERS = """waivers:
  - rule: SOV-004
    workload: care
    reason: Moving care is planned for Q1
    owner: ciso@example.org
    expires: 2027-03-31
    reference: RA-2026-001
"""


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DATA, target)
    (target / "waivers.yaml").write_text(WAIVERS)
    return target


def _report(run_cli, estate: Path, fmt: str, *extra: str) -> str:
    code, out, err = run_cli("check", "-c", str(estate), *TODAY, "--format", fmt, *extra)
    assert code in (0, 1), err
    return out


def test_sarif_is_valid_and_complete(run_cli, estate):
    doc = json.loads(_report(run_cli, estate, "sarif", "--terraform-plan",
                             str(estate / "terraform" / "plan.json")))
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert {"SOV-001", "SOV-005", "CNL-002", "PLAN-001", "WAIVER-EXPIRED"} <= set(ids)
    sov1 = rules[ids.index("SOV-001")]
    assert sov1["name"] == "PersonalDataOutsideTheEUEEAOnlyWithALawfulTransferMechanism"
    assert sov1["shortDescription"]["text"] == "Personal data outside the EU/EEA only with a " \
                                               "lawful transfer mechanism"
    assert "Data Privacy Framework" in sov1["fullDescription"]["text"]
    assert sov1["help"]["text"].startswith("Remediation: Place the workload")
    assert "GDPR Art. 45" in sov1["help"]["markdown"]
    assert sov1["properties"]["basis"] == "law"
    assert rules[ids.index("SOV-002")]["properties"]["basis"] == "local"
    assert sov1["helpUri"] == "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
    assert sov1["defaultConfiguration"]["level"] == "error"
    assert "gdpr" in sov1["properties"]["tags"] and "sovereignty" in sov1["properties"]["tags"]
    results = run["results"]
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert r["baselineState"] in ("new", "unchanged", "updated")
    care = next(r for r in results if r["ruleId"] == "SOV-002")
    loc = care["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "workloads.yaml",
                                                           "uriBaseId": "ESTATE"}
    assert loc["physicalLocation"]["region"] == {"startLine": 16}
    assert loc["logicalLocations"] == [{"name": "care", "kind": "resource"}]
    assert care["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "terraform/plan.json"
    assert "ESTATE" in run["originalUriBaseIds"]
    waived = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["properties"]["workload"]) for r in waived] == [("SOV-004", "care")]
    assert waived[0]["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "waived by ciso@example.org until 2027-03-31, RA-2026-001: Moving care "
                         "is planned for Q1"}]


def test_sarif_paths_are_repo_relative_in_ci(run_cli, estate, monkeypatch):
    monkeypatch.chdir(estate.parent)
    doc = json.loads(_report(run_cli, estate, "sarif"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]}
    assert uris == {"estate/workloads.yaml"}
    assert "originalUriBaseIds" not in doc["runs"][0]


def test_sarif_fingerprints_survive_line_changes(run_cli, estate, tmp_path):
    before = json.loads(_report(run_cli, estate, "sarif"))["runs"][0]["results"]
    edited = tmp_path / "edited"  # a new folder: the same estate after a commit
    shutil.copytree(estate, edited)
    wl = edited / "workloads.yaml"
    wl.write_text("# a comment that moves every line down\n\n" + wl.read_text())
    after = json.loads(_report(run_cli, edited, "sarif"))["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] + 2 for r in before] == \
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after]
    prints = [next(iter(r["partialFingerprints"].values())) for r in after]
    assert len(prints) == len(set(prints))


def test_junit_one_case_per_rule_and_workload(run_cli, estate):
    root = ET.fromstring(_report(run_cli, estate, "junit"))
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    keys = [(c.get("classname"), c.get("name")) for c in cases]
    assert len(keys) == len(set(keys))
    # Every workload labelled personal-data is evaluated by SOV-001; web (none) is not.
    assert sorted(n for cls, n in keys if cls == "advisor.sovereignty.SOV-001") == \
        ["api", "care", "report"]
    failures = {(c.get("classname"), c.get("name")): c.find("failure") for c in cases
                if c.find("failure") is not None}
    assert sorted(failures) == [
        ("advisor.cloud-policy-nl.CNL-002", "care"), ("advisor.cloud-policy-nl.CNL-003", "report"),
        ("advisor.sovereignty.SOV-001", "care"), ("advisor.sovereignty.SOV-002", "care"),
        ("advisor.sovereignty.SOV-006", "care"), ("advisor.sovereignty.SOV-006", "report")]
    failure = failures[("advisor.sovereignty.SOV-001", "care")]
    assert failure.get("type") == "error"
    assert "remediation:" in (failure.text or "")
    skipped = [(c.get("classname"), c.get("name")) for c in cases
               if c.find("skipped") is not None]
    assert skipped == [("advisor.sovereignty.SOV-004", "care")]
    assert root.get("failures") == "6" and root.get("skipped") is None  # not in junit-10.xsd
    assert root.get("tests") == str(len(cases))
    assert "defined at workloads.yaml:" in (failure.text or "")  # where, in the text
    for suite in root.findall("testsuite"):
        assert suite.get("tests") == str(len(suite.findall("testcase")))


def test_gitlab_code_quality(run_cli, estate):
    issues = json.loads(_report(run_cli, estate, "gitlab"))
    assert isinstance(issues, list) and len(issues) == 7
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == "workloads.yaml"
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_rule = {(i["check_name"], i["severity"]) for i in issues}
    assert ("SOV-001", "critical") in by_rule and ("CNL-003", "major") in by_rule
    waived = [i for i in issues if i["description"].startswith("[waived]")]
    assert [(i["check_name"], i["severity"]) for i in waived] == [("SOV-004", "info")]


def test_markdown_for_a_pull_request(run_cli, estate):
    (estate / "proposed.yaml").write_text("api: aws-us\n")
    md = _report(run_cli, estate, "markdown", "--placement", str(estate / "proposed.yaml"))
    lines = md.splitlines()
    assert lines[0] == ("### :x: advisor check failed: 4 findings at or above `error`, "
                        "2 new with this change")
    assert "| Severity | Rule | Workload | Defined at | Finding |" in lines
    assert any(ln.startswith("| :x: error (new) | `SOV-001` | api @ aws-us |") for ln in lines)
    assert any(ln.startswith("| ~~warning~~ waived | `SOV-004` | care @ aws-us |") for ln in lines)
    # api: 102.20 -> (0.06 + 0.024) x 730 = 61.32; web pays 100 x 0.09 + 10 x 0.01 = 9.10.
    assert "| Before (today's placement) | 257.96 EUR |" in lines
    assert "| After (proposed placement) | 226.18 EUR |" in lines
    assert "| **Difference** | **-31.78 EUR** |" in lines
    assert "| One-off migration | 1,000.00 EUR |" in lines
    assert "<details><summary>Changes (1)</summary>" in lines
    assert "<details><summary>Waived (1)</summary>" in lines
    assert any(ln.startswith("<details><summary>Rules, why and what to do") for ln in lines)
    assert "*Remediation:*" in md


def test_markdown_pass_and_no_change(run_cli, estate):
    wl = estate / "workloads.yaml"
    wl.write_text(wl.read_text().replace("    location: aws-us\n", "    location: dc\n"))
    code, md, _ = run_cli("check", "-c", str(estate), *TODAY, "--format", "markdown")
    assert code == 0
    assert md.splitlines()[0] == ("### :white_check_mark: advisor check passed "
                                  "(error and above fail)")
    assert "| Today's placement (no change checked) | 275.48 EUR |" in md
