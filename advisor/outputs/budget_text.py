"""The multi-year budget (``advisor analyze --budget``) as a terminal table, CSV for the finance
system, Markdown and JSON. Shown amounts are cents apportioned so that each year's parts add up
to its total and the years to the grand total."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from advisor.money import apportion, cents, money_text
from advisor.outputs.escape import csv_cell, markdown_text
from advisor.outputs.money import number
from advisor.placement.plan import Plan
from advisor.planning.budget import PARTS, BudgetYear

HEADERS = ["year", "operating", "capital charges", "commitments", "one-off", "total",
           "commitments ending", "replacement investment (not added)"]


def shown(years: list[BudgetYear]) -> list[list[Decimal]]:
    """Per year its parts in cents, adding up to the year's total (itself apportioned so that
    the years add up to the grand total)."""
    totals = apportion([y.total for y in years])
    return [apportion([y.part(k) for k in PARTS], t) for y, t in zip(years, totals, strict=True)]


def _replacement(y: BudgetYear) -> str:
    return ", ".join(f"{k} {money_text(v)}" for k, v in sorted(y.replacement.items()))


def rows(years: list[BudgetYear]) -> list[list[str]]:
    out = []
    for y, parts in zip(years, shown(years), strict=True):
        out.append([str(y.year), *(money_text(p) for p in parts),
                    money_text(sum(parts, Decimal(0))), ", ".join(y.ending), _replacement(y)])
    sums = [sum((parts[i] for parts in shown(years)), Decimal(0)) for i in range(len(PARTS))]
    out.append(["total", *(money_text(x) for x in sums), money_text(sum(sums, Decimal(0))),
                "", ""])
    return out


def intro(plan: Plan) -> str:
    return (f"Multi-year budget (meerjarenbegroting) of the recommended placement, in "
            f"{plan.currency} per calendar year; the moves in the first year:")


def render_table(plan: Plan, years: list[BudgetYear]) -> str:
    from tabulate import tabulate

    return "\n".join([intro(plan), "", tabulate(
        rows(years), headers=HEADERS, tablefmt="simple", disable_numparse=True,
        colalign=("left",) + ("right",) * 5 + ("left", "left"))]) + "\n"


def render_markdown(plan: Plan, years: list[BudgetYear]) -> str:
    from advisor.outputs.plan_text import _md_rows

    return "\n".join(["## Multi-year budget", "", markdown_text(intro(plan)), "",
                      *_md_rows(HEADERS, rows(years))]) + "\n"


def render_csv(plan: Plan, years: list[BudgetYear]) -> str:
    """One line per year: year, the parts, total, currency, commitments ending, replacement."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", *PARTS, "total", "currency", "commitments_ending",
                     "replacement_investment"])
    for y, parts in zip(years, shown(years), strict=True):
        writer.writerow([y.year, *(f"{p}" for p in parts), f"{sum(parts, Decimal(0))}",
                         plan.currency,
                         csv_cell("; ".join(y.ending)),
                         csv_cell("; ".join(f"{k} {cents(v)}" for k, v in
                                         sorted(y.replacement.items())))])
    return out.getvalue()


def budget_json(years: list[BudgetYear]) -> list[dict[str, Any]]:
    return [{"year": y.year, **{k: number(p) for k, p in zip(PARTS, parts, strict=True)},
             "total": number(sum(parts, Decimal(0))), "commitments_ending": y.ending,
             "replacement_investment": {k: number(v) for k, v in sorted(y.replacement.items())}}
            for y, parts in zip(years, shown(years), strict=True)]
