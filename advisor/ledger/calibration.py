"""Calibration: the billed cost of a month beside the modelled cost of today's placement.

How far the price model is from the bill, per workload and per location, when the estate has a
ledger source. The command reads the ledger (a ledger that cannot be read is a failed source,
named in the output, exit 3, never a silent gap) and hands its summary in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from advisor.ledger.report import LedgerSummary
from advisor.placement.plan import Plan

ZERO = Decimal(0)


@dataclass(frozen=True)
class Pair:
    """One workload or location: billed (from the ledger) and modelled (current placement)."""

    key: str
    billed: Decimal
    modelled: Decimal

    @property
    def difference(self) -> Decimal:
        return self.billed - self.modelled

    @property
    def ratio(self) -> Decimal | None:
        """billed / modelled; None when the model says nothing costs."""
        return None if self.modelled == 0 else self.billed / self.modelled


@dataclass(frozen=True)
class Calibration:
    month: str
    cost_basis: str
    currency: str
    workloads: tuple[Pair, ...]
    locations: tuple[Pair, ...]
    unallocated: Decimal
    total_billed: Decimal
    sources: tuple[str, ...]


def calibrate(plan: Plan, summary: LedgerSummary) -> None:
    """Attach the calibration of ``summary``'s month to the plan; its failed sources too."""
    plan.failed_sources.extend(f for f in summary.failures if f not in plan.failed_sources)
    modelled_w = {r.workload.id: r.current_monthly_cost for r in plan.recommendations}
    modelled_l: dict[str, Decimal] = {}
    for r in plan.recommendations:
        modelled_l[r.current_location] = modelled_l.get(r.current_location, ZERO) \
            + r.current_monthly_cost
    workloads = tuple(Pair(w, billed, modelled_w.get(w, ZERO))
                      for w, billed in sorted(summary.by_workload.items()))
    locations = tuple(Pair(loc, billed, modelled_l.get(loc, ZERO))
                      for loc, billed in sorted(summary.by_location.items()))
    plan.calibration = Calibration(summary.month, summary.cost_basis, summary.currency, workloads,
                                   locations, summary.unallocated, summary.total,
                                   summary.sources)
