"""Exit plans (BIO2 5.20.06): what leaving a provider or a location costs and how long it takes.

The exit is the estate analyzed with the provider's locations (or the one location) closed to
every workload (``advisor.estate.scenario``), as of the exit date, so switching charges follow
the EU Data Act on that day (free from 2027-01-12, at cost before). By default only the
workloads that run there move (the others stay where they run: an exit is a project of its
own); ``reoptimize`` lets every workload move.

Figures, exact:
- one-off cost = migration (data out at the switching rate of the exit date, re-platforming)
  + onboarding of providers the exit starts using + closing locations: the cash the exit costs;
- stranded commitments: the fees still due, until they end, for capacity the exit leaves unused
  (the increase over today's); book value written off (sunk, not cash). With the one-off cost
  they make the cost of leaving (the parts add up to it). The monthly cost after counts
  commitments as ``analyze`` does (their average over the horizon), so the stranded fees are in
  it too, spread: do not add the two;
- duration = the data transfer (GB over the declared bandwidth of each location pair; pairs run
  in parallel, the busiest decides) + the effort (days per workload, one after another);
- the workloads that cannot leave, and why (pinned, SaaS, no other allowed location).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from advisor.errors import InputError
from advisor.estate.model import Estate, Migration
from advisor.estate.scenario import Closure, Scenario, apply
from advisor.placement.plan import Plan

ZERO = Decimal(0)
SECONDS_PER_DAY = Decimal(86400)


@dataclass(frozen=True)
class Leaver:
    workload: str
    source: str
    target: str
    data_gb: Decimal
    one_off: Decimal
    switching: Decimal  # the part of one_off that is data out at the switching rate


@dataclass(frozen=True)
class Stuck:
    workload: str
    location: str
    why: str


@dataclass(frozen=True)
class PairTransfer:
    source: str
    target: str
    data_gb: Decimal
    mbps: Decimal

    @property
    def days(self) -> Decimal:
        return self.data_gb * 8000 / self.mbps / SECONDS_PER_DAY


@dataclass
class ExitPlan:
    subject: str  # "provider azure" / "location onprem-dc2"
    kind: str  # provider | location
    target: str
    date: dt.date
    plan: Plan
    locations: tuple[str, ...]
    leavers: list[Leaver]
    stuck: list[Stuck]
    transfers: list[PairTransfer]
    settings: Migration
    reoptimize: bool
    stranded: dict[str, Decimal]  # commitment id -> fees for unused capacity until it ends
    write_off: dict[str, Decimal]
    assumptions: list[str] = field(default_factory=list)

    def one_offs(self) -> dict[str, Decimal]:
        """migration, onboarding, closing (the plan's one-off cost, cash) and stranded
        commitments and book value written off: they add up to ``cost_of_leaving``."""
        assert self.plan.recommended is not None
        cash = self.plan.recommended.one_offs()
        return {"migration": cash["migration"], "onboarding": cash["onboarding"],
                "closing": cash["closing"],
                "stranded_commitments": sum(self.stranded.values(), ZERO),
                "book_value_written_off": sum(self.write_off.values(), ZERO)}

    @property
    def one_off_cost(self) -> Decimal:
        parts = self.one_offs()
        return parts["migration"] + parts["onboarding"] + parts["closing"]

    @property
    def cost_of_leaving(self) -> Decimal:
        return sum(self.one_offs().values(), ZERO)

    @property
    def switching(self) -> Decimal:
        return sum((r.switching for r in self.leavers), ZERO)

    @property
    def transfer_days(self) -> Decimal:
        return max((t.days for t in self.transfers), default=ZERO)

    @property
    def effort_days(self) -> Decimal:
        return self.settings.effort_days_per_workload * len(self.leavers)

    @property
    def duration_days(self) -> Decimal:
        return self.transfer_days + self.effort_days


def exit_locations(estate: Estate, provider: str | None, location: str | None) -> tuple[str, ...]:
    """The locations an exit leaves; an unknown one, or one the estate does not use, is an
    input error (exit 2)."""
    from advisor.estate.yamlfile import nearest

    provider_of = estate.provider_ids()
    if provider is not None:
        known = sorted(set(provider_of.values()))
        locs = tuple(k for k, v in provider_of.items() if v == provider)
        what = f"provider '{provider}'"
        if not locs:
            near = nearest(provider, known)
            raise InputError(f"unknown {what}", file=estate.path,
                             hint=(f"did you mean '{near}'? " if near else "")
                             + f"the estate's providers: {', '.join(known)}")
    else:
        assert location is not None
        known = sorted(provider_of)
        what = f"location '{location}'"
        if location not in provider_of:
            near = nearest(location, known)
            raise InputError(f"unknown {what}", file=estate.path,
                             hint=(f"did you mean '{near}'? " if near else "")
                             + f"the estate's locations: {', '.join(known)}")
        locs = (location,)
    if not any(w.location in locs for w in estate.workloads):
        raise InputError(f"the estate runs nothing at {what} today: there is nothing to exit",
                         file=estate.path, hint="name a provider or location that holds "
                                                "workloads (advisor analyze shows where each runs)")
    return locs


def plan_exit(estate: Estate, *, provider: str | None = None, location: str | None = None,
              date: dt.date | None = None, settings: Migration | None = None,
              reoptimize: bool = False, **kwargs: Any) -> ExitPlan:
    """The exit plan (see the module docstring); ``kwargs`` go to ``analyze_estate``."""
    from advisor.pipeline import analyze_estate

    if (provider is None) == (location is None):
        raise InputError("give either --provider or --location",
                         hint="advisor exit --provider azure, or --location onprem-dc2")
    day = date or dt.date.today()
    settings = settings or estate.migration
    locs = exit_locations(estate, provider, location)
    scenario = Scenario(name="exit", close=tuple(Closure(k, day) for k in locs))
    applied = apply(estate, scenario, day)
    changed = applied.estate
    if not reoptimize:
        changed = replace(changed, workloads=[
            w if w.location in locs or w.pinned else replace(w, pinned=True)
            for w in changed.workloads])
    plan = analyze_estate(changed, as_of=day, banned=applied.banned, **kwargs)
    model = plan.model
    assert model is not None and plan.recommended is not None and plan.current is not None
    leavers, stuck = [], []
    original = estate.workload_by_id()
    for r in plan.recommendations:
        if r.current_location not in locs:
            continue
        w = original[r.workload.id]
        if r.moved:
            data = w.resources.total_storage_gb
            switch = ZERO
            if w.migration_cost is None and model.is_switch(r.current_location,
                                                            r.recommended_location):
                switch = data * model.data_out_price(r.current_location,
                                                     r.recommended_location)
            leavers.append(Leaver(w.id, r.current_location, r.recommended_location, data,
                                  r.one_off_cost, switch))
        else:
            stuck.append(Stuck(w.id, r.current_location, _why(plan, r, w.pinned)))
    pairs: dict[tuple[str, str], Decimal] = {}
    for lv in leavers:
        pairs[(lv.source, lv.target)] = pairs.get((lv.source, lv.target), ZERO) + lv.data_gb
    transfers = [PairTransfer(a, b, gb, settings.mbps(a, b))
                 for (a, b), gb in sorted(pairs.items())]
    before = {c.id: c for c in plan.current.commitments}
    stranded = {c.id: c.stranded - before[c.id].stranded for c in plan.recommended.commitments
                if c.stranded > before[c.id].stranded}
    subject = f"provider {provider}" if provider else f"location {location}"
    out = ExitPlan(subject, "provider" if provider else "location",
                   provider or location or "", day, plan, locs, leavers, stuck, transfers,
                   settings, reoptimize, stranded, dict(plan.recommended.facilities.write_off))
    out.assumptions = _assumptions(out)
    from advisor.estate.cost_checks import warnings

    ours = set(warnings(changed)) - set(warnings(estate))  # from pinning the others
    plan.notes = [n for n in plan.notes if n not in ours]
    return out


def _why(plan: Plan, r: Any, pinned: bool) -> str:
    loc = plan.estate.location_by_id()[r.current_location]
    if pinned:
        return "pinned: it never moves"
    if loc.saas:
        return "SaaS: only its supplier runs it (end or move the contract instead)"
    causes = [x for x in r.reasons if x.startswith("no allowed location")]
    parts = causes[:1]
    if r.excluded:
        parts.append("excluded elsewhere: " + "; ".join(
            f"{k} by {', '.join(v)}" for k, v in sorted(r.excluded.items())))
    if r.unavailable:
        parts.append("unavailable: " + "; ".join(r.unavailable[k] for k in sorted(r.unavailable)))
    return "; ".join(parts) or "no other allowed location"


def _assumptions(e: ExitPlan) -> list[str]:
    s = e.settings
    out = [f"exit date {e.date.isoformat()}: every figure is as of that day",
           f"{e.subject} leaves: {', '.join(e.locations)} hold(s) no workload after the exit "
           "(pinned, SaaS and workloads with no other allowed location stay, listed)",
           "only the workloads that run there move; the others stay where they run"
           if not e.reoptimize else "every workload may move (--reoptimize)",
           f"data transfer at {s.bandwidth_mbps.normalize():f} Mbit/s per location pair"
           + ("" if not s.pairs else " unless declared otherwise ("
              + ", ".join(f"{a} -> {b}: {v.normalize():f}" for (a, b), v in sorted(s.pairs.items()))
              + ")")
           + "; pairs in parallel, data of one pair one after another, GB = 10^9 bytes",
           f"effort {s.effort_days_per_workload.normalize():f} working day(s) per workload, one "
           "workload after another; duration = transfer of the busiest pair + effort",
           "one-off cost = migration + onboarding + closing (cash); stranded commitments are "
           "the fees still due for capacity the exit leaves unused (the monthly cost after "
           "counts them too, as their average over the horizon); book value written off is "
           "sunk (not cash)"]
    return out + list(e.plan.assumptions)
