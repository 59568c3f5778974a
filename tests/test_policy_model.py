"""What the rules read and say, through the CLI: the organisation's duties, dated evidence, key
custody, SEAL, suppliers and their exit plans, waivers per location or supplier, assumptions
shown in every output, and packs that contradict each other."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from advisor.errors import PolicyError
from advisor.rules import parse_pack

LOCATIONS = """providers:
  - id: aws
    exit_plan: {reference: EXIT-1, date: 2025-01-10}
    assurance:
      - {type: SOC2-II, covers: "EC2, S3", valid_until: 2026-12-31}
locations:
  - id: dc
    provider: onprem
    region: nl
    country: NL
    jurisdiction: EU
    cloud_act: false
    prices: {currency: EUR, cpu_hour: 0.09, memory_gb_hour: 0.009}
  - id: aws-fra
    provider: aws
    region: eu-central-1
    country: DE
    jurisdiction: EU
    cloud_act: true
    key_custody: customer-managed-in-provider-hsm
    prices: {currency: EUR, cpu_hour: 0.05, memory_gb_hour: 0.005}
  - id: community
    provider: other
    region: nl
    country: NL
    jurisdiction: EU
    cloud_act: false
    public_cloud: false
    prices: {currency: EUR, cpu_hour: 0.06, memory_gb_hour: 0.006}
"""

WORKLOADS = """workloads:
  - {id: a, application: x, location: aws-fra, migration_cost: 0, labels: {bio-risk: low},
     resources: {cpu: 2, memory_gb: 8}}
  - {id: b, application: x, location: dc, migration_cost: 0, labels: {bbn: BBN2+},
     resources: {cpu: 2, memory_gb: 8}}
