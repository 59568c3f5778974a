"""The plan for people: a terminal table and Markdown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from advisor.money import money_text, payback_months
from advisor.outputs.escape import markdown_text, terminal_text
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
from advisor.outputs.statement import Shown, Statement, calibration_rows, statement
from advisor.outputs.terminal import Column, fit_table, pairs, wrap
from advisor.placement.plan import Plan, Recommendation
from advisor.rules import Finding

HEADERS = ["workload", "application", "now", "recommended", "now/mo", "after/mo", "saving/mo",
           "one-off", "payback (mo)", "rules"]
# How the table gives way in a narrow terminal: rules go under their row, then the application
# and the before/after amounts (they are in the "why" lines) leave, then the one-off cost.
COLUMNS = [Column("workload", wrap=24), Column("application", drop=1), Column("now"),
           Column("recommended"), Column("now/mo", "right", drop=2),
           Column("after/mo", "right", drop=3), Column("saving/mo", "right"),
           Column("one-off", "right", drop=4),
           Column("payback (mo)", "right", drop=5, short="payback"),
           Column("rules", under=True)]


def _rows(plan: Plan, moves_only: bool) -> list[list[str]]:
    """One row per workload (or per move, with the workloads that stay as one row), the
    estate's lines (fixed costs, providers, commitments) and the total: the columns add up."""
    st = statement(plan)
    recs = _sorted([r for r in plan.recommendations if r.moved or not moves_only], st)
    rows = [_workload_row(r, st) for r in recs]
    stays = [r for r in plan.recommendations if not r.moved]
    if moves_only and stays:
        rows.append(_sum_row(f"({len(stays)} workloads that stay)", st.stays(stays)))
    return rows + _line_rows(plan, st)


def _sorted(recs: list[Recommendation], st: Statement) -> list[Recommendation]:
    return sorted(recs, key=lambda r: (-st.workloads[r.workload.id].saving, r.workload.id))


def _workload_row(r: Recommendation, st: Statement) -> list[str]:
    shown = st.workloads[r.workload.id]
    return [
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
    ]


def _sum_row(label: str, shown: Shown) -> list[str]:
    """A row that stands for several workloads (their shown amounts summed)."""
    return [label, "", "", "", money_text(shown.now), money_text(shown.after),
            money_text(shown.saving), money_text(shown.one_off), "-", ""]


def _line_rows(plan: Plan, st: Statement) -> list[list[str]]:
    """The estate's lines (fixed costs, providers, commitments) and the total row."""
    rows = [_sum_row(f"({line.label})", shown) for line, shown in st.lines]
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


def render_table(plan: Plan, *, moves_only: bool = False, width: int | None = None) -> str:
    """The terminal table, the reasons, findings, the cost by line, locations, providers and
    commitments, calibration, rightsizing, totals and assumptions; no line wider than ``width``
    where that can be done (None: every column, lines as long as they are)."""
    title = f"{plan.estate.name}: placement advice (amounts in {plan.currency} per month)"
    out = [*wrap(title, width), ""]
    rows = _rows(plan, moves_only)
    if width is not None:  # let the rules wrap between ids
        rows = [[*row[:-1], row[-1].replace(",", ", ")] for row in rows]
    out.append(fit_table(rows, COLUMNS, width))
    out.append("")
    moved = [r for r in plan.recommendations if r.moved or r.unplaceable]
    if moved:
        out.append("Why:")
        for r in sorted(moved, key=lambda r: (-r.monthly_savings, r.workload.id)):
            out.append(f"  {r.workload.id}:")
            for reason in r.reasons:
                out.extend(wrap(reason, width, "    - ", "      "))
        out.append("")
    out.extend(_findings_text(plan, width))
    from advisor.outputs import targets_text

    out.extend(targets_text.render_table(plan, width))
    out.extend(_economics_text(plan, width))
    out.extend(_calibration_text(plan, width))
    out.extend(_rightsizing_text(plan, width))
    out.append(pairs(_totals(plan), width))
    for a in plan.assumptions:
        out.extend(wrap(f"assumption: {a}", width, "", "  "))
    for n in plan.notes:
        out.extend(wrap(f"note: {n}", width, "", "  "))
    for s, e in plan.failed_sources:
        out.extend(wrap(f"FAILED SOURCE {s}: {e}", width, "", "  "))
    return terminal_text("\n".join(out) + "\n")


def _findings_text(plan: Plan, width: int | None = None) -> list[str]:
    out = ["Today's placement breaks no rule."] if not plan.findings else \
        [f"Today's placement breaks {len(plan.findings)} rule(s):"]
    for f in plan.findings:
        out.extend(wrap(f"[{f.severity}] {f.rule} {_who(f)}: {f.message}" + _waived(plan, f),
                        width, "  ", "      "))
    out.append("")
    if plan.new_findings:
        out.extend(wrap(f"The recommendation brings {len(plan.new_findings)} new finding(s) "
                        "(the same gate as `advisor check --placement`; listed beside the "
                        "moves):", width))
        for f in plan.new_findings:
            out.extend(wrap(f"[{f.severity}] {f.rule} {_who(f)}: {f.message}", width, "  ",
                            "      "))
        out.append("")
    if plan.rule_assumptions:
        out.append("The rules rest on these declarations:")
        for line in plan.assumption_lines():
            out.extend(wrap(line, width, "  ", "      "))
        out.append("")
    return out


