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
    code, out, err = run_cli("analyze", "--demo", "--format", "markdown")
    assert code == 0, err
    assert "## Application chains that move" in out
    assert out.count("```mermaid") >= 5
