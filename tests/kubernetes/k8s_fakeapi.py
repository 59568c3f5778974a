"""A local HTTP server that speaks enough of the Kubernetes API for list calls.

It serves realistic objects (nodes, namespaces, pods, ReplicaSets, Deployments, StatefulSets,
DaemonSets, Jobs, CronJobs, PVCs, metrics.k8s.io pods) with ``limit`` / ``continue`` pagination and
``remainingItemCount``, the way an API server backed by etcd does, and can inject faults: 410 Gone
on an expired continue token, 403, 500, a slow answer and a truncated body. The official
``kubernetes`` client is pointed at it through a kubeconfig written by ``write_kubeconfig``.

Also runnable on its own (the benchmark starts it in a separate process):
    python tests/kubernetes/k8s_fakeapi.py --pods 50000   # prints the port, serves until killed
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from servers import serve, shutdown

# plural -> (group/version path prefix, list kind, namespaced)
KINDS: dict[str, tuple[str, str, bool]] = {
    "nodes": ("/api/v1", "NodeList", False),
    "namespaces": ("/api/v1", "NamespaceList", False),
    "pods": ("/api/v1", "PodList", True),
    "persistentvolumeclaims": ("/api/v1", "PersistentVolumeClaimList", True),
    "replicasets": ("/apis/apps/v1", "ReplicaSetList", True),
    "deployments": ("/apis/apps/v1", "DeploymentList", True),
    "statefulsets": ("/apis/apps/v1", "StatefulSetList", True),
    "daemonsets": ("/apis/apps/v1", "DaemonSetList", True),
    "jobs": ("/apis/batch/v1", "JobList", True),
    "cronjobs": ("/apis/batch/v1", "CronJobList", True),
    "metrics": ("/apis/metrics.k8s.io/v1beta1", "PodMetricsList", True),
}
_PATH = re.compile(r"^(/api/v1|/apis/[a-z0-9.]+/v[0-9a-z]+)(?:/namespaces/([^/]+))?/([a-z]+)$")
CREATED = "2024-01-01T00:00:00Z"


@dataclass
class Fault:
    """One injected failure: for ``resource``, on the first page, a continued page, or any."""

    resource: str
    status: int = 500
    on: str = "any"  # "first" | "continue" | "any"
    times: int = 1
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    truncate: bool = False  # send half the declared body, then close


@dataclass
class Cluster:
    """Objects by plural, each list in the API server's order (namespace, name)."""

    objects: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {k: [] for k in KINDS})
    metrics_served: bool = True

    def add(self, plural: str, obj: dict[str, Any]) -> None:
        self.objects[plural].append(obj)

    def finish(self) -> None:
        for items in self.objects.values():
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))


class FakeApiServer:
    """Start with ``start()``; ``url``; ``faults`` and ``requests`` for tests."""

    def __init__(self, cluster: Cluster, resource_version: str = "48213") -> None:
        self.rv = resource_version
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self._encoded: dict[str, list[bytes]] = {
            plural: [json.dumps(o, separators=(",", ":")).encode() for o in items]
            for plural, items in cluster.objects.items()}
        self._namespaces: dict[str, list[str]] = {
            plural: [o["metadata"].get("namespace", "") for o in items]
            for plural, items in cluster.objects.items()}
        self.metrics_served = cluster.metrics_served
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self, port: int = 0) -> FakeApiServer:
        handler = _handler(self)
        self._server = _QuietServer(("127.0.0.1", port), handler)
        self._thread = serve(self._server)
        return self

    def stop(self) -> None:
        shutdown(self._server)

    @property
    def port(self) -> int:
        assert self._server
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- answering ------------------------------------------------------------------------
    def take_fault(self, plural: str, continued: bool) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.resource != plural or fault.times <= 0:
                    continue
                if fault.on == "any" or (fault.on == "continue") == continued:
                    fault.times -= 1
                    return fault
        return None

    def page(self, plural: str, namespace: str | None, limit: int,
             token: str | None) -> tuple[int, bytes]:
        items = self._encoded[plural]
        if namespace:
            items = [b for b, ns in zip(items, self._namespaces[plural], strict=True)
                     if ns == namespace]
        start = 0
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                start = int(state["start"])
            except (ValueError, KeyError):
                return 400, status_body(400, "BadRequest", "invalid continue token")
        end = len(items) if limit <= 0 else min(start + limit, len(items))
        meta: dict[str, Any] = {"resourceVersion": self.rv}
        if end < len(items):
            meta["continue"] = base64.urlsafe_b64encode(json.dumps(
                {"rv": self.rv, "start": end}).encode()).decode()
            meta["remainingItemCount"] = len(items) - end
        prefix, kind, _ns = KINDS[plural]
        api_version = prefix.split("/", 2)[-1] if prefix.startswith("/apis") else "v1"
        head = json.dumps({"kind": kind, "apiVersion": api_version, "metadata": meta},
                          separators=(",", ":")).encode()
        return 200, head[:-1] + b',"items":[' + b",".join(items[start:end]) + b"]}"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout) leaves a broken pipe: expected, not news."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def status_body(code: int, reason: str, message: str) -> bytes:
    return json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {},
                       "status": "Failure", "message": message, "reason": reason,
                       "code": code}).encode()