def _waived(plan: Plan, finding: Finding) -> str:
    """' (waived: ...)' for a finding a valid waiver covers."""
    waiver = plan.waivers.waiver_of(finding) if plan.waivers is not None else None
    return f" (WAIVED: {waiver.describe()})" if waiver is not None else ""


SPLIT_COLUMNS = [Column(SPLIT_HEADERS[0]), *(Column(h, "right") for h in SPLIT_HEADERS[1:])]


def _economics_text(plan: Plan, width: int | None = None) -> list[str]:
    """The cost split, the locations and providers that change, and the commitments."""
    out = [fit_table(split_rows(statement(plan)), SPLIT_COLUMNS, width), ""]
    for title, items in (("Locations and providers", facility_lines(plan)),
                         ("Commitments", commitment_lines(plan))):
        if items:
            out.append(f"{title}:")
            for x in items:
                out.extend(wrap(x, width, "  - ", "    "))
            out.append("")
    return out


def _who(f: Any) -> str:
    shown: str = f.shown
    return shown


RS_HEADERS = ["workload", "location", "cpu now", "cpu p95", "cpu rec.", "mem GB now",
              "mem p95", "mem rec.", "saving/mo"]


RS_COLUMNS = [Column("workload"), Column("location", drop=3), Column("cpu now", "right"),
              Column("cpu p95", "right", drop=1), Column("cpu rec.", "right"),
              Column("mem GB now", "right"), Column("mem p95", "right", drop=2),
              Column("mem rec.", "right"), Column("saving/mo", "right")]


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


def _rightsizing_text(plan: Plan, width: int | None = None, limit: int = 15) -> list[str]:
    rows = _rightsizing_rows(plan, limit)
    if not rows:
        return []
    return [*wrap(_rightsizing_title(plan, len(rows)) + ":", width),
            fit_table(rows, RS_COLUMNS, width), ""]


CAL_HEADERS = ["location", "billed", "modelled", "difference", "billed/modelled"]
CAL_COLUMNS = [Column("location"), *(Column(h, "right") for h in CAL_HEADERS[1:])]


def _calibration_rows(plan: Plan) -> list[list[str]]:
    return [[p.key, money_text(p.billed), money_text(p.modelled), money_text(p.difference),
             "-" if p.ratio is None else f"{p.ratio:.2f}"] for p in calibration_rows(plan)]


def _calibration_title(plan: Plan) -> str:
    cal = plan.calibration
    return (f"Calibration: {cal.cost_basis} cost of {cal.month} from the ledger beside the "
            f"modelled cost of today's placement ({cal.currency}; unallocated "
            f"{money_text(cal.unallocated)}, {len(cal.workloads)} workloads matched)")


def _calibration_text(plan: Plan, width: int | None = None) -> list[str]:
    if plan.calibration is None:
        return []
    return [*wrap(_calibration_title(plan) + ":", width),
            fit_table(_calibration_rows(plan), CAL_COLUMNS, width), ""]


