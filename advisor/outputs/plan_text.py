"""The plan for people: a terminal table and Markdown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tabulate import tabulate

from advisor.money import money_text, payback_months
from advisor.outputs.money import fmt_months
from advisor.placement.plan import Plan, Recommendation

HEADERS = ["workload", "application", "now", "recommended", "now/mo", "after/mo", "saving/mo",
           "one-off", "payback (mo)", "rules"]


def _rows(plan: Plan, moves_only: bool) -> list[list[str]]:
    recs = [r for r in plan.recommendations if r.moved or not moves_only]
    recs.sort(key=lambda r: (-r.monthly_savings, r.workload.id))
    rows = []
    for r in recs:
        rows.append([
            r.workload.id + (" (!)" if r.unplaceable else ""),
            r.workload.application,
            r.current_location,
            r.recommended_location if r.moved else "(stays)",
            money_text(r.current_monthly_cost),
            money_text(r.recommended_monthly_cost),
            money_text(r.monthly_savings),
            money_text(r.one_off_cost),
            fmt_months(r.payback_months) if r.moved else "-",
            ",".join(r.rules) or "-",
        ])
    return rows


def _totals(plan: Plan, timings: bool = True) -> list[tuple[str, str]]:
    s = plan.summary()
    c = plan.currency
    out = [
        ("workloads", f"{s['workloads']} ({s['moves']} move)"),
        ("current monthly cost", f"{money_text(s['current_monthly_cost'])} {c}"),
        ("recommended monthly cost", f"{money_text(s['recommended_monthly_cost'])} {c}"),
        ("monthly savings", f"{money_text(s['monthly_savings'])} {c}"),
        ("one-off migration cost", f"{money_text(s['one_off_migration_cost'])} {c}"),
        ("payback", _payback(s["one_off_migration_cost"], s["monthly_savings"])),
        (f"objective (incl. migration over {s['horizon_months']} months)",
         f"{money_text(s['objective'])} {c}/month"),
    ]
    if s["rightsizing_monthly_savings"]:
        out.append(("rightsizing savings (apart)",
                    f"{money_text(s['rightsizing_monthly_savings'])} {c}"))
    if "current_cost_per_inhabitant_year" in s:
        out.append(("IT cost per inhabitant per year",
                    f"{money_text(s['current_cost_per_inhabitant_year'])} -> "
                    f"{money_text(s['recommended_cost_per_inhabitant_year'])} {c}"))
    solver = plan.solver
    took = f"{solver['seconds']:.1f} s, " if timings else ""
    out.append(("solver", f"{solver['status']}, gap {solver['gap']:.4%}, {took}"
                          f"{solver['components']} independent parts"))
    if s["unplaceable"]:
        out.append(("unplaceable", ", ".join(s["unplaceable"])))
    return out


def _payback(one_off: Decimal, savings: Decimal) -> str:
    months = payback_months(one_off, savings)
    if months is None:
        return "never" if one_off else "-"
    return "immediate" if months == 0 else f"{months} months"


def render_table(plan: Plan, *, moves_only: bool = False) -> str:
    out = [f"{plan.estate.name}: placement advice (amounts in {plan.currency} per month)", ""]
    out.append(tabulate(_rows(plan, moves_only), headers=HEADERS, tablefmt="simple",
                        disable_numparse=True, colalign=("left",) * 4 + ("right",) * 5 + ("left",)))
    out.append("")
    moved = [r for r in plan.recommendations if r.moved or r.unplaceable]
    if moved:
        out.append("Why:")
        for r in sorted(moved, key=lambda r: (-r.monthly_savings, r.workload.id)):
            out.append(f"  {r.workload.id}:")
            out.extend(f"    - {reason}" for reason in r.reasons)
        out.append("")
    out.extend(_findings_text(plan))
    out.extend(_calibration_text(plan))
    out.extend(_rightsizing_text(plan))
    out.append(tabulate(_totals(plan), tablefmt="plain", disable_numparse=True))
    out.extend(f"note: {n}" for n in plan.notes)
    out.extend(f"FAILED SOURCE {s}: {e}" for s, e in plan.failed_sources)
    return "\n".join(out) + "\n"


def _findings_text(plan: Plan) -> list[str]:
    out = ["Today's placement breaks no rule."] if not plan.findings else \
        [f"Today's placement breaks {len(plan.findings)} rule(s):"]
    for f in plan.findings:
        out.append(f"  [{f.severity}] {f.rule} {_who(f)}: {f.message}")
    out.append("")
    if plan.new_findings:
        out.append(f"The recommendation brings {len(plan.new_findings)} new finding(s) (the "
                   "same gate as `advisor check --placement`; listed beside the moves):")
        out.extend(f"  [{f.severity}] {f.rule} {_who(f)}: {f.message}"
                   for f in plan.new_findings)
        out.append("")
    if plan.assumptions:
        out.append("The rules rest on these declarations:")
        out.extend(f"  {line}" for line in plan.assumption_lines())
        out.append("")
    return out


def _who(f: Any) -> str:
    shown: str = f.shown
    return shown




RS_HEADERS = ["workload", "location", "cpu now", "cpu p95", "cpu rec.", "mem GB now",
              "mem p95", "mem rec.", "saving/mo"]


def _rightsizing_rows(plan: Plan, limit: int | None) -> list[list[str]]:
    rows = []
    for r in [r for r in plan.rightsizing if r.monthly_saving > 0][:limit]:
        rows.append([r.workload, r.location, _opt(r.cpu), _opt(r.cpu_p95),
                     _opt(r.recommended_cpu), _opt(r.memory_gb), _opt(r.memory_gb_p95),
                     _opt(r.recommended_memory_gb), money_text(r.monthly_saving)])
    return rows


def _opt(value: Decimal | None) -> str:
    return "-" if value is None else f"{value.normalize():f}"


def _rightsizing_title(plan: Plan, shown: int) -> str:
    saving = plan.summary()["rightsizing_monthly_savings"]
    total = sum(1 for r in plan.rightsizing if r.monthly_saving > 0)
    more = f", top {shown} shown" if shown < total else ""
    return (f"Rightsizing at the current location (requests = p95 usage x headroom), apart from "
            f"placement: {total} workloads, {money_text(saving)} {plan.currency}/month{more}")


def _rightsizing_text(plan: Plan, limit: int = 15) -> list[str]:
    rows = _rightsizing_rows(plan, limit)
    if not rows:
        return []
    return [_rightsizing_title(plan, len(rows)) + ":",
            tabulate(rows, headers=RS_HEADERS, tablefmt="simple", disable_numparse=True,
                     colalign=("left", "left") + ("right",) * 7), ""]


CAL_HEADERS = ["location", "billed", "modelled", "difference", "billed/modelled"]


def _calibration_rows(plan: Plan) -> list[list[str]]:
    cal = plan.calibration
    return [[p.key, money_text(p.billed), money_text(p.modelled), money_text(p.difference),
             "-" if p.ratio is None else f"{p.ratio:.2f}"] for p in cal.locations]


def _calibration_title(plan: Plan) -> str:
    cal = plan.calibration
    return (f"Calibration: {cal.cost_basis} cost of {cal.month} from the ledger beside the "
            f"modelled cost of today's placement ({cal.currency}; unallocated "
            f"{money_text(cal.unallocated)}, {len(cal.workloads)} workloads matched)")


def _calibration_text(plan: Plan) -> list[str]:
    if plan.calibration is None:
        return []
    return [_calibration_title(plan) + ":",
            tabulate(_calibration_rows(plan), headers=CAL_HEADERS, tablefmt="simple",
                     disable_numparse=True, colalign=("left",) + ("right",) * 4), ""]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(plan: Plan, *, moves_only: bool = False) -> str:
    s = plan.summary()
    c = plan.currency
    out = [f"# Placement advice: {_md_cell(plan.estate.name)}", ""]
    out.append(f"**{s['moves']} of {s['workloads']} workloads move**, saving "
               f"**{money_text(s['monthly_savings'])} {c} per month** for a one-off "
               f"{money_text(s['one_off_migration_cost'])} {c} "
               f"(payback {_payback(s['one_off_migration_cost'], s['monthly_savings'])}).")
    out.append("")
    out.append("| " + " | ".join(HEADERS) + " |")
    out.append("|" + "|".join("---:" if 4 <= i <= 8 else "---" for i in range(len(HEADERS)))
               + "|")
    for row in _rows(plan, moves_only):
        out.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
    out.append("")
    out.append("## Totals")
    out.append("")
    out.append("| | |")
    out.append("|---|---:|")
    for k, v in _totals(plan, timings=False):
        out.append(f"| {_md_cell(k)} | {_md_cell(v)} |")
    out.append("")
    for title, found in (("Findings on today's placement", plan.findings),
                         ("New findings with the recommendation", plan.new_findings)):
        if not found and title.startswith("New"):
            continue
        out.append(f"## {title}")
        out.append("")
        if found:
            out.append("| severity | rule | subject | location | message |")
            out.append("|---|---|---|---|---|")
            for f in found:
                out.append(f"| {f.severity} | {f.rule} | {_md_cell(f.who)} | "
                           f"{_md_cell(f.location or '')} | {_md_cell(f.message)} |")
        else:
            out.append("None.")
        out.append("")
    if plan.assumptions:
        out.append("## Assumptions the rules rest on")
        out.append("")
        out.extend(f"- {_md_cell(line)}" for line in plan.assumption_lines())
        out.append("")
    rs_rows = _rightsizing_rows(plan, 25)
    if rs_rows:
        out.append("## Rightsizing")
        out.append("")
        out.append(_md_cell(_rightsizing_title(plan, len(rs_rows))) + ".")
        out.append("")
        out.append("| " + " | ".join(RS_HEADERS) + " |")
        out.append("|---|---|" + "---:|" * 7)
        for row in rs_rows:
            out.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
        out.append("")
    if plan.calibration is not None:
        out.append("## Calibration")
        out.append("")
        out.append(_md_cell(_calibration_title(plan)) + ".")
        out.append("")
        out.append("| " + " | ".join(CAL_HEADERS) + " |")
        out.append("|---|---:|---:|---:|---:|")
        for row in _calibration_rows(plan):
            out.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
        out.append("")
    moved: list[Recommendation] = [r for r in plan.recommendations if r.moved or r.unplaceable]
    if moved:
        out.append("<details><summary>Why each workload moves</summary>")
        out.append("")
        for r in sorted(moved, key=lambda r: (-r.monthly_savings, r.workload.id)):
            out.append(f"- **{_md_cell(r.workload.id)}**")
            out.extend(f"  - {_md_cell(reason)}" for reason in r.reasons)
        out.append("")
        out.append("</details>")
        out.append("")
    from advisor.outputs.diagrams import mermaid_blocks

    diagrams = mermaid_blocks(plan, moving_only=True, heading="###")
    if diagrams:
        out.append("## Application chains that move")
        out.append("")
        out.append("<details><summary>Diagrams (Mermaid)</summary>")
        out.append("")
        out.append(diagrams.rstrip("\n"))
        out.append("")
        out.append("</details>")
        out.append("")
    for n in plan.notes:
        out.append(f"> note: {_md_cell(n)}")
    for src, err in plan.failed_sources:
        out.append(f"> **failed source** {_md_cell(src)}: {_md_cell(err)}")
    return "\n".join(out).rstrip() + "\n"
