"""The report's targets section (``targets:`` in advisor.yaml): each target, the share of cloud
spend today and after the recommended placement, whether it is met, and its price (what meeting
it adds to the monthly objective); plain cells that the Markdown and the HTML report escape
their own way."""

from __future__ import annotations

from decimal import Decimal

from advisor.estate.model import Target
from advisor.outputs.i18n import Lang
from advisor.placement.plan import Plan

NUMERIC = {1, 2, 4}


def headers(lang: Lang) -> list[str]:
    t = lang.t
    return [t("target"), t("share_now"), t("share_after"), t("target_met"), t("price_month")]


def _pct(value: Decimal | None, lang: Lang) -> str:
    return "-" if value is None else lang.percent(value, signed=False)


def label(target: Target, lang: Lang) -> str:
    """The target in words, in the report's language."""
    t = lang.t
    if target.kind == "per_provider":
        return t("target_per_provider", share=_pct(target.maximum, lang))
    bounds = [t("target_min", share=_pct(target.minimum, lang))] \
        if target.minimum is not None else []
    if target.maximum is not None:
        bounds.append(t("target_max", share=_pct(target.maximum, lang)))
    text = t("target_share", bounds=t("and_word").join(bounds),
             where=", ".join(f"{k}: {v}" for k, v in target.where.items()))
    return text + (t("target_from", date=lang.date(target.from_)) if target.from_ else "")


def _detail(detail: str, lang: Lang) -> str:
    if detail.startswith("largest: "):
        return " (" + lang.t("target_largest", provider=detail.removeprefix("largest: ")) + ")"
    if detail == "no cloud spend":
        return " (" + lang.t("target_no_spend") + ")"
    return f" ({detail})" if detail else ""


def rows(plan: Plan, lang: Lang) -> list[list[str]]:
    t = lang.t
    return [[label(r.target, lang) + ("" if r.binding else t("target_not_binding")),
             _pct(r.share_now, lang), _pct(r.share, lang) + _detail(r.detail, lang),
             t("yes") if r.met else t("no"),
             "-" if r.price is None else lang.money(r.price)]
            for r in plan.targets]
