"""The report's multi-year budget section: the recommended placement's budget per calendar year
(``advisor.planning.budget``), and with scenarios in advisor.yaml each scenario's total per year
beside it; as plain cells and chart series that the Markdown and HTML report escape their own
way. Amounts are the cents of ``advisor.outputs.budget_text.shown``: every bar's parts and every
row's years add up to the totals shown."""

from __future__ import annotations

from decimal import Decimal

from advisor.outputs.budget_text import grand_totals, shown
from advisor.outputs.i18n import Lang
from advisor.planning.budget import PARTS, PlanBudget, budgets
from advisor.report.build import Report

NUMERIC = {1, 2, 3, 4, 5}
PART_WORDS = {"operating": "operating", "capital_charges": "capital_charges",
              "commitments": "commitments_col", "one_off": "one_off"}


def plan_budgets(r: Report) -> list[PlanBudget]:
    """The base plan's budget, then each scenario's over the same years."""
    return budgets(r.plan, r.scenarios)


def table(r: Report, lang: Lang, plans: list[PlanBudget] | None = None) \
        -> tuple[list[str], list[list[str]]]:
    t = lang.t
    head = [t("year"), *(t(PART_WORDS[k]) for k in PARTS), t("total_year")]
    years = (plans or plan_budgets(r))[0].years
    rows = [[str(y.year), *(lang.money(p) for p in parts), lang.money(sum(parts, Decimal(0)))]
            for y, parts in zip(years, shown(years), strict=True)]
    return head, rows


def parts_series(plan: PlanBudget, lang: Lang) -> tuple[list[str], list[tuple[str, list[Decimal]]]]:
    """The years, and per budget part its shown amount in each year (the stacked bars)."""
    cells = shown(plan.years)
    return ([str(y.year) for y in plan.years],
            [(lang.t(PART_WORDS[k]), [parts[i] for parts in cells])
             for i, k in enumerate(PARTS)])


def _name(plan: PlanBudget, lang: Lang) -> str:
    return lang.t("base_plan") if plan.name == "base" else plan.name


def totals_series(plans: list[PlanBudget], lang: Lang) \
        -> tuple[list[str], list[tuple[str, list[Decimal]]]]:
    """The years, and per plan (base first) its shown total in each year (the grouped bars)."""
    return ([str(y.year) for y in plans[0].years],
            [(_name(p, lang), [sum(parts, Decimal(0)) for parts in shown(p.years)])
             for p in plans])


def comparison(plans: list[PlanBudget], lang: Lang) -> tuple[list[str], list[list[str]], set[int]]:
    """Per plan its total per year, over the years, and the difference with the base plan."""
    t = lang.t
    years, series = totals_series(plans, lang)
    grands = grand_totals(plans)
    head = [t("scenario"), *years, t("total_years"), t("vs_base")]
    rows = [[name, *(lang.money(v) for v in values), lang.money(grand),
             "-" if i == 0 else lang.money(grand - grands[0], signed=True)]
            for i, ((name, values), grand) in enumerate(zip(series, grands, strict=True))]
    return head, rows, set(range(1, len(head)))
