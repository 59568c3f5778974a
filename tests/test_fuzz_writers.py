"""Fuzzing every output writer: names from the estate, waivers and bills made of markup, escape
sequences, control characters and formula starts must give well-formed output in every format.

XML (JUnit, SVG) parses and JUnit validates against junit-10.xsd; JSON parses and SARIF validates
against the 2.1.0 schema; Markdown rendered by GitHub's own cmark-gfm holds no element, link,
mention or table cell that came from a name; HTML parses (html5lib) with no injected element;
CSV round-trips with no cell a spreadsheet would run; terminal text holds no escape sequence or
control character. At least 200 examples per writer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent / "data"
SCHEMAS = DATA / "schemas"
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</details>", "<details>",
    "[x](javascript:alert(1))", "![t](http://evil.example/t.png)", "<http://evil.example>",
    "@admin", "#12", "http://evil.example/p", "www.evil.example", "a@b.example", "|", "`",
    "```", "~~~", "*", "_", "~~", "\\", "$x$", "{", "}", "\x1b[31m", "\x1b]0;title\x07",
    "\x1b]8;;http://evil.example\x1b\\", "\x9b2J", "\x01", "\x00", "\x0c", "\r", "\n", "\t",
    "\u202e", "\u2066", "\ufffe", "\x85", "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(1)", "%0A",
    "&amp;", "&", '"', "'", "]]>", "<!--", "-->", "ë", "#", "> ", "1. ", "- ", "---", ":x:",
    "<br/>", "#60;", "\\N", "\\G", "-->|x|", "}}",
]
piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))
hostile = st.lists(piece, min_size=1, max_size=5).map(lambda parts: "a" + "".join(parts))
NAMES = st.fixed_dictionaries({
    "estate": hostile, "app": hostile, "name": hostile, "other_app": hostile,
    "location": hostile, "reason": hostile, "owner": hostile})

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HTML_ALLOWED = {"html", "head", "body", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                "thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "strong", "em", "code",
                "pre", "a", "details", "summary", "del", "br", "hr", "blockquote"}


# -- the estate -----------------------------------------------------------------------------------

def _estate(root: Path, names: dict[str, str]) -> Path:
    """The check test estate with hostile names, a hostile waiver and a proposed move."""
    target = root / "estate"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(DATA / "check", target)
    cfg = yaml.safe_load((target / "advisor.yaml").read_text(encoding="utf-8"))
    cfg["name"] = names["estate"]
    (target / "advisor.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True),
                                         encoding="utf-8")
    wl = yaml.safe_load((target / "workloads.yaml").read_text(encoding="utf-8"))
    for w in wl["workloads"]:
        w["application"] = names["app"] if w["application"] == "site" else names["other_app"]
    wl["workloads"][0]["name"] = names["name"]
    (target / "workloads.yaml").write_text(yaml.safe_dump(wl, allow_unicode=True),
                                           encoding="utf-8")
    locs = yaml.safe_load((target / "locations.yaml").read_text(encoding="utf-8"))
    locs["locations"][0]["name"] = names["location"]
    (target / "locations.yaml").write_text(yaml.safe_dump(locs, allow_unicode=True),
                                           encoding="utf-8")
    waivers = {"waivers": [{"rule": "SOV-004", "workload": "care", "reason": names["reason"],
                            "owner": names["owner"], "expires": "2027-03-31"}]}
    (target / "waivers.yaml").write_text(yaml.safe_dump(waivers, allow_unicode=True),
                                         encoding="utf-8")
    (root / "proposal.yaml").write_text("web: aws-fra\napi: aws-fra\n", encoding="utf-8")
    return target / "advisor.yaml"


# -- validators -----------------------------------------------------------------------------------

def assert_terminal_clean(text: str) -> None:
    assert "\x1b" not in text and not CONTROL.search(text), repr(CONTROL.search(text))


@cache
def _junit_schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


@cache
def _sarif_validator() -> Any:
    import jsonschema

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def _html_tree(text: str) -> Any:
    html5lib = pytest.importorskip("html5lib")
    return html5lib.parse(text, namespaceHTMLElements=False)


def _no_injected_elements(tree: Any, allowed: set[str] | None) -> None:
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert allowed is None or el.tag in allowed, f"element <{el.tag}> from a name"
        assert el.tag not in ("script", "img", "iframe", "object", "embed", "input", "form",
                              "link", "meta" if allowed is not None else "-"), f"<{el.tag}>"
        for attr, value in el.attrib.items():
            assert not attr.lower().startswith("on"), f"{attr}= on <{el.tag}>"
            if attr in ("href", "src"):
                assert value.startswith(("http://", "https://", "#")), value


def assert_markdown_safe(md: str) -> None:
    """Rendered as GitHub renders it: only our elements, links only to http(s) references, no
    autolink, mention or reference from a name, every table row as wide as its header."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    from cmarkgfm.cmark import Options

    html = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
    tree = _html_tree(html)
    _no_injected_elements(tree, HTML_ALLOWED)
    assert len(tree.findall(".//details")) == \
        sum(1 for line in md.splitlines() if line.startswith("<details>"))
    links = [a.get("href", "") for a in tree.iter("a")]
    assert all(h.startswith(("https://", "http://")) and "evil.example" not in h
               for h in links), links
    for code in tree.iter("code"):  # GitHub links no mention inside code
        code.text = ""
        for child in code:
            child.text = child.tail = ""
    visible = "".join(tree.itertext())
    assert not re.search(r"(?<![\w.])@[A-Za-z]", visible.replace("@\u200b", "")), visible
    in_fence = False
    width = None
    for line in md.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", line))
            width = cells if width is None else width
            assert cells == width, line
        else:
            width = None


