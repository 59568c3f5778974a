"""Azure through the real CostManagementClient and DefaultAzureCredential against a local
Resource Manager server: query pages via nextLink, throttling headers, 401/403/404/500, the
ledger, inventory (subscriptions, resource groups, management groups); sovereign clouds
(authority and Resource Manager endpoint, over TLS); FOCUS exports in Azurite."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from cloud_helpers import AZURE_TOKEN, assert_no_secrets
from cloud_servers import AzureReply, AzureServer, ConnectProxy, query_page

SUB_A = "00000000-0000-0000-0000-00000000000a"
SUB_B = "00000000-0000-0000-0000-00000000000b"
COLUMNS = [("Cost", "Number"), ("BillingMonth", "Datetime"), ("ResourceGroupName", "String"),
           ("TagKey", "String"), ("TagValue", "String"), ("Currency", "String")]


def _pages(server: AzureServer, scope: str, cost_type: str, pages: list[list[list[Any]]]) -> None:
    server.pages[(scope, cost_type)] = [query_page(COLUMNS, rows) for rows in pages]


def _seed(server: AzureServer, scope: str) -> None:
    _pages(server, scope, "ActualCost", [
        [[12.5, "2026-10-01T00:00:00", "rg-zaak", "application", "zaak", "EUR"]],
        [[3.25, "2026-10-01T00:00:00", "rg-web", "application", "", "EUR"],
         [100, "2026-10-01T00:00:00", "rg-zaak", "application", "reservation", "EUR"]],
    ])
    _pages(server, scope, "AmortizedCost", [
        [[15.75, "2026-10-01T00:00:00", "rg-zaak", "application", "zaak", "EUR"],
         [3.25, "2026-10-01T00:00:00", "rg-web", "application", "", "EUR"]],
    ])


def _source(*scopes: str, extra: str = "") -> str:
    return ("  - {type: azure, name: az, scopes: [" + ", ".join(scopes) + "], "
            "arm_endpoint: 'ARM', start: 2026-10, end: 2026-10, "
            f"group_by: [ResourceGroupName, 'TAG:application']{extra}}}\n")


WORKLOADS = ("  - {id: zaak, application: zaak, location: azure-weu, resources: {cpu: 2, "
             "memory_gb: 8}, cost_match: {tags: {application: zaak}}}\n")


def test_cost_management_pages_into_the_ledger(azure: AzureServer, estate: Any,
                                                run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    _seed(azure, scope)
    config = estate(_source(scope).replace("ARM", azure.url), WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload", "--format",
                         "json")
    assert code == 0, err
    doc = json.loads(out)
    assert {r["workload"]: r["cost"] for r in doc["rows"]} == {"zaak": 12.5, None: 103.25}
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload", "--format",
                         "json", "--cost", "effective")
    assert {r["workload"]: r["cost"] for r in json.loads(out)["rows"]} == \
        {"zaak": 15.75, None: 3.25}
    # two queries, the first of two pages followed through nextLink
    types = [q[1]["type"] for q in azure.queries]
    assert types.count("ActualCost") == 4 and types.count("AmortizedCost") == 2
    assert all(q[1]["timePeriod"]["from"] == "2026-10-01T00:00:00Z" for q in azure.queries)
    # only the token endpoint and read requests; the bearer token is the managed identity's
    assert {m for m, p, _ in azure.log if p != "/msi/token"} == {"POST"}
    assert all(p.endswith("/providers/Microsoft.CostManagement/query")
               for m, p, _ in azure.log if p != "/msi/token")
    assert set(azure.auth) == {f"Bearer {AZURE_TOKEN}"}
    assert_no_secrets(out, err)


def test_throttling_headers_are_honoured(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    _seed(azure, scope)
    azure.faults[scope] = [
        AzureReply(429, {"x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "1"}),
        AzureReply(429, {"x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "1",
                         "Retry-After": "0"}),
        AzureReply(429, {"Retry-After": "0"}),
        AzureReply(500, {"Retry-After": "0"}),
    ]
    config = estate(_source(scope).replace("ARM", azure.url), WORKLOADS)
    started = time.monotonic()
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload")
    assert code == 0, err
    assert time.monotonic() - started >= 2.0  # waited what the Cost Management headers said
    assert "zaak" in out


def test_throttling_that_never_ends(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    azure.faults[scope] = [AzureReply(429, {"x-ms-ratelimit-microsoft.costmanagement-tenant-"
                                            "retry-after": "0"})] * 10
    config = estate(_source(scope, extra=", max_retries: 2").replace("ARM", azure.url))
    code, _out, err = run_cli("costs", "-c", str(config))
    assert code == 3
    assert f"source az scope {scope}: Cost Management query (ActualCost 2026-10): still " \
           "throttled (HTTP 429) after 3 attempts" in err
    assert "Traceback" not in err


def test_one_scope_failing_keeps_the_others(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    good, denied = f"/subscriptions/{SUB_A}", f"/subscriptions/{SUB_B}"
    missing = "/providers/Microsoft.Management/managementGroups/nope"
    _seed(azure, good)
    azure.faults[denied] = [AzureReply(403, body={"error": {
        "code": "AuthorizationFailed", "message": f"no access; token {AZURE_TOKEN}"}})]
    config = estate(_source(good, denied, missing).replace("ARM", azure.url), WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload")
    assert code == 3
    assert f"FAILED source az scope {denied}: Cost Management query (ActualCost 2026-10): not " \
           "authorised (HTTP 403)" in out
    assert f"FAILED source az scope {missing}: Cost Management query (ActualCost 2026-10): the " \
           "scope does not exist (HTTP 404)" in out
    assert "Cost Management Reader" in out
    assert "zaak" in out
    assert_no_secrets(out, err)  # the token the server echoed back is scrubbed
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload",
                         "--allow-partial")
    assert code == 0


def test_rejected_token_is_one_line(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    _seed(azure, scope)
    azure.faults[scope] = [AzureReply(401, body={"error": {
        "code": "InvalidAuthenticationToken", "message": "The access token is expired"}})]
    code, out, err = run_cli("costs", "-c", str(estate(_source(scope).replace("ARM", azure.url))))
    assert code == 3
    assert "not authenticated (HTTP 401) (InvalidAuthenticationToken" in err
    assert "Traceback" not in err
    assert_no_secrets(out, err)


def test_bad_scope_setting_is_input_error(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    code, _out, err = run_cli("costs", "-c", str(estate(_source("/subscription/xyz").replace(
        "ARM", azure.url))))
    assert code == 2 and "is not an Azure scope" in err and "advisor.yaml:" in err


def test_discover_azure_virtual_machines(azure: AzureServer, run_cli: Any, tmp_path: Path) -> None:
    base = f"/subscriptions/{SUB_A}/providers/Microsoft.Compute"
    vm_id = f"/subscriptions/{SUB_A}/resourceGroups/rg/providers/Microsoft.Compute/" \
            "virtualMachines/zaak-1"

    def vms(query: dict[str, list[str]]) -> AzureReply:
        if "$skiptoken" not in query:
            return AzureReply(200, body={"value": [{
                "id": vm_id, "name": "zaak-1", "location": "westeurope",
                "tags": {"application": "zaak", "advisor.io/nis2": "essential"},
                "properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v5"}}}],
                "nextLink": f"{azure.url}{base}/virtualMachines?api-version=x&$skiptoken=2"})
        return AzureReply(200, body={"value": [{
            "id": vm_id.replace("zaak-1", "zaak-2"), "name": "zaak-2", "location": "westeurope",
            "tags": {"application": "zaak"},
            "properties": {"hardwareProfile": {"vmSize": "Standard_D2s_v5"}}}]})

    azure.routes[f"{base}/virtualMachines"] = vms
    azure.routes[f"{base}/disks"] = lambda q: AzureReply(200, body={"value": [
        {"id": "/d1", "managedBy": vm_id, "location": "westeurope",
         "properties": {"diskSizeGB": 128}}]})
    azure.routes[f"{base}/locations/westeurope/vmSizes"] = lambda q: AzureReply(200, body={
        "value": [{"name": "Standard_D2s_v5", "numberOfCores": 2, "memoryInMB": 8192},
                  {"name": "Standard_D4s_v5", "numberOfCores": 4, "memoryInMB": 16384}]})
    out_file = tmp_path / "w.yaml"
    code, _out, err = run_cli("discover", "azure", "--scope", f"/subscriptions/{SUB_A}",
                         "--scope", f"/subscriptions/{SUB_B}", "--arm-endpoint", azure.url,
                         "-o", str(out_file), "-q")
    assert code == 3  # SUB_B is not served: named, the rest still written
    assert f"subscription {SUB_B}" in err
    doc = yaml.safe_load(out_file.read_text())
    (w,) = doc["workloads"]
    assert w["id"] == f"azure:{SUB_A}:westeurope:zaak"
    assert w["resources"] == {"cpu": 6, "memory_gb": 24, "storage_gb": 128}
    assert w["labels"] == {"nis2": "essential"}
    assert {m for m, p, _ in azure.log if p != "/msi/token"} == {"GET"}


def test_focus_export_in_azurite(azure: AzureServer, azurite: str, estate: Any,
                                 run_cli: Any) -> None:
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(azurite)
    container = service.get_container_client("exports-cloud")
    if not container.exists():
        container.create_container()
    header = ("BilledCost,EffectiveCost,ListCost,BillingCurrency,BillingPeriodStart,"
              "ChargeCategory,ProviderName,Tags\n")
    old = header + '1.00,1.00,1.00,EUR,2026-10-01T00:00:00Z,Usage,Microsoft,"{}"\n'
    new = header + '2.00,2.00,2.00,EUR,2026-10-01T00:00:00Z,Usage,Microsoft,' \
                   '"{""application"": ""zaak""}"\n'
    container.upload_blob("focus/20261001-20261031/run-a/part_0_0001.csv", old, overwrite=True)
    time.sleep(1.1)
    container.upload_blob("focus/20261001-20261031/run-b/part_0_0001.csv", new, overwrite=True)
    source = ("  - {type: azure, name: az, scope: /subscriptions/" + SUB_A + ", cost_query: "
              "false, focus_path: 'az://exports-cloud/focus', connection_string: '"
              + azurite + "'}\n")
    code, out, err = run_cli("costs", "-c", str(estate(source, WORKLOADS)), "--group-by",
                         "workload", "--format", "json")
    assert code == 0, err
    assert {r["workload"]: r["cost"] for r in json.loads(out)["rows"]} == {"zaak": 2.0}


def test_analyze_calibrates_against_cost_management(azure: AzureServer, estate: Any,
                                                    run_cli: Any) -> None:
    """`advisor analyze` with an azure source: the bill beside the model; a failing scope is
    named among the failed sources and exits 3, and the plan is still complete."""
    good, denied = f"/subscriptions/{SUB_A}", f"/subscriptions/{SUB_B}"
    _seed(azure, good)
    azure.faults[denied] = [AzureReply(403, body={"error": {
        "code": "AuthorizationFailed", "message": "no access"}})]
    config = estate(_source(good).replace("ARM", azure.url), WORKLOADS)
    code, out, err = run_cli("analyze", "-c", str(config), "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    cal = doc["calibration"]
    assert cal["month"] == "2026-10"
    assert {p["workload"]: p["billed"] for p in cal["workloads"]} == {"zaak": 12.5}
    assert cal["unallocated"] == 103.25
    config = estate(_source(good, denied).replace("ARM", azure.url), WORKLOADS)
    code, out, err = run_cli("analyze", "-c", str(config), "-f", "json")
    assert code == 3
    doc = json.loads(out)
    assert doc["summary"]["workloads"] == 1
    assert any(denied in f["error"] or denied in f["source"] for f in doc["failed_sources"])


SUB_C = "00000000-0000-0000-0000-00000000000c"
MG = "/providers/Microsoft.Management/managementGroups"


def _serve_compute(server: AzureServer, sub: str, vms: list[tuple[str, str, str]],
                   resource_group: str = "rg") -> None:
    """One subscription's machines (name, application tag, size) and their OS disks."""
    base = f"/subscriptions/{sub}/providers/Microsoft.Compute"
    ids = [f"/subscriptions/{sub}/resourceGroups/{resource_group}/providers/Microsoft.Compute/"
           f"virtualMachines/{name}" for name, _app, _size in vms]
    server.routes[f"{base}/virtualMachines"] = lambda q: AzureReply(200, body={"value": [
        {"id": vm_id, "name": name, "location": "westeurope", "tags": {"application": app},
         "properties": {"hardwareProfile": {"vmSize": size}}}
        for vm_id, (name, app, size) in zip(ids, vms, strict=True)]})
    server.routes[f"{base}/disks"] = lambda q: AzureReply(200, body={"value": [
        {"id": f"{vm_id}-osdisk", "managedBy": vm_id, "location": "westeurope",
         "properties": {"diskSizeGB": 64}} for vm_id in ids]})
    server.routes[f"{base}/locations/westeurope/vmSizes"] = lambda q: AzureReply(200, body={
        "value": [{"name": "Standard_D2s_v5", "numberOfCores": 2, "memoryInMB": 8192},
                  {"name": "Standard_D4s_v5", "numberOfCores": 4, "memoryInMB": 16384}]})


