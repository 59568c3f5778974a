"""The report's multi-year budget section: the recommended placement's budget per calendar year
(``advisor.planning.budget``), as plain cells the Markdown and HTML report escape their own way."""

from __future__ import annotations

from decimal import Decimal

from advisor.outputs.budget_text import shown
from advisor.outputs.i18n import Lang
from advisor.planning.budget import budget
from advisor.report.build import Report

NUMERIC = {1, 2, 3, 4, 5}


def table(r: Report, lang: Lang) -> tuple[list[str], list[list[str]]]:
    t = lang.t
    head = [t("year"), t("operating"), t("capital_charges"), t("commitments_col"), t("one_off"),
            t("total_year")]
    years = budget(r.plan)
    rows = [[str(y.year), *(lang.money(p) for p in parts), lang.money(sum(parts, Decimal(0)))]
            for y, parts in zip(years, shown(years), strict=True)]
    return head, rows
