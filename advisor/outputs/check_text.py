"""``advisor check --format text``: the findings for a terminal or a CI log."""

from __future__ import annotations

from advisor.check.gate import CheckResult, Item, Place
from advisor.money import money_text
from advisor.outputs.escape import terminal_text
from advisor.outputs.terminal import wrap


def where(place: Place | None) -> str:
    if place is None:
        return "-"
    return f"{place.path}:{place.line}" if place.line else place.path


def verdict(result: CheckResult) -> str:
    n = len(result.failing())
    if result.fail_on == "never":
        return "PASS (--fail-on never)"
    if n:
        return f"FAIL: {n} finding{'s' if n != 1 else ''} at or above {result.fail_on}"
    return f"PASS: nothing at or above {result.fail_on}"


def subject(i: Item) -> str:
    return i.finding.shown


INDENT = " " * 9


def render(result: CheckResult, width: int | None = None) -> str:
    """The findings, one block each, then the cost effect and the verdict; lines wrap at
    ``width`` under their finding (None: one line each, however long)."""
    what = "the proposed placement (" + ", ".join(p.path for p in result.inputs) + ")" \
        if result.proposed else "today's placement"
    out = wrap(f"{result.estate.name}: advisor check of {what}, fail on {result.fail_on}", width,
               "", "  ")
    out.append("")
    for i in result.items:
        f = i.finding
        label = "waived" if i.waived else f.severity
        new = f" [{i.baseline}]" if i.baseline and i.baseline != "unchanged" else ""
        out.extend(wrap(f"{label:<8} {f.rule:<15} {subject(i)}  ({where(i.place)}){new}", width,
                        "", INDENT))
        out.extend(wrap(f.message, width, INDENT))
        if i.waiver is not None:
            out.extend(wrap(i.waiver.describe(), width, INDENT))
    if not result.items:
        out.append("no findings")
    if result.assumptions:
        out.append("")
        out.append("the rules rest on these declarations:")
        for n, p in result.assumptions:
            out.extend(wrap(f"{n.kind}: {n.text}" + (f" ({where(p)})" if p else ""), width,
                            "  ", INDENT))
    if result.resolved:
        out.append("")
        out.append(f"resolved by the change: {len(result.resolved)}")
        out.extend(f"{INDENT}{f.rule} {f.workload} @ {f.location}" for f in result.resolved)
    c = result.cost
    cur = c.currency
    out.append("")
    if result.proposed:
        sign = "+" if c.difference >= 0 else ""
        out.extend(wrap(f"monthly cost: {money_text(c.before_monthly)} -> "
                        f"{money_text(c.after_monthly)} {cur} ({sign}{money_text(c.difference)}), "
                        f"one-off migration {money_text(c.one_off)} {cur}, "
                        f"{len(c.moved)} workload{'s' if len(c.moved) != 1 else ''} moved",
                        width, "", "  "))
    else:
        out.append(f"monthly cost: {money_text(c.before_monthly)} {cur} (no change checked)")
    counts = result.counts()
    out.append(f"findings: {counts['error']} error, {counts['warning']} warning, "
               f"{counts['info']} info, {counts['waived']} waived")
    out.append(verdict(result))
    return terminal_text("\n".join(out) + "\n")
