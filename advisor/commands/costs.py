"""``advisor costs``: what the bills say, attributed to workloads, to the cent."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from advisor.commands.common import (
    check_output,
    config_options,
    estate_inputs,
    resolve_config,
    say,
    write_output,
)
from advisor.commands.progress import progress

if TYPE_CHECKING:
    from advisor.ledger.report import LedgerReport

DIMENSION_HELP = "provider, account, location, region, service, charge_category, application, " \
                 "workload, month"


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
    from advisor.commands.sources import paid_line, read_ledger, report_failures
    from advisor.errors import InputError
    from advisor.estate.load import load_estate
    from advisor.outputs.ledger_table import render_csv, render_table

    check_output(output, [config, *sources])
    estate = None
    if demo or config or not sources:
        estate = load_estate(resolve_config(config, demo))
    dims = [d.strip() for d in group_by.split(",") if d.strip()] if group_by else (
        ["provider", "workload"] if estate is not None else ["provider"])
    if not dims:
        raise InputError(f"--group-by {group_by!r} names no dimension",
                         hint=f"one or more of: {DIMENSION_HELP}")
    result = read_ledger(estate, paths=sources, month=month, group_by=dims,
                         cost_basis=cost_basis, progress=progress())
    if fmt == "json":
        text = json.dumps(result.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = render_csv(result)
    else:
        text = render_table(result)
    write_output(text, output, [config, *sources, *estate_inputs(estate)])
    line = paid_line(result)  # aws/azure sources: what they cost, and which failed
    if line:
        say(f"advisor: {line}", err=True)
    report_failures(result.failed_sources, allow_partial)
    if store is not None:  # the history store (docs/report.md); not with a failed source
        from advisor.report.build import GRAIN, store_costs_option

        if demo and not store:  # the demo's history never lands in the current folder
            from advisor.report.history import demo_store

            store = demo_store()

        def regrouped() -> LedgerReport:
            return read_ledger(estate, paths=sources, month=month, group_by=GRAIN,
                               cost_basis=cost_basis)

        say("advisor: " + store_costs_option(estate, store, result, regrouped,
                                             on_wait=lambda m: say(f"advisor: {m}", err=True)),
            err=True)
