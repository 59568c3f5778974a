"""Gathering an estate's billing data for the ledger: FOCUS exports (on disk, in S3, in Azure
Blob storage) and the aws/azure cost APIs, fetched into a spool folder as local files.

The ledger (``advisor.ledger``) reads what this returns; it never fetches. A cloud source that
fails does not lose the others: it is listed in ``Gathered.cloud.failures`` and the command
decides the exit code. Bad settings are input errors (exit 2); an unreachable bucket or
container is a source error (exit 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from advisor.connectors.base import Progress
from advisor.connectors.cloud import cloud_costs, has_cloud_sources
from advisor.connectors.cloud_common import CloudCosts
from advisor.connectors.focus import fetch, focus_sources, settings_from_args
from advisor.errors import InputError, SourceError
from advisor.estate.model import Estate
from advisor.estate.sources import FocusSettings
from advisor.ledger.focus import ClusterTable, LedgerFile


@dataclass
class Gathered:
    """The local files a ledger read will scan, what the user should know about them, and the
    cloud cost APIs' outcome (None when no aws/azure source was asked)."""

    files: list[LedgerFile | ClusterTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cloud: CloudCosts | None = None
    sessions: list[Any] = field(default_factory=list)  # open cluster sessions (close them)

    def close(self) -> None:
        """Close the cluster sessions that were opened for the read."""
        while self.sessions:
            self.sessions.pop().close()

    @property
    def failed_sources(self) -> list[tuple[str, str]]:
        return [(f.source, f.message) for f in self.cloud.failures] if self.cloud else []


def gather(estate: Estate | None, paths: Sequence[str], spool: Path, month: str | None = None,
           progress: Progress | None = None) -> Gathered:
    """Fetch ``paths`` if given, else the estate's billing sources, into ``spool``."""
    if paths:
        sources = [settings_from_args(paths)]
    elif estate is not None:
        sources = focus_sources(estate)
        if not sources and not has_cloud_sources(estate):
            raise InputError("the estate configures no billing source", file=estate.path,
                             hint="add 'sources: [{type: focus, path: ...}]' to advisor.yaml, "
                                  "or give FOCUS files on the command line")
    else:
        raise InputError("no billing data given",
                         hint="give FOCUS files or URLs, -c advisor.yaml, or --demo")
    out = Gathered()
    try:
        _gather_sources(out, sources, spool, month)
        if estate is not None and not paths and has_cloud_sources(estate):
            out.cloud = cloud_costs(estate, spool, month, progress)
            out.files.extend(out.cloud.files)
            out.notes.extend(out.cloud.notes)
            out.notes.extend(f"FAILED {f.message}" for f in out.cloud.failures)
    except BaseException:
        out.close()
        raise
    if not out.files:
        if out.cloud is not None and out.cloud.failures:
            names = ", ".join(sorted({f.source for f in out.cloud.failures}))
            raise SourceError(names, "; ".join(f.message for f in out.cloud.failures),
                              hint="fix the source; no other billing data was found")
        raise InputError(f"no billing file for month {month}" if month else
                         "no billing file found", hint="check the source paths and --month")
    return out


def _gather_sources(out: Gathered, sources: Sequence[FocusSettings], spool: Path,
                    month: str | None) -> None:
    seen: set[str] = set()
    sessions: dict[tuple[str | None, str | None], Any] = {}
    for settings in sources:
        if settings.engine == "spark":
            from advisor.connectors.spark import open_session, open_table

            cluster = (settings.connect, settings.master)
            if cluster not in sessions:
                sessions[cluster] = open_session(settings.connect, settings.master)
                out.sessions.append(sessions[cluster])
            table = open_table(settings, sessions[cluster])
            if f"{table.where} {table.origin}" in seen:
                out.notes.append(f"{table.origin}: named twice, read once")
                continue
            seen.add(f"{table.where} {table.origin}")
            out.files.append(table)
            continue
        got = fetch(settings, spool, month)
        out.notes.extend(got.notes)
        for f in got.files:
            key = f.origin if "://" in f.origin else str(Path(f.local).resolve())
            if key in seen:  # two sources naming one file must not count it twice
                out.notes.append(f"{f.origin}: named twice, read once")
                continue
            seen.add(key)
            out.files.append(_relative(f, settings))


def _relative(f: LedgerFile, settings: FocusSettings) -> LedgerFile:
    """Name local files relative to the folder of the advisor.yaml (stable across machines)."""
    if settings.filters:
        f = replace(f, filters=settings.filters)
    if "://" in f.origin:
        return f
    try:
        rel = Path(f.origin).resolve().relative_to(settings.base.resolve())
    except ValueError:
        return f
    return replace(f, origin=rel.as_posix())
