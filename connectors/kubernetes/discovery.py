"""Discovery: the lists folded into workloads as they arrive (pods grouped by their top
controller, requests summed, claimed volumes as storage, prefixed labels as estate labels),
usage from Prometheus or metrics.k8s.io, mesh traffic as dependencies."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from advisor.connectors.base import Progress
from advisor.connectors.kubernetes.client import make_client
from advisor.connectors.kubernetes.listing import RESOURCES, Lister
from advisor.connectors.kubernetes.settings import prometheus_settings
from advisor.connectors.prometheus import PromUsage, WorkloadKey
from advisor.errors import SourceError
from advisor.estate.model import (
    KNOWN_LABEL_VALUES,
    CostMatch,
    Dependency,
    Resources,
    Usage,
    Workload,
)
from advisor.estate.sources import KubernetesSettings

GIB = Decimal(2**30)
SIX_PLACES = Decimal("0.000001")
SPECIAL_LABELS = ("application", "owner", "pinned")
PART_OF = "app.kubernetes.io/part-of"
ID_SAFE = re.compile(r"[^a-zA-Z0-9\-_.:/]")
SHOWN_IDLE = 10  # scaled-to-zero controllers named in the note (the file header lists all)
# Preference when a mesh names a workload only by namespace and name.
KIND_ORDER = ("deployment", "statefulset", "daemonset", "cronjob", "job", "replicaset", "pod")


@lru_cache(maxsize=8192)
def quantity(text: str) -> Decimal:
    """A Kubernetes quantity ('250m', '1.5', '512Mi', '1G', '1e3') as a Decimal."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        raise ValueError(text)
    number, suffix = match.groups()
    try:
        return Decimal(number) * _SUFFIXES[suffix or ""]
    except InvalidOperation:
        raise ValueError(text) from None


_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$")
_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
    "P": Decimal(10**15), "E": Decimal(10**18), "Ki": Decimal(2**10), "Mi": Decimal(2**20),
    "Gi": Decimal(2**30), "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}
ZERO = Decimal(0)


@dataclass
class _Acc:
    """Running totals for one workload while its pods stream in."""

    pods: int = 0
    cpu: Decimal = ZERO
    memory: Decimal = ZERO  # bytes
    cpu_limit: Decimal | None = ZERO  # None: some container has no limit
    memory_limit: Decimal | None = ZERO
    missing_cpu: int = 0  # containers without a CPU request
    missing_memory: int = 0
    claims: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)
    part_of: str = ""


@dataclass(frozen=True)
class K8sInfo:
    """What the cluster says about a workload beyond the estate model."""

    cluster: str
    namespace: str
    kind: str
    name: str
    pods: int
    desired_replicas: int | None
    cpu_limit: Decimal | None
    memory_gb_limit: Decimal | None
    missing_requests: str = ""  # how missing requests were filled, if they were
    usage_from: str = ""


@dataclass
class Discovery:
    """One cluster's workloads with the side facts the cost and output code need."""

    source: str
    cluster: str
    location: str
    host: str
    at: dt.datetime
    workloads: list[Workload]
    info: dict[str, K8sInfo]
    node_cpu: Decimal
    node_memory_gb: Decimal
    nodes: int
    pods: int
    usage_source: str
    notes: list[str] = field(default_factory=list)
    # Deployments/StatefulSets with replicas 0 and no pods: not workloads, but shown
    scaled_to_zero: list[str] = field(default_factory=list)


def sanitize(name: str) -> str:
    """A context or cluster name made safe for workload ids."""
    return ID_SAFE.sub("-", name).strip("-") or "cluster"