def _md_rows(headers: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A Markdown table: the first ``left`` columns left-aligned, the amounts right-aligned."""
    return ["| " + " | ".join(headers) + " |",
            "|" + "---|" * left + "---:|" * (len(headers) - left),
            *("| " + " | ".join(markdown_text(x) for x in row) + " |" for row in rows)]


def _md_findings(plan: Plan, found: list[Any]) -> list[str]:
    out = ["| severity | rule | subject | location | message |", "|---|---|---|---|---|"]
    for f in found:
        out.append(f"| {f.severity} | {markdown_text(f.rule)} | {markdown_text(f.who)} | "
                   f"{markdown_text(f.location or '')} | "
                   f"{markdown_text(f.message + _waived(plan, f))} |")
    return out


MAX_MOVE_ROWS = 100  # more moves go to a collapsed table after the details


def _md_table(rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(HEADERS) + " |",
           "|" + "|".join("---:" if 4 <= i <= 8 else "---" for i in range(len(HEADERS))) + "|"]
    for row in rows:
        out.append("| " + " | ".join(markdown_text(x) for x in row) + " |")
    return out


def render_markdown(plan: Plan, *, moves_only: bool = False,
                    max_chars: int | None = None) -> str:
    """Markdown for a wiki page or a pull request comment: the summary (headline, totals, the
    moves) first, the details in collapsed sections; within ``max_chars`` when given (whole
    sections are left out, and a note says which). The table of moves adds up by itself: the
    moves, the moves left out and the workloads that stay as one row each, the estate's lines
    and the total; the collapsed tables list the rows those stand for."""
    from advisor.outputs.markdown_fit import Section, details, fit

    s = plan.summary()
    c = plan.currency
    st = statement(plan)
    out = [f"# Placement advice: {markdown_text(plan.estate.name)}", ""]
    out.append(f"**{s['moves']} of {s['workloads']} workloads move**, saving "
               f"**{money_text(st.total.saving)} {c} per month** for a one-off "
               f"{money_text(st.total.one_off)} {c} "
               f"(payback {_payback(s['one_off_cost'], s['monthly_savings'])}).")
    out.append("")
    for n in plan.notes:
        out.append(f"> note: {markdown_text(n)}")
    for src, err in plan.failed_sources:
        out.append(f"> **failed source** {markdown_text(src)}: {markdown_text(err)}")
    sections = [Section("summary", out, required=True)]
    out = ["## Totals", "", "| | |", "|---|---:|"]
    for k, v in _totals(plan, timings=False):
        out.append(f"| {markdown_text(k)} | {markdown_text(v)} |")
    sections.append(Section("totals", out, required=True))
    if plan.new_findings:  # never left out: the recommendation hides no finding it brings
        out = ["## New findings with the recommendation", "",
               "The same gate as `advisor check --placement`; each is also listed beside its "
               "move.", "", *_md_findings(plan, plan.new_findings)]
        sections.append(Section("the new findings", out, required=True))
    if plan.rule_assumptions:  # never left out: a finding's absence may rest on one
        sections.append(Section("the assumptions", [
            "## Assumptions the rules rest on", "", *details(
                f"Assumptions ({len(plan.rule_assumptions)})",
                [f"- {markdown_text(line)}" for line in plan.assumption_lines()])], required=True))
    moving = _sorted([r for r in plan.recommendations if r.moved or r.unplaceable], st)
    staying = _sorted([r for r in plan.recommendations if r not in moving], st)
    shown, left = moving[:MAX_MOVE_ROWS], moving[MAX_MOVE_ROWS:]
    rows = [_workload_row(r, st) for r in shown]
    if left:
        rows.append(_sum_row(f"({len(left)} more moves)", _sum(st, left)))
    if staying:
        rows.append(_sum_row(f"({len(staying)} workloads that stay)", _sum(st, staying)))
    rows += _line_rows(plan, st)
    sections.append(Section("the moves", ["## Workloads that move", "", *_md_table(rows)]))
    out = ["## Findings on today's placement", ""]
    if plan.findings:
        out.append(f"Today's placement breaks {len(plan.findings)} rule(s).")
        out.append("")
        out.extend(details(f"Findings ({len(plan.findings)})", _md_findings(plan, plan.findings)))
    else:
        out.append("None.")
    sections.append(Section("the findings", out))
    from advisor.outputs import targets_text

    if plan.targets:
        sections.append(Section("the targets", targets_text.render_markdown(plan)[:-1],
                                required=True))
    out = ["## Cost by line", "", *_md_rows(SPLIT_HEADERS, split_rows(st))]
    for title, items in (("Locations and providers", facility_lines(plan)),
                         ("Commitments", commitment_lines(plan))):
        if items:
            out += ["", f"### {title}", "", *(f"- {markdown_text(x)}" for x in items)]
    out += ["", "### Assumptions", "", *(f"- {markdown_text(a)}" for a in plan.assumptions)]
    sections.append(Section("the cost by line", out, required=True))
    if moving:
        out = []
        for r in sorted(moving, key=lambda r: (-r.monthly_savings, r.workload.id)):
            out.append(f"- **{markdown_text(r.workload.id)}**")
            out.extend(f"  - {markdown_text(reason)}" for reason in r.reasons)
        sections.append(Section("why each workload moves",
                                details("Why each workload moves", out)))
    if plan.calibration is not None:
        out = ["## Calibration", "", markdown_text(_calibration_title(plan)) + ".", "",
               *_md_rows(CAL_HEADERS, _calibration_rows(plan))]
        sections.append(Section("the calibration", out))
    rs_rows = _rightsizing_rows(plan, 25)
    if rs_rows:
        sections.append(Section("rightsizing", [
            "## Rightsizing", "", markdown_text(_rightsizing_title(plan, len(rs_rows))) + ".", "",
            *details(f"Rightsizing ({len(rs_rows)})", _md_rows(RS_HEADERS, rs_rows, left=2))]))
    from advisor.outputs.diagrams import mermaid_blocks

    diagrams = mermaid_blocks(plan, moving_only=True, heading="###")
    if diagrams:
        sections.append(Section("the chain diagrams", [
            "## Application chains that move", "",
            *details("Diagrams (Mermaid)", [diagrams.rstrip("\n")])]))
    if left:
        sections.append(Section(f"{len(left)} more moves", details(
            f"{len(left)} more moves", _md_table([_workload_row(r, st) for r in left]))))
    if staying and not moves_only:
        sections.append(Section("the workloads that stay", details(
            f"Workloads that stay ({len(staying)})",
            _md_table([_workload_row(r, st) for r in staying]))))
    return fit(sections, max_chars)


def _sum(st: Statement, recs: list[Recommendation]) -> Shown:
    """The shown amounts of ``recs`` together."""
    parts = [st.workloads[r.workload.id] for r in recs]
    return Shown(sum((p.now for p in parts), Decimal(0)), sum((p.after for p in parts), Decimal(0)),
                 one_off=sum((p.one_off for p in parts), Decimal(0)))
