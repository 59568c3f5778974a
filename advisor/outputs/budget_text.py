"""The multi-year budget (``advisor analyze --budget``) as a terminal table, CSV for the finance
system, Markdown and JSON: the base plan's, and with ``--scenario`` each scenario's beside it.
Shown amounts are cents apportioned per plan so that each year's parts add up to its total and
the years to the plan's grand total; the comparison of the plans shows those same totals."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from advisor.money import apportion, cents, money_text
from advisor.outputs.escape import csv_cell, markdown_text
from advisor.outputs.money import number
from advisor.placement.plan import Plan
from advisor.planning.budget import PARTS, BudgetYear, PlanBudget

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


def grand_totals(budgets: list[PlanBudget]) -> list[Decimal]:
    """Each plan's total over the years, as shown (the sum of its shown yearly totals)."""
    return [sum((sum(parts, Decimal(0)) for parts in shown(b.years)), Decimal(0))
            for b in budgets]


def comparison_headers(budgets: list[PlanBudget]) -> list[str]:
    return ["plan", *(str(y.year) for y in budgets[0].years), "total", "vs base"]


def comparison_rows(budgets: list[PlanBudget]) -> list[list[str]]:
    """Per plan (base first) its yearly totals as shown in its own table, its total over the
    years, and that total less the base plan's."""
    grands = grand_totals(budgets)
    out = []
    for b, grand in zip(budgets, grands, strict=True):
        yearly = [sum(parts, Decimal(0)) for parts in shown(b.years)]
        out.append([b.name, *(money_text(x) for x in yearly), money_text(grand),
                    "-" if b is budgets[0] else _signed(grand - grands[0])])
    return out


def _signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "") + money_text(amount)


COMPARISON = ("Budget per calendar year of the base plan and each scenario (totals, in {c}; "
              "vs base: the total over the years less the base plan's):")


def _title(b: PlanBudget) -> str:
    return f"Scenario {b.name}" + (f" ({b.description})" if b.description else "")


def render_table(plan: Plan, budgets: list[PlanBudget]) -> str:
    from tabulate import tabulate

    def table(years: list[BudgetYear]) -> str:
        return str(tabulate(rows(years), headers=HEADERS, tablefmt="simple",
                            disable_numparse=True,
                            colalign=("left",) + ("right",) * 5 + ("left", "left")))

    out = [intro(plan), "", table(budgets[0].years)]
    if len(budgets) > 1:
        n = len(budgets[0].years)
        out += ["", COMPARISON.format(c=plan.currency), "",
                tabulate(comparison_rows(budgets), headers=comparison_headers(budgets),
                         tablefmt="simple", disable_numparse=True,
                         colalign=("left",) + ("right",) * (n + 2))]
        for b in budgets[1:]:
            out += ["", _title(b) + ":", "", table(b.years)]
    return "\n".join(out) + "\n"


def render_markdown(plan: Plan, budgets: list[PlanBudget]) -> str:
    from advisor.outputs.plan_text import _md_rows

    out = ["## Multi-year budget", "", markdown_text(intro(plan)), "",
           *_md_rows(HEADERS, rows(budgets[0].years))]
    if len(budgets) > 1:
        out += ["", "### Base plan and scenarios", "",
                markdown_text(COMPARISON.format(c=plan.currency)), "",
                *_md_rows(comparison_headers(budgets), comparison_rows(budgets))]
        for b in budgets[1:]:
            out += ["", f"### {markdown_text(_title(b))}", "", *_md_rows(HEADERS, rows(b.years))]
    return "\n".join(out) + "\n"


CSV_HEADERS = ["scenario", "year", *PARTS, "total", "currency", "commitments_ending",
               "replacement_investment"]


def render_csv(plan: Plan, budgets: list[PlanBudget]) -> str:
    """One line per plan and year, the base plan ("base") first, then each scenario in the
    order of its file: scenario, year, the parts, total, currency, commitments ending,
    replacement investment. No total lines: a finance system sums what it imports."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for b in budgets:
        for y, parts in zip(b.years, shown(b.years), strict=True):
            writer.writerow([csv_cell(b.name), y.year, *(f"{p}" for p in parts),
                             f"{sum(parts, Decimal(0))}", plan.currency,
                             csv_cell("; ".join(y.ending)),
                             csv_cell("; ".join(f"{k} {cents(v)}" for k, v in
                                             sorted(y.replacement.items())))])
    return out.getvalue()


def budget_json(years: list[BudgetYear]) -> list[dict[str, Any]]:
    return [{"year": y.year, **{k: number(p) for k, p in zip(PARTS, parts, strict=True)},
             "total": number(sum(parts, Decimal(0))), "commitments_ending": y.ending,
             "replacement_investment": {k: number(v) for k, v in sorted(y.replacement.items())}}
            for y, parts in zip(years, shown(years), strict=True)]
