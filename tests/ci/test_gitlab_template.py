"""The GitLab CI template (ci/gitlab/advisor.gitlab-ci.yml), its job's script lines run in
order as a runner would, on the demo estate: the Code Quality, JUnit, SARIF and merge request
comment artifacts are written and valid, and the job fails on findings at or above
ADVISOR_FAIL_ON while keeping its reports."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from ci_runner import ROOT, base_env, run_gitlab_script

TEMPLATE = yaml.safe_load((ROOT / "ci" / "gitlab" / "advisor.gitlab-ci.yml").read_text(
    encoding="utf-8"))


def job_env(venv: Path, repo: Path, **variables: str) -> dict[str, str]:
    env = {**base_env(venv), "CI": "true", "GITLAB_CI": "true",
           "CI_PIPELINE_SOURCE": "merge_request_event", "CI_PROJECT_DIR": str(repo),
           "CI_MERGE_REQUEST_IID": "12"}
    env.update({k: str(v) for k, v in TEMPLATE["variables"].items()})
    env.update(variables)
    return env


def test_template_shape() -> None:
    job = TEMPLATE["advisor-check"]
    reports = job["artifacts"]["reports"]
    assert reports["codequality"].endswith("gl-code-quality.json")
    assert reports["junit"].endswith("advisor-junit.xml")
    assert job["artifacts"]["when"] == "always"  # reports survive a failing gate
    assert job["artifacts"]["expose_as"]
    assert {r["if"] for r in job["rules"]} == {'$CI_PIPELINE_SOURCE == "merge_request_event"',
                                               "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}


def test_script_writes_the_reports_and_gates(fresh_venv: Path, estate_repo: Path,
                                             checkout: Path) -> None:
    script = TEMPLATE["advisor-check"]["script"]
    env = job_env(fresh_venv, estate_repo, ADVISOR_CONFIG="estate/advisor.yaml",
                  ADVISOR_PACKAGE=str(checkout))
    ran = run_gitlab_script(script, env, estate_repo)
    assert [code for _, code, _ in ran] == [0, 0, 0, 1], ran  # the gate fails on the errors
    assert "FAIL:" in ran[-1][2] and "wrote" in ran[-1][2]
    reports = estate_repo / os.path.expandvars(TEMPLATE["variables"]["ADVISOR_REPORTS"])
    quality = json.loads((reports / "gl-code-quality.json").read_text(encoding="utf-8"))
    assert quality and {"description", "check_name", "fingerprint", "severity", "location"} \
        <= set(quality[0])
    junit = ET.parse(reports / "advisor-junit.xml").getroot()
    assert int(junit.get("failures") or 0) > 0
    sarif = json.loads((reports / "advisor.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    comment = (reports / "mr-comment.md").read_text(encoding="utf-8")
    assert comment.startswith("### :x: advisor check failed") and len(comment) <= 65000
    # the same job with ADVISOR_FAIL_ON=never and extra arguments passes
    env["ADVISOR_FAIL_ON"] = "never"
    env["ADVISOR_EXTRA_ARGS"] = "--today 2026-11-01"
    ran = run_gitlab_script(script, env, estate_repo)
    assert [code for _, code, _ in ran] == [0, 0, 0, 0], ran
    assert "PASS (--fail-on never)" in ran[-1][2]
