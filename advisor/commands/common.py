"""Options and helpers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from advisor.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def config_options(func: F) -> F:
    """-c/--config and --demo: where the estate comes from."""
    func = click.option("--demo", is_flag=True,
                        help="Use the built-in demo estate (a Dutch municipality).")(func)
    func = click.option("-c", "--config", "config", type=click.Path(dir_okay=True),
                        help="The estate's advisor.yaml (or the folder holding it).")(func)
    return func


def resolve_config(config: str | None, demo: bool) -> Path:
    if demo and config:
        raise InputError("give either --demo or -c/--config, not both")
    if demo:
        from advisor.pipeline import demo_config

        return demo_config()
    if config:
        return Path(config)
    default = Path("advisor.yaml")
    if default.exists():
        return default
    raise InputError("no estate given and no advisor.yaml in the current folder",
                     hint="use -c path/to/advisor.yaml, or --demo to try the built-in example")


def check_output(output: str | None) -> None:
    """Fail before any work when -o names a file in a folder that does not exist."""
    if output and output != "-":
        parent = Path(output).parent
        if not parent.is_dir():
            raise InputError(f"the folder {parent} does not exist", file=output,
                             hint="create it first, or write the output elsewhere")


def write_output(text: str, output: str | None) -> None:
    """Write to -o FILE, or stdout."""
    if output and output != "-":
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write output file: {exc.strerror}", file=output) from None
    else:
        click.echo(text, nl=False)


DEFAULT_WIDTH = 100  # when the output is not a terminal (a pipe, a file, a CI log)
MIN_WIDTH = 40


def output_width(wide: bool, to_file: bool = False) -> int | None:
    """The width to fit: None with ``--wide``; the terminal's columns when stdout is one (or
    $COLUMNS when set); DEFAULT_WIDTH for a pipe, a file or a CI log."""
    import os
    import shutil
    import sys

    if wide:
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    if to_file or not sys.stdout.isatty():
        return DEFAULT_WIDTH
    return max(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, MIN_WIDTH)
