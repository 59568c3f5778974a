"""``advisor check --format text``: the findings for a terminal or a CI log."""

from __future__ import annotations

from advisor.check.gate import CheckResult, Item, Place
from advisor.money import money_text


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


def render(result: CheckResult) -> str:
    what = "the proposed placement (" + ", ".join(p.path for p in result.inputs) + ")" \
        if result.proposed else "today's placement"
    out = [f"{result.estate.name}: advisor check of {what}, fail on {result.fail_on}", ""]
    for i in result.items:
        f = i.finding
        label = "waived" if i.waived else f.severity
        new = f" [{i.baseline}]" if i.baseline and i.baseline != "unchanged" else ""
        out.append(f"{label:<8} {f.rule:<15} {subject(i)}  ({where(i.place)}){new}")
        out.append(f"         {f.message}")
        if i.waiver is not None:
            out.append(f"         {i.waiver.describe()}")
    if not result.items:
        out.append("no findings")
    if result.assumptions:
        out.append("")
        out.append("the rules rest on these declarations:")
        out.extend(f"  {n.kind}: {n.text} ({where(p)})" if p else f"  {n.kind}: {n.text}"
                   for n, p in result.assumptions)
    if result.resolved:
        out.append("")
        out.append(f"resolved by the change: {len(result.resolved)}")
        out.extend(f"         {f.rule} {f.workload} @ {f.location}" for f in result.resolved)
    c = result.cost
    cur = c.currency
    out.append("")
    if result.proposed:
        sign = "+" if c.difference >= 0 else ""
        out.append(f"monthly cost: {money_text(c.before_monthly)} -> "
                   f"{money_text(c.after_monthly)} {cur} ({sign}{money_text(c.difference)}), "
                   f"one-off migration {money_text(c.one_off)} {cur}, "
                   f"{len(c.moved)} workload{'s' if len(c.moved) != 1 else ''} moved")
    else:
        out.append(f"monthly cost: {money_text(c.before_monthly)} {cur} (no change checked)")
    counts = result.counts()
    out.append(f"findings: {counts['error']} error, {counts['warning']} warning, "
               f"{counts['info']} info, {counts['waived']} waived")
    out.append(verdict(result))
    return "\n".join(out) + "\n"
