"""``advisor analyze``: where each workload should run, what it saves, and why."""

from __future__ import annotations

import datetime as dt

import click

from advisor.commands.common import (
    FiniteFloat,
    check_output,
    config_options,
    estate_inputs,
    resolve_config,
    say,
    write_output,
)


@click.command()
@config_options
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--moves-only", is_flag=True, help="List only workloads that move.")
@click.option("--wide", is_flag=True,
              help="Table: every column at full width (default: fit the terminal, or 100 "
                   "columns when the output is not a terminal).")
@click.option("--max-chars", type=click.IntRange(min=0), default=None,
              help="Markdown: at most this many characters, whole sections left out with a "
                   "note (default 65000, a pull request comment; 0 = no limit).")
@click.option("--time-limit", "time_limit_s", type=FiniteFloat(min=1), default=300,
              show_default=True,
              help="Seconds the optimizer may spend before reporting its best placement.")
@click.option("--gap", type=FiniteFloat(min=0, max=1), default=0.001, show_default=True,
              help="Relative optimality gap at which the optimizer stops (0.001 = 0.1%).")
@click.option("--headroom", type=FiniteFloat(min=1), default=None,
              help="Rightsizing: recommended requests = p95 usage x this (default 1.2, or the "
                   "kubernetes source's headroom).")
@click.option("--as-of", "--today", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              default=None,
              help="The day the advice is for (YYYY-MM-DD): switching charges under the EU "
                   "Data Act (free from 2027-01-12), the months left on commitments, which "
                   "waivers hold, and the day assurance evidence and exit plans are judged on; "
                   "pin it for reproducible output. [default: today]")
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file (default: waivers.yaml beside advisor.yaml, when present).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
@click.option("--timings", is_flag=True,
              help="Include solver seconds in JSON (makes the output vary run to run).")
def analyze(config: str | None, demo: bool, fmt: str, output: str | None, moves_only: bool,
            wide: bool, max_chars: int | None, time_limit_s: float, gap: float,
            headroom: float | None, as_of: dt.datetime | None, waivers: str | None,
            quiet: bool, timings: bool) -> int:
    """Compute the cheapest placement that obeys every hard rule, and explain it.

    For each workload: where it runs now, where it should run, its monthly cost now and after,
    the saving, the one-off migration cost, the payback in months and the rules that shaped the
    decision; then totals and the findings on today's placement. When the estate has a ledger
    source (FOCUS billing files), the billed cost of the latest month is shown beside the
    modelled cost per location (calibration). A source that fails is named and exits 3.

    \b
    Examples:
      advisor analyze --demo
      advisor analyze -c estate/advisor.yaml --format json -o plan.json --as-of 2026-12-01
      advisor analyze -c estate/advisor.yaml --format markdown --moves-only
      advisor analyze --demo --as-of 2027-01-12
    """
    from decimal import Decimal

    check_output(output, [config])
    from advisor.commands.progress import progress
    from advisor.commands.sources import analyze_config

    plan = analyze_config(resolve_config(config, demo), time_limit_s=time_limit_s, gap=gap,
                          headroom=None if headroom is None else Decimal(str(headroom)),
                          progress=progress(quiet), as_of=as_of.date() if as_of else None,
                          waivers=waivers)
    if fmt == "json":
        from advisor.outputs.plan_json import render

        text = render(plan, include_seconds=timings)
    elif fmt == "markdown":
        from advisor.outputs.markdown_fit import COMMENT_LIMIT
        from advisor.outputs.plan_text import render_markdown

        text = render_markdown(plan, moves_only=moves_only,
                               max_chars=COMMENT_LIMIT if max_chars is None else max_chars)
    else:
        from advisor.commands.common import output_width
        from advisor.outputs.plan_text import render_table

        text = render_table(plan, moves_only=moves_only,
                            width=output_width(wide, to_file=bool(output and output != "-")))
    write_output(text, output, estate_inputs(plan.estate))
    if plan.failed_sources:
        from advisor.errors import EXIT_SOURCE

        for source, error in plan.failed_sources:
            say(f"advisor: source {source} failed: {error}", err=True)
        return EXIT_SOURCE
    return 0
