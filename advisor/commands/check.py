"""``advisor check``: the CI gate. Fails when a placement breaks a rule at or above --fail-on."""

from __future__ import annotations

import datetime as dt

import click

from advisor.commands.common import (
    check_output,
    config_options,
    estate_inputs,
    resolve_config,
    say,
    write_output,
)
from advisor.errors import InputError

FORMATS = ("text", "json", "sarif", "junit", "gitlab", "markdown")


@click.command()
@config_options
@click.option("--placement", type=click.Path(dir_okay=False),
              help="A YAML map 'workload id: location id' to check instead of today's "
                   "placement (a subset; the rest stays where it is).")
@click.option("--terraform-plan", "terraform_plan", type=click.Path(dir_okay=False),
              help="A Terraform plan as JSON (terraform show -json PLANFILE): tagged aws and "
                   "azurerm resources are checked as their workloads moving to that region.")
@click.option("--tag-key", default="advisor-workload", show_default=True,
              help="The resource tag that names a resource's workload in a Terraform plan.")
@click.option("-f", "--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Report format; repeat with -o for several reports in one run "
                   "(the n-th -o is the n-th --format's file). Default: text.")
@click.option("-o", "--output", "outputs", type=click.Path(dir_okay=False), multiple=True,
              help="Write the matching --format to FILE (one format may go to stdout).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error",
              show_default=True, help="Exit 1 when a finding at or above this severity is not "
                                      "waived.")
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file (default: waivers.yaml beside advisor.yaml, when present).")
@click.option("--budgets", type=click.Path(dir_okay=False),
              help="Budgets file for the cost pack (default: budgets.yaml beside advisor.yaml).")
@click.option("--max-chars", type=click.IntRange(min=0), default=None,
              help="Markdown: at most this many characters, whole sections left out with a "
                   "note (default 65000, a pull request comment; 0 = no limit).")
@click.option("--wide", is_flag=True,
              help="Text: lines at full length (default: wrap at the terminal's width, or 100 "
                   "columns when the output is not a terminal).")
@click.option("--today", "--as-of", "today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day waivers expire and assurance evidence and exit plans are judged "
                   "on (default: the system date); pin it for reproducible reports.")
def check(config: str | None, demo: bool, placement: str | None, terraform_plan: str | None,
          tag_key: str, formats: tuple[str, ...], outputs: tuple[str, ...], fail_on: str,
          waivers: str | None, budgets: str | None, max_chars: int | None, wide: bool,
          today: dt.datetime | None) -> int:
    """Check a placement against the estate's policy packs, for a CI job.

    Checks today's placement, a proposed one (--placement) or a Terraform plan
    (--terraform-plan), applies waivers, and writes text, JSON, SARIF (GitHub code scanning),
    JUnit XML, GitLab Code Quality or Markdown (a PR comment with the cost effect).

    \b
    Exit codes: 0 nothing at or above --fail-on, 1 there is, 2 invalid input, 3 a source failed.

    \b
    Examples:
      advisor check -c advisor.yaml
      advisor check -c advisor.yaml --placement proposed.yaml --format markdown
      advisor check -c advisor.yaml --terraform-plan plan.json \\
          --format sarif -o advisor.sarif --format markdown -o comment.md
    """
    from advisor.check.gate import run_check

    pairs = _pairs(formats or ("text",), outputs)
    given: list[str | None] = [config, placement, terraform_plan, waivers, budgets]
    for _, output in pairs:
        check_output(output, given)
    result = run_check(resolve_config(config, demo), placement=placement,
                       terraform_plan=terraform_plan, tag_key=tag_key, waivers=waivers,
                       budgets=budgets, today=today.date() if today else None, fail_on=fail_on)
    for note in result.notes:
        say(f"advisor: {note}", err=True)
    for fmt, output in pairs:
        write_output(_render(fmt, result, wide, output, max_chars), output,
                     [*given, *estate_inputs(result.estate)])
    if all(output for _, output in pairs):
        from advisor.outputs.check_text import verdict

        say(f"advisor check: {verdict(result)} (wrote "
                   f"{', '.join(o for _, o in pairs if o)})", err=True)
    return result.exit_code


def _pairs(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """The n-th -o belongs to the n-th --format; at most one format is left for stdout."""
    if len(outputs) > len(formats):
        raise InputError(f"{len(outputs)} -o files for {len(formats)} --format",
                         hint="give one --format per -o, e.g. --format sarif -o advisor.sarif "
                              "--format markdown -o comment.md")
    if len(formats) - len(outputs) > 1:
        raise InputError(f"{len(formats) - len(outputs)} formats would go to stdout",
                         hint="give -o FILE for every --format but one")
    paired: list[tuple[str, str | None]] = list(zip(formats, outputs, strict=False))
    paired += [(f, None) for f in formats[len(outputs):]]
    files = [o for o in outputs if o != "-"]
    if len(set(files)) != len(files):
        raise InputError("the same -o file is given twice", hint="give each report its own file")
    return paired


def _render(fmt: str, result: object, wide: bool = False, output: str | None = None,
            max_chars: int | None = None) -> str:
    from advisor.check.gate import CheckResult

    assert isinstance(result, CheckResult)
    if fmt == "json":
        from advisor.outputs import check_json

        return check_json.render(result)
    if fmt == "sarif":
        from advisor.outputs import sarif

        return sarif.render(result)
    if fmt == "junit":
        from advisor.outputs import junit

        return junit.render(result)
    if fmt == "gitlab":
        from advisor.outputs import gitlab

        return gitlab.render(result)
    if fmt == "markdown":
        from advisor.outputs import check_markdown
        from advisor.outputs.markdown_fit import COMMENT_LIMIT

        return check_markdown.render(result, COMMENT_LIMIT if max_chars is None else max_chars)
    from advisor.commands.common import output_width
    from advisor.outputs import check_text

    return check_text.render(result, output_width(wide, to_file=bool(output and output != "-")))