def _handler(api: FakeApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # like Go's net/http: no Nagle delay between the headers and the body
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
            pass

        def send(self, code: int, body: bytes, truncate: bool = False) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if truncate:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(body)

        def do_GET(self) -> None:  # the stdlib's name
            parsed = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
            with api.lock:
                api.requests.append((parsed.path, query))
            match = _PATH.match(parsed.path)
            plural = match.group(3) if match else ""
            if match and plural == "pods" and match.group(1).startswith("/apis/metrics"):
                plural = "metrics"
            if not match or plural not in KINDS or (
                    plural == "metrics" and not api.metrics_served):
                self.send(404, status_body(404, "NotFound", "the server could not find the "
                                           "requested resource"))
                return
            token = query.get("continue")
            fault = api.take_fault(plural, bool(token))
            if fault and fault.delay:
                time.sleep(fault.delay)
            if fault and fault.status != 200:
                reason = {410: "Expired", 403: "Forbidden", 500: "InternalError"}.get(
                    fault.status, "Unknown")
                message = {
                    410: "The provided continue parameter is too old to display a consistent "
                         "list result. You can start a new list without the continue "
                         "parameter.",
                    403: f'{plural} is forbidden: User "system:serviceaccount:advisor:advisor" '
                         f'cannot list resource "{plural}" in API group "" at the cluster scope',
                }.get(fault.status, "etcdserver: request timed out")
                self.send(fault.status, status_body(fault.status, reason, message))
                return
            code, body = api.page(plural, match.group(2), int(query.get("limit", "0") or 0),
                                  token)
            self.send(code, body, truncate=bool(fault and fault.truncate))

    return Handler


def write_kubeconfig(path: Path, servers: dict[str, str], current: str | None = None) -> Path:
    """A kubeconfig with one context per (name -> server URL), token auth."""
    clusters = [{"name": f"{n}-cluster", "cluster": {"server": url}} for n, url in servers.items()]
    users = [{"name": f"{n}-user", "user": {"token": "fake-token"}} for n in servers]
    contexts = [{"name": n, "context": {"cluster": f"{n}-cluster", "user": f"{n}-user"}}
                for n in servers]
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": clusters, "users": users,
           "contexts": contexts, "current-context": current or next(iter(servers))}
    path.write_text(json.dumps(doc, indent=2))
    return path


# ------------------------------------------------------------------------- realistic objects
_uid_counter = [0]


def uid() -> str:
    _uid_counter[0] += 1
    n = _uid_counter[0]
    return f"{n:08x}-1f2e-4d3c-8b7a-{n * 7919 % 16**12:012x}"


