"""``advisor check --format junit``: JUnit XML for GitLab test reports and Jenkins.

One test case per rule and workload (or application) it was evaluated on, a failure per
violation, a ``skipped`` element for a waived violation. ``classname`` is
``advisor.<pack>.<rule id>`` and ``name`` the workload (with the dependency when one workload
breaks a rule twice), so (suite, classname, name) is unique. One test suite per pack, in rule id
order; no timestamps or durations (byte-identical output). Valid against the widely used
junit-10.xsd (Jenkins xUnit; pytest writes the same): where a workload is defined goes in the
failure's text, not in attributes that schema lacks. Characters XML 1.0 forbids are removed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from advisor.check.gate import Case, CheckResult
from advisor.outputs.escape import xml_chars


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
    return xml_chars("\n".join(lines))


def render(result: CheckResult) -> str:
    suites: dict[str, list[Case]] = {}
    for case in result.cases:
        suites.setdefault(case.rule.pack, []).append(case)
    root = ET.Element("testsuites", name="advisor check")
    totals = {"tests": 0, "failures": 0}
    for pack in sorted(suites):
        cases = suites[pack]
        failures = sum(1 for c in cases if c.item is not None and not c.item.waived)
        skipped = sum(1 for c in cases if c.item is not None and c.item.waived)
        suite = ET.SubElement(root, "testsuite", name=xml_chars(pack), tests=str(len(cases)),
                              failures=str(failures), errors="0", skipped=str(skipped))
        totals["tests"] += len(cases)
        totals["failures"] += failures
        for case in cases:
            tc = ET.SubElement(suite, "testcase", classname=xml_chars(f"advisor.{pack}."
                                                                      f"{case.rule.id}"),
                               name=xml_chars(case.subject))
            item = case.item
            if item is None:
                continue
            if item.waiver is not None:
                ET.SubElement(tc, "skipped", message=xml_chars(
                    f"waived: {item.finding.message} ({item.waiver.describe()})"))
                continue
            failure = ET.SubElement(tc, "failure", type=item.finding.severity,
                                    message=xml_chars(f"{case.rule.id} {case.rule.title}: "
                                                      f"{item.finding.message}"))
            failure.text = _details(case)
    if result.assumptions:
        # What the rules assumed, as skipped cases: a declaration that kept a rule from
        # looking is something a reviewer should see beside the checks themselves.
        suite = ET.SubElement(root, "testsuite", name="assumptions",
                              tests=str(len(result.assumptions)), failures="0", errors="0",
                              skipped=str(len(result.assumptions)))
        totals["tests"] += len(result.assumptions)
        for n, (note, place) in enumerate(result.assumptions, 1):
            # junit-10.xsd has no file or line on a testcase: the place is in the message
            where = "" if place is None else \
                f" ({place.path}:{place.line})" if place.line else f" ({place.path})"
            tc = ET.SubElement(suite, "testcase", classname=f"advisor.assumptions.{note.kind}",
                               name=f"{n:03d}")
            ET.SubElement(tc, "skipped", message=xml_chars(f"{note.kind}: {note.text}{where}"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
