"""AWS through the real boto3 clients against moto (behind a logging, fault-injecting proxy):
Cost Explorer into the ledger, Organizations and assumed roles, EC2/EBS discovery, failures."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
from pathlib import Path
from typing import Any

import yaml
from cloud_helpers import AWS_KEY_ID, assert_no_secrets, member_client, moto_client, queue_ce
from cloud_servers import AwsFault, AwsProxy

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


def test_cost_explorer_pages_backoff_cache_and_ledger(aws: AwsProxy, estate: Any, run_cli: Any,
                                                      tmp_path: Path) -> None:
    _queue_two_months(aws)
    aws.faults.append(AwsFault("GetCostAndUsage", "LimitExceededException", times=1))
    config = estate(SOURCE, WORKLOADS)
    started = time.monotonic()
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "month,workload",
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
    code, out2, err = run_cli("costs", "-c", str(config), "--group-by", "month,workload",
                          "--format", "json")
    assert code == 0, err
    assert out2 == out  # deterministic
    assert "0 paid requests (USD 0.01 each), 3 answered from the cache" in err
    assert "GetCostAndUsage" not in aws.actions()
    cache_text = "".join(p.read_text() for p in (tmp_path / "cache").rglob("*.json"))
    assert "zaak" in cache_text
    assert_no_secrets(out, err, cache_text)


def test_throttling_that_never_ends_names_the_source(aws: AwsProxy, estate: Any,
                                                     run_cli: Any) -> None:
    aws.faults.append(AwsFault("GetCostAndUsage", "LimitExceededException", times=-1))
    config = estate(SOURCE.replace("max_retries: 3", "max_retries: 1"))
    code, out, err = run_cli("costs", "-c", str(config))
    assert code == 3
    assert "source aws-org: ce:GetCostAndUsage: LimitExceededException" in err
    assert "still throttled after 2 attempts" in err
    assert "Traceback" not in err
    assert_no_secrets(out, err)


def test_one_source_failing_keeps_the_others(aws: AwsProxy, estate: Any, run_cli: Any) -> None:
    _queue_two_months(aws)
    broken = ("  - {type: aws, name: aws-broken, profile: org-admin, start: 2026-09, "
              "end: 2026-09, accounts: ['444444444444']}\n")
    aws.faults.append(AwsFault("GetCostAndUsage", "AccessDeniedException", match="444444444444",
                               times=-1))
    config = estate(SOURCE + broken, WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload")
    assert code == 3
    assert "FAILED source aws-broken: ce:GetCostAndUsage: AccessDeniedException" in out
    assert "zaak" in out  # the good source's figures are still shown
    assert "advisor: source failed: source aws-broken" in err
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload",
                         "--allow-partial")
    assert code == 0
    assert "FAILED source aws-broken" in out


def test_expired_credentials_one_line(aws: AwsProxy, estate: Any, run_cli: Any) -> None:
    aws.faults.append(AwsFault("GetCallerIdentity", "ExpiredToken", status=403, times=-1))
    code, out, err = run_cli("costs", "-c", str(estate(SOURCE)))
    assert code == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert any("sts:GetCallerIdentity: ExpiredToken" in line for line in lines)
    assert "credentials have expired" in err
    assert "Traceback" not in err
    assert_no_secrets(out, err)
    assert AWS_KEY_ID not in err


def test_unknown_profile_is_bad_input(aws: AwsProxy, estate: Any, run_cli: Any) -> None:
    code, _out, err = run_cli("costs", "-c", str(estate(SOURCE.replace("org-admin", "nope"))))
    assert code == 2
    assert "unknown AWS profile 'nope'" in err
    code, _out, err = run_cli("discover", "aws", "--profile", "nope")
    assert code == 2 and "unknown AWS profile 'nope'" in err


def test_unknown_setting_names_file_and_line(aws: AwsProxy, estate: Any, run_cli: Any) -> None:
    config = estate(SOURCE.replace("max_retries", "max_retry"))
    code, _out, err = run_cli("costs", "-c", str(config))
    assert code == 2
    assert "advisor.yaml:" in err and "unknown key 'max_retry'" in err
    assert "did you mean 'max_retries'?" in err
    bad = SOURCE.replace("[LINKED_ACCOUNT, 'TAG:application']", "[SERVICE, REGION, 'TAG:a']")
    code, _out, err = run_cli("costs", "-c", str(estate(bad)))
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


def test_discover_organization_writes_valid_workloads(aws: AwsProxy, run_cli: Any,
                                                      tmp_path: Path) -> None:
    prod, test = _seed_organization(aws)
    aws.log.clear()
    out_file = tmp_path / "workloads.yaml"
    code, _out, err = run_cli("discover", "aws", "--profile", "org-admin", "--accounts", "all",
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
    from advisor.estate.load import load_estate

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


def test_role_that_cannot_be_assumed_keeps_other_accounts(aws: AwsProxy, run_cli: Any,
                                                           tmp_path: Path) -> None:
    prod, test = _seed_organization(aws)
    aws.faults.append(AwsFault("AssumeRole", "AccessDenied", status=403, match=test, times=-1))
    out_file = tmp_path / "w.yaml"
    code, out, err = run_cli("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "-o", str(out_file), "-q")
    assert code == 3
    assert (f"source aws:org-admin account {test}: cannot assume role "
            f"arn:aws:iam::{test}:role/AdvisorReadOnly: AccessDenied") in err
    text = out_file.read_text()
    assert f"aws:{prod}:eu-central-1:zaak" in text and "# FAILED" in text
    assert "Traceback" not in err
    assert_no_secrets(out, err, text)
    code, out, err = run_cli("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "--allow-partial", "-q")
    assert code == 0 and f"aws:{prod}:eu-central-1:zaak" in out


def _instances(aws: AwsProxy, account: str) -> dict[str, tuple[str, str]]:
    """Instance id -> (application tag or '', instance type) in one member account."""
    ec2 = member_client("ec2", aws.moto_port, account, "eu-central-1")
    out = {}
    for res in ec2.describe_instances()["Reservations"]:
        for inst in res["Instances"]:
            tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
            out[inst["InstanceId"]] = (tags.get("application", ""), inst["InstanceType"])
    return out


def _put_cpu(aws: AwsProxy, account: str, series: dict[str, list[float]]) -> None:
    """CPUUtilization points, one per 5 minutes before now, written straight into moto (the
    test's own PutMetricData never passes the logging proxy)."""
    from botocore.config import Config

    sts = moto_client("sts", f"http://127.0.0.1:{aws.moto_port}")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/AdvisorReadOnly",
                            RoleSessionName="seed")["Credentials"]
    import boto3

    cloudwatch = boto3.client(  # moto cannot read botocore's gzip-compressed PutMetricData
        "cloudwatch", endpoint_url=f"http://127.0.0.1:{aws.moto_port}",
        region_name="eu-central-1", aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
        config=Config(disable_request_compression=True))
    now = dt.datetime.now(dt.UTC)
    aligned = dt.datetime.fromtimestamp(int(now.timestamp()) // 300 * 300, dt.UTC)
    for iid, values in series.items():
        cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[
            {"MetricName": "CPUUtilization", "Unit": "Percent", "Value": value,
             "Dimensions": [{"Name": "InstanceId", "Value": iid}],
             "Timestamp": aligned - dt.timedelta(minutes=5 * (k + 1))}
            for k, value in enumerate(values)])