def assert_csv_safe(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len({len(r) for r in rows}) == 1, rows
    for row in rows:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "|", "%", "\t", "\r"):
                assert re.fullmatch(r"[+-]?[\d,.]+", cell), cell
    return rows


def assert_dot_wellformed(text: str) -> None:
    """Every double-quoted string closes on its line; no name adds a statement."""
    for line in text.splitlines():
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"', "S", line)
        assert '"' not in stripped, line
        assert stripped.count("[") == stripped.count("]"), line


def assert_mermaid_wellformed(text: str) -> None:
    node = re.compile(r'^  n\d+(\["[^"<>`|]*"\]|\("[^"<>`|]*"\))$')
    edge = re.compile(r'^  n\d+ (-->|-\.->)\|"[^"<>`|]*"\| n\d+$')
    style = re.compile(r"^  style n\d+ [#:,A-Za-z0-9 .-]+$")
    for line in text.replace("<br/>", " ").splitlines():  # our own line breaks
        if line in ("flowchart LR", "```mermaid", "```", "") or line.startswith("#"):
            continue
        assert node.match(line) or edge.match(line) or style.match(line), line


# -- the writers ----------------------------------------------------------------------------------

@FUZZ
@given(names=NAMES)
def test_check_writers(tmp_path_factory: pytest.TempPathFactory, names: dict[str, str]) -> None:
    from advisor.check.gate import run_check
    from advisor.outputs import check_json, check_markdown, check_text, gitlab, junit, sarif

    root = tmp_path_factory.mktemp("check")
    config = _estate(root, names)
    result = run_check(str(config), placement=str(root / "proposal.yaml"), terraform_plan=None,
                       tag_key="advisor-workload", waivers=None, budgets=None,
                       today=dt.date(2026, 11, 1), fail_on="error")
    assert_terminal_clean(check_text.render(result).replace("\n", "").replace("\t", ""))
    json.loads(check_json.render(result))
    doc = json.loads(sarif.render(result))
    _sarif_validator().validate(doc)
    prints = [r["partialFingerprints"]["advisorFinding/v1"] for r in doc["runs"][0]["results"]]
    assert len(prints) == len(set(prints))
    issues = json.loads(gitlab.render(result))
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    xml = junit.render(result)
    root_el = ET.fromstring(xml)
    _junit_schema().validate(xml)
    keys = [(s.get("name"), c.get("classname"), c.get("name"))
            for s in root_el.iter("testsuite") for c in s.iter("testcase")]
    assert len(keys) == len(set(keys))
    md = check_markdown.render(result)
    assert_markdown_safe(md)
    for block in md.split("```mermaid")[1:]:
        assert_mermaid_wellformed(block.split("```")[0])


