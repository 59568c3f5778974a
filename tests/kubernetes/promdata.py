"""A week (plus a day) of generated cAdvisor, kube-state-metrics and Istio series with known p95s.

Every workload follows the same daily shape: a base level, a "medium" level for 3 hours
(09:00-12:00, 12.5% of the time) and a "high" level for 1 hour (13:00, 4.2%). So the p95 is the
medium level exactly (and the max is the high level). CPU counters grow linearly within each
hour and samples sit on a 60 s grid, so ``rate(...[5m])`` at 5-minute steps is exact; the
levels are binary fractions, so the sums are exact too.

The web Deployment rolls out midweek (a new ReplicaSet, new pod names), so usage is attributed
through the owner series, not the names of today's pods. cAdvisor's pod-level (container="") and
pause (container="POD") series are present and must be left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

END = 1704067200  # 2024-01-01T00:00:00Z: the query time
START = END - 8 * 86400
INTERVAL = 60
MI = 2**20
GI = 2**30
ROLLOUT = START + 4 * 86400 + 3 * 3600  # web: ReplicaSet web-aaa -> web-bbb at 03:00


def level(t: int, base: float, medium: float, high: float) -> float:
    hour = (t % 86400) // 3600
    if hour == 13:
        return high
    if hour in (9, 10, 11):
        return medium
    return base


@dataclass(frozen=True)
class W:
    """A workload: its pods (name, first, last second), owner chain and per-pod levels."""

    namespace: str
    kind: str  # top controller as kube-state-metrics names it
    name: str
    pods: tuple[tuple[str, str, int, int], ...]  # (pod, direct owner name, start, end)
    direct_kind: str  # kind of the pod's direct owner ("<none>" for bare pods)
    cpu: tuple[float, float, float]  # cores per pod: base, medium, high
    memory: tuple[int, int, int]  # bytes per pod
    sidecar: bool = False

    @property
    def p95_cpu(self) -> Decimal:
        live = sum(1 for p in self.pods if p[2] <= END - 3600 <= p[3])
        return Decimal(str(self.cpu[1])) * live

    @property
    def p95_memory_gb(self) -> Decimal:
        live = sum(1 for p in self.pods if p[2] <= END - 3600 <= p[3])
        return Decimal(self.memory[1] * live) / Decimal(GI)


def _pods(prefix: str, owner: str, count: int, start: int = START, end: int = END,
          ordinal: bool = False) -> tuple[tuple[str, str, int, int], ...]:
    names = [f"{prefix}-{i}" if ordinal else f"{prefix}-{'bcdfg'[i]}x{i}z" for i in range(count)]
    return tuple((n, owner, start, end) for n in names)


WORKLOADS = (
    W("shop", "Deployment", "web",
      _pods("web-aaa", "web-aaa", 3, end=ROLLOUT - INTERVAL)
      + _pods("web-bbb", "web-bbb", 3, start=ROLLOUT),
      "ReplicaSet", (0.25, 0.5, 1.0), (256 * MI, 384 * MI, 512 * MI), sidecar=True),
    W("shop", "StatefulSet", "db", _pods("db", "db", 2, ordinal=True), "StatefulSet",
      (0.25, 0.5, 1.0), (GI, GI + GI // 2, 2 * GI)),
    W("payments", "Deployment", "api", _pods("api-ccc", "api-ccc", 2), "ReplicaSet",
      (0.125, 0.25, 0.5), (GI, GI + GI // 4, GI + GI // 2)),
    W("payments", "Deployment", "legacy", _pods("legacy-ddd", "legacy-ddd", 1), "ReplicaSet",
      (0.125, 0.25, 0.5), (512 * MI, 768 * MI, GI)),
    W("batch", "CronJob", "report", _pods("report-28411200", "report-28411200", 1), "Job",
      (0.25, 0.5, 0.75), (256 * MI, 512 * MI, 768 * MI)),
    W("default", "Pod", "debug-shell", (("debug-shell", "<none>", START, END),), "<none>",
      (0.125, 0.125, 0.125), (64 * MI, 64 * MI, 64 * MI)),
    W("monitoring", "DaemonSet", "node-exporter",
      _pods("node-exporter", "node-exporter", 4), "DaemonSet",
      (0.0625, 0.0625, 0.0625), (32 * MI, 32 * MI, 32 * MI)),
)

# Istio traffic in bytes per minute: (source ns, source, destination ns, destination, metric)
TRAFFIC = (
    ("shop", "web", "payments", "api", "istio_request_bytes_sum", MI),
    ("shop", "web", "payments", "api", "istio_response_bytes_sum", 4 * MI),
    ("shop", "web", "shop", "db", "istio_tcp_received_bytes_total", 512 * 1024),
    ("shop", "web", "shop", "db", "istio_tcp_sent_bytes_total", 2 * MI),
    ("unknown", "unknown", "shop", "web", "istio_request_bytes_sum", 10 * MI),
)


def _labels(**kv: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in kv.items()) + "}"


def _series(w: W) -> Iterator[str]:
    base_cpu, med_cpu, high_cpu = w.cpu
    base_mem, med_mem, high_mem = w.memory
    sidecar_cpu, sidecar_mem = 0.125, 64 * MI
    for pod, _owner, start, end in w.pods:
        containers = ["app", "istio-proxy", "", "POD"] if w.sidecar else ["app", ""]
        for container in containers:
            counter = 0.0
            lines_cpu, lines_mem = [], []
            labels = _labels(namespace=w.namespace, pod=pod, container=container)
            cpu: float
            mem: float
            for t in range(start, end + 1, INTERVAL):
                total_cpu = level(t - INTERVAL, base_cpu, med_cpu, high_cpu)
                total_mem = level(t, base_mem, med_mem, high_mem)
                if container == "istio-proxy":
                    cpu, mem = sidecar_cpu, sidecar_mem
                elif container == "app":
                    cpu = total_cpu - (sidecar_cpu if w.sidecar else 0)
                    mem = total_mem - (sidecar_mem if w.sidecar else 0)
                elif container == "":
                    cpu, mem = total_cpu, total_mem  # cAdvisor's pod-level cgroup
                else:
                    cpu, mem = 0.0009765625, MI  # the pause container
                if t > start:
                    counter += cpu * INTERVAL
                lines_cpu.append(f"container_cpu_usage_seconds_total{labels} {counter} {t}")
                lines_mem.append(f"container_memory_working_set_bytes{labels} {int(mem)} {t}")
            yield from lines_cpu
            yield from lines_mem


def lines() -> Iterator[str]:
    """OpenMetrics text: every series' samples together, families not interleaved."""
    cpu_mem: list[str] = []
    for w in WORKLOADS:
        cpu_mem.extend(_series(w))
    yield from (x for x in cpu_mem if x.startswith("container_cpu"))
    yield from (x for x in cpu_mem if x.startswith("container_memory"))
    for w in WORKLOADS:
        for pod, owner, start, end in w.pods:
            labels = _labels(namespace=w.namespace, pod=pod, uid=f"uid-{pod}",
                             owner_kind=w.direct_kind,
                             owner_name=owner if w.direct_kind != "<none>" else "<none>",
                             owner_is_controller="true" if owner != "<none>" else "<none>")
            for t in range(start, end + 1, INTERVAL):
                yield f"kube_pod_owner{labels} 1 {t}"
    for w in WORKLOADS:
        if w.direct_kind == "ReplicaSet":
            for rs in sorted({p[1] for p in w.pods}):
                labels = _labels(namespace=w.namespace, replicaset=rs, owner_kind="Deployment",
                                 owner_name=w.name, owner_is_controller="true")
                for t in range(START, END + 1, INTERVAL):
                    yield f"kube_replicaset_owner{labels} 1 {t}"
    for w in WORKLOADS:
        if w.direct_kind == "Job":
            labels = _labels(namespace=w.namespace, job_name=w.pods[0][1], owner_kind="CronJob",
                             owner_name=w.name, owner_is_controller="true")
            for t in range(START, END + 1, INTERVAL):
                yield f"kube_job_owner{labels} 1 {t}"
    for metric in sorted({t[4] for t in TRAFFIC}):
        for src_ns, src, dst_ns, dst, name, per_minute in TRAFFIC:
            if name != metric:
                continue
            for reporter, factor in (("destination", 1), ("source", 3)):
                labels = _labels(reporter=reporter, source_workload=src,
                                 source_workload_namespace=src_ns, destination_workload=dst,
                                 destination_workload_namespace=dst_ns)
                for i, t in enumerate(range(START, END + 1, INTERVAL)):
                    yield f"{metric}{labels} {i * per_minute * factor} {t}"
    yield "# EOF"


def write(path: Path) -> Path:
    with path.open("w") as fh:
        for line in lines():
            fh.write(line + "\n")
    return path


def expected_edges(window_days: int = 7) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(caller, callee) -> (send_gb_month, receive_gb_month) before rounding."""
    minutes_per_month = Decimal(730 * 60)
    out: dict[tuple[str, str], list[Decimal]] = {}
    for _src_ns, src, _dst_ns, dst, name, per_minute in TRAFFIC:
        if src == "unknown":
            continue
        slot = 0 if name in ("istio_request_bytes_sum", "istio_tcp_received_bytes_total") else 1
        out.setdefault((src, dst), [Decimal(0), Decimal(0)])[slot] += \
            Decimal(per_minute) * minutes_per_month / Decimal(GI)
    return {k: (v[0], v[1]) for k, v in out.items()}