def test_discover_management_group_reads_each_subscription(azure: AzureServer, run_cli: Any,
                                                           tmp_path: Path) -> None:
    """A management group's subscriptions (any depth, over two pages of descendants) are each
    read; one that refuses is named and the others are kept; a group that cannot be listed
    fails alone."""
    descendants = f"{MG}/gemeente/descendants"

    def pages(query: dict[str, list[str]]) -> AzureReply:
        assert query["api-version"] == ["2020-05-01"]
        if "$skiptoken" not in query:
            return AzureReply(200, body={"value": [
                {"id": f"{MG}/sociaal", "type": "Microsoft.Management/managementGroups",
                 "name": "sociaal", "properties": {"parent": {"id": f"{MG}/gemeente"}}},
                {"id": f"/subscriptions/{SUB_A}", "name": SUB_A,
                 "type": "Microsoft.Management/managementGroups/subscriptions",
                 "properties": {"parent": {"id": f"{MG}/gemeente"}}}],
                "nextLink": f"{azure.url}{descendants}?api-version=2020-05-01&$skiptoken=2"})
        return AzureReply(200, body={"value": [  # deeper, and the type as the REST spec names it
            {"id": f"/subscriptions/{SUB_B}", "name": SUB_B, "type": "/subscriptions",
             "properties": {"parent": {"id": f"{MG}/sociaal"}}},
            {"id": f"/subscriptions/{SUB_C}", "name": SUB_C, "type": "/subscriptions",
             "properties": {"parent": {"id": f"{MG}/sociaal"}}}]})

    azure.routes[descendants] = pages
    azure.routes[f"{MG}/locked/descendants"] = lambda q: AzureReply(403, body={"error": {
        "code": "AuthorizationFailed", "message": "no read on the management group"}})
    _serve_compute(azure, SUB_A, [("zaak-1", "zaak", "Standard_D4s_v5")])
    _serve_compute(azure, SUB_C, [("web-1", "web", "Standard_D2s_v5"),
                                  ("web-2", "web", "Standard_D2s_v5")])
    azure.routes[f"/subscriptions/{SUB_B}/providers/Microsoft.Compute/virtualMachines"] = \
        lambda q: AzureReply(403, body={"error": {"code": "AuthorizationFailed",
                                                   "message": "no Reader role"}})
    out_file = tmp_path / "w.yaml"
    code, _out, err = run_cli("discover", "azure", "--scope", f"{MG}/gemeente", "--scope",
                         f"{MG}/locked", "--scope", f"/subscriptions/{SUB_A}",
                         "--arm-endpoint", azure.url, "-o", str(out_file), "-q")
    assert code == 3
    assert ("management group locked: list the management group's subscriptions: not "
            "authorised (HTTP 403)") in err
    assert f"subscription {SUB_B}: list virtual machines: not authorised (HTTP 403)" in err
    text = out_file.read_text()
    by_id = {w["id"]: w for w in yaml.safe_load(text)["workloads"]}
    assert set(by_id) == {f"azure:{SUB_A}:westeurope:zaak", f"azure:{SUB_C}:westeurope:web"}
    assert by_id[f"azure:{SUB_C}:westeurope:web"]["resources"] == \
        {"cpu": 4, "memory_gb": 16, "storage_gb": 128}
    assert "in 2 subscription(s)" in text
    # SUB_A is named twice (directly and under the group) but read once
    reads = [p for m, p, _ in azure.log if p.endswith("/virtualMachines")]
    assert sorted(reads) == sorted(f"/subscriptions/{s}/providers/Microsoft.Compute/"
                                   "virtualMachines" for s in (SUB_A, SUB_B, SUB_C))
    assert {m for m, p, _ in azure.log if p != "/msi/token"} == {"GET"}
    code, _out, err = run_cli("discover", "azure", "--scope", f"{MG}/gemeente", "--arm-endpoint",
                         azure.url, "--allow-partial", "-q", "-o", str(out_file))
    assert code == 0, err
    # a resource group scope reads only that group's machines
    compute = f"/subscriptions/{SUB_C}/providers/Microsoft.Compute"
    group = f"/subscriptions/{SUB_C}/resourceGroups/rg-web/providers/Microsoft.Compute"
    for kind in ("virtualMachines", "disks"):
        azure.routes[f"{group}/{kind}"] = azure.routes[f"{compute}/{kind}"]
    code, out, err = run_cli("discover", "azure", "--scope",
                         f"/subscriptions/{SUB_C}/resourceGroups/rg-web", "--arm-endpoint",
                         azure.url, "-q")
    assert code == 0, err
    assert [w["id"] for w in yaml.safe_load(out)["workloads"]] == \
        [f"azure:{SUB_C}:westeurope:web"]


