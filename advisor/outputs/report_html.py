"""The report as one self-contained HTML page: inline CSS and SVG, no script, no external
resource of any kind (a Content-Security-Policy says so to the browser too). Laid out for
reading on screen and printing on A4. Every text that comes from the estate, the bills or the
policy packs goes through ``advisor.outputs.escape.html_text``.
"""

from __future__ import annotations

import html
from decimal import Decimal

from advisor import __version__
from advisor.ledger.report import COST_BASES
from advisor.month import month_add
from advisor.outputs import charts
from advisor.outputs.diagrams import location_colors, to_svg
from advisor.outputs.escape import html_text, http_url
from advisor.outputs.i18n import Lang, provider_name
from advisor.outputs.report_savings import (
    objective_sentence,
    row_cells,
    row_label,
    switching_text,
    whole_it,
)
from advisor.outputs.statement import calibration_rows, saving_rows, statement
from advisor.report.build import (
    MAX_MOVES_SHOWN,
    TOP_APPLICATIONS,
    MonthCost,
    Report,
    change,
    provider_rank,
)

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 10.5pt;
  line-height: 1.4; margin: 0; color: #111; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 8mm 20px 12mm; }
h1 { font-size: 19pt; margin: 0 0 1mm; }
h2 { font-size: 14pt; border-bottom: 2px solid #0072B2; margin: 9mm 0 3mm; padding-bottom: 1mm;
  break-after: avoid; }
h3 { font-size: 11.5pt; margin: 5mm 0 2mm; break-after: avoid; }
p { margin: 1.5mm 0; }
.sub { color: #333; margin-bottom: 4mm; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(240px, 100%), 1fr));
  gap: 3mm; }
.kpi { border: 1px solid #999; border-left: 6px solid #0072B2; padding: 2mm 3mm;
  break-inside: avoid; }
