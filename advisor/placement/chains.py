"""Application chains: each application's workloads, the other applications it exchanges data
with, and the traffic and egress on each dependency now and after a plan's moves.

One chain per application, never one graph of the whole estate (a hairball nobody can read). A
chain holds the application's workloads and its direct neighbours in other applications (one node
per application, the quietest beyond MAX_NEIGHBOURS merged into one). The diagrams in
``advisor.outputs.diagrams`` and the report draw these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from advisor.errors import InputError
from advisor.estate.model import Dependency, Workload
from advisor.placement.costs import CostModel
from advisor.placement.plan import Plan, Recommendation

MAX_NEIGHBOURS = 8  # other applications drawn one by one; the rest become one box


@dataclass(frozen=True)
class Node:
    """A workload of the chain's application, or (``external``) the workloads of another
    application that it exchanges data with, drawn as one box."""

    id: str
    name: str
    application: str
    now: str
    recommended: str
    external: bool = False
    unplaceable: bool = False
    pinned: bool = False
    excluded_rules: tuple[str, ...] = ()
    excluded_locations: int = 0
    members: tuple[str, ...] = ()  # external: the workloads it stands for
    places: tuple[str, ...] = ()  # external: where those run after the moves
    single: str = ""  # external: the name of its one workload, when it stands for one

    @property
    def moved(self) -> bool:
        return not self.external and self.now != self.recommended


@dataclass(frozen=True)
class Edge:
    """``source`` depends on ``target``; traffic both ways, egress per month now and after."""

    source: str
    target: str
    gb_month: Decimal
    egress_now: Decimal
    egress_after: Decimal


@dataclass(frozen=True)
class Chain:
    application: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @property
    def moves(self) -> int:
        return sum(1 for n in self.nodes if n.moved)

    @property
    def size(self) -> int:
        return sum(1 for n in self.nodes if not n.external)


def chains(plan: Plan, applications: Sequence[str] | None = None,
           moving_only: bool = False) -> list[Chain]:
    """The chains of ``applications`` (all when None), sorted by application name. The
    application's workloads are nodes; each other application it exchanges data with is one
    node (edges summed), the least busy beyond MAX_NEIGHBOURS merged into one."""
    estate = plan.estate
    recs = {r.workload.id: r for r in plan.recommendations}
    workloads = estate.workload_by_id()
    by_app: dict[str, list[str]] = {}
    for w in estate.workloads:
        by_app.setdefault(w.application, []).append(w.id)
    if applications:
        unknown = sorted(set(applications) - set(by_app))
        if unknown:
            from advisor.estate.yamlfile import nearest

            near = nearest(unknown[0], sorted(by_app))
            raise InputError(f"unknown application '{unknown[0]}'",
                             hint=f"did you mean '{near}'?" if near else
                             "name an application of the estate")
    model = CostModel(estate)
    now = {w.id: w.location for w in estate.workloads}
    after = {r.workload.id: r.recommended_location for r in plan.recommendations}
    callers: dict[str, list[tuple[str, Dependency]]] = {}
    for w in estate.workloads:
        for d in w.depends_on:
            callers.setdefault(d.workload, []).append((w.id, d))
    out = []
    for app in sorted(set(applications or by_app)):
        inside = set(by_app[app])
        raw: list[tuple[str, str, Edge]] = []  # (member, other workload, edge)
        for wid in sorted(inside):
            for d in workloads[wid].depends_on:
                raw.append((wid, d.workload, _edge(model, wid, d, now, after)))
            for caller, dep in callers.get(wid, ()):
                if caller not in inside:
                    raw.append((wid, caller, _edge(model, caller, dep, now, after)))
        chain = _group(app, inside, raw, recs, workloads, after)
        if moving_only and not chain.moves:
            continue
        out.append(chain)
    return out


def _group(app: str, inside: set[str], raw: list[tuple[str, str, Edge]],
           recs: dict[str, Recommendation], workloads: dict[str, Workload],
           after: dict[str, str]) -> Chain:
    """Edges inside the application as they are; edges to other applications summed per
    (member, application, direction), the quietest applications merged into one box."""
    traffic: dict[str, Decimal] = {}
    for _, other, e in raw:
        if other not in inside:
            oapp = workloads[other].application
            traffic[oapp] = traffic.get(oapp, Decimal(0)) + e.gb_month
    ranked = sorted(traffic, key=lambda a: (-traffic[a], a))
    keep = set(ranked if len(ranked) <= MAX_NEIGHBOURS else ranked[:MAX_NEIGHBOURS - 1])
    merged = sorted(set(ranked) - keep)

    def ext_id(oapp: str) -> str:
        return "app:" + oapp if oapp in keep else "apps:other"

    edges: dict[tuple[str, str], list[Decimal]] = {}
    members: dict[str, set[str]] = {}
    for member, other, e in raw:
        if other in inside:
            key = (e.source, e.target)
        else:
            gid = ext_id(workloads[other].application)
            members.setdefault(gid, set()).add(other)
            key = (member, gid) if e.source == member else (gid, member)
        slot = edges.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
        slot[0] += e.gb_month
        slot[1] += e.egress_now
        slot[2] += e.egress_after
    nodes = [_node(recs[w], False) for w in sorted(inside)]
    for gid in sorted(members):
        ws = sorted(members[gid])
        places = tuple(sorted({after[w] for w in ws}))
        if gid == "apps:other":
            name = oapp = f"{len(merged)} other applications"
        else:
            name = oapp = gid[4:]
        single = workloads[ws[0]].name or ws[0] if len(ws) == 1 and gid != "apps:other" else ""
        nodes.append(Node(gid, name, oapp, "", "", external=True, members=tuple(ws),
                          places=places, single=single))
    return Chain(app, tuple(nodes), tuple(Edge(a, b, *v) for (a, b), v in sorted(edges.items())))


def _edge(model: CostModel, caller: str, d: Dependency, now: dict[str, str],
          after: dict[str, str]) -> Edge:
    return Edge(caller, d.workload, d.receive_gb_month + d.send_gb_month,
                model.edge_monthly(d, now[caller], now[d.workload]),
                model.edge_monthly(d, after[caller], after[d.workload]))


def _node(r: Recommendation, external: bool) -> Node:
    w = r.workload
    rules = tuple(sorted({x for found in r.excluded.values() for x in found}))
    return Node(w.id, w.name or w.id, w.application, r.current_location,
                r.recommended_location, external, r.unplaceable, w.pinned, rules,
                len(r.excluded))