def meta(name: str, namespace: str | None = None, labels: dict[str, str] | None = None,
         owner: tuple[str, str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "uid": uid(), "resourceVersion": "41234",
                           "creationTimestamp": CREATED}
    if namespace:
        out["namespace"] = namespace
    if labels:
        out["labels"] = dict(labels)
    if owner:
        api_version, kind, owner_name = owner
        out["ownerReferences"] = [{"apiVersion": api_version, "kind": kind, "name": owner_name,
                                   "uid": uid(), "controller": True,
                                   "blockOwnerDeletion": True}]
    return out


def container(name: str, cpu: str | None, memory: str | None, cpu_limit: str | None = None,
              memory_limit: str | None = None, image: str = "registry.example.nl/app:1.4.2",
              claim: str | None = None) -> dict[str, Any]:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    limits = {k: v for k, v in (("cpu", cpu_limit), ("memory", memory_limit)) if v}
    resources: dict[str, Any] = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    out: dict[str, Any] = {
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "POD_NAME", "valueFrom": {
            "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
        "resources": resources,
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                           "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                           "failureThreshold": 3},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"name": "kube-api-access", "readOnly": True,
                          "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
    }
    if claim:
        out["volumeMounts"].append({"name": "data", "mountPath": "/var/lib/data"})
    return out


def pod(name: str, namespace: str, containers: list[dict[str, Any]], node: str,
        labels: dict[str, str] | None = None, owner: tuple[str, str, str] | None = None,
        claim: str | None = None, phase: str = "Running",
        init: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    volumes: list[dict[str, Any]] = [{"name": "kube-api-access", "projected": {
        "defaultMode": 420, "sources": [{"serviceAccountToken": {
            "expirationSeconds": 3607, "path": "token"}}]}}]
    if claim:
        volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": claim}})
    spec: dict[str, Any] = {
        "containers": containers, "volumes": volumes, "nodeName": node,
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName":
        "default-scheduler", "serviceAccountName": "default", "priority": 0,
        "securityContext": {}, "terminationGracePeriodSeconds": 30,
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                         "effect": "NoExecute", "tolerationSeconds": 300}],
    }
    if init:
        spec["initContainers"] = init
    ready = "True" if phase == "Running" else "False"
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": meta(name, namespace, labels, owner),
        "spec": spec,
        "status": {
            "phase": phase, "hostIP": "10.0.0.11", "podIP": "10.244.1.17",
            "startTime": CREATED, "qosClass": "Burstable",
            "conditions": [{"type": t, "status": ready, "lastTransitionTime": CREATED}
                           for t in ("Initialized", "Ready", "ContainersReady",
                                     "PodScheduled")],
            "containerStatuses": [{"name": c["name"], "image": c["image"], "ready": True,
                                   "imageID": c["image"] + "@sha256:" + "ab" * 32,
                                   "containerID": "containerd://" + "cd" * 32,
                                   "restartCount": 0, "started": True,
                                   "state": {"running": {"startedAt": CREATED}}}
                                  for c in containers],
        },
    }


def pod_metrics(p: dict[str, Any], usage: list[tuple[str, str]]) -> dict[str, Any]:
    return {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": {"name": p["metadata"]["name"], "namespace": p["metadata"]["namespace"],
                         "creationTimestamp": "2024-01-31T12:00:00Z"},
            "timestamp": "2024-01-31T11:59:45Z", "window": "15s",
            "containers": [{"name": c["name"], "usage": {"cpu": cpu, "memory": mem}}
                           for c, (cpu, mem) in zip(p["spec"]["containers"], usage, strict=True)]}


