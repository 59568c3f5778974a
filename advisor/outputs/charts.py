"""Small SVG charts for the report: stacked bars, grouped bars, small multiples, a waterfall and
horizontal bars.

Written here rather than with a plotting library: the output must be byte-identical for the same
input, self-contained (inlined in the HTML), readable in black-and-white print and by a
colour-blind reader. So: the Okabe-Ito palette, a distinct fill pattern per series on top of the
colour, values written next to the marks, a ``<title>`` for screen readers, fixed ids derived
from the chart's own id, coordinates rounded to 0.1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from advisor.outputs.escape import xml_text
from advisor.outputs.i18n import Lang

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
           "#999999")
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
WIDTH = 680
CHAR_W = 6.2  # average width of an 11px character, for laying out labels


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _f(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (stable text)."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


_esc = xml_text


def pattern(ident: str, i: int, fill: str) -> str:
    """Fill pattern number ``i`` over colour ``fill``: solid, lines, dots, cross-hatch..."""
    pid = f"{ident}-p{i}"
    kind = i % 6
    head = (f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="8" height="8"'
            + ('' if kind not in (1, 3, 5) else
               f' patternTransform="rotate({45 if kind != 5 else -45})"') + ">"
            + f'<rect width="8" height="8" fill="{fill}"/>')
    marks = {
        0: "",
        1: '<rect width="2.5" height="8" fill="#FFFFFF" fill-opacity="0.75"/>',
        2: '<circle cx="4" cy="4" r="1.6" fill="#FFFFFF" fill-opacity="0.85"/>',
        3: '<rect width="2" height="8" fill="#FFFFFF" fill-opacity="0.7"/>'
           '<rect width="8" height="2" fill="#FFFFFF" fill-opacity="0.7"/>',
        4: '<rect width="8" height="2.5" fill="#FFFFFF" fill-opacity="0.75"/>',
        5: '<rect width="2.5" height="8" fill="#000000" fill-opacity="0.35"/>',
    }[kind]
    return head + marks + "</pattern>"


def _ticks(hi: float, lo: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values from lo to at least hi (1, 2 or 5 times a power of ten apart)."""
    span = max(hi - lo, 1.0)
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    out = []
    v = first
    while v < hi + step * 0.999:
        out.append(round(v, 6))
        v += step
    return out


def _open(ident: str, title: str, height: float, defs: str = "") -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(height)}" '
            f'width="{WIDTH}" height="{_f(height)}" role="img" aria-labelledby="{ident}-t" '
            f'font-family="{FONT}" font-size="11" class="chart" id="{ident}">',
            f'<title id="{ident}-t">{_esc(title)}</title>',
            f"<defs>{defs}</defs>" if defs else "",
            f'<rect width="{WIDTH}" height="{_f(height)}" fill="#FFFFFF"/>',
            f'<text x="8" y="18" font-size="13" font-weight="bold">{_esc(title)}</text>']


def _halo(x: float, y: float, text: str, anchor: str = "middle", size: int = 10,
          bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}"{weight} '
            f'paint-order="stroke" stroke="#FFFFFF" stroke-width="3" '
            f'fill="#000000">{_esc(text)}</text>')


_BARS = (86, 12, 250)  # left and right margin, the bottom of the plot area
_BARS_TOP = 34


def _bars_frame(ident: str, title: str, count: int, hi: float, lo: float,
                lang: Lang) -> tuple[list[str], float, float]:
    """The start of a vertical bar chart of ``count`` series (room for their legend below) with
    a money axis from ``lo`` (0 or less) to ``hi``: the SVG so far, the zero line's y and the
    pixels per unit."""
    left, right, bottom = _BARS
    height = 300 + math.ceil(count / 3) * 18
    ticks = _ticks(hi, lo)
    scale = (bottom - _BARS_TOP) / (ticks[-1] - ticks[0])
    zero = bottom + ticks[0] * scale  # the bottom when nothing is negative
    defs = "".join(pattern(ident, i, color(i)) for i in range(count))
    out = _open(ident, title, height, defs)
    for t in ticks:
        y = zero - t * scale
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_f(y)}" y2="{_f(y)}" '
                   'stroke="#DDDDDD" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{_f(y + 4)}" text-anchor="end" font-size="10">'
                   f'{_esc(lang.money_short(Decimal(str(t))))}</text>')
    return out, zero, scale


