"""``advisor init``: write an example estate to a folder, to read, change and run."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from advisor.commands.common import say
from advisor.errors import InputError


@click.command()
@click.option("--example", type=click.Choice(["gemeente"]), default="gemeente",
              show_default=True, help="Which built-in example estate to write.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@click.argument("directory", type=click.Path(file_okay=False))
def init(example: str, force: bool, directory: str) -> None:
    """Write an example estate's files into DIRECTORY.

    \b
    Example:
      advisor init --example gemeente ./estate
      advisor analyze -c ./estate/advisor.yaml
    """
    from advisor.pipeline import example_dir

    source = example_dir(example)
    target = Path(directory)
    files = sorted(p for p in source.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.name != "__init__.py")
    clashes = [str(target / p.relative_to(source)) for p in files
               if (target / p.relative_to(source)).exists()]
    if clashes and not force:
        raise InputError(f"{clashes[0]} already exists",
                         hint="choose an empty folder, or pass --force to overwrite")
    for p in files:
        dest = target / p.relative_to(source)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
        except OSError as exc:
            raise InputError(f"cannot write {dest}: {exc.strerror}") from None
    say(f"wrote the '{example}' example estate ({len(files)} files) to {target}")
    say(f"next: advisor analyze -c {target / 'advisor.yaml'}")