class Builder:
    """Builds a cluster of controllers and their pods, spread over nodes."""

    def __init__(self, nodes: int = 4, node_cpu: str = "8", node_memory: str = "32Gi") -> None:
        self.c = Cluster()
        self.nodes = [f"node-{i + 1}" for i in range(nodes)]
        self._next = 0
        for name in self.nodes:
            self.c.add("nodes", {
                "apiVersion": "v1", "kind": "Node",
                "metadata": meta(name, labels={"kubernetes.io/hostname": name,
                                               "kubernetes.io/os": "linux"}),
                "spec": {"podCIDR": "10.244.1.0/24"},
                "status": {"capacity": {"cpu": node_cpu, "memory": node_memory,
                                        "pods": "110", "ephemeral-storage": "100Gi"},
                           "allocatable": {"cpu": node_cpu, "memory": node_memory,
                                           "pods": "110"},
                           "nodeInfo": {"kubeletVersion": "v1.29.4", "architecture": "amd64",
                                        "osImage": "Debian GNU/Linux 12 (bookworm)",
                                        "kernelVersion": "6.1.0-18-amd64",
                                        "containerRuntimeVersion": "containerd://1.7.13",
                                        "kubeProxyVersion": "v1.29.4", "operatingSystem":
                                        "linux", "machineID": f"m-{name}", "systemUUID":
                                        f"u-{name}", "bootID": f"b-{name}"}}})

    def node(self) -> str:
        self._next += 1
        return self.nodes[self._next % len(self.nodes)]

    def namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        labels = {"kubernetes.io/metadata.name": name, **(labels or {})}
        self.c.add("namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                  "metadata": meta(name, labels=labels),
                                  "spec": {"finalizers": ["kubernetes"]},
                                  "status": {"phase": "Active"}})

    def deployment(self, ns: str, name: str, replicas: int, containers: list[dict[str, Any]],
                   labels: dict[str, str] | None = None,
                   pod_labels: dict[str, str] | None = None,
                   usage: list[tuple[str, str]] | None = None) -> list[dict[str, Any]]:
        selector = {"app.kubernetes.io/name": name}
        template_labels = {**selector, **(pod_labels or {})}
        self.c.add("deployments", {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta(name, ns, {**selector, **(labels or {})}),
            "spec": {"replicas": replicas, "selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": template_labels},
                                  "spec": {"containers": containers}}},
            "status": {"replicas": replicas, "readyReplicas": replicas}})
        old_rs, rs = f"{name}-5d8f7c9b6", f"{name}-7c9d8f6b4"
        for rs_name, count in ((old_rs, 0), (rs, replicas)):
            self.c.add("replicasets", {
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": meta(rs_name, ns, template_labels, ("apps/v1", "Deployment", name)),
                "spec": {"replicas": count, "selector": {"matchLabels": selector}},
                "status": {"replicas": count}})
        return self._pods(ns, rs, replicas, containers, template_labels,
                          ("apps/v1", "ReplicaSet", rs), usage)

    def _pods(self, ns: str, prefix: str, count: int, containers: list[dict[str, Any]],
              labels: dict[str, str], owner: tuple[str, str, str] | None,
              usage: list[tuple[str, str]] | None, ordinal: bool = False,
              claim: str | None = None, init: list[dict[str, Any]] | None = None,
              nodes: list[str] | None = None) -> list[dict[str, Any]]:
        out = []
        for i in range(count):
            name = f"{prefix}-{i}" if ordinal else f"{prefix}-{_suffix(ns, prefix, i)}"
            p = pod(name, ns, containers, nodes[i] if nodes else self.node(), labels, owner,
                    claim=f"{claim}-{name}" if claim else None, init=init)
            self.c.add("pods", p)
            if usage:
                self.c.add("metrics", pod_metrics(p, usage))
            out.append(p)
        return out

    def statefulset(self, ns: str, name: str, replicas: int, containers: list[dict[str, Any]],
                    storage: str, labels: dict[str, str] | None = None,
                    init: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        selector = {"app.kubernetes.io/name": name}
        self.c.add("statefulsets", {
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": meta(name, ns, {**selector, **(labels or {})}),
            "spec": {"replicas": replicas, "serviceName": name,
                     "selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": selector},
                                  "spec": {"containers": containers}},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                         "accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": storage}}}}]},
            "status": {"replicas": replicas}})
        for i in range(replicas):
            claim = f"data-{name}-{i}"
            self.c.add("persistentvolumeclaims", {
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": meta(claim, ns, selector),
                "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "ceph-rbd",
                         "resources": {"requests": {"storage": storage}},
                         "volumeName": f"pvc-{uid()}"},
                "status": {"phase": "Bound", "capacity": {"storage": storage}}})
        return self._pods(ns, name, replicas, containers, selector,
                          ("apps/v1", "StatefulSet", name), None, ordinal=True, claim="data",
                          init=init)

    def daemonset(self, ns: str, name: str, containers: list[dict[str, Any]],
                  labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
        selector = {"app.kubernetes.io/name": name}
        self.c.add("daemonsets", {
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": meta(name, ns, {**selector, **(labels or {})}),
            "spec": {"selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": selector},
                                  "spec": {"containers": containers}}},
            "status": {"desiredNumberScheduled": len(self.nodes),
                       "currentNumberScheduled": len(self.nodes), "numberMisscheduled": 0,
                       "numberReady": len(self.nodes)}})
        return self._pods(ns, name, len(self.nodes), containers, selector,
                          ("apps/v1", "DaemonSet", name), None, nodes=self.nodes)

    def job(self, ns: str, name: str, containers: list[dict[str, Any]],
            cronjob: str | None = None, phase: str = "Running",
            template_labels: dict[str, str] | None = None) -> dict[str, Any]:
        owner = ("batch/v1", "CronJob", cronjob) if cronjob else None
        labels = {**(template_labels or {}), "batch.kubernetes.io/job-name": name}
        self.c.add("jobs", {"apiVersion": "batch/v1", "kind": "Job",
                            "metadata": meta(name, ns, labels, owner),
                            "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 2,
                                     "template": {"metadata": {"labels": labels},
                                                  "spec": {"containers": containers,
                                                           "restartPolicy": "Never"}}},
                            "status": {"active": 1} if phase == "Running" else
                            {"succeeded": 1}})
        p = pod(f"{name}-{_suffix(ns, name, 0)}", ns, containers, self.node(), labels,
                ("batch/v1", "Job", name), phase=phase)
        p["spec"]["restartPolicy"] = "Never"
        self.c.add("pods", p)
        return p

    def cronjob(self, ns: str, name: str, schedule: str, containers: list[dict[str, Any]],
                runs: list[tuple[int, str]], labels: dict[str, str] | None = None,
                suspend: bool = False) -> list[dict[str, Any]]:
        """A CronJob and the Jobs it made: ``runs`` are (scheduled minute since epoch, phase).

        Like the CronJob controller: Jobs are named NAME-MINUTE, carry the job template's
        labels and a controller reference to the CronJob; the status lists the active ones.
        """
        template_labels = {"app.kubernetes.io/name": name}
        active, pods = [], []
        for minute, phase in runs:
            job = f"{name}-{minute}"
            pods.append(self.job(ns, job, containers, cronjob=name, phase=phase,
                                 template_labels=template_labels))
            if phase == "Running":
                active.append({"apiVersion": "batch/v1", "kind": "Job", "name": job,
                               "namespace": ns, "uid": uid(), "resourceVersion": "41234"})
        last = max((m for m, _ in runs), default=None)
        status: dict[str, Any] = {"active": active} if active else {}
        if last is not None:
            status["lastScheduleTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                       time.gmtime(last * 60))
        done = [m for m, phase in runs if phase == "Succeeded"]
        if done:
            status["lastSuccessfulTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                         time.gmtime(max(done) * 60 + 95))
        self.c.add("cronjobs", {
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": meta(name, ns, {**template_labels, **(labels or {})}),
            "spec": {"schedule": schedule, "timeZone": "Europe/Amsterdam",
                     "concurrencyPolicy": "Forbid", "suspend": suspend,
                     "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                     "jobTemplate": {"metadata": {"labels": template_labels}, "spec": {
                         "backoffLimit": 2, "template": {
                             "metadata": {"labels": template_labels},
                             "spec": {"containers": containers, "restartPolicy": "Never"}}}}},
            "status": status})
        return pods

    def bare_pod(self, ns: str, name: str, containers: list[dict[str, Any]],
                 labels: dict[str, str] | None = None,
                 owner: tuple[str, str, str] | None = None) -> dict[str, Any]:
        p = pod(name, ns, containers, self.node(), labels, owner)
        self.c.add("pods", p)
        return p

    def orphan_replicaset(self, ns: str, name: str, replicas: int,
                          containers: list[dict[str, Any]]) -> None:
        selector = {"app": name}
        self.c.add("replicasets", {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                   "metadata": meta(name, ns, selector),
                                   "spec": {"replicas": replicas,
                                            "selector": {"matchLabels": selector}},
                                   "status": {"replicas": replicas}})
        self._pods(ns, name, replicas, containers, selector, ("apps/v1", "ReplicaSet", name),
                   None)

    def done(self) -> Cluster:
        self.c.finish()
        return self.c