def stacked_bars(ident: str, title: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[Decimal]]], lang: Lang) -> str:
    """Vertical bars per category (month, year), stacked by series (provider, budget part), with
    the total above each bar, each segment's value inside when it fits, and a legend of colour
    and pattern. Negative values (a commitment that saves more than it costs) stack downwards
    from a zero line, so the bar's parts still add up to the total written above it."""
    left, right, bottom = _BARS
    totals = [float(sum((s[1][i] for s in series), Decimal(0))) for i in range(len(categories))]
    ups = [float(sum((s[1][i] for s in series if s[1][i] > 0), Decimal(0)))
           for i in range(len(categories))]
    downs = [float(sum((s[1][i] for s in series if s[1][i] < 0), Decimal(0)))
             for i in range(len(categories))]
    out, zero, scale = _bars_frame(ident, title, len(series), max([*ups, 1.0]),
                                   min([*downs, 0.0]), lang)
    n = max(len(categories), 1)
    slot = (WIDTH - left - right) / n
    bar = min(slot * 0.6, 90)
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        y, below = zero, zero
        for k, (_name, values) in enumerate(series):
            v = float(values[i])
            if v == 0:
                continue
            h = abs(v) * scale
            if v > 0:
                y -= h
                at = y
            else:
                at = below
                below += h
            out.append(f'<rect x="{_f(x)}" y="{_f(at)}" width="{_f(bar)}" height="{_f(h)}" '
                       f'fill="url(#{ident}-p{k})" stroke="#FFFFFF" stroke-width="0.8"/>')
            label = lang.money_short(values[i])
            if h >= 14 and len(label) * 5.6 < bar + 30:
                out.append(_halo(x + bar / 2, at + h / 2 + 3.5, label, size=9))
        out.append(_halo(x + bar / 2, y - 5, lang.money_short(Decimal(str(totals[i]))),
                         size=10, bold=True))
        out.append(f'<text x="{_f(x + bar / 2)}" y="{bottom + 16}" text-anchor="middle">'
                   f"{_esc(cat)}</text>")
    out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_f(zero)}" y2="{_f(zero)}" '
               'stroke="#000000" stroke-width="1"/>')
    _legend(out, ident, [name for name, _values in series], left, bottom + 32)
    out.append("</svg>")
    return "\n".join(x for x in out if x) + "\n"


