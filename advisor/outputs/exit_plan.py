"""The exit plan (``advisor exit``) for people and machines: a terminal table, Markdown and a
standalone HTML page fit to attach to a contract file as the BIO2 5.20.06 exit strategy (with the
date and the assumptions), and JSON (the plan's shape plus an ``exit`` object).

Every figure is shown in cents: the one-off parts are apportioned so that they add up to the
cost of leaving as shown; the leavers' one-off costs add up to the migration part."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from advisor.money import apportion, cents, money_text
from advisor.outputs.escape import html_text, markdown_text, terminal_text
from advisor.outputs.money import number
from advisor.outputs.statement import statement
from advisor.planning.exit import ExitPlan

BIO2_50206 = ("Voordat een contract wordt afgesloten, wordt in een risicoafweging bepaald of de "
              "afhankelijkheid van een leverancier beheersbaar is. Een vast onderdeel van het "
              "contract is een expliciete uitwerking van de exit-strategie.")
BIO2_50206_EN = ("Before a contract is concluded, a risk assessment determines whether the "
                 "dependency on the supplier is manageable. An explicit elaboration of the exit "
                 "strategy is a fixed part of the contract.")
PART_LABELS = {"migration": "migration (data out, re-platforming)",
               "onboarding": "onboarding of providers the exit starts using",
               "closing": "closing locations",
               "stranded_commitments": "stranded commitments (fees for unused capacity until "
                                       "they end)",
               "book_value_written_off": "book value written off (sunk, not cash)"}
LEAVER_HEADERS = ["workload", "from", "to", "data GB", "one-off", "of which switching"]
STUCK_HEADERS = ["workload", "at", "why it cannot leave"]


def _days(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,.1f}"


def _gb(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,.1f}"


class Shown:
    """The exit's figures as shown (cents that add up)."""

    def __init__(self, e: ExitPlan) -> None:
        st = statement(e.plan)
        parts = e.one_offs()
        cash_keys = ["migration", "onboarding", "closing"]
        cash = apportion([parts[k] for k in cash_keys], st.total.one_off)  # as analyze shows it
        self.parts = dict(zip(cash_keys, cash, strict=True))
        for k in ("stranded_commitments", "book_value_written_off"):
            self.parts[k] = cents(parts[k])
        self.one_off = st.total.one_off
        self.cost_of_leaving = sum(self.parts.values(), Decimal(0))
        ids = [lv.workload for lv in e.leavers]
        self.leavers = dict(zip(ids, apportion([lv.one_off for lv in e.leavers],
                                               self.parts["migration"]), strict=True))
        self.switching = dict(zip(ids, apportion([lv.switching for lv in e.leavers]),
                                  strict=True))
        self.switching_total = sum(self.switching.values(), Decimal(0))
        st = statement(e.plan)
        self.now, self.after = st.total.now, st.total.after


def summary_rows(e: ExitPlan) -> list[list[str]]:
    s = Shown(e)
    c = e.plan.currency
    rows = [["exit", f"{e.subject} ({', '.join(e.locations)})"],
            ["exit date", e.date.isoformat()],
            ["workloads that leave", str(len(e.leavers))],
            ["workloads that cannot leave", str(len(e.stuck))]]
    rows += [[PART_LABELS[k], f"{money_text(v)} {c}"] for k, v in s.parts.items()]
    rows += [["cost of leaving (the parts above)", f"{money_text(s.cost_of_leaving)} {c}"],
             ["one-off cost (cash: migration + onboarding + closing)",
              f"{money_text(s.one_off)} {c}"],
             ["of which switching charges (EU Data Act Art. 29)",
              f"{money_text(s.switching_total)} {c}"],
             ["monthly cost now", f"{money_text(s.now)} {c}"],
             ["monthly cost after the exit", f"{money_text(s.after)} {c}"],
             ["monthly change", f"{money_text(s.after - s.now)} {c}"],
             ["data transfer", f"{_days(e.transfer_days)} days (busiest location pair)"],
             ["effort", f"{_days(e.effort_days)} working days"],
             ["duration", f"{_days(e.duration_days)} days"]]
    return rows


def leaver_rows(e: ExitPlan) -> list[list[str]]:
    s = Shown(e)
    return [[lv.workload, lv.source, lv.target, _gb(lv.data_gb), money_text(s.leavers[lv.workload]),
             money_text(s.switching[lv.workload])] for lv in e.leavers]


def transfer_rows(e: ExitPlan) -> list[list[str]]:
    return [[t.source, t.target, _gb(t.data_gb), f"{t.mbps.normalize():f}", _days(t.days)]
            for t in e.transfers]


TRANSFER_HEADERS = ["from", "to", "data GB", "Mbit/s", "days"]


def stuck_rows(e: ExitPlan) -> list[list[str]]:
    return [[s.workload, s.location, s.why] for s in e.stuck]


def render_table(e: ExitPlan) -> str:
    from tabulate import tabulate

    out = [f"{e.plan.estate.name}: exit plan for {e.subject} (BIO2 5.20.06)", "",
           tabulate(summary_rows(e), tablefmt="plain", disable_numparse=True), ""]
    if e.leavers:
        out += ["Workloads that leave:", tabulate(leaver_rows(e), headers=LEAVER_HEADERS,
                                                  tablefmt="simple", disable_numparse=True,
                                                  colalign=("left",) * 3 + ("right",) * 3), ""]
    if e.transfers:
        out += ["Data transfer per location pair:",
                tabulate(transfer_rows(e), headers=TRANSFER_HEADERS, tablefmt="simple",
                         disable_numparse=True, colalign=("left",) * 2 + ("right",) * 3), ""]
    if e.stuck:
        out += ["Workloads that cannot leave:",
                tabulate(stuck_rows(e), headers=STUCK_HEADERS, tablefmt="simple",
                         disable_numparse=True), ""]
    out += [f"assumption: {a}" for a in e.assumptions]
    out += [f"note: {n}" for n in e.plan.notes]
    return terminal_text("\n".join(out) + "\n")


