"""Names from the estate are data, never markup: a workload called <script>alert(1)</script> and
labels with quotes, ampersands, pipes and backticks come out escaped in every format."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from report_helpers import hostile_estate

html5lib = pytest.importorskip("html5lib")
NS = "{http://www.w3.org/1999/xhtml}"
SCRIPT = "<script>alert(1)</script>"
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    return hostile_estate(tmp_path)


def test_html_escapes_everything(run_cli: Cli, estate: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    code, _, err = run_cli("report", "-c", str(estate), "--month", "2026-10", "--store",
                       str(tmp_path / "h.duckdb"), "-o", str(out))
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    doc = html5lib.HTMLParser(strict=True).parse(text)
    assert doc.find(f".//{NS}script") is None
    assert all(b.text != "x" for b in doc.iter(f"{NS}b"))  # the <b> in a name is not markup
    assert doc.find(f".//{NS}i") is None
    assert SCRIPT not in text and "<b>x</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Site &amp; &quot;Co&quot; &lt;b&gt;x&lt;/b&gt;" in text
    assert "Gemeente &quot;Quote&quot; &amp; &lt;Co&gt;" in text
    # the reader sees the names as written
    visible = "".join(doc.itertext())
    assert SCRIPT in visible and 'Site & "Co" <b>x</b>' in visible
    # the chain diagram of the moving application is inline SVG with the same escaping
    assert 'class="chain"' in text


def test_markdown_escapes(run_cli: Cli, estate: Path, tmp_path: Path) -> None:
    code, out, err = run_cli("report", "-c", str(estate), "--month", "2026-10", "--store",
                             str(tmp_path / "h.duckdb"), "--format", "markdown", "-o", "-")
    assert code == 0, err
    assert SCRIPT not in out and "<b>" not in out and "<i>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    for line in out.splitlines():
        if line.startswith("|") and "API" in line:  # a | in a name does not split the row
            assert "\\|" in line
    mermaid = out.split("```mermaid")[1].split("```")[0]
    assert "<script" not in mermaid and '"Co"' not in mermaid
    assert "#60;script#62;" in mermaid and "#34;quoted#34; #38; #60;i#62;" in mermaid
    assert "#### Site &amp; \"Co\" &lt;b&gt;x&lt;/b&gt;" in out


def test_graph_formats_escape(run_cli: Cli, estate: Path) -> None:
    app = 'Site & "Co" <b>x</b>'
    code, out, err = run_cli("graph", "-c", str(estate), "--application", app)
    assert code == 0, err
    assert out.startswith("flowchart LR\n")
    assert "<script" not in out and "#60;script#62;alert(1)#60;/script#62;" in out
    code, out, err = run_cli("graph", "-c", str(estate), "-a", app, "--format", "dot")
    assert code == 0, err
    assert 'label="<script>alert(1)</script>' in out  # plain text inside a quoted DOT string
    assert 'API \\"quoted\\" & <i>amp</i>' in out
    assert not re.search(r'[^\\]"quoted', out)
    code, out, err = run_cli("graph", "-c", str(estate), "-a", app, "--format", "svg")
    assert code == 0, err
    root = ET.fromstring(out)  # well-formed XML
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert SCRIPT in texts
    assert "<script" not in out