class _Discoverer:
    """Folds the lists into workloads; one instance per run."""

    def __init__(self, s: KubernetesSettings, lister: Lister) -> None:
        self.s = s
        self.lister = lister
        self.prefix = s.label_prefix
        self.wanted = set(s.namespaces)
        self.excluded = set(s.exclude_namespaces) - self.wanted
        self.ns_labels: dict[str, dict[str, str]] = {}
        self.owners: dict[tuple[str, str, str], tuple[str, str]] = {}  # (ns, kind, name) -> top
        self.controllers: dict[WorkloadKey, tuple[dict[str, str], int | None]] = {}
        self.scaled_to_zero: set[WorkloadKey] = set()  # replicas 0 (a workload if pods remain)
        self.claims: dict[tuple[str, str], Decimal] = {}
        self.accs: dict[WorkloadKey, _Acc] = {}
        self.pod_keys: dict[tuple[str, str], WorkloadKey] = {}
        self.keep_pod_keys = False
        self.finished = 0
        self.node_cpu = ZERO
        self.node_memory = ZERO
        self.nodes = 0
        self.notes: list[str] = []

    def skip(self, namespace: str) -> bool:
        return namespace in self.excluded or bool(self.wanted and namespace not in self.wanted)

    def keep_labels(self, labels: dict[str, str] | None) -> dict[str, str]:
        if not labels:
            return {}
        p = self.prefix
        return {k: v for k, v in labels.items() if k.startswith(p) or k == PART_OF}

    def list(self, resource: str, on_item: Callable[[dict[str, Any]], None],
             reset: Callable[[], None]) -> None:
        scoped = RESOURCES.get(resource, ("", "", "x", ""))[2] is not None
        if self.wanted and scoped:
            for namespace in sorted(self.wanted):
                self.lister.each(resource, on_item, reset, namespace)
        else:
            self.lister.each(resource, on_item, reset)

    # -- the lists ------------------------------------------------------------------------
    def run(self) -> None:
        self.list("namespaces", self._namespace, self.ns_labels.clear)
        self.list("nodes", self._node, self._reset_nodes)
        self.list("replicasets", self._owned("ReplicaSet"), lambda: None)
        self.list("jobs", self._owned("Job"), lambda: None)
        for resource, kind in (("deployments", "deployment"), ("statefulsets", "statefulset"),
                               ("daemonsets", "daemonset"), ("cronjobs", "cronjob")):
            self.list(resource, self._controller(kind), lambda: None)
        self.list("persistentvolumeclaims", self._claim, self.claims.clear)
        self.list("pods", self._pod, self._reset_pods)

    def _namespace(self, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        self.ns_labels[meta.get("name", "")] = self.keep_labels(meta.get("labels"))

    def _reset_nodes(self) -> None:
        self.node_cpu = self.node_memory = ZERO
        self.nodes = 0

    def _node(self, item: dict[str, Any]) -> None:
        status = item.get("status") or {}
        size = status.get("capacity") or status.get("allocatable") or {}
        self.nodes += 1
        self.node_cpu += _q(size.get("cpu"))
        self.node_memory += _q(size.get("memory"))

    def _owned(self, kind: str) -> Callable[[dict[str, Any]], None]:
        def on_item(item: dict[str, Any]) -> None:
            meta = item.get("metadata") or {}
            ns, name = meta.get("namespace", ""), meta.get("name", "")
            owner = _controller_ref(meta)
            if owner:
                self.owners[(ns, kind, name)] = owner
            if not self.skip(ns):
                self.controllers[(ns, kind.lower(), name)] = (
                    self.keep_labels(meta.get("labels")), None)
        return on_item

    def _controller(self, kind: str) -> Callable[[dict[str, Any]], None]:
        def on_item(item: dict[str, Any]) -> None:
            meta = item.get("metadata") or {}
            ns = meta.get("namespace", "")
            if self.skip(ns):
                return
            spec = item.get("spec") or {}
            status = item.get("status") or {}
            if kind == "daemonset":
                desired = status.get("desiredNumberScheduled")
            elif kind == "cronjob":
                desired = None  # a schedule, not a replica count
            else:
                desired = spec.get("replicas", 1)
            if desired == 0 and kind in ("deployment", "statefulset"):
                self.scaled_to_zero.add((ns, kind, meta.get("name", "")))
            self.controllers[(ns, kind, meta.get("name", ""))] = (
                self.keep_labels(meta.get("labels")), desired if isinstance(desired, int) else None)
        return on_item

    def _claim(self, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        ns = meta.get("namespace", "")
        if self.skip(ns):
            return
        size = ((item.get("status") or {}).get("capacity") or {}).get("storage") or \
            (((item.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
        self.claims[(ns, meta.get("name", ""))] = _q(size) / GIB

    def _reset_pods(self) -> None:
        self.accs.clear()
        self.pod_keys.clear()
        self.finished = 0

    def workload_of(self, ns: str, pod: str, owner: tuple[str, str] | None) -> WorkloadKey:
        """The top controller: ReplicaSet -> Deployment, Job -> CronJob, else the owner."""
        if owner is None:
            return (ns, "pod", pod)
        kind, name = owner
        if kind in ("ReplicaSet", "Job"):
            top = self.owners.get((ns, kind, name))
            if top and top[0] in ("Deployment", "CronJob"):
                return (ns, top[0].lower(), top[1])
        if kind == "Node":  # a static pod's mirror: the pod is the workload
            return (ns, "pod", pod)
        return (ns, kind.lower(), name)

    def _pod(self, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        ns = meta.get("namespace", "")
        if self.skip(ns):
            return
        phase = (item.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            self.finished += 1
            return
        name = meta.get("name", "")
        key = self.workload_of(ns, name, _controller_ref(meta))
        acc = self.accs.get(key)
        if acc is None:
            acc = self.accs[key] = _Acc()
        if self.keep_pod_keys:
            self.pod_keys[(ns, name)] = key
        spec = item.get("spec") or {}
        cpu, memory, cpu_limit, memory_limit, missing_cpu, missing_memory = _pod_resources(spec)
        acc.pods += 1
        acc.cpu += cpu
        acc.memory += memory
        acc.cpu_limit = None if cpu_limit is None or acc.cpu_limit is None \
            else acc.cpu_limit + cpu_limit
        acc.memory_limit = None if memory_limit is None or acc.memory_limit is None \
            else acc.memory_limit + memory_limit
        acc.missing_cpu += missing_cpu
        acc.missing_memory += missing_memory
        for volume in spec.get("volumes") or ():
            claim = volume.get("persistentVolumeClaim")
            if claim and claim.get("claimName"):
                acc.claims.add(claim["claimName"])
        labels = meta.get("labels")
        if labels:
            kept = self.keep_labels(labels)
            if kept:
                acc.labels.update(kept)


def _q(text: Any) -> Decimal:
    if text is None or text == "":
        return ZERO
    try:
        return quantity(str(text))
    except ValueError:
        raise SourceError("kubernetes", f"unreadable quantity '{text}'") from None


def _controller_ref(meta: dict[str, Any]) -> tuple[str, str] | None:
    refs = meta.get("ownerReferences")
    if not refs:
        return None
    for ref in refs:
        if ref.get("controller"):
            return (ref.get("kind", ""), ref.get("name", ""))
    return None


def _pod_resources(spec: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal | None,
                                                  Decimal | None, int, int]:
    """Effective requests (cores, bytes), limits (None = unbounded), containers lacking requests.

    Kubernetes schedules a pod on max(sum of its containers, its largest init container) plus
    the runtime overhead; a container with a limit but no request requests its limit.
    """
    cpu = memory = ZERO
    cpu_limit: Decimal | None = ZERO
    memory_limit: Decimal | None = ZERO
    missing_cpu = missing_memory = 0
    for c in spec.get("containers") or ():
        res = c.get("resources") or {}
        req = res.get("requests") or {}
        lim = res.get("limits") or {}
        c_cpu = req.get("cpu") or lim.get("cpu")
        c_mem = req.get("memory") or lim.get("memory")
        if c_cpu is None:
            missing_cpu += 1
        else:
            cpu += _q(c_cpu)
        if c_mem is None:
            missing_memory += 1
        else:
            memory += _q(c_mem)
        cpu_limit = None if cpu_limit is None or "cpu" not in lim else cpu_limit + _q(lim["cpu"])
        memory_limit = None if memory_limit is None or "memory" not in lim \
            else memory_limit + _q(lim["memory"])
    for c in spec.get("initContainers") or ():
        req = (c.get("resources") or {}).get("requests") or {}
        cpu = max(cpu, _q(req.get("cpu")))
        memory = max(memory, _q(req.get("memory")))
    overhead = spec.get("overhead")
    if overhead:
        cpu += _q(overhead.get("cpu"))
        memory += _q(overhead.get("memory"))
    return cpu, memory, cpu_limit, memory_limit, missing_cpu, missing_memory


def discover(s: KubernetesSettings, api_client: Any = None, progress: Progress | None = None,
             prometheus_opener: Callable[..., Any] | None = None) -> Discovery:
    """List the cluster, attach usage and mesh edges, and build the estate's workloads."""
    at = s.window_end()
    prom_settings = prometheus_settings(s)
    prom_client = None
    if prom_settings is not None:
        from advisor.connectors.prometheus import PrometheusClient

        # first: a missing token fails before minutes of listing
        prom_client = PrometheusClient.for_settings(prom_settings, s.name, prometheus_opener)
    own_client = api_client is None
    api_client = api_client or make_client(s)
    try:
        lister = Lister(api_client, s, progress)
        d = _Discoverer(s, lister)
        d.keep_pod_keys = prom_settings is None
        # Parsing pages makes millions of small acyclic objects while the totals grow; the
        # cyclic collector would rescan the totals again and again (2.4x the time at 50k pods).
        collecting = gc.isenabled()
        gc.disable()
        try:
            d.run()
        finally:
            if collecting:
                gc.enable()
        cluster = sanitize(s.cluster or s.context or ("in-cluster" if s.in_cluster else
                                                       s.location))
        prom: PromUsage | None = None
        if prom_settings is not None and prom_client is not None:
            from advisor.connectors.prometheus import collect_usage

            prom = collect_usage(prom_client, prom_settings, at,
                                 (lambda what: progress.step(what, 0, None)) if progress else None)
            when = at.strftime("%Y-%m-%dT%H:%M:%SZ") if s.at else "the run"
            usage_source = f"p95 over {prom_settings.window} before {when} from {prom_settings.url}"
        else:
            prom, usage_source = _metrics_api_usage(lister, d, at)
        result = _build(s, d, cluster, prom, at, usage_source, lister.host)
        if lister.restarts:
            result.notes.append(f"{lister.restarts} list(s) restarted after an expired continue "
                                "token (410 Gone); the counts are from complete lists")
        return result
    finally:
        if own_client:
            api_client.close()


def _metrics_api_usage(lister: Lister, d: _Discoverer,
                       at: dt.datetime) -> tuple[PromUsage, str]:
    """Point-in-time usage from metrics.k8s.io, summed per workload (not a p95)."""
    usage = PromUsage()
    cpu: dict[WorkloadKey, Decimal] = {}
    memory: dict[WorkloadKey, Decimal] = {}
    stamps: list[str] = []

    def on_item(item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        key = d.pod_keys.get((meta.get("namespace", ""), meta.get("name", "")))
        if key is None:
            return
        if item.get("timestamp"):
            stamps.append(item["timestamp"])
        for c in item.get("containers") or ():
            u = c.get("usage") or {}
            cpu[key] = cpu.get(key, ZERO) + _q(u.get("cpu"))
            memory[key] = memory.get(key, ZERO) + _q(u.get("memory"))

    def reset() -> None:
        cpu.clear()
        memory.clear()
        stamps.clear()

    try:
        scopes: list[str | None] = [*sorted(d.wanted)] or [None]
        for namespace in scopes:
            lister.each("metrics", on_item, reset, namespace)
    except SourceError as exc:
        if "HTTP 404" in exc.message or "HTTP 503" in exc.message or "forbidden" in exc.message:
            why = "forbidden" if "forbidden" in exc.message else "not served"
            usage.notes.append(f"no usage: metrics.k8s.io is {why} on this cluster and no "
                               "Prometheus was given; requests only (give --prometheus URL for "
                               "p95 usage)")
            return usage, "none (no Prometheus given, metrics.k8s.io unavailable)"
        raise
    usage.cpu_p95 = cpu
    usage.memory_gb_p95 = {k: v / GIB for k, v in memory.items()}
    when = max(stamps) if stamps else at.strftime("%Y-%m-%dT%H:%M:%SZ")
    usage.notes.append(f"usage is a point-in-time view from metrics.k8s.io at {when}, not a p95;"
                       " give --prometheus URL for p95 over a window")
    return usage, f"point-in-time from metrics.k8s.io at {when} (not a p95)"


def _round(value: Decimal) -> Decimal:
    out = value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP).normalize()
    return out if out != 0 else ZERO


def _build(s: KubernetesSettings, d: _Discoverer, cluster: str, prom: PromUsage | None,
           at: dt.datetime, usage_source: str, host: str) -> Discovery:
    notes = list(d.notes)
    by_name: dict[tuple[str, str], list[WorkloadKey]] = {}
    ids: dict[WorkloadKey, str] = {}
    for key in d.accs:
        ns, kind, name = key
        ids[key] = f"{cluster}/{ns}/{kind}/{name}"
        by_name.setdefault((ns, name), []).append(key)
    edges: dict[WorkloadKey, list[Dependency]] = {}
    unmatched = 0
    if prom:
        notes.extend(prom.notes)
        for edge in prom.edges:
            src, dst = _by_name(by_name, edge.source), _by_name(by_name, edge.destination)
            if src is None or dst is None:
                unmatched += 1
                continue
            edges.setdefault(src, []).append(Dependency(
                workload=ids[dst], receive_gb_month=_round(edge.receive_gb_month),
                send_gb_month=_round(edge.send_gb_month)))
    if unmatched:
        notes.append(f"{unmatched} mesh edge(s) name workloads that were not discovered "
                     "(other namespaces or clusters); left out")
    workloads: list[Workload] = []
    info: dict[str, K8sInfo] = {}
    filled: list[str] = []
    dropped: list[str] = []
    for key in sorted(d.accs):
        acc = d.accs[key]
        ns, kind, name = key
        ident = ids[key]
        controller_labels, desired = d.controllers.get(key, ({}, None))
        merged = dict(d.ns_labels.get(ns, {}))
        merged.update(acc.labels)
        merged.update(controller_labels)
        labels, special, bad = _estate_labels(merged, s.label_prefix)
        dropped.extend(f"{ident} ({b})" for b in bad)
        cpu_p95 = prom.cpu_p95.get(key) if prom else None
        mem_p95 = prom.memory_gb_p95.get(key) if prom else None
        usage = None
        if cpu_p95 is not None or mem_p95 is not None:
            usage = Usage(None if cpu_p95 is None else _round(cpu_p95),
                          None if mem_p95 is None else _round(mem_p95))
        cpu = acc.cpu
        memory_gb = acc.memory / GIB
        how = []
        if acc.missing_cpu:
            if cpu_p95 is not None:
                cpu = max(cpu, cpu_p95)
                how.append("cpu from measured usage")
            else:
                cpu += s.default_cpu * acc.missing_cpu
                how.append(f"cpu default {s.default_cpu} per container")
        if acc.missing_memory:
            if mem_p95 is not None:
                memory_gb = max(memory_gb, mem_p95)
                how.append("memory from measured usage")
            else:
                memory_gb += s.default_memory_gb * acc.missing_memory
                how.append(f"memory default {s.default_memory_gb} GB per container")
        if how:
            filled.append(ident)
        storage = sum((d.claims.get((ns, c), ZERO) for c in sorted(acc.claims)), ZERO)
        labels.update({"k8s-cluster": cluster, "k8s-namespace": ns, "k8s-kind": kind})
        application = special.get("application") or merged.get(PART_OF) or ns
        workloads.append(Workload(
            id=ident, name=name, application=application, location=s.location,
            resources=Resources(_round(cpu), _round(memory_gb), _round(storage)),
            owner=special.get("owner", ""), labels=dict(sorted(labels.items())), usage=usage,
            pinned=special.get("pinned", "").lower() == "true",
            depends_on=tuple(sorted(edges.get(key, []), key=lambda e: e.workload)),
            cost_match=CostMatch(tags=(("advisor-workload", ident),)),
            source=s.source,
        ))
        info[ident] = K8sInfo(
            cluster=cluster, namespace=ns, kind=kind, name=name, pods=acc.pods,
            desired_replicas=desired,
            cpu_limit=None if acc.cpu_limit is None else _round(acc.cpu_limit),
            memory_gb_limit=None if acc.memory_limit is None else _round(acc.memory_limit / GIB),
            missing_requests="; ".join(how),
            usage_from=usage_source if usage else "",
        )
    if filled:
        shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
        notes.append(f"{len(filled)} workload(s) have containers without requests: {shown}; "
                     "filled from the measured usage where there is one, else the default "
                     f"({s.default_cpu} cores / {s.default_memory_gb} GB per container)")
    if dropped:
        notes.append("labels with values the rules do not know were left out: "
                     + ", ".join(dropped[:5]) + (" ..." if len(dropped) > 5 else ""))
    if d.finished:
        notes.append(f"{d.finished} finished pod(s) (Succeeded/Failed) were not counted")
    idle = [f"{cluster}/{ns}/{kind}/{name}" for ns, kind, name in sorted(d.scaled_to_zero)
            if (ns, kind, name) not in d.accs]
    if idle:
        shown = ", ".join(idle[:SHOWN_IDLE]) + (
            f" and {len(idle) - SHOWN_IDLE} more" if len(idle) > SHOWN_IDLE else "")
        notes.append(f"{len(idle)} controller(s) scaled to zero (replicas 0, no pods), not "
                     f"listed as workloads: {shown}")
    pods = sum(a.pods for a in d.accs.values())
    return Discovery(source=s.name, cluster=cluster, location=s.location, host=host, at=at,
                     workloads=workloads, info=info, node_cpu=_round(d.node_cpu),
                     node_memory_gb=_round(d.node_memory / GIB), nodes=d.nodes, pods=pods,
                     usage_source=usage_source, notes=notes, scaled_to_zero=idle)


def _by_name(by_name: dict[tuple[str, str], list[WorkloadKey]],
             ref: tuple[str, str]) -> WorkloadKey | None:
    found = by_name.get(ref)
    if not found:
        return None
    return min(found, key=lambda k: KIND_ORDER.index(k[1]) if k[1] in KIND_ORDER else 99)


def _estate_labels(labels: dict[str, str], prefix: str) -> tuple[dict[str, str], dict[str, str],
                                                                  list[str]]:
    """Prefixed labels without the prefix; special keys apart; unknown values reported."""
    out: dict[str, str] = {}
    special: dict[str, str] = {}
    bad: list[str] = []
    for key, value in labels.items():
        if not key.startswith(prefix) or len(key) == len(prefix):
            continue
        short = key[len(prefix):]
        if short in SPECIAL_LABELS:
            special[short] = value
            continue
        allowed = KNOWN_LABEL_VALUES.get(short)
        if allowed and value not in allowed:
            bad.append(f"{short}={value}")
            continue
        out[short] = value
    return out, special, bad
