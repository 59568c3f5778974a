"""``advisor exit``: what leaving a provider or a location costs, how long it takes, and what
cannot leave: the exit strategy BIO2 5.20.06 asks for in every contract."""

from __future__ import annotations

import datetime as dt

import click

from advisor.commands.common import (
    check_output,
    config_options,
    estate_inputs,
    resolve_config,
    write_output,
)


@click.command(name="exit")
@config_options
@click.option("--provider", help="The provider to leave (a provider id of the locations).")
@click.option("--location", help="The location to leave (a location id).")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The exit date (YYYY-MM-DD): switching charges as the EU Data Act allows "
                   "on that day, commitments still running. [default: today]")
@click.option("--reoptimize", is_flag=True,
              help="Let every workload move, not only those that leave.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]),
              default="table", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=1), default=300,
              show_default=True, help="Seconds the optimizer may spend.")
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file (default: waivers.yaml beside advisor.yaml, when present).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
def exit_plan(config: str | None, demo: bool, provider: str | None, location: str | None,
              date: dt.datetime | None, reoptimize: bool, fmt: str, output: str | None,
              time_limit_s: float, waivers: str | None, quiet: bool) -> int:
    """Plan leaving a provider or a location (BIO2 5.20.06 exit strategy).

    The cheapest allowed placement without it, as of the exit date; the one-off cost
    (migration with the switching charges the EU Data Act allows on that day, onboarding,
    closing), the commitments it strands and the book value it writes off; the monthly cost
    after; how long it takes (data over the bandwidth of each location pair, `migration:` in
    advisor.yaml, plus days of effort per workload); and the workloads that cannot leave, and
    why. Markdown and HTML are fit to attach to the contract file.

    \b
    Examples:
      advisor exit --demo --provider azure
      advisor exit --demo --location onprem-dc2 --date 2028-01-01 --format html -o exit.html
      advisor exit -c advisor.yaml --provider aws --format json
    """
    check_output(output, [config])
    from advisor.commands.progress import progress
    from advisor.commands.sources import collect
    from advisor.errors import InputError
    from advisor.estate.load import load_estate
    from advisor.planning.exit import plan_exit

    if (provider is None) == (location is None):
        raise InputError("give either --provider or --location",
                         hint="e.g. advisor exit --demo --provider azure")
    got = collect(load_estate(resolve_config(config, demo)), progress(quiet))
    plan = plan_exit(got.estate, provider=provider, location=location,
                     date=date.date() if date else None, reoptimize=reoptimize,
                     time_limit_s=time_limit_s, waivers=waivers, headroom=got.headroom)
    plan.plan.failed_sources[:0] = got.failed
    from advisor.outputs import exit_plan as out

    if fmt == "json":
        from advisor.outputs.plan_json import dumps

        text = dumps(out.exit_json(plan))
    elif fmt == "markdown":
        text = out.render_markdown(plan)
    elif fmt == "html":
        text = out.render_html(plan)
    else:
        text = out.render_table(plan)
    write_output(text, output, estate_inputs(got.estate))
    if plan.plan.failed_sources:
        from advisor.errors import EXIT_SOURCE

        for source, error in plan.plan.failed_sources:
            click.echo(f"advisor: source {source} failed: {error}", err=True)
        return EXIT_SOURCE
    return 0
