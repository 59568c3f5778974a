"""FOCUS exports in S3 (moto server) and Azure Blob storage (Azurite), read through the CLI."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import focus_row, write_focus


def _csv(tmp_path: Path, name: str, rows: list[dict[str, str]], gz: bool = False) -> bytes:
    return write_focus(tmp_path / name, rows, gz=gz).read_bytes()


def test_s3_data_exports_layout(tmp_path: Path, s3: Any, moto_url: str, run_cli,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    s3.create_bucket(Bucket="gemeente-billing",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    prefix = "exports/focus/data"
    for month, cost in (("2026-09", "1.10"), ("2026-10", "2.20")):
        body = _csv(tmp_path, f"{month}.csv.gz", [focus_row(month=month, BilledCost=cost)] * 3,
                    gz=True)
        s3.put_object(Bucket="gemeente-billing", Body=body,
                      Key=f"{prefix}/BILLING_PERIOD={month}/focus-00001.csv.gz")
    s3.put_object(Bucket="gemeente-billing", Key="exports/focus/metadata/m.json", Body=b"{}")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    code, out, err = run_cli("costs", "s3://gemeente-billing/exports", "--group-by", "month",
                         "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert [(r["month"], r["cost"], r["line_items"]) for r in doc["rows"]] == [
        ("2026-09", 3.3, 3), ("2026-10", 6.6, 3)]
    assert doc["sources"][0]["file"].startswith("s3://gemeente-billing/exports/focus/data/")
    code, out, err = run_cli("costs", "s3://gemeente-billing/exports", "--month", "2026-10",
                         "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 6.6
    assert len(json.loads(out)["sources"]) == 1  # the other partition was never downloaded


def test_s3_from_advisor_yaml_with_endpoint(tmp_path: Path, s3: Any, moto_url: str,
                                            estate_dir, run_cli) -> None:
    s3.create_bucket(Bucket="yaml-bucket",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="yaml-bucket", Key="f/one.csv",
                  Body=_csv(tmp_path, "one.csv", [focus_row(BilledCost="4")]))
    config = estate_dir("", sources=f"[{{type: focus, path: 's3://yaml-bucket/f/one.csv', "
                                    f"endpoint_url: '{moto_url}'}}]")
    code, out, err = run_cli("costs", "-c", str(config), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["total"] == 4.0


def test_s3_missing_bucket_and_empty_prefix(s3: Any, moto_url: str, run_cli,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    code, _, err = run_cli("costs", "s3://no-such-bucket/x")
    assert code == 3 and "source s3://no-such-bucket" in err and "NoSuchBucket" in err
    s3.create_bucket(Bucket="empty-bucket",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    code, _, err = run_cli("costs", "s3://empty-bucket/nothing/")
    assert code == 2 and "matches no FOCUS object" in err


def _container(conn: str, name: str) -> Any:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(conn)
    client = service.get_container_client(name)
    if not client.exists():
        client.create_container()
    return client


def test_azure_export_layout_latest_run(tmp_path: Path, azurite: str, estate_dir, run_cli) -> None:
    client = _container(azurite, "costexports")
    base = "focus/gemeente/20261001-20261031"
    client.upload_blob(f"{base}/run-1/part_0_0001.csv", overwrite=True,
                       data=_csv(tmp_path, "a.csv", [focus_row(BilledCost="1",
                                                               ProviderName="Microsoft")]))
    import time

    time.sleep(1.1)  # blob timestamps have one-second resolution
    client.upload_blob(f"{base}/run-2/part_0_0001.csv", overwrite=True,
                       data=_csv(tmp_path, "b.csv", [focus_row(BilledCost="2",
                                                               ProviderName="Microsoft")] * 2))
    client.upload_blob(f"{base}/run-2/manifest.json", data=b"{}", overwrite=True)
    config = estate_dir("", sources=f"[{{type: focus, path: 'az://costexports/focus', "
                                    f"connection_string: '{azurite}'}}]")
    code, out, err = run_cli("costs", "-c", str(config), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["total"] == 4.0 and doc["line_items"] == 2
    assert doc["sources"][0]["file"] == f"az://costexports/{base}/run-2/part_0_0001.csv"


def test_azure_url_on_the_command_line(tmp_path: Path, azurite: str, run_cli,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    client = _container(azurite, "cli")
    client.upload_blob("x/f.csv.gz", overwrite=True,
                       data=gzip.compress(_csv(tmp_path, "c.csv", [focus_row(BilledCost="3")])))
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite)
    code, out, err = run_cli("costs", "az://cli/x/f.csv.gz", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["total"] == 3.0


def test_azure_missing_container_exits_3(azurite: str, run_cli,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite)
    code, _, err = run_cli("costs", "az://no-such-container/focus")
    assert code == 3 and "source az://no-such-container" in err and "Traceback" not in err


def test_azure_unreachable_account_exits_3(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from servers import AZURITE_ACCOUNT, AZURITE_KEY

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conn = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey="
            f"{AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", conn)
    code, _, err = run_cli("costs", "az://billing/focus")
    assert code == 3 and "source az://billing" in err and "Traceback" not in err
