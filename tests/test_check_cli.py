"""`advisor check` through the CLI: exit codes, exact findings, proposed placements, cost effect."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "check"
TODAY = ("--today", "2026-11-01")


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DATA, target)
    return target


def _findings(out: str) -> list[tuple[str, str, str | None, bool]]:
    doc = json.loads(out)
    return [(f["rule"], f["workload"] or f["subject"] or f["resource"], f["location"], f["waived"])
            for f in doc["findings"]]


def test_todays_placement_exact_findings(run_cli, estate):
    code, out, err = run_cli("check", "-c", str(estate), *TODAY, "--format", "json")
    assert code == 1, err
    assert _findings(out) == [
        ("CNL-002", "care", "aws-us", False),
        ("SOV-001", "care", "aws-us", False),
        ("SOV-002", "care", "aws-us", False),
        ("CNL-003", "report", "azure-weu", False),
        ("SOV-004", "care", "aws-us", False),
        ("SOV-006", "care", "aws-us", False),
        ("SOV-006", "report", "azure-weu", False),
    ]
    doc = json.loads(out)
    assert doc["verdict"] == "fail" and doc["checked"] == "current"
    assert doc["summary"] == {"error": 3, "warning": 4, "info": 0, "waived": 0, "new": 0,
                              "resolved": 0, "failing": 3}
    # web 2x0.05+4x0.005 = 0.12 x 730 + 10 x 0.1 = 88.60; api 102.20; care 26.28;
    # report (0.04 + 0.016) x 730 = 40.88: 257.96 a month.
    assert doc["cost"]["before_monthly"] == doc["cost"]["after_monthly"] == 257.96


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(run_cli, estate, fail_on, code):
    assert run_cli("check", "-c", str(estate), *TODAY, "--fail-on", fail_on)[0] == code


def test_warning_gate_without_errors(run_cli, estate):
    wl = estate / "workloads.yaml"
    wl.write_text(wl.read_text().replace("    location: aws-us\n", "    location: dc\n"))
    assert run_cli("check", "-c", str(estate), *TODAY)[0] == 0
    code, out, _ = run_cli("check", "-c", str(estate), *TODAY, "--fail-on", "warning")
    assert code == 1
    assert out.splitlines()[-1] == "FAIL: 2 findings at or above warning"


def test_text_output_names_file_and_line(run_cli, estate):
    code, out, _ = run_cli("check", "-c", str(estate), *TODAY)
    assert code == 1
    line = next(ln for ln in out.splitlines() if ln.startswith("error    SOV-001"))
    assert line.endswith(f"care @ aws-us  ({estate / 'workloads.yaml'}:16)") or \
        line.endswith("care @ aws-us  (workloads.yaml:16)")
    assert out.splitlines()[-1] == "FAIL: 3 findings at or above error"


def test_paths_are_relative_to_the_current_directory(run_cli, estate, monkeypatch):
    monkeypatch.chdir(estate.parent)
    _code, out, _ = run_cli("check", "-c", "estate", *TODAY, "-f", "json")
    first = json.loads(out)["findings"][0]
    assert first["position"] == {"path": "estate/workloads.yaml", "line": 16, "base": None}


def test_paths_outside_the_current_directory_are_relative_to_the_estate(run_cli, estate,
                                                                         monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _code, out, _ = run_cli("check", "-c", str(estate), *TODAY, "-f", "json")
    first = json.loads(out)["findings"][0]
    assert first["position"] == {"path": "workloads.yaml", "line": 16, "base": "ESTATE"}


def test_proposed_placement_new_resolved_and_cost(run_cli, estate):
    (estate / "proposed.yaml").write_text("care: dc\napi: aws-fra\n")
    code, out, err = run_cli("check", "-c", str(estate), *TODAY, "--placement",
                             str(estate / "proposed.yaml"), "-f", "json")
    assert code == 0, err  # care's errors are fixed; api in Frankfurt only warns
    doc = json.loads(out)
    got = {(f["rule"], f["workload"], f["location"], f["baseline"]) for f in doc["findings"]}
    assert got == {
        ("SOV-006", "api", "aws-fra", "new"),
        ("CNL-003", "report", "azure-weu", "unchanged"),
        ("SOV-006", "report", "azure-weu", "unchanged"),
    }
    assert [(f["rule"], f["workload"]) for f in doc["resolved"]] == [
        ("CNL-002", "care"), ("SOV-001", "care"), ("SOV-002", "care"), ("SOV-004", "care"),
        ("SOV-006", "care")]
    cost = doc["cost"]
    # api 102.20 -> (0.08 + 0.032) x 730 = 81.76; web now pays egress for api's traffic:
    # 100 GB x 0.09 + 10 GB x 0.01 = 9.10; care 26.28 -> (0.05 + 0.01) x 730 = 43.80.
    assert cost["before_monthly"] == 257.96
    assert cost["after_monthly"] == round(257.96 - 102.20 + 81.76 + 9.10 - 26.28 + 43.80, 2)
    assert cost["one_off_migration"] == 2200.00
    assert [(m["workload"], m["from"], m["to"]) for m in cost["moved"]] == [
        ("api", "dc", "aws-fra"), ("care", "aws-us", "dc")]


def test_proposed_placement_that_breaks_a_rule_fails(run_cli, estate):
    (estate / "proposed.yaml").write_text("api: aws-us\n")
    code, out, _ = run_cli("check", "-c", str(estate), *TODAY, "--placement",
                           str(estate / "proposed.yaml"), "-f", "json")
    assert code == 1
    new = sorted((f["rule"], f["workload"]) for f in json.loads(out)["findings"]
                 if f["baseline"] == "new")
    assert new == [("SOV-001", "api"), ("SOV-006", "api")]


@pytest.mark.parametrize(("content", "fragments", "line"), [
    ("care: dc\napj: aws-fra\n", ["unknown workload 'apj'", "did you mean 'api'"], 2),
    ("care: aws-frankfurt\n", ["unknown location 'aws-frankfurt' for workload 'care'",
                              "did you mean 'aws-fra'"], 1),
    ("- care\n- dc\n", ["expected a mapping of workload id -> location id"], 1),
    ("care: [dc]\n", ["unknown location ['dc'] for workload 'care'"], 1),
    ("care: dc\n  api: x: y\n", ["YAML syntax error"], 2),
])
def test_bad_placement_file(run_cli, estate, content, fragments, line):
    bad = estate / "proposed.yaml"
    bad.write_text(content)
    code, out, err = run_cli("check", "-c", str(estate), "--placement", str(bad))
    assert code == 2 and out == ""
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2
    assert f"{bad}:{line}:" in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_missing_placement_file(run_cli, estate):
    code, _, err = run_cli("check", "-c", str(estate), "--placement", str(estate / "nope.yaml"))
    assert code == 2 and "placement file not found" in err and "nope.yaml" in err


def test_same_input_same_bytes_in_every_format(run_cli, estate, tmp_path):
    (estate / "proposed.yaml").write_text("care: dc\napi: aws-fra\n")
    runs = []
    for n in (1, 2):
        out = tmp_path / f"run{n}"
        out.mkdir()
        args = ["check", "-c", str(estate), *TODAY, "--placement", str(estate / "proposed.yaml")]
        for fmt, ext in (("text", "txt"), ("json", "json"), ("sarif", "sarif"),
                         ("junit", "xml"), ("gitlab", "gl.json"), ("markdown", "md")):
            args += ["--format", fmt, "-o", str(out / f"report.{ext}")]
        code, stdout, err = run_cli(*args)
        assert code == 0 and stdout == ""
        assert err.startswith("advisor check: PASS")
        runs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert len(runs[0]) == 6
    assert runs[0] == runs[1]


def test_one_format_to_stdout_the_others_to_files(run_cli, estate, tmp_path):
    sarif = tmp_path / "a.sarif"
    code, out, _ = run_cli("check", "-c", str(estate), *TODAY, "--format", "sarif", "-o",
                           str(sarif), "--format", "markdown")
    assert code == 1
    assert out.startswith("### :x: advisor check failed")
    assert json.loads(sarif.read_text())["version"] == "2.1.0"


@pytest.mark.parametrize(("args", "fragment"), [
    (["-o", "a.txt", "-o", "b.txt"], "2 -o files for 1 --format"),
    (["--format", "json", "--format", "sarif"], "2 formats would go to stdout"),
    (["--format", "json", "-o", "x.json", "--format", "sarif", "-o", "x.json"],
     "the same -o file is given twice"),
    (["--format", "pdf"], "Invalid value for '-f' / '--format'"),
    (["--today", "01-11-2026"], "Invalid value for '--today'"),
])
def test_bad_options(run_cli, estate, tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_cli("check", "-c", str(estate), *args)
    assert code == 2 and fragment in err and "Traceback" not in err


def test_demo_check_tells_the_story(run_cli):
    code, out, err = run_cli("check", "--demo", *TODAY, "-f", "json")
    assert code == 1, err
    doc = json.loads(out)
    failing = sorted((f["rule"], f["workload"] or f["subject"]) for f in doc["findings"]
                     if f["severity"] == "error" and not f["waived"])
    assert failing == [
        ("LOCAL-007", "hr-verzuim"),
        ("SOV-001", "analytics-collector"), ("SOV-001", "analytics-db"),
        ("SOV-001", "chatbot-api"), ("SOV-001", "chatbot-nlu"),
        ("SOV-002", "hr-verzuim"),
        ("SOV-005", "analytics-collector"), ("SOV-005", "analytics-db"),
        ("SOV-005", "chatbot-api"), ("SOV-005", "chatbot-nlu"),
        # special-category data flowing to where the CLOUD Act reaches
        ("SOV-007", "hr-verzuim"), ("SOV-007", "parkeren-api"),
        ("WAIVER-EXPIRED", "bi-service"),
    ]
    waived = sorted((f["rule"], f["workload"]) for f in doc["findings"] if f["waived"])
    assert waived == [("COST-001", "vdi-hosts"), ("LOCAL-008", "kcc-telefonie")]
    # No exit strategy for the supplier that hosts the parking, waste and chatbot workloads,
    # nor for two SaaS suppliers (each its own supplier: no providers entry names them).
    exits = sorted(f["subject"] for f in doc["findings"] if f["rule"] == "BIO-006")
    assert exits == ["supplier:aws", "supplier:saas-arbodienst", "supplier:saas-kcc-telefonie"]
    # Every declaration the rules rest on is shown with its file and line.
    assumed = [a["text"] for a in doc["assumptions"]]
    assert any(t.startswith("nl-sovereign-ams (other) is declared not public cloud") for t in
               assumed)
    # The expired waiver no longer covers Power BI's missing transfer impact assessment.
    assert any(f["rule"] == "SOV-006" and f["workload"] == "bi-service" and not f["waived"]
               for f in doc["findings"])
    # The chatbot pilot outgrew its application budget (budgets.yaml).
    assert any(f["rule"] == "COST-002" and f["subject"] == "chatbot" for f in doc["findings"])


def test_check_help_has_an_example(run_cli):
    code, out, _ = run_cli("check", "--help")
    assert code == 0 and "Example" in out and "--terraform-plan" in out


@pytest.mark.parametrize(("pack", "fragments", "line"), [
    ("pack: local\nreviewed: 2026-12-01\nrules:\n  - id: L-1\n    title: t\n"
     "    severity: error\n    basis: local\n"
     "    require: {jurisdiction: {among: [EU]}}\n", ["unknown key 'among'"], 8),
    ("pack: local\nreviewed: 2026-12-01\nrules:\n  - id: SOV-001\n    title: t\n"
     "    severity: info\n    basis: local\n"
     "    require: {provider: onprem}\n", ["duplicate rule id 'SOV-001' (also in "], 4),
    ("pack: local\nreviewed: 2026-12-01\nrules:\n  - id: L-1\n    title: t\n"
     "    severity: error\n    basis: local\n"
     "    require: {datacentre: x}\n", ["unknown key 'datacentre'", "allowed keys: id"], 8),
])
def test_bad_pack_of_the_estate(run_cli, estate, pack, fragments, line):
    (estate / "local.yaml").write_text(pack)
    adv = estate / "advisor.yaml"
    adv.write_text(adv.read_text().replace("builtin:cloud-policy-nl]",
                                           "builtin:cloud-policy-nl, local.yaml]"))
    code, out, err = run_cli("check", "-c", str(estate))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"advisor: error: {estate / 'local.yaml'}:{line}:"), err
    for fragment in fragments:
        assert fragment in err, err