def test_discover_cpu_p95_from_cloudwatch(aws: AwsProxy, run_cli: Any, tmp_path: Path,
                                          estate: Any) -> None:
    prod, test = _seed_organization(aws)
    by_type = {itype: iid for iid, (_app, itype) in _instances(aws, prod).items()}
    _put_cpu(aws, prod, {
        by_type["m5.large"]: [5.0 * k for k in range(21)],  # p95 = 95 % of 2 vCPU
        by_type["m5.xlarge"]: [50.0] * 9 + [100.0, 60.0],  # p95 = 80 % of 4 (interpolated)
        by_type["t3.micro"]: [10.0] * 12,  # 10 % of 2 vCPU
    })  # the web instance in `test` has no data at all
    aws.log.clear()
    out_file = tmp_path / "w.yaml"
    code, _out, err = run_cli("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "--cpu-window", "1d", "-o", str(out_file), "-q")
    assert code == 0, err
    text = out_file.read_text()
    by_id = {w["id"]: w for w in yaml.safe_load(text)["workloads"]}
    assert by_id[f"aws:{prod}:eu-central-1:zaak"]["usage"] == {"cpu_p95": 5.1}
    loose = next(w for w in by_id.values() if w["application"] == "loose-vm")
    assert loose["usage"] == {"cpu_p95": 0.2}
    assert "usage" not in by_id[f"aws:{test}:eu-central-1:web"]
    assert f"aws:{test}:eu-central-1:web: no CloudWatch CPUUtilization in the window" in text
    assert "# usage: cpu_p95 (cores) = p95 of CloudWatch CPUUtilization (5-minute averages) " \
           "over 1d before" in text
    # one GetMetricData per account and region, through the read-only path only
    assert aws.actions().count("GetMetricData") == 2
    assert "PutMetricData" not in aws.actions()
    for action in aws.actions():
        assert action.startswith(READ_PREFIXES) or action in READ_STS, action
    # the same window from the source settings in advisor.yaml (regions map to its locations)
    config = estate("  - {type: aws, name: org, profile: org-admin, accounts: all, "
                    "cpu_window: 1d, cost_explorer: false}\n")
    code, out, err = run_cli("discover", "aws", "-c", str(config), "--source", "org", "-q")
    assert code == 0, err
    again = {w["id"]: w for w in yaml.safe_load(out)["workloads"]}
    assert {k: w.get("usage") for k, w in again.items()} == \
        {k: w.get("usage") for k, w in by_id.items()}
    assert {w["location"] for w in again.values()} == {"aws-fra"}


def test_cloudwatch_refusal_keeps_the_inventory(aws: AwsProxy, run_cli: Any, tmp_path: Path,
                                                estate: Any) -> None:
    prod, _test = _seed_organization(aws)
    aws.faults.append(AwsFault("GetMetricData", "AccessDenied", status=403, times=-1))
    out_file = tmp_path / "w.yaml"
    code, out, err = run_cli("discover", "aws", "--profile", "org-admin", "--accounts", "all",
                         "--cpu-window", "14d", "-o", str(out_file), "-q")
    assert code == 3
    assert (f"source aws:org-admin account {prod} eu-central-1: cloudwatch:GetMetricData: "
            "AccessDenied") in err
    assert "usage left out, inventory kept" in err
    doc = yaml.safe_load(out_file.read_text())
    zaak = next(w for w in doc["workloads"] if w["id"] == f"aws:{prod}:eu-central-1:zaak")
    assert zaak["resources"]["cpu"] == 6 and "usage" not in zaak
    assert "Traceback" not in err
    assert_no_secrets(out, err, out_file.read_text())
    # a window that is not a duration, or longer than CloudWatch keeps data, is bad input
    code, _out, err = run_cli("discover", "aws", "--profile", "org-admin",
                              "--cpu-window", "2 weeks")
    assert code == 2 and "invalid cpu_window '2 weeks'" in err
    code, _out, err = run_cli("discover", "aws", "--profile", "org-admin", "--cpu-window", "500d")
    assert code == 2 and "outside 1h to 455d" in err
    config = estate("  - {type: aws, name: org, profile: org-admin, cpu_window: 3x}\n")
    code, _out, err = run_cli("discover", "aws", "-c", str(config), "--source", "org")
    assert code == 2 and "advisor.yaml:" in err and "invalid cpu_window '3x'" in err
    config = estate("  - {type: aws, name: org, profile: org-admin, cpu_window: 3d}\n")
    code, _out, err = run_cli("discover", "aws", "-c", str(config), "--source", "nope")
    assert code == 2 and "no aws source named 'nope'" in err


def _focus_csv(*costs: str, month: str = "2026-10") -> bytes:
    header = ("BilledCost,EffectiveCost,ListCost,BillingCurrency,BillingPeriodStart,"
              "ChargeCategory,ProviderName,Tags\n")
    rows = "".join(f'{c},{c},{c},EUR,{month}-01T00:00:00Z,Usage,AWS,"{{}}"\n' for c in costs)
    return gzip.compress((header + rows).encode(), mtime=0)


def test_data_export_manifest_picks_the_delivery(aws: AwsProxy, estate: Any, run_cli: Any) -> None:
    """AWS Data Exports (create-new mode): the period's Manifest.json names the current delivery,
    even when a newer, half-written delivery lies beside it; a period without one falls back to
    the newest files, with a note."""
    s3 = moto_client("s3", f"http://127.0.0.1:{aws.moto_port}")
    s3.create_bucket(Bucket="billing",
                     CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    root = "exports/focus-export"
    october = f"{root}/data/BILLING_PERIOD=2026-10"
    for key, body in ((f"{october}/20261030T0000-exec1/focus-export-00001.csv.gz", ("1",)),
                      (f"{october}/20261031T0000-exec2/focus-export-00001.csv.gz", ("2",)),
                      (f"{october}/20261031T0000-exec2/focus-export-00002.csv.gz", ("3",)),
                      (f"{october}/20261031T1200-exec3/focus-export-00001.csv.gz", ("100",)),
                      (f"{root}/data/BILLING_PERIOD=2026-09/run-a/focus-export-00001.csv.gz",
                       ("7",)),
                      (f"{root}/data/BILLING_PERIOD=2026-09/run-b/focus-export-00001.csv.gz",
                       ("8",))):
        s3.put_object(Bucket="billing", Key=key,
                      Body=_focus_csv(*body, month=key.split("=")[1][:7]))
    manifest = {"executionId": "20261031T0000-exec2",
                "exportArn": "arn:aws:bcm-data-exports:us-east-1:111111111111:export/x",
                "dataFiles": [f"s3://billing/{october}/20261031T0000-exec2/"
                              f"focus-export-0000{n}.csv.gz" for n in (1, 2)]}
    s3.put_object(Bucket="billing", Body=json.dumps(manifest).encode(),
                  Key=f"{root}/metadata/BILLING_PERIOD=2026-10/focus-export-Manifest.json")
    source = ("  - {type: aws, name: cur, profile: org-admin, cost_explorer: false, "
              "focus_path: 's3://billing/exports'}\n")
    config = estate(source)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "month", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert {r["month"]: r["cost"] for r in doc["rows"]} == {"2026-09": 8.0, "2026-10": 5.0}
    notes = "\n".join(doc.get("notes", [])) + out
    assert ("data/BILLING_PERIOD=2026-10: read the 2 file(s) that focus-export-Manifest.json "
            "lists, 2 other(s) left out") in notes
    assert "read the latest delivery 'run-b' of 2 (newest files; no Manifest.json)" in notes
    assert {a for a in aws.actions()} <= {"s3:GET", "s3:HEAD"}
    # --month skips the other period before anything is read
    aws.log.clear()
    code, out, err = run_cli("costs", "-c", str(config), "--month", "2026-09", "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 8.0
    assert not any("Manifest" in path for _a, _m, path in aws.log)
    # a manifest that names a file which is not there stops the source (exit 3), named
    manifest["dataFiles"].append(f"s3://billing/{october}/20261031T0000-exec2/gone.csv.gz")
    s3.put_object(Bucket="billing", Body=json.dumps(manifest).encode(),
                  Key=f"{root}/metadata/BILLING_PERIOD=2026-10/focus-export-Manifest.json")
    code, out, err = run_cli("costs", "-c", str(config))
    assert code == 3
    assert "focus-export-Manifest.json lists s3://billing/" in err and "gone.csv.gz" in err
    assert_no_secrets(out, err)
