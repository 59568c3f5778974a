"""Migration waves: the recommended moves in the order to carry them out.

- Chains move together: the workloads that move and depend on each other (directly or through
  other moving workloads) form one group, a connected component of the dependency graph of the
  moving workloads. Every constraint between two workloads (a latency limit, colocation) then
  holds before and after each wave: if both move they move in the same wave, and if one stays
  the constraint holds with it both where the other runs today and where it is going.
- Groups go in the order of their payback (the one-off cost over the monthly saving they make on
  their own, exactly; groups that save nothing on their own last), each into the first wave with
  room: at most ``max_workloads`` workloads and ``max_tb`` TB of data per wave (0: no limit). A
  group larger than a limit takes a wave of its own (said in the wave's note).
- Each wave's one-off cost and the monthly saving it unlocks are the differences of the whole
  estate's cost (every line: workloads, egress, fixed costs of locations and providers,
  commitments; one-offs: migration, onboarding the first time a provider is used, closing a
  location once it is empty) before and after it, so the waves add up exactly to the plan's
  one-off cost and monthly saving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from advisor.errors import InputError
from advisor.placement.plan import Plan
from advisor.placement.totals import EstateCosts

ZERO = Decimal(0)
DEFAULT_MAX_WORKLOADS = 10  # when neither limit is set anywhere
GB_PER_TB = Decimal(1000)


@dataclass
class Wave:
    number: int
    workloads: list[str]
    data_gb: Decimal
    one_offs: dict[str, Decimal]  # migration, onboarding, closing
    monthly_before: Decimal
    monthly_after: Decimal
    notes: list[str] = field(default_factory=list)

    @property
    def one_off(self) -> Decimal:
        return sum(self.one_offs.values(), ZERO)

    @property
    def monthly_saving(self) -> Decimal:
        return self.monthly_before - self.monthly_after


@dataclass
class WavePlan:
    waves: list[Wave]
    max_workloads: int
    max_tb: Decimal
    total_one_off: Decimal
    total_saving: Decimal


def check_limits(max_workloads: int | None, max_tb: Decimal | None) -> None:
    """A limit of 0 (or less) is an input error (exit 2)."""
    for name, value in (("--max-workloads", max_workloads), ("--max-tb", max_tb)):
        if value is not None and value <= 0:
            raise InputError(f"{name} must be more than 0, got {value}",
                             hint="a wave holds at least one workload; leave the option out "
                                  "for the migration: settings of advisor.yaml")


def limits(plan: Plan, max_workloads: int | None, max_tb: Decimal | None) -> tuple[int, Decimal]:
    """The wave limits: the options, else advisor.yaml's ``migration:``, else 10 workloads."""
    check_limits(max_workloads, max_tb)
    m = plan.estate.migration
    n = max_workloads if max_workloads is not None else m.wave_max_workloads
    tb = max_tb if max_tb is not None else m.wave_max_tb
    if not n and not tb:
        n = DEFAULT_MAX_WORKLOADS
    return n, tb


def groups(plan: Plan) -> list[list[str]]:
    """The moving workloads in chains that move together (sorted ids, by first id)."""
    import networkx as nx

    moving = {r.workload.id for r in plan.recommendations if r.moved}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(moving))
    for w in plan.estate.workloads:
        if w.id in moving:
            graph.add_edges_from((w.id, d.workload) for d in w.depends_on if d.workload in moving)
    return sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: c[0])


def plan_waves(plan: Plan, max_workloads: int | None = None,
               max_tb: Decimal | None = None) -> WavePlan:
    """The plan's moves in waves (see the module docstring)."""
    n, tb = limits(plan, max_workloads, max_tb)
    assert plan.model is not None
    totals = EstateCosts(plan.model)
    today = {w.id: w.location for w in plan.estate.workloads}
    target = {r.workload.id: r.recommended_location for r in plan.recommendations}
    by_id = plan.estate.workload_by_id()
    base = totals.costs(today)

    def alone(group: list[str]) -> tuple[int, Decimal, str]:
        """(order class, payback, first id): the group moved on its own from today."""
        after = totals.costs({**today, **{w: target[w] for w in group}})
        saving = base.monthly - after.monthly
        one_off = sum(after.one_offs().values(), ZERO)
        if saving <= 0:
            return 1, -saving, group[0]
        return 0, one_off / saving, group[0]

    order = sorted(groups(plan), key=alone)
    slots: list[list[list[str]]] = []
    sizes: list[tuple[int, Decimal]] = []
    notes: dict[int, list[str]] = {}
    for g in order:
        gb = sum((by_id[w].resources.total_storage_gb for w in g), ZERO)
        too_big = (n and len(g) > n) or (tb and gb > tb * GB_PER_TB)
        if too_big:
            slots.append([g])
            sizes.append((len(g), gb))
            notes[len(slots) - 1] = [f"a chain of {len(g)} workloads and "
                                     f"{(gb / GB_PER_TB).normalize():f} TB that must move "
                                     "together is larger than the wave limit"]
            continue
        for k, (count, data) in enumerate(sizes):
            if k in notes:
                continue
            if (not n or count + len(g) <= n) and (not tb or data + gb <= tb * GB_PER_TB):
                slots[k].append(g)
                sizes[k] = (count + len(g), data + gb)
                break
        else:
            slots.append([g])
            sizes.append((len(g), gb))
    waves = []
    where = dict(today)
    before = base
    for k, slot in enumerate(slots):
        ids = sorted(w for g in slot for w in g)
        where.update({w: target[w] for w in ids})
        after = totals.costs(where)
        prev, now = before.one_offs(), after.one_offs()
        waves.append(Wave(k + 1, ids, sizes[k][1], {key: now[key] - prev[key] for key in now},
                          before.monthly, after.monthly, notes.get(k, [])))
        before = after
    final = totals.costs(target)
    return WavePlan(waves, n, tb, sum(final.one_offs().values(), ZERO),
                    base.monthly - final.monthly)
