"""The plan for people: a terminal table and Markdown."""

from __future__ import annotations

from decimal import Decimal

from tabulate import tabulate

from advisor.money import money_text, payback_months
from advisor.outputs.money import fmt_months
from advisor.outputs.plan_economics import (
    SPLIT_HEADERS,
    commitment_lines,
    facility_lines,
    objective_text,
    one_off_text,
    per_inhabitant_rows,
    savings_text,
    split_rows,
)
from advisor.outputs.statement import calibration_rows, statement
from advisor.placement.plan import Plan, Recommendation
from advisor.rules import Finding

HEADERS = ["workload", "application", "now", "recommended", "now/mo", "after/mo", "saving/mo",
           "one-off", "payback (mo)", "rules"]


def _rows(plan: Plan, moves_only: bool) -> list[list[str]]:
    """One row per workload (or per move, with the workloads that stay as one row), the
    estate's lines (fixed costs, providers, commitments) and the total: the columns add up."""
    st = statement(plan)
    recs = [r for r in plan.recommendations if r.moved or not moves_only]
    recs.sort(key=lambda r: (-st.workloads[r.workload.id].saving, r.workload.id))
    rows = []
    for r in recs:
        shown = st.workloads[r.workload.id]
        rows.append([
            r.workload.id + (" (!)" if r.unplaceable else ""),
            r.workload.application,
            r.current_location,
            r.recommended_location if r.moved else "(stays)",
            money_text(shown.now),
            money_text(shown.after),
            money_text(shown.saving),
            money_text(shown.one_off),
            fmt_months(r.payback_months) if r.moved else "-",
            ",".join(r.rules) or "-",
        ])
    stays = [r for r in plan.recommendations if not r.moved]
    if moves_only and stays:
        shown = st.stays(plan.recommendations)
        rows.append([f"({len(stays)} workloads that stay)", "", "", "", money_text(shown.now),
                     money_text(shown.after), money_text(shown.saving), "0.00", "-", ""])
    for line, shown in st.lines:
        rows.append([f"({line.label})", "", "", "", money_text(shown.now),
                     money_text(shown.after), money_text(shown.saving),
                     money_text(shown.one_off), "-", ""])
    rows.append(["total", "", "", "", money_text(st.total.now), money_text(st.total.after),
                 money_text(st.total.saving), money_text(st.total.one_off),
                 _payback(plan.summary()["one_off_cost"], plan.summary()["monthly_savings"]),
                 ""])
    return rows


def _totals(plan: Plan, timings: bool = True) -> list[tuple[str, str]]:
    s = plan.summary()
    st = statement(plan)
    c = plan.currency
    out = [
        ("workloads", f"{s['workloads']} ({s['moves']} move)"),
        ("current monthly cost", f"{money_text(st.total.now)} {c}"),
        ("recommended monthly cost", f"{money_text(st.total.after)} {c}"),
        ("monthly savings", savings_text(st, c)),
        ("one-off cost", one_off_text(plan, st, c)),
        ("payback", _payback(s["one_off_cost"], s["monthly_savings"])),
    ]
    out.append(("objective", objective_text(st, c)))
    if s["rightsizing_monthly_savings"]:
        out.append(("rightsizing savings (apart)",
                    f"{money_text(s['rightsizing_monthly_savings'])} {c}"))
    out += per_inhabitant_rows(plan)
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
    from advisor.outputs import targets_text

    out.extend(targets_text.render_table(plan))
    out.extend(_economics_text(plan))
    out.extend(_calibration_text(plan))
    out.extend(_rightsizing_text(plan))
    out.append(tabulate(_totals(plan), tablefmt="plain", disable_numparse=True))
    out.extend(f"assumption: {a}" for a in plan.assumptions)
    out.extend(f"note: {n}" for n in plan.notes)
    out.extend(f"FAILED SOURCE {s}: {e}" for s, e in plan.failed_sources)
    return "\n".join(out) + "\n"


