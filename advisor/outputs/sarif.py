"""``advisor check --format sarif``: SARIF 2.1.0 for GitHub code scanning (upload-sarif).

Every loaded rule is a ``reportingDescriptor`` (id, name, short and full description, help with
remediation and references, tags); every finding a result pointing at the file and line where the
workload is defined, so GitHub annotates the diff that changed it. ``partialFingerprints`` hash
the rule and the workload (not the line), so an alert survives edits around it. Waived findings
carry an accepted external ``suppression``; with a proposed placement, results carry their
``baselineState`` (new, unchanged, updated) against today's placement.

Paths are relative to the current directory (the repository root in CI); a file outside it is
given relative to the estate folder with ``uriBaseId`` ESTATE. Every rule has a ``helpUri`` and
a ``security-severity`` (GitHub: error 8.0 high, warning 5.0 medium, info 2.0 low; rules of the
compliance packs are tagged ``security`` so GitHub shows it); the run has ``automationDetails``
(one category per estate, so two estates in one repository keep their own alerts)."""

from __future__ import annotations

import json
import re
from typing import Any

from advisor import __version__
from advisor.check.gate import CheckResult, Item, Place
from advisor.outputs.escape import http_url, markdown_link, markdown_text
from advisor.rules import Rule
from advisor.rules.assumptions import Note

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://hybrid-advisor.example/docs/ci"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "info": "2.0"}
NOT_SECURITY = ("cost", "advisor")  # packs whose rules are about money or the tool itself
FINGERPRINT = "advisorFinding/v1"


def _name(rule: Rule) -> str:
    """A PascalCase identifier from the title (SARIF's reportingDescriptor.name); letters of
    any script are kept ("Essentiële" stays whole)."""
    words = re.findall(r"[^\W_]+", rule.title)
    return "".join(w[:1].upper() + w[1:] for w in words) or rule.id


def help_uri(rule: Rule) -> str:
    """The rule's first reference, else its entry in the advisor's documentation."""
    urls = [u for u in rule.reference_urls() if http_url(u)]
    return urls[0] if urls else f"{INFO_URI}#{rule.id.lower()}"


def _help(rule: Rule) -> tuple[str, str]:
    text, md = [], []
    if rule.remediation:
        remedy = " ".join(rule.remediation.split())
        text.append(f"Remediation: {remedy}")
        md.append(f"**Remediation.** {markdown_text(remedy)}")
    if rule.rationale:
        why = " ".join(rule.rationale.split())
        text.append(f"Why: {why}")
        md.append(f"**Why.** {markdown_text(why)}")
    refs_text, refs_md = [], []
    for ref in rule.references:
        d = dict(ref)
        head = " ".join(d[k] for k in ("law", "article", "control") if k in d)
        title = d.get("title", "")
        label = f"{head}: {title}" if head and title else head or title
        refs_text.append(label + (f" <{d['url']}>" if "url" in d else ""))
        refs_md.append("- " + (markdown_link(label, d["url"]) if "url" in d
                               else markdown_text(label)))
    if refs_text:
        text.append("References: " + "; ".join(refs_text))
        md.append("**References**\n\n" + "\n".join(refs_md))
    return "\n".join(text) or rule.title, "\n\n".join(md) or markdown_text(rule.title)


def _descriptor(rule: Rule) -> dict[str, Any]:
    text, md = _help(rule)
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _name(rule),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(rule.rationale.split()) or rule.title},
        "help": {"text": text, "markdown": md},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "helpUri": help_uri(rule),
        "properties": {"tags": sorted({rule.pack, *rule.tags,
                                       *(() if rule.pack in NOT_SECURITY else ("security",))}),
                       "pack": rule.pack, "basis": rule.basis,
                       "references": [dict(r) for r in rule.references],
                       "security-severity": SECURITY_SEVERITY[rule.severity],
                       "precision": "very-high"},
    }
    return out


def _physical(place: Place) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": place.path if not place.path.startswith("/")
                                else "file://" + place.path}
    if place.base:
        artifact["uriBaseId"] = place.base
    out: dict[str, Any] = {"artifactLocation": artifact}
    if place.line:
        out["region"] = {"startLine": place.line}
    return out


def _result(i: Item, index: dict[str, int]) -> dict[str, Any]:
    f = i.finding
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "partialFingerprints": {FINGERPRINT: i.fingerprint},
        "properties": {"workload": f.workload or None, "location": f.location,
                       "subject": f.subject, "resource": f.resource},
    }
    if i.place is not None:
        loc: dict[str, Any] = {"physicalLocation": _physical(i.place)}
        if f.workload:
            loc["logicalLocations"] = [{"name": f.workload, "kind": "resource"}]
        out["locations"] = [loc]
    if i.related:
        out["relatedLocations"] = [{"id": n, "physicalLocation": _physical(p),
                                    "message": {"text": m}}
                                   for n, (p, m) in enumerate(i.related, 1)]
    if i.baseline:
        out["baselineState"] = i.baseline
    if i.waiver is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": i.waiver.describe()}]
    return out


def _notification(note: Note, place: Place | None) -> dict[str, Any]:
    out: dict[str, Any] = {"level": "warning" if note.kind == "warning" else "note",
                           "message": {"text": f"{note.kind}: {note.text}"},
                           "descriptor": {"id": f"advisor/{note.kind}"}}
    if place is not None:
        out["locations"] = [{"physicalLocation": _physical(place)}]
    return out


def to_dict(result: CheckResult) -> dict[str, Any]:
    rules = result.rules
    index = {r.id: n for n, r in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "advisor", "version": __version__,
                            "semanticVersion": __version__, "informationUri": INFO_URI,
                            "rules": [_descriptor(r) for r in rules]}},
        "results": [_result(i, index) for i in result.items],
        "columnKind": "unicodeCodePoints",
        "automationDetails": {"id": f"advisor/{_category(result.estate.name)}/"},
        "properties": {"estate": result.estate.name, "failOn": result.fail_on,
                       "verdict": "fail" if result.exit_code else "pass"},
    }
    if result.assumptions:
        # SARIF's place for what the tool assumed: configuration notifications of the run.
        run["invocations"] = [{"executionSuccessful": True, "toolConfigurationNotifications": [
            _notification(n, p) for n, p in result.assumptions]}]
    places = [i.place for i in result.items] + [p for i in result.items for p, _ in i.related]
    places += [p for _, p in result.assumptions]
    if any(p is not None and p.base == "ESTATE" for p in places):
        run["originalUriBaseIds"] = {"ESTATE": {"description": {
            "text": "The folder holding the estate's advisor.yaml"}}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _category(name: str) -> str:
    """The estate's name as a category slug (letters, digits and dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "estate"


def render(result: CheckResult) -> str:
    return json.dumps(to_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
