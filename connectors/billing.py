"""Gathering an estate's billing data for the ledger: FOCUS exports (on disk, in S3, in Azure
Blob storage) and the aws/azure cost APIs, fetched into a spool folder as local files.

The ledger (``advisor.ledger``) reads what this returns; it never fetches. A cloud source that
fails does not lose the others: it is listed in ``Gathered.cloud.failures`` and the command
decides the exit code. Bad settings are input errors (exit 2); an unreachable bucket or
container is a source error (exit 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from advisor.connectors.base import Progress
from advisor.connectors.cloud import cloud_costs, has_cloud_sources
from advisor.connectors.cloud_common import CloudCosts
from advisor.connectors.focus import fetch, focus_sources, settings_from_args
from advisor.errors import InputError, SourceError
from advisor.estate.model import Estate
from advisor.estate.sources import FocusSettings
from advisor.ledger.focus import LedgerFile


@dataclass
class Gathered:
    """The local files a ledger read will scan, what the user should know about them, and the
    cloud cost APIs' outcome (None when no aws/azure source was asked)."""

    files: list[LedgerFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cloud: CloudCosts | None = None

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
    seen: set[str] = set()
    for settings in sources:
        got = fetch(settings, spool, month)
        out.notes.extend(got.notes)
        for f in got.files:
            key = f.origin if "://" in f.origin else str(Path(f.local).resolve())
            if key in seen:  # two sources naming one file must not count it twice
                out.notes.append(f"{f.origin}: named twice, read once")
                continue
            seen.add(key)
            out.files.append(_relative(f, settings))
    if estate is not None and not paths and has_cloud_sources(estate):
        out.cloud = cloud_costs(estate, spool, month, progress)
        out.files.extend(out.cloud.files)
        out.notes.extend(out.cloud.notes)
        out.notes.extend(f"FAILED {f.message}" for f in out.cloud.failures)
    if not out.files:
        if out.cloud is not None and out.cloud.failures:
            names = ", ".join(sorted({f.source for f in out.cloud.failures}))
            raise SourceError(names, "; ".join(f.message for f in out.cloud.failures),
                              hint="fix the source; no other billing data was found")
        raise InputError(f"no billing file for month {month}" if month else
                         "no billing file found", hint="check the source paths and --month")
    return out


def _relative(f: LedgerFile, settings: FocusSettings) -> LedgerFile:
    """Name local files relative to the folder of the advisor.yaml (stable across machines)."""
    if "://" in f.origin:
        return f
    try:
        rel = Path(f.origin).resolve().relative_to(settings.base.resolve())
    except ValueError:
        return f
    return LedgerFile(f.local, rel.as_posix(), f.format, f.compression)
