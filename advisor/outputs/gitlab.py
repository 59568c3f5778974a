"""``advisor check --format gitlab``: a GitLab Code Quality report (artifacts:reports:codequality).

GitLab reads a JSON array of issues with ``description``, ``check_name``, ``fingerprint``,
``severity`` (info, minor, major, critical, blocker) and ``location.path`` /
``location.lines.begin``. A waived finding is reported as ``info`` with the waiver in its
description, so the merge request widget still shows it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from advisor.check.gate import CheckResult, Item

SEVERITY = {"error": "critical", "warning": "major", "info": "info"}


def _issue(i: Item, fallback: str) -> dict[str, Any]:
    f = i.finding
    text = f"{f.rule} {i.rule.title}: {f.message}"
    if i.waiver is not None:
        text = f"[waived] {text} ({i.waiver.describe()})"
    place = i.place
    return {
        "description": text,
        "check_name": f.rule,
        "fingerprint": i.fingerprint,
        "severity": "info" if i.waived else SEVERITY[f.severity],
        "location": {"path": place.path if place else fallback,
                     "lines": {"begin": (place.line if place and place.line else 1)}},
    }


def render(result: CheckResult) -> str:
    fallback = result.estate.path or "advisor.yaml"
    issues = [_issue(i, fallback) for i in result.items]
    for note, place in result.assumptions:  # reviewers see every declaration rules rest on
        text = f"{note.kind}: {note.text}"
        issues.append({
            "description": text, "check_name": f"advisor-{note.kind}",
            "fingerprint": hashlib.sha256(text.encode()).hexdigest()[:32], "severity": "info",
            "location": {"path": place.path if place else fallback,
                         "lines": {"begin": (place.line if place and place.line else 1)}}})
    return json.dumps(issues, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
