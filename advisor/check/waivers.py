"""Waivers: a recorded, owned and dated acceptance of one finding (rule x workload or application).

Risk acceptance is how organisations work; a waiver makes it auditable. A waived finding is still
shown (as waived) in every report and does not fail the gate. An expired waiver no longer waives
anything and is a finding of its own (WAIVER-EXPIRED, an error), so nobody forgets to renew or
fix it; a waiver that matches no finding is reported (WAIVER-UNUSED, info) so the file stays clean.

File format (YAML)::

    waivers:
      - rule: SOV-004                 # a rule id of a loaded pack
        workload: kcc-telefonie       # or `application: zaaksysteem` for an application rule
        reason: Telephony SaaS only runs in Azure; risk accepted by the CISO
        owner: ciso@gemeente-voorbeeld.nl
        expires: 2027-03-31           # YYYY-MM-DD, valid through that day
        reference: RA-2026-012        # optional: the risk acceptance or decision
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.estate.model import Estate, SourceRef
from advisor.estate.yamlfile import Doc, View, load_yaml, nearest

if TYPE_CHECKING:
    from advisor.rules import Finding

WAIVER_KEYS = ("rule", "workload", "application", "reason", "owner", "expires", "reference")


@dataclass(frozen=True)
class Waiver:
    rule: str
    subject: str  # a workload id, or an application name when ``application`` is True
    reason: str
    owner: str
    expires: dt.date
    reference: str | None = None
    application: bool = False
    source: SourceRef | None = None

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
    or for a finding about an application (a budget per application) the same application.
    One place for this rule, used by ``advisor check`` and ``advisor report``."""
    for w in waivers:
        if w.rule == finding.rule and w.subject == finding.key \
                and w.application == (finding.subject is not None):
            return w
    return None


def load_dated_yaml(path: Path, what: str) -> Any:
    """``load_yaml``, and an impossible date (2027-02-30), which PyYAML rejects while building
    the value, becomes an InputError with its line instead of a traceback."""
    try:
        return load_yaml(path, what)
    except ValueError as exc:
        line = None
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        for n, row in enumerate(text.splitlines(), 1):
            for y, m, d in re.findall(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", row):
                try:
                    dt.date(int(y), int(m), int(d))
                except ValueError:
                    line = line or n
        raise InputError(f"invalid date ({exc})", file=str(path), line=line,
                         hint="write a date that exists, as YYYY-MM-DD") from None


def load_waivers(path: Path, estate: Estate, rule_ids: Iterable[str]) -> list[Waiver]:
    """Read and check a waivers file against the estate and the loaded rules."""
    doc = Doc(str(path), "waivers file")
    top = View(doc, load_dated_yaml(path, "waivers file"))
    top.mapping(("waivers",), required=("waivers",))
    rules = sorted(set(rule_ids))
    workloads = estate.workload_by_id()
    applications = sorted({w.application for w in estate.workloads})
    out: list[Waiver] = []
    seen: dict[tuple[str, str, bool], Waiver] = {}
    for item in top.at("waivers").items():
        item.mapping(WAIVER_KEYS, required=("rule", "reason", "owner", "expires"))
        rule = item.str("rule")
        if rule not in rules:
            near = nearest(rule, rules)
            raise item.fail(f"unknown rule '{rule}'",
                            f"did you mean '{near}'?" if near else
                            "name a rule of a pack in advisor.yaml's policies "
                            "(`advisor policies list`)", key="rule")
        has_w, has_a = item.has("workload"), item.has("application")
        if has_w == has_a:
            raise item.fail("a waiver names exactly one of 'workload' or 'application'",
                            "add 'workload: ID' (or 'application: NAME' for an application rule)")
        if has_w:
            subject = item.str("workload")
            if subject not in workloads:
                near = nearest(subject, workloads)
                raise item.fail(f"unknown workload '{subject}'",
                                f"did you mean '{near}'?" if near else
                                "name a workload id of the estate", key="workload")
        else:
            subject = item.str("application")
            if subject not in applications:
                near = nearest(subject, applications)
                raise item.fail(f"unknown application '{subject}'",
                                f"did you mean '{near}'?" if near else
                                "name an application of the estate", key="application")
        waiver = Waiver(rule, subject, item.str("reason"), item.str("owner"),
                        item.date("expires"),
                        item.str("reference") if item.has("reference") else None,
                        has_a, SourceRef(str(path), item.path))
        key = (rule, subject, has_a)
        if key in seen:
            raise item.fail(f"a second waiver for {rule} on {subject} (the first is on line "
                            f"{seen[key].line})", "keep one waiver per rule and workload")
        seen[key] = waiver
        out.append(waiver)
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