@pytest.mark.parametrize(("authority", "arm"), [
    ("login.chinacloudapi.cn", "https://management.chinacloudapi.cn"),
    ("login.microsoftonline.us", "https://management.usgovcloudapi.net")])
def test_sovereign_cloud_authority_and_endpoint(sovereign: tuple[AzureServer, ConnectProxy],
                                                estate: Any, run_cli: Any, authority: str,
                                                arm: str) -> None:
    """`authority` and `arm_endpoint` reach the credential and the clients: the real
    DefaultAzureCredential (service principal from the environment) asks the configured
    authority for a token for the configured Resource Manager, and every request goes there
    (host names resolved by an HTTPS proxy that leads to the local TLS server)."""
    server, proxy = sovereign
    scope = f"/subscriptions/{SUB_A}"
    _seed(server, scope)
    _serve_compute(server, SUB_A, [("zaak-1", "zaak", "Standard_D4s_v5")])
    config = estate(_source(scope, extra=f", authority: {authority}").replace("ARM", arm),
                    WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload", "--format",
                         "json")
    assert code == 0, err
    assert {r["workload"]: r["cost"] for r in json.loads(out)["rows"]} == \
        {"zaak": 12.5, None: 103.25}
    code, out2, err2 = run_cli("discover", "azure", "--scope", scope, "--arm-endpoint", arm,
                           "--authority", authority, "-q")
    assert code == 0, err2
    assert [w["id"] for w in yaml.safe_load(out2)["workloads"]] == \
        [f"azure:{SUB_A}:westeurope:zaak"]
    arm_host = arm.removeprefix("https://")
    # nothing went to the public cloud: only the configured hosts were asked for
    assert set(proxy.log) == {f"{authority}:443", f"{arm_host}:443"}
    # one token per run_cli, from the configured authority, for the configured audience
    assert len(server.token_requests) == 2
    for host, path, form in server.token_requests:
        assert host == authority
        assert path == "/72f988bf-0000-0000-0000-00000000c0de/oauth2/v2.0/token"
        assert form["scope"] == f"{arm}/.default"
        assert form["client_id"] == "advisor-reader"
    arm_requests = [(h, m, p) for h, m, p in server.hosts if h != authority]
    assert {h for h, _m, _p in arm_requests} == {arm_host}
    assert {p for _h, _m, p in arm_requests} >= {
        f"{scope}/providers/Microsoft.CostManagement/query",
        f"{scope}/providers/Microsoft.Compute/virtualMachines"}
    assert set(server.auth) == {f"Bearer {AZURE_TOKEN}"}
    assert_no_secrets(out, err, out2, err2)


