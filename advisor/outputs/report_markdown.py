"""The report as Markdown (a wiki page, a merge request, an e-mail body): the same figures as the
HTML, tables instead of charts, and the chains that move as Mermaid diagrams, which GitHub and
GitLab draw. Text from the estate is escaped for Markdown (and for Mermaid inside diagrams).
"""

from __future__ import annotations

from decimal import Decimal

from advisor.ledger.report import COST_BASES
from advisor.month import month_add
from advisor.outputs.diagrams import location_colors, to_mermaid
from advisor.outputs.escape import markdown_text
from advisor.outputs.i18n import Lang, provider_name
from advisor.outputs.report_savings import (
    objective_sentence,
    row_cells,
    switching_text,
    whole_it,
)
from advisor.outputs.statement import calibration_rows, saving_rows, statement
from advisor.report.build import (
    MAX_MOVES_SHOWN,
    TOP_APPLICATIONS,
    Report,
    change,
    provider_rank,
)

md = markdown_text


def _table(head: list[str], rows: list[list[str]], numeric: set[int]) -> list[str]:
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---:" if i in numeric else "---" for i in range(len(head))) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    out.append("")
    return out


def _share(part: Decimal, whole: Decimal, lang: Lang) -> str:
    return lang.percent(part / whole, signed=False) if whole else "-"


def _change(now: Decimal, before: Decimal, lang: Lang) -> str:
    diff, frac = change(now, before)
    return lang.money(diff, signed=True) + (f" ({lang.percent(frac)})" if frac is not None
                                            else "")


