"""The ledger's seam to the cloud cost APIs: ``{type: aws}`` and ``{type: azure}`` sources.

``cloud_costs`` asks each configured source for its costs, writes them as FOCUS CSV into the
ledger's spool folder and returns those files for the FOCUS reader. A source (or one Azure scope)
that fails does not lose the others: it is listed in ``failures`` with the reason, and the command
decides the exit code (3 unless ``--allow-partial``). Bad settings are input errors (exit 2) and
stop the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.connectors.base import Progress, Silent, SourceFailure
from advisor.connectors.cloud_common import CloudCosts
from advisor.errors import SourceError
from advisor.estate.model import Estate
from advisor.estate.sources import AwsSettings, AzureSettings


def has_cloud_sources(estate: Estate) -> bool:
    return any(isinstance(s, (AwsSettings, AzureSettings)) for s in estate.sources)


def cloud_costs(estate: Estate, spool: Path, month: str | None = None,
                progress: Progress | None = None,
                sleep: Callable[[float], None] = time.sleep) -> CloudCosts:
    """Costs of every cloud source in the estate, as FOCUS files in ``spool``."""
    from advisor.connectors.focus import fetch, settings_from_args
    from advisor.ledger.focus import sniff

    out = CloudCosts()
    progress = progress or Silent()
    ledger_files: list[Any] = []
    try:
        for s in estate.sources:
            if isinstance(s, AwsSettings):
                from advisor.connectors.aws_cost import CeStats, collect_costs

                stats = CeStats()
                try:
                    paths, notes = collect_costs(s, spool, month, stats, progress, sleep)
                    ledger_files += [sniff(str(p), f"{s.name} (Cost Explorer)") for p in paths]
                    out.notes += notes
                    if s.focus_path:  # read with the source's own profile
                        focus = settings_from_args([s.focus_path], s.base, profile=s.profile)
                        got = fetch(focus, spool, month)
                        ledger_files += got.files
                        out.notes += got.notes
                except SourceError as exc:
                    out.failures.append(SourceFailure(s.name, one_line(exc)))
                finally:
                    out.paid_requests += stats.paid
                    out.cached_requests += stats.cached
            elif isinstance(s, AzureSettings):
                from advisor.connectors.azure_cost import collect_costs as azure_costs

                files, notes, failures = azure_costs(s, spool, month, progress=progress,
                                                     sleep=sleep)
                ledger_files += [sniff(str(p), origin) for p, origin in files]
                out.notes += notes
                out.failures += failures
    finally:
        progress.done()
    out.files = ledger_files
    return out


def one_line(exc: SourceError) -> str:
    """The failure as one line: what failed and why, then what to do."""
    return exc.message + (f" ({exc.hint})" if exc.hint else "")
