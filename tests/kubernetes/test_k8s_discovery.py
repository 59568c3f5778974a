"""Discovery against the local API server through the official client: grouping, sums, labels."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import yaml
from cli_runner import RunCli
from k8s_fakeapi import FakeApiServer, estate_cluster, write_kubeconfig

from advisor.commands.progress import TerminalProgress
from advisor.connectors.kubernetes import (
    Discovery,
    KubernetesSettings,
    discover,
    parse_settings,
    quantity,
)
from advisor.estate.load import load_estate
from advisor.estate.model import CostMatch, Usage, Workload

D = Decimal


def settings(kubeconfig: Path, **extra: object) -> KubernetesSettings:
    raw = {"context": "dc1", "kubeconfig": str(kubeconfig), "location": "onprem-dc1",
           "page_size": 50, **extra}
    return parse_settings(raw)


def by_id(found: Discovery) -> dict[str, Workload]:
    return {w.id: w for w in found.workloads}


def test_groups_pods_by_controller_and_sums_requests(kubeconfig: Path) -> None:
    found = discover(settings(kubeconfig))
    w = by_id(found)
    assert found.pods == 256 and found.nodes == 4 and len(w) == 89
    assert (found.node_cpu, found.node_memory_gb) == (D(32), D(128))
    expected = {  # id: (cpu, memory_gb, storage_gb)
        "dc1/shop/deployment/web": (D("0.9"), D("0.9375"), D(0)),
        "dc1/shop/statefulset/db": (D(2), D(2), D(20)),  # the init container's 1 core wins
        "dc1/payments/deployment/api": (D(2), D(4), D(0)),
        "dc1/monitoring/daemonset/node-exporter": (D("0.4"), D("0.195313"), D(0)),
        "dc1/batch/cronjob/report": (D("0.5"), D("0.5"), D(0)),  # finished pod not counted
        "dc1/batch/job/migrate-once": (D("0.2"), D("0.25"), D(0)),
        "dc1/default/pod/debug-shell": (D("0.1"), D("0.0625"), D(0)),
        "dc1/shop/replicaset/orphan": (D("0.1"), D("0.125"), D(0)),
    }
    for ident, (cpu, memory, storage) in expected.items():
        r = w[ident].resources
        assert (r.cpu, r.memory_gb, r.storage_gb) == (cpu, memory, storage), ident
    assert not [i for i in w if "/kube-system/" in i]  # excluded by default
    info = found.info
    assert info["dc1/shop/deployment/web"].pods == 3
    assert info["dc1/shop/deployment/web"].desired_replicas == 3
    assert info["dc1/shop/deployment/web"].cpu_limit == D("3.6")
    assert info["dc1/shop/deployment/web"].memory_gb_limit == D("1.875")
    assert info["dc1/payments/deployment/api"].cpu_limit is None  # no limits: unbounded
    assert info["dc1/monitoring/daemonset/node-exporter"].desired_replicas == 4
    assert [x.id for x in found.workloads] == sorted(w)


def test_prefixed_labels_become_estate_labels(kubeconfig: Path) -> None:
    w = by_id(discover(settings(kubeconfig)))
    web = w["dc1/shop/deployment/web"]
    assert web.labels == {"personal-data": "personal", "k8s-cluster": "dc1",
                          "k8s-kind": "deployment", "k8s-namespace": "shop"}
    assert (web.application, web.owner, web.name) == ("webshop", "team-web", "web")
    db = w["dc1/shop/statefulset/db"]
    assert db.labels["personal-data"] == "special"  # the controller's label beats the namespace
    assert db.pinned is True
    api = w["dc1/payments/deployment/api"]
    assert api.application == "payments-platform"  # app.kubernetes.io/part-of
    assert api.labels["nis2"] == "essential" and api.labels["data-classification"] == \
        "confidential"
    assert w["dc1/batch/job/migrate-once"].application == "batch"  # the namespace by default
    assert web.cost_match == CostMatch(tags=(("advisor-workload", "dc1/shop/deployment/web"),))


def test_custom_label_prefix(kubeconfig: Path) -> None:
    w = by_id(discover(settings(kubeconfig, label_prefix="example.org/")))
    assert "personal-data" not in w["dc1/shop/deployment/web"].labels
    assert w["dc1/shop/deployment/web"].application == "shop"


def test_metrics_api_fallback_is_point_in_time_and_fills_missing_requests(
        kubeconfig: Path) -> None:
    found = discover(settings(kubeconfig))
    w = by_id(found)
    assert w["dc1/shop/deployment/web"].usage == Usage(D("0.39"), D("0.703125"))
    legacy = w["dc1/payments/deployment/legacy"]  # no requests at all: usage stands in
    assert (legacy.resources.cpu, legacy.resources.memory_gb) == (D("0.3"), D(1))
    assert "bio-risk" not in legacy.labels  # 'hihg' is not a value the rules know
    assert "point-in-time" in found.usage_source
    notes = "\n".join(found.notes)
    assert "point-in-time view from metrics.k8s.io at 2024-01-31T11:59:45Z, not a p95" in notes
    assert "containers without requests: dc1/payments/deployment/legacy" in notes
    assert "bio-risk=hihg" in notes
    assert "1 finished pod(s)" in notes


def test_default_requests_without_usage(tmp_path: Path) -> None:
    cluster = estate_cluster(filler_pods=0)
    cluster.metrics_served = False
    server = FakeApiServer(cluster).start()
    try:
        kc = write_kubeconfig(tmp_path / "kc", {"dc1": server.url})
        found = discover(settings(kc, default_requests={"cpu": "0.25", "memory_gb": 0.5}))
    finally:
        server.stop()
    legacy = by_id(found)["dc1/payments/deployment/legacy"]
    assert (legacy.resources.cpu, legacy.resources.memory_gb) == (D("0.25"), D("0.5"))
    assert legacy.usage is None
    assert any("metrics.k8s.io is not served" in n for n in found.notes)


def test_lists_page_by_page(kubeconfig: Path, api_server: FakeApiServer) -> None:
    discover(settings(kubeconfig))
    pods = [q for path, q in api_server.requests if path == "/api/v1/pods"]
    assert len(pods) == 6  # 262 pods at 50 a page
    assert all(q["limit"] == "50" for q in pods)
    assert sum("continue" in q for q in pods) == 5


def test_only_named_namespaces(kubeconfig: Path, api_server: FakeApiServer) -> None:
    found = discover(settings(kubeconfig, namespaces=["shop", "kube-system"]))
    assert sorted(w.id for w in found.workloads) == [
        "dc1/kube-system/daemonset/kube-proxy", "dc1/kube-system/pod/kube-apiserver-node-1",
        "dc1/shop/deployment/web", "dc1/shop/replicaset/orphan", "dc1/shop/statefulset/db"]
    paths = {path for path, _ in api_server.requests}
    assert "/api/v1/namespaces/shop/pods" in paths and "/api/v1/pods" not in paths


def test_progress_reports_pages() -> None:
    out = io.StringIO()
    report = TerminalProgress(out, enabled=True)
    report.step("pods", 50, 262)
    report.step("pods", 262, 262)
    text = out.getvalue()
    assert "pods" in text and "50/262" in text and "262/262" in text and "\r" in text


def test_quantities() -> None:
    assert quantity("250m") == D("0.25")
    assert quantity("1.5Gi") == D(1610612736)
    assert quantity("1e3") == D(1000)
    assert quantity("2E") == D(2 * 10**18)
    assert quantity("100M") == D(10**8)


def test_cli_writes_a_workloads_file_that_loads(run_cli: RunCli, kubeconfig: Path,
                                                estate_dir: Path) -> None:
    out = estate_dir / "discovered.yaml"
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig), "--context",
                 "dc1", "--location", "onprem-dc1", "--page-size", "100", "-o", str(out))
    assert result.code == 0, result.err
    assert "discovered 89 workloads (256 pods) on 4 nodes in kubernetes:dc1" in result.err
    assert "point-in-time" in result.err and "\r" not in result.err  # no progress off a tty
    text = out.read_text()
    assert text.startswith("# Discovered by `advisor discover kubernetes` from kubernetes:dc1")
    assert "  # deployment shop/web: 3 pods (3 desired); limits cpu 3.6, memory_gb 1.875" in text
    data = yaml.safe_load(text)
    assert len(data["workloads"]) == 89
    (estate_dir / "advisor.yaml").write_text(
        "version: 1\nname: T\ncurrency: EUR\nlocations: locations.yaml\n"
        "workloads: [discovered.yaml]\n")
    estate = load_estate(estate_dir / "advisor.yaml")
    web = estate.workload_by_id()["dc1/shop/deployment/web"]
    assert web.resources.memory_gb == D("0.9375")
    assert web.usage is not None and web.usage.cpu_p95 == D("0.39")
    again = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig), "--context",
                "dc1", "--location", "onprem-dc1", "-q")
    assert again.code == 0 and again.out == text  # deterministic, stdout without -o
    assert "discovered" not in again.err  # --quiet: no summary


def test_estate_source_with_two_clusters(tmp_path: Path, api_server: FakeApiServer,
                                         estate_dir: Path) -> None:
    from advisor.connectors.kubernetes import collect
    from advisor.estate.merge import merge_discovered

    second = FakeApiServer(estate_cluster(filler_pods=5)).start()
    try:
        kc = write_kubeconfig(tmp_path / "kc", {"dc1": api_server.url, "dc2": second.url})
        (estate_dir / "advisor.yaml").write_text(
            "version: 1\nname: T\ncurrency: EUR\nlocations: locations.yaml\n"
            "workloads: workloads.yaml\nsources:\n"
            f"  - {{type: kubernetes, context: dc1, kubeconfig: {kc}, location: onprem-dc1}}\n"
            f"  - {{type: kubernetes, context: dc2, kubeconfig: {kc}, location: onprem-dc1,"
            " exclude_namespaces: []}\n")
        estate = load_estate(estate_dir / "advisor.yaml")
        results = [collect(estate, s) for s in estate.sources]
    finally:
        second.stop()
    assert [r.source for r in results] == ["kubernetes:dc1", "kubernetes:dc2"]
    assert len(results[1].workloads) == 9 + 3 + 2  # 3 filler; kube-system included on dc2
    merged, _conflicts = merge_discovered(estate, results)
    ids = {w.id for w in merged.workloads}
    assert "dc2/kube-system/daemonset/kube-proxy" in ids and "dc1/shop/statefulset/db" in ids
    assert results[0].usage["dc1/shop/deployment/web"].cpu_p95 == D("0.39")


def test_the_fake_objects_satisfy_the_clients_strict_models(kubeconfig: Path) -> None:
    """Keeps the fixture honest: the client's own models accept every object it serves."""
    from kubernetes import client, config

    api_client = config.new_client_from_config(str(kubeconfig), "dc1", persist_config=False)
    core, apps, batch = (client.CoreV1Api(api_client), client.AppsV1Api(api_client),
                         client.BatchV1Api(api_client))
    assert len(core.list_pod_for_all_namespaces().items) == 262
    assert len(core.list_node().items) == 4
    assert len(apps.list_stateful_set_for_all_namespaces().items) == 2
    assert len(apps.list_daemon_set_for_all_namespaces().items) == 2
    assert len(apps.list_replica_set_for_all_namespaces(limit=20).items) == 20
    assert len(batch.list_job_for_all_namespaces().items) == 3
    cronjobs = batch.list_cron_job_for_all_namespaces().items
    assert [(c.metadata.name, c.spec.schedule, c.spec.suspend) for c in cronjobs] == [
        ("cleanup", "*/30 * * * *", True), ("report", "0 2 * * *", False)]
    assert [j.name for j in cronjobs[1].status.active] == ["report-28411200"]
    assert cronjobs[1].spec.job_template.spec.template.spec.containers[0].name == "report"
    assert len(core.list_persistent_volume_claim_for_all_namespaces().items) == 2
    api_client.close()


