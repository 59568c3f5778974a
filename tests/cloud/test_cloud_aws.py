"""AWS through the real boto3 clients against moto (behind a logging, fault-injecting proxy):
Cost Explorer into the ledger, Organizations and assumed roles, EC2/EBS discovery, failures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml
from cloud_servers import AwsFault, AwsProxy
from conftest import AWS_KEY_ID, assert_no_secrets, member_client, moto_client, queue_ce

READ_PREFIXES = ("Get", "List", "Describe", "s3:GET", "s3:HEAD")
READ_STS = ("GetCallerIdentity", "AssumeRole")


def ce_page(month: str, groups: list[tuple[str, str, str]], token: str | None = None,
            ) -> dict[str, Any]:
    """One recorded Cost Explorer answer: groups of (account, application tag, USD amount)."""
    start = f"{month}-01"
    year, mon = int(month[:4]), int(month[5:])
    end = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"
    page: dict[str, Any] = {"ResultsByTime": [{
        "TimePeriod": {"Start": start, "End": end}, "Total": {},
        "Groups": [{"Keys": [acc, f"application${app}"],
                    "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"},
                                "NetAmortizedCost": {"Amount": amount, "Unit": "USD"}}}
                   for acc, app, amount in groups],
        "Estimated": False}], "DimensionValueAttributes": []}
    if token:
        page["NextPageToken"] = token
    return page


SOURCE = ("  - {type: aws, name: aws-org, profile: org-admin, start: 2026-09, end: 2026-10, "
          "group_by: [LINKED_ACCOUNT, 'TAG:application'], max_retries: 3}\n")
WORKLOADS = ("  - {id: zaak, application: zaak, location: aws-fra, resources: {cpu: 2, "
             "memory_gb: 8}, cost_match: {tags: {application: zaak}}}\n")


def _queue_two_months(aws: AwsProxy) -> None:
    queue_ce(aws.moto_port, [
        ce_page("2026-09", [("111111111111", "zaak", "10.0000000001")], token="p2"),
        ce_page("2026-09", [("111111111111", "", "0.50")]),
        ce_page("2026-10", [("111111111111", "zaak", "20.25"), ("111111111111", "web", "1.25")]),
    ])


def test_cost_explorer_pages_backoff_cache_and_ledger(aws: AwsProxy, estate: Any, run: Any,
                                                      tmp_path: Path) -> None:
    _queue_two_months(aws)
    aws.faults.append(AwsFault("GetCostAndUsage", "LimitExceededException", times=1))
    config = estate(SOURCE, WORKLOADS)
    started = time.monotonic()
    code, out, err = run("costs", "-c", str(config), "--group-by", "month,workload",
                         "--format", "json")
    assert code == 0, err
    assert time.monotonic() - started >= 1.0  # waited before retrying the throttled request
    doc = json.loads(out)
    rows = {(r["month"], r["workload"]): r["cost"] for r in doc["rows"]}
    # USD converted at 0.9; page 2 of September (untagged) and "web" are unallocated
    assert rows == {("2026-09", "zaak"): 9.0, ("2026-09", None): 0.45,
                    ("2026-10", "zaak"): 18.23, ("2026-10", None): 1.13}
    assert all(b["holds"] for b in doc["balance"])
    assert "Cost Explorer: 3 paid requests (USD 0.01 each), 0 answered from the cache" in err
    assert aws.actions().count("GetCostAndUsage") == 4  # one throttled, three answered
    # closed months come from the disk cache the second time: no paid request at all
    aws.log.clear()
    code, out2, err = run("costs", "-c", str(config), "--group-by", "month,workload",
                          "--format", "json")
    assert code == 0, err
    assert out2 == out  # deterministic
    assert "0 paid requests (USD 0.01 each), 3 answered from the cache" in err
    assert "GetCostAndUsage" not in aws.actions()
    cache_text = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert "zaak" in cache_text
    assert_no_secrets(out, err, cache_text)


def test_throttling_that_never_ends_names_the_source(aws: AwsProxy, estate: Any,
                                                     run: Any) -> None:
    aws.faults.append(AwsFault("GetCostAndUsage", "LimitExceededException", times=-1))
    config = estate(SOURCE.replace("max_retries: 3", "max_retries: 1"))
    code, out, err = run("costs", "-c", str(config))
    assert code == 3
    assert "source aws-org: ce:GetCostAndUsage: LimitExceededException" in err
    assert "still throttled after 2 attempts" in err
    assert "Traceback" not in err
    assert_no_secrets(out, err)


def test_one_source_failing_keeps_the_others(aws: AwsProxy, estate: Any, run: Any) -> None:
    _queue_two_months(aws)
    broken = ("  - {type: aws, name: aws-broken, profile: org-admin, start: 2026-09, "
              "end: 2026-09, accounts: ['444444444444']}\n")
    aws.faults.append(AwsFault("GetCostAndUsage", "AccessDeniedException", match="444444444444",
                               times=-1))
    config = estate(SOURCE + broken, WORKLOADS)
    code, out, err = run("costs", "-c", str(config), "--group-by", "workload")
    assert code == 3
    assert "FAILED source aws-broken: ce:GetCostAndUsage: AccessDeniedException" in out
    assert "zaak" in out  # the good source's figures are still shown
    assert "advisor: source failed: source aws-broken" in err
    code, out, err = run("costs", "-c", str(config), "--group-by", "workload",
                         "--allow-partial")
    assert code == 0
    assert "FAILED source aws-broken" in out


def test_expired_credentials_one_line(aws: AwsProxy, estate: Any, run: Any) -> None:
    aws.faults.append(AwsFault("GetCallerIdentity", "ExpiredToken", status=403, times=-1))
    code, out, err = run("costs", "-c", str(estate(SOURCE)))
    assert code == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert any("sts:GetCallerIdentity: ExpiredToken" in line for line in lines)
    assert "credentials have expired" in err
    assert "Traceback" not in err
    assert_no_secrets(out, err)
    assert AWS_KEY_ID not in err


def test_unknown_profile_is_bad_input(aws: AwsProxy, estate: Any, run: Any) -> None:
    code, _out, err = run("costs", "-c", str(estate(SOURCE.replace("org-admin", "nope"))))
    assert code == 2
    assert "unknown AWS profile 'nope'" in err
    code, _out, err = run("discover", "aws", "--profile", "nope")
    assert code == 2 and "unknown AWS profile 'nope'" in err


def test_unknown_setting_names_file_and_line(aws: AwsProxy, estate: Any, run: Any) -> None:
    code, _out, err = run("costs", "-c", str(estate(SOURCE.replace("max_retries", "max_retry"))))
    assert code == 2
    assert "advisor.yaml:" in err and "unknown key 'max_retry'" in err
    assert "did you mean 'max_retries'?" in err
    bad = SOURCE.replace("[LINKED_ACCOUNT, 'TAG:application']", "[SERVICE, REGION, 'TAG:a']")
    code, _out, err = run("costs", "-c", str(estate(bad)))
    assert code == 2 and "at most two keys" in err


def _seed_organization(aws: AwsProxy) -> tuple[str, str]:
    url = f"http://127.0.0.1:{aws.moto_port}"
    org = moto_client("organizations", url, "us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = []
    for name in ("prod", "test"):
        ids.append(org.create_account(Email=f"{name}@gemeente.nl", AccountName=name)
                   ["CreateAccountStatus"]["AccountId"])
    prod, test = sorted(ids)
    for account, app, itype in ((prod, "zaak", "m5.large"), (prod, "zaak", "m5.xlarge"),
                                (prod, None, "t3.micro"), (test, "web", "m5.large")):
        ec2 = member_client("ec2", aws.moto_port, account, "eu-central-1")
        tags = [{"Key": "Name", "Value": f"{app or 'loose'}-vm"},
                {"Key": "advisor.io/personal-data", "Value": "personal"},
                {"Key": "advisor.io/owner", "Value": "Dienstverlening"}]
        if app:
            tags.append({"Key": "application", "Value": app})
        ec2.run_instances(ImageId="ami-12c6146b", InstanceType=itype, MinCount=1, MaxCount=1,
                          BlockDeviceMappings=[{"DeviceName": "/dev/sda1",
                                                "Ebs": {"VolumeSize": 50}}],
                          TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
    return prod, test


def test_discover_organization_writes_valid_workloads(aws: AwsProxy, run: Any,
                                                      tmp_path: Path) -> None:
    prod, test = _seed_organization(aws)
    aws.log.clear()
    out_file = tmp_path / "workloads.yaml"
    code, _out, err = run("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "--region", "eu-central-1", "-o", str(out_file), "-q")
    assert code == 0, err
    doc = yaml.safe_load(out_file.read_text())
    by_id = {w["id"]: w for w in doc["workloads"]}
    zaak = by_id[f"aws:{prod}:eu-central-1:zaak"]
    assert zaak["resources"] == {"cpu": 6, "memory_gb": 24, "storage_gb": 100}
    assert zaak["labels"] == {"personal-data": "personal"}
    assert zaak["owner"] == "Dienstverlening"
    assert zaak["location"] == "aws-eu-central-1"
    assert zaak["cost_match"]["tags"] == {"application": "zaak"}
    assert by_id[f"aws:{test}:eu-central-1:web"]["resources"]["cpu"] == 2
    loose = [w for w in doc["workloads"] if w["application"] == "loose-vm"]
    assert len(loose) == 1 and loose[0]["resources"]["memory_gb"] == 1
    # the file loads as an estate's workloads
    from advisor.config import load_estate

    (tmp_path / "locations.yaml").write_text(
        "locations:\n  - {id: aws-eu-central-1, provider: aws, region: eu-central-1, "
        "country: DE, jurisdiction: EU, prices: {currency: EUR, cpu_hour: 0.04, "
        "memory_gb_hour: 0.005}}\n")
    (tmp_path / "advisor.yaml").write_text("version: 1\nname: T\ncurrency: EUR\n"
                                           "locations: locations.yaml\n"
                                           "workloads: workloads.yaml\n")
    assert len(load_estate(tmp_path / "advisor.yaml").workloads) == 3
    # only read operations reached AWS
    for action in aws.actions():
        assert action.startswith(READ_PREFIXES) or action in READ_STS, action
    assert "AssumeRole" in aws.actions() and "ListAccounts" in aws.actions()


def test_role_that_cannot_be_assumed_keeps_other_accounts(aws: AwsProxy, run: Any,
                                                           tmp_path: Path) -> None:
    prod, test = _seed_organization(aws)
    aws.faults.append(AwsFault("AssumeRole", "AccessDenied", status=403, match=test, times=-1))
    out_file = tmp_path / "w.yaml"
    code, out, err = run("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "-o", str(out_file), "-q")
    assert code == 3
    assert (f"source aws:org-admin account {test}: cannot assume role "
            f"arn:aws:iam::{test}:role/AdvisorReadOnly: AccessDenied") in err
    text = out_file.read_text()
    assert f"aws:{prod}:eu-central-1:zaak" in text and "# FAILED" in text
    assert "Traceback" not in err
    assert_no_secrets(out, err, text)
    code, out, err = run("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "--allow-partial", "-q")
    assert code == 0 and f"aws:{prod}:eu-central-1:zaak" in out
