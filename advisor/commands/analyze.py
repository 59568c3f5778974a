"""``advisor analyze``: where each workload should run, what it saves, and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown", "csv"]),
              default="table", show_default=True,
              help="Output format (csv: the multi-year budget only, with --budget).")
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
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False),
              help="A scenarios file: run each scenario beside the base analysis and show "
                   "them side by side, with the moves each makes differently.")
@click.option("--waves", is_flag=True,
              help="Order the recommended moves into migration waves (chains together, best "
                   "payback first), each with its one-off cost and the saving it unlocks.")
@click.option("--max-workloads", type=int, default=None,
              help="Waves: at most N workloads per wave (default: migration: in advisor.yaml, "
                   "else 10).")
@click.option("--max-tb", type=float, default=None,
              help="Waves: at most N TB of data per wave (default: migration: in advisor.yaml, "
                   "else no limit).")
@click.option("--budget", "budget_years", type=int, default=None, is_flag=False,
              flag_value=4, help="The multi-year budget over N years (default 4): operating "
                                 "cost, capital charges, commitments and one-off cost per "
                                 "calendar year; with --scenario, each scenario's too.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
@click.option("--timings", is_flag=True,
              help="Include solver seconds in JSON (makes the output vary run to run).")
def analyze(config: str | None, demo: bool, fmt: str, output: str | None, moves_only: bool,
            wide: bool, max_chars: int | None, time_limit_s: float, gap: float,
            headroom: float | None, as_of: dt.datetime | None, waivers: str | None,
            scenario_file: str | None, waves: bool, max_workloads: int | None,
            max_tb: float | None, budget_years: int | None,
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
      advisor analyze -c estate/advisor.yaml --scenario scenarios.yaml
      advisor analyze --demo --waves --max-workloads 5
      advisor analyze --demo --budget --format csv -o begroting.csv
      advisor analyze --demo --scenario scenarios.yaml --budget --format csv
    """
    from decimal import Decimal

    check_output(output, [config, scenario_file])
    from advisor.errors import InputError

    if budget_years is not None and not 1 <= budget_years <= 30:
        raise InputError(f"--budget takes 1 to 30 years, got {budget_years}",
                         hint="e.g. --budget 4 (a meerjarenbegroting)")
    if fmt == "csv" and budget_years is None:
        raise InputError("--format csv writes the multi-year budget", hint="add --budget")
    if (max_workloads is not None or max_tb is not None) and not waves:
        raise InputError("--max-workloads and --max-tb size migration waves",
                         hint="add --waves")
    if waves:
        from advisor.planning.waves import check_limits

        check_limits(max_workloads, None if max_tb is None else Decimal(str(max_tb)))
    from advisor.commands.progress import progress
    from advisor.commands.sources import analyze_config

    plan = analyze_config(resolve_config(config, demo), time_limit_s=time_limit_s, gap=gap,
                          headroom=None if headroom is None else Decimal(str(headroom)),
                          progress=progress(quiet), as_of=as_of.date() if as_of else None,
                          waivers=waivers)
    runs = None
    if scenario_file:
        from advisor.estate.load import load_scenarios
        from advisor.planning.scenarios import run_scenarios

        extra: dict[str, Any] = {} if headroom is None else {"headroom": Decimal(str(headroom))}
        runs = run_scenarios(plan.estate, plan, load_scenarios(scenario_file, plan.estate),
                             time_limit_s=time_limit_s, gap=gap, waivers=waivers, **extra)
    wave_plan = None
    if waves:
        from advisor.planning.waves import plan_waves

        wave_plan = plan_waves(plan, max_workloads,
                               None if max_tb is None else Decimal(str(max_tb)))
    years = None
    if budget_years is not None:
        from advisor.planning.budget import budgets

        years = budgets(plan, runs, budget_years)  # the base plan's, then each scenario's
    if fmt == "csv":
        from advisor.outputs.budget_text import render_csv

        assert years is not None
        text = render_csv(plan, years)
    elif fmt == "json":
        from advisor.outputs.plan_json import render

        text = render(plan, include_seconds=timings, scenarios=runs, waves=wave_plan,
                      budget=years)
    elif fmt == "markdown":
        from advisor.outputs.markdown_fit import COMMENT_LIMIT
        from advisor.outputs.plan_text import render_markdown
        from advisor.outputs.planning_text import sections

        text = render_markdown(plan, moves_only=moves_only,
                               max_chars=COMMENT_LIMIT if max_chars is None else max_chars)
        text += sections(plan, runs, wave_plan, years, markdown=True)
    else:
        from advisor.commands.common import output_width
        from advisor.outputs.plan_text import render_table
        from advisor.outputs.planning_text import sections

        text = render_table(plan, moves_only=moves_only,
                            width=output_width(wide, to_file=bool(output and output != "-")))
        text += sections(plan, runs, wave_plan, years, markdown=False)
    write_output(text, output, estate_inputs(plan.estate))
    if plan.failed_sources:
        from advisor.errors import EXIT_SOURCE

        for source, error in plan.failed_sources:
            say(f"advisor: source {source} failed: {error}", err=True)
        return EXIT_SOURCE
    return 0
