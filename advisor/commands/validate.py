"""``advisor validate``: check an estate and everything it names, without solving."""

from __future__ import annotations

import click

from advisor.commands.common import config_options, resolve_config
from advisor.errors import EXIT_INPUT, InputErrors


@click.command()
@config_options
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file (default: waivers.yaml beside advisor.yaml, when present).")
@click.option("--budgets", type=click.Path(dir_okay=False),
              help="Budgets file (default: budgets.yaml beside advisor.yaml, when present).")
@click.option("--placement", type=click.Path(dir_okay=False),
              help="A proposed placement (workload id: location id) to check as well.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: every problem as data, for editors and CI.")
def validate(config: str | None, demo: bool, waivers: str | None, budgets: str | None,
             placement: str | None, fmt: str) -> int:
    """Check an estate and its files without solving: advisor.yaml, the locations and
    workloads files, every source's settings, the policy packs, waivers and budgets.

    Prints every problem (file, line, key, value and what to do), in file order, and exits 2
    when there is any; otherwise one line that says what was checked.

    \b
    Examples:
      advisor validate -c estate/advisor.yaml
      advisor validate --demo --format json
    """
    import json

    from advisor.check.validate import validate_estate

    result = validate_estate(resolve_config(config, demo), waivers=waivers, budgets=budgets,
                             placement=placement)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, sort_keys=True, ensure_ascii=False))
        return 0 if result.valid else EXIT_INPUT
    for note in result.notes:
        click.echo(f"advisor: note: {note}", err=True)
    if not result.valid:
        raise InputErrors(result.problems)
    click.echo(result.summary())
    return 0
