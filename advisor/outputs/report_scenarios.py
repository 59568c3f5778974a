"""The report's scenarios section (``scenarios:`` in advisor.yaml): the base plan and each
scenario side by side, and how many workloads each places differently; plain cells that the
Markdown and the HTML report escape their own way."""

from __future__ import annotations

from advisor.outputs.i18n import Lang
from advisor.outputs.statement import statement
from advisor.placement.plan import Plan
from advisor.planning.scenarios import ScenarioRun

NUMERIC = {1, 2, 3, 4, 5, 6, 7}


def headers(lang: Lang) -> list[str]:
    t = lang.t
    return [t("scenario"), t("now"), t("after"), t("saving"), t("one_off"), t("moves_col"),
            t("differences"), t("objective_col")]


def _row(name: str, plan: Plan, differences: int | None, lang: Lang) -> list[str]:
    st = statement(plan)
    return [name, lang.money(st.total.now), lang.money(st.total.after),
            lang.money(st.total.saving), lang.money(st.total.one_off),
            lang.number(plan.summary()["moves"], 0),
            "-" if differences is None else lang.number(differences, 0),
            lang.money(st.objective[-1][2])]


def rows(base: Plan, runs: list[ScenarioRun], lang: Lang) -> list[list[str]]:
    return [_row(lang.t("base_plan"), base, None, lang),
            *(_row(r.scenario.name, r.plan, len(r.differences), lang) for r in runs)]


def descriptions(runs: list[ScenarioRun]) -> list[tuple[str, str]]:
    return [(r.scenario.name, r.scenario.description) for r in runs if r.scenario.description]
