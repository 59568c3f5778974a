"""Markdown outputs embed Mermaid diagrams of the chains that move (GitHub/GitLab render them)."""

from __future__ import annotations


def test_check_pr_comment_shows_the_moving_chain(run_cli, tmp_path):
    proposal = tmp_path / "proposed.yaml"
    proposal.write_text("website-frontend: aws-eu-west-1\n")
    code, out, err = run_cli("check", "--demo", "--placement", str(proposal), "--format",
                             "markdown", "--fail-on", "never")
    assert code == 0, err
    assert "Application chains the change moves" in out
    block = out.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "flowchart" in block and "aws-eu-west-1" in block
    assert out.count("```mermaid") == 1  # only the website chain moves


def test_check_without_a_proposal_draws_nothing(run_cli):
    code, out, _ = run_cli("check", "--demo", "--format", "markdown", "--fail-on", "never")
    assert code == 0 and "```mermaid" not in out


def test_analyze_markdown_draws_each_moving_application(run_cli):
    # the whole text (the demo's comment is longer than 65,000 characters: its diagrams are
    # then left out, and named in the note)
    code, out, err = run_cli("analyze", "--demo", "--format", "markdown", "--max-chars", "0")
    assert code == 0, err
    assert "## Application chains that move" in out
    assert out.count("```mermaid") >= 5


def test_check_flags_what_only_the_optimizer_guards(run_cli, tmp_path):
    """A proposal that moves a pinned workload, splits a colocated pair, breaks a latency limit
    and overfills a data centre: each is an error finding (PLACE-001..004), new in the change."""
    import json

    from advisor.estate.load import load_estate
    from advisor.pipeline import demo_config

    estate = load_estate(demo_config())
    dc1 = [w for w in estate.workloads if w.location == "onprem-dc1" and not w.pinned]
    proposal = {"brp-koppeling": "onprem-dc2",  # pinned
                "zaak-db": "onprem-dc2",  # colocated with zaak-api
                "zaak-search": "aws-us-east-1"}  # zaak-api calls it with max 5 ms
    for w in dc1:  # everything movable from dc1 to the small dc2
        proposal.setdefault(w.id, "onprem-dc2")
    path = tmp_path / "proposed.yaml"
    path.write_text("".join(f"{k}: {v}\n" for k, v in sorted(proposal.items())))
    code, out, err = run_cli("check", "--demo", "--placement", str(path), "--format", "json",
                             "--fail-on", "error")
    assert code == 1, err
    doc = json.loads(out)
    rules = {f["rule"] for f in doc["findings"]} if "findings" in doc else \
        {i["rule"] for i in doc["items"]}
    assert {"PLACE-001", "PLACE-002", "PLACE-003", "PLACE-004"} <= rules
    code, out, err = run_cli("check", "--demo", "--placement", str(path), "--format", "sarif",
                             "--fail-on", "never")
    assert code == 0 and "PLACE-004" in out
