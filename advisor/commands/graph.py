"""``advisor graph``: the application chains, where each workload runs now and should run."""

from __future__ import annotations

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
@click.option("-a", "--application", "applications", multiple=True, metavar="NAME",
              help="Only this application's chain (repeat for more). [default: every one]")
@click.option("-f", "--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]),
              default="mermaid", show_default=True, help="Diagram syntax.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("--moving", is_flag=True, help="Only the chains in which a workload moves.")
@click.option("--time-limit", "time_limit_s", type=FiniteFloat(min=1), default=300,
              show_default=True,
              help="Seconds the optimizer may spend.")
def graph(config: str | None, demo: bool, applications: tuple[str, ...], fmt: str,
          output: str | None, moving: bool, time_limit_s: float) -> int:
    """Draw the application chains: one diagram per application.

    Each workload is coloured by where it runs now and where it should run, each dependency is
    labelled with its monthly traffic (and the egress it pays after the moves), and workloads
    whose moves rules exclude are marked with the rules. Neighbours from other applications are
    drawn dashed. One application gives a bare diagram; several give one document (Mermaid:
    Markdown with a block per application; DOT: one digraph each; SVG: stacked).

    \b
    Examples:
      advisor graph --demo --application zaaksysteem
      advisor graph -c advisor.yaml --moving --format mermaid -o chains.md
      advisor graph -c advisor.yaml -a website --format svg -o website.svg
    """
    from advisor.commands.sources import analyze_config
    from advisor.outputs.diagrams import render

    check_output(output, [config])
    plan = analyze_config(resolve_config(config, demo), time_limit_s=time_limit_s,
                          calibration=False)
    write_output(render(plan, fmt, applications or None, moving_only=moving), output,
                 estate_inputs(plan.estate))
    if plan.failed_sources:
        from advisor.errors import EXIT_SOURCE

        for source, error in plan.failed_sources:
            say(f"advisor: source {source} failed: {error}", err=True)
        return EXIT_SOURCE
    return 0
