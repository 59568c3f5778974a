"""The reusable GitHub Action (action.yml), its steps run as a runner would run them: the
advisor installed from the action's checkout into a fresh virtualenv, `advisor check` on the
demo estate, the SARIF left for upload-sarif, and the Markdown posted as one pull request
comment (updated, not repeated, on the next run) through a local server speaking GitHub's API."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from ci_runner import ROOT, Context, FakeGitHub, base_env, run_action

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
SARIF_SCHEMA = ROOT / "tests" / "data" / "schemas" / "sarif-schema-2.1.0.json"


def inputs(**given: str) -> dict[str, str]:
    out = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    out.update({k.replace("_", "-"): v for k, v in given.items()})
    return out


def runner_env(venv: Path, repo: Path, api: FakeGitHub, tmp: Path) -> dict[str, str]:
    event = tmp / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": 7,
                                 "pull_request": {"number": 7}}))
    (tmp / "summary.md").write_text("")
    return {**base_env(venv), "GITHUB_ACTIONS": "true", "CI": "true",
            "GITHUB_REPOSITORY": "gemeente/estate", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event), "GITHUB_API_URL": api.url,
            "GITHUB_WORKSPACE": str(repo), "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "RUNNER_TEMP": str(tmp)}


def test_no_expression_is_pasted_into_a_script() -> None:
    """Inputs reach the scripts as environment variables: no script injection."""
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]
    assert ACTION["runs"]["using"] == "composite"
    uses = [s["uses"] for s in ACTION["runs"]["steps"] if "uses" in s]
    assert "github/codeql-action/upload-sarif@v3" in uses


def test_action_checks_uploads_and_comments(fresh_venv: Path, estate_repo: Path,
                                            github_api: FakeGitHub, tmp_path: Path,
                                            checkout: Path) -> None:
    env = runner_env(fresh_venv, estate_repo, github_api, tmp_path)
    github = {"action_path": str(checkout), "event_name": "pull_request",
              "token": github_api.token, "workspace": str(estate_repo)}
    ctx = Context(inputs(config="estate/advisor.yaml", formats="sarif,markdown,junit",
                         github_token=github_api.token), github)
    steps = run_action(ACTION, ctx, env, estate_repo, tmp_path)
    by_name = {s.name: s for s in steps}
    install = by_name["Install the advisor"]
    assert install.ran and install.code == 0, install.output
    assert "advisor" in install.output  # advisor --version
    check = by_name["advisor check"]
    assert check.ran and check.code == 0, check.output  # findings do not stop the step...
    assert ctx.steps["check"]["exit-code"] == "1"  # ...they are its verdict
    # the SARIF is there for github/codeql-action/upload-sarif, and valid
    assert by_name["Upload SARIF to code scanning"].uses.startswith("github/codeql-action/")
    sarif_path = estate_repo / ctx.steps["check"]["sarif"]
    sarif = json.loads(sarif_path.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    import jsonschema

    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
    ET.parse(estate_repo / "advisor-reports" / "advisor-junit.xml")
    comment = (estate_repo / ctx.steps["check"]["comment"]).read_text(encoding="utf-8")
    assert comment.startswith("### :x: advisor check failed") and len(comment) <= 65000
    assert comment in (tmp_path / "summary.md").read_text(encoding="utf-8")  # job summary
    # one comment on pull request 7, with the hidden marker
    post = by_name["Pull request comment"]
    assert post.ran and post.code == 0, post.output
    (posted,) = github_api.comments.values()
    assert posted["path"] == "/repos/gemeente/estate/issues/7/comments"
    assert posted["body"].startswith(comment.rstrip())
    assert "<!-- advisor-check -->" in posted["body"]
    # the verdict fails the job: exit 1, findings at or above error
    verdict = by_name["Verdict"]
    assert verdict.ran and verdict.code == 1

    # the next push: the same comment is updated, and with fail-on never the job passes
    ctx2 = Context(inputs(config="estate/advisor.yaml", fail_on="never",
                          github_token=github_api.token), github)
    steps = {s.name: s for s in run_action(ACTION, ctx2, env, estate_repo, tmp_path)}
    assert steps["Verdict"].code == 0
    assert len(github_api.comments) == 1
    assert ("PATCH", f"/repos/gemeente/estate/issues/comments/{posted['id']}") \
        in github_api.requests
    assert "advisor check passed" in next(iter(github_api.comments.values()))["body"]


def test_invalid_input_stops_before_the_comment(fresh_venv: Path, estate_repo: Path,
                                                github_api: FakeGitHub, tmp_path: Path,
                                                checkout: Path) -> None:
    env = runner_env(fresh_venv, estate_repo, github_api, tmp_path)
    github = {"action_path": str(checkout), "event_name": "pull_request",
              "token": github_api.token}
    ctx = Context(inputs(config="estate/missing.yaml"), github)
    steps = {s.name: s for s in run_action(ACTION, ctx, env, estate_repo, tmp_path)}
    check = steps["advisor check"]
    assert check.code == 2 and "missing.yaml" in check.output
    assert not steps["Pull request comment"].ran  # no comment file to post
    assert github_api.comments == {}


@pytest.mark.parametrize("event", ["push"])
def test_not_a_pull_request_posts_nothing(fresh_venv: Path, estate_repo: Path,
                                          github_api: FakeGitHub, tmp_path: Path,
                                          event: str, checkout: Path) -> None:
    env = runner_env(fresh_venv, estate_repo, github_api, tmp_path)
    github = {"action_path": str(checkout), "event_name": event, "token": github_api.token}
    ctx = Context(inputs(config="estate", fail_on="never"), github)
    steps = {s.name: s for s in run_action(ACTION, ctx, env, estate_repo, tmp_path)}
    assert steps["advisor check"].code == 0
    assert not steps["Pull request comment"].ran
    assert steps["Verdict"].code == 0
    assert github_api.requests == []