def test_cronjob_workload_takes_the_cronjobs_labels_and_name(kubeconfig: Path,
                                                            api_server: FakeApiServer) -> None:
    found = discover(settings(kubeconfig, page_size=1, namespaces=["batch"]))
    w = by_id(found)
    assert sorted(w) == ["dc1/batch/cronjob/report", "dc1/batch/job/migrate-once"]
    report = w["dc1/batch/cronjob/report"]
    assert (report.name, report.application, report.owner) == ("report", "reporting",
                                                               "team-finance")
    assert report.labels == {"data-classification": "confidential", "k8s-cluster": "dc1",
                             "k8s-kind": "cronjob", "k8s-namespace": "batch"}
    assert found.info["dc1/batch/cronjob/report"].pods == 1  # the finished run not counted
    assert found.info["dc1/batch/cronjob/report"].desired_replicas is None
    # listed page by page in the namespace, like the other controllers
    pages = [q for path, q in api_server.requests
             if path == "/apis/batch/v1/namespaces/batch/cronjobs"]
    assert len(pages) == 2 and all(q["limit"] == "1" for q in pages)
    assert "continue" in pages[1]


def test_controllers_scaled_to_zero_are_named_not_workloads(
        run_cli: RunCli, kubeconfig: Path, tmp_path: Path) -> None:
    found = discover(settings(kubeconfig))
    idle = ["dc1/payments/statefulset/ledger-replica", "dc1/shop/deployment/web-canary"]
    assert found.scaled_to_zero == idle
    assert not set(idle) & set(by_id(found))
    note = ("2 controller(s) scaled to zero (replicas 0, no pods), not listed as workloads: "
            + ", ".join(idle))
    assert note in found.notes
    out = tmp_path / "w.yaml"
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig), "--context", "dc1",
                 "--location", "onprem-dc1", "-o", str(out))
    assert result.code == 0, result.err
    assert f"advisor: note: {note}" in result.err
    text = out.read_text()
    assert f"# note: {note}\n" in text
    assert [w["id"] for w in yaml.safe_load(text)["workloads"] if "canary" in w["id"]] == []