def render_markdown(r: Report, lang: Lang) -> str:
    t = lang.t
    cur = r.current
    s = r.summary
    out = [f"# {md(t('title'))} {md(lang.month(r.month))}: {md(r.estate)}", "",
           md(t("subtitle", estate=r.estate, month=lang.month(r.month), currency=r.currency,
                basis=t(f"basis_{r.cost_basis}")), line_start=True), ""]
    if r.failed_sources:
        names = ", ".join(f"{src}: {msg}" for src, msg in r.failed_sources)
        out += [f"> **{md(t('failed_warning', sources=names))}**", ""]
    # headline
    out += [f"## {md(t('headline'))}", ""]
    rows = [[md(t("total")), f"**{md(lang.money(cur.total))}** ({md(t('billed'))} "
             f"{md(lang.money(cur.billed))}, {md(t('modelled'))} {md(lang.money(cur.modelled))})"]]
    if r.previous is not None:
        rows.append([md(t("vs_last_month")), md(_change(cur.total, r.previous.total, lang))
                     + " " + md(t("from_to", a=lang.money(r.previous.total),
                                  ma=lang.month(r.previous.month), b=lang.money(cur.total),
                                  mb=lang.month(cur.month)))])
    else:
        rows.append([md(t("vs_last_month")),
                     md(t("no_previous", month=lang.month(month_add(r.month, -1))))])
    if r.three is not None and r.previous is not None:
        first, last = r.three
        avg = (first.total + r.previous.total + last.total) / 3
        rows.append([md(t("trend3")), md(_change(last.total, first.total, lang)) + "; "
                     + md(t("avg3", amount=lang.money(avg)))])
    else:
        have = sum(1 for m in r.months if m.month >= month_add(r.month, -2))
        rows.append([md(t("trend3")), md(t("need_three", have=have))])
    if r.inhabitants:
        per_month = cur.total / Decimal(r.inhabitants)
        rows.append([md(t("per_inhabitant")), md(t(
            "per_inhabitant_value", month=lang.money(per_month), year=lang.money(per_month * 12),
            people=lang.number(r.inhabitants, 0)))])
        rows += [[md(label), md(text)] for label, text in whole_it(r, lang, cur.total)]
    out += _table(["", ""], rows, set())
    out += [f"### {md(t('split_provider'))}", ""]
    out += _table([md(t("provider")), md(t("amount")), md(t("share"))],
                  [[md(provider_name(k, lang)), md(lang.money(v)), md(_share(v, cur.total, lang))]
                   for k, v in cur.by_provider.items()], {1, 2})
    modelled = set(cur.modelled_locations)
    out += [f"### {md(t('split_location'))}", ""]
    loc_rows = [[md(k) + (f" ({md(t('modelled_mark'))})" if k in modelled else ""),
                 md(lang.money(v)), md(_share(v, cur.total, lang))]
                for k, v in cur.by_location.items()]
    unlocated = cur.total - sum(cur.by_location.values(), Decimal(0))
    if unlocated:
        loc_rows.append([md(t("no_location")), md(lang.money(unlocated)),
                         md(_share(unlocated, cur.total, lang))])
    out += _table([md(t("location")), md(t("amount")), md(t("share"))], loc_rows, {1, 2})
    out += [f"### {md(t('split_kind'))}", ""]
    out += _table(["", md(t("amount")), md(t("share"))],
                  [[md(t("onprem")), md(lang.money(cur.onprem)),
                    md(_share(cur.onprem, cur.total, lang))],
                   [md(t("cloud")), md(lang.money(cur.cloud)),
                    md(_share(cur.cloud, cur.total, lang))]], {1, 2})
    providers = sorted({p for m in r.months for p in m.by_provider}, key=provider_rank)
    out += [f"### {md(t('trend_table'))}", ""]
    out += _table([md(t("month"))] + [md(provider_name(p, lang)) for p in providers]
                  + [md(t("total_col"))],
                  [[md(lang.month(m.month))]
                   + [md(lang.money(m.by_provider.get(p, Decimal(0)))) for p in providers]
                   + [md(lang.money(m.total))] for m in r.months],
                  set(range(1, len(providers) + 2)))
    # recommendations
    out += [f"## {md(t('recommendations'))}", ""]
    if not r.moves:
        out += [md(t("no_moves")), ""]
    else:
        st = statement(r.plan)
        saving, one_off = st.total.saving, st.total.one_off
        out += ["**" + md(t("board_total", moves=s["moves"], saving=lang.money(saving),
                             one_off=lang.money(one_off),
                             payback=lang.payback(s["one_off_cost"],
                                                  s["monthly_savings"]))) + "**", ""]
        gain = {m.workload.id: st.workloads[m.workload.id].saving for m in r.moves}
        good = [m for m in r.moves if gain[m.workload.id] > 0]
        bad = [m for m in r.moves if gain[m.workload.id] <= 0]
        out.append("- " + md(t("saving_moves", n=len(good), saving=lang.money(
            sum((gain[m.workload.id] for m in good), Decimal(0))))))
        if bad:
            out.append("- " + md(t("rule_moves", n=len(bad), extra=lang.money(
                -sum((gain[m.workload.id] for m in bad), Decimal(0))))))
        out += ["- " + md(t("objective_note", horizon=r.horizon_months)),
                "- " + md(objective_sentence(st, lang)), ""]
        rows = [[md(c) for c in row_cells(row, lang)]
                for row in saving_rows(r.plan, r.moves, MAX_MOVES_SHOWN, st)]
        rows.append([f"**{md(t('total_col'))}**", "", "", "",
                     f"**{md(lang.money(saving))}**", f"**{md(lang.money(one_off))}**",
                     md(lang.payback(s["one_off_cost"], s["monthly_savings"]))])
        out += _table([md(t("workload")), md(t("application")), md(t("from_loc")),
                       md(t("to_loc")), md(t("saving")), md(t("one_off")), md(t("payback"))],
                      rows, {4, 5, 6})
    out += [f"### {md(t('rightsizing'))}", ""]
    found = [x for x in r.plan.rightsizing if x.monthly_saving > 0]
    if found:
        out += [md(t("rightsizing_text", saving=lang.money(s["rightsizing_monthly_savings"]),
                     n=len(found))), ""]
        out += _table([md(t("workload")), md(t("location")), md(t("cpu_now")), md(t("cpu_rec")),
                       md(t("mem_now")), md(t("mem_rec")), md(t("saving"))],
                      [[md(x.workload), md(x.location), md(lang.number(x.cpu, 3)),
                        md(lang.number(x.recommended_cpu, 3)), md(lang.number(x.memory_gb, 3)),
                        md(lang.number(x.recommended_memory_gb, 3)),
                        md(lang.money(x.monthly_saving))] for x in found[:15]],
                      {2, 3, 4, 5, 6})
    else:
        out += [md(t("rightsizing_none")), ""]
    if r.chains:
        colors = location_colors(r.plan)
        out += [f"### {md(t('chains'))}", "", md(t("chains_text")), ""]
        for chain in r.chains:
            out += [f"#### {md(chain.application)}", "", "```mermaid",
                    to_mermaid(chain, colors, r.currency, lang).rstrip("\n"), "```", ""]
        if r.chains_left_out:
            out += [f"+{r.chains_left_out} (`advisor graph`)", ""]
    # applications
    items = sorted(cur.by_application.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    top = items[:TOP_APPLICATIONS]
    out += [f"## {md(t('by_application', n=len(top), month=lang.month(r.month)))}", ""]
    out += _table([md(t("application")), md(t("billed")), md(t("modelled")), md(t("total_col"))],
                  [[md(name), md(lang.money(b)), md(lang.money(m)), md(lang.money(b + m))]
                   for name, (b, m) in top], {1, 2, 3})
    if cur.unallocated:
        out += [md(t("by_application_note", amount=lang.money(cur.unallocated))), ""]
    # compliance
    out += [f"## {md(t('compliance'))}", ""]
    if not r.findings:
        out += [md(t("findings_none")), ""]
    else:
        count = {sev: sum(1 for g in r.findings if g.severity == sev)
                 for sev in ("error", "warning", "info")}
        out += [md(t("findings_intro", n=len(r.findings), errors=count["error"],
                     warnings=count["warning"], infos=count["info"])), ""]
        rows = []
        for g in r.findings:
            shown = ", ".join(g.workloads[:8]) + (f" +{len(g.workloads) - 8}"
                                                  if len(g.workloads) > 8 else "")
            refs = "; ".join([g.references, *g.urls]) if g.references else "; ".join(g.urls)
            rows.append([md(lang.severity(g.severity)), f"`{g.rule.replace('`', '')}`",
                         md(g.title), str(len(g.workloads)), str(g.waived), md(shown), md(refs)])
        out += _table([md(t("severity")), md(t("rule")), "", md(t("findings")), md(t("waived")),
                       md(t("workloads")), md(t("references"))], rows, {3, 4})
    out += [f"### {md(t('waivers'))}", ""]
    if r.waivers is None:
        out += [md(t("waivers_none")), ""]
    else:
        status = {"expired": f"**{t('expired')}**", "soon": t("expires_soon"),
                  "valid": t("valid")}
        out += _table([md(t("rule")), md(t("waiver_subject")), md(t("owner")), md(t("expires")),
                       md(t("status")), md(t("findings")), md(t("reason"))],
                      [[md(w.rule), md(w.subject), md(w.owner), md(lang.date(w.expires)),
                        status[w.status], str(w.used),
                        md(w.reason + (f" ({w.reference})" if w.reference else ""))]
                       for w in r.waivers], {5})
    # unallocated and calibration
    out += [f"## {md(t('unallocated'))}", ""]
    if cur.unallocated is None:
        out += [md(t("unallocated_none")), ""]
    else:
        out += [md(t("unallocated_text", amount=lang.money(cur.unallocated),
                     share=_share(cur.unallocated, cur.billed, lang))), ""]
        if r.previous is not None and r.previous.unallocated is not None:
            out += [md(t("unallocated_change", amount=lang.money(r.previous.unallocated),
                         change=_change(cur.unallocated, r.previous.unallocated, lang))), ""]
    cal = r.plan.calibration
    if cal is not None:
        out += [f"### {md(t('calibration', month=lang.month(cal.month)))}", ""]
        out += _table([md(t("location")), md(t("billed_col")), md(t("modelled_col")),
                       md(t("difference")), md(t("ratio"))],
                      [[md(p.key), md(lang.money(p.billed)), md(lang.money(p.modelled)),
                        md(lang.money(p.difference, signed=True)),
                        "-" if p.ratio is None else md(lang.number(p.ratio, 2))]
                       for p in calibration_rows(r.plan)], {1, 2, 3, 4})
    # assumptions
    out += _targets(r, lang)
    out += _scenarios(r, lang)
    out += _budget(r, lang)
    out += [f"## {md(t('assumptions'))}", ""]
    out.append(f"- **{md(t('cost_basis'))}**: " + md(t(
        "cost_basis_text", basis=t(f"basis_{r.cost_basis}"), column=COST_BASES[r.cost_basis],
        currency=r.currency)))
    out.append(f"- **{md(t('horizon'))}**: " + md(t("horizon_text", n=r.horizon_months)))
    out.append(f"- **{md(t('switching'))}**: " + md(switching_text(r, lang)))
    if not r.rates:
        out.append(f"- **{md(t('rates'))}**: " + md(t("rates_none", currency=r.currency)))
    else:
        out.append(f"- **{md(t('rates'))}**:")
        for rate in r.rates:
            uses = ([t("prices_word")] if rate.prices else []) + (
                [t("bills_word", months=", ".join(rate.months))] if rate.months else [])
            text = t("rate_line", cur=rate.currency, rate=lang.number(rate.rate, 4),
                     currency=r.currency, date=lang.date(rate.date))
            if uses:
                text += "; " + t("rate_used", what=", ".join(uses))
            out.append("  - " + md(text))
    modelled_all = sorted({loc for m in r.months for loc in m.modelled_locations})
    if modelled_all:
        plans = sorted({m.plan_month for m in r.months if m.plan_month})
        out.append(f"- **{md(t('modelled'))}**: " + md(t(
            "modelled_note", locations=", ".join(modelled_all),
            plan=", ".join(lang.month(p) for p in plans))))
    out.append("")
    out += [f"### {md(t('prices'))}", ""]
    rows = []
    for p in r.prices:
        source = t("tco") if p.source == "tco" else (
            t("list_prices", file=p.source[5:]) if p.source.startswith("list:") else p.source)
        rows.append([md(p.location), md(provider_name(p.provider, lang)), md(p.currency),
                     md(source), md(p.date or t("not_recorded"))])
    out += _table([md(t("location")), md(t("provider")), "", md(t("price_source")),
                   md(t("price_date"))], rows, set())
    if r.sources:
        out += [f"### {md(t('sources'))}", ""]
        out += [f"- {md(f)} ({lang.number(n, 0)})" for f, n in r.sources]
        out.append("")
    if r.notes:
        out += [f"### {md(t('notes'))}", ""]
        out += [f"- {md(n)}" for n in r.notes]
        out.append("")
    from advisor import __version__

    out.append(md(t("generated", version=__version__)))
    return "\n".join(out).rstrip("\n") + "\n"


def _targets(r: Report, lang: Lang) -> list[str]:
    """The targets of advisor.yaml with their price (nothing when there are none)."""
    if not r.plan.targets:
        return []
    from advisor.outputs import report_targets as rt

    return [f"## {md(lang.t('targets'))}", "", md(lang.t("targets_text"), line_start=True), "",
            *_table([md(h) for h in rt.headers(lang)],
                    [[md(c) for c in row] for row in rt.rows(r.plan, lang)], rt.NUMERIC)]


def _scenarios(r: Report, lang: Lang) -> list[str]:
    """The scenarios of advisor.yaml beside the base plan (nothing when there are none)."""
    if not r.scenarios:
        return []
    from advisor.outputs import report_scenarios as rs

    out = [f"## {md(lang.t('scenarios'))}", "", md(lang.t("scenarios_text"), line_start=True), ""]
    out += _table([md(h) for h in rs.headers(lang)],
                  [[md(c) for c in row] for row in rs.rows(r.plan, r.scenarios, lang)],
                  rs.NUMERIC)
    out += [f"- **{md(name)}**: {md(text)}" for name, text in rs.descriptions(r.scenarios)]
    return [*out, ""] if rs.descriptions(r.scenarios) else out


def _budget(r: Report, lang: Lang) -> list[str]:
    """The multi-year budget of the recommended placement, and with scenarios each plan's total
    per year (the HTML's charts, as tables)."""
    from advisor.outputs import report_budget as rb

    plans = rb.plan_budgets(r)
    head, rows = rb.table(r, lang, plans)
    out = [f"## {md(lang.t('budget'))}", "", md(lang.t("budget_text"), line_start=True), "",
           *_table([md(h) for h in head], [[md(c) for c in row] for row in rows], rb.NUMERIC)]
    if len(plans) > 1:
        head, rows, numeric = rb.comparison(plans, lang)
        out += [f"### {md(lang.t('budget_scenarios'))}", "",
                md(lang.t("budget_scenarios_text"), line_start=True), "",
                *_table([md(h) for h in head], [[md(c) for c in row] for row in rows], numeric)]
    return out
