"""Joining discovered workloads to the catalogue the user wrote.

A discovered workload (from a cluster) is the same as a catalogue workload when, in this order:
1. the ids are equal;
2. the catalogue workload has a label ``k8s-workload`` naming it as ``namespace/name``,
   ``namespace/kind/name`` or the full discovered id (``cluster/namespace/kind/name``);
3. the catalogue's ``cost_match.namespace`` lists its namespace and the catalogue ``name`` (or
   ``id``) is the controller's name.

The catalogue's explicit values win (name, application, owner, location, resources, labels,
pinned, migration_cost); the measured usage is added where the catalogue has none; dependency
edges and cost-match keys are joined. Every disagreement is reported as a conflict, never
silently dropped. Discovered workloads that match nothing join the estate as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from advisor.estate.model import CostMatch, Dependency, Estate, Usage, Workload


@dataclass
class SourceResult:
    """What one source contributed."""

    source: str  # a human name for the source, e.g. "kubernetes:dc1"
    workloads: list[Workload] = field(default_factory=list)  # discovered workloads
    usage: dict[str, Usage] = field(default_factory=dict)  # measured usage by workload id
    ledger_paths: list[str] = field(default_factory=list)  # FOCUS files/URLs for the ledger
    notes: list[str] = field(default_factory=list)  # things the user should know
    # A discovery source's cluster (placement.onprem_cost.ClusterInventory), for cost rows.
    inventory: Any = None



SYSTEM_LABELS = ("k8s-cluster", "k8s-namespace", "k8s-kind")


def _refs(d: Workload) -> set[str]:
    ns, kind = d.labels.get("k8s-namespace", ""), d.labels.get("k8s-kind", "")
    return {d.id, f"{ns}/{d.name}", f"{ns}/{kind}/{d.name}"}


def _match(d: Workload, catalogue: list[Workload]) -> tuple[list[Workload], str]:
    """Catalogue candidates for ``d`` by the first rule that finds any, and the rule's name."""
    same_id = [c for c in catalogue if c.id == d.id]
    if same_id:
        return same_id, "id"
    refs = _refs(d)
    by_label = [c for c in catalogue if c.labels.get("k8s-workload") in refs]
    if by_label:
        return by_label, "k8s-workload label"
    ns = d.labels.get("k8s-namespace")
    by_ns = [c for c in catalogue if c.cost_match and ns in c.cost_match.namespace
             and d.name in (c.name, c.id)]
    return by_ns, "namespace and controller name"


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(a) | set(b)))


def _cost_match(c: CostMatch | None, d: CostMatch | None) -> CostMatch | None:
    if c is None or d is None:
        return c or d
    return CostMatch(tags=tuple(sorted(set(c.tags) | set(d.tags))),
                     resource_id=_union(c.resource_id, d.resource_id),
                     account=_union(c.account, d.account),
                     namespace=_union(c.namespace, d.namespace))


def _join(c: Workload, d: Workload, source: str, conflicts: list[str]) -> Workload:
    """The catalogue workload with the measured facts added; disagreements reported."""
    where = f"workload {c.id} (catalogue) = {d.id} ({source})"
    checks = (("location", c.location, d.location), ("cpu", c.resources.cpu, d.resources.cpu),
              ("memory_gb", c.resources.memory_gb, d.resources.memory_gb),
              ("storage_gb", c.resources.storage_gb, d.resources.storage_gb))
    for what, mine, theirs in checks:
        if mine != theirs:
            conflicts.append(f"{where}: {what} {mine} in the catalogue, {theirs} in the cluster;"
                             " the catalogue's value is kept")
    labels = dict(d.labels)
    for key, value in c.labels.items():
        if key in labels and labels[key] != value and key not in SYSTEM_LABELS:
            conflicts.append(f"{where}: label {key}={value} in the catalogue, {labels[key]} in "
                             "the cluster; the catalogue's value is kept")
        labels[key] = value
    usage = c.usage
    if usage is None:
        usage = d.usage
    elif d.usage is not None and d.usage != usage:
        conflicts.append(f"{where}: the catalogue gives usage explicitly; the measured p95 "
                         f"(cpu {d.usage.cpu_p95}, memory_gb {d.usage.memory_gb_p95}) is not "
                         "used")
    return dataclasses.replace(c, labels=dict(sorted(labels.items())), usage=usage,
                               cost_match=_cost_match(c.cost_match, d.cost_match),
                               depends_on=c.depends_on + d.depends_on)


def merge_discovered(estate: Estate,
                     results: Iterable[SourceResult]) -> tuple[Estate, list[str]]:
    """The estate with discovered workloads joined in, and the conflicts found on the way."""
    results = list(results)
    conflicts: list[str] = []
    catalogue = list(estate.workloads)
    catalogue_ids = {c.id for c in catalogue}
    merged: dict[str, Workload] = {}  # catalogue id -> joined workload
    taken: dict[str, str] = {}  # catalogue id -> discovered id that joined it
    rename: dict[str, str] = {}  # discovered id -> id in the estate
    added: dict[str, Workload] = {}
    seen: dict[str, str] = {}
    for result in results:
        for d in sorted(result.workloads, key=lambda w: w.id):
            if d.id in seen:
                conflicts.append(f"workload {d.id} was discovered by both {seen[d.id]} and "
                                 f"{result.source}; the first is kept")
                continue
            seen[d.id] = result.source
            candidates, rule = _match(d, catalogue)
            if len(candidates) > 1:
                names = ", ".join(sorted(c.id for c in candidates))
                conflicts.append(f"discovered workload {d.id} matches several catalogue "
                                 f"workloads by {rule} ({names}); joined to the first")
            if candidates:
                candidates.sort(key=lambda c: (c.location != d.location, c.id))
                c = candidates[0]
                if c.id in taken:
                    conflicts.append(f"discovered workload {d.id} matches catalogue workload "
                                     f"{c.id}, already joined to {taken[c.id]}; kept apart")
                else:
                    taken[c.id] = d.id
                    rename[d.id] = c.id
                    merged[c.id] = _join(merged.get(c.id, c), d, result.source, conflicts)
                    continue
            if d.id in catalogue_ids:
                continue
            added[d.id] = d
    usage = {rename.get(k, k): v for r in results for k, v in r.usage.items()}
    known = catalogue_ids | set(added)
    out: list[Workload] = []
    for w in [merged.get(c.id, c) for c in catalogue] + [added[k] for k in sorted(added)]:
        edges: dict[str, Dependency] = {}
        for dep in w.depends_on:
            target = rename.get(dep.workload, dep.workload)
            if target == w.id or target not in known or target in edges:
                continue  # the catalogue's own edge comes first and wins
            edges[target] = dataclasses.replace(dep, workload=target)
        w = dataclasses.replace(w, depends_on=tuple(edges.values()))
        if w.usage is None and w.id in usage:
            w = dataclasses.replace(w, usage=usage[w.id])
        out.append(w)
    return dataclasses.replace(estate, workloads=out), conflicts
