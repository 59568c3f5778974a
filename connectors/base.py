"""The connector protocol: the only code that does network I/O.

A connector takes its validated settings (one entry of ``sources:`` in advisor.yaml) and the
estate as loaded from files, and returns what it found. It never prints and never swallows a
failure: a source that cannot be read raises ``SourceError`` (exit 3), which the caller names in
the output. Clients (boto3 sessions, Azure credentials, Kubernetes ApiClients) are passed in or
built from the settings, never held in module globals, so tests can point them at local servers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from advisor.estate.model import Estate, Usage, Workload


@dataclass
class SourceResult:
    """What one source contributed."""

    source: str  # a human name for the source, e.g. "kubernetes:dc1"
    workloads: list[Workload] = field(default_factory=list)  # discovered workloads
    usage: dict[str, Usage] = field(default_factory=dict)  # measured usage by workload id
    ledger_paths: list[str] = field(default_factory=list)  # FOCUS files/URLs for the ledger
    notes: list[str] = field(default_factory=list)  # things the user should know


@dataclass(frozen=True)
class SourceFailure:
    """A source that failed; shown in every output and turned into exit code 3."""

    source: str
    message: str


class Connector(Protocol):
    """Implemented by the focus, kubernetes, aws and azure connectors."""

    type: str

    def collect(self, estate: Estate, settings: dict[str, Any]) -> SourceResult:
        """Read the source; raise SourceError when it cannot be read."""
        ...
