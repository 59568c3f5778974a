"""`advisor policies list | show | validate | test` through the CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from advisor.rules import builtin_names, load_builtin, load_pack_file

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "policies"
BUILTIN_IDS = sorted(r.id for name in builtin_names() for r in load_builtin(name))
DEMO_PACK = ROOT / "advisor" / "examples" / "gemeente" / "rules" / "local.yaml"
LOCAL_IDS = sorted(r.id for r in load_pack_file(DEMO_PACK))


def test_builtin_packs():
    assert builtin_names() == ["bio2", "cloud-policy-nl", "cost", "nis2", "sovereignty"]
    for name in builtin_names():
        text = (ROOT / "policies" / f"{name}.yaml").read_text()
        assert "security officer" in text and "data protection officer" in text, name
        for rule in load_builtin(name):
            assert rule.references and rule.rationale and rule.remediation, rule.id
            assert rule.basis in ("law", "government-policy", "good-practice", "local"), rule.id
            assert rule.info is not None and rule.info.version and rule.info.reviewed
            assert rule.info.sources, name


def test_a_rule_no_law_requires_is_never_presented_as_law():
    """A rule whose basis is not law says so wherever it is shown, and a rule that claims law
    cites a law with an article."""
    for name in builtin_names():
        for rule in load_builtin(name):
            if rule.basis == "law":
                assert any("law" in dict(r) and "article" in dict(r) for r in rule.references), \
                    rule.id
            else:
                assert "not a statute" in rule.basis_text() or "no law requires" in \
                    rule.basis_text(), rule.id


def test_show_prints_the_pack_provenance_and_marks_unconfirmed_references(run_cli):
    code, out, _ = run_cli("policies", "show", "SOV-002")
    assert code == 0
    assert "  pack:        sovereignty, version 2.0, reviewed 2026-12-01" in out
    assert "  basis:       local: a decision of the organisation itself; no law requires it" in out
    assert "references (context: no law requires this rule):" in out
    assert "sources of pack sovereignty:" in out
    assert "50 U.S.C. 1881a: FISA section 702 (in force after short-term extensions in April " \
        "2026; its later reauthorisation unconfirmed) [unconfirmed]" in out
    code, out, _ = run_cli("policies", "show", "SOV-001")
    assert "references (what requires it):" in out and "basis:       law:" in out


def test_show_a_retired_rule(run_cli):
    code, out, _ = run_cli("policies", "show", "NIS2-002")
    assert code == 0
    assert out.startswith("NIS2-002: retired from pack nis2 2.0; replaced by NIS2-001")


def test_list(run_cli):
    code, out, _ = run_cli("policies", "list")
    assert code == 0
    for name in builtin_names():
        assert f"\n{name} (" in "\n" + out
    for rid in BUILTIN_IDS:
        assert f"\n{rid} " in out
    assert re.search(r"\nSOV-005 +error +law +flow ", out)
    assert "nis2 (3 rules, version 2.0, reviewed 2026-12-01)" in out
    assert "retired: SOV-003 (replaced by CNL-001, CNL-004)" in out
    assert "careful interpretations" in out


def test_list_json_with_the_estates_own_pack(run_cli):
    code, out, _ = run_cli("policies", "list", "--demo", "--format", "json")
    assert code == 0
    rules = json.loads(out)
    ids = [r["id"] for r in rules]
    assert set(BUILTIN_IDS) | {"LOCAL-001", "LOCAL-004"} <= set(ids)
    kinds = {r["id"]: r["kind"] for r in rules}
    assert kinds["SOV-005"] == "flow" and kinds["CNL-003"] == "labels"
    assert kinds["NIS2-004"] == "organisation"
    basis = {r["id"]: r["basis"] for r in rules}
    assert basis["SOV-001"] == "law" and basis["SOV-002"] == "local"
    assert {r["id"]: r["per"] for r in rules}["BIO-006"] == "supplier"
    assert kinds["COST-001"] == "budget" and kinds["COST-003"] == "usage"
    constrains = {r["id"]: r["constrains"] for r in rules}
    assert constrains["SOV-001"] == "excludes locations per workload"
    assert constrains["CNL-003"] == "the label part is reported only (no location exclusion)"
    assert constrains["COST-001"].startswith("reported on a placement only")


def test_show(run_cli):
    code, out, _ = run_cli("policies", "show", "CNL-002")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "CNL-002: Departementaal Vertrouwelijk in public cloud only with a " \
                       "recorded risk acceptance"
    assert "  where:       public_cloud = true" in lines
    assert "  requires labels: label risk-acceptance" in lines
    assert any(ln.startswith("  defined at:  ") and "cloud-policy-nl.yaml:" in ln for ln in lines)
    assert "https://zoek.officielebekendmakingen.nl/kst-26643-904.html" in out
    code, out, _ = run_cli("policies", "show", "BIO-002")
    assert "label mappings: bbn -> bio-risk (BBN1=low, BBN2=medium, BBN2+=high, BBN3=high)" in out
    code, out, _ = run_cli("policies", "show", "BIO-006")
    assert "  applies to:  organisation bio2 in [true, undeclared] and all workloads" in out
    assert "  reported:    once per supplier in use" in out


def test_show_unknown_rule(run_cli):
    code, out, err = run_cli("policies", "show", "SOV-01")
    assert code == 2 and out == ""
    assert "unknown rule or pack 'SOV-01'" in err and "did you mean 'SOV-001'" in err


def test_show_a_pack_prints_its_provenance_and_rules(run_cli):
    code, out, _ = run_cli("policies", "show", "nis2")
    assert code == 0
    assert out.startswith("pack nis2: NIS2 / Cyberbeveiligingswet")
    assert "  version:     2.0\n  reviewed:    2026-12-01\n" in out
    assert "  NIS2-004   warning  law                The organisation declares" in out
    assert "  NIS2-002   retired (replaced by NIS2-001)" in out
    assert "\nsources:\n  - Directive (EU) 2022/2555 (NIS2)" in out
    code, _out, err = run_cli("policies", "show", "nis")
    assert code == 2 and "did you mean 'nis2'" in err


def test_validate_good_packs(run_cli):
    files = [str(ROOT / "policies" / f"{n}.yaml") for n in builtin_names()]
    code, out, err = run_cli("policies", "validate", *files)
    assert code == 0, err
    assert out.splitlines()[-1] == f"5 packs, {len(BUILTIN_IDS)} rules: valid"


GOOD = """pack: mine
reviewed: 2026-12-01
rules:
  - id: MY-001
    title: Personal data on premises
    severity: error
    basis: local
    when: {labels: {personal-data: [personal]}}
    require: {provider: onprem}