def test_many_scaled_to_zero_are_all_in_the_header(run_cli: RunCli, tmp_path: Path) -> None:
    from k8s_fakeapi import Builder, container

    b = Builder(nodes=1)
    b.namespace("apps")
    for i in range(12):
        b.deployment("apps", f"old-{i:02d}", 0, [container("app", "100m", "128Mi")])
    # replicas 0 while a pod still runs (scaling down): still a workload, not "scaled to zero"
    b.deployment("apps", "draining", 0, [container("app", "100m", "128Mi")])
    b.bare_pod("apps", "draining-7c9d8f6b4-x2x4z", [container("app", "100m", "128Mi")],
               owner=("apps/v1", "ReplicaSet", "draining-7c9d8f6b4"))
    server = FakeApiServer(b.done()).start()
    try:
        kc = write_kubeconfig(tmp_path / "kc", {"dc1": server.url})
        out = tmp_path / "w.yaml"
        result = run_cli("discover", "kubernetes", "--kubeconfig", str(kc), "--context", "dc1",
                     "--location", "onprem-dc1", "-o", str(out))
    finally:
        server.stop()
    assert result.code == 0, result.err
    text = out.read_text()
    assert "12 controller(s) scaled to zero" in result.err and "and 2 more" in result.err
    listed = [x for x in text.splitlines() if x.startswith("# scaled to zero: ")]
    assert listed == [f"# scaled to zero: dc1/apps/deployment/old-{i:02d}" for i in range(12)]
    assert [w["id"] for w in yaml.safe_load(text)["workloads"]] == [
        "dc1/apps/deployment/draining"]
