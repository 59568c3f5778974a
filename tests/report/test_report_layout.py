"""The HTML report laid out by a real browser at 1,280 px (a laptop), 390 px (a phone) and as
printed on A4 (186 mm of text width = 703 CSS px): nothing is wider than the window except
inside a labelled scroll frame, every table fits or scrolls in its frame, ids never break
across lines, no two texts of a chart or diagram overlap, and a wide window is used. The
measurements run in the page through the DevTools protocol; the screenshots are kept next to
the test's files (and in $ADVISOR_SCREENSHOTS when set, for a person to look at)."""

from __future__ import annotations

import json
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser
from report_helpers import demo_report

MEASURE = r"""
(() => {
  const ids = new Set(%s);
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : '');
  const inside = r => r.right <= vw + 1 && r.left >= -1;
  if (document.documentElement.scrollWidth > vw + 1)
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || inside(r)) continue;
    let a = el.parentElement, framed = false;
    while (a && a !== document.body) {
      if (scrolls(a)) { framed = inside(a.getBoundingClientRect()); break; }
      a = a.parentElement;
    }
    if (!framed) problems.push('wider than the window: ' + name(el) + ' '
                               + Math.round(r.left) + '..' + Math.round(r.right));
  }
  const frames = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!scrolls(el) || el.scrollWidth <= el.clientWidth + 1) continue;
    frames.push(name(el));
    if (el.getAttribute('role') !== 'region' || !el.getAttribute('aria-label')
        || el.getAttribute('tabindex') !== '0')
      problems.push('a scroll frame without a label or keyboard access: ' + name(el));
  }
  for (const t of document.querySelectorAll('table')) {
    const w = t.parentElement;
    const framed = w.classList.contains('scroll') && w.getAttribute('role') === 'region';
    if (!framed && !inside(t.getBoundingClientRect()))
      problems.push('a table neither fits nor scrolls: ' + t.textContent.slice(0, 40));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let checked = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('svg')) continue;
    for (const m of node.textContent.matchAll(/[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]/g)) {
      if (!ids.has(m[0])) continue;
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      checked += 1;
      if (lines.size > 1) problems.push('an id breaks across lines: ' + m[0]);
    }
  }
  let texts = 0;
  for (const svg of document.querySelectorAll('svg')) {
    const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
    texts += boxes.length;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i][1], b = boxes[j][1];
      const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (ox > 1 && oy > 2)
        problems.push('texts overlap in ' + (svg.id || svg.getAttribute('aria-labelledby'))
                      + ': "' + boxes[i][0] + '" and "' + boxes[j][0] + '"');
    }
  }
  const main = document.querySelector('main').getBoundingClientRect();
  const chains = [...document.querySelectorAll('figure.chain')];
  return {problems: problems.slice(0, 40), count: problems.length, frames, checked, texts,
          main: main.width, vw, chains: chains.length,
          chains_scrolling: chains.filter(f => f.scrollWidth > f.clientWidth + 1).length,
          charts_scrolling: [...document.querySelectorAll('figure.chart')]
            .filter(f => f.scrollWidth > f.clientWidth + 1).length};
})()
"""

SIZES = {"laptop": (1280, "screen"), "phone": (390, "screen"), "a4": (703, "print")}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    out = {}
    for lang in ("en", "nl"):
        code, _, err = demo_report(folder, "--lang", lang, name=f"report-{lang}.html",
                                   store=str(folder / f"h-{lang}.duckdb"))
        assert code == 0, err
        out[lang] = folder / f"report-{lang}.html"
    return out


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(chromium, tmp_path_factory.mktemp("profile"))
    try:
        yield b
    finally:
        b.close()


def demo_ids() -> list[str]:
    from advisor.estate.load import load_estate
    from advisor.pipeline import demo_config

    estate = load_estate(demo_config())
    return sorted({loc.id for loc in estate.locations} | {w.id for w in estate.workloads})


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("size", list(SIZES))
def test_layout(browser: Browser, pages: dict[str, Path], size: str, lang: str,
                tmp_path: Path) -> None:
    width, media = SIZES[size]
    browser.open(pages[lang], width, media=media)
    found: dict[str, Any] = browser.evaluate(MEASURE % json.dumps(demo_ids()))
    shot = tmp_path / f"report-{lang}-{size}.png"
    browser.screenshot(shot)
    keep = os.environ.get("ADVISOR_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
    assert found["problems"] == [], f"{found['count']} problems: {found['problems']}"
    assert found["vw"] == width
    assert found["checked"] > 150  # the ids in the tables were found and measured
    assert found["texts"] > 500  # the charts and diagrams were measured
    assert found["chains"] >= 5
    png_width, height = struct.unpack(">II", shot.read_bytes()[16:24])  # the PNG's IHDR
    assert png_width == width  # the page is as wide as the window, no wider
    assert height > 3000
    if size == "laptop":
        assert found["main"] >= 1150  # the page uses a wide window
        assert found["chains_scrolling"] == 0  # every diagram scales to the column
        assert found["charts_scrolling"] == 0
    if size == "a4":
        assert found["chains_scrolling"] == 0 and found["charts_scrolling"] == 0
        assert found["frames"] == []  # on paper nothing can scroll