"""


def _estate(tmp_path: Path, *, organisation: str = "", packs: str = "builtin:bio2",
            locations: str = LOCATIONS, workloads: str = WORKLOADS) -> Path:
    (tmp_path / "locations.yaml").write_text(locations)
    (tmp_path / "workloads.yaml").write_text(workloads)
    (tmp_path / "advisor.yaml").write_text(
        "version: 1\nname: t\ncurrency: EUR\n" + organisation
        + f"locations: locations.yaml\nworkloads: workloads.yaml\npolicies: [{packs}]\n")
    return tmp_path / "advisor.yaml"


def _check(run_cli, config: Path, today: str, *extra: str) -> dict:
    code, out, err = run_cli("check", "-c", str(config), "--today", today, "-f", "json",
                             "--fail-on", "never", *extra)
    assert code == 0, err
    return json.loads(out)


def _rules(doc: dict) -> list[tuple[str, str]]:
    return sorted((f["rule"], f["workload"] or f["subject"]) for f in doc["findings"])


# --------------------------------------------------------------------------- dates
def test_evidence_is_judged_on_the_day_of_the_run(run_cli, tmp_path):
    config = _estate(tmp_path)
    assert ("BIO-001", "location:aws-fra") not in _rules(_check(run_cli, config, "2026-12-31"))
    later = _check(run_cli, config, "2027-01-01")
    assert ("BIO-001", "location:aws-fra") in _rules(later)
    msg = next(f["message"] for f in later["findings"] if f["rule"] == "BIO-001")
    assert "SOC2-II expired on 2026-12-31" in msg and "used by a" in msg
    # analyze judges on --as-of, and says which day it used
    code, out, err = run_cli("analyze", "-c", str(config), "-f", "json", "--as-of", "2027-01-01")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["as_of"] == "2027-01-01"
    assert any(f["rule"] == "BIO-001" for f in doc["findings"])
    # one day option under both names, in both commands
    code, out, err = run_cli("analyze", "-c", str(config), "-f", "json", "--today", "2027-01-01")
    assert code == 0 and json.loads(out)["as_of"] == "2027-01-01", err
    assert ("BIO-001", "location:aws-fra") in _rules(json.loads(run_cli(
        "check", "-c", str(config), "--as-of", "2027-01-01", "-f", "json", "--fail-on",
        "never")[1]))


def test_a_finding_per_location_points_at_the_location(run_cli, tmp_path):
    config = _estate(tmp_path)
    doc = _check(run_cli, config, "2027-01-01")
    f = next(f for f in doc["findings"] if f["rule"] == "BIO-001")
    assert f["workload"] is None and f["subject"] == "location:aws-fra"
    assert f["position"]["path"].endswith("locations.yaml") and f["position"]["line"] == 14


# --------------------------------------------------------------------------- organisation
def test_duties_follow_the_organisation_not_the_workload_labels(run_cli, tmp_path):
    workloads = WORKLOADS.replace("labels: {bio-risk: low}", "labels: {bio-risk: low, nis2: none}")
    config = _estate(tmp_path, packs="builtin:nis2", workloads=workloads,
                     organisation="organisation: {nis2_entity: essential}\n")
    doc = _check(run_cli, config, "2027-01-01")
    # a workload labelled nis2: none is still in scope: the entity is essential
    assert ("NIS2-001", "location:aws-fra") in _rules(doc)
    assert not [r for r in _rules(doc) if r[0] == "NIS2-004"]
    config = _estate(tmp_path, packs="builtin:nis2",
                     organisation="organisation: {nis2_entity: none}\n")
    doc = _check(run_cli, config, "2027-01-01")
    assert _rules(doc) == []
    texts = [a["text"] for a in doc["assumptions"]]
    assert "organisation nis2_entity is none: NIS2-001, NIS2-003 do not apply to this estate" \
        in texts
    org = next(a for a in doc["assumptions"] if a["text"].startswith("organisation"))
    assert org["position"]["line"] == 4


def test_an_undeclared_status_applies_the_duties_and_asks_for_it(run_cli, tmp_path):
    config = _estate(tmp_path, packs="builtin:nis2")
    doc = _check(run_cli, config, "2027-01-01")
    assert ("NIS2-004", "organisation") in _rules(doc)
    assert ("NIS2-001", "location:aws-fra") in _rules(doc)
    assert any(a["text"].startswith("organisation nis2_entity is not declared in advisor.yaml: "
                                    "NIS2-001, NIS2-003 apply") for a in doc["assumptions"])


def test_bio2_covers_the_nis2_supplier_rules_when_both_are_loaded(run_cli, tmp_path):
    config = _estate(tmp_path, packs="builtin:bio2, builtin:nis2",
                     organisation="organisation: {nis2_entity: essential, bio2: true}\n")
    doc = _check(run_cli, config, "2027-01-01")
    assert [r for r in _rules(doc) if r[0] in ("BIO-001", "NIS2-001")] == [
        ("BIO-001", "location:aws-fra")]
    assert any(a["text"] == "NIS2-001 is not evaluated: BIO-001 (loaded) checks the same"
               for a in doc["assumptions"])


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("old", "new", "file", "line", "fragments"), [
    ("type: SOC2-II", "type: SOC2-2", "locations.yaml", 5,
     ["invalid value 'SOC2-2'", "one of: ISAE3402-I, ISAE3402-II"]),
    ("    key_custody: customer-managed-in-provider-hsm\n",
     "    key_custody: customer-managed-in-provider-hsm\n    seal: 5\n", "locations.yaml", 21,
     ["seal: must be 4 or less, got 5"]),
    ("    key_custody: customer-managed-in-provider-hsm\n",
     "    key_custody: customer-managed-in-provider-hsm\n    sovereignty_level: -1\n",
     "locations.yaml", 21, ["must be 0 or more, got -1"]),
    ("    key_custody: customer-managed-in-provider-hsm\n",
     "    key_custody: customer-managed-in-provider-hsm\n"
     "    seal_objectives: {SOV-2: 3, SOV-9: 1}\n",
     "locations.yaml", 21, ["unknown objective 'SOV-9'"]),
    ("    key_custody: customer-managed-in-provider-hsm\n",
     "    key_custody: customer-managed-in-provider-hsm\n    seal: 3\n"
     "    seal_objectives: {SOV-2: 3, SOV-5: 1}\n", "locations.yaml", 21,
     ["seal 3 is above the lowest objective (SOV-5: 1)"]),
    ("    key_custody: customer-managed-in-provider-hsm\n", "    key_custody: hyok\n",
     "locations.yaml", 20, ["invalid value 'hyok'", "external"]),
    ("    key_custody: customer-managed-in-provider-hsm\n",
     "    key_custody: customer-managed-in-provider-hsm\n    supplier: amazon\n",
     "locations.yaml", 21, ["unknown provider 'amazon'"]),
    ("    key_custody: customer-managed-in-provider-hsm\n",
     "    key_custody: customer-managed-in-provider-hsm\n    transfer_mechanism: adequacy\n",
     "locations.yaml", 21, ["adequacy needs jurisdiction ADEQUATE, not EU"]),
])
def test_bad_sovereignty_and_evidence_input(run_cli, tmp_path, old, new, file, line, fragments):
    assert old in LOCATIONS
    config = _estate(tmp_path, locations=LOCATIONS.replace(old, new, 1))
    code, _out, err = run_cli("validate", "-c", str(config))
    assert code == 2 and "Traceback" not in err
    assert f"{tmp_path / file}:{line}:" in err, err
    for fragment in fragments:
        assert fragment in err, err


PROVIDER_LISTS = LOCATIONS.replace(
    "locations:\n  - id: dc\n",
    "  - id: govcloud\n    locations: [community]\n    exit_plan: {reference: EXIT-2, date: "
    "2025-02-01}\nlocations:\n  - id: dc\n", 1)


def test_a_provider_lists_its_locations(run_cli, tmp_path):
    """`locations` on a providers entry (the economics definition's field) makes it the
    location's supplier, as `supplier` on the location does."""
    workloads = WORKLOADS.replace("location: dc,", "location: community,")
    config = _estate(tmp_path, locations=PROVIDER_LISTS, workloads=workloads)
    doc = _check(run_cli, config, "2026-12-01")
    subjects = {s for _rule, s in _rules(doc)}
    assert "supplier:govcloud" not in subjects  # it has an exit plan
    assert "location:community" in subjects  # and no assurance: BIO-001 reaches it
    no_plan = _estate(tmp_path, workloads=workloads, locations=PROVIDER_LISTS.replace(
        "    exit_plan: {reference: EXIT-2, date: 2025-02-01}\n", "", 1))
    assert ("BIO-006", "supplier:govcloud") in _rules(_check(run_cli, no_plan, "2026-12-01"))


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("locations: [community]", "locations: [comunity]",
     "locations[0]: unknown location 'comunity'\n  hint: did you mean 'community'?"),
    ("locations:\n  - id: dc\n", "  - {id: other, locations: [community]}\nlocations:\n"
                                     "  - id: dc\n",
     "location 'community' is already listed by provider govcloud"),
    ("    public_cloud: false\n", "    public_cloud: false\n    supplier: aws\n",
     "location 'community' names supplier aws"),
])
def test_bad_provider_locations(run_cli, tmp_path, old, new, fragment):
    assert old in PROVIDER_LISTS
    config = _estate(tmp_path, locations=PROVIDER_LISTS.replace(old, new, 1))
    code, _out, err = run_cli("validate", "-c", str(config))
    assert code == 2 and "Traceback" not in err
    assert f"{tmp_path / 'locations.yaml'}:" in err and fragment in err, err