def render_markdown(e: ExitPlan) -> str:
    from advisor.outputs.plan_text import _md_rows

    name = markdown_text(e.plan.estate.name, line_start=True)
    out = [f"# Exit strategy: {markdown_text(e.subject)}", "",
           f"{name}, exit date {e.date.isoformat()}. Prepared with advisor as the explicit "
           "exit strategy of the contract (BIO2 measure 5.20.06).", "",
           f"> BIO2 5.20.06: {BIO2_50206}", ">", f"> ({BIO2_50206_EN})", "",
           "## Summary", "", *_md_rows(["", ""], summary_rows(e)), ""]
    if e.leavers:
        out += ["## Workloads that leave", "", *_md_rows(LEAVER_HEADERS, leaver_rows(e), 3), ""]
    if e.transfers:
        out += ["## Data transfer", "", *_md_rows(TRANSFER_HEADERS, transfer_rows(e), 2), ""]
    out += ["## Workloads that cannot leave", ""]
    out += [*_md_rows(STUCK_HEADERS, stuck_rows(e), 3), ""] if e.stuck else ["None.", ""]
    out += ["## Assumptions", "", *(f"- {markdown_text(a)}" for a in e.assumptions), ""]
    if e.plan.notes:
        out += ["## Notes", "", *(f"- {markdown_text(n)}" for n in e.plan.notes), ""]
    return "\n".join(out).rstrip() + "\n"


CSS = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
       "color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid "
       "#ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}.num{text-align:right}"
       "blockquote{border-left:4px solid #ccc;margin:1rem 0;padding:.25rem 1rem;color:#444}")
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _html_table(head: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{html_text(text)}</{tag}>"

    out = ["<table>"]
    if any(head):
        out.append("<thead><tr>" + "".join(cell("th", i, h) for i, h in enumerate(head))
                   + "</tr></thead>")
    out.append("<tbody>" + "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r))
                                   + "</tr>" for r in rows) + "</tbody></table>")
    return "".join(out)


def render_html(e: ExitPlan) -> str:
    esc = html_text
    title = f"Exit strategy: {e.subject}"
    body = [f"<h1>{esc(title)}</h1>",
            f"<p>{esc(e.plan.estate.name)}, exit date {esc(e.date.isoformat())}. Prepared with "
            "advisor as the explicit exit strategy of the contract (BIO2 measure 5.20.06).</p>",
            f'<blockquote lang="nl">{esc(BIO2_50206)}</blockquote>',
            f"<blockquote>{esc(BIO2_50206_EN)}</blockquote>",
            "<h2>Summary</h2>", _html_table(["", ""], summary_rows(e), {1})]
    if e.leavers:
        body += ["<h2>Workloads that leave</h2>",
                 _html_table(LEAVER_HEADERS, leaver_rows(e), {3, 4, 5})]
    if e.transfers:
        body += ["<h2>Data transfer</h2>",
                 _html_table(TRANSFER_HEADERS, transfer_rows(e), {2, 3, 4})]
    body.append("<h2>Workloads that cannot leave</h2>")
    body.append(_html_table(STUCK_HEADERS, stuck_rows(e), set()) if e.stuck else "<p>None.</p>")
    body += ["<h2>Assumptions</h2>", "<ul>"
             + "".join(f"<li>{esc(a)}</li>" for a in e.assumptions) + "</ul>"]
    if e.plan.notes:
        body += ["<h2>Notes</h2>", "<ul>"
                 + "".join(f"<li>{esc(n)}</li>" for n in e.plan.notes) + "</ul>"]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def exit_json(e: ExitPlan) -> dict[str, Any]:
    """The plan's JSON (``advisor.outputs.plan_json``) plus the ``exit`` object."""
    from advisor.outputs.plan_json import plan_to_dict

    s = Shown(e)
    doc = plan_to_dict(e.plan)
    doc["exit"] = {
        "kind": e.kind, "id": e.target, "locations": list(e.locations),
        "date": e.date.isoformat(), "reoptimize": e.reoptimize,
        "one_off": {k: number(v) for k, v in s.parts.items()},
        "one_off_cost": number(s.one_off),
        "cost_of_leaving": number(s.cost_of_leaving),
        "switching_charges": number(s.switching_total),
        "monthly_cost_now": number(s.now),
        "monthly_cost_after": number(s.after),
        "stranded_commitments": {k: number(v) for k, v in sorted(e.stranded.items())},
        "book_value_written_off": {k: number(v) for k, v in sorted(e.write_off.items())},
        "transfer_days": float(e.transfer_days.quantize(Decimal("0.01"))),
        "effort_days": float(e.effort_days),
        "duration_days": float(e.duration_days.quantize(Decimal("0.01"))),
        "leavers": [{"workload": lv.workload, "from": lv.source, "to": lv.target,
                     "data_gb": float(lv.data_gb), "one_off_cost": number(s.leavers[lv.workload]),
                     "switching_charges": number(s.switching[lv.workload])}
                    for lv in e.leavers],
        "transfers": [{"from": t.source, "to": t.target, "data_gb": float(t.data_gb),
                       "mbps": float(t.mbps), "days": float(t.days.quantize(Decimal("0.01")))}
                      for t in e.transfers],
        "cannot_leave": [{"workload": x.workload, "location": x.location, "why": x.why}
                         for x in e.stuck],
        "assumptions": e.assumptions,
    }
    return doc
