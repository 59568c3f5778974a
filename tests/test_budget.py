"""`advisor analyze --budget`: the multi-year budget, its CSV and the report section."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def test_demo_budget_adds_up(run_cli):
    code, out, err = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--budget",
                             "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    years = doc["budget"]
    assert [y["year"] for y in years] == [2027, 2028, 2029, 2030]
    for y in years:
        parts = sum(_d(y[k]) for k in ("operating", "capital_charges", "commitments", "one_off"))
        assert parts == _d(y["total"])
    assert _d(years[0]["one_off"]) == _d(doc["summary"]["one_off_cost"])
    assert all(y["one_off"] == 0 for y in years[1:])
    # a year without write-off or one-off: operating + capital = 12 x the monthly cost without
    # the commitment lines (to the cent, up to the apportioned cents)
    commitments = sum(_d(line["recommended_monthly_cost"]) for line in doc["lines"]
                      if line["kind"] == "commitment")
    expected = 12 * (_d(doc["summary"]["recommended_monthly_cost"]) - commitments)
    last = years[-1]
    assert abs(_d(last["operating"]) + _d(last["capital_charges"]) - expected) <= Decimal("0.25")
    # the book value of the data centre that closes is written off in the first year
    assert _d(years[0]["capital_charges"]) - _d(years[1]["capital_charges"]) == \
        _d(doc["summary"]["write_off"])
    assert any("aws-ri-ireland" in x for x in years[1]["commitments_ending"])


def test_budget_table_markdown_and_csv(run_cli):
    code, out, _ = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--budget", "2")
    assert code == 0 and "Multi-year budget (meerjarenbegroting)" in out
    code, md, _ = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--budget", "2",
                          "--format", "markdown")
    assert code == 0 and "## Multi-year budget" in md
    code, text, _ = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--budget", "2",
                            "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["year"] for r in rows] == ["2027", "2028"]
    for r in rows:
        assert sum(_d(float(r[k])) for k in ("operating", "capital_charges", "commitments",
                                              "one_off")) == _d(float(r["total"]))
        assert r["currency"] == "EUR"


def test_csv_cells_from_files_are_never_formulas(run_cli, small_estate):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "commitments:\n  - {id: '-1-1', location: aws-fra, "
                    "covers: {cpu: 1, memory_gb: 1}, monthly: 10, currency: USD, "
                    "ends: 2027-06-30}\n")
    code, text, err = run_cli("analyze", "-c", str(small_estate), "-q", "--as-of", "2026-12-01",
                              "--budget", "--format", "csv")
    assert code == 0, err
    first = next(iter(csv.DictReader(io.StringIO(text))))
    assert first["commitments_ending"] == "'-1-1 (2027-06-30)"


@pytest.mark.parametrize(("args", "message"), [
    (("--budget", "0"), "--budget takes 1 to 30 years"),
    (("--format", "csv"), "add --budget"),
])
def test_bad_budget_requests_exit_2(run_cli, small_estate, args, message):
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q", *args)
    assert code == 2 and message in err and out == ""


def test_report_has_the_budget_section(run_cli, small_estate, tmp_path):
    out = tmp_path / "r.md"
    code, _, err = run_cli("report", "-c", str(small_estate), "--month", "2026-11", "--store",
                           str(tmp_path / "h.db"), "--format", "markdown", "-o", str(out),
                           "--lang", "nl")
    assert code == 0, err
    assert "## Meerjarenbegroting" in out.read_text()
