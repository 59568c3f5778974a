"""The connector protocol: the only code that does network I/O.

A connector takes its validated settings (one entry of ``sources:`` in advisor.yaml) and the
estate as loaded from files, and returns what it found. It never prints and never swallows a
failure: a source that cannot be read raises ``SourceError`` (exit 3), which the caller names in
the output. Clients (boto3 sessions, Azure credentials, Kubernetes ApiClients) are passed in or
built from the settings, never held in module globals, so tests can point them at local servers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SourceFailure:
    """A source that failed; shown in every output and turned into exit code 3."""

    source: str
    message: str


class Progress(Protocol):
    """How a connector reports a long pull. The command passes one in (a terminal bar, or
    ``Silent``); connectors never write to the terminal themselves."""

    def step(self, what: str, done: int, total: int | None = None) -> None:
        """``done`` of ``total`` units of ``what`` (total None: not known)."""
        ...

    def done(self) -> None:
        """The pull ended (clear the bar)."""
        ...


class Silent:
    """A ``Progress`` that reports nothing (the default)."""

    def step(self, what: str, done: int, total: int | None = None) -> None:
        return None

    def done(self) -> None:
        return None
