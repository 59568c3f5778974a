"""What a placement must obey besides the policy rules: pins, colocation, latency, capacity.

The optimizer never breaks these; a proposed placement (``advisor check --placement`` or a
Terraform plan) can. Each broken one is a finding of the advisor's own rules PLACE-001..004,
evaluated on the whole placement (today's gives the baseline, so only what a change breaks is new).
"""

from __future__ import annotations

from decimal import Decimal

from advisor.estate.model import Estate, Location
from advisor.rules import Budgets, CostSource, Evaluation, Finding, Rule, check_placement

PLACE_RULES = (
    Rule("PLACE-001", "A pinned workload is moved", "error", "advisor",
         rationale="The estate marks this workload `pinned: true`: it must not move (a national "
                   "network connection, hardware, a contract).",
         remediation="Keep the workload where it runs, or remove `pinned` in workloads.yaml "
                     "after the reason for it is gone.",
         tags=("placement",)),
    Rule("PLACE-002", "Colocated workloads are placed apart", "error", "advisor",
         rationale="A dependency marked `colocate: true` must run in the same location (a "
                   "chatty database connection, shared storage).",
         remediation="Move both workloads together, or drop `colocate` on the dependency.",
         tags=("placement",)),
    Rule("PLACE-003", "A dependency's latency limit is exceeded", "error", "advisor",
         rationale="The dependency has `max_latency_ms`; the locations' `latency_ms` says the "
                   "two placements are further apart (an unknown latency counts as too far).",
         remediation="Place the two workloads closer together, or record the latency between "
                     "the locations in locations.yaml.",
         tags=("placement",)),
    Rule("PLACE-004", "A location's capacity is exceeded", "error", "advisor",
         rationale="The workloads placed at a location request more cpu, memory or storage "
                   "than its declared capacity.",
         remediation="Place fewer workloads there, or raise the location's capacity after "
                     "adding hardware.",
         tags=("placement", "capacity")),
)


def gate_findings(ev: Evaluation, estate: Estate, placement: dict[str, str], *,
                  costs: CostSource | None = None, budgets: Budgets | None = None,
                  ) -> tuple[list[Finding], dict[str, list[tuple[str, str]]]]:
    """Everything the gate reports on a placement: the rules' findings (with what each rule
    was evaluated on) and the structural ones. ``advisor check`` and ``advisor analyze`` (on
    its own recommendation) both judge a placement with this."""
    found, evaluated = check_placement(ev, estate.workloads, placement, costs=costs,
                                       budgets=budgets)
    found += structural_findings(estate, placement)
    return sorted(found, key=Finding.sort_key), evaluated


def new_findings(before: list[Finding], after: list[Finding]) -> list[Finding]:
    """The findings of ``after`` that ``before`` does not have (the same rule on the same
    subject), as the gate marks them new."""
    seen = {(f.rule, f.key) for f in before}
    return [f for f in after if (f.rule, f.key) not in seen]


def latency_ms(a: Location, b: Location) -> Decimal | None:
    """The latency between two locations (0 within one); None when neither declares it."""
    if a.id == b.id:
        return Decimal(0)
    known = [x for x in (a.latency_ms.get(b.id), b.latency_ms.get(a.id)) if x is not None]
    return min(known) if known else None


def structural_findings(estate: Estate, placement: dict[str, str]) -> list[Finding]:
    """Pins, colocation, latency and capacity broken by ``placement`` (workload -> location)."""
    locations = estate.location_by_id()
    where = {w.id: placement.get(w.id, w.location) for w in estate.workloads}
    out: list[Finding] = []
    for w in estate.workloads:
        here = where[w.id]
        if w.pinned and here != w.location:
            out.append(Finding("PLACE-001", "error", w.id, here,
                               f"{w.id} is pinned to {w.location} but placed in {here}"))
        for d in w.depends_on:
            there = where[d.workload]
            if d.colocate and here != there:
                out.append(Finding("PLACE-002", "error", w.id, here,
                                   f"{w.id} must run with {d.workload} but is placed in {here} "
                                   f"and {d.workload} in {there}"))
            if d.max_latency_ms is not None:
                ms = latency_ms(locations[here], locations[there])
                if ms is None or ms > d.max_latency_ms:
                    shown = "unknown" if ms is None else f"{ms} ms"
                    out.append(Finding(
                        "PLACE-003", "error", w.id, here,
                        f"{w.id} in {here} calls {d.workload} in {there}: latency {shown}, "
                        f"limit {d.max_latency_ms} ms", detail=d.workload))
    used: dict[str, list[Decimal]] = {}
    for w in estate.workloads:
        total = used.setdefault(where[w.id], [Decimal(0)] * 3)
        total[0] += w.resources.cpu
        total[1] += w.resources.memory_gb
        total[2] += w.resources.total_storage_gb
    for loc_id in sorted(used):
        cap = locations[loc_id].capacity
        if cap is None:
            continue
        for name, have, limit in (("cpu", used[loc_id][0], cap.cpu),
                                  ("memory_gb", used[loc_id][1], cap.memory_gb),
                                  ("storage_gb", used[loc_id][2], cap.storage_gb)):
            if limit is not None and have > limit:
                out.append(Finding("PLACE-004", "error", "", loc_id,
                                   f"{loc_id} would hold {have} {name} against a capacity of "
                                   f"{limit}", subject=f"{loc_id}:{name}"))
    return sorted(out, key=Finding.sort_key)

