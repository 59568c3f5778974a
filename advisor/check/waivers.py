"""Waivers: a recorded, owned and dated acceptance of one finding (rule x workload or application).

Risk acceptance is how organisations work; a waiver makes it auditable. A waived finding is still
shown (as waived) in every report and does not fail the gate. An expired waiver no longer waives
anything and is a finding of its own (WAIVER-EXPIRED, an error), so nobody forgets to renew or
fix it; a waiver that matches no finding is reported (WAIVER-UNUSED, info) so the file stays clean.

File format (YAML)::

    waivers:
      - rule: SOV-004                 # a rule id of a loaded pack
        workload: kcc-telefonie       # or `application: zaaksysteem` for an application rule,
                                      # `location: ID` or `supplier: ID` for a rule reported
                                      # per location or supplier
        reason: Telephony SaaS only runs in Azure; risk accepted by the CISO
        owner: ciso@gemeente-voorbeeld.nl
        expires: 2027-03-31           # YYYY-MM-DD, valid through that day
        reference: RA-2026-012        # optional: the risk acceptance or decision
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.check.formats import WaiversFile
from advisor.errors import InputError
from advisor.estate.formats.base import validate
from advisor.estate.model import Estate, SourceRef
from advisor.estate.yamlfile import load_yaml

if TYPE_CHECKING:
    from advisor.rules import Finding

KINDS = ("workload", "application", "location", "supplier")


@dataclass(frozen=True)
class Waiver:
    rule: str
    subject: str  # a workload id, an application name, or location:ID / supplier:ID
    reason: str
    owner: str
    expires: dt.date
    reference: str | None = None
    kind: str = "workload"  # what the subject names: one of KINDS
    source: SourceRef | None = None

    @property
    def application(self) -> bool:
        return self.kind == "application"

    def what(self) -> str:
        return f"{self.kind} {self.subject.split(':', 1)[-1]}"

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        ref = f", {self.reference}" if self.reference else ""
        return f"waived by {self.owner} until {self.expires.isoformat()}{ref}: {self.reason}"

    @property
    def line(self) -> int | None:
        return self.source.line if self.source else None


def matching(waivers: Iterable[Waiver], finding: Finding) -> Waiver | None:
    """The waiver written for a finding (expired or not): the same rule, and the same workload,
    or for a finding about an application (a budget per application), a location or a
    supplier, the same one. One place for this rule, used by ``advisor check`` and ``advisor
    report``."""
    for w in waivers:
        if w.rule == finding.rule and w.subject == finding.key \
                and (w.kind == "workload") == (finding.subject is None):
            return w
    return None


def load_waivers(path: Path, estate: Estate, rule_ids: Iterable[str] | None) -> list[Waiver]:
    """Read and check a waivers file against the estate and the loaded rules (None: rule ids
    not checked); every problem of the file is reported."""
    file = str(path)
    context: dict[str, Any] = {"workloads": estate.workload_by_id(), "file": file,
                               "applications": sorted({w.application for w in estate.workloads}),
                               "locations": sorted(loc.id for loc in estate.locations),
                               "suppliers": sorted({s for s in (estate.supplier_of(loc)
                                                                for loc in estate.locations)
                                                    if s} | {p.id for p in estate.providers})}
    if rule_ids is not None:
        context["rules"] = sorted(set(rule_ids))
    doc = validate(WaiversFile, load_yaml(path, "waivers file"), file, context=context)
    out = []
    for i, w in enumerate(doc.waivers):
        kind, subject = w.subject()
        out.append(Waiver(w.rule, subject, w.reason, w.owner, w.expires, w.reference, kind,
                          SourceRef(file, ("waivers", i))))
    return out


def waivers_file(estate_path: str | None, given: str | None) -> Path | None:
    """The waivers file to use: the one given, else waivers.yaml beside advisor.yaml if any."""
    if given:
        path = Path(given)
        if not path.is_file():
            raise InputError("waivers file not found", file=given,
                             hint="check the path given to --waivers")
        return path
    if estate_path:
        beside = Path(estate_path).parent / "waivers.yaml"
        if beside.is_file():
            return beside
    return None


@dataclass
class WaiverView:
    """One view of the waivers on a day, shared by analyze, check and report: the waiver that
    covers each finding (valid on the day), the waivers that expired and those that match no
    finding. A waived finding is still shown (as waived); its penalty does not count."""

    covering: dict[tuple[str, str], Waiver]  # (rule, finding key) -> the valid waiver
    expired: list[Waiver]
    unused: list[Waiver]
    today: dt.date

    def waiver_of(self, finding: Finding) -> Waiver | None:
        return self.covering.get((finding.rule, finding.key))

    def workload_pairs(self) -> set[tuple[str, str]]:
        """(rule, workload) of every valid waiver of a workload's finding."""
        return {(w.rule, w.subject) for w in self.covering.values() if not w.application}

    def findings(self, retired: Callable[[str], str | None] | None = None
                 ) -> list[tuple[Waiver, Finding]]:
        """The waivers' own findings: WAIVER-EXPIRED (an error) and WAIVER-UNUSED (info).
        ``retired`` says why a rule id no loaded pack holds any more (a pack retired it)."""
        from advisor.rules import Finding

        out: list[tuple[Waiver, Finding]] = []
        for waiver in self.expired:
            out.append((waiver, Finding(
                "WAIVER-EXPIRED", "error", waiver.subject if waiver.kind == "workload" else "",
                None, f"the waiver of {waiver.rule} for {waiver.what()} (owner {waiver.owner}) "
                f"expired on {waiver.expires.isoformat()}: renew it or fix the finding",
                subject=f"{waiver.rule}/{waiver.subject}")))
        for waiver in self.unused:
            gone = retired(waiver.rule) if retired else None
            why = f": {gone} (remove it)" if gone else ": remove it"
            out.append((waiver, Finding(
                "WAIVER-UNUSED", "info", waiver.subject if waiver.kind == "workload" else "",
                None, f"the waiver of {waiver.rule} for {waiver.what()} matches no finding{why}",
                subject=f"{waiver.rule}/{waiver.subject}")))
        return out


def waiver_view(waivers: Iterable[Waiver], findings: Iterable[Finding],
                today: dt.date) -> WaiverView:
    """Match ``findings`` to ``waivers`` as of ``today`` (see ``WaiverView``)."""
    listed = list(waivers)
    covering: dict[tuple[str, str], Waiver] = {}
    used: set[Waiver] = set()
    for f in findings:
        waiver = matching(listed, f)
        if waiver is None:
            continue
        used.add(waiver)
        if not waiver.expired(today):
            covering[(f.rule, f.key)] = waiver
    expired = [w for w in listed if w.expired(today)]
    unused = [w for w in listed if not w.expired(today) and w not in used]
    return WaiverView(covering, expired, unused, today)
