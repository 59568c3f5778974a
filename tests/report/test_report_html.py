"""The HTML report as a reader gets it: it parses, it holds the ledger's and the plan's figures,
it is one self-contained file, and the same input gives the same bytes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_helpers import Expected, demo_report, expected_demo

from advisor.outputs.i18n import Lang

html5lib = pytest.importorskip("html5lib")
NS = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("html")
    code, text, err = demo_report(folder)
    assert code == 0, err
    return folder, text


@pytest.fixture(scope="module")
def expected() -> Expected:
    return expected_demo()


def parse(text: str) -> object:
    """Parse strictly: any HTML syntax error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)


def text_of(element: object) -> str:
    return " ".join("".join(element.itertext()).split())  # type: ignore[attr-defined]


def by_id(doc: object, ident: str) -> object:
    found = doc.find(f".//*[@id='{ident}']")  # type: ignore[attr-defined]
    assert found is not None, ident
    return found


def test_parses_and_holds_the_ledger_and_plan_figures(report: tuple[Path, str],
                                                       expected: Expected) -> None:
    _, text = report
    doc = parse(text)
    en = Lang("en", "EUR")
    total = text_of(by_id(doc, "kpi-total"))
    assert en.money(expected.total) in total
    assert en.money(expected.billed) in total and en.money(expected.modelled) in total
    change = text_of(by_id(doc, "kpi-vs-last-month"))
    assert en.money(expected.total - expected.previous_total, signed=True) in change
    assert en.money(expected.previous_total) in change
    per_person = text_of(by_id(doc, "kpi-per-inhabitant"))
    assert en.money(expected.total * 12 / 157000) in per_person
    decision = text_of(by_id(doc, "decision"))
    assert en.money(expected.monthly_savings) in decision
    assert en.money(expected.one_off) in decision
    assert f"{expected.moves} moves" in decision
    assert en.money(expected.unallocated) in text_of(by_id(doc, "unallocated-now"))
    # every section a board member looks for
    for ident in ("headline", "recommendations", "applications", "compliance", "unallocated",
                  "assumptions", "rightsizing", "waivers", "chains"):
        by_id(doc, ident)
    assumptions = text_of(by_id(doc, "assumptions"))
    assert "1 USD = 0.8982 EUR, rate of 2026-10-28" in assumptions
    assert "36 months" in assumptions and "BilledCost" in assumptions
    assert "onprem-dc1" in assumptions  # the modelled locations are named


def test_charts_are_inline_svg(report: tuple[Path, str]) -> None:
    _, text = report
    doc = parse(text)
    for ident in ("chart-trend", "chart-waterfall", "chart-applications"):
        svg = doc.find(f".//{{http://www.w3.org/2000/svg}}svg[@id='{ident}']")  # type: ignore[attr-defined]
        assert svg is not None, ident
        assert svg.find("{http://www.w3.org/2000/svg}title") is not None  # for screen readers
    trend = text.split('id="chart-trend"')[1].split("</svg>")[0]
    for month in ("Aug 2026", "Sep 2026", "Oct 2026"):
        assert month in trend
    for provider in ("On-premise", "AWS", "Azure"):
        assert provider in trend
    bars = text.split('id="chart-applications"')[1].split("</svg>")[0]
    assert bars.count("<rect") >= 15  # top 15 applications
    chains = doc.findall(".//{http://www.w3.org/2000/svg}svg[@class='chain']")  # type: ignore[attr-defined]
    assert len(chains) >= 5


def test_self_contained(report: tuple[Path, str]) -> None:
    _, text = report
    doc = parse(text)
    assert doc.find(f".//{NS}script") is None  # type: ignore[attr-defined]
    assert doc.find(f".//{NS}link") is None  # type: ignore[attr-defined]
    assert not re.search(r"\ssrc=", text)
    assert "@import" not in text and "url(http" not in text and "@font-face" not in text
    for match in re.finditer(r'href="([^"]*)"', text):
        assert match.group(1).startswith(("#", "https://", "http://")), match.group(1)
    assert "default-src 'none'" in text  # the CSP forbids loading anything
    assert "@page" in text and "A4" in text


def test_same_input_same_bytes(report: tuple[Path, str]) -> None:
    folder, text = report
    code, again, err = demo_report(folder, name="again.html")
    assert code == 0, err
    assert again == text


def test_dutch(report: tuple[Path, str], expected: Expected) -> None:
    folder, _ = report
    code, text, err = demo_report(folder, "--lang", "nl", name="nl.html")
    assert code == 0, err
    doc = parse(text)
    nl = Lang("nl", "EUR")
    assert nl.money(expected.total) in text_of(by_id(doc, "kpi-total"))
    assert re.fullmatch(r"€ \d{2}\.\d{3},\d{2}", nl.money(expected.total))
    assert "oktober 2026" in text and "Aanbevelingen" in text and 'lang="nl"' in text
    assert "Kerncijfers" in text and "Uitgangspunten" in text


def test_markdown_with_mermaid(tmp_path: Path, expected: Expected) -> None:
    code, text, err = demo_report(tmp_path, "--format", "markdown", name="r.md")
    assert code == 0, err
    en = Lang("en", "EUR")
    assert text.startswith("# IT cost report October 2026: Gemeente Voorbeeld\n")
    assert en.money(expected.total) in text
    assert en.money(expected.monthly_savings) in text
    assert text.count("```mermaid\nflowchart LR\n") >= 5
    assert "| month | On-premise | AWS | Azure | SaaS | total |" in text
    assert "<script" not in text
