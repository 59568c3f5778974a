"""No silent exemptions: every declaration that takes a location, a workload or the whole estate
out of a rule's reach is shown in every output, with the file and line it comes from.

A rule is only as good as the declarations it reads. ``public_cloud: false`` on a commercial
provider takes it out of every public-cloud rule; ``cloud_act: false`` on a hyperscaler out of
every CLOUD Act rule; a label mapping decides which risk class a legacy label counts as; the
organisation's NIS2 status switches a whole pack on or off. None of these is wrong in itself,
but a reader of the findings must see them: the absence of a finding may rest on one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.estate.model import Estate, SourceRef
from advisor.rules.core import Clause, Rule, organisation_value
from advisor.rules.evaluate import Evaluation

# EU member states and the other EEA countries (ISO 3166-1 alpha-2).
EEA = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO"})
HYPERSCALERS = ("aws", "azure", "gcp")


@dataclass(frozen=True)
class Note:
    """An assumption, a deprecation or a warning about the rules, with where it comes from."""

    kind: str  # assumption | deprecated | warning
    text: str
    source: SourceRef | None = None

    def where(self, estate_dir: Path | None = None) -> str | None:
        """file:line for a reader: relative to the estate's folder when the file is in it, a
        built-in pack as builtin:NAME."""
        if self.source is None:
            return None
        return shown_place(self.source.file, self.source.line, estate_dir)

    def line_text(self, estate_dir: Path | None = None) -> str:
        where = self.where(estate_dir)
        return f"{self.kind}: {self.text}" + (f" ({where})" if where else "")


def shown_place(file: str, line: int | None, estate_dir: Path | None) -> str:
    path = Path(file)
    shown = file
    builtin = Path(__file__).resolve().parents[1] / "policies"
    try:
        shown = "builtin:" + path.resolve().relative_to(builtin.resolve()).as_posix()
    except ValueError:
        if estate_dir is not None:
            with contextlib.suppress(ValueError):
                shown = path.resolve().relative_to(estate_dir.resolve()).as_posix()
    return f"{shown}:{line}" if line else shown


def notes(ev: Evaluation, estate: Estate) -> list[Note]:
    """Every assumption the rules rest on, every deprecated key read, every contradiction."""
    out: list[Note] = []
    active = [r for r, on in zip(ev.rules, ev.active, strict=True) if on]
    out += _location_declarations(estate, active)
    out += _escapes(ev, estate, active)
    out += _organisation(ev, estate)
    out += _mappings(ev, estate)
    loaded = {r.id for r in ev.rules}
    for rule, on in zip(ev.rules, ev.active, strict=True):
        covering = sorted(set(rule.covered_by) & loaded)
        if covering and not on:
            out.append(Note("assumption", f"{rule.id} is not evaluated: {', '.join(covering)} "
                                          "(loaded) checks the same", rule.source))
    out += [Note("deprecated", text, src) for text, src in estate.deprecations]
    for c, count in ev.contradictions:
        more = f" (and {count - 1} more workloads)" if count > 1 else ""
        out.append(Note("warning", c.text() + more, c.second.source))
    return out


def _uses(rules: Sequence[Rule], attribute: str) -> list[str]:
    def mentions(clauses: Sequence[Clause]) -> bool:
        return any(c.attribute == attribute or (c.op == "either" and any(
            mentions(group) for group in c.values)) for c in clauses)
    return sorted(r.id for r in rules if mentions((*r.where, *r.clauses())))


def _location_declarations(estate: Estate, rules: Sequence[Rule]) -> list[Note]:
    out = []
    public = _uses(rules, "public_cloud")
    act = _uses(rules, "cloud_act")
    transfer = _uses(rules, "transfer")
    for loc in estate.locations:
        src = loc.source
        if loc.public_cloud is False and loc.provider != "onprem":
            out.append(Note("assumption", (
                f"{loc.id} ({loc.provider}) is declared not public cloud (public_cloud: false)"
                + (f": {', '.join(public)} do not treat it as public cloud" if public else "")),
                _at(src, "public_cloud")))
        if not loc.cloud_act and loc.provider in HYPERSCALERS:
            out.append(Note("assumption", (
                f"{loc.id} ({loc.provider}) is declared out of reach of US law (cloud_act: "
                f"false)" + (f": {', '.join(act)} treat it so" if act else "")),
                _at(src, "cloud_act")))
        if loc.jurisdiction in ("EU", "EEA") and loc.country not in EEA:
            out.append(Note("assumption", (
                f"{loc.id} in {loc.country} is declared jurisdiction {loc.jurisdiction}"
                + (f": {', '.join(transfer)} need no transfer mechanism there" if transfer
                   else "")), _at(src, "jurisdiction")))
        if loc.jurisdiction == "ADEQUATE" and loc.country == "US":
            out.append(Note("assumption", (
                f"{loc.id} in the US is declared ADEQUATE: the Data Privacy Framework covers "
                "only importers on its List (declare transfer_mechanism: dpf and "
                "dpf_certified instead)"), _at(src, "jurisdiction")))
    return out


def _escapes(ev: Evaluation, estate: Estate, rules: Sequence[Rule]) -> list[Note]:
    """Declarations that let data in where a rule would otherwise keep it out: a transfer
    mechanism outside the EU/EEA, keys held outside a provider that US law reaches."""
    out = []
    transfer = _uses(rules, "transfer")
    custody = _uses(rules, "key_custody")
    for loc, facts in zip(ev.locations, ev.facts, strict=True):
        mechanism = facts.get("transfer")
        if transfer and mechanism in ("dpf", "scc", "bcr"):
            own = loc.transfer_mechanism is not None
            prov = estate.provider_of(loc)
            src = _at(loc.source, "transfer_mechanism") if own or prov is None else \
                _at(prov.source, "transfer_mechanism")
            out.append(Note("assumption", (
                f"{loc.id} ({loc.country}) is declared reachable for personal data on transfer "
                f"mechanism {mechanism}" + (" (its importer dpf_certified)" if mechanism == "dpf"
                                            else "")
                + f": {', '.join(transfer)} accept it there"), src))
        if custody and loc.cloud_act and facts.get("key_custody") in ("external", "client-side"):
            out.append(Note("assumption", (
                f"{loc.id} ({loc.provider}) is declared to hold its keys outside the provider "
                f"(key_custody: {facts['key_custody']}): {', '.join(custody)} accept data there "
                "although US law reaches the provider"), _at(loc.source, "key_custody")))
    return out


def _at(src: SourceRef | None, key: str) -> SourceRef | None:
    return None if src is None else SourceRef(src.file, (*src.keypath, key))


def _organisation(ev: Evaluation, estate: Estate) -> list[Note]:
    out = []
    org = estate.organisation
    source = org.source or (SourceRef(estate.path, ()) if estate.path else None)
    for key in ("nis2_entity", "bio2"):
        selecting = [r for r in ev.rules if any(k == key for k, _ in r.when.organisation)]
        if not selecting:
            continue
        value = organisation_value(org, key)
        loaded = {r.id for r in ev.rules}
        off = sorted(r.id for r, on in zip(ev.rules, ev.active, strict=True)
                     if r in selecting and not on and not set(r.covered_by) & loaded)
        on = sorted(r.id for r, act in zip(ev.rules, ev.active, strict=True)
                    if r in selecting and act)
        if value == "undeclared" and on:
            out.append(Note("assumption", f"organisation {key} is not declared in advisor.yaml: "
                                          f"{', '.join(on)} apply as if it were", source))
        elif off:
            out.append(Note("assumption", f"organisation {key} is {value}: {', '.join(off)} do "
                                          "not apply to this estate",
                            _at(org.source, key) if org.source else source))
    return out


def _mappings(ev: Evaluation, estate: Estate) -> list[Note]:
    """Each pack's label mappings that decide a workload's label (the legacy value is read as
    the new one): how many workloads, and which values."""
    out = []
    seen: set[tuple[str, str, str]] = set()
    for rule, on in zip(ev.rules, ev.active, strict=True):
        if not on:
            continue
        for m in rule.mappings:
            key = (rule.pack, m.source, m.target)
            if key in seen:
                continue
            seen.add(key)
            read: dict[str, int] = {}
            table = dict(m.values)
            for w in estate.workloads:
                if m.target in w.labels or m.source not in w.labels:
                    continue
                value = table.get(w.labels[m.source])
                if value is not None:
                    pair = f"{m.source} {w.labels[m.source]} as {m.target} {value}"
                    read[pair] = read.get(pair, 0) + 1
            if read:
                parts = ", ".join(f"{pair} ({n})" for pair, n in sorted(read.items()))
                out.append(Note("assumption", f"pack {rule.pack} reads {parts} workloads",
                                m.where))
    return out
