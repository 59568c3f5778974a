"""``advisor report``: the monthly cost recommendation report, with history, for people who read
a page (an IT manager, a controller, an alderman)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from advisor.outputs.i18n import Lang
    from advisor.report.build import Report


@click.command()
@config_options
@click.option("--month", metavar="YYYY-MM",
              help="The month to report. [default: the latest month in the bills]")
@click.option("-f", "--format", "fmt", type=click.Choice(["html", "markdown"]), default="html",
              show_default=True, help="One self-contained HTML page, or Markdown.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to FILE ('-': standard output). [default: report-YYYY-MM.html or .md "
                   "in the current folder]")
@click.option("--lang", default="en", show_default=True, metavar="en|nl",
              help="Labels and number formats (nl: 1.234,56).")
@click.option("--cost", "cost_basis", type=click.Choice(["billed", "effective", "list"]),
              default="billed", show_default=True, help="The FOCUS cost basis of billed figures.")
@click.option("--store", metavar="PATH|URL", envvar="ADVISOR_STORE",
              help="History store: a DuckDB file or postgresql://USER@HOST/DB (env "
                   "ADVISOR_STORE). [default: .advisor/history.duckdb; with --demo "
                   "demo-history.duckdb in the user's cache folder]")
@click.option("--months", "window", type=click.IntRange(min=3, max=36), default=6,
              show_default=True, help="Stored months shown in the trend.")
@click.option("--waivers", type=click.Path(dir_okay=False),
              help="Waivers file. [default: waivers.yaml beside advisor.yaml, if any]")
@click.option("--email", multiple=True, metavar="TO",
              help="Send the report to this address (repeat for more); needs --smtp.")
@click.option("--smtp", metavar="HOST:PORT", envvar="ADVISOR_SMTP",
              help="The organisation's SMTP relay (STARTTLS required).")
@click.option("--smtp-user", envvar="ADVISOR_SMTP_USER",
              help="Log in as this user (password from ADVISOR_SMTP_PASSWORD).")
@click.option("--smtp-from", "smtp_from", metavar="ADDRESS", envvar="ADVISOR_SMTP_FROM",
              help="Sender address. [default: advisor@<this host>]")
@click.option("--smtp-ca", type=click.Path(dir_okay=False, exists=True),
              help="CA certificate(s) to verify the relay with (an internal CA).")
@click.option("--smtp-plain", is_flag=True,
              help="Allow a relay without STARTTLS on a closed network (no login then).")
@click.option("--time-limit", "time_limit_s", type=FiniteFloat(min=1), default=300,
              show_default=True,
              help="Seconds the optimizer may spend.")
@click.option("--gap", type=FiniteFloat(min=0, max=1), default=0.001, show_default=True,
              help="Relative optimality gap at which the optimizer stops.")
def report(config: str | None, demo: bool, month: str | None, fmt: str, output: str | None,
           lang: str, cost_basis: str, store: str | None, window: int, waivers: str | None,
           email: tuple[str, ...], smtp: str | None, smtp_user: str | None,
           smtp_from: str | None, smtp_ca: str | None, smtp_plain: bool, time_limit_s: float,
           gap: float) -> int:
    """The monthly IT cost report: what the month cost, how that changes, what to move.

    Headline (total cost, change against last month, three-month trend, split by provider,
    location and on-premise vs cloud, cost per inhabitant); recommendations ranked by saving
    with the total a board can decide on (rightsizing apart); compliance findings and waivers;
    unallocated cost and calibration; assumptions (rates, price sources, horizon, cost basis).
    Charts and chain diagrams are inside the file. Each run stores the month's figures and plan
    in the history store (re-running a month replaces it); trends come from stored months.

    \b
    Without -o the report is written to report-YYYY-MM.html (or .md) in the current folder.

    \b
    Examples:
      advisor report -c advisor.yaml --month 2026-10          # writes report-2026-10.html
      advisor report --demo --month 2026-10 --format markdown --lang nl -o -
      advisor report -c advisor.yaml --store postgresql://advisor@db/finops -o report.html \\
          --email it-manager@gemeente.nl --smtp smtp.gemeente.nl:587
    """
    import os

    from advisor.commands.sources import analyze_config, calibrate_plan, read_ledger
    from advisor.errors import EXIT_SOURCE, InputError
    from advisor.ledger.report import has_ledger
    from advisor.month import Month
    from advisor.outputs.i18n import language
    from advisor.report.build import GRAIN, check_request, collect, report_month
    from advisor.report.history import demo_store, open_store

    language(lang, "EUR")  # an unknown language fails before any work
    given: list[str | None] = [config, waivers, store if store and "://" not in store else None]
    check_output(output, given)
    if store is None and demo:
        store = demo_store()
    relay = None
    if email or smtp:
        from advisor.connectors.smtp import Relay, parse_relay

        if not (email and smtp):
            raise InputError("--email and --smtp go together",
                             hint="give both: --email TO --smtp HOST:PORT")
        host, port = parse_relay(smtp)
        relay = Relay(host, port, smtp_user, os.environ.get("ADVISOR_SMTP_PASSWORD"), smtp_ca,
                      smtp_plain)
    check_request(month, window)

    def waiting(message: str) -> None:
        say(f"advisor: {message}", err=True)

    with open_store(store, on_wait=waiting):  # an unreachable store stops everything (exit 3)
        pass  # held only while the month is read and written, so concurrent runs can wait
    # The advice is as of the reported month's last day when the month is given (the same
    # month reads the same, run after run), else as of today.
    as_of = Month.parse(month).last_day if month else None
    plan = analyze_config(resolve_config(config, demo), time_limit_s=time_limit_s, gap=gap,
                          calibration=False, as_of=as_of, waivers=waivers)
    ledger = read_ledger(plan.estate, group_by=GRAIN, cost_basis=cost_basis) \
        if has_ledger(plan.estate) else None
    month = report_month(plan.estate, ledger, month)
    if ledger is not None:
        calibrate_plan(plan, month, cost_basis)
    with open_store(store, on_wait=waiting) as history:
        rep = collect(history, plan, ledger, month=month, cost_basis=cost_basis, window=window,
                      waivers=waivers)
        if plan.estate.scenarios:
            from advisor.planning.scenarios import run_scenarios

            rep.scenarios = run_scenarios(plan.estate, plan, plan.estate.scenarios,
                                          time_limit_s=time_limit_s, gap=gap, waivers=waivers)
    words = language(lang, rep.currency)
    if fmt == "html":
        from advisor.outputs.report_html import render_html

        text = render_html(rep, words)
    else:
        from advisor.outputs.report_markdown import render_markdown

        text = render_markdown(rep, words)
    inputs = [*given, *estate_inputs(plan.estate)]
    if output is None:  # never 187 KB of HTML on a terminal: a file here, and say where
        from pathlib import Path

        output = str(Path.cwd() / f"report-{rep.month}.{'html' if fmt == 'html' else 'md'}")
        write_output(text, output, inputs)
        click.echo(f"advisor: wrote {output}", err=True)
    else:
        write_output(text, output, inputs)
    if relay is not None:
        from advisor.connectors.smtp import build_message, default_sender, send
        from advisor.outputs.escape import one_line

        ext, mime = ("html", "text/html") if fmt == "html" else ("md", "text/markdown")
        msg = build_message(sender=smtp_from or default_sender(), to=email,
                            subject=one_line(words.t("summary_subject",  # one header line
                                                     month=words.month(rep.month),
                                                     estate=rep.estate)),
                            body=summary(rep, words), attachment=text,
                            filename=f"report-{rep.month}.{ext}", mime=mime)
        send(relay, msg)
        say(f"advisor: report sent to {', '.join(email)} through {relay.name}", err=True)
    if rep.failed_sources:
        for source, error in rep.failed_sources:
            say(f"advisor: source {source} failed: {error}", err=True)
        return EXIT_SOURCE
    return 0


def summary(rep: Report, lang: Lang) -> str:
    """The e-mail body: the month's total and change, the decision, the compliance count."""
    from advisor.report.build import change

    s = rep.summary
    if rep.previous is not None:
        diff, frac = change(rep.current.total, rep.previous.total)
        moved = lang.money(diff, signed=True) + (f" ({lang.percent(frac)})" if frac is not None
                                                 else "")
    else:
        moved = lang.t("no_change")
    errors = sum(len(g.workloads) for g in rep.findings if g.severity == "error")
    warnings = sum(len(g.workloads) for g in rep.findings if g.severity == "warning")
    return lang.t("summary_body", month=lang.month(rep.month), total=lang.money(rep.current.total),
                  change=moved, moves=s["moves"],
                  saving=lang.money(s["monthly_savings"]),
                  one_off=lang.money(s["one_off_migration_cost"]), errors=errors,
                  warnings=warnings) + "\n"
