"""The page as a reader's browser shows it: headless Chromium renders the HTML report to a PNG;
the page is not blank and the charts' colours are on it, with no network and no script."""

from __future__ import annotations

import subprocess
from pathlib import Path

from png import read_png
from report_helpers import demo_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
# Okabe-Ito colours the charts fill with: blue (on-premise, today), bluish green (savings).
BLUE, GREEN = (0x00, 0x72, 0xB2), (0x00, 0x9E, 0x73)


def screenshot(chromium: str, page: Path, out: Path, profile: Path, height: int) -> None:
    subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={out}",
                    f"--window-size=1200,{height}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)


def count(rows: list[bytes], channels: int, rgb: tuple[int, int, int], tol: int = 12) -> int:
    n = 0
    for row in rows:
        for i in range(0, len(row), channels):
            if all(abs(row[i + k] - rgb[k]) <= tol for k in range(3)):
                n += 1
    return n


def test_chromium_renders_the_report(chromium: str, tmp_path: Path) -> None:
    code, _, err = demo_report(tmp_path)
    assert code == 0, err
    page = tmp_path / "report.html"
    shot = tmp_path / "page.png"
    screenshot(chromium, page, shot, tmp_path / "profile", 3000)
    width, height, channels, rows = read_png(shot)
    assert (width, height) == (1200, 3000)
    sample = rows[::4]
    not_white = sum(1 for row in sample for i in range(0, len(row), channels * 4)
                    if sum(row[i:i + 3]) < 720)
    assert not_white > 5000, "the page looks blank"
    # the headline's trend chart (stacked bars) and the savings waterfall are drawn
    assert count(rows, channels, BLUE) > 20000
    assert count(rows, channels, GREEN) > 500


def test_prints_on_a4(chromium: str, tmp_path: Path) -> None:
    """Printed (to PDF), every page is A4: portrait for the text, landscape for the chains."""
    import re

    code, _, err = demo_report(tmp_path)
    assert code == 0, err
    pdf = tmp_path / "report.pdf"
    subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                    (tmp_path / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 4
    sizes = {(round(float(w)), round(float(h))) for w, h in boxes}
    assert sizes <= {(595, 842), (842, 595)}, sizes  # A4 in points, either way round
    assert (595, 842) in sizes
