"""``advisor costs``: what the bills say, attributed to workloads, to the cent."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

import click

from advisor.commands.common import config_options, resolve_config, write_output

if TYPE_CHECKING:
    from advisor.ledger.report import LedgerReport

DIMENSION_HELP = "provider, account, location, region, service, charge_category, application, " \
                 "workload, month"
UNALLOCATED_DIMS = ("workload", "application", "location")


@click.command()
@click.argument("sources", nargs=-1, metavar="[FILE_OR_URL]...")
@config_options
@click.option("--month", metavar="YYYY-MM", help="Only this billing period.")
@click.option("--group-by", "group_by", metavar="DIM[,DIM...]",
              help=f"Dimensions to sum by: {DIMENSION_HELP}. [default: provider,workload with "
                   "an estate, provider without]")
@click.option("--cost", "cost_basis", type=click.Choice(["billed", "effective", "list"]),
              default="billed", show_default=True,
              help="FOCUS BilledCost (the invoice), EffectiveCost (amortised, after discounts) "
                   "or ListCost (public prices).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "csv"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--allow-partial", is_flag=True,
              help="Exit 0 when an aws/azure source fails (it is still named in the output).")
@click.option("--store", is_flag=False, flag_value="", default=None, metavar="[PATH|URL]",
              help="Also store each month's aggregates in the history store (advisor report's "
                   "trends): --store for .advisor/history.duckdb, --store=PATH or "
                   "--store=postgresql://... for another.")
def costs(sources: tuple[str, ...], config: str | None, demo: bool, month: str | None,
          group_by: str | None, cost_basis: str, fmt: str, output: str | None,
          allow_partial: bool, store: str | None) -> None:
    """Read FinOps FOCUS billing exports and sum them per workload, exactly.

    Sources are FOCUS 1.0-1.3 files (CSV, gzip CSV, Parquet): a file, a glob, a folder laid out
    as AWS Data Exports or Azure cost exports, s3://BUCKET/PREFIX (boto3's credentials) or
    az://CONTAINER/PREFIX (AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL).
    Without FILE arguments the estate's `sources: [{type: focus, path: ...}]` are read.

    Every row goes to the workload whose cost_match rules it matches (resource id, then
    namespace, then tags, then account) or to "unallocated"; allocated + unallocated = total
    per provider and month, to the cent. Other currencies are converted with the estate's dated
    exchange_rates.

    \b
    Examples:
      advisor costs --demo
      advisor costs -c advisor.yaml --month 2026-10 --group-by provider,application --cost effective
      advisor costs export.csv.gz s3://billing/focus/ --group-by provider --format json
    """
    from advisor.estate.load import load_estate
    from advisor.ledger.report import costs as ledger_costs

    estate = None
    if demo or config or not sources:
        estate = load_estate(resolve_config(config, demo))
    dims = [d.strip() for d in group_by.split(",") if d.strip()] if group_by else (
        ["provider", "workload"] if estate is not None else ["provider"])
    result = ledger_costs(estate, paths=sources, month=month, group_by=dims,
                          cost_basis=cost_basis)
    if fmt == "json":
        text = json.dumps(result.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = render_csv(result)
    else:
        text = render_table(result)
    write_output(text, output)
    if result.cloud is not None:  # aws/azure sources: what they cost, and which failed
        from advisor.connectors.cloud import paid_line, report_failures

        line = paid_line(result.cloud)
        if line:
            click.echo(f"advisor: {line}", err=True)
        report_failures(result.cloud.failures, allow_partial)
    if store is not None:  # the history store (docs/report.md); not with a failed source
        from advisor.report.build import store_costs_option

        click.echo("advisor: " + store_costs_option(estate, store, sources, month, cost_basis,
                                                    result), err=True)


def _show(dim: str, value: str | None) -> str:
    if value is not None:
        return value
    return "(unallocated)" if dim in UNALLOCATED_DIMS else "-"


def render_csv(rep: LedgerReport) -> str:
    """One line per group; every line names its currency and cost basis and how much of its
    cost matched no workload (so the unallocated share shows whatever the grouping)."""
    from advisor.ledger.report import cents

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rep.group_by, "cost", "unallocated", "line_items", "currency",
                     "cost_basis"])
    for row in rep.rows:
        writer.writerow([*("" if k is None else k for k in row.keys), f"{cents(row.cost)}",
                         f"{cents(row.unallocated)}", row.line_items, rep.currency,
                         rep.cost_basis])
    return out.getvalue()


def render_table(rep: LedgerReport) -> str:
    """The terminal view: groups, totals, the invariant per provider and month, rates, files."""
    from advisor.ledger.report import COST_BASES, cents, shown_split

    def money(amount: object) -> str:
        return f"{cents(amount):,.2f}"  # type: ignore[arg-type]

    head = [*rep.group_by, f"cost ({rep.currency})", "line items"]
    body = [[*(_show(d, k) for d, k in zip(rep.group_by, row.keys, strict=True)),
             money(row.cost), f"{row.line_items:,}"] for row in rep.rows]
    widths = [max(len(str(r[i])) for r in [head, *body]) for i in range(len(head))]
    n = len(rep.group_by)

    def line(cells: list[str]) -> str:
        parts = [c.ljust(widths[i]) if i < n else c.rjust(widths[i]) for i, c in enumerate(cells)]
        return "  ".join(parts).rstrip()

    period = f"billing month {rep.month}" if rep.month else "all billing months"
    out = [f"Costs by {', '.join(rep.group_by)}: {period}, cost basis {rep.cost_basis} "
           f"(FOCUS {COST_BASES[rep.cost_basis]}), in {rep.currency}", "", line(head),
           line(["-" * w for w in widths])]
    out.extend(line(r) for r in body)
    out.append(line(["-" * w for w in widths]))
    label_width = sum(widths[:n]) + 2 * (n - 1)
    total, allocated, unallocated = shown_split(rep.total, rep.unallocated)
    for label, amount, count in (("total", total, rep.line_items),
                                 ("allocated", allocated, None),
                                 ("unallocated", unallocated, None)):
        cells = [label.rjust(label_width), money(amount).rjust(widths[n]),
                 "" if count is None else f"{count:,}".rjust(widths[n + 1])]
        out.append("  ".join(cells).rstrip())
    out += ["", "Check per provider and month: allocated + unallocated = total"]
    for b in rep.balances:
        mark = "ok" if b.holds else "MISMATCH"
        b_total, b_alloc, b_unalloc = shown_split(b.total, b.unallocated)
        out.append(f"  {b.provider} {b.month}: {money(b_alloc)} + {money(b_unalloc)} = "
                   f"{money(b_total)}  {mark}")
    converted = [r for r in rep.rates if r.date is not None]
    if converted:
        out += ["", "Exchange rates used:"]
        out += [f"  {r.month}: 1 {r.currency} = {r.rate} {rep.currency} (rate of {r.date})"
                for r in converted]
    out += ["", "Sources:"]
    out += [f"  {f} ({count:,} line items)" for f, count in rep.sources]
    out += [f"  note: {note}" for note in rep.notes]
    return "\n".join(out) + "\n"