.kpi .label { font-size: 9pt; color: #333; }
.kpi .value { font-size: 16pt; font-weight: bold; }
.kpi .detail { font-size: 9pt; color: #222; }
.pair { display: grid; gap: 4mm 8mm; align-items: start;
  grid-template-columns: repeat(auto-fit, minmax(min(480px, 100%), 1fr)); }
.pair > * { min-width: 0; }
.decision { border: 2px solid #009E73; padding: 2mm 3mm; font-size: 11.5pt; break-inside: avoid;
  margin-top: 3mm; }
.alert { border: 2px solid #D55E00; padding: 2mm 3mm; font-weight: bold; }
.scroll { overflow-x: auto; max-width: 100%; margin: 2mm 0 4mm; }
.scroll:focus { outline: 2px solid #0072B2; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { border-bottom: 1px solid #bbb; padding: 0.8mm 1.2mm; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
td a { overflow-wrap: anywhere; }
th { background: #eee; font-weight: bold; }
.num { text-align: right; white-space: nowrap; overflow-wrap: normal;
  font-variant-numeric: tabular-nums; }
th.num { white-space: normal; }
.id { white-space: nowrap; }
table.wide { font-size: 8.5pt; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
tfoot td { font-weight: bold; border-top: 2px solid #444; }
.splits { display: grid; gap: 3mm 6mm;
  grid-template-columns: repeat(auto-fit, minmax(min(300px, 100%), 1fr)); }
.splits table { font-size: 8.5pt; }
figure { margin: 3mm 0 5mm; break-inside: avoid; }
figure svg { display: block; height: auto; }
figure.chart { overflow-x: auto; }
figure.chart svg { width: 100%; max-width: 820px; min-width: 500px; }
figcaption { font-size: 8.5pt; color: #333; margin-top: 1mm; }
figure.chain { overflow-x: auto; border: 1px solid #ddd; }
figure.chain svg { width: 100%; }
@page wide { size: A4 landscape; margin: 12mm; }
.muted { color: #444; font-size: 9pt; }
td .muted { font-size: 1em; }
.expired { color: #B00000; font-weight: bold; }
.soon { color: #8A4B00; font-weight: bold; }
nav ol { columns: 2 16em; font-size: 9.5pt; margin: 0; }
code { font-size: 9pt; white-space: nowrap; }
li code { white-space: normal; overflow-wrap: anywhere; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #444; }
@media (max-width: 600px) {
  main { padding: 4mm 10px 8mm; }
  h1 { font-size: 15pt; }
}
@media print {
  main { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-before: auto; }
  nav { display: none; }
  .scroll, figure.chart { overflow: visible; }
  figure.chart svg { min-width: 0; }
  table.wide { font-size: 7.5pt; }
  th, td { padding: 0.6mm 0.8mm; }
  figure.chain { page: wide; overflow: visible; border: 0; }
  figure.chain svg { width: 100%; max-width: 100% !important; min-width: 0 !important; }
}
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


e = html_text


def _table(head: list[str], rows: list[list[str]], numeric: set[int],
           foot: list[str] | None = None, css: str = "", label: str = "") -> str:
    """A table from already escaped cells; ``numeric`` columns are right-aligned. It sits in a
    frame that scrolls sideways (labelled for screen readers, reachable by keyboard) when the
    page is narrower than the table, so the page itself never does."""
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    out = [f'<div class="scroll" role="region" tabindex="0" aria-label="{e(label)}">']
    out.append(f'<table class="{css}"><thead><tr>' if css else "<table><thead><tr>")
    out += [f"<th{cls(i)}>{h}</th>" for i, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(row))
                   + "</tr>")
    out.append("</tbody>")
    if foot:
        out.append("<tfoot><tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(foot))
                   + "</tr></tfoot>")
    out.append("</table></div>")
    return "".join(out)


def _id(text: str) -> str:
    """An id (a location, a workload) that never breaks across lines."""
    return f'<span class="id">{e(text)}</span>'


def _chart(ident: str, svg: str, label: str, caption: str = "") -> str:
    """A chart in a figure that scrolls sideways on a phone rather than shrink its text."""
    return (f'<figure class="chart" id="{ident}" role="region" tabindex="0" '
            f'aria-label="{e(label)}">{svg}{caption}</figure>')


def _share(part: Decimal, whole: Decimal, lang: Lang) -> str:
    return lang.percent(part / whole, signed=False) if whole else "-"


def _change_text(now: Decimal, before: Decimal, lang: Lang) -> str:
    diff, frac = change(now, before)
    pct = f" ({lang.percent(frac)})" if frac is not None else ""
    return f"{lang.money(diff, signed=True)}{pct}"


# -- sections -------------------------------------------------------------------------------------

def _headline(r: Report, lang: Lang) -> str:
    cur = r.current
    t = lang.t
    out = [f'<section id="headline"><h2>{e(t("headline"))}</h2><div class="kpis">']
    out.append(_kpi("total", t("total"), lang.money(cur.total),
                     f"{e(t('billed'))} {e(lang.money(cur.billed))}, {e(t('modelled'))} "
                     f"{e(lang.money(cur.modelled))}"))
    if r.previous is not None:
        detail = e(lang.t("from_to", a=lang.money(r.previous.total),
                          ma=lang.month(r.previous.month), b=lang.money(cur.total),
                          mb=lang.month(cur.month)))
        out.append(_kpi("vs-last-month", t("vs_last_month"),
                        _change_text(cur.total, r.previous.total, lang), detail))
    else:
        out.append(_kpi("vs-last-month", t("vs_last_month"), "-",
                        e(t("no_previous", month=lang.month(_prev(r.month))))))
    if r.three is not None:
        first, last = r.three
        mid = r.previous
        assert mid is not None
        avg = (first.total + mid.total + last.total) / 3
        detail = e(t("from_to", a=lang.money(first.total), ma=lang.month(first.month),
                     b=lang.money(last.total), mb=lang.month(last.month))) + "; " + \
            e(t("avg3", amount=lang.money(avg)))
        out.append(_kpi("trend-3", t("trend3"), _change_text(last.total, first.total, lang),
                        detail))
    else:
        have = sum(1 for m in r.months if m.month >= _prev(_prev(r.month)))
        out.append(_kpi("trend-3", t("trend3"), "-", e(t("need_three", have=have))))
    if r.inhabitants:
        people = Decimal(r.inhabitants)
        per_month = cur.total / people
        out.append(_kpi("per-inhabitant", t("per_inhabitant"), lang.money(per_month * 12),
                        e(t("per_inhabitant_value", month=lang.money(per_month),
                            year=lang.money(per_month * 12),
                            people=lang.number(r.inhabitants, 0)))))
        for label, text in whole_it(r, lang, cur.total):
            out.append(_kpi("whole-it", label, text.split(":")[0], e(text)))
    out.append("</div>")
    out.append(_splits(cur, r, lang))
    out.append(_trend(r, lang))
    out.append("</section>")
    return "".join(out)


def _prev(month: str) -> str:
    return month_add(month, -1)


def _kpi(ident: str, label: str, value: str, detail: str) -> str:
    return (f'<div class="kpi" id="kpi-{ident}"><div class="label">{e(label)}</div>'
            f'<div class="value">{e(value)}</div><div class="detail">{detail}</div></div>')


def _splits(cur: MonthCost, r: Report, lang: Lang) -> str:
    t = lang.t
    mark = f' <span class="muted">({e(t("modelled_mark"))})</span>'
    modelled_locs = set(cur.modelled_locations)
    prov_rows = [[e(provider_name(k, lang)), e(lang.money(v)), e(_share(v, cur.total, lang))]
                 for k, v in cur.by_provider.items()]
    loc_rows = [[_id(k) + (mark if k in modelled_locs else ""), e(lang.money(v)),
                 e(_share(v, cur.total, lang))] for k, v in cur.by_location.items()]
    unlocated = cur.total - sum(cur.by_location.values(), Decimal(0))
    if unlocated:
        loc_rows.append([e(t("no_location")),
                         e(lang.money(unlocated)), e(_share(unlocated, cur.total, lang))])
    kind_rows = [[e(t(k)), e(lang.money(v)), e(_share(v, cur.total, lang))]
                 for k, v in (("onprem", cur.onprem), ("cloud", cur.cloud))]
    foot = [e(t("total_col")), e(lang.money(cur.total)), "100%"]
    out = ['<div class="splits">']
    for title, head, rows in ((t("split_provider"), t("provider"), prov_rows),
                              (t("split_location"), t("location"), loc_rows),
                              (t("split_kind"), "", kind_rows)):
        out.append(f"<div><h3>{e(title)}</h3>")
        out.append(_table([e(head), e(t("amount")), e(t("share"))], rows, {1, 2}, foot,
                          label=title))
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def _trend(r: Report, lang: Lang) -> str:
    t = lang.t
    months = r.months
    providers: list[str] = []
    for m in months:
        for k in m.by_provider:
            if k not in providers:
                providers.append(k)
    providers.sort(key=provider_rank)
    series = [(provider_name(p, lang), [m.by_provider.get(p, Decimal(0)) for m in months])
              for p in providers]
    title = t("trend_chart", n=len(months))
    out = []
    if len(months) >= 2:
        cats = [lang.month_short(m.month) for m in months]
        svg = charts.stacked_bars("chart-trend", title, cats, series, lang)
        small = charts.small_multiples("chart-trend-providers", t("trend_small"), cats, series,
                                       lang)
        out.append('<div class="pair">' + _chart("fig-trend", svg, title)
                   + _chart("fig-trend-providers", small, t("trend_small")) + "</div>")
    else:
        out.append(f'<p class="muted">{e(t("chart_none"))}</p>')
    head = [e(t("month"))] + [e(provider_name(p, lang)) for p in providers] + [e(t("total_col"))]
    rows = [[e(lang.month(m.month))] + [e(lang.money(m.by_provider.get(p, Decimal(0))))
                                         for p in providers] + [e(lang.money(m.total))]
            for m in months]
    out.append(f"<h3>{e(t('trend_table'))}</h3>")
    out.append(_table(head, rows, set(range(1, len(head))), label=t("trend_table")))
    return "".join(out)


def _recommendations(r: Report, lang: Lang, colors: dict[str, str]) -> str:
    t = lang.t
    s = r.summary
    out = [f'<section id="recommendations"><h2>{e(t("recommendations"))}</h2>']
    if not r.moves:
        out.append(f"<p>{e(t('no_moves'))}</p>")
    else:
        st = statement(r.plan)
        saving = st.total.saving
        one_off = st.total.one_off
        decision = t("board_total", moves=s["moves"], saving=lang.money(saving),
                     one_off=lang.money(one_off), payback=lang.payback(one_off, saving))
        out.append('<div class="pair">')
        out.append(f'<div class="decision" id="decision">{e(decision)}')
        shown = {m.workload.id: st.workloads[m.workload.id].saving for m in r.moves}
        good = [m for m in r.moves if shown[m.workload.id] > 0]
        bad = [m for m in r.moves if shown[m.workload.id] <= 0]
        out.append("<ul>")
        gained = sum((shown[m.workload.id] for m in good), Decimal(0))
        out.append(f"<li>{e(t('saving_moves', n=len(good), saving=lang.money(gained)))}</li>")
        if bad:
            extra = -sum((shown[m.workload.id] for m in bad), Decimal(0))
            out.append(f"<li>{e(t('rule_moves', n=len(bad), extra=lang.money(extra)))}</li>")
        out.append(f"<li>{e(t('objective_note', horizon=r.horizon_months))}</li>"
                   f"<li>{e(objective_sentence(st, lang))}</li></ul></div>")
        out.append(_waterfall(r, lang))
        out.append("</div>")
        out.append(_moves_table(r, lang))
    out.append(_rightsizing(r, lang))
    if r.chains:
        out.append(f'<h3 id="chains">{e(t("chains"))}</h3><p class="muted">'
                   f'{e(t("chains_text"))}</p>')
        for i, chain in enumerate(r.chains):
            svg = to_svg(chain, colors, r.currency, lang, id_prefix=f"chain{i}")
            out.append(_chain_figure(svg))
        if r.chains_left_out:
            out.append(f'<p class="muted">+{r.chains_left_out} (advisor graph)</p>')
    out.append("</section>")
    return "".join(out)


def _waterfall(r: Report, lang: Lang) -> str:
    """From today's cost to the recommended one: a step per application that moves, the
    workloads that stay but change cost, and the estate's lines; the steps add up to the
    difference of the two totals."""
    t = lang.t
    st = statement(r.plan)
    per_app: dict[str, Decimal] = {}
    for row in saving_rows(r.plan, r.moves, st=st):
        if row.kind == "move" and row.recommendation is not None:
            key = row.recommendation.workload.application
        else:
            key = row_label(row, lang)
        per_app[key] = per_app.get(key, Decimal(0)) - row.saving
    ordered = sorted(per_app.items(), key=lambda kv: (kv[1], kv[0]))
    head = [kv for kv in ordered if kv[1] < 0][:8]
    tail = [kv for kv in ordered if kv[1] > 0][-2:]
    rest = [kv for kv in ordered if kv not in head and kv not in tail]
    steps = list(head)
    if rest:
        steps.append((t("other_apps", n=len(rest)), sum((v for _, v in rest), Decimal(0))))
    steps += tail
    title = t("waterfall")
    svg = charts.waterfall("chart-waterfall", title, (t("today"), st.total.now),
                           steps, (t("recommended"), st.total.after), lang)
    return _chart("fig-waterfall", svg, title)


def _chain_figure(svg: str) -> str:
    """A chain diagram scaled to the column, but never below 70% of its drawn size (its text
    stays readable): on a narrow screen its frame scrolls sideways instead. The frame is named
    after the diagram's title for screen readers and can be scrolled with the keyboard."""
    import re

    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    label = html.unescape(re.search(r"<title[^>]*>([^<]*)</title>", svg).group(1))  # type: ignore[union-attr]
    svg = svg.replace('class="chain"', f'class="chain" style="max-width:{width:g}px;'
                      f'min-width:{width * 0.7:.0f}px"', 1)
    return (f'<figure class="chain" role="region" tabindex="0" aria-label="{e(label)}">'
            f"{svg}</figure>")


def _moves_table(r: Report, lang: Lang) -> str:
    """The moves, the moves left out, the workloads that stay but change cost and the estate's
    lines: the rows add up to the total (the monthly savings and the one-off cost)."""
    t = lang.t
    st = statement(r.plan)
    rows = []
    for row in saving_rows(r.plan, r.moves, MAX_MOVES_SHOWN, st):
        cells = [e(c) for c in row_cells(row, lang)]
        m = row.recommendation
        if row.line is not None:  # the id in the label never breaks
            cells[0] = e(row_label(row, lang)).replace(e(row.line.key), _id(row.line.key), 1)
        if m is not None:
            cells[2], cells[3] = _id(m.current_location), _id(m.recommended_location)
            if (m.workload.name or m.workload.id) != m.workload.id:
                cells[0] += f' <span class="muted id">{e(m.workload.id)}</span>'
        rows.append(cells)
    s = r.summary
    foot = [e(t("total_col")), "", "", "", e(lang.money(st.total.saving)),
            e(lang.money(st.total.one_off)),
            e(lang.payback(s["one_off_cost"], s["monthly_savings"]))]
    return _table([e(t("workload")), e(t("application")), e(t("from_loc")), e(t("to_loc")),
                   e(t("saving")), e(t("one_off")), e(t("payback"))], rows, {4, 5, 6}, foot,
                  css="wide", label=t("recommendations"))


def _rightsizing(r: Report, lang: Lang) -> str:
    t = lang.t
    found = [x for x in r.plan.rightsizing if x.monthly_saving > 0]
    out = [f'<h3 id="rightsizing">{e(t("rightsizing"))}</h3>']
    if not found:
        out.append(f"<p>{e(t('rightsizing_none'))}</p>")
        return "".join(out)
    total = r.summary["rightsizing_monthly_savings"]
    out.append(f"<p>{e(t('rightsizing_text', saving=lang.money(total), n=len(found)))}</p>")
    rows = [[_id(x.workload), _id(x.location), e(lang.number(x.cpu, 3)),
             e(lang.number(x.recommended_cpu, 3)), e(lang.number(x.memory_gb, 3)),
             e(lang.number(x.recommended_memory_gb, 3)), e(lang.money(x.monthly_saving))]
            for x in found[:15]]
    out.append(_table([e(t("workload")), e(t("location")), e(t("cpu_now")), e(t("cpu_rec")),
                       e(t("mem_now")), e(t("mem_rec")), e(t("saving"))], rows,
                      {2, 3, 4, 5, 6}, css="wide", label=t("rightsizing")))
    return "".join(out)


def _applications(r: Report, lang: Lang) -> str:
    t = lang.t
    cur = r.current
    items = sorted(cur.by_application.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    top = [(name, b, m) for name, (b, m) in items[:TOP_APPLICATIONS]]
    title = t("by_application", n=len(top), month=lang.month(r.month))
    out = [f'<section id="applications"><h2>{e(title)}</h2>']
    if top:
        svg = charts.hbars("chart-applications", title, top, lang,
                           legend=(t("billed"), t("modelled")))
        note = ""
        if cur.unallocated:
            note = "<figcaption>" + e(t("by_application_note",
                                        amount=lang.money(cur.unallocated))) + "</figcaption>"
        out.append(_chart("fig-applications", svg, title, note))
    out.append("</section>")
    return "".join(out)


def _compliance(r: Report, lang: Lang) -> str:
    t = lang.t
    out = [f'<section id="compliance"><h2>{e(t("compliance"))}</h2>']
    if not r.findings:
        out.append(f"<p>{e(t('findings_none'))}</p>")
    else:
        count = {sev: sum(1 for g in r.findings if g.severity == sev)
                 for sev in ("error", "warning", "info")}
        intro = t("findings_intro", n=len(r.findings), errors=count["error"],
                  warnings=count["warning"], infos=count["info"])
        out.append(f"<p>{e(intro)}</p>")
        rows = []
        for g in r.findings:
            shown = ", ".join(_id(w) for w in g.workloads[:8]) + (
                f" +{len(g.workloads) - 8}" if len(g.workloads) > 8 else "")
            refs = e(g.references)
            links = [f'<a href="{e(u)}">{e(u)}</a>' for u in g.urls if http_url(u)]
            if links:
                refs += ("<br>" if refs else "") + "<br>".join(links)
            rows.append([e(lang.severity(g.severity)),
                         f"<code>{e(g.rule)}</code><br>{e(g.title)}", e(len(g.workloads)),
                         e(g.waived), shown, refs])
        out.append(_table([e(t("severity")), e(t("rule")), e(t("findings")), e(t("waived")),
                           e(t("workloads")), e(t("references"))], rows, {2, 3}, css="wide",
                          label=t("compliance")))
    out.append(f'<h3 id="waivers">{e(t("waivers"))}</h3>')
    if r.waivers is None:
        out.append(f'<p class="muted">{e(t("waivers_none"))}</p>')
    else:
        rows = []
        for w in r.waivers:
            status = {"expired": f'<span class="expired">{e(t("expired"))}</span>',
                      "soon": f'<span class="soon">{e(t("expires_soon"))}</span>',
                      "valid": e(t("valid"))}[w.status]
            subject = _id(w.subject) + (f' <span class="muted">({e(t("application"))})</span>'
                                      if w.application else "")
            reason = e(w.reason) + (f' <span class="muted">{e(w.reference)}</span>'
                                    if w.reference else "")
            rows.append([f"<code>{e(w.rule)}</code>", subject, e(w.owner),
                         e(lang.date(w.expires)), status, e(w.used), reason])
        out.append(_table([e(t("rule")), e(t("waiver_subject")), e(t("owner")), e(t("expires")),
                           e(t("status")), e(t("findings")), e(t("reason"))], rows, {5},
                          label=t("waivers")))
    out.append("</section>")
    return "".join(out)


def _unallocated(r: Report, lang: Lang) -> str:
    t = lang.t
    cur = r.current
    out = [f'<section id="unallocated"><h2>{e(t("unallocated"))}</h2>']
    if cur.unallocated is None:
        out.append(f"<p>{e(t('unallocated_none'))}</p>")
    else:
        text = t("unallocated_text", amount=lang.money(cur.unallocated),
                 share=_share(cur.unallocated, cur.billed, lang))
        out.append(f'<p id="unallocated-now">{e(text)}</p>')
        if r.previous is not None and r.previous.unallocated is not None:
            text = t("unallocated_change", amount=lang.money(r.previous.unallocated),
                     change=_change_text(cur.unallocated, r.previous.unallocated, lang))
            out.append(f"<p>{e(text)}</p>")
        rows = [[e(lang.month(m.month)), e(lang.money(m.unallocated or Decimal(0))),
                 e(_share(m.unallocated or Decimal(0), m.billed, lang))] for m in r.months]
        out.append(_table([e(t("month")), e(t("amount")), e(t("share"))], rows, {1, 2},
                          label=t("unallocated")))
    cal = r.plan.calibration
    if cal is not None:
        out.append(f"<h3>{e(t('calibration', month=lang.month(cal.month)))}</h3>")
        rows = [[_id(p.key), e(lang.money(p.billed)), e(lang.money(p.modelled)),
                 e(lang.money(p.difference, signed=True)),
                 "-" if p.ratio is None else e(lang.number(p.ratio, 2))]
                for p in calibration_rows(r.plan)]
        out.append(_table([e(t("location")), e(t("billed_col")), e(t("modelled_col")),
                           e(t("difference")), e(t("ratio"))], rows, {1, 2, 3, 4},
                          label=t("calibration", month=lang.month(cal.month))))
    elif r.has_ledger:
        out.append(f"<p>{e(t('calibration_none'))}</p>")
    out.append("</section>")
    return "".join(out)


def _assumptions(r: Report, lang: Lang) -> str:
    t = lang.t
    out = [f'<section id="assumptions"><h2>{e(t("assumptions"))}</h2><dl>']
    basis = t("cost_basis_text", basis=t(f"basis_{r.cost_basis}"), column=COST_BASES[r.cost_basis],
              currency=r.currency)
    out.append(f"<dt><b>{e(t('cost_basis'))}</b></dt><dd>{e(basis)}</dd>")
    out.append(f"<dt><b>{e(t('horizon'))}</b></dt><dd>"
               f"{e(t('horizon_text', n=r.horizon_months))}</dd>")
    out.append(f"<dt><b>{e(t('switching'))}</b></dt><dd>{e(switching_text(r, lang))}</dd>")
    out.append(f"<dt><b>{e(t('rates'))}</b></dt><dd>")
    if not r.rates:
        out.append(e(t("rates_none", currency=r.currency)))
    else:
        lines = []
        for rate in r.rates:
            uses = []
            if rate.prices:
                uses.append(t("prices_word"))
            if rate.months:
                uses.append(t("bills_word", months=", ".join(rate.months)))
            text = t("rate_line", cur=rate.currency, rate=lang.number(rate.rate, 4),
                     currency=r.currency, date=lang.date(rate.date))
            if uses:
                text += "; " + t("rate_used", what=", ".join(uses))
            lines.append(e(text))
        out.append("<br>".join(lines))
    out.append("</dd>")
    modelled = sorted({loc for m in r.months for loc in m.modelled_locations})
    if modelled:
        plans = sorted({m.plan_month for m in r.months if m.plan_month})
        note = e(t("modelled_note", locations="{ids}",
                   plan=", ".join(lang.month(p) for p in plans)))
        note = note.replace("{ids}", ", ".join(_id(loc) for loc in modelled))
        out.append(f"<dt><b>{e(t('modelled'))}</b></dt><dd>{note}</dd>")
    out.append("</dl>")
    out.append(f"<h3>{e(t('prices'))}</h3>")
    rows = []
    for p in r.prices:
        if p.source == "tco":
            source = t("tco")
        elif p.source.startswith("list:"):
            source = t("list_prices", file=p.source[5:])
        else:
            source = p.source
        rows.append([_id(p.location), e(provider_name(p.provider, lang)), e(p.currency), e(source),
                     e(p.date or t("not_recorded"))])
    out.append(_table([e(t("location")), e(t("provider")), "", e(t("price_source")),
                       e(t("price_date"))], rows, set(), label=t("prices")))
    if r.sources:
        out.append(f"<h3>{e(t('sources'))}</h3><ul>")
        out += [f"<li><code>{e(f)}</code> ({e(lang.number(n, 0))})</li>" for f, n in r.sources]
        out.append("</ul>")
    if r.notes:
        out.append(f"<h3>{e(t('notes'))}</h3><ul>")
        out += [f"<li>{e(n)}</li>" for n in r.notes]
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)


def _targets(r: Report, lang: Lang) -> str:
    from advisor.outputs import report_targets as rt

    t = lang.t
    return "".join([f'<section id="targets"><h2>{e(t("targets"))}</h2>',
                    f"<p>{e(t('targets_text'))}</p>",
                    _table([e(h) for h in rt.headers(lang)],
                           [[e(c) for c in row] for row in rt.rows(r.plan, lang)],
                           rt.NUMERIC, label=t("targets")),
                    "</section>"])


def _scenarios(r: Report, lang: Lang) -> str:
    from advisor.outputs import report_scenarios as rs

    t = lang.t
    return "".join([f'<section id="scenarios"><h2>{e(t("scenarios"))}</h2>',
                    f"<p>{e(t('scenarios_text'))}</p>",
                    _table([e(h) for h in rs.headers(lang)],
                           [[e(c) for c in row] for row in rs.rows(r.plan, r.scenarios, lang)],
                           rs.NUMERIC, label=t("scenarios")),
                    *(f"<p><b>{e(name)}</b>: {e(text)}</p>"
                      for name, text in rs.descriptions(r.scenarios)),
                    "</section>"])


def _budget(r: Report, lang: Lang) -> str:
    """The budget per year as stacked bars of its parts and a table; with scenarios, each
    plan's total per year as grouped bars beside it, and a table of them."""
    from advisor.outputs import report_budget as rb

    t = lang.t
    plans = rb.plan_budgets(r)
    head, rows = rb.table(r, lang, plans)
    years, parts = rb.parts_series(plans[0], lang)
    figure = _chart("fig-budget", charts.stacked_bars("chart-budget", t("budget_chart"), years,
                                                      parts, lang), t("budget_chart"))
    out = [f'<section id="budget"><h2>{e(t("budget"))}</h2>', f"<p>{e(t('budget_text'))}</p>"]
    if len(plans) > 1:
        years, totals = rb.totals_series(plans, lang)
        title = t("budget_scenarios_chart")
        out.append('<div class="pair">' + figure + _chart(
            "fig-budget-scenarios", charts.grouped_bars("chart-budget-scenarios", title, years,
                                                        totals, lang), title) + "</div>")
    else:
        out.append(figure)
    out.append(_table([e(h) for h in head], [[e(c) for c in row] for row in rows], rb.NUMERIC,
                      label=t("budget")))
    if len(plans) > 1:
        head, rows, numeric = rb.comparison(plans, lang)
        out += [f'<h3 id="budget-scenarios">{e(t("budget_scenarios"))}</h3>',
                f"<p>{e(t('budget_scenarios_text'))}</p>",
                _table([e(h) for h in head], [[e(c) for c in row] for row in rows], numeric,
                       label=t("budget_scenarios"))]
    out.append("</section>")
    return "".join(out)


def render_html(r: Report, lang: Lang) -> str:
    t = lang.t
    colors = location_colors(r.plan)
    title = f"{t('title')} {lang.month(r.month)}: {r.estate}"
    subtitle = t("subtitle", estate=r.estate, month=lang.month(r.month), currency=r.currency,
                 basis=t(f"basis_{r.cost_basis}"))
    body = [f"<h1>{e(title)}</h1>", f'<p class="sub">{e(subtitle)}</p>']
    if r.failed_sources:
        names = ", ".join(f"{s}: {m}" for s, m in r.failed_sources)
        body.append(f'<p class="alert" id="failed-sources">'
                    f'{e(t("failed_warning", sources=names))}</p>')
    sections = [("headline", t("headline")), ("recommendations", t("recommendations")),
                ("applications", t("by_application", n=TOP_APPLICATIONS,
                                   month=lang.month(r.month))),
                ("compliance", t("compliance")), ("unallocated", t("unallocated")),
                *([("targets", t("targets"))] if r.plan.targets else []),
                *([("scenarios", t("scenarios"))] if r.scenarios else []),
                ("budget", t("budget")),
                ("assumptions", t("assumptions"))]
    body.append(f"<nav><b>{e(t('contents'))}</b><ol>"
                + "".join(f'<li><a href="#{k}">{e(v)}</a></li>' for k, v in sections)
                + "</ol></nav>")
    body.append(_headline(r, lang))
    body.append(_recommendations(r, lang, colors))
    body.append(_applications(r, lang))
    body.append(_compliance(r, lang))
    body.append(_unallocated(r, lang))
    if r.plan.targets:
        body.append(_targets(r, lang))
    if r.scenarios:
        body.append(_scenarios(r, lang))
    body.append(_budget(r, lang))
    body.append(_assumptions(r, lang))
    body.append(f"<footer>{e(t('generated', version=__version__))}</footer>")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{e(lang.code)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")
