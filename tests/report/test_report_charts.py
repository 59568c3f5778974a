"""What the charts say: the waterfall's amount axis starts at zero, small providers get panels
of their own scale, and Dutch leaves no English label behind."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from report_helpers import demo_report

from advisor.outputs import charts
from advisor.outputs.i18n import Lang


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("charts")
    out = {}
    for lang in ("en", "nl"):
        code, text, err = demo_report(folder, "--lang", lang, name=f"r-{lang}.html",
                                      store=str(folder / f"h-{lang}.duckdb"))
        assert code == 0, err
        out[lang] = text
    return out


def svg(text: str, ident: str) -> str:
    return text.split(f'id="{ident}"')[1].split("</svg>")[0]


def test_waterfall_axis_starts_at_zero(pages: dict[str, str]) -> None:
    wf = svg(pages["en"], "chart-waterfall")
    ticks = re.findall(r'font-size="10">(€[\d,]+)</text>', wf)
    assert ticks[0] == "€0" and ticks[-1] == "€80,000"
    # every bar starts at or right of the zero line
    zero = float(re.search(r'<line x1="([\d.]+)"', wf).group(1))  # type: ignore[union-attr]
    assert all(float(x) >= zero - 0.1 for x in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" '
                                                          r'width="[\d.]+" height="16"', wf))


def test_each_provider_on_its_own_scale(pages: dict[str, str]) -> None:
    small = svg(pages["en"], "chart-trend-providers")
    for name, last in (("On-premise", "€59,055"), ("AWS", "€1,223"), ("Azure", "€647"),
                       ("SaaS", "€10,245")):
        assert f'font-weight="bold">{name}</text>' in small
        assert f">{last}</text>" in small  # the latest month, written in bold
    assert small.count("scale €0 to") == 4
    assert "log" not in small


def test_small_multiples_label_what_fits() -> None:
    months = [f"M{i}" for i in range(24)]
    text = charts.small_multiples("x", "t", months, [("AWS", [Decimal(1000 + i) for i in
                                                               range(24)])], Lang("en", "EUR"))
    labels = re.findall(r">(€[\d,]+)</text>", text)
    assert labels[0] == "€1,000" and "€1,023" in labels  # first and last always
    assert len(labels) < 24 + 2  # the rest only where they fit


def test_dutch_translates_every_label(pages: dict[str, str]) -> None:
    nl = pages["nl"]
    assert "kostenbasis billed" not in nl and "kostenbasis gefactureerd" in nl
    assert "gefactureerd (FOCUS BilledCost)" in nl
    # no edge pays egress after the demo's moves: the legend says it
    assert "uitgaand verkeer" in nl and ">egress " not in nl
    assert "schaal € 0 tot" in nl and "Elke leverancier op een eigen schaal" in nl
    for english in ("Today", "Recommended", "left band", "stays:", "excluded:", "scale "):
        assert english not in nl, english



def test_demo_report_shows_targets_scenarios_and_their_budget(pages: dict[str, str],
                                                              run_cli) -> None:
    import json

    en, nl = pages["en"], pages["nl"]
    for name in ("targets", "scenarios", "budget"):
        assert f'<section id="{name}">' in en and f'href="#{name}"' in en
    # the target's price is analyze's, as of the reported month's last day
    code, out, err = run_cli("analyze", "--demo", "-q", "--as-of", "2026-10-31", "--format",
                             "json")
    assert code == 0, err
    (target,) = json.loads(out)["targets"]
    assert target["max"] == 0.4 and target["met"] and target["price_monthly"] > 0
    section = en.split('<section id="targets">')[1].split("</section>")[0]
    assert "at most 40.0% of cloud spend per provider" in section
    assert f"€{target['price_monthly']:,.2f}" in section
    assert "ten hoogste 40,0% van de clouduitgaven per leverancier" in nl
    stacked, grouped = svg(en, "chart-budget"), svg(en, "chart-budget-scenarios")
    for part in ("operating", "capital charges", "commitments", "one-off cost"):
        assert f">{part}</text>" in stacked
    for plan in ("base plan", "azure-plus-15", "dc2-lease-ends", "no-us-owned-clouds",
                 "usd-weak"):
        assert f">{plan}</text>" in grouped
    assert ">kapitaallasten</text>" in svg(nl, "chart-budget")
    assert ">basisplan</text>" in svg(nl, "chart-budget-scenarios")
