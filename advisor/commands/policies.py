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
    """List the packs and their rules: id, severity, basis, kind, title, references.

    \b
    Example:
      advisor policies list
      advisor policies list -c estate/advisor.yaml --format json
    """
    rules = _rules(config, demo)
    if fmt == "json":
        out = [{"id": r.id, "pack": r.pack, "severity": r.severity, "kind": r.kind,
                "basis": r.basis, "per": r.per, "covered_by": list(r.covered_by),
                "title": r.title, "references": r.reference_text(),
                "constrains": r.constrains()} for r in rules]
        say(json.dumps(out, indent=2, sort_keys=True, ensure_ascii=False))
        return
    from advisor.commands.common import output_width
    from advisor.outputs.terminal import Column, fit_table, wrap

    width = output_width(wide)
    # narrow: titles wrap, references go under their rule
    columns = [Column("id"), Column("severity"), Column("basis"), Column("kind"),
               Column("title", wrap=24), Column("references", under=True, wrap=24)]
    packs: dict[str, list[Any]] = {}
    for r in rules:
        packs.setdefault(r.pack, []).append(r)
    for pack in sorted(packs):
        info = packs[pack][0].info
        head = f"{pack} ({len(packs[pack])} rules"
        if info is not None:
            head += (f", version {info.version}" if info.version else "") \
                + (f", reviewed {info.reviewed.isoformat()}" if info.reviewed else "")
        say(head + ")")
        rows = [[r.id, r.severity, r.basis or "-", r.kind, r.title, r.reference_text()]
                for r in packs[pack]]
        say(fit_table(rows, columns, width))
        retired = info.retired if info is not None else ()
        for old in retired:
            by = f" (replaced by {', '.join(old.replaced_by)})" if old.replaced_by else ""
            say(f"retired: {old.id}{by}")
        say("")
    say("\n".join(wrap("basis: law = a statute or EU act requires it; government-policy "
                              "= binding government policy, not a statute; good-practice and "
                              "local = no law requires it.", width)))
    say("\n".join(wrap("The built-in packs are careful interpretations, not legal "
                              "advice: review them with your security officer and data "
                              "protection officer.", width)))


@policies.command()
@_config_opts
@click.argument("rule_id")
def show(config: str | None, demo: bool, rule_id: str) -> None:
    """Show one rule: what it checks, why, what to do, references, and where it is defined;
    or, given a pack name, the pack: version, review date, sources, its rules and their basis.

    \b
    Examples:
      advisor policies show SOV-005
      advisor policies show bio2
    """
    from advisor.estate.yamlfile import nearest

    loaded = _rules(config, demo)
    rules = {r.id: r for r in loaded}
    rule = rules.get(rule_id)
    if rule is None:
        retired = _retired(loaded, rule_id)
        if retired:
            say(retired)
            return
        pack_rules = [r for r in loaded if r.pack == rule_id]
        if pack_rules:
            say(_pack_text(pack_rules))
            return
        near = nearest(rule_id, [*rules, *sorted({r.pack for r in loaded})])
        raise InputError(f"unknown rule or pack '{rule_id}'",
                         hint=(f"did you mean '{near}'? " if near else "")
                         + "see `advisor policies list`")
    info = rule.info
    pack = rule.pack
    if info is not None:
        pack += (f", version {info.version}" if info.version else "") \
            + (f", reviewed {info.reviewed.isoformat()}" if info.reviewed else "")
    out = [f"{rule.id}: {rule.title}",
           f"  pack:        {pack}",
           f"  basis:       {rule.basis_text()}",
           f"  severity:    {rule.severity}"
           + (f" (penalty {rule.penalty_monthly}/month)" if rule.penalty_monthly else ""),
           f"  kind:        {rule.kind}: {rule.constrains()}"]
    if rule.covered_by:
        out.append(f"  covered by:  {', '.join(rule.covered_by)} (not evaluated when one of "
                   "them is loaded)")
    out += [f"  {what + ':':<12} {text}" for what, text in rule.describe()]
    if rule.source is not None:
        out.append(f"  defined at:  {rule.source.file}:{rule.source.line}")
    if rule.tags:
        out.append(f"  tags:        {', '.join(rule.tags)}")
    for title, text in (("why", rule.rationale), ("what to do", rule.remediation)):
        if text:
            out += ["", f"{title}:", *_wrap(text)]
    if rule.references:
        heading = "references (what requires it):" if rule.basis == "law" else \
            "references (context: no law requires this rule):" \
            if rule.basis in ("good-practice", "local") else "references:"
        out += ["", heading, *_references(rule.references)]
    if info is not None and info.sources:
        out += ["", f"sources of pack {info.name}:", *_references(info.sources)]
    say("\n".join(out))


def _references(refs: Any) -> list[str]:
    out = []
    for ref in refs:
        d = dict(ref)
        head = " ".join(d[k] for k in ("law", "article", "control") if k in d)
        label = ": ".join(x for x in (head, d.get("title", "")) if x)
        out.append(f"  - {label}" + (f" <{d['url']}>" if "url" in d else "")
                   + (" [unconfirmed]" if d.get("unconfirmed") == "true" else ""))
    return out


def _retired(rules: list[Any], rule_id: str) -> str | None:
    """What a retired rule id says: which pack retired it, why, and what replaced it."""
    for r in rules:
        for old in r.info.retired if r.info else ():
            if old.id == rule_id:
                by = f"; replaced by {', '.join(old.replaced_by)}" if old.replaced_by else ""
                text = [f"{rule_id}: retired from pack {r.info.name} {r.info.version}{by}"]
                if old.reason:
                    text += ["", *_wrap(old.reason)]
                return "\n".join(text)
    return None


def _pack_text(rules: list[Any]) -> str:
    """A pack's provenance and its rules, one line each with their basis."""
    info = rules[0].info
    out = [f"pack {rules[0].pack}" + (f": {info.title}" if info and info.title else "")]
    if info is not None:
        out += [f"  version:     {info.version or '-'}",
                f"  reviewed:    {info.reviewed.isoformat() if info.reviewed else '-'}"]
        if info.file:
            out.append(f"  defined in:  {info.file}")
    out += ["", "rules:"]
    out += [f"  {r.id:<10} {r.severity:<8} {r.basis or '-':<18} {r.title}" for r in rules]
    for old in info.retired if info else ():
        by = f" (replaced by {', '.join(old.replaced_by)})" if old.replaced_by else ""
        out.append(f"  {old.id:<10} retired{by}")
    if info is not None and info.sources:
        out += ["", "sources:", *_references(info.sources)]
    return "\n".join(out)


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
    every: list[Rule] = []
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
        every += rules
        say(f"ok {file}: {len(rules)} rule{'s' if len(rules) != 1 else ''}")
    from advisor.rules import static_contradictions

    for c in static_contradictions(every):
        where = f"{c.second.source.file}:{c.second.source.line}: " if c.second.source else ""
        say(f"advisor: warning: {where}{c.text()}", err=True)
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
