"""The connector protocol for ``{type: kubernetes}`` sources: discovered workloads and their
usage for the estate's merge, and the cluster's inventory for its on-premise cost rows."""

from __future__ import annotations

from advisor.connectors.base import Progress
from advisor.connectors.kubernetes.discovery import discover
from advisor.errors import InputError
from advisor.estate.merge import SourceResult
from advisor.estate.model import Estate
from advisor.estate.sources import KubernetesSettings
from advisor.estate.yamlfile import line_of, nearest


def collect(estate: Estate, s: KubernetesSettings,
            progress: Progress | None = None) -> SourceResult:
    """The connector protocol: discovered workloads, their usage, and the cluster (``inventory``)
    that the command prices into on-premise cost rows when the source asks for them."""
    locations = estate.location_by_id()
    if locations and s.location not in locations:  # checked when the estate loads, too
        near = nearest(s.location, locations)
        file = s.source.file if s.source else None
        keypath = s.source.keypath if s.source else ()
        raise InputError(f"source {s.name}: unknown location '{s.location}'", file=file,
                         line=line_of(file, (*keypath, "location")),
                         hint=f"did you mean '{near}'?" if near else
                         "add it to locations.yaml or fix the id")
    found = discover(s, progress=progress)
    result = SourceResult(source=s.name, workloads=found.workloads,
                          usage={w.id: w.usage for w in found.workloads if w.usage},
                          notes=[f"{s.name}: {n}" for n in found.notes], inventory=found)
    return result