"""


@pytest.mark.parametrize(("old", "new", "fragments", "line"), [
    ("require: {provider: onprem}", "require: {provder: onprem}",
     ["unknown key 'provder'", "did you mean 'provider'"], 9),
    ("require: {provider: onprem}", "require: {sovereignty_level: {atleast: 3}}",
     ["unknown key 'atleast'"], 9),
    ("when: {labels: {personal-data: [personal]}}",
     "when: {match_expressions: [{key: nis2, operator: Has}]}",
     ["invalid value 'Has'", "In, NotIn, Exists, DoesNotExist"], 8),
    ("severity: error", "severity: eror", ["invalid value 'eror'", "did you mean 'error'"], 6),
    ("require: {provider: onprem}", "require: {provider: onprem}\n    flow: {require: {}}",
     ["mixes require, flow"], 10),
    ("require: {provider: onprem}", "require_labels: [{key: dpia, pattern: '[a-'}]",
     ["invalid pattern '[a-'"], 9),
    ("require: {provider: onprem}", "budget: {per: team}", ["invalid value 'team'",
                                                           "workload, application"], 9),
    ("require: {provider: onprem}", "usage_below: {cpu: 2}",
     ["must be a fraction of the request between 0 and 1"], 9),
    ("severity: error", "severity: error\n    penalty_monthly: 10",
     ["penalty_monthly is only meaningful on a warning rule"], 7),
    ("require: {provider: onprem}", "where: {public_cloud: true}",
     ["'where' limits a require or require_labels rule"], 9),
    ("require: {provider: onprem}", "require: {cloud_act: 'no'}",
     ["expected true or false, got 'no'"], 9),
    # basis and reviewed are required: a rule says what requires it, a pack when it was checked
    ("    basis: local\n", "", ["missing required key 'basis'"], 4),
    ("    basis: local\n", "    basis: law-ish\n", ["invalid value 'law-ish'",
                                                    "law, government-policy, good-practice"], 7),
    ("reviewed: 2026-12-01\n", "", ["missing required key 'reviewed'"], 1),
    ("reviewed: 2026-12-01", "reviewed: 2026-13-01", ["invalid value '2026-13-01'"], 2),
    # an evidence type, a key custody or a SEAL objective the advisor does not know
    ("require: {provider: onprem}", "require: {assurance: {any_of: [SOC2-III]}}",
     ["invalid value 'SOC2-III'", "did you mean 'SOC2-II'"], 9),
    ("require: {provider: onprem}", "require: {key_custody: [hyok]}",
     ["invalid value 'hyok'", "external"], 9),
    ("require: {provider: onprem}", "require: {seal_objectives: {SOV-9: {min: 3}}}",
     ["unknown objective 'SOV-9'"], 9),
    ("require: {provider: onprem}", "per: supplier\n    require_labels: [dpia]",
     ["per: supplier needs a location rule"], 9),
    ("when: {labels: {personal-data: [personal]}}",
     "when: {organisation: {nis2_entity: [essental]}}",
     ["invalid value 'essental'", "essential, important, none, undeclared"], 8),
])
def test_validate_reports_file_line_value_and_fix(run_cli, tmp_path, old, new, fragments, line):
    path = tmp_path / "mine.yaml"
    assert old in GOOD
    path.write_text(GOOD.replace(old, new))
    code, _out, err = run_cli("policies", "validate", str(path))
    assert code == 2 and "Traceback" not in err
    assert err.startswith(f"advisor: error: {path}:{line}:"), err
    for fragment in fragments:
        assert fragment in err, err


def test_validate_duplicate_ids_within_and_across_files(run_cli, tmp_path):
    one = tmp_path / "one.yaml"
    one.write_text(GOOD + GOOD.split("rules:\n", 1)[1])
    code, _, err = run_cli("policies", "validate", str(one))
    assert code == 2 and f"{one}:10:" in err and "duplicate rule id 'MY-001' in this pack" in err
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(GOOD)
    b.write_text(GOOD.replace("pack: mine", "pack: other"))
    code, out, err = run_cli("policies", "validate", str(a), str(b))
    assert code == 2
    assert f"ok {a}: 1 rule" in out
    assert f"{b}:4:" in err and f"duplicate rule id 'MY-001' (also in {a}:4)" in err
    assert err.splitlines()[-1] == "1 of 2 files invalid"


def test_validate_broken_files_one_line_each(run_cli, tmp_path):
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("pack: x\nrules:\n  - id: [\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    code, _, err = run_cli("policies", "validate", str(bad_yaml), str(empty),
                           str(tmp_path / "missing.yaml"))
    assert code == 2
    lines = [ln for ln in err.splitlines() if ln.startswith("advisor: error:")]
    assert len(lines) == 3
    assert "YAML syntax error" in lines[0] and "policy pack is empty" in lines[1]
    assert "policy pack not found" in lines[2]


def test_every_builtin_rule_has_pass_and_fail_fixtures():
    have = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("_"))
    assert have == sorted(BUILTIN_IDS + LOCAL_IDS)
    for rid in have:
        assert (FIXTURES / rid / "pass" / "advisor.yaml").is_file(), rid
        assert (FIXTURES / rid / "fail" / "expected.yaml").is_file(), rid


def test_fixtures_pass(run_cli):
    code, out, err = run_cli("policies", "test", str(FIXTURES), "--today", "2026-11-01")
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[-1] == f"{2 * len(BUILTIN_IDS + LOCAL_IDS)} fixtures: 0 unexpected, 0 broken"
    assert "ok    SOV-005 fail: reader, sink break it" in lines
    assert "ok    BIO-001 fail: location:azure-weu, location:ch, location:gcp-nl break it" in lines
    assert "ok    BIO-006 fail: supplier:gcp, supplier:swiss break it" in lines
    assert "ok    NIS2-004 fail: organisation break it" in lines
    assert "ok    COST-002 fail: big break it" in lines


def test_fixtures_say_which_rule_gave_an_unexpected_result(run_cli, tmp_path):
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "_shared", root / "_shared")
    shutil.copytree(FIXTURES / "SOV-001", root / "SOV-001")
    shutil.copytree(FIXTURES / "SOV-002", root / "SOV-002")
    (root / "SOV-001" / "fail" / "expected.yaml").write_text("failing: [f1, ok1]\n")
    code, out, _ = run_cli("policies", "test", str(root))
    assert code == 1
    assert ("FAIL  SOV-001 fail: unexpected failures: f2, f3; expected to fail but passed: ok1"
            in out.splitlines())
    assert "ok    SOV-002 fail: s1, s2 break it" in out
    assert out.splitlines()[-1] == "4 fixtures: 1 unexpected, 0 broken"


def test_broken_fixture_folders(run_cli, tmp_path):
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "_shared", root / "_shared")
    shutil.copytree(FIXTURES / "SOV-001" / "pass", root / "SOV-001" / "pass")
    shutil.copytree(FIXTURES / "SOV-001" / "pass", root / "CNL-001" / "pass")
    shutil.copytree(FIXTURES / "CNL-001" / "fail", root / "CNL-001" / "fail")
    code, _out, err = run_cli("policies", "test", str(root))
    assert code == 2
    assert f"{root / 'SOV-001' / 'fail'}: missing advisor.yaml" in err
    assert "rule CNL-001 is not in the packs this fixture's advisor.yaml loads" in err
    code, _, err = run_cli("policies", "test", str(tmp_path / "nothing"))
    assert code == 2 and "fixture folder not found" in err


def _fixture_cases() -> list[tuple[str, str]]:
    return [(d.name, kind) for d in sorted(FIXTURES.iterdir())
            if d.is_dir() and not d.name.startswith("_") for kind in ("pass", "fail")]


@pytest.mark.parametrize(("rule_id", "kind"), _fixture_cases(),
                         ids=[f"{r}-{k}" for r, k in _fixture_cases()])
def test_rule_fixture(rule_id: str, kind: str) -> None:
    """Each rule's pass and fail fixture is its own test case: a failing rule is named."""
    import datetime as dt

    from advisor.check.fixtures import run_case

    got = run_case(rule_id, kind, FIXTURES / rule_id / kind, dt.date(2026, 11, 1))
    assert not got.error, got.error
    assert got.ok, got.line
