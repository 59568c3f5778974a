"""Totals that reconcile: in every output of analyze on the demo (table, Markdown, JSON), every
table whose parts are shown adds up exactly, as shown, to its total (README, "Cost
conventions"); the report's are in tests/report/test_report_totals.py."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from shown_amounts import amount

AS_OF = "2026-12-02"
D = Decimal


def _columns(table: list[str]) -> list[list[str]]:
    """The cells of a tabulate 'simple' table, sliced at the dashes under the header."""
    dashes = table[1]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)]
    out = []
    for line in table[2:]:
        cells = []
        for i, (a, _b) in enumerate(spans):
            end = spans[i + 1][0] if i + 1 < len(spans) else len(line)
            start = spans[i - 1][1] if i else 0
            cells.append(line[start:end].strip() if a < len(line) else "")
        out.append(cells)
    return out


def _table_after(lines: list[str], header_start: str) -> list[str]:
    i = next(k for k, line in enumerate(lines) if line.startswith(header_start))
    end = next((k for k in range(i, len(lines)) if not lines[k].strip()), len(lines))
    return lines[i:end]


@pytest.mark.parametrize("moves_only", [False, True])
def test_analyze_table_adds_up(run_cli, moves_only):
    args = ["analyze", "--demo", "--as-of", AS_OF, "--wide"] \
        + (["--moves-only"] if moves_only else [])
    code, out, err = run_cli(*args)
    assert code == 0, err
    lines = out.splitlines()
    rows = _columns(_table_after(lines, "workload "))
    header = _table_after(lines, "workload ")[0].split()
    assert header[:4] == ["workload", "application", "now", "recommended"]
    *parts, total = rows
    assert total[0] == "total"
    for col in (4, 5, 6, 7):
        assert sum((amount(r[col]) for r in parts), D(0)) == amount(total[col])
    for r in parts:  # a saving shown is the difference of the amounts shown beside it
        assert amount(r[4]) - amount(r[5]) == amount(r[6])
    if moves_only:
        assert any("workloads that stay" in r[0] for r in parts)
    split = _columns(_table_after(lines, "monthly cost by line"))
    *lines_, split_total = split
    for col in (1, 2, 3):
        assert sum((amount(r[col]) for r in lines_), D(0)) == amount(split_total[col])
    assert split_total[1:3] == total[4:6]
    objective = next(line for line in lines if line.startswith("objective "))
    total_text, parts_text = objective.split("=", 1)
    amounts = re.findall(r"(-?[\d,]+\.\d\d) ", parts_text)
    assert sum((amount(a) for a in amounts), D(0)) == amount(total_text.split()[1])
    savings = next(line for line in lines if line.startswith("monthly savings"))
    whole, detail = savings.split("(", 1)
    assert sum((amount(a) for a in re.findall(r"(-?[\d,]+\.\d\d)", detail)), D(0)) == \
        amount(whole.split()[2])


def test_analyze_json_adds_up(run_cli):
    code, out, err = run_cli("analyze", "--demo", "--as-of", AS_OF, "-f", "json")
    assert code == 0, err
    doc = json.loads(out)
    s = doc["summary"]

    def total(key: str, rows: list[dict]) -> Decimal:
        return sum((D(str(r[key])) for r in rows), D(0))

    recs, lines = doc["recommendations"], doc["lines"]
    for key, summary_key in (("current_monthly_cost", "current_monthly_cost"),
                             ("recommended_monthly_cost", "recommended_monthly_cost"),
                             ("monthly_savings", "monthly_savings"),
                             ("one_off_cost", "one_off_cost")):
        assert total(key, recs) + total(key, lines) == D(str(s[summary_key])), key
    for r in recs:
        b = r["breakdown"]
        assert sum((D(str(v)) for v in b["current"].values()), D(0)) == \
            D(str(r["current_monthly_cost"]))
        assert sum((D(str(b["recommended"][k])) for k in ("run", "licences", "egress")),
                   D(0)) == D(str(r["recommended_monthly_cost"]))
    for side, key in (("current", "current_monthly_cost"),
                      ("recommended", "recommended_monthly_cost")):
        assert sum((D(str(v[side])) for v in s["split"].values()), D(0)) == D(str(s[key]))
    assert total("amount", s["objective_parts"]) == D(str(s["objective"]))
    assert sum((D(str(v)) for v in s["savings"].values()), D(0)) == D(str(s["monthly_savings"]))
    moved = [r for r in recs if r["current_location"] != r["recommended_location"]]
    assert total("monthly_savings", moved) == D(str(s["savings"]["moves"]))


def test_analyze_markdown_adds_up(run_cli):
    code, out, err = run_cli("analyze", "--demo", "--as-of", AS_OF, "-f", "markdown")
    assert code == 0, err
    table = [line for line in out.splitlines() if line.startswith("| ")]
    head = next(i for i, line in enumerate(table) if line.startswith("| workload |"))
    rows = []
    for line in table[head + 1:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 10:
            break
        rows.append(cells)
    *parts, total = rows
    assert total[0] == "total"
    for col in (4, 5, 6, 7):
        assert sum((amount(r[col]) for r in parts), D(0)) == amount(total[col])
