"""The one way tests run the CLI: in-process, stdout and stderr captured, never a traceback."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import NamedTuple

from advisor.commands.main import main


class CliResult(NamedTuple):
    """What a run gave: unpack it (``code, out, err = ...``) or use the names."""

    code: int
    out: str
    err: str


RunCli = Callable[..., CliResult]


def invoke(*args: str) -> CliResult:
    """``advisor ARGS...`` in this process; usable inside and outside a test (threads too)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    result = CliResult(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in result.err, result.err
    return result
