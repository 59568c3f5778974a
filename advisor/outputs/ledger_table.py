"""The ledger's views for people and spreadsheets: ``advisor costs --format table|csv``."""

from __future__ import annotations

import csv
import io
from typing import Any

from advisor.ledger.report import COST_BASES, LedgerReport, shown_split
from advisor.money import cents, money_text
from advisor.outputs.escape import csv_cell, terminal_text

UNALLOCATED_DIMS = ("workload", "application", "location")


def _show(dim: str, value: str | None) -> str:
    if value is not None:
        return value
    return "(unallocated)" if dim in UNALLOCATED_DIMS else "-"


def render_csv(rep: LedgerReport) -> str:
    """One line per group; every line names its currency and cost basis and how much of its
    cost matched no workload (so the unallocated share shows whatever the grouping)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*(csv_cell(g) for g in rep.group_by), "cost", "unallocated", "line_items",
                     "currency", "cost_basis"])
    for row in rep.rows:
        writer.writerow([*(csv_cell(k) for k in row.keys), f"{cents(row.cost)}",
                         f"{cents(row.unallocated)}", row.line_items, csv_cell(rep.currency),
                         rep.cost_basis])
    return out.getvalue()


def render_table(rep: LedgerReport) -> str:
    """The terminal view: groups, totals, the invariant per provider and month, rates, files."""
    from tabulate import SEPARATING_LINE, tabulate

    head = [*rep.group_by, f"cost ({rep.currency})", "line items"]
    n = len(rep.group_by)
    body: list[Any] = [[*(_show(d, k) for d, k in zip(rep.group_by, row.keys, strict=True)),
                        money_text(row.cost), f"{row.line_items:,}"] for row in rep.rows]
    total, allocated, unallocated = shown_split(rep.total, rep.unallocated)
    body.append(SEPARATING_LINE)
    for label, amount, count in (("total", total, f"{rep.line_items:,}"),
                                 ("allocated", allocated, ""), ("unallocated", unallocated, "")):
        body.append([label, *[""] * (n - 1), money_text(amount), count])
    period = f"billing month {rep.month}" if rep.month else "all billing months"
    out = [f"Costs by {', '.join(rep.group_by)}: {period}, cost basis {rep.cost_basis} "
           f"(FOCUS {COST_BASES[rep.cost_basis]}), in {rep.currency}", "",
           tabulate(body, headers=head, tablefmt="simple", disable_numparse=True,
                    colalign=("left",) * n + ("right", "right"))]
    out += ["", "Check per provider and month: allocated + unallocated = total"]
    for b in rep.balances:
        mark = "ok" if b.holds else "MISMATCH"
        b_total, b_alloc, b_unalloc = shown_split(b.total, b.unallocated)
        out.append(f"  {b.provider} {b.month}: {money_text(b_alloc)} + {money_text(b_unalloc)} = "
                   f"{money_text(b_total)}  {mark}")
    converted = [r for r in rep.rates if r.date is not None]
    if converted:
        out += ["", "Exchange rates used:"]
        out += [f"  {r.month}: 1 {r.currency} = {r.rate} {rep.currency} (rate of {r.date})"
                for r in converted]
    out += ["", "Sources:"]
    out += [f"  {f} ({count:,} line items)" for f, count in rep.sources]
    out += [f"  note: {note}" for note in rep.notes]
    return terminal_text("\n".join(out) + "\n")
