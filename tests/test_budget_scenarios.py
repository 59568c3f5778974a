"""The multi-year budget of each scenario beside the base plan's (`advisor analyze --scenario F
--budget`, every format) and in the report (charts and tables), through the real CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from advisor.outputs import charts
from advisor.outputs.i18n import Lang

SCHEMAS = Path(__file__).resolve().parents[1] / "advisor" / "schemas"
PARTS = ("operating", "capital_charges", "commitments", "one_off")
CSV_COLUMNS = ["scenario", "year", *PARTS, "total", "currency", "commitments_ending",
               "replacement_investment"]
SCENARIOS = """\
scenarios:
  - name: aws-double
    description: AWS doubles its prices
    price_factors: {aws: 2}
  - name: dc-closes-late
    close: [{location: dc, from: 2031-01-01}]
  - name: -no-aws
    exclude_providers: [aws]
"""
NAMES = ["aws-double", "dc-closes-late", "-no-aws"]
ARGS = ("-q", "--as-of", "2026-12-01", "--budget", "3")


def _d(x: object) -> Decimal:
    return Decimal(str(x))


def _scenarios(folder: Path) -> Path:
    path = folder / "scenarios.yaml"
    path.write_text(SCENARIOS, encoding="utf-8")
    return path


def _run(run_cli, estate: Path, *extra: str) -> str:
    code, out, err = run_cli("analyze", "-c", str(estate), *ARGS, "--scenario",
                             str(_scenarios(estate)), *extra)
    assert code == 0, err
    return out


def test_json_gives_each_scenario_a_budget_that_adds_up(run_cli, small_estate):
    doc = json.loads(_run(run_cli, small_estate, "--format", "json"))
    jsonschema.validate(doc, json.loads((SCHEMAS / "plan.schema.json").read_text()))
    assert [s["name"] for s in doc["scenarios"]] == NAMES
    plans = [("base", doc["budget"], doc["summary"]),
             *((s["name"], s["budget"], s["summary"]) for s in doc["scenarios"])]
    for name, years, summary in plans:
        # the base plan's calendar years for every scenario, in the same shape
        assert [y["year"] for y in years] == [2027, 2028, 2029], name
        assert set(years[0]) == set(doc["budget"][0]), name
        for y in years:
            assert sum(_d(y[k]) for k in PARTS) == _d(y["total"]), (name, y["year"])
        assert _d(years[0]["one_off"]) == _d(summary["one_off_cost"]), name
    by_name = {name: years for name, years, _ in plans}
    # a closure after the horizon changes nothing; doubled AWS prices change the budget
    assert by_name["dc-closes-late"] == by_name["base"]
    assert by_name["aws-double"] != by_name["base"]


def test_csv_has_a_scenario_column_base_first(run_cli, small_estate):
    text = _run(run_cli, small_estate, "--format", "csv")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == CSV_COLUMNS
    rows = list(reader)
    # base first, then the scenarios in their file's order, three years each; a name that
    # starts like a formula is written as text
    assert [r["scenario"] for r in rows] == [n for n in ("base", "aws-double", "dc-closes-late",
                                                         "'-no-aws") for _ in range(3)]
    assert [r["year"] for r in rows] == ["2027", "2028", "2029"] * 4
    for r in rows:
        assert sum(_d(r[k]) for k in PARTS) == _d(r["total"]), r
        assert r["currency"] == "EUR"
        assert re.fullmatch(r"-?\d+\.\d\d", r["total"])  # cents, never 1E+3
    doc = json.loads(_run(run_cli, small_estate, "--format", "json"))
    json_totals = [y["total"] for y in doc["budget"]] + [
        y["total"] for s in doc["scenarios"] for y in s["budget"]]
    assert [_d(r["total"]) for r in rows] == [_d(x) for x in json_totals]
    assert _run(run_cli, small_estate, "--format", "csv") == text  # byte-identical


def test_csv_without_scenarios_has_the_same_columns(run_cli, small_estate):
    code, text, err = run_cli("analyze", "-c", str(small_estate), *ARGS, "--format", "csv")
    assert code == 0, err
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == CSV_COLUMNS
    assert {r["scenario"] for r in reader} == {"base"}


def test_table_and_markdown_compare_the_plans(run_cli, small_estate):
    doc = json.loads(_run(run_cli, small_estate, "--format", "json"))
    grand = {"base": sum(_d(y["total"]) for y in doc["budget"])}
    for s in doc["scenarios"]:
        grand[s["name"]] = sum(_d(y["total"]) for y in s["budget"])
    out = _run(run_cli, small_estate)
    part = out[out.index("Budget per calendar year of the base plan and each scenario"):]
    for name, total in grand.items():
        line = next(x for x in part.splitlines() if x.startswith(name + " "))
        assert f"{total:,.2f}" in line, line
        if name != "base":
            diff = total - grand["base"]
            assert line.rstrip().endswith(("+" if diff > 0 else "") + f"{diff:,.2f}"), line
    assert "Scenario aws-double (AWS doubles its prices):" in out
    md = _run(run_cli, small_estate, "--format", "markdown")
    assert "### Base plan and scenarios" in md
    assert "### Scenario aws-double (AWS doubles its prices)" in md
    assert "| aws-double |" in md and "| -no-aws |" in md


def test_the_name_base_is_the_base_plans(run_cli, small_estate):
    path = small_estate / "s.yaml"
    path.write_text("scenarios:\n  - name: x\n  - name: base\n", encoding="utf-8")
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q", "--scenario", str(path))
    assert code == 2 and out == ""
    assert f"{path}:3" in err and "the scenario name 'base' is the base plan's" in err


@pytest.mark.parametrize(("args", "message"), [
    (("--budget", "0"), "--budget takes 1 to 30 years"),
    (("--budget", "31"), "--budget takes 1 to 30 years"),
    # click reads it as an option of its own: exit 2, and a hint that says what it is
    (("--budget", "-2"), "hint: -2 is a negative number, and no option of advisor takes one"),
    (("--budget", "two"), "is not a valid integer"),
])
def test_bad_budget_with_scenarios_exits_2(run_cli, small_estate, args, message):
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q", "--scenario",
                             str(_scenarios(small_estate)), *args)
    assert code == 2 and message in err and out == ""
    assert "Traceback" not in err


def _report(run_cli, estate: Path, tmp_path: Path, fmt: str, *extra: str) -> str:
    out = tmp_path / f"r.{fmt}"
    code, _, err = run_cli("report", "-c", str(estate), "--month", "2026-11", "--store",
                           str(tmp_path / "h.db"), "--format", fmt, "-o", str(out), *extra)
    assert code == 0, err
    return out.read_text(encoding="utf-8")


def _money(text: str) -> Decimal:
    return Decimal(text.replace("€", "").replace(",", "").replace("+", ""))


def test_report_charts_and_tables_of_the_scenarios_budget(run_cli, small_estate, tmp_path):
    _scenarios(small_estate)
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "scenarios: scenarios.yaml\n")
    html = _report(run_cli, small_estate, tmp_path, "html")
    assert '<section id="scenarios">' in html and '<section id="budget">' in html
    budget = html[html.index('<section id="budget">'):]
    budget = budget[:budget.index("</section>")]
    stacked = budget[budget.index('<svg'):budget.index("</svg>") + 6]
    grouped = budget[budget.index('<svg', budget.index("</svg>")):]
    grouped = grouped[:grouped.index("</svg>") + 6]
    assert 'id="chart-budget"' in stacked and 'id="chart-budget-scenarios"' in grouped
    for svg in (stacked, grouped):
        ET.fromstring(svg)  # well-formed
    for name in ("operating", "capital charges", "commitments", "one-off cost"):
        assert f">{name}</text>" in stacked
    for name in ("base plan", *NAMES):
        assert f">{name}</text>" in grouped
    # one bar per plan (4) and year (the report's default 4), and a legend entry per plan
    assert len(re.findall(r'fill="url\(#chart-budget-scenarios-p\d\)" stroke="#000000" '
                          r'stroke-width="0.4"', grouped)) == 4 * 4
    assert grouped.count('width="14" height="12"') == 4
    assert "<script" not in html.lower()
    md = _report(run_cli, small_estate, tmp_path, "markdown")
    table = md[md.index("### Base plan and scenarios per year"):].split("\n\n")[2]
    lines = table.splitlines()
    assert lines[0].startswith("| scenario | 2027 | 2028 | 2029 | 2030 | total | vs base plan |")
    rows = [[c.strip() for c in x.strip("|").split("|")] for x in lines[2:]]
    assert [r[0] for r in rows] == ["base plan", *NAMES]
    base_total = _money(rows[0][5])
    for r in rows:
        assert sum(_money(c) for c in r[1:5]) == _money(r[5]), r  # the years add up
        if r[0] != "base plan":
            assert _money(r[6]) == _money(r[5]) - base_total, r


def test_report_without_scenarios_draws_the_base_budget_only(run_cli, small_estate, tmp_path):
    html = _report(run_cli, small_estate, tmp_path, "html")
    assert 'id="chart-budget"' in html and "chart-budget-scenarios" not in html
    assert '<section id="scenarios">' not in html and '<section id="targets">' not in html


def test_stacked_bars_draw_a_negative_part_below_zero():
    lang = Lang("en", "EUR")
    svg = charts.stacked_bars("b", "t", ["2027", "2028"], [
        ("operating", [Decimal(1000), Decimal(1000)]),
        ("commitments", [Decimal(-200), Decimal(0)])], lang)
    root = ET.fromstring(svg)
    zero = float(re.findall(r'<line x1="86" x2="668" y1="([\d.]+)" y2="[\d.]+" '
                            r'stroke="#000000"', svg)[0])
    bars = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" '
                      r'fill="url\(#b-p(\d)\)" stroke="#FFFFFF"', svg)  # not the legend
    neg = [b for b in bars if b[3] == "1"]
    assert len(neg) == 1 and abs(float(neg[0][1]) - zero) < 0.11  # hangs from the zero line
    pos = [b for b in bars if b[3] == "0"]
    assert all(abs(float(y) + float(h) - zero) < 0.11 for _, y, h, _ in pos)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "€800" in texts and "€1,000" in texts and "-€200" in texts  # totals and the part


def test_grouped_bars_escape_names_and_write_every_amount():
    lang = Lang("nl", "EUR")
    svg = charts.grouped_bars("g", 'Totaal <b>"&"</b>', ["2027", "2028"], [
        ("basisplan", [Decimal(1500), Decimal(900)]),
        ("<script>alert(1)</script>", [Decimal(1600), Decimal(-50)])], lang)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<script>alert(1)</script>" in texts and 'Totaal <b>"&"</b>' in texts
    for amount in ("€ 1.500", "€ 900", "€ 1.600", "-€ 50"):
        assert amount in texts, amount
