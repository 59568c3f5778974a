"""Commitments already bought: reservations and savings plans, counted exactly.

A reservation at a location pays ``monthly`` whatever runs there until it ends; what workloads
there use within ``covers`` (vCPUs, GB of memory) costs nothing more. A savings plan with a
provider pays ``monthly`` and makes that provider's eligible compute (vCPU and memory at list
price, after reservations) ``discount`` cheaper up to the committed amount, i.e. it covers
``monthly / (1 - discount)`` of list-price compute.

Every monthly figure is the average over the horizon from the as-of month: a commitment paid for
``m`` more months (the as-of month and its end month included) of an ``H``-month horizon counts
``m / H`` of its fee, and covers use in those months only. Run cost elsewhere is at list price, so
each commitment's line is its fee less the list value of what it covers (negative: it saves).
The optimizer gets the same terms piecewise linear (``advisor.placement.optimize``); the plan
recomputes them here in Decimal.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from advisor.estate.model import Commitment

ZERO = Decimal(0)


def months_left(as_of: dt.date, ends: dt.date | None, horizon: int) -> int:
    """Months still paid from the as-of month up to and including the end month (the horizon
    when it does not end)."""
    if ends is None:
        return horizon
    if ends < as_of:
        return 0
    return (ends.year * 12 + ends.month) - (as_of.year * 12 + as_of.month) + 1


@dataclass(frozen=True)
class Term:
    """A commitment as the model counts it, in the estate currency."""

    commitment: Commitment
    monthly: Decimal
    months: int  # paid within the horizon
    months_left: int  # paid in all

    @property
    def id(self) -> str:
        return self.commitment.id

    @property
    def covers_list_value(self) -> Decimal:
        """Savings plan: the list-price compute its fee pays for."""
        return self.monthly / (1 - self.commitment.discount)


@dataclass(frozen=True)
class Segment:
    """Months [start, end) of the horizon in which the same commitments are in force."""

    start: int
    end: int
    weight: Decimal  # (end - start) / horizon
    in_force: tuple[str, ...]  # commitment ids


@dataclass
class Group:
    """The commitments of one provider: its reservations (by location), its savings plans."""

    provider: str
    locations: tuple[str, ...]  # every location of the provider
    reservations: list[Term] = field(default_factory=list)
    plans: list[Term] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    """One commitment under a placement: what it costs and what it covers (monthly, averaged over
    the horizon), and what it pays for that nothing uses."""

    id: str
    kind: str
    location: str | None
    provider: str
    fee: Decimal
    covered: Decimal  # list value of the use it covers
    unused_cpu: Decimal = ZERO  # now, reservations
    unused_memory_gb: Decimal = ZERO
    unused_share: Decimal = ZERO  # of what it pays for, now
    months_left: int = 0
    monthly: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """Its line in the monthly cost: the fee less the list value it covers."""
        return self.fee - self.covered

    @property
    def stranded(self) -> Decimal:
        """The fee paid for capacity nothing uses, from now until it ends."""
        return self.monthly * self.unused_share * self.months_left


class Commitments:
    """Every commitment of an estate, grouped by provider, with the segments of the horizon."""

    def __init__(self, commitments: list[Commitment], *, as_of: dt.date, horizon: int,
                 provider_of: Mapping[str, str], rate: Mapping[str | None, Decimal],
                 cpu_price: Mapping[str, Decimal], memory_price: Mapping[str, Decimal]) -> None:
        self.horizon = horizon
        self.cpu_price = cpu_price
        self.memory_price = memory_price
        self.groups: dict[str, Group] = {}
        for c in sorted(commitments, key=lambda c: c.id):
            left = months_left(as_of, c.ends, horizon)
            term = Term(c, c.monthly * rate[c.currency], min(left, horizon), left)
            provider = provider_of[c.location] if c.location else str(c.provider)
            group = self.groups.get(provider)
            if group is None:
                group = Group(provider, tuple(sorted(k for k, v in provider_of.items()
                                                     if v == provider)))
                self.groups[provider] = group
            (group.reservations if c.kind == "reservation" else group.plans).append(term)
        for group in self.groups.values():
            terms = group.reservations + group.plans
            cuts = sorted({0, horizon, *(t.months for t in terms)})
            for a, b in itertools.pairwise(cuts):
                group.segments.append(Segment(a, b, Decimal(b - a) / horizon,
                                              tuple(t.id for t in terms if t.months >= b)))

    def __bool__(self) -> bool:
        return bool(self.groups)

    def lines(self, usage: Mapping[str, tuple[Decimal, Decimal]]) -> list[Line]:
        """Each commitment's line under a placement that uses (vCPUs, GB of memory) per
        location."""
        out: list[Line] = []
        for group in self.groups.values():
            covered: dict[str, Decimal] = {t.id: ZERO for t in group.reservations + group.plans}
            now: dict[str, tuple[Decimal, Decimal, Decimal]] = {}
            for seg in group.segments:
                uncovered = ZERO
                for loc in group.locations:
                    cpu, mem = usage.get(loc, (ZERO, ZERO))
                    pc, pm = self.cpu_price[loc], self.memory_price[loc]
                    for t in group.reservations:
                        if t.commitment.location != loc or t.id not in seg.in_force:
                            continue
                        a_cpu = min(cpu, t.commitment.covers_cpu)
                        a_mem = min(mem, t.commitment.covers_memory_gb)
                        cpu, mem = cpu - a_cpu, mem - a_mem
                        covered[t.id] += seg.weight * (a_cpu * pc + a_mem * pm)
                        if seg.start == 0:
                            value = t.commitment.covers_cpu * pc + \
                                t.commitment.covers_memory_gb * pm
                            unused = t.commitment.covers_cpu * pc - a_cpu * pc + \
                                t.commitment.covers_memory_gb * pm - a_mem * pm
                            now[t.id] = (t.commitment.covers_cpu - a_cpu,
                                         t.commitment.covers_memory_gb - a_mem,
                                         unused / value if value else ZERO)
                    uncovered += cpu * pc + mem * pm
                for t in group.plans:
                    if t.id not in seg.in_force:
                        continue
                    value = t.covers_list_value
                    used = min(uncovered, value)
                    uncovered -= used
                    covered[t.id] += seg.weight * used
                    if seg.start == 0:
                        now[t.id] = (ZERO, ZERO, (value - used) / value if value else ZERO)
            for t in group.reservations + group.plans:
                c = t.commitment
                cpu_left, mem_left, share = now.get(t.id, (ZERO, ZERO, ZERO))
                out.append(Line(t.id, c.kind, c.location, group.provider,
                                t.monthly * t.months / self.horizon, covered[t.id], cpu_left,
                                mem_left, share, t.months_left, t.monthly))
        out.sort(key=lambda line: line.id)
        return out