def test_authority_must_be_https(azure: AzureServer, run_cli: Any) -> None:
    code, _out, err = run_cli("discover", "azure", "--scope", f"/subscriptions/{SUB_A}",
                         "--authority", "http://login.example", "--arm-endpoint", azure.url)
    assert code == 2 and "authority 'http://login.example'" in err


# -- quotas and query shape (issue 12, item 22) ---------------------------------------------------

def _three_months(server: AzureServer, scope: str, tag_key: str = "application") -> None:
    for cost_type, amounts in (("ActualCost", (10, 20, 30)), ("AmortizedCost", (11, 21, 31))):
        _pages(server, scope, cost_type, [[
            [amount, f"2026-{month:02d}-01T00:00:00", "rg-zaak", tag_key, "zaak", "EUR"]
            for amount, month in zip(amounts, (8, 9, 10), strict=True)]])


def test_one_query_per_cost_type_for_the_whole_period(azure: AzureServer, estate: Any,
                                                      run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    _three_months(azure, scope)
    config = estate(_source(scope).replace("ARM", azure.url).replace("start: 2026-10",
                                                                     "start: 2026-08"), WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload,month",
                         "--format", "json")
    assert code == 0, err
    assert sorted(q[1]["type"] for q in azure.queries) == ["ActualCost", "AmortizedCost"]
    for _, body in azure.queries:  # one custom period, monthly rows
        assert body["timePeriod"] == {"from": "2026-08-01T00:00:00Z",
                                      "to": "2026-10-31T23:59:59Z"}
        assert body["dataset"]["granularity"] == "Monthly"
    assert all(h.get("ClientType") == "hybrid-advisor" for h in azure.query_headers)
    rows = {(r["workload"], r["month"]): r["cost"] for r in json.loads(out)["rows"]}
    assert rows == {("zaak", "2026-08"): 10, ("zaak", "2026-09"): 20, ("zaak", "2026-10"): 30}


def test_tag_keys_match_in_any_case(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    _three_months(azure, scope, tag_key="Application")  # Azure keeps the case it was given
    config = estate(_source(scope).replace("ARM", azure.url).replace("start: 2026-10",
                                                                     "start: 2026-08"), WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload",
                             "--format", "json")
    assert code == 0, err
    assert {r["workload"]: r["cost"] for r in json.loads(out)["rows"]} == {"zaak": 60}


def test_client_type_quota_wait_is_honoured(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    """The per-client-type quota says how long to wait; backing off 1, 2 s would give up."""
    scope = f"/subscriptions/{SUB_A}"
    _seed(azure, scope)
    azure.throttle_until[scope] = (time.monotonic() + 7.0, {
        "x-ms-ratelimit-microsoft.costmanagement-clienttype-retry-after": "7"})
    config = estate(_source(scope, extra=", max_retries: 2").replace("ARM", azure.url),
                    WORKLOADS)
    code, out, err = run_cli("costs", "-c", str(config), "--group-by", "workload")
    assert code == 0, err
    assert "zaak" in out


def test_total_wait_is_bounded(azure: AzureServer, estate: Any, run_cli: Any) -> None:
    scope = f"/subscriptions/{SUB_A}"
    azure.faults[scope] = [AzureReply(429, {"Retry-After": "1"})] * 10
    config = estate(_source(scope, extra=", max_retries: 9, max_total_wait_seconds: 2")
                    .replace("ARM", azure.url))
    code, _out, err = run_cli("costs", "-c", str(config))
    assert code == 3
    assert "still throttled after waiting 2 s in all (max_total_wait_seconds 2)" in err
