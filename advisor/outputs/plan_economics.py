"""The plan's economics for people: the cost split, the locations that close or open and the
providers added or dropped, the commitments, the objective and the assumptions. Plain text lines
that the terminal table and the Markdown both use (figures from ``advisor.outputs.statement``)."""

from __future__ import annotations

from decimal import Decimal

from advisor.money import money_text
from advisor.outputs.statement import SPLIT, SPLIT_LABELS, Statement
from advisor.placement.plan import Plan

ZERO = Decimal(0)


def signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "") + money_text(amount)


def split_rows(st: Statement) -> list[list[str]]:
    """line | now | after | saving, then the total."""
    rows = [[SPLIT_LABELS[key], money_text(st.split[key].now), money_text(st.split[key].after),
             money_text(st.split[key].saving)]
            for key in SPLIT if st.split[key].now or st.split[key].after]
    rows.append(["total", money_text(st.total.now), money_text(st.total.after),
                 money_text(st.total.saving)])
    return rows


SPLIT_HEADERS = ["monthly cost by line", "now", "after", "saving"]


def objective_text(st: Statement, currency: str) -> str:
    """'81,504.65 EUR/month = 74,653.87 recommended monthly cost + 6,850.78 migration over 36
    months' (the parts add up to it)."""
    *parts, (_, _, total) = st.objective
    return f"{money_text(total)} {currency}/month = " + " + ".join(
        f"{money_text(amount)} {label}" for _, label, amount in parts)


def savings_text(st: Statement, currency: str) -> str:
    parts = [f"moves {money_text(st.savings['moves'])}"]
    if st.savings["stays"]:
        parts.append(f"workloads that stay but change cost {money_text(st.savings['stays'])}")
    if st.savings["lines"]:
        parts.append(f"fixed costs and commitments {money_text(st.savings['lines'])}")
    return f"{money_text(st.total.saving)} {currency} ({'; '.join(parts)})"


def one_off_text(plan: Plan, st: Statement, currency: str) -> str:
    s = plan.summary()
    parts = [f"migration {money_text(s['one_off_migration_cost'])}"]
    if s["one_off_onboarding_cost"]:
        parts.append(f"provider onboarding {money_text(s['one_off_onboarding_cost'])}")
    if s["one_off_closing_cost"]:
        parts.append(f"closing {money_text(s['one_off_closing_cost'])}")
    return f"{money_text(st.total.one_off)} {currency} ({'; '.join(parts)})"


def facility_lines(plan: Plan) -> list[str]:
    """Locations that close or open, providers added or dropped: what each saves and costs."""
    if plan.current is None or plan.recommended is None:
        return []
    c = plan.currency
    h = plan.estate.horizon_months
    now, after = plan.current.facilities, plan.recommended.facilities
    model = plan.model
    out = []
    for loc in sorted(now.open - after.open):
        fixed = model.prices[loc].fixed_monthly if model else ZERO
        if not (fixed or loc in after.closing or loc in after.write_off):
            continue
        text = f"{loc} closes: its fixed cost of {money_text(fixed)} {c}/month stops"
        closing = after.closing.get(loc, ZERO)
        if closing:
            text += (f"; closing costs {money_text(closing)} {c} once "
                     f"({money_text(closing / h)} {c}/month over {h} months)")
        if loc in after.write_off:
            text += (f"; its book value of {money_text(after.write_off[loc])} {c} is written "
                     "off (sunk: not counted in the decision)")
        out.append(text)
    for loc in sorted(after.open - now.open):
        fixed = model.prices[loc].fixed_monthly if model else ZERO
        if fixed:
            out.append(f"{loc} opens: fixed cost {money_text(fixed)} {c}/month")
    for p in sorted(after.used - now.used):
        text = f"provider {p} is added: fixed {money_text(after.providers.get(p, ZERO))} " \
               f"{c}/month"
        if p in after.onboarding:
            text += (f", onboarding {money_text(after.onboarding[p])} {c} once "
                     f"({money_text(after.onboarding[p] / h)} {c}/month over {h} months)")
        worth = plan.provider_worth.get(p)
        if worth is not None:
            text += (f"; without {p} the best placement would cost the estate "
                     f"{money_text(worth)} {c}/month more, so the saving pays for it")
        out.append(text)
    for p in sorted(now.used - after.used):
        out.append(f"provider {p} is no longer used: its fixed cost of "
                   f"{money_text(now.providers.get(p, ZERO))} {c}/month stops")
    return out


def commitment_lines(plan: Plan) -> list[str]:
    """Each commitment: what it costs and covers now and after, what is left unused."""
    if plan.current is None or plan.recommended is None:
        return []
    c = plan.currency
    before = {x.id: x for x in plan.current.commitments}
    out = []
    for x in plan.recommended.commitments:
        b = before[x.id]
        what = (f"reservation at {x.location}" if x.kind == "reservation"
                else f"savings plan with {x.provider}")
        text = (f"{x.id} ({what}, {money_text(x.monthly)} {c}/month, {x.months_left} month(s) "
                f"left): covers {money_text(b.covered)} -> {money_text(x.covered)} {c}/month "
                f"of use at list price (averaged over the horizon)")
        if x.kind == "reservation" and (x.unused_cpu or x.unused_memory_gb):
            text += (f"; unused after: {x.unused_cpu.normalize():f} vCPU, "
                     f"{x.unused_memory_gb.normalize():f} GB")
        elif x.kind == "savings_plan" and x.unused_share:
            text += f"; unused after: {x.unused_share * 100:.0f}% of the commitment"
        if x.stranded > b.stranded:
            text += (f"; moving away strands {money_text(x.stranded - b.stranded)} {c} until "
                     "it ends (paid whatever runs)")
        elif x.stranded:
            text += f"; {money_text(x.stranded)} {c} paid for unused capacity until it ends"
        out.append(text)
    return out


def per_inhabitant_rows(plan: Plan) -> list[tuple[str, str]]:
    s = plan.summary()
    c = plan.currency
    out = []
    if "current_hosting_cost_per_inhabitant_year" in s:
        out.append(("hosting cost per inhabitant per year",
                    f"{money_text(s['current_hosting_cost_per_inhabitant_year'])} -> "
                    f"{money_text(s['recommended_hosting_cost_per_inhabitant_year'])} {c}"))
    if "current_it_cost_per_inhabitant_year" in s:
        text = (f"{money_text(s['current_it_cost_per_inhabitant_year'])} -> "
                f"{money_text(s['recommended_it_cost_per_inhabitant_year'])} {c}")
        bench = plan.estate.it_benchmark
        if bench is not None:
            year = f" {bench.year}" if bench.year else ""
            text += f" (benchmark{year}: {money_text(bench.per_inhabitant_year)}, {bench.source})"
        out.append(("whole IT cost per inhabitant per year", text))
    return out
