"""What a rule compares against: each location's attribute values on a given day.

Most attributes are declared on the location; some come from its provider (exit plan, DPF
certification, the transfer mechanism, evidence declared for every location of a provider) and
some depend on the day of the run (is the evidence current, how old is the exit plan). They are
computed once per location and run, so a rule is still evaluated once per location.

Derived attributes:

- ``transfer``: how personal data may lawfully reach the location (GDPR chapter V):
  ``not-needed`` in the EU/EEA, ``adequacy`` in a country with an adequacy decision, ``dpf`` for
  a US importer on the Data Privacy Framework List (declared ``transfer_mechanism: dpf`` *and*
  ``dpf_certified: true``), ``scc`` or ``bcr`` as declared, else ``none``;
- ``assurance``: the evidence types that are current on the day (``valid_until`` not passed);
- ``supplier`` and ``external``: the supplier the location depends on (none for an own data
  centre without a declared supplier);
- ``exit_plan`` (declared) and ``exit_plan_age_months`` (whole months since its date);
- ``key_custody`` as declared, or read from the deprecated ``customer_managed_keys``;
- ``seal`` (``sovereignty_level`` is its old name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from advisor.estate.model import Estate, Evidence, Location

# Why a derived attribute has its value, for the finding's message: attribute -> text.
WHY = "_why"


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is before the next month day)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def location_facts(estate: Estate, loc: Location, today: dt.date) -> dict[str, Any]:
    """Every attribute a rule may compare, for ``loc`` on ``today``."""
    prov = estate.provider_of(loc)
    why: dict[str, str] = {}
    out: dict[str, Any] = {
        "id": loc.id, "provider": loc.provider, "region": loc.region, "country": loc.country,
        "jurisdiction": loc.jurisdiction, "cloud_act": loc.cloud_act,
        "certifications": loc.certifications, "encryption_at_rest": loc.encryption_at_rest,
        "customer_managed_keys": loc.customer_managed_keys,
        "public_cloud": loc.attribute("public_cloud"), "labels": loc.labels,
        "seal": loc.seal, "sovereignty_level": loc.seal,
        "seal_objectives": loc.seal_objectives, "key_custody": loc.custody(),
        "accredited_for": loc.accredited_for,
    }
    dpf = loc.dpf_certified if loc.dpf_certified is not None else \
        (prov.dpf_certified if prov else None)
    out["dpf_certified"] = dpf
    out["transfer"] = _transfer(loc, prov.transfer_mechanism if prov else None, dpf, why)
    evidence = [*loc.assurance, *(e for e in (prov.assurance if prov else ())
                                  if not e.locations or loc.id in e.locations)]
    out["assurance"] = tuple(sorted({e.type for e in evidence if e.current(today)}))
    why["assurance"] = _evidence_text(evidence, today)
    supplier = estate.supplier_of(loc)
    out["supplier"] = supplier
    out["external"] = supplier is not None
    plan = prov.exit_plan if prov else None
    out["exit_plan"] = plan is not None
    out["exit_plan_age_months"] = months_between(plan.date, today) if plan else None
    if plan is None:
        why["exit_plan"] = why["exit_plan_age_months"] = \
            f"supplier {supplier} declares no exit plan" if supplier else "no supplier declared"
    else:
        why["exit_plan_age_months"] = (f"exit plan {plan.reference} of {plan.date.isoformat()} "
                                       f"is {out['exit_plan_age_months']} months old")
    out[WHY] = why
    return out


def _transfer(loc: Location, provider_mechanism: str | None, dpf: bool | None,
              why: dict[str, str]) -> str:
    if loc.jurisdiction in ("EU", "EEA"):
        return "not-needed"
    if loc.jurisdiction == "ADEQUATE":
        return "adequacy"
    mechanism = loc.transfer_mechanism or provider_mechanism
    if mechanism == "dpf":
        if dpf:
            return "dpf"
        why["transfer"] = (f"{loc.id} ({loc.country}) declares the Data Privacy Framework, but "
                           "its importer is not declared dpf_certified")
        return "none"
    if mechanism in ("scc", "bcr"):
        return mechanism
    why["transfer"] = f"{loc.id} ({loc.country}) has no adequacy decision and declares no " \
                      "transfer mechanism"
    return "none"


def _evidence_text(evidence: list[Evidence], today: dt.date) -> str:
    if not evidence:
        return "no assurance evidence declared"
    parts = []
    for e in sorted(evidence, key=lambda e: (e.type, e.valid_until)):
        state = "valid until" if e.current(today) else "expired on"
        parts.append(f"{e.type} {state} {e.valid_until.isoformat()}")
    return "; ".join(parts)


def why(facts: Mapping[str, Any], attribute: str) -> str | None:
    """Why a derived attribute has its value, when that helps a reader (else None)."""
    found: str | None = facts.get(WHY, {}).get(attribute)
    return found