def _suffix(*parts: Any) -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    n = _stable(parts)
    out = ""
    for _ in range(5):
        n, r = divmod(n, len(alphabet))
        out += alphabet[r]
    return out


def _stable(parts: Any) -> int:
    text = "/".join(map(str, parts)).encode()
    n = 1469598103934665603
    for b in text:
        n = ((n ^ b) * 1099511628211) % 2**64
    return n


# ------------------------------------------------------------------------------- scenarios
PREFIX = "advisor.io/"


def estate_cluster(filler_pods: int = 240) -> Cluster:
    """The test cluster: named workloads with known totals, plus filler for several pages.

    Known totals (4 nodes of 8 cores / 32 GiB):
      shop/deployment/web        3 pods x (250m+50m, 256Mi+64Mi)  -> 0.9 cores, 0.9375 GB
      shop/statefulset/db        2 pods x max(500m | init 1, 1Gi) -> 2 cores, 2 GB, 20 GB disk
      payments/deployment/api    2 pods x (1, 2Gi), no limits     -> 2 cores, 4 GB
      payments/deployment/legacy 1 pod without requests
      monitoring/daemonset/node-exporter 4 pods x (100m, 50Mi)    -> 0.4 cores, 0.1953125 GB
      batch/cronjob/report       1 running pod (500m, 512Mi) + 1 finished pod; the CronJob
                                 carries owner, application and data-classification labels
      batch/cronjob/cleanup      suspended, no Jobs: not a workload
      batch/job/migrate-once     1 pod (200m, 256Mi)
      default/pod/debug-shell    bare pod (100m, 64Mi)
      shop/replicaset/orphan     1 pod (100m, 128Mi)
      shop/deployment/web-canary, payments/statefulset/ledger-replica: scaled to zero, no pods
      kube-system: excluded by default
    """
    b = Builder()
    b.namespace("shop", {f"{PREFIX}personal-data": "personal",
                         f"{PREFIX}application": "webshop"})
    b.namespace("payments", {f"{PREFIX}personal-data": "special",
                             f"{PREFIX}data-classification": "confidential"})
    for ns in ("monitoring", "batch", "default", "kube-system"):
        b.namespace(ns)
    web = [container("app", "250m", "256Mi", "1", "512Mi"),
           container("istio-proxy", "50m", "64Mi", "200m", "128Mi",
                     image="docker.io/istio/proxyv2:1.20.2")]
    b.deployment("shop", "web", 3, web, labels={f"{PREFIX}owner": "team-web"},
                 usage=[("120m", "200Mi"), ("10m", "40Mi")])
    b.statefulset("shop", "db", 2, [container("postgres", "500m", "1Gi", "2", "2Gi")], "10Gi",
                  labels={f"{PREFIX}personal-data": "special", f"{PREFIX}pinned": "true"},
                  init=[container("migrate", "1", "256Mi")])
    b.deployment("payments", "api", 2, [container("api", "1", "2Gi")],
                 labels={f"{PREFIX}nis2": "essential", PART_OF_LABEL: "payments-platform"},
                 usage=[("400m", "1500Mi")])
    b.deployment("payments", "legacy", 1, [container("legacy", None, None)],
                 labels={f"{PREFIX}bio-risk": "hihg"}, usage=[("300m", "1Gi")])
    b.daemonset("monitoring", "node-exporter", [container("exporter", "100m", "50Mi",
                                                          "200m", "100Mi")])
    b.cronjob("batch", "report", "0 2 * * *", [container("report", "500m", "512Mi")],
              runs=[(28411200, "Running"), (28411140, "Succeeded")],
              labels={f"{PREFIX}owner": "team-finance", f"{PREFIX}application": "reporting",
                      f"{PREFIX}data-classification": "confidential"})
    b.cronjob("batch", "cleanup", "*/30 * * * *", [container("cleanup", "100m", "64Mi")],
              runs=[], suspend=True)  # between runs: no Jobs, no pods, not a workload
    b.job("batch", "migrate-once", [container("migrate", "200m", "256Mi")])
    b.bare_pod("default", "debug-shell", [container("shell", "100m", "64Mi")])
    b.orphan_replicaset("shop", "orphan", 1, [container("app", "100m", "128Mi")])
    b.deployment("shop", "web-canary", 0, web, labels={f"{PREFIX}owner": "team-web"})
    b.statefulset("payments", "ledger-replica", 0, [container("postgres", "1", "4Gi")], "50Gi")
    b.daemonset("kube-system", "kube-proxy", [container("kube-proxy", "100m", "64Mi")])
    b.bare_pod("kube-system", "kube-apiserver-node-1", [container("kube-apiserver", "250m",
                                                                  "512Mi")],
               owner=("v1", "Node", "node-1"))
    filler(b, filler_pods)
    return b.done()


PART_OF_LABEL = "app.kubernetes.io/part-of"


def filler(b: Builder, pods: int, per_namespace: int = 40) -> None:
    """Deployments of 1-5 replicas (100m, 128Mi per pod) until ``pods`` pods exist."""
    made = 0
    i = 0
    while made < pods:
        ns = f"apps-{i // per_namespace:03d}"
        if i % per_namespace == 0:
            b.namespace(ns)
        replicas = min(1 + i % 5, pods - made)
        b.deployment(ns, f"svc-{i:05d}", replicas, [container("app", "100m", "128Mi",
                                                             "500m", "256Mi")])
        made += replicas
        i += 1


def bench_cluster(pods: int) -> Cluster:
    b = Builder(nodes=200, node_cpu="32", node_memory="128Gi")
    filler(b, pods, per_namespace=200)
    return b.done()


def main(argv: list[str]) -> None:
    pods = int(argv[argv.index("--pods") + 1]) if "--pods" in argv else 50_000
    server = FakeApiServer(bench_cluster(pods)).start()  # the objects are freed once encoded
    print(server.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
