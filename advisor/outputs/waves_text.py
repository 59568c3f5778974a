"""Migration waves (``advisor analyze --waves``) as a terminal table, Markdown and JSON. The
shown one-off costs add up to the plan's one-off cost and the savings to its monthly saving, as
the plan shows them (cents apportioned)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from advisor.money import apportion, money_text, payback_months
from advisor.outputs.escape import markdown_text
from advisor.outputs.money import number
from advisor.outputs.statement import statement
from advisor.placement.plan import Plan
from advisor.planning.waves import GB_PER_TB, WavePlan

HEADERS = ["wave", "workloads", "TB", "one-off", "saving/mo unlocked", "saving/mo so far",
           "payback", "moves"]
MAX_IDS = 8


def _shown(plan: Plan, wp: WavePlan) -> tuple[list[Decimal], list[Decimal]]:
    st = statement(plan)
    return (apportion([w.one_off for w in wp.waves], st.total.one_off),
            apportion([w.monthly_saving for w in wp.waves], st.total.saving))


def _tb(gb: Decimal) -> str:
    return f"{(gb / GB_PER_TB).quantize(Decimal('0.01')):,.2f}"


def _months(one_off: Decimal, saving: Decimal) -> str:
    months = payback_months(one_off, saving)
    return "-" if months is None else f"{months} mo"


def rows(plan: Plan, wp: WavePlan, ids: int | None = MAX_IDS) -> list[list[str]]:
    one_offs, savings = _shown(plan, wp)
    out, so_far = [], Decimal(0)
    for w, one_off, saving in zip(wp.waves, one_offs, savings, strict=True):
        so_far += saving
        names = w.workloads if ids is None or len(w.workloads) <= ids else \
            [*w.workloads[:ids], f"+{len(w.workloads) - ids}"]
        out.append([str(w.number), str(len(w.workloads)), _tb(w.data_gb), money_text(one_off),
                    money_text(saving), money_text(so_far), _months(one_off, saving),
                    ", ".join(names)])
    out.append(["total", str(sum(len(w.workloads) for w in wp.waves)),
                _tb(sum((w.data_gb for w in wp.waves), Decimal(0))),
                money_text(sum(one_offs, Decimal(0))), money_text(sum(savings, Decimal(0))),
                "", "", ""])
    return out


def _limits(wp: WavePlan) -> str:
    parts = []
    if wp.max_workloads:
        parts.append(f"at most {wp.max_workloads} workloads")
    if wp.max_tb:
        parts.append(f"at most {wp.max_tb.normalize():f} TB")
    return " and ".join(parts) + " per wave"


def intro(plan: Plan, wp: WavePlan) -> str:
    return (f"Migration waves ({_limits(wp)}; chains move together; best payback first; "
            f"amounts in {plan.currency}, each wave's saving is what the estate saves per month "
            "once it is done):")


def render_table(plan: Plan, wp: WavePlan) -> str:
    from tabulate import tabulate

    out = [intro(plan, wp), "",
           tabulate(rows(plan, wp), headers=HEADERS, tablefmt="simple", disable_numparse=True,
                    colalign=("left",) + ("right",) * 6 + ("left",))]
    out += [f"  wave {w.number}: {n}" for w in wp.waves for n in w.notes]
    return "\n".join(out) + "\n"


def render_markdown(plan: Plan, wp: WavePlan) -> str:
    from advisor.outputs.plan_text import _md_rows

    out = ["## Migration waves", "", markdown_text(intro(plan, wp)), "",
           *_md_rows(HEADERS, rows(plan, wp, ids=None))]
    out += [f"- wave {w.number}: {markdown_text(n)}" for w in wp.waves for n in w.notes]
    return "\n".join(out) + "\n"


def waves_json(plan: Plan, wp: WavePlan) -> dict[str, Any]:
    one_offs, savings = _shown(plan, wp)
    return {"max_workloads": wp.max_workloads or None,
            "max_tb": float(wp.max_tb) if wp.max_tb else None,
            "waves": [{"wave": w.number, "workloads": w.workloads, "data_gb": float(w.data_gb),
                       "one_off_cost": number(one_off),
                       "one_off": {k: number(v) for k, v in w.one_offs.items()},
                       "monthly_savings": number(saving), "notes": w.notes}
                      for w, one_off, saving in zip(wp.waves, one_offs, savings, strict=True)]}