@FUZZ
@given(names=NAMES)
def test_plan_and_diagram_writers(tmp_path_factory: pytest.TempPathFactory,
                                  names: dict[str, str]) -> None:
    from advisor.estate.load import load_estate
    from advisor.outputs import diagrams, plan_json, plan_text
    from advisor.pipeline import analyze_estate

    root = tmp_path_factory.mktemp("plan")
    plan = analyze_estate(load_estate(_estate(root, names)), time_limit_s=30)
    assert_terminal_clean(plan_text.render_table(plan).replace("\n", "").replace("\t", ""))
    json.loads(plan_json.render(plan))
    assert_markdown_safe(plan_text.render_markdown(plan))
    svg = diagrams.render(plan, "svg")
    svg_root = ET.fromstring(svg)
    assert not [e for e in svg_root.iter() if e.tag.endswith(("script", "foreignObject"))]
    assert_dot_wellformed(diagrams.render(plan, "dot"))
    mermaid = diagrams.render(plan, "mermaid")
    if mermaid.startswith("flowchart"):
        assert_mermaid_wellformed(mermaid)
    else:  # several chains: a Markdown document with a block each
        assert_markdown_safe(mermaid)
        for block in mermaid.split("```mermaid")[1:]:
            assert_mermaid_wellformed(block.split("```")[0])


@pytest.fixture(scope="module")
def store() -> Iterator[Any]:
    """One history store in memory for every example (each stores its own estate's month)."""
    from advisor.report.history import open_store

    with open_store(":memory:") as history:
        yield history


@FUZZ
@given(names=NAMES, code=st.sampled_from(["en", "nl"]))
def test_report_writers(tmp_path_factory: pytest.TempPathFactory, store: Any,
                        names: dict[str, str], code: str) -> None:
    from advisor.estate.load import load_estate
    from advisor.outputs.i18n import language
    from advisor.outputs.report_html import render_html
    from advisor.outputs.report_markdown import render_markdown
    from advisor.pipeline import analyze_estate
    from advisor.report.build import collect

    root = tmp_path_factory.mktemp("report")
    plan = analyze_estate(load_estate(_estate(root, names)), time_limit_s=30)
    rep = collect(store, plan, None, month="2026-10", cost_basis="billed")
    lang = language(code, rep.currency)
    html5lib = pytest.importorskip("html5lib")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False,
                                 tree=html5lib.getTreeBuilder("etree"))
    _no_injected_elements(parser.parse(render_html(rep, lang)), None)  # strict: no parse error
    assert_markdown_safe(render_markdown(rep, lang))


@FUZZ
@given(services=st.lists(hostile, min_size=1, max_size=4),
       accounts=st.lists(hostile, min_size=1, max_size=2))
def test_costs_writers(tmp_path_factory: pytest.TempPathFactory, services: list[str],
                       accounts: list[str]) -> None:
    from advisor.commands.sources import read_ledger
    from advisor.outputs.ledger_table import render_csv, render_table

    root = tmp_path_factory.mktemp("costs")
    bill = root / "bill.csv"
    header = ["BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
              "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ProviderName",
              "ServiceName", "ResourceId", "BilledCost", "EffectiveCost", "ListCost", "Tags"]
    with bill.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")  # so a \r in a field is quoted
        writer.writerow(header)
        for i, service in enumerate(s.replace("\x00", "") for s in services):
            account = accounts[i % len(accounts)].replace("\x00", "")  # a NUL: not a text file
            writer.writerow([account, "EUR", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z",
                             "2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "Usage", "AWS",
                             service, f"r{i}", f"{i + 1}.25", "1", "1", ""])
    rep = read_ledger(None, paths=[str(bill)], group_by=["service", "account"])
    rows = assert_csv_safe(render_csv(rep))
    assert len(rows) == len(rep.rows) + 1
    json.loads(json.dumps(rep.to_json(), ensure_ascii=False))  # what --format json writes
    assert_terminal_clean(render_table(rep).replace("\n", "").replace("\t", ""))


@settings(max_examples=300, deadline=None)
@given(text=hostile)
def test_escape_functions(text: str) -> None:
    """The functions every writer uses, directly (fast, so more examples)."""
    from advisor.outputs.escape import (
        csv_cell,
        dot_text,
        html_text,
        markdown_code,
        markdown_text,
        mermaid_text,
        terminal_text,
        xml_text,
    )

    assert_terminal_clean(terminal_text(text).replace("\n", "").replace("\t", ""))
    ET.fromstring(f"<a b=\"{xml_text(text)}\">{xml_text(text)}</a>")
    _no_injected_elements(_html_tree(f"<p title=\"{html_text(text)}\">{html_text(text)}</p>"),
                          HTML_ALLOWED)
    assert_markdown_safe(f"| h |\n|---|\n| {markdown_text(text)} |\n\n"
                         f"{markdown_text(text, line_start=True)}\n\n{markdown_code(text)}\n")
    assert_mermaid_wellformed(f'  n0["{mermaid_text(text)}"]')
    assert_dot_wellformed(f'"{dot_text(text)}" [label="{dot_text(text)}"];')
    assert_csv_safe(_csv_line([csv_cell(text)]))


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()
