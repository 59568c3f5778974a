"""The ``advisor`` command line. Exit codes are decided here and only here.

Commands live in ``advisor.commands.*``; each imports heavy libraries inside its function so that
``advisor --help`` stays instant.
"""

from __future__ import annotations

import sys

import click

from advisor import __version__
from advisor.commands.analyze import analyze
from advisor.commands.check import check
from advisor.commands.costs import costs
from advisor.commands.discover import discover
from advisor.commands.exit import exit_plan
from advisor.commands.graph import graph
from advisor.commands.init import init
from advisor.commands.policies import policies
from advisor.commands.prices import prices
from advisor.commands.report import report
from advisor.commands.validate import validate
from advisor.errors import EXIT_INPUT, AdvisorError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="advisor")
def cli() -> None:
    """Hybrid cloud cost and workload placement advisor.

    Reads an estate (locations, workloads and their dependencies), prices it, checks it against
    policy packs and computes the cheapest placement that obeys every hard rule.

    \b
    Example:
      advisor analyze --demo
      advisor init --example gemeente ./estate && advisor analyze -c ./estate/advisor.yaml

    \b
    Exit codes: 0 success, 1 findings at or above --fail-on, 2 invalid input or usage,
    3 a data source failed.
    """


cli.add_command(analyze)
cli.add_command(check)
cli.add_command(costs)
cli.add_command(discover)
cli.add_command(exit_plan)
cli.add_command(init)
cli.add_command(report)
cli.add_command(graph)
cli.add_command(policies)
cli.add_command(prices)
cli.add_command(validate)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map every outcome to an exit code (the only place that does)."""
    try:
        result = cli.main(args=argv, prog_name="advisor", standalone_mode=False)
    except AdvisorError as exc:
        click.echo(exc.render_all("advisor: error: "), err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("advisor: aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT if exc.exit_code in (1, 2) else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        click.echo("advisor: interrupted", err=True)
        return 130
    return int(result or 0)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
