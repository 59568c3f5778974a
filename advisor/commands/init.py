"""``advisor init``: write an example estate to a folder, to read, change and run."""

from __future__ import annotations

import os
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
    root = target.resolve()
    for p in files:
        rel = p.relative_to(source)
        for part in [target / Path(*rel.parts[:i]) for i in range(1, len(rel.parts) + 1)]:
            if part.is_symlink():
                raise InputError(f"{part} is a symbolic link", hint="advisor init never writes "
                                 "through a link (it could point outside the folder): remove it "
                                 "or choose another folder")
    clashes = [str(target / p.relative_to(source)) for p in files
               if (target / p.relative_to(source)).exists()]
    if clashes and not force:
        raise InputError(f"{clashes[0]} already exists",
                         hint="choose an empty folder, or pass --force to overwrite")
    for p in files:
        dest = target / p.relative_to(source)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not dest.parent.resolve().is_relative_to(root):
                raise InputError(f"{dest} would be written outside {target}")
            _copy_no_follow(p, dest)
        except OSError as exc:
            raise InputError(f"cannot write {dest}: {exc.strerror}") from None
    say(f"wrote the '{example}' example estate ({len(files)} files) to {target}")
    say(f"next: advisor analyze -c {target / 'advisor.yaml'}")


def _copy_no_follow(source: Path, dest: Path) -> None:
    """Copy a file; a link that appears at ``dest`` meanwhile is refused (O_NOFOLLOW)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(dest, flags, 0o644)
    with os.fdopen(fd, "wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out)
