"""`advisor prices refresh` against recorded Price List (real boto3 `pricing` client, JSON
protocol) and Retail Prices pages served locally; and the shipped offline snapshot."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from cloud_helpers import AWS_KEY_ID, AWS_SECRET, assert_no_secrets
from cloud_servers import StaticServer

DATA = Path(__file__).parent / "data"


def _answer(method: str, path: str, headers: dict[str, str], body: bytes,
            ) -> tuple[int, dict[str, str], bytes, str]:
    if headers.get("X-Amz-Target", "").endswith("GetProducts"):
        recorded = json.loads((DATA / "aws_pricing.json").read_text())
        req = json.loads(body)
        f = {x["Field"]: x["Value"] for x in req.get("Filters", [])}
        region = f.get("regionCode") or f.get("fromRegionCode", "")
        key = f"{req['ServiceCode']}|{region}|{f.get('productFamily', '')}"
        if key not in recorded:
            return 200, {}, json.dumps({"FormatVersion": "aws_v1", "PriceList": []}).encode(), \
                "application/x-amz-json-1.1"
        pages = recorded[key]
        index = int(req.get("NextToken") or 0)
        answer: dict[str, Any] = {"FormatVersion": "aws_v1",
                                  "PriceList": [json.dumps(p) for p in pages[index]]}
        if index + 1 < len(pages):
            answer["NextToken"] = str(index + 1)
        return 200, {}, json.dumps(answer).encode(), "application/x-amz-json-1.1"
    parsed = urllib.parse.urlsplit(path)
    query = urllib.parse.parse_qs(parsed.query)
    if parsed.path == "/api/retail/prices":
        recorded = json.loads((DATA / "azure_retail.json").read_text())
        flt = query.get("$filter", [""])[0]
        region = flt.split("armRegionName eq '")[1].split("'")[0]
        kind = "vm" if "Virtual Machines" in flt else "disk" if "Storage" in flt else "egress"
        pages = recorded.get(f"{kind}|{region}")
        if pages is None:
            return 200, {}, json.dumps({"Items": [], "NextPageLink": None}).encode(), \
                "application/json"
        index = int(query.get("$skip", ["0"])[0])
        nxt = None
        if index + 1 < len(pages):
            nxt = path.split("&$skip=")[0] + f"&$skip={index + 1}"
            nxt = f"http://{headers.get('Host')}{nxt}"
        doc = {"BillingCurrency": "EUR", "Items": pages[index], "NextPageLink": nxt,
               "Count": len(pages[index])}
        return 200, {}, json.dumps(doc).encode(), "application/json"
    return 404, {}, b"{}", "application/json"


@pytest.fixture(scope="module")
def price_server() -> Iterator[StaticServer]:
    server = StaticServer(_answer)
    yield server
    server.stop()


@pytest.fixture
def pricing_env(price_server: StaticServer, monkeypatch: pytest.MonkeyPatch,
                tmp_path: Path) -> StaticServer:
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", AWS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_ENDPOINT_URL_PRICING", price_server.url)  # boto3's own setting
    price_server.log.clear()
    return price_server


def test_refresh_from_the_apis(pricing_env: StaticServer, run_cli: Any, tmp_path: Path) -> None:
    out_file, snap = tmp_path / "locations.yaml", tmp_path / "snap.json"
    code, out, err = run_cli("prices", "refresh", "--provider", "aws", "--region", "eu-central-1",
                         "--provider", "azure", "--region", "westeurope", "--azure-prices-url",
                         pricing_env.url, "--snapshot-out", str(snap), "-o", str(out_file))
    assert code == 0, err
    doc = yaml.safe_load(out_file.read_text())
    by_id = {loc["id"]: loc for loc in doc["locations"]}
    aws = by_id["aws-eu-central-1"]["prices"]
    # m6i.large = 2 vCPU + 8 GiB = 0.115; c6i.large 2 + 4 = 0.097; r6i.large 2 + 16 = 0.152
    cpu, mem = Decimal(str(aws["cpu_hour"])), Decimal(str(aws["memory_gb_hour"]))
    assert abs(2 * cpu + 8 * mem - Decimal("0.115")) < Decimal("0.002")
    assert cpu > 0 and mem > 0
    assert aws["currency"] == "USD" and str(aws["storage_gb_month"]) == "0.0952"
    assert str(aws["egress_gb"]) == "0.09"
    az = by_id["azure-westeurope"]["prices"]
    assert az["currency"] == "EUR" and Decimal(str(az["egress_gb"])) == Decimal("0.0807")
    d2 = 2 * Decimal(str(az["cpu_hour"])) + 8 * Decimal(str(az["memory_gb_hour"]))
    assert abs(d2 - Decimal("0.1072")) < Decimal("0.003")  # Windows and Spot rows left out
    # paging: both compute pages of the Price List and both Retail Prices pages were read
    targets = [b for m, p, t, b in pricing_env.log if t.endswith("GetProducts")]
    assert sum('"NextToken"' in b for b in targets) == 1
    assert sum("%24skip=1" in p or "$skip=1" in p for _, p, _, _ in pricing_env.log) == 1
    assert all(m in ("GET", "POST") for m, *_ in pricing_env.log)
    assert json.loads(snap.read_text())["locations"]["aws:eu-central-1"]["currency"] == "USD"
    assert_no_secrets(out, err, out_file.read_text())
    # the output is a valid locations file
    from advisor.estate.load import load_estate

    (tmp_path / "w.yaml").write_text("workloads:\n  - {id: a, application: a, location: "
                                     "azure-westeurope, resources: {cpu: 1, memory_gb: 1}}\n")
    (tmp_path / "advisor.yaml").write_text(
        "version: 1\nname: T\ncurrency: EUR\nexchange_rates: [{currency: USD, rate: 0.9, "
        "date: 2026-11-01}]\nlocations: locations.yaml\nworkloads: w.yaml\n")
    assert len(load_estate(tmp_path / "advisor.yaml").locations) == 2


def test_offline_snapshot(run_cli: Any) -> None:
    code, out, err = run_cli("prices", "refresh", "--offline", "--provider", "aws", "--region",
                         "eu-central-1", "--provider", "azure", "--region", "westeurope")
    assert code == 0, err
    assert "price snapshot of 20" in out
    assert {loc["id"] for loc in yaml.safe_load(out)["locations"]} == \
        {"aws-eu-central-1", "azure-westeurope"}
    code, out, err = run_cli("prices", "refresh", "--offline", "--provider", "aws", "--region",
                         "mars-1")
    assert code == 2 and "has no aws mars-1" in err


def test_mismatched_provider_and_region(run_cli: Any) -> None:
    code, _out, err = run_cli("prices", "refresh", "--provider", "aws", "--provider", "azure",
                         "--region", "westeurope")
    assert code == 2 and "one --region after each --provider" in err
