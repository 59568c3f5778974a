"""The targets (advisor.yaml ``targets:``) beside the plan: each target, the share of cloud
spend today and after, whether the plan meets it and its price (the objective with every
binding target less the objective without this one)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from advisor.money import money_text
from advisor.outputs.escape import markdown_text
from advisor.outputs.money import number
from advisor.placement.plan import Plan

HEADERS = ["target", "now", "after", "met", "price/mo"]


def _pct(share: Decimal | None) -> str:
    if share is None:
        return "-"
    return f"{(share * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def rows(plan: Plan) -> list[list[str]]:
    out = []
    for r in plan.targets:
        label = r.target.label + ("" if r.binding else " (after the horizon: not binding)")
        after = _pct(r.share) + (f" ({r.detail})" if r.detail else "")
        out.append([label, _pct(r.share_now), after, "yes" if r.met else "NO",
                    "-" if r.price is None else money_text(r.price)])
    return out


INTRO = ("Targets (shares of cloud spend: the run and licence cost of workloads in public "
         "clouds; price: what meeting it adds to the monthly objective)")


def render_table(plan: Plan, width: int | None = None) -> list[str]:
    """The targets table, fitted to ``width`` (None: every cell on one line)."""
    if not plan.targets:
        return []
    if width is not None:
        from advisor.outputs.terminal import Column, fit_table, wrap

        columns = [Column("target", wrap=20), Column("now", "right"),
                   Column("after", "right", wrap=8), Column("met"), Column("price/mo", "right")]
        return [*wrap(INTRO + ":", width), fit_table(rows(plan), columns, width), ""]
    from tabulate import tabulate

    return [INTRO + ":", tabulate(rows(plan), headers=HEADERS, tablefmt="simple",
                                  disable_numparse=True,
                                  colalign=("left", "right", "right", "left", "right")), ""]


def render_markdown(plan: Plan) -> list[str]:
    if not plan.targets:
        return []
    from advisor.outputs.plan_text import _md_rows

    return ["## Targets", "", markdown_text(INTRO) + ".", "", *_md_rows(HEADERS, rows(plan)), ""]


def targets_json(plan: Plan) -> list[dict[str, Any]]:
    return [{"label": r.target.label, "kind": r.target.kind, "where": r.target.where,
             "min": None if r.target.minimum is None else float(r.target.minimum),
             "max": None if r.target.maximum is None else float(r.target.maximum),
             "from": r.target.from_.isoformat() if r.target.from_ else None,
             "binding": r.binding,
             "share_now": None if r.share_now is None else float(r.share_now),
             "share_after": None if r.share is None else float(r.share),
             "detail": r.detail, "met": r.met,
             "price_monthly": None if r.price is None else number(r.price)}
            for r in plan.targets]