def _findings_text(plan: Plan) -> list[str]:
    if not plan.findings:
        return ["Today's placement breaks no rule.", ""]
    out = [f"Today's placement breaks {len(plan.findings)} rule(s):"]
    for f in plan.findings:
        out.append(f"  [{f.severity}] {f.rule} {f.workload} @ {f.location}: {f.message}"
                   + _waived(plan, f))
    out.append("")
    return out


def _waived(plan: Plan, finding: Finding) -> str:
    """' (waived: ...)' for a finding a valid waiver covers."""
    waiver = plan.waivers.waiver_of(finding) if plan.waivers is not None else None
    return f" (WAIVED: {waiver.describe()})" if waiver is not None else ""


def _economics_text(plan: Plan) -> list[str]:
    """The cost split, the locations and providers that change, and the commitments."""
    out = [tabulate(split_rows(statement(plan)), headers=SPLIT_HEADERS, tablefmt="simple",
                    disable_numparse=True, colalign=("left", "right", "right", "right")), ""]
    facilities = facility_lines(plan)
    if facilities:
        out += ["Locations and providers:", *(f"  - {x}" for x in facilities), ""]
    commitments = commitment_lines(plan)
    if commitments:
        out += ["Commitments:", *(f"  - {x}" for x in commitments), ""]
    return out


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
    return [[p.key, money_text(p.billed), money_text(p.modelled), money_text(p.difference),
             "-" if p.ratio is None else f"{p.ratio:.2f}"] for p in calibration_rows(plan)]


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


def _md_rows(headers: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A Markdown table: the first ``left`` columns left-aligned, the amounts right-aligned."""
    return ["| " + " | ".join(headers) + " |",
            "|" + "---|" * left + "---:|" * (len(headers) - left),
            *("| " + " | ".join(_md_cell(x) for x in row) + " |" for row in rows)]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(plan: Plan, *, moves_only: bool = False) -> str:
    s = plan.summary()
    c = plan.currency
    out = [f"# Placement advice: {_md_cell(plan.estate.name)}", ""]
    st = statement(plan)
    out.append(f"**{s['moves']} of {s['workloads']} workloads move**, saving "
               f"**{money_text(st.total.saving)} {c} per month** for a one-off "
               f"{money_text(st.total.one_off)} {c} "
               f"(payback {_payback(s['one_off_cost'], s['monthly_savings'])}).")
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
    out.append("## Findings on today's placement")
    out.append("")
    if plan.findings:
        out.append("| severity | rule | workload | location | message |")
        out.append("|---|---|---|---|---|")
        for f in plan.findings:
            out.append(f"| {f.severity} | {f.rule} | {_md_cell(f.workload)} | "
                       f"{_md_cell(f.location or '')} | {_md_cell(f.message + _waived(plan, f))} |")
    else:
        out.append("None.")
    out.append("")
    from advisor.outputs import targets_text

    out += targets_text.render_markdown(plan)
    out += ["## Cost by line", "", *_md_rows(SPLIT_HEADERS, split_rows(st)), ""]
    for title, items in (("Locations and providers", facility_lines(plan)),
                         ("Commitments", commitment_lines(plan))):
        if items:
            out += [f"## {title}", "", *(f"- {_md_cell(x)}" for x in items), ""]
    out += ["## Assumptions", "", *(f"- {_md_cell(a)}" for a in plan.assumptions), ""]
    rs_rows = _rightsizing_rows(plan, 25)
    if rs_rows:
        out.append("## Rightsizing")
        out.append("")
        out.append(_md_cell(_rightsizing_title(plan, len(rs_rows))) + ".")
        out.append("")
        out += [*_md_rows(RS_HEADERS, rs_rows, left=2), ""]
    if plan.calibration is not None:
        out.append("## Calibration")
        out.append("")
        out.append(_md_cell(_calibration_title(plan)) + ".")
        out.append("")
        out += [*_md_rows(CAL_HEADERS, _calibration_rows(plan)), ""]
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
