"""Terminal output fits the terminal: 100 columns when stdout is not a terminal, $COLUMNS when
set, and everything at full width with --wide."""

from __future__ import annotations

import pytest

from advisor.outputs.terminal import Column, fit_table, wrap


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def test_analyze_fits_100_columns_when_not_a_terminal(run_cli):
    code, out, err = run_cli("analyze", "--demo", "-q")
    assert code == 0, err
    assert widest(out) <= 100
    lines = out.splitlines()
    head = next(x for x in lines if x.startswith("workload "))
    assert "recommended" in head and "saving/mo" in head and "payback" in head
    # the rules of a row wrap under it; nothing is lost
    row = next(i for i, x in enumerate(lines) if x.startswith("backup-vault "))
    assert lines[row + 1].strip().startswith("rules: BIO-002, LOCAL-002")
    # the reasons wrap with a hanging indent under their bullet
    why = lines.index("Why:")
    assert lines[why + 1] == "  backup-vault:"
    assert lines[why + 2].startswith("    - move onprem-dc2 -> nl-sovereign-ams")
    assert lines[why + 3].startswith("      ") and not lines[why + 3].startswith("       ")
    assert "monthly savings" in out and "optimal" in out


def test_analyze_follows_columns_and_wide_shows_everything(run_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_cli("analyze", "--demo", "-q")
    assert code == 0
    assert widest(out) <= 80
    monkeypatch.setenv("COLUMNS", "250")
    code, wide_cols, _ = run_cli("analyze", "--demo", "-q")
    head = next(x for x in wide_cols.splitlines() if x.startswith("workload "))
    assert "application" in head and "now/mo" in head and "rules" in head  # room for all
    code, wide, _ = run_cli("analyze", "--demo", "-q", "--wide")
    assert code == 0
    assert widest(wide) > 200  # as it always was: one line per reason
    head = next(x for x in wide.splitlines() if x.startswith("workload "))
    assert head.split() == ["workload", "application", "now", "recommended", "now/mo",
                            "after/mo", "saving/mo", "one-off", "payback", "(mo)", "rules"]


def test_analyze_to_a_file_fits_100(run_cli, tmp_path):
    out = tmp_path / "plan.txt"
    code, _, err = run_cli("analyze", "--demo", "-q", "-o", str(out))
    assert code == 0, err
    assert widest(out.read_text()) <= 100


def test_check_text_and_policies_list_fit(run_cli):
    code, out, _ = run_cli("check", "--demo", "--fail-on", "never")
    assert code == 0
    assert widest(out) <= 100
    assert "(workloads.yaml:" in out  # the demo file, named relative to no folder of the user
    code, wide, _ = run_cli("check", "--demo", "--fail-on", "never", "--wide")
    assert widest(wide) > 100
    assert " ".join(wide.split()) == " ".join(out.split())  # the same words, only wrapped
    code, out, _ = run_cli("policies", "list")
    assert code == 0
    assert widest(out) <= 100
    code, wide, _ = run_cli("policies", "list", "--wide")
    assert widest(wide) > 200


def test_fit_table_gives_way_in_order():
    cols = [Column("id"), Column("name", drop=1), Column("amount", "right"),
            Column("notes", under=True)]
    rows = [["a-1", "first name", "1,000.00", "one two three four five six seven"],
            ["b-22", "second", "20.00", "-"]]
    full = fit_table(rows, cols, None)
    assert full.splitlines()[0].split() == ["id", "name", "amount", "notes"]
    narrow = fit_table(rows, cols, 40)
    assert widest(narrow) <= 40
    lines = narrow.splitlines()
    assert lines[0].split() == ["id", "name", "amount"]
    assert lines[3].strip() == "notes: one two three four five six"
    assert lines[4].strip() == "seven"
    assert lines[5].startswith("b-22")  # "-" is not repeated under its row
    narrower = fit_table(rows, cols, 22)
    assert narrower.splitlines()[0].split() == ["id", "amount"]
    assert "name" not in narrower


def test_wrap_keeps_ids_whole():
    lines = wrap("excluded: azure-germanywestcentral by CNL-002, LOCAL-002", 24, "- ", "  ")
    assert "  azure-germanywestcentral" in lines
    assert all(x.startswith(("- ", "  ")) for x in lines)
    assert wrap("one line", None, "  ") == ["  one line"]
