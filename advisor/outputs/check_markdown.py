"""``advisor check --format markdown``: a pull/merge request comment.

A verdict line, a table of findings, the cost effect of the change (monthly cost before and after
the proposed placement) and collapsed details (changes, rules with remediation, waived findings).
"""

from __future__ import annotations

from advisor.check.gate import CheckResult, Item
from advisor.money import money_text
from advisor.outputs.check_text import subject, where
from advisor.outputs.diagrams import mermaid_blocks
from advisor.outputs.escape import markdown_code, markdown_link, markdown_text
from advisor.outputs.markdown_fit import Section, details, fit
from advisor.rules import Rule

MAX_ROWS = 50
ICON = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}


def headline(result: CheckResult) -> str:
    n = len(result.failing())
    counts = result.counts()
    if n:
        new = f", {counts['new']} new with this change" if result.proposed else ""
        return (f"### :x: advisor check failed: {n} finding{'s' if n != 1 else ''} at or above "
                f"`{result.fail_on}`{new}")
    extra = f" ({result.fail_on} and above fail)" if result.fail_on != "never" else \
        " (--fail-on never)"
    return f"### :white_check_mark: advisor check passed{extra}"


def _row(i: Item) -> str:
    f = i.finding
    sev = f"{ICON[f.severity]} {f.severity}"
    if i.waived:
        sev = f"~~{f.severity}~~ waived"
    mark = " (new)" if i.baseline == "new" else ""
    return (f"| {sev}{mark} | {markdown_code(f.rule)} | {markdown_text(subject(i))} | "
            f"{markdown_code(where(i.place))} | {markdown_text(f.message)} |")


def _rule_details(rule: Rule) -> list[str]:
    out = [f"**{markdown_code(rule.id, in_table=False)} {markdown_text(rule.title)}** "
           f"({markdown_text(rule.pack)}, {rule.severity}, basis "
           f"{markdown_text(rule.basis or 'advisor')})", ""]
    if rule.rationale:
        out.append(markdown_text(rule.rationale, line_start=True))
        out.append("")
    if rule.remediation:
        out.append("*Remediation:* " + markdown_text(rule.remediation))
        out.append("")
    refs = []
    for ref in rule.references:
        d = dict(ref)
        text = " ".join(d[k] for k in ("law", "article", "control") if k in d)
        title = d.get("title", "")
        label = f"{text}: {title}" if text and title else text or title
        refs.append("- " + (markdown_link(label, d["url"]) if "url" in d
                            else markdown_text(label)))
    if refs:
        out.append("*References:*")
        out.extend(refs)
        out.append("")
    return out


def render(result: CheckResult, max_chars: int | None = None) -> str:
    """The comment: verdict, counts and cost effect first, then the findings (at most
    MAX_ROWS), then collapsed details; within ``max_chars`` when given (whole sections are
    left out, and a note says which)."""
    counts = result.counts()
    what = "proposed placement (" + ", ".join(markdown_code(p.path, in_table=False)
                                              for p in result.inputs) + ")" \
        if result.proposed else "today's placement"
    out = [headline(result), ""]
    out.append(f"{markdown_text(result.estate.name, line_start=True)}, {what}: "
               f"{counts['error']} error, {counts['warning']} warning, {counts['info']} info, "
               f"{counts['waived']} waived"
               + (f", {counts['resolved']} resolved by the change" if result.proposed else "")
               + ".")
    out.append("")
    c = result.cost
    cur = c.currency
    out.append("#### Cost effect")
    out.append("")
    out.append("| | per month |")
    out.append("|---|---:|")
    if result.proposed:
        sign = "+" if c.difference >= 0 else ""
        out.append(f"| Before (today's placement) | {money_text(c.before_monthly)} {cur} |")
        out.append(f"| After (proposed placement) | {money_text(c.after_monthly)} {cur} |")
        out.append(f"| **Difference** | **{sign}{money_text(c.difference)} {cur}** |")
        out.append(f"| One-off migration | {money_text(c.one_off)} {cur} |")
    else:
        out.append("| Today's placement (no change checked) | "
                   f"{money_text(c.before_monthly)} {cur} |")
    sections = [Section("summary", out, required=True)]
    if result.assumptions:  # never left out (counted first): a finding's absence may rest on one
        out = [f"- {n.kind}: {markdown_text(n.text)}"
               + (f" ({markdown_code(where(p), in_table=False)})" if p else "")
               for n, p in result.assumptions]
        sections.append(Section("the assumptions", details(
            f"Assumptions the rules rest on ({len(result.assumptions)})", out), required=True))
    out = ["#### Findings", ""]
    if result.items:
        out.append("| Severity | Rule | Workload | Defined at | Finding |")
        out.append("|---|---|---|---|---|")
        shown = result.items[:MAX_ROWS]
        out.extend(_row(i) for i in shown)
        if len(result.items) > MAX_ROWS:
            out.append(f"| | | | | ... and {len(result.items) - MAX_ROWS} more (see the SARIF "
                       "or JSON report) |")
    else:
        out.append("No findings.")
    sections.append(Section("the findings", out))
    if c.moved:
        out = ["| Workload | From | To | Before / month | After / month | Proposed by |",
               "|---|---|---|---:|---:|---|"]
        for m in c.moved:
            out.append(f"| {markdown_text(m.workload)} | {markdown_text(m.before_location)} | "
                       f"{markdown_text(m.after_location)} | {money_text(m.before_monthly)} | "
                       f"{money_text(m.after_monthly)} | {markdown_code(m.origin)} |")
        sections.append(Section("the changes", details(f"Changes ({len(c.moved)})", out)))
    chains = mermaid_blocks(result.proposed_plan, moving_only=True, heading="#####") \
        if result.proposed_plan is not None else ""
    if chains:
        sections.append(Section("the chain diagrams", details(
            "Application chains the change moves", [chains.rstrip("\n")])))
    if result.resolved:
        out = [f"- {markdown_code(f.rule, in_table=False)} "
               f"{markdown_text(f'{f.workload} @ {f.location}')}" for f in result.resolved]
        sections.append(Section("the resolved findings", details(
            f"Resolved by the change ({len(result.resolved)})", out)))
    waived = [i for i in result.items if i.waiver is not None]
    if waived:
        out = []
        for i in waived:
            assert i.waiver is not None
            out.append(f"- {markdown_code(i.finding.rule, in_table=False)} "
                       f"{markdown_text(subject(i))}: {markdown_text(i.waiver.describe())}")
        sections.append(Section("the waived findings", details(f"Waived ({len(waived)})", out)))
    ids = sorted({i.finding.rule for i in result.items})
    if ids:
        rules = result.rule_by_id()
        out = []
        for rid in ids:
            out.extend(_rule_details(rules[rid]))
        sections.append(Section("the rules", details(
            f"Rules, why and what to do ({len(ids)})", out)))
    return fit(sections, max_chars)
