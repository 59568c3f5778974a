"""``advisor policies``: list, show, validate and test policy packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from advisor.commands.common import say
from advisor.errors import EXIT_FINDINGS, EXIT_INPUT, AdvisorError, InputError


@click.group()
def policies() -> None:
    """List, show, validate and test policy packs.

    \b
    Examples:
      advisor policies list
      advisor policies show SOV-001
      advisor policies validate rules/local.yaml
      advisor policies test tests/policies
    """


def _config_opts(func: Any) -> Any:
    func = click.option("--demo", is_flag=True,
                        help="Also the packs of the built-in demo estate.")(func)
    return click.option("-c", "--config", type=click.Path(),
                        help="Also the packs an estate's advisor.yaml names.")(func)


def _rules(config: str | None, demo: bool) -> list[Any]:
    """The built-in packs' rules, plus an estate's own packs when one is given."""
    from advisor.rules import builtin_names, load_builtin, load_packs

    rules = [r for name in builtin_names() for r in load_builtin(name)]
    if config or demo:
        from advisor.commands.common import resolve_config
        from advisor.estate.load import load_estate

        estate = load_estate(resolve_config(config, demo))
        ids = {r.id for r in rules}
        rules += [r for r in load_packs(estate.policies, estate.path) if r.id not in ids]
    return rules


@policies.command("list")
@_config_opts
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--wide", is_flag=True,
              help="Text: every column at full width (default: fit the terminal, or 100 "
                   "columns when the output is not a terminal).")
def list_(config: str | None, demo: bool, fmt: str, wide: bool) -> None:
    """List the packs and their rules: id, severity, kind, title, references.

    \b
    Example:
      advisor policies list
      advisor policies list -c estate/advisor.yaml --format json
    """
    rules = _rules(config, demo)
    if fmt == "json":
        out = [{"id": r.id, "pack": r.pack, "severity": r.severity, "kind": r.kind,
                "title": r.title, "references": r.reference_text(),
                "constrains": r.constrains()} for r in rules]
        say(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False))
        return
    from advisor.commands.common import output_width
    from advisor.outputs.terminal import Column, fit_table, wrap

    width = output_width(wide)
    # narrow: titles wrap, references go under their rule
    columns = [Column("id"), Column("severity"), Column("kind"), Column("title", wrap=24),
               Column("references", under=True, wrap=24)]
    packs: dict[str, list[Any]] = {}
    for r in rules:
        packs.setdefault(r.pack, []).append(r)
    for pack in sorted(packs):
        say(f"{pack} ({len(packs[pack])} rules)")
        rows = [[r.id, r.severity, r.kind, r.title, r.reference_text()] for r in packs[pack]]
        say(fit_table(rows, columns, width))
        say("")
    say("\n".join(wrap("The built-in packs are careful interpretations, not legal "
                       "advice: review them with your security officer and data "
                       "protection officer.", width)))


@policies.command()
@_config_opts
@click.argument("rule_id")
def show(config: str | None, demo: bool, rule_id: str) -> None:
    """Show one rule: what it checks, why, what to do, references, and where it is defined.

    \b
    Example:
      advisor policies show SOV-005
    """
    from advisor.estate.yamlfile import nearest

    rules = {r.id: r for r in _rules(config, demo)}
    rule = rules.get(rule_id)
    if rule is None:
        near = nearest(rule_id, rules)
        raise InputError(f"unknown rule '{rule_id}'", hint=(f"did you mean '{near}'? " if near
                                                            else "") + "see `advisor policies "
                                                                       "list`")
    out = [f"{rule.id}: {rule.title}",
           f"  pack:        {rule.pack}",
           f"  severity:    {rule.severity}"
           + (f" (penalty {rule.penalty_monthly}/month)" if rule.penalty_monthly else ""),
           f"  kind:        {rule.kind}: {rule.constrains()}"]
    out += [f"  {what + ':':<12} {text}" for what, text in rule.describe()]
    if rule.source is not None:
        out.append(f"  defined at:  {rule.source.file}:{rule.source.line}")
    if rule.tags:
        out.append(f"  tags:        {', '.join(rule.tags)}")
    for title, text in (("why", rule.rationale), ("what to do", rule.remediation)):
        if text:
            out += ["", f"{title}:", *_wrap(text)]
    if rule.references:
        out += ["", "references:"]
        for ref in rule.references:
            d = dict(ref)
            head = " ".join(d[k] for k in ("law", "article", "control") if k in d)
            label = ": ".join(x for x in (head, d.get("title", "")) if x)
            out.append(f"  - {label}" + (f" <{d['url']}>" if "url" in d else ""))
    say("\n".join(out))


def _wrap(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(" ".join(text.split()), 96, initial_indent="  ",
                         subsequent_indent="  ")


@policies.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> int:
    """Check your own policy packs: schema, operators, attributes, duplicate rule ids.

    Prints one line per broken file (file, line, value, what to do) and exits 2 when any is
    broken; duplicate rule ids across the given files are errors too.

    \b
    Example:
      advisor policies validate rules/*.yaml
    """
    from advisor.rules import Rule, check_duplicate, load_pack_file

    seen: dict[str, Rule] = {}
    errors = 0
    total = 0
    for file in files:
        try:
            rules = load_pack_file(Path(file))
            for rule in rules:
                check_duplicate(rule, seen)
        except AdvisorError as exc:
            errors += 1
            say(exc.render_all("advisor: error: "), err=True)
            continue
        total += len(rules)
        say(f"ok {file}: {len(rules)} rule{'s' if len(rules) != 1 else ''}")
    if errors:
        say(f"{errors} of {len(files)} file{'s' if len(files) != 1 else ''} invalid",
                   err=True)
        return EXIT_INPUT
    say(f"{len(files)} pack{'s' if len(files) != 1 else ''}, {total} rules: valid")
    return 0


@policies.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date waivers expire against (default: expected.yaml's today, else the "
                   "system date).")
def test(directory: str, today: Any) -> int:
    """Run policy fixtures: DIR/<RULE-ID>/{pass,fail}/advisor.yaml.

    Each fixture is an estate checked as `advisor check` does (today's placement, or
    placement.yaml beside it; waivers.yaml and budgets.yaml beside it when present). In pass/ no
    workload may break the rule; in fail/ exactly the workloads (or applications) listed in
    expected.yaml as `failing: [...]` must break it. Folders starting with _ are shared data.
    Exit 1 when a rule gave an unexpected result, 2 when a fixture is malformed.

    \b
    Example:
      advisor policies test tests/policies
    """
    from advisor.check.fixtures import run_fixtures

    root = Path(directory)
    if not root.is_dir():
        raise InputError("fixture folder not found", file=directory,
                         hint="give a folder holding <RULE-ID>/pass and <RULE-ID>/fail")
    report = run_fixtures(root, today.date() if today else None)
    for line in report.lines:
        say(line)
    for line in report.errors:
        say(f"advisor: error: {line}", err=True)
    say(f"{report.cases} fixtures: {report.unexpected} unexpected, "
               f"{len(report.errors)} broken")
    if report.errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if report.unexpected else 0
