"""Every cost term against brute force: on small random estates that use the term, every
placement is enumerated and priced by a reference written here from the README's cost
conventions (commitments month by month, not by the segments the advisor uses), and the
optimizer's plan must reach the cheapest one, to the cent, and price its own placement as the
reference does."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from decimal import Decimal

import pytest

from advisor.estate.model import (
    Capacity,
    Commitment,
    Dependency,
    Estate,
    ExchangeRate,
    Licence,
    Location,
    PackRef,
    Prices,
    Provider,
    Resources,
    Workload,
)
from advisor.placement.costs import CostModel
from advisor.placement.optimize import optimize
from advisor.placement.plan import build_plan
from advisor.rules import evaluate, load_packs

D = Decimal
H = 12
AS_OF = dt.date(2026, 12, 2)
CLASSES = ("block", "file", "object", "archive")
FEATURES = ("storage", "fixed", "providers", "reservation", "savings_plan", "licences", "saas",
            "egress", "switching", "switching-free", "all")


def _estate(feature: str, seed: int) -> Estate:
    """A small estate that exercises ``feature`` (``all``: every feature at once)."""
    rng = random.Random(f"{feature}-{seed}")
    on = {f: feature in (f, "all") for f in FEATURES}
    on["switching"] = on["switching"] or feature == "switching-free"
    kinds = ["onprem", "aws", "aws", "azure", "other"]
    locs = []
    n_locs = rng.randint(2, 4)
    for i in range(n_locs):
        provider = "onprem" if i == 0 else rng.choice(kinds[1:])
        if on["saas"] and i == n_locs - 1:
            provider = "saas"
        storage = None
        if on["storage"] or on["all"]:
            storage = {c: D(rng.choice(["0.01", "0.05", "0.1"])) for c in CLASSES
                       if rng.random() < 0.75}
        egress = D(rng.choice(["0", "0.05", "0.09"]))
        same = D(rng.choice(["0", "0.02"])) if on["egress"] and rng.random() < 0.7 else None
        to = {f"l{j}": D(rng.choice(["0", "0.01", "0.03"])) for j in range(n_locs)
              if j != i and on["egress"] and rng.random() < 0.4}
        switching = D(rng.choice(["0", "0.02"])) if on["switching"] and rng.random() < 0.5 \
            else None
        fixed = D(rng.choice([0, 40, 150, 600])) if on["fixed"] else D(0)
        locs.append(Location(
            id=f"l{i}", name=f"l{i}", provider=provider, region=f"r{i}", country="NL",
            jurisdiction=rng.choice(["EU", "EU", "OTHER"]),
            cloud_act=provider not in ("onprem", "other") and rng.random() < 0.6,
            prices=Prices(rng.choice(["EUR", "USD"]), D(rng.choice(["0.02", "0.03", "0.05"])),
                          D(rng.choice(["0.002", "0.004"])),
                          D(rng.choice(["0.03", "0.05"])) if storage is None
                          else storage.get("block", D(0)),
                          egress, storage, same, to, switching),
            capacity=Capacity(D(rng.choice([6, 10, 40])), None, None)
            if rng.random() < 0.4 else None,
            latency_ms={f"l{j}": D(rng.choice([2, 10, 30])) for j in range(i)},
            fixed_monthly=fixed,
            can_close=rng.choice([True, False, None]) if on["fixed"] else None,
            close_one_off=D(rng.choice([0, 500, 3000])) if on["fixed"] else D(0),
            book_value=D(rng.choice([0, 1000])) if on["fixed"] else D(0)))
    n = rng.randint(3, 5)
    ws = []
    for k in range(n):
        deps = []
        for j in range(k):
            if rng.random() < 0.4:
                deps.append(Dependency(
                    f"w{j}", D(rng.choice([0, 10, 100, 400])), D(rng.choice([0, 5, 50])),
                    colocate=rng.random() < 0.1,
                    max_latency_ms=D(rng.choice([5, 20])) if rng.random() < 0.2 else None))
        home = rng.choice(locs)
        if on["saas"] and k == 0:
            home = locs[-1]  # one workload its supplier runs
        classes = {c: D(0) for c in CLASSES}
        if on["storage"]:
            for c in CLASSES:
                if rng.random() < 0.35:
                    classes[c] = D(rng.choice([50, 500]))
            classes = {c: gb if home.prices.storage_price(c) is not None or home.saas else D(0)
                       for c, gb in classes.items()}
        else:
            classes["block"] = D(rng.choice([0, 100]))
        lic: tuple[str, ...] = ()
        if on["licences"] and rng.random() < 0.6:
            lic = ("db",) if rng.random() < 0.5 else ("db", "os")
        ws.append(Workload(
            id=f"w{k}", name=f"w{k}", application="a", location=home.id,
            resources=Resources(D(rng.choice([1, 2, 4])), D(rng.choice([2, 8])),
                                classes["block"], classes["file"], classes["object"],
                                classes["archive"]),
            labels={"personal-data": rng.choice(["none", "personal", "special"]),
                    "data-classification": rng.choice(["internal", "confidential"])},
            migration_cost=D(rng.choice([0, 100, 1000])) if rng.random() < 0.5 else None,
            pinned=rng.random() < 0.1, depends_on=tuple(deps), licences=lic))
    providers = []
    if on["providers"]:
        for kind in sorted({loc.provider for loc in locs} - {"onprem", "saas"}):
            providers.append(Provider(kind, kind, onboarding_one_off=D(rng.choice([0, 600, 2400])),
                                      fixed_monthly=D(rng.choice([0, 30, 120])),
                                      currency=rng.choice([None, "USD"])))
    commitments = []
    clouds = [loc for loc in locs if loc.provider not in ("onprem", "saas")]
    if on["reservation"] and clouds:
        for i in range(rng.randint(1, 2)):
            at = rng.choice(clouds)
            commitments.append(Commitment(
                f"ri{i}", "reservation", D(rng.choice([10, 60])),
                dt.date(2027, rng.randint(1, 12), 15) if rng.random() < 0.7 else
                dt.date(2029, 1, 1), rng.choice([None, "USD"]), location=at.id,
                covers_cpu=D(rng.choice([1, 2, 4])), covers_memory_gb=D(rng.choice([0, 4, 8]))))
    if on["savings_plan"] and clouds:
        for i in range(rng.randint(1, 2)):
            commitments.append(Commitment(
                f"sp{i}", "savings_plan", D(rng.choice([5, 20, 80])),
                rng.choice([None, dt.date(2027, rng.randint(1, 12), 1)]),
                rng.choice([None, "USD"]), provider=rng.choice(clouds).provider,
                discount=D(rng.choice(["0.2", "0.5"]))))
    licences = []
    if on["licences"]:
        prices = {"default": D(rng.choice([5, 20]))}
        for loc in locs:
            if rng.random() < 0.4:
                prices[loc.id] = D(rng.choice([0, 3, 30]))
        if rng.random() < 0.5:  # no default: the locations without a price are unavailable
            prices.pop("default")
            for w in ws:
                prices.setdefault(w.location, D(12))
        licences = [Licence("db", prices, rng.choice([None, "USD"])),
                    Licence("os", {"default": D(2), "onprem": D(1)})]
    return Estate(
        name="t", currency="EUR", locations=locs, workloads=ws,
        exchange_rates=[ExchangeRate("USD", D("0.9"), dt.date(2026, 1, 1))],
        horizon_months=H, policies=[PackRef("builtin:sovereignty", None)],
        providers=providers, commitments=commitments, licences=licences)


# --------------------------------------------------------------------------- the reference
def _rate(currency: str | None) -> Decimal:
    return D(1) if currency in (None, "EUR") else D("0.9")


def _provider(estate: Estate, loc: Location) -> str:
    return loc.provider


def _path(estate: Estate, a: Location, b: Location) -> Decimal:
    if a.id == b.id:
        return D(0)
    p = a.prices
    options = [p.egress_gb]
    if p.egress_gb_same_provider is not None and _provider(estate, a) == _provider(estate, b):
        options.append(p.egress_gb_same_provider)
    if b.id in p.egress_gb_to:
        options.append(p.egress_gb_to[b.id])
    return min(options) * _rate(p.currency)


def _storage(loc: Location, w: Workload) -> Decimal | None:
    """None: a class without a price (where it runs today as SaaS, such a class costs 0: the
    supplier's bill covers it)."""
    total = D(0)
    for c, gb in w.resources.storage():
        if not gb:
            continue
        price = loc.prices.storage_price(c)
        if price is None and loc.saas and loc.id == w.location:
            continue
        if price is None:
            return None
        total += gb * price * _rate(loc.prices.currency)
    return total


def _licence(estate: Estate, loc: Location, w: Workload) -> Decimal | None:
    by_id = {lic.id: lic for lic in estate.licences}
    total = D(0)
    for name in w.licences:
        lic = by_id[name]
        price = next((lic.monthly_per_vcpu[k] for k in (loc.id, loc.provider, "default")
                      if k in lic.monthly_per_vcpu), None)
        if price is None and loc.saas and loc.id == w.location:
            continue
        if price is None:
            return None
        total += w.resources.cpu * price * _rate(lic.currency)
    return total


def _run(loc: Location, w: Workload) -> Decimal:
    r = _rate(loc.prices.currency)
    compute = (w.resources.cpu * loc.prices.cpu_hour + w.resources.memory_gb
               * loc.prices.memory_gb_hour) * 730 * r
    return compute + (_storage(loc, w) or D(0))


def _months_left(ends: dt.date | None, as_of: dt.date) -> int:
    if ends is None:
        return H
    if ends < as_of:
        return 0
    return (ends.year * 12 + ends.month) - (as_of.year * 12 + as_of.month) + 1


def _as_of(feature: str) -> dt.date:
    return dt.date(2027, 2, 1) if feature == "switching-free" else AS_OF


def _reference(estate: Estate, ev, placement: dict[str, str],
               as_of: dt.date = AS_OF) -> Decimal | None:
    """The objective of a placement, or None when it is not allowed."""
    locs = estate.location_by_id()
    idx = {loc.id: i for i, loc in enumerate(estate.locations)}
    total = D(0)
    one_offs = D(0)
    for w in estate.workloads:
        here = placement[w.id]
        loc, home = locs[here], locs[w.location]
        if here != w.location and (w.pinned or loc.saas or home.saas):
            return None
        held = w.pinned or home.saas  # stays whatever the rules say
        if not held and not ev.allowed[w.id][idx[here]]:
            return None
        if _storage(loc, w) is None or _licence(estate, loc, w) is None:
            return None
        for d in w.depends_on:
            there = placement[d.workload]
            if d.colocate and here != there:
                return None
            if d.max_latency_ms is not None and here != there:
                lat = [x for x in (loc.latency_ms.get(there), locs[there].latency_ms.get(here))
                       if x is not None]
                if not lat or min(lat) > d.max_latency_ms:
                    return None
            total += d.receive_gb_month * _path(estate, locs[there], loc) \
                + d.send_gb_month * _path(estate, loc, locs[there])
        total += _run(loc, w) + (_licence(estate, loc, w) or D(0)) + ev.penalty[w.id][idx[here]]
        if here != w.location:
            if w.migration_cost is not None:
                one_offs += w.migration_cost
            else:
                per_gb = _path(estate, home, loc)
                if home.provider not in ("onprem", "saas") and home.provider != loc.provider:
                    per_gb = D(0) if as_of >= dt.date(2027, 1, 12) else (
                        per_gb if home.prices.switching_gb is None else
                        min(per_gb, home.prices.switching_gb * _rate(home.prices.currency)))
                one_offs += w.resources.total_storage_gb * per_gb + _run(home, w)
    for loc in estate.locations:
        if loc.capacity and loc.capacity.cpu is not None:
            used = sum(w.resources.cpu for w in estate.workloads if placement[w.id] == loc.id)
            if used > loc.capacity.cpu:
                return None
    # fixed costs: open when it holds a workload, or held one today and stays (may not close,
    # or closing costs more than keeping it)
    today = {w.location for w in estate.workloads}
    held = {placement[w.id] for w in estate.workloads}
    opened = set()
    for loc in estate.locations:
        r = _rate(loc.prices.currency)
        closable = loc.can_close if loc.can_close is not None else \
            loc.provider not in ("onprem", "saas")
        if loc.id in held or (loc.id in today and (
                not closable or loc.close_one_off * r / H > loc.fixed_monthly * r)):
            opened.add(loc.id)
            total += loc.fixed_monthly * r
        elif loc.id in today:
            one_offs += loc.close_one_off * r
    for p in estate.providers:
        mine = [loc.id for loc in estate.locations if loc.provider == p.id]
        if any(m in opened for m in mine):
            total += p.fixed_monthly * _rate(p.currency)
            if not any(m in today for m in mine):
                one_offs += p.onboarding_one_off * _rate(p.currency)
    # commitments, month by month
    for month in range(H):
        for c in estate.commitments:
            if _months_left(c.ends, as_of) > month:
                total += c.monthly * _rate(c.currency) / H
        for provider in sorted({loc.provider for loc in estate.locations}):
            uncovered = D(0)
            for loc in (x for x in estate.locations if x.provider == provider):
                r = _rate(loc.prices.currency)
                cpu = sum((w.resources.cpu for w in estate.workloads
                           if placement[w.id] == loc.id), D(0))
                mem = sum((w.resources.memory_gb for w in estate.workloads
                           if placement[w.id] == loc.id), D(0))
                live = [c for c in estate.commitments
                        if c.location == loc.id and _months_left(c.ends, as_of) > month]
                cov_cpu = sum((c.covers_cpu for c in live), D(0))
                cov_mem = sum((c.covers_memory_gb for c in live), D(0))
                pc, pm = loc.prices.cpu_hour * 730 * r, loc.prices.memory_gb_hour * 730 * r
                total -= (min(cpu, cov_cpu) * pc + min(mem, cov_mem) * pm) / H
                uncovered += max(D(0), cpu - cov_cpu) * pc + max(D(0), mem - cov_mem) * pm
            plan_cover = sum((c.monthly * _rate(c.currency) / (1 - c.discount)
                              for c in estate.commitments
                              if c.kind == "savings_plan" and c.provider == provider
                              and _months_left(c.ends, as_of) > month), D(0))
            total -= min(uncovered, plan_cover) / H
    return total + one_offs / H


@pytest.mark.parametrize("feature", FEATURES)
@pytest.mark.parametrize("seed", range(12))
def test_every_term_matches_brute_force(feature: str, seed: int) -> None:
    estate = _estate(feature, seed)
    as_of = _as_of(feature)
    ev = evaluate(load_packs(estate.policies), estate)
    ids = [loc.id for loc in estate.locations]
    best = None
    for combo in itertools.product(ids, repeat=len(estate.workloads)):
        placement = {w.id: loc for w, loc in zip(estate.workloads, combo, strict=True)}
        cost = _reference(estate, ev, placement, as_of)
        if cost is not None and (best is None or cost < best):
            best = cost
    model = CostModel(estate, as_of=as_of)
    sol = optimize(estate, model, ev, gap=1e-9)
    plan = build_plan(estate, model, ev, sol)
    if best is None or sol.unplaceable:
        assert sol.status == "infeasible" or sol.unplaceable
        return
    assert sol.status == "optimal"
    got = _reference(estate, ev, sol.placement, as_of)
    assert got is not None, "the optimizer's placement breaks a constraint"
    assert abs(got - plan.summary()["objective"]) < D("1e-9"), (got, plan.summary())
    assert abs(got - best) <= D("0.01"), (got, best)


@pytest.mark.parametrize("seed", range(4))
def test_switching_is_free_from_the_data_act_date(seed: int) -> None:
    """Data leaving a cloud provider for another provider costs the at-cost rate before
    2027-01-12 and nothing from that day (the default migration of a workload)."""
    estate = _estate("switching", seed)
    before = CostModel(estate, as_of=dt.date(2027, 1, 11))
    after = CostModel(estate, as_of=dt.date(2027, 1, 12))
    for a in estate.locations:
        for b in estate.locations:
            if before.is_switch(a.id, b.id):
                assert after.data_out_price(a.id, b.id) == 0
                assert before.data_out_price(a.id, b.id) == min(
                    before.path_price(a.id, b.id),
                    before.path_price(a.id, b.id) if a.prices.switching_gb is None
                    else a.prices.switching_gb * before.rate(a.prices.currency))
            else:
                assert after.data_out_price(a.id, b.id) == before.path_price(a.id, b.id)
