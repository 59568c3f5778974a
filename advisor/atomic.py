"""Files written whole or not at all: a temporary file in the target's folder, flushed to disk,
then renamed over the target. A run that is interrupted, or fails on a full disk, leaves the
previous good file where it was (and no temporary file behind)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def open_atomic(path: str | Path, *, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file (UTF-8) to write; it replaces ``path`` only when the block ends without an
    error. Raises OSError as ``open`` would (the target is untouched)."""
    target = Path(path)
    if target.is_symlink():  # write where the link points, as open() would, keeping the link
        target = Path(os.path.realpath(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():  # keep the permissions a user gave the previous file
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see the module's docstring)."""
    with open_atomic(path) as fh:
        fh.write(text)