def _legend(out: list[str], ident: str, names: Sequence[str], left: float, top: float) -> None:
    """Colour and pattern of each series, three to a row."""
    for k, name in enumerate(names):
        lx = left + (k % 3) * 190
        ly = top + (k // 3) * 18
        shown = name if len(name) * CHAR_W <= 165 else name[:int(165 / CHAR_W) - 1] + "…"
        out.append(f'<rect x="{_f(lx)}" y="{_f(ly - 10)}" width="14" height="12" '
                   f'fill="url(#{ident}-p{k})" stroke="#000000" stroke-width="0.5"/>')
        out.append(f'<text x="{_f(lx + 19)}" y="{_f(ly)}">{_esc(shown)}</text>')


def grouped_bars(ident: str, title: str, categories: Sequence[str],
                 series: Sequence[tuple[str, Sequence[Decimal]]], lang: Lang) -> str:
    """Vertical bars per category (year), one beside the other per series (the base plan and
    each scenario), on one scale from zero, each bar's amount written along it (turned a
    quarter, so that six bars a year stay readable), and a legend of colour and pattern."""
    left, right, bottom = _BARS
    values = [float(v) for _name, vs in series for v in vs]
    out, zero, scale = _bars_frame(ident, title, len(series), max([*values, 1.0]),
                                   min([*values, 0.0]), lang)
    n = max(len(categories), 1)
    slot = (WIDTH - left - right) / n
    group = slot * 0.84
    bar = min(group / max(len(series), 1), 40)
    for i, cat in enumerate(categories):
        x0 = left + slot * i + (slot - bar * len(series)) / 2
        for k, (_name, vs) in enumerate(series):
            v = float(vs[i])
            x = x0 + k * bar
            h = abs(v) * scale
            at = zero - h if v >= 0 else zero
            out.append(f'<rect x="{_f(x)}" y="{_f(at)}" width="{_f(bar - 1)}" '
                       f'height="{_f(max(h, 0.5))}" fill="url(#{ident}-p{k})" stroke="#000000" '
                       'stroke-width="0.4"/>')
            label = lang.money_short(vs[i])
            cx = x + (bar - 1) / 2 + 3.2
            if h >= len(label) * 5.4 + 8:  # along the bar, inside it
                ly = at + 4 if v >= 0 else at + h - 4
                anchor = "end" if v >= 0 else "start"
            else:  # beyond its end
                ly = at - 3 if v >= 0 else at + h + 3
                anchor = "start" if v >= 0 else "end"
            out.append(f'<text x="{_f(cx)}" y="{_f(ly)}" text-anchor="{anchor}" font-size="9" '
                       f'transform="rotate(-90 {_f(cx)} {_f(ly)})" paint-order="stroke" '
                       f'stroke="#FFFFFF" stroke-width="3" fill="#000000">{_esc(label)}</text>')
        out.append(f'<text x="{_f(left + slot * i + slot / 2)}" y="{bottom + 16}" '
                   f'text-anchor="middle">{_esc(cat)}</text>')
    out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_f(zero)}" y2="{_f(zero)}" '
               'stroke="#000000" stroke-width="1"/>')
    _legend(out, ident, [name for name, _vs in series], left, bottom + 32)
    out.append("</svg>")
    return "\n".join(x for x in out if x) + "\n"


