"""Waivers: shown as waived in every format, never failing the gate; expired ones are findings."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "check"


def _waiver(rule: str = "SOV-001", who: str = "workload: care",
            expires: str = "2027-03-31") -> str:
    return (f"  - rule: {rule}\n    {who}\n    reason: Supplier contract ends in March\n"
            f"    owner: ciso@example.org\n    expires: {expires}\n")


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DATA, target)
    return target


def _json(run_cli, estate: Path, today: str = "2026-11-01", *extra: str) -> tuple[int, dict]:
    code, out, err = run_cli("check", "-c", str(estate), "--today", today, "-f", "json", *extra)
    assert code in (0, 1), err
    return code, json.loads(out)


def _waive_all_errors(estate: Path, expires: str) -> None:
    (estate / "waivers.yaml").write_text("waivers:\n" + "".join(
        _waiver(rule, expires=expires) for rule in ("CNL-002", "SOV-001", "SOV-002")))


def test_waived_errors_do_not_fail_the_gate(run_cli, estate):
    _waive_all_errors(estate, "2027-03-31")
    code, doc = _json(run_cli, estate)
    assert code == 0
    assert sorted((f["rule"], f["waived"]) for f in doc["findings"] if f["workload"] == "care") \
        == [("CNL-002", True), ("SOV-001", True), ("SOV-002", True), ("SOV-004", False),
            ("SOV-006", False)]
    waiver = next(f["waiver"] for f in doc["findings"] if f["rule"] == "SOV-001")
    assert waiver == {"owner": "ciso@example.org", "reason": "Supplier contract ends in March",
                      "expires": "2027-03-31", "reference": None}
    assert doc["summary"]["waived"] == 3 and doc["summary"]["error"] == 0


def test_a_waiver_is_valid_through_its_expiry_date(run_cli, estate):
    _waive_all_errors(estate, "2026-11-01")
    assert _json(run_cli, estate, "2026-11-01")[0] == 0
    code, _doc = _json(run_cli, estate, "2026-11-02")
    assert code == 1


def test_an_expired_waiver_is_a_finding_and_waives_nothing(run_cli, estate):
    (estate / "waivers.yaml").write_text("waivers:\n" + _waiver(expires="2026-10-31"))
    code, doc = _json(run_cli, estate)
    assert code == 1
    sov1 = next(f for f in doc["findings"] if f["rule"] == "SOV-001")
    assert not sov1["waived"]
    expired = [f for f in doc["findings"] if f["rule"] == "WAIVER-EXPIRED"]
    assert [(f["severity"], f["workload"], f["message"]) for f in expired] == [(
        "error", "care", "the waiver of SOV-001 for workload care (owner ciso@example.org) "
        "expired on 2026-10-31: renew it or fix the finding")]
    assert expired[0]["position"] == {"path": "waivers.yaml", "line": 2, "base": "ESTATE"}


def test_an_unused_waiver_is_reported(run_cli, estate):
    (estate / "waivers.yaml").write_text("waivers:\n" + _waiver("SOV-001", "workload: api"))
    _code, doc = _json(run_cli, estate)
    unused = [(f["rule"], f["severity"], f["workload"]) for f in doc["findings"]
              if f["rule"].startswith("WAIVER-")]
    assert unused == [("WAIVER-UNUSED", "info", "api")]


def test_application_waiver(run_cli, estate):
    (estate / "advisor.yaml").write_text((estate / "advisor.yaml").read_text().replace(
        "policies: [builtin:sovereignty, builtin:cloud-policy-nl]",
        "policies: [builtin:sovereignty, builtin:cloud-policy-nl, builtin:cost]"))
    (estate / "budgets.yaml").write_text("budgets:\n  applications: {site: 100}\n")
    code, doc = _json(run_cli, estate, "2026-11-01", "--fail-on", "warning")
    assert code == 1
    assert [(f["rule"], f["subject"], f["waived"]) for f in doc["findings"]
            if f["rule"] == "COST-002"] == [("COST-002", "site", False)]
    (estate / "waivers.yaml").write_text("waivers:\n" + _waiver("COST-002", "application: site"))
    _code, doc = _json(run_cli, estate)
    assert [(f["rule"], f["subject"], f["waived"]) for f in doc["findings"]
            if f["rule"] == "COST-002"] == [("COST-002", "site", True)]


def test_waived_in_every_format(run_cli, estate, tmp_path):
    _waive_all_errors(estate, "2027-03-31")
    outs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("text", "sarif", "junit", "gitlab",
                                                   "markdown")}
    args = ["check", "-c", str(estate), "--today", "2026-11-01"]
    for fmt, path in outs.items():
        args += ["--format", fmt, "-o", str(path)]
    assert run_cli(*args)[0] == 0
    text = outs["text"].read_text()
    assert "waived   SOV-001         care @ aws-us" in text
    assert "waived by ciso@example.org until 2027-03-31: Supplier contract ends in March" \
        in " ".join(text.split())  # the text wraps at 100 columns
    sarif = json.loads(outs["sarif"].read_text())
    assert sorted(r["ruleId"] for r in sarif["runs"][0]["results"] if r.get("suppressions")) \
        == ["CNL-002", "SOV-001", "SOV-002"]
    junit = ET.fromstring(outs["junit"].read_text())
    assert sum(int(s.get("skipped") or 0) for s in junit.iter("testsuite")) == 3  # junit-10.xsd
    gitlab = json.loads(outs["gitlab"].read_text())
    assert sorted(i["check_name"] for i in gitlab if i["description"].startswith("[waived]")) \
        == ["CNL-002", "SOV-001", "SOV-002"]
    assert "<details><summary>Waived (3)</summary>" in outs["markdown"].read_text()


def test_waivers_option_overrides_the_file_beside_the_estate(run_cli, estate, tmp_path):
    (estate / "waivers.yaml").write_text("waivers:\n" + _waiver(expires="2020-01-01"))
    other = tmp_path / "other-waivers.yaml"
    _waive_all_errors(estate, "2027-03-31")
    shutil.move(estate / "waivers.yaml", other)
    (estate / "waivers.yaml").write_text("waivers:\n" + _waiver(expires="2020-01-01"))
    assert _json(run_cli, estate)[0] == 1
    assert _json(run_cli, estate, "2026-11-01", "--waivers", str(other))[0] == 0


@pytest.mark.parametrize(("entry", "fragments", "line"), [
    (_waiver(expires="31-03-2027"), ["expected a date as YYYY-MM-DD", "'31-03-2027'"], 6),
    (_waiver(expires="2027-02-30"), ["invalid value '2027-02-30'", "day is out of range for month",
                                      "YYYY-MM-DD"], 6),
    (_waiver("SOV-01"), ["unknown rule 'SOV-01'", "did you mean 'SOV-001'"], 2),
    (_waiver(who="workload: cares"), ["unknown workload 'cares'", "did you mean 'care'"], 3),
    (_waiver(who="application: carre"), ["unknown application 'carre'",
                                         "did you mean 'care'"], 3),
    (_waiver(who="comment: x"), ["unknown key 'comment'"], 3),
    ("  - rule: SOV-001\n    workload: care\n    owner: me\n    expires: 2027-01-01\n",
     ["missing required key 'reason'"], 2),
    (_waiver() + _waiver(), ["a second waiver for SOV-001 on care (the first is on line 2)"], 7),
])
def test_bad_waivers(run_cli, estate, entry, fragments, line):
    path = estate / "waivers.yaml"
    path.write_text("waivers:\n" + entry)
    code, out, err = run_cli("check", "-c", str(estate))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.startswith(f"advisor: error: {path}:{line}:"), err
    for fragment in fragments:
        assert fragment in err, err


def test_missing_waivers_file(run_cli, estate):
    code, _, err = run_cli("check", "-c", str(estate), "--waivers", str(estate / "none.yaml"))
    assert code == 2 and "waivers file not found" in err
