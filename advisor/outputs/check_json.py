"""``advisor check --format json``: every finding with its rule, waiver, baseline and position.

Sorted keys and rows, no timestamps: byte-identical for the same input (and the same --today)."""

from __future__ import annotations

import json
from typing import Any

from advisor import __version__
from advisor.check.gate import CheckResult, Item, Place
from advisor.outputs.money import number


def _place(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {"path": place.path, "line": place.line, "base": place.base}


def _item(i: Item) -> dict[str, Any]:
    f = i.finding
    w = i.waiver
    return {
        "rule": f.rule,
        "title": i.rule.title,
        "pack": i.rule.pack,
        "basis": i.rule.basis,
        "severity": f.severity,
        "workload": f.workload or None,
        "subject": f.subject,
        "location": f.location,
        "resource": f.resource,
        "message": f.message,
        "position": _place(i.place),
        "related": [{"position": _place(p), "message": m} for p, m in i.related],
        "baseline": i.baseline,
        "waived": w is not None,
        "waiver": None if w is None else {
            "owner": w.owner, "reason": w.reason, "expires": w.expires.isoformat(),
            "reference": w.reference},
        "fingerprint": i.fingerprint,
    }


def to_dict(result: CheckResult) -> dict[str, Any]:
    c = result.cost
    return {
        "tool": {"name": "advisor", "version": __version__},
        "estate": result.estate.name,
        "currency": result.estate.currency,
        "today": result.today.isoformat(),
        "fail_on": result.fail_on,
        "verdict": "fail" if result.exit_code else "pass",
        "checked": "proposed" if result.proposed else "current",
        "inputs": [_place(p) for p in result.inputs],
        "waivers_file": _place(result.waivers),
        "summary": result.counts(),
        "cost": {
            "before_monthly": number(c.before_monthly),
            "after_monthly": number(c.after_monthly),
            "difference_monthly": number(c.difference),
            "one_off_migration": number(c.one_off),
            "moved": [{"workload": m.workload, "application": m.application,
                       "from": m.before_location, "to": m.after_location,
                       "before_monthly": number(m.before_monthly),
                       "after_monthly": number(m.after_monthly), "origin": m.origin}
                      for m in c.moved],
        },
        "findings": [_item(i) for i in result.items],
        "assumptions": [{"kind": n.kind, "text": n.text, "position": _place(p)}
                        for n, p in result.assumptions],
        "resolved": [{"rule": f.rule, "severity": f.severity, "workload": f.workload,
                      "location": f.location, "message": f.message} for f in result.resolved],
    }


def render(result: CheckResult) -> str:
    return json.dumps(to_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