def test_an_unknown_organisation_status_is_exit_2(run_cli, tmp_path):
    config = _estate(tmp_path, organisation="organisation: {nis2_entity: esential}\n")
    code, _, err = run_cli("check", "-c", str(config))
    assert code == 2 and f"{config}:4:" in err and "did you mean 'essential'" in err


def test_a_minimum_seal_per_objective_for_a_classification(run_cli, tmp_path):
    """A rule asks SEAL >= 3 on SOV-2 and SOV-3 for confidential data: a location scoring 2 on
    one objective, or declaring no objectives, does not satisfy it."""
    locations = LOCATIONS.replace(
        "    key_custody: customer-managed-in-provider-hsm\n",
        "    key_custody: customer-managed-in-provider-hsm\n"
        "    seal_objectives: {SOV-2: 2, SOV-3: 3}\n").replace(
        "    public_cloud: false\n",
        "    public_cloud: false\n    seal_objectives: {SOV-2: 4, SOV-3: 3, SOV-5: 1}\n")
    workloads = WORKLOADS.replace("labels: {bio-risk: low}",
                                  "labels: {data-classification: confidential}")
    workloads += ("  - {id: c, application: x, location: community, migration_cost: 0, labels: "
                  "{data-classification: confidential}, resources: {cpu: 2, memory_gb: 8}}\n"
                  "  - {id: d, application: x, location: dc, migration_cost: 0, labels: "
                  "{data-classification: confidential}, resources: {cpu: 2, memory_gb: 8}}\n")
    (tmp_path / "mine.yaml").write_text(
        "pack: mine\nreviewed: 2026-12-01\nrules:\n  - id: SEAL-1\n    title: t\n"
        "    basis: local\n    severity: warning\n"
        "    when: {labels: {data-classification: confidential}}\n"
        "    require: {seal_objectives: {SOV-2: {min: 3}, SOV-3: {min: 3}}}\n")
    config = _estate(tmp_path, locations=locations, workloads=workloads, packs="mine.yaml")
    doc = _check(run_cli, config, "2026-12-01")
    assert _rules(doc) == [("SEAL-1", "a"), ("SEAL-1", "d")]
    msg = next(f["message"] for f in doc["findings"] if f["workload"] == "a")
    assert "SOV-2" in msg, msg


