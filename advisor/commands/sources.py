"""Running the estate's discovery sources before an analysis.

``sources:`` entries of type ``kubernetes`` discover workloads and measure their usage; the
discovered workloads are joined to the catalogue (``advisor.estate.merge``). Billing sources
(``focus``, and the cost side of ``aws``/``azure``) feed the ledger instead and are read there.
A source that fails is recorded and named in every output (exit 3), never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.errors import SourceError
from advisor.estate.model import Estate

DISCOVERY_TYPES = ("kubernetes",)


@dataclass
class Collected:
    estate: Estate
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headroom: Decimal = Decimal("1.2")


def collect(estate: Estate, progress: Any = None) -> Collected:
    """The estate with every discovery source's workloads and usage merged in."""
    discovery = [s for s in estate.sources if s.get("type") in DISCOVERY_TYPES]
    if not discovery:
        return Collected(estate)
    from advisor.connectors import kubernetes
    from advisor.connectors.base import SourceResult

    results: list[SourceResult] = []
    out = Collected(estate)
    for settings in discovery:
        try:
            result = kubernetes.collect(estate, settings, progress)
        except SourceError as exc:
            out.failed.append((exc.source, exc.detail))
            continue
        results.append(result)
        out.notes.extend(result.notes)
        if "headroom" in settings:
            out.headroom = Decimal(str(settings["headroom"]))
    if results:
        merged, conflicts = kubernetes.merge_discovered(estate, results)
        from advisor.estate.load import check_estate

        check_estate(merged)
        out.estate = merged
        out.notes.extend(f"conflict: {c}" for c in conflicts)
    return out
