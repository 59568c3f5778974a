"""The ``advisor`` command line. Exit codes are decided here and only here.

Commands live in ``advisor.commands.*``; each imports heavy libraries inside its function so that
``advisor --help`` stays instant.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
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
from advisor.errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OUTPUT, AdvisorError
from advisor.outputs.escape import one_line, terminal_text

# What click takes for an option name after an option whose value is optional (--budget -2).
_NEGATIVE = re.compile(r"-\d+(?:\.\d*)?")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="advisor")
@click.option("--debug", is_flag=True,
              help="Show the traceback of an internal error (also ADVISOR_DEBUG=1).")
def cli(debug: bool) -> None:
    """Hybrid cloud cost and workload placement advisor.

    Reads an estate (locations, workloads and their dependencies), prices it, checks it against
    policy packs and computes the cheapest placement that obeys every hard rule.

    \b
    Example:
      advisor analyze --demo
      advisor init --example gemeente ./estate && advisor analyze -c ./estate/advisor.yaml

    \b
    Exit codes: 0 success, 1 findings at or above --fail-on, 2 invalid input or usage,
    3 a data source failed, 70 an internal error (a bug: please report it), 74 an output could
    not be written.
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


def _debug(argv: list[str] | None) -> bool:
    args = sys.argv[1:] if argv is None else argv
    return "--debug" in args or os.environ.get("ADVISOR_DEBUG", "") not in ("", "0")


def _say(text: str) -> None:
    """A message on stderr: no escape sequence and no credential (``advisor.redact``) in it,
    whichever code path built it."""
    from advisor.redact import redact

    with contextlib.suppress(OSError):  # stderr gone too: the exit code is all that is left
        click.echo(terminal_text(redact(text)), err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map every outcome to an exit code (the only place that does)."""
    try:
        result = cli.main(args=argv, prog_name="advisor", standalone_mode=False)
        sys.stdout.flush()
    except AdvisorError as exc:
        if exc.exit_code == EXIT_OUTPUT:
            _quiet_stdout()
        _say(exc.render_all("advisor: error: "))
        return exc.exit_code
    except click.exceptions.Abort:
        _say("advisor: aborted")
        return 130
    except click.ClickException as exc:
        buf = io.StringIO()
        exc.show(file=buf)
        _say(buf.getvalue().rstrip("\n") + _negative_hint(exc))
        return EXIT_INPUT if exc.exit_code in (1, 2) else exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        _say("advisor: interrupted")
        return 130
    except OSError as exc:
        if exc.errno is not None and getattr(exc, "filename", None) is None and \
                _stdout_failed():
            _quiet_stdout()
            _say(f"advisor: error: cannot write to standard output: {exc.strerror}")
            return EXIT_OUTPUT
        return _internal(exc, argv)
    except Exception as exc:  # a bug: one line and a hint, never a policy result (exit 1)
        return _internal(exc, argv)
    return int(result or 0)


def _negative_hint(exc: click.ClickException) -> str:
    """click reads '-2' after an option as an option of its own: say what it is instead."""
    name = getattr(exc, "option_name", None) if isinstance(exc, click.NoSuchOption) else None
    if not isinstance(name, str) or not _NEGATIVE.fullmatch(name):
        return ""
    return (f"\n  hint: {name} is a negative number, and no option of advisor takes one "
            "(--budget takes 1 to 30 years, --time-limit at least 1 second)")


def _internal(exc: BaseException, argv: list[str] | None) -> int:
    if _debug(argv):
        import traceback

        _say("".join(traceback.format_exception(exc)).rstrip("\n"))
    detail = one_line(str(exc))[:300]
    _say(f"advisor: internal error: {type(exc).__name__}" + (f": {detail}" if detail else ""))
    _say(f"  hint: this is a bug in advisor {__version__}, not a problem with your files: please "
         "report it with the command and the output of 'advisor --debug ...' (README: "
         "Reporting a problem)")
    return EXIT_INTERNAL


def _stdout_failed() -> bool:
    """Whether standard output cannot take more (a full disk, a closed pipe)."""
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