# --------------------------------------------------------------------------- deprecation
def test_sovereignty_level_is_read_as_seal_with_a_note(run_cli, tmp_path):
    locations = LOCATIONS.replace("    key_custody: customer-managed-in-provider-hsm\n",
                                  "    sovereignty_level: 2\n    customer_managed_keys: true\n")
    (tmp_path / "old.yaml").write_text(
        "pack: old\nreviewed: 2026-12-01\nrules:\n  - id: OLD-1\n    title: t\n"
        "    basis: local\n    severity: warning\n    require: {sovereignty_level: {min: 3}}\n")
    config = _estate(tmp_path, locations=locations, packs="old.yaml")
    doc = _check(run_cli, config, "2026-12-01")
    assert _rules(doc) == [("OLD-1", "a"), ("OLD-1", "b")]  # dc declares no SEAL at all
    notes = {(a["kind"], a["text"]) for a in doc["assumptions"]}
    assert ("deprecated", "aws-fra: sovereignty_level is deprecated, read as seal 2 (EU Cloud "
                          "Sovereignty Framework SEAL); write that instead") in notes
    assert ("deprecated", "aws-fra: customer_managed_keys is deprecated, read as key_custody "
                          "customer-managed-in-provider-hsm; write that instead") in notes
    code, out, _ = run_cli("analyze", "-c", str(config), "--as-of", "2026-12-01")
    assert code == 0
    assert "deprecated: aws-fra: sovereignty_level is deprecated, read as seal 2" in out
    assert "(locations.yaml:20)" in out


# --------------------------------------------------------------------------- waivers
def test_waivers_for_a_supplier_and_for_a_retired_rule(run_cli, tmp_path):
    providers = LOCATIONS.replace("    exit_plan: {reference: EXIT-1, date: 2025-01-10}\n", "")
    config = _estate(tmp_path, locations=providers)
    (tmp_path / "waivers.yaml").write_text(
        "waivers:\n"
        "  - {rule: BIO-006, supplier: aws, reason: exit plan in negotiation, owner: ciso,"
        " expires: 2027-06-30}\n"
        "  - {rule: BIO-004, workload: a, reason: old certificate rule, owner: ciso,"
        " expires: 2027-06-30}\n")
    doc = _check(run_cli, config, "2026-12-01")
    exit_finding = next(f for f in doc["findings"] if f["rule"] == "BIO-006")
    assert exit_finding["subject"] == "supplier:aws" and exit_finding["waived"]
    unused = next(f for f in doc["findings"] if f["rule"] == "WAIVER-UNUSED")
    assert "rule BIO-004 was retired from pack bio2 2.0, replaced by BIO-001" in \
        unused["message"]
    (tmp_path / "waivers.yaml").write_text(
        "waivers:\n  - {rule: BIO-006, supplier: awz, reason: r, owner: o,"
        " expires: 2027-06-30}\n")
    code, _, err = run_cli("check", "-c", str(config))
    assert code == 2 and "unknown supplier 'awz'" in err and "did you mean 'aws'" in err


# --------------------------------------------------------------------------- assumptions
def test_every_output_shows_the_declarations_rules_rest_on(run_cli, tmp_path):
    """A community cloud declared not public cloud takes it out of the public-cloud rules: the
    reader sees that in every format, with the file and line."""
    config = _estate(tmp_path, packs="builtin:cloud-policy-nl")
    text = "community (other) is declared not public cloud (public_cloud: false)"
    outputs = {}
    for fmt in ("text", "json", "sarif", "junit", "gitlab", "markdown"):
        code, out, err = run_cli("check", "-c", str(config), "--today", "2026-12-01", "-f", fmt,
                                 "--wide")
        assert code == 0, err
        outputs[fmt] = out
        # Markdown escapes what it would otherwise render (the underscore)
        assert (text if fmt != "markdown" else text.replace("_", "\\_")) in out, fmt
    sarif = json.loads(outputs["sarif"])["runs"][0]["invocations"][0]
    note = sarif["toolConfigurationNotifications"][0]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 28
    junit = ET.fromstring(outputs["junit"])
    skipped = junit.find("./testsuite[@name='assumptions']/testcase/skipped")
    assert skipped is not None and skipped.get("message", "").endswith("locations.yaml:28)")
    for fmt in ("table", "json", "markdown"):
        code, out, err = run_cli("analyze", "-c", str(config), "-f", fmt, "--wide")
        assert code == 0, err
        shown = text if fmt != "markdown" else text.replace("_", "\\_")
        assert shown in out and ("locations.yaml:28" in out or '"line": 28' in out), fmt


