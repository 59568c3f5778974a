"""Options and helpers shared by several commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from advisor.errors import InputError, OutputError

if TYPE_CHECKING:
    from advisor.estate.model import Estate

F = TypeVar("F", bound=Callable[..., Any])


class FiniteFloat(click.FloatRange):
    """A float option in a range that must be a finite number: click's FloatRange lets ``nan``
    through (every comparison with it is false) and ``inf`` when there is no upper bound."""

    name = "float"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        import math

        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


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


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print a line for a person: credentials (``advisor.redact``), escape sequences and
    control characters (``advisor.outputs.escape.terminal_text``) removed first."""
    from advisor.outputs.escape import terminal_text
    from advisor.redact import redact

    click.echo(terminal_text(redact(text)), err=err, nl=nl)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(output: str | None, inputs: Iterable[str | Path | None] = ()) -> None:
    """Fail before any work when -o names a file in a folder that does not exist, or a file
    the run reads (the estate, a pack, waivers, a placement, a plan, a bill)."""
    if not output or output == "-":
        return
    target = Path(output)
    parent = target.parent
    if not parent.is_dir():
        raise InputError(f"the folder {parent} does not exist", file=output,
                         hint="create it first, or write the output elsewhere")
    if target.is_dir():
        raise InputError("is a folder, not a file", file=output,
                         hint="give a file name for -o")
    for given in inputs:
        if given is not None and _same_file(target, Path(given)):
            raise InputError(f"-o would overwrite an input of this run ({given})", file=output,
                             hint="write the output to another file")


def estate_inputs(estate: Estate | None) -> list[str]:
    """Every file an estate was read from: advisor.yaml, the files its workloads and locations
    came from, its policy packs and local billing files."""
    if estate is None:
        return []
    out = [estate.path] if estate.path else []
    for item in [*estate.workloads, *estate.locations]:
        source = getattr(item, "source", None)
        if source is not None and source.file not in out:
            out.append(source.file)
    out += [p.path for p in estate.policies if p.path]
    base = Path(estate.path).parent if estate.path else Path()
    for src in estate.sources:
        value = getattr(src, "path", None)  # local billing files of a focus source
        for entry in ([value] if isinstance(value, str) else value or []):
            if isinstance(entry, str) and "://" not in entry:
                out.extend(_expand(base / Path(entry).expanduser()))
    return out


def _expand(path: Path) -> list[str]:
    import glob

    if path.is_dir():
        return [str(p) for p in sorted(path.rglob("*")) if p.is_file()]
    if path.exists() or not glob.has_magic(str(path)):
        return [str(path)]
    return sorted(glob.glob(str(path), recursive=True))


def write_output(text: str, output: str | None,
                 inputs: Iterable[str | Path | None] = ()) -> None:
    """Write to -o FILE atomically (the previous file stays whole if this fails), or stdout.
    Refuses a file the run read (``inputs``)."""
    if output and output != "-":
        check_output(output, inputs)
        from advisor.atomic import write_atomic

        try:
            write_atomic(output, text)
        except OSError as exc:
            raise OutputError(f"{output}: cannot write output file: {exc.strerror}",
                               hint="the previous file, if any, is unchanged") from None
    else:
        from advisor.outputs.escape import terminal_text

        try:
            click.echo(terminal_text(text), nl=False)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write to standard output: {exc.strerror}") from None


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
