"""The progress bar on stderr for long pulls (cloud APIs, cluster listings): the one place that
draws it. Connectors report through ``advisor.connectors.base.Progress``; commands pass this in."""

from __future__ import annotations

import sys
from typing import TextIO


class TerminalProgress:
    """A one-line bar on stderr; silent when stderr is not a terminal (or ``enabled`` False)."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = ""

    def step(self, what: str, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        from advisor.outputs.escape import one_line

        what = one_line(what)  # a source's name from a file is no escape sequence here
        if total:
            filled = 30 * min(done, total) // max(total, 1)
            text = f"{what[:40]:<40} [{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}"
        else:
            text = f"{what[:40]:<40} {done:,}" if done else f"{what[:60]} ..."
        if text != self._last:
            self.stream.write("\r\x1b[2K" + text)
            self.stream.flush()
            self._last = text

    def done(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._last = ""


def progress(quiet: bool = False) -> TerminalProgress:
    """The bar for a command: on a terminal unless -q."""
    return TerminalProgress(enabled=False if quiet else None)