def small_multiples(ident: str, title: str, categories: Sequence[str],
                    series: Sequence[tuple[str, Sequence[Decimal]]], lang: Lang) -> str:
    """One small bar chart per series (provider), side by side, each on its own scale from zero:
    a provider that is a sliver of the stacked total is as readable as the largest. The fill
    and pattern of a series are those of the stacked chart; the last value is written in bold,
    the others where they fit."""
    per_row = min(max(len(series), 1), 3)
    rows = math.ceil(len(series) / per_row) if series else 1
    gap, top, panel_h = 14, 30, 150
    panel_w = (WIDTH - 16 - gap * (per_row - 1)) / per_row
    height = top + rows * (panel_h + gap)
    defs = "".join(pattern(ident, i, color(i)) for i in range(len(series)))
    out = _open(ident, title, height, defs)
    n = max(len(categories), 1)
    for k, (name, values) in enumerate(series):
        px0 = 8 + (k % per_row) * (panel_w + gap)
        py0 = top + (k // per_row) * (panel_h + gap)
        base = py0 + panel_h - 30  # bars stand on this line; month labels below it
        bars_top = py0 + 40
        hi = max([float(v) for v in values] + [1.0])
        scale = (base - bars_top) / hi
        out.append(f'<rect x="{_f(px0)}" y="{_f(py0)}" width="{_f(panel_w)}" '
                   f'height="{panel_h}" fill="none" stroke="#BBBBBB" stroke-width="0.8"/>')
        out.append(f'<rect x="{_f(px0 + 6)}" y="{_f(py0 + 7)}" width="12" height="11" '
                   f'fill="url(#{ident}-p{k})" stroke="#000000" stroke-width="0.5"/>')
        out.append(f'<text x="{_f(px0 + 23)}" y="{_f(py0 + 17)}" font-weight="bold">'
                   f"{_esc(name)}</text>")
        slot = (panel_w - 12) / n
        bar = min(slot * 0.6, 40)
        labels = [lang.money_short(v) for v in values]
        room = max((len(x) for x in labels), default=1) * 5.9 + 4 <= slot
        for i, v in enumerate(values):
            x = px0 + 6 + slot * i + (slot - bar) / 2
            h = max(float(v), 0.0) * scale
            out.append(f'<rect x="{_f(x)}" y="{_f(base - h)}" width="{_f(bar)}" '
                       f'height="{_f(max(h, 0.5))}" fill="url(#{ident}-p{k})" '
                       'stroke="#FFFFFF" stroke-width="0.6"/>')
            last = i == len(values) - 1
            if room or last or i == 0:
                out.append(_halo(x + bar / 2, base - h - 4, labels[i], size=9, bold=last))
            if room or last or i == 0:
                out.append(f'<text x="{_f(x + bar / 2)}" y="{_f(base + 13)}" '
                           f'text-anchor="middle" font-size="9">{_esc(categories[i])}</text>')
        out.append(f'<line x1="{_f(px0 + 4)}" x2="{_f(px0 + panel_w - 4)}" y1="{_f(base)}" '
                   f'y2="{_f(base)}" stroke="#000000" stroke-width="0.8"/>')
        scale_text = lang.t("own_scale", lo=lang.money_short(Decimal(0)),
                            hi=lang.money_short(Decimal(str(hi))))
        out.append(f'<text x="{_f(px0 + panel_w - 6)}" y="{_f(py0 + panel_h - 4)}" '
                   f'text-anchor="end" font-size="9" fill="#333333">{_esc(scale_text)}</text>')
    out.append("</svg>")
    return "\n".join(x for x in out if x) + "\n"


def waterfall(ident: str, title: str, start: tuple[str, Decimal],
              steps: Sequence[tuple[str, Decimal]], end: tuple[str, Decimal],
              lang: Lang) -> str:
    """Horizontal waterfall, top to bottom: today's cost, one bar per step (a saving shortens,
    an increase lengthens; green with dots vs. orange with lines, and the signed amount written
    beside it), the recommended cost. The axis starts at zero, so the bars' lengths compare as
    amounts; every step's amount is written beside it, however short its bar."""
    label_w, right = 190, 100
    row, top = 24, 34
    rows = [("start", start[0], Decimal(0), start[1])]
    running = start[1]
    for name, delta in steps:
        rows.append(("step", name, delta, running))
        running += delta
    rows.append(("end", end[0], Decimal(0), end[1]))
    values = [float(start[1]), float(end[1])]
    run = float(start[1])
    for _, d in steps:
        run += float(d)
        values.append(run)
    hi_val = max([*values, 1.0])
    ticks = _ticks(hi_val, min([*values, 0.0]), 4)  # amounts: the axis starts at zero
    floor = ticks[0]
    height = top + len(rows) * row + 40
    x0 = label_w + 6
    scale = (WIDTH - x0 - right) / (ticks[-1] - floor)

    def px(v: float) -> float:
        return x0 + (v - floor) * scale

    defs = pattern(ident, 0, PALETTE[0]) + pattern(ident, 2, PALETTE[2]) \
        + pattern(ident, 1, PALETTE[3])
    out = _open(ident, title, height, defs)
    axis_y = top + len(rows) * row + 4
    for t in ticks:
        x = px(t)
        out.append(f'<line x1="{_f(x)}" x2="{_f(x)}" y1="{top - 4}" y2="{_f(axis_y)}" '
                   'stroke="#DDDDDD" stroke-width="1"/>')
        out.append(f'<text x="{_f(x)}" y="{_f(axis_y + 14)}" text-anchor="middle" '
                   f'font-size="10">{_esc(lang.money_short(Decimal(str(t))))}</text>')
    prev_end: float | None = None
    for i, (kind, name, delta, base) in enumerate(rows):
        y = top + i * row
        shown = name if len(name) * CHAR_W <= label_w else name[:int(label_w / CHAR_W) - 1] + "…"
        out.append(f'<text x="{label_w}" y="{_f(y + row / 2 + 4)}" text-anchor="end">'
                   f"{_esc(shown)}</text>")
        if kind == "step":
            a, b = float(base), float(base + delta)
            fill = f"url(#{ident}-p2)" if delta < 0 else f"url(#{ident}-p1)"
            text = lang.money(delta, signed=True)
        else:
            a, b = floor, float(base)
            fill = f"url(#{ident}-p0)"
            text = lang.money(base)
        x1, x2 = px(min(a, b)), px(max(a, b))
        out.append(f'<rect x="{_f(x1)}" y="{_f(y + 4)}" width="{_f(max(x2 - x1, 1.0))}" '
                   f'height="{row - 8}" fill="{fill}" stroke="#000000" stroke-width="0.4"/>')
        if prev_end is not None:
            out.append(f'<line x1="{_f(prev_end)}" x2="{_f(prev_end)}" y1="{_f(y - 4)}" '
                       f'y2="{_f(y + 4)}" stroke="#555555" stroke-dasharray="2 2"/>')
        prev_end = px(b) if kind != "end" else None
        weight = ' font-weight="bold"' if kind != "step" else ""
        out.append(f'<text x="{_f(x2 + 4)}" y="{_f(y + row / 2 + 4)}" font-size="10"{weight}>'
                   f"{_esc(text)}</text>")
    out.append("</svg>")
    return "\n".join(x for x in out if x) + "\n"


def hbars(ident: str, title: str, items: Sequence[tuple[str, Decimal, Decimal]],
          lang: Lang, legend: Sequence[str] = ()) -> str:
    """Horizontal bars, largest first: each item's billed part solid, its modelled part
    hatched, the total written at the end of the bar."""
    label_w, right, row, top = 190, 96, 20, 34
    height = top + len(items) * row + (30 if legend else 10)
    hi = max((float(b + m) for _, b, m in items), default=1.0) or 1.0
    x0 = label_w + 6
    scale = (WIDTH - x0 - right) / hi
    defs = pattern(ident, 0, PALETTE[0]) + pattern(ident, 1, PALETTE[4])
    out = _open(ident, title, height, defs)
    for i, (name, billed, modelled) in enumerate(items):
        y = top + i * row
        shown = name if len(name) * CHAR_W <= label_w else name[:int(label_w / CHAR_W) - 1] + "…"
        out.append(f'<text x="{label_w}" y="{_f(y + row / 2 + 4)}" text-anchor="end">'
                   f"{_esc(shown)}</text>")
        x = float(x0)
        for k, part in ((0, billed), (1, modelled)):
            w = float(part) * scale
            if w <= 0:
                continue
            out.append(f'<rect x="{_f(x)}" y="{_f(y + 3)}" width="{_f(max(w, 0.5))}" '
                       f'height="{row - 6}" fill="url(#{ident}-p{k})" stroke="#000000" '
                       'stroke-width="0.3"/>')
            x += w
        out.append(f'<text x="{_f(x + 4)}" y="{_f(y + row / 2 + 4)}" font-size="10">'
                   f"{_esc(lang.money(billed + modelled))}</text>")
    if legend:
        ly = top + len(items) * row + 16
        for k, name in enumerate(legend[:2]):
            lx = x0 + k * 200
            out.append(f'<rect x="{lx}" y="{ly - 10}" width="14" height="12" '
                       f'fill="url(#{ident}-p{k})" stroke="#000000" stroke-width="0.5"/>')
            out.append(f'<text x="{lx + 19}" y="{ly}">{_esc(name)}</text>')
    out.append("</svg>")
    return "\n".join(x for x in out if x) + "\n"
