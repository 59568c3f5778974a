"""`advisor check --terraform-plan`: real `terraform show -json` shapes, written by hand.

tests/data/check/terraform/plan.json holds the cases: an aws_instance whose region comes from the
default provider block, a module's aws_db_instance with the AWS provider 6 `region` attribute, an
azurerm VM in "West Europe", a bucket on an aliased provider whose region is a root variable
(eu-north-1, which no location describes), an Azure resource whose location is unknown, a tag
naming no workload, and changes that must be ignored (delete, no-op, data read, other providers).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "check"
PLAN = DATA / "terraform" / "plan.json"
TODAY = ("--today", "2026-11-01")


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DATA, target)
    return target


def _check(run_cli, estate: Path, plan: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run_cli("check", "-c", str(estate), *TODAY, "--terraform-plan", str(plan),
                             "-f", "json", *extra)
    return code, (json.loads(out) if out else {}), err


def test_plan_moves_tagged_workloads_and_reports_plan_problems(run_cli, estate):
    code, doc, err = _check(run_cli, estate, estate / "terraform" / "plan.json")
    assert code == 1, err
    moved = [(m["workload"], m["from"], m["to"], m["origin"]) for m in doc["cost"]["moved"]]
    assert moved == [
        ("api", "dc", "aws-fra", "plan.json: aws_instance.api"),
        ("care", "aws-us", "aws-fra", "plan.json: module.care.aws_db_instance.db"),
    ]
    got = [(f["rule"], f["severity"], f["workload"] or f["resource"], f["location"],
            f["baseline"]) for f in doc["findings"]]
    assert got == [
        ("CNL-002", "error", "care", "aws-fra", "updated"),
        ("PLAN-001", "error", "web", None, "new"),
        ("SOV-002", "error", "care", "aws-fra", "updated"),
        ("CNL-003", "warning", "report", "azure-weu", "unchanged"),
        ("PLAN-002", "warning", "web", None, "new"),
        ("PLAN-003", "warning", 'aws_lambda_function.thumbnails["small"]', None, "new"),
        ("SOV-004", "warning", "care", "aws-fra", "updated"),
        ("SOV-006", "warning", "api", "aws-fra", "new"),
        ("SOV-006", "warning", "care", "aws-fra", "updated"),
        ("SOV-006", "warning", "report", "azure-weu", "unchanged"),
    ]
    messages = {f["rule"]: f["message"] for f in doc["findings"]}
    assert messages["PLAN-001"] == ("aws_s3_bucket.web_logs (web) is planned in AWS region "
                                    "eu-north-1, which no location of the estate describes")
    assert "did you mean 'web'" in messages["PLAN-003"]
    assert [(f["rule"], f["workload"]) for f in doc["resolved"]] == [("SOV-001", "care")]
    assert doc["cost"]["one_off_migration"] == 2200.00


def test_a_finding_from_the_plan_points_at_the_workload_and_the_resource(run_cli, estate):
    _code, doc, _ = _check(run_cli, estate, estate / "terraform" / "plan.json")
    care = next(f for f in doc["findings"] if f["rule"] == "SOV-002")
    assert care["position"]["path"].endswith("workloads.yaml")
    assert care["position"]["line"] == 16
    [related] = care["related"]
    assert related["position"]["path"].endswith("plan.json")
    assert related["message"] == "proposed by plan.json: module.care.aws_db_instance.db"
    unknown = next(f for f in doc["findings"] if f["rule"] == "PLAN-003")
    text = (estate / "terraform" / "plan.json").read_text().splitlines()
    assert 'aws_lambda_function.thumbnails[\\"small\\"]' in text[unknown["position"]["line"] - 1]


def test_compact_plan_json_as_terraform_writes_it(run_cli, estate):
    """`terraform show -json` writes one line; the same plan must give the same findings."""
    compact = estate / "compact.json"
    compact.write_text(json.dumps(json.loads(PLAN.read_text()), separators=(",", ":")))
    _, pretty, _ = _check(run_cli, estate, estate / "terraform" / "plan.json")
    code, doc, _ = _check(run_cli, estate, compact)
    assert code == 1
    assert [(f["rule"], f["workload"]) for f in doc["findings"]] == \
        [(f["rule"], f["workload"]) for f in pretty["findings"]]


def test_custom_tag_key(run_cli, estate):
    plan = json.loads(PLAN.read_text())
    for rc in plan["resource_changes"]:
        after = (rc.get("change") or {}).get("after") or {}
        for field in ("tags", "tags_all"):
            if isinstance(after.get(field), dict) and "advisor-workload" in after[field]:
                after[field]["workload"] = after[field].pop("advisor-workload")
    path = estate / "retagged.json"
    path.write_text(json.dumps(plan))
    _, default, _ = _check(run_cli, estate, path)
    assert default["cost"]["moved"] == []  # nothing carries the default tag
    _code, doc, _ = _check(run_cli, estate, path, "--tag-key", "workload")
    assert [m["workload"] for m in doc["cost"]["moved"]] == ["api", "care"]


def test_a_plan_without_changes_checks_todays_placement(run_cli, estate):
    path = estate / "empty.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.9.5",
                                "planned_values": {"root_module": {}}}))
    code, doc, _ = _check(run_cli, estate, path)
    assert code == 1 and doc["checked"] == "proposed" and doc["cost"]["moved"] == []
    assert all(f["baseline"] == "unchanged" for f in doc["findings"])


def test_placement_and_plan_together_and_their_conflict(run_cli, estate):
    (estate / "proposed.yaml").write_text("web: aws-fra\n")
    code, doc, _ = _check(run_cli, estate, estate / "terraform" / "plan.json", "--placement",
                          str(estate / "proposed.yaml"))
    assert [m["workload"] for m in doc["cost"]["moved"]] == ["api", "care", "web"]
    (estate / "proposed.yaml").write_text("api: dc\n")
    code, _, err = run_cli("check", "-c", str(estate), "--placement",
                           str(estate / "proposed.yaml"), "--terraform-plan",
                           str(estate / "terraform" / "plan.json"))
    assert code == 2
    assert "puts api in aws-fra, but proposed.yaml:1 puts it in dc" in err


@pytest.mark.parametrize(("content", "fragments", "line"), [
    ('{"format_version": "1.2",\n "resource_changes": [\n', ["not valid JSON"], 3),
    ("terraform plan output\n+ resource \"aws_instance\" \"x\" {}\n", ["not valid JSON"], 1),
    ('{"version": 4, "resources": []}', ["not a Terraform plan",
                                         "terraform show -json tfplan"], None),
    ('[1, 2, 3]', ["not a Terraform plan"], None),
    ('{"format_version": "2.0", "resource_changes": []}',
     ["unsupported Terraform JSON format_version '2.0'"], None),
    ('{"format_version": "1.2", "resource_changes": {"a": 1}}',
     ["resource_changes is not a list"], None),
])
def test_bad_plan_files(run_cli, estate, content, fragments, line):
    bad = estate / "plan.json"
    bad.write_text(content)
    code, out, err = run_cli("check", "-c", str(estate), "--terraform-plan", str(bad))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"advisor: error: {bad}" + (f":{line}:" if line else ":"))
    for fragment in fragments:
        assert fragment in err, err


def test_unreadable_plan_files(run_cli, estate):
    code, _, err = run_cli("check", "-c", str(estate), "--terraform-plan",
                           str(estate / "missing.json"))
    assert code == 2 and "Terraform plan not found" in err
    binary = estate / "tfplan"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary plan")
    code, _, err = run_cli("check", "-c", str(estate), "--terraform-plan", str(binary))
    assert code == 2 and "not a text file" in err
    code, _, err = run_cli("check", "-c", str(estate), "--terraform-plan", str(estate))
    assert code == 2 and "Traceback" not in err
