"""The report's savings in words: the labels of the rows that make a table of moves add up, the
objective as a sum, and the whole IT cost per inhabitant beside the benchmark. Shared by the
HTML and the Markdown report (figures from ``advisor.outputs.statement``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from advisor.estate.model import SWITCHING_FREE_FROM
from advisor.outputs.i18n import Lang
from advisor.outputs.statement import SavingRow, Statement
from advisor.report.build import Report

OBJECTIVE_KEYS = {"recommended": "objective_rec", "migration": "objective_migration",
                  "onboarding": "objective_onboarding", "closing": "objective_closing",
                  "penalty": "objective_penalty"}


def row_label(row: SavingRow, lang: Lang) -> str:
    """A row's first cell (a move's is the workload's name)."""
    if row.kind == "more":
        return lang.t("more_moves_row", n=row.count)
    if row.kind == "stays":
        return lang.t("stays_row", n=row.count)
    if row.kind == "line" and row.line is not None:
        return lang.t(f"line_{row.line.kind}", what=row.line.key)
    return row.label


def row_cells(row: SavingRow, lang: Lang) -> list[str]:
    """A row of the table of moves as plain text: workload (or the row's label), application,
    now, recommended, saving, one-off, payback (a renderer escapes them)."""
    m = row.recommendation
    if m is None:
        return [row_label(row, lang), "", "", "", lang.money(row.saving),
                lang.money(row.one_off), ""]
    return [m.workload.name or m.workload.id, m.workload.application, m.current_location,
            m.recommended_location, lang.money(row.saving), lang.money(row.one_off),
            lang.payback(m.one_off_cost, m.monthly_savings)]


def objective_sentence(st: Statement, lang: Lang) -> str:
    """'Objective: a recommended monthly cost + b migration + ... = c per month.'"""
    *parts, (_, _, total) = st.objective
    words = [lang.t(OBJECTIVE_KEYS[key], amount=lang.money(amount)) for key, _, amount in parts]
    return lang.t("objective_line", parts=" + ".join(words), objective=lang.money(total))


def whole_it(r: Report, lang: Lang, hosting_month: Decimal) -> list[tuple[str, str]]:
    """(label, text) of the whole IT cost per inhabitant, when the estate declares its other IT
    cost, with the published benchmark it gives."""
    estate = r.plan.estate
    other = estate.other_it_monthly
    if other is None or not r.inhabitants:
        return []
    year = (hosting_month + other) * 12 / Decimal(r.inhabitants)
    text = lang.t("whole_it_value", year=lang.money(year), other=lang.money(other))
    bench = estate.it_benchmark
    if bench is not None:
        text += "; " + lang.t("benchmark", value=lang.money(bench.per_inhabitant_year),
                              source=bench.source,
                              year=f", {bench.year}" if bench.year else "")
    return [(lang.t("whole_it"), text)]


def switching_text(r: Report, lang: Lang) -> str:
    """The EU Data Act assumption behind every data-out price, as of the plan's day."""
    day = r.plan.as_of or dt.date.today()
    key = "switching_free" if day >= SWITCHING_FREE_FROM else "switching_paid"
    return lang.t(key, day=lang.date(day), free=lang.date(SWITCHING_FREE_FROM))
