"""Markdown for pull/merge request comments fits 65,000 characters: the summary first, details
collapsed, whole sections left out with a note when the whole would not fit."""

from __future__ import annotations

from advisor.outputs.markdown_fit import COMMENT_LIMIT, Section, fit


def well_formed(text: str) -> None:
    """Nothing cut in half: every <details> closed, every code fence closed, no dangling table."""
    assert text.count("<details>") == text.count("</details>")
    assert text.count("```") % 2 == 0
    assert len(text) <= COMMENT_LIMIT


def test_analyze_markdown_fits_a_comment(run_cli, tmp_path):
    code, out, err = run_cli("analyze", "--demo", "-q", "--format", "markdown")
    assert code == 0, err
    well_formed(out)
    # the summary comes first: headline, totals, the moves; the details are collapsed
    assert out.startswith("# Placement advice: Gemeente Voorbeeld\n\n**22 of 157 workloads move**")
    assert out.index("## Totals") < out.index("## Workloads that move") \
        < out.index("<details><summary>Why each workload moves")
    assert "| workload |" in out
    # the whole is longer: what does not fit is named, with the way to the full text; what the
    # recommendation brings and the assumptions are never left out
    note = out.rstrip().splitlines()[-1]
    assert note.startswith("> **Shortened to fit 65,000 characters**")
    assert "left out the workloads that stay" in note and "--max-chars 0 -o FILE" in note
    assert "## New findings with the recommendation" in out
    assert "## Assumptions the rules rest on" in out
    full = tmp_path / "plan.md"
    code, _, _ = run_cli("analyze", "--demo", "-q", "--format", "markdown", "--max-chars", "0",
                         "-o", str(full))
    text = full.read_text()
    assert len(text) > COMMENT_LIMIT and "Shortened" not in text
    assert "<details><summary>Workloads that stay (135)</summary>" in text
    rows = [x for x in text.splitlines() if x.startswith("| ") and x.count("|") == 11]
    # every workload once, moved or not (the table of moves shows those that stay as one row)
    ids = [x.split("|")[1].strip() for x in rows]
    workloads = [i for i in ids if i not in ("workload", "total") and not i.startswith("(")]
    assert len(workloads) == len(set(workloads)) == 157
    assert "(135 workloads that stay)" in ids


def test_a_small_budget_keeps_the_summary(run_cli):
    code, out, _ = run_cli("analyze", "--demo", "-q", "--format", "markdown", "--max-chars",
                           "12000")
    assert code == 0
    assert len(out) <= 12000
    assert "## Totals" in out and "## Workloads that move" in out
    assert out.count("<details>") == out.count("</details>")
    note = out.rstrip().splitlines()[-1]
    assert "why each workload moves" in note and "the chain diagrams" in note


def test_check_markdown_summary_first_and_cut_whole(run_cli):
    code, out, _ = run_cli("check", "--demo", "--format", "markdown", "--fail-on", "never")
    assert code == 0
    well_formed(out)
    assert out.index("#### Cost effect") < out.index("#### Findings") \
        < out.index("<details><summary>Waived")
    assert "Shortened" not in out  # the demo's comment is 19k
    code, short, _ = run_cli("check", "--demo", "--format", "markdown", "--fail-on", "never",
                             "--max-chars", "9000")
    assert len(short) <= 9000
    assert short.count("<details>") == short.count("</details>")
    assert "the rules" in short.rstrip().splitlines()[-1]
    assert short.startswith(out[:out.index("#### Findings")])  # the summary is whole


def test_fit_leaves_out_whole_sections():
    sections = [Section("summary", ["# head", "", "summary"], required=True),
                Section("big", ["x" * 500]), Section("small", ["small one"])]
    assert fit(sections, None) == "# head\n\nsummary\n\n" + "x" * 500 + "\n\nsmall one\n"
    cut = fit(sections, 300)
    assert len(cut) <= 300
    assert "small one" in cut and "x" * 500 not in cut
    assert "left out big." in cut