def test_declarations_that_let_data_in_are_assumptions(run_cli, tmp_path):
    """Keys held outside a provider US law reaches, and a transfer mechanism outside the EU/EEA,
    take a location out of the sovereignty rules: both are shown with their line."""
    locations = LOCATIONS.replace("key_custody: customer-managed-in-provider-hsm",
                                  "key_custody: external").replace(
        "    exit_plan: {reference: EXIT-1, date: 2025-01-10}\n",
        "    exit_plan: {reference: EXIT-1, date: 2025-01-10}\n    transfer_mechanism: scc\n")
    locations += ("  - {id: aws-us, provider: aws, region: us-east-1, country: US, jurisdiction: "
                  "OTHER, cloud_act: true, prices: {currency: EUR, cpu_hour: 0.04, "
                  "memory_gb_hour: 0.004}}\n")
    config = _estate(tmp_path, locations=locations, packs="builtin:sovereignty")
    doc = _check(run_cli, config, "2026-12-01")
    notes = {a["text"]: (a["position"] or {}).get("line") for a in doc["assumptions"]}
    custody = ("aws-fra (aws) is declared to hold its keys outside the provider (key_custody: "
               "external): SOV-002, SOV-007 accept data there although US law reaches the "
               "provider")
    transfer = ("aws-us (US) is declared reachable for personal data on transfer mechanism scc: "
                "SOV-001, SOV-005, SOV-008 accept it there")
    assert notes.get(custody) == 21, notes
    assert notes.get(transfer) == 4, notes  # the provider's declaration


def test_a_label_mapping_is_an_assumption(run_cli, tmp_path):
    config = _estate(tmp_path)
    doc = _check(run_cli, config, "2026-12-01")
    mapped = next(a for a in doc["assumptions"] if a["text"].startswith("pack bio2 reads"))
    assert mapped["text"] == "pack bio2 reads bbn BBN2+ as bio-risk high (1) workloads"
    assert mapped["position"]["path"].startswith("builtin:") or \
        mapped["position"]["path"].endswith("bio2.yaml")


# --------------------------------------------------------------------------- contradictions
CONTRADICTING = """pack: mine
reviewed: 2026-12-01
rules:
  - id: MY-1
    title: Low risk on premises
    severity: error
    basis: local
    when: {labels: {bio-risk: low}}
    require: {provider: onprem}
  - id: MY-2
    title: Everything in a cloud
    severity: error
    basis: local
    require: {provider: [aws, azure]}
"""


def test_contradicting_rules_are_named_with_the_workload(run_cli, tmp_path):
    (tmp_path / "mine.yaml").write_text(CONTRADICTING)
    config = _estate(tmp_path, packs="mine.yaml")
    code, out, err = run_cli("analyze", "-c", str(config), "--wide")
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if "contradict" in ln)
    assert "warning: rules MY-1" in line and "MY-2" in line and "workload a" in line
    doc = _check(run_cli, config, "2026-12-01")
    assert any(a["kind"] == "warning" and "contradict for workload a" in a["text"]
               for a in doc["assumptions"])
    code, out, err = run_cli("policies", "validate", str(tmp_path / "mine.yaml"))
    assert code == 0
    assert "advisor: warning:" in err and "MY-1" in err and "MY-2" in err
    assert "a workload with bio-risk low" in err and "provider must be in [onprem]" in err


def test_contradicting_builtin_rules_are_exit_2(tmp_path):
    data = {"pack": "builtin-like", "reviewed": "2026-12-01", "rules": [
        {"id": "X-1", "title": "t", "severity": "error", "basis": "law",
         "require": {"cloud_act": False}},
        {"id": "X-2", "title": "t", "severity": "error", "basis": "law",
         "when": {"labels": {"personal-data": "special"}}, "require": {"cloud_act": True}}]}
    with pytest.raises(PolicyError) as exc:
        parse_pack(data, str(tmp_path / "x.yaml"), builtin=True)
    text = exc.value.render_all()
    assert "X-1" in text and "X-2" in text and "personal-data special" in text
    assert parse_pack(data, str(tmp_path / "x.yaml"))  # an own pack: a warning, not an error
