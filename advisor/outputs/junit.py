"""``advisor check --format junit``: JUnit XML for GitLab test reports and Jenkins.

One test case per rule and workload (or application) it was evaluated on, a failure per
violation, a ``skipped`` element for a waived violation. ``classname`` is
``advisor.<pack>.<rule id>`` and ``name`` the workload, so the pair is unique. One test suite per
pack, in rule id order; no timestamps or durations (byte-identical output)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from advisor.check.gate import Case, CheckResult


def _details(case: Case) -> str:
    assert case.item is not None
    f = case.item.finding
    lines = [f.message]
    if case.place is not None:
        lines.append(f"defined at {case.place.path}" + (f":{case.place.line}"
                                                        if case.place.line else ""))
    if case.rule.remediation:
        lines.append("remediation: " + " ".join(case.rule.remediation.split()))
    refs = case.rule.reference_text()
    if refs:
        lines.append("references: " + refs)
    return "\n".join(lines)


def render(result: CheckResult) -> str:
    suites: dict[str, list[Case]] = {}
    for case in result.cases:
        suites.setdefault(case.rule.pack, []).append(case)
    root = ET.Element("testsuites", name="advisor check")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for pack in sorted(suites):
        cases = suites[pack]
        failures = sum(1 for c in cases if c.item is not None and not c.item.waived)
        skipped = sum(1 for c in cases if c.item is not None and c.item.waived)
        suite = ET.SubElement(root, "testsuite", name=pack, tests=str(len(cases)),
                              failures=str(failures), errors="0", skipped=str(skipped))
        totals["tests"] += len(cases)
        totals["failures"] += failures
        totals["skipped"] += skipped
        for case in cases:
            attrs = {"classname": f"advisor.{pack}.{case.rule.id}", "name": case.subject}
            if case.place is not None:
                attrs["file"] = case.place.path
                if case.place.line:
                    attrs["line"] = str(case.place.line)
            tc = ET.SubElement(suite, "testcase", attrs)
            item = case.item
            if item is None:
                continue
            if item.waiver is not None:
                ET.SubElement(tc, "skipped", message=f"waived: {item.finding.message} "
                              f"({item.waiver.describe()})")
                continue
            failure = ET.SubElement(tc, "failure", type=item.finding.severity,
                                    message=f"{case.rule.id} {case.rule.title}: "
                                            f"{item.finding.message}")
            failure.text = _details(case)
    if result.assumptions:
        # What the rules assumed, as skipped cases: a declaration that kept a rule from
        # looking is something a reviewer should see beside the checks themselves.
        suite = ET.SubElement(root, "testsuite", name="assumptions",
                              tests=str(len(result.assumptions)), failures="0", errors="0",
                              skipped=str(len(result.assumptions)))
        totals["tests"] += len(result.assumptions)
        totals["skipped"] += len(result.assumptions)
        for n, (note, place) in enumerate(result.assumptions, 1):
            attrs = {"classname": f"advisor.assumptions.{note.kind}", "name": f"{n:03d}"}
            if place is not None:
                attrs["file"] = place.path
                if place.line:
                    attrs["line"] = str(place.line)
            tc = ET.SubElement(suite, "testcase", attrs)
            ET.SubElement(tc, "skipped", message=f"{note.kind}: {note.text}")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
