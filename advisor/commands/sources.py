"""Running the estate's sources before the pipeline: the only place where commands reach the
outside world through the connectors, and hand what came back to the core.

- Discovery sources (``type: kubernetes``) add workloads and measured usage; the discovered
  workloads are joined to the catalogue (``advisor.estate.merge``).
- Billing sources (``focus``, and the cost side of ``aws``/``azure``) are fetched into a spool
  folder (``advisor.connectors.billing``) and read by the ledger (``advisor.ledger``).
A source that fails is recorded and named in every output (exit 3), never dropped silently.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.commands.common import say
from advisor.errors import SourceError
from advisor.estate.merge import SourceResult
from advisor.estate.model import Estate
from advisor.estate.sources import KubernetesSettings

if TYPE_CHECKING:
    from advisor.connectors.base import Progress, SourceFailure
    from advisor.ledger.report import LedgerReport, LedgerSummary
    from advisor.placement.plan import Plan


@dataclass
class Collected:
    estate: Estate
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    headroom: Decimal = Decimal("1.2")


def collect(estate: Estate, progress: Progress | None = None) -> Collected:
    """The estate with every discovery source's workloads and usage merged in."""
    discovery = [s for s in estate.sources if isinstance(s, KubernetesSettings)]
    if not discovery:
        return Collected(estate)
    from advisor.connectors import kubernetes
    from advisor.estate.merge import merge_discovered

    results: list[SourceResult] = []
    out = Collected(estate)
    try:
        for settings in discovery:
            try:
                result = kubernetes.collect(estate, settings, progress)
            except SourceError as exc:
                out.failed.append((exc.source, exc.detail))
                continue
            results.append(result)
            out.notes.extend(result.notes)
            if settings.ledger_out and result.inventory is not None:
                _write_onprem_cost(estate, settings, result)
            if "headroom" in settings.model_fields_set:
                out.headroom = settings.headroom
    finally:
        if progress is not None:
            progress.done()
    if results:
        merged, conflicts = merge_discovered(estate, results)
        from advisor.estate.load import check_estate

        check_estate(merged)
        out.estate = merged
        out.notes.extend(f"conflict: {c}" for c in conflicts)
    return out


def _write_onprem_cost(estate: Estate, settings: KubernetesSettings,
                       result: SourceResult) -> None:
    """The cluster's month priced at its location's prices, as FOCUS rows for the ledger."""
    from advisor.placement.onprem_cost import cluster_cost, month_period, write_focus_csv

    location = estate.location_by_id().get(settings.location)
    if location is None or settings.ledger_out is None:
        return
    found = result.inventory
    period = month_period(settings.month or found.at.strftime("%Y-%m"))
    write_focus_csv(settings.ledger_out, cluster_cost(found, location, period))
    result.ledger_paths.append(settings.ledger_out)


def read_ledger(estate: Estate | None, *, paths: Sequence[str] = (), month: str | None = None,
                group_by: Sequence[str] = ("provider",), cost_basis: str = "billed",
                progress: Progress | None = None) -> LedgerReport:
    """Fetch the billing data (``paths`` if given, else the estate's sources) and report it.

    Raises InputError (exit 2) for bad files, values, currencies or arguments and SourceError
    (exit 3) for an unreachable bucket or container. Failed aws/azure sources that did not stop
    the read are on ``failed_sources`` of the result.
    """
    from advisor.connectors.billing import gather
    from advisor.ledger.report import check_request, report

    dims = check_request(month, group_by, cost_basis)
    with tempfile.TemporaryDirectory(prefix="advisor-ledger-") as spool:
        try:
            got = gather(estate, paths, Path(spool), month, progress)
        finally:
            if progress is not None:
                progress.done()
        try:
            rep = report(got.files, estate, dims, cost_basis, month, got.notes,
                         spool=Path(spool))
        finally:
            got.close()
    rep.failed_sources = got.failed_sources
    if got.cloud is not None:
        rep.api_requests = (got.cloud.paid_requests, got.cloud.cached_requests)
    return rep


def billed_summary(estate: Estate, month: str | None = None,
                   cost_basis: str = "billed") -> LedgerSummary:
    """Billed cost of ``month`` (None: the latest) per workload and location, for calibration.
    One read of the ledger (a cloud source may charge per request): every month, then pick."""
    from advisor.ledger.report import SUMMARY_GRAIN, summarize

    rep = read_ledger(estate, month=month, group_by=SUMMARY_GRAIN, cost_basis=cost_basis)
    return summarize(rep, month)


def calibrate_plan(plan: Plan, month: str | None = None, cost_basis: str = "billed") -> None:
    """Attach the calibration to the plan, or record the ledger as a failed source."""
    from advisor.ledger.calibration import calibrate
    from advisor.ledger.report import has_ledger

    if not has_ledger(plan.estate):
        return
    try:
        summary = billed_summary(plan.estate, month, cost_basis)
    except SourceError as exc:
        plan.failed_sources.append((exc.source, exc.detail))
        return
    calibrate(plan, summary)


def analyze_config(path: str | Path, *, headroom: Decimal | None = None,
                   progress: Progress | None = None, calibration: bool = True,
                   **kwargs: Any) -> Plan:
    """Load the files, run the discovery sources, analyze, calibrate against the ledger; failed
    sources are on the plan."""
    from advisor.estate.load import load_estate
    from advisor.pipeline import analyze_estate

    got = collect(load_estate(path), progress)
    plan = analyze_estate(got.estate, headroom=headroom or got.headroom, **kwargs)
    plan.failed_sources[:0] = got.failed
    plan.notes.extend(got.notes)
    if calibration:
        calibrate_plan(plan)
    return plan


def paid_line(rep: LedgerReport) -> str | None:
    """The line that says what this run cost in Cost Explorer requests."""
    paid, cached = rep.api_requests
    if not paid and not cached:
        return None
    return (f"Cost Explorer: {paid} paid request{'' if paid == 1 else 's'} (USD 0.01 each), "
            f"{cached} answered from the cache")


def report_failures(failures: Sequence[tuple[str, str]] | Sequence[SourceFailure],
                    allow_partial: bool) -> None:
    """Name every failed source on stderr; raise (exit 3) unless partial results are allowed."""
    if not failures:
        return
    pairs = [(f.source, f.message) if not isinstance(f, tuple) else f for f in failures]
    for _source, message in pairs:
        say(f"advisor: source failed: {message}", err=True)
    if not allow_partial:
        names = ", ".join(sorted({s for s, _ in pairs}))
        raise SourceError(names, f"{len(pairs)} source(s) failed; the figures above leave "
                                 "them out", hint="fix the source, or pass --allow-partial to "
                                                  "accept results without it")
