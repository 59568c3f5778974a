"""Totals that reconcile in the report: the table of moves (with the moves left out, the
workloads that stay but change cost and the estate's lines) adds up to the monthly savings and
the one-off cost, in HTML and Markdown, in English and Dutch; the waterfall's steps add up to
the difference of its two totals."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from report_helpers import demo_report
from shown_amounts import amount

D = Decimal


class _Tables(HTMLParser):
    """Every table's body rows and footer as cell texts; the waterfall's texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[list[str]]]] = []
        self.part = ""
        self.cell: list[str] | None = None
        self.row: list[str] = []
        self.figure = ""
        self.texts: list[str] = []
        self.in_text = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"tbody": [], "tfoot": [], "css": [a.get("class") or ""]})
        elif tag in ("tbody", "tfoot", "thead"):
            self.part = tag
        elif tag == "tr":
            self.row = []
        elif tag == "td":
            self.cell = []
        elif tag == "figure":
            self.figure = a.get("id") or ""
        elif tag == "text" and self.figure == "fig-waterfall":
            self.in_text = True

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.part in ("tbody", "tfoot") and self.tables:
            self.tables[-1][self.part].append(self.row)
        elif tag == "figure":
            self.figure = ""
        elif tag == "text":
            self.in_text = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.in_text:
            self.texts.append(data)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_report_adds_up(tmp_path, lang):
    code, text, err = demo_report(tmp_path, "--lang", lang)
    assert code == 0, err
    parser = _Tables()
    parser.feed(text)
    moves = next(t for t in parser.tables if t["css"] == ["wide"] and t["tfoot"]
                 and len(t["tfoot"][0]) == 7)
    foot = moves["tfoot"][0]
    for col in (4, 5):
        assert sum((amount(r[col]) for r in moves["tbody"]), D(0)) == amount(foot[col])
    amounts = [t for t in parser.texts if re.search(r"\d[.,]\d\d$", t)]
    start, *steps, end = (amount(a) for a in amounts if "€" in a)
    assert start + sum(steps, D(0)) == end
    code, md_text, err = demo_report(tmp_path, "--lang", lang, "--format", "markdown",
                                     name="r.md")
    assert code == 0, err
    lines = md_text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| workload |"))
    table = []
    for line in lines[head + 2:]:
        row = [c.strip() for c in line.strip().strip("|").split("|")]
        table.append(row)
        if row[0].startswith("**"):
            break
    *parts, total = table
    for col in (4, 5):
        assert sum((amount(r[col]) for r in parts), D(0)) == amount(total[col])
