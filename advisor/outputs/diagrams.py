"""Chain diagrams: each application's workloads, where they run now and where they should run,
the traffic on each dependency, and the moves the rules exclude (the chains themselves come from
``advisor.placement.chains``; neighbours in other applications are drawn dashed, as context).
Three renderings: Mermaid (GitHub and GitLab draw it in Markdown), Graphviz DOT, and a
self-contained SVG laid out here (layered, left to right: callers before the
workloads they depend on). Every text from the estate is escaped for the target syntax.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from advisor.errors import InputError
from advisor.money import money_text
from advisor.outputs.escape import dot_text, markdown_text, mermaid_text, xml_text
from advisor.placement.chains import Chain, Edge, Node, chains

if TYPE_CHECKING:
    from advisor.outputs.i18n import Lang
    from advisor.placement.plan import Plan

# Okabe-Ito (colour-blind safe), black left out: strong colour for bands and borders.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
           "#999999")
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
FORMATS = ("mermaid", "dot", "svg")



WORDS = {
    "en": {"now": "now", "to": "to", "stays": "stays", "pinned": "pinned", "at": "at",
           "unplaceable": "no allowed location", "excluded": "excluded: {n} loc. by {rules}",
           "workloads": "{n} workloads", "workload": "1 workload: {name}",
           "others": "{n} other applications",
           "moves": "{app}: {moves} of {n} workloads move",
           "legend": "left band: now, right band: recommended; thick border: moves; dashed "
                     "arrow: pays egress after the moves; dashed box: other applications",
           "egress": "egress"},
    "nl": {"now": "nu", "to": "naar", "stays": "blijft", "pinned": "vast", "at": "op",
           "unplaceable": "geen toegestane locatie", "excluded": "uitgesloten: {n} loc. "
           "door {rules}", "workloads": "{n} workloads", "workload": "1 workload: {name}",
           "others": "{n} andere applicaties",
           "moves": "{app}: {moves} van {n} workloads verhuizen",
           "legend": "linkerband: nu, rechterband: aanbevolen; dikke rand: verhuist; "
                     "gestreepte pijl: betaalt uitgaand verkeer na de verhuizing; gestreept "
                     "blok: andere applicaties",
           "egress": "uitgaand"},
}


def location_colors(plan: Plan) -> dict[str, str]:
    """A stable colour per location, in the order the estate defines them."""
    return {loc.id: PALETTE[i % len(PALETTE)] for i, loc in enumerate(plan.estate.locations)}


def tint(color: str, keep: float = 0.3) -> str:
    """A light version of a colour (mixed with white) that black text reads well on."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c * keep + 255 * (1 - keep)) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


# -- words ----------------------------------------------------------------------------------------

def _w(lang: Lang | None, key: str, **values: object) -> str:
    text = WORDS[lang.code if lang and lang.code in WORDS else "en"][key]
    return text.format(**values) if values else text


def _gb(value: Decimal, lang: Lang | None) -> str:
    places = 0 if value == value.to_integral() else 1
    shown = lang.number(value, places) if lang else f"{value:,.{places}f}"
    return f"{shown} GB/mo"


def _money(value: Decimal, lang: Lang | None, currency: str) -> str:
    return lang.money(value) if lang else f"{money_text(value)} {currency}"


def _lines(n: Node, lang: Lang | None = None) -> list[str]:
    """The text of a node, line by line (unescaped)."""
    if n.external:
        where = ", ".join(n.places[:2]) + (" ..." if len(n.places) > 2 else "")
        name = n.name
        if n.id == "apps:other":
            name = _w(lang, "others", n=name.split(" ")[0])
        count = _w(lang, "workload", name=n.single) if n.single else \
            _w(lang, "workloads", n=len(n.members))
        return [name, count, f"{_w(lang, 'at')} {where}"]
    lines = [n.name]
    if n.moved:
        lines += [f"{_w(lang, 'now')}: {n.now}", f"{_w(lang, 'to')}: {n.recommended}"]
    else:
        pinned = f" ({_w(lang, 'pinned')})" if n.pinned else ""
        lines.append(f"{_w(lang, 'stays')}: {n.now}{pinned}")
    if n.unplaceable:
        lines.append(_w(lang, "unplaceable"))
    elif n.excluded_rules:
        rules = ", ".join(n.excluded_rules[:3]) + (" ..." if len(n.excluded_rules) > 3 else "")
        lines.append(_w(lang, "excluded", n=n.excluded_locations, rules=rules))
    return lines


def _edge_label(e: Edge, lang: Lang | None, currency: str) -> str:
    text = _gb(e.gb_month, lang)
    if e.egress_after:
        text += f", {_w(lang, 'egress')} {_money(e.egress_after, lang, currency)}"
    return text


# -- Mermaid --------------------------------------------------------------------------------------

def to_mermaid(chain: Chain, colors: dict[str, str], currency: str,
               lang: Lang | None = None) -> str:
    """One flowchart: fill = recommended location, border = current location (dashed when the
    workload moves); the text names both, so colour is never the only cue."""
    ids = {n.id: f"n{i}" for i, n in enumerate(chain.nodes)}
    out = ["flowchart LR"]
    for n in chain.nodes:
        label = "<br/>".join(mermaid_text(line) for line in _lines(n, lang))
        shape = ('("', '")') if n.external else ('["', '"]')
        out.append(f"  {ids[n.id]}{shape[0]}{label}{shape[1]}")
    for e in chain.edges:
        label = mermaid_text(_edge_label(e, lang, currency))
        arrow = "-.->" if e.egress_after else "-->"
        out.append(f"  {ids[e.source]} {arrow}|\"{label}\"| {ids[e.target]}")
    for n in chain.nodes:
        if n.external:
            out.append(f"  style {ids[n.id]} fill:#FFFFFF,stroke:#777777,stroke-dasharray:4 3")
            continue
        fill = tint(colors.get(n.recommended, PALETTE[-1]))
        stroke = colors.get(n.now, PALETTE[-1])
        dash = ",stroke-dasharray:6 3" if n.moved else ""
        out.append(f"  style {ids[n.id]} fill:{fill},stroke:{stroke},stroke-width:3px{dash},"
                   "color:#000000")
    return "\n".join(out) + "\n"


def mermaid_blocks(plan: Plan, applications: Sequence[str] | None = None,
                   moving_only: bool = True, heading: str = "###",
                   lang: Lang | None = None) -> str:
    """Markdown: one fenced ```mermaid block per chain, each under a heading (for reports and PR
    comments). Empty when no chain qualifies."""
    colors = location_colors(plan)
    out = []
    for chain in chains(plan, applications, moving_only):
        out.append(f"{heading} {markdown_text(chain.application)}")
        out.append("")
        out.append("```mermaid")
        out.append(to_mermaid(chain, colors, plan.currency, lang).rstrip("\n"))
        out.append("```")
        out.append("")
    return "\n".join(out)


# -- DOT ------------------------------------------------------------------------------------------

def to_dot(chain: Chain, colors: dict[str, str], currency: str,
           lang: Lang | None = None) -> str:
    """A digraph: the box is striped, left half the current location's colour, right half the
    recommended one; moving workloads have a thick border, excluded moves a double border."""
    out = [f'digraph "{dot_text("chain " + chain.application)}" {{',
           f'  graph [rankdir=LR, labelloc=t, fontname="{FONT}", label="'
           f'{dot_text(chain.application)}"];',
           f'  node [shape=box, fontname="{FONT}", fontsize=10];',
           f'  edge [fontname="{FONT}", fontsize=9];']
    for n in chain.nodes:
        label = "\\n".join(dot_text(line) for line in _lines(n, lang))
        if n.external:
            attrs = 'style="dashed", color="#777777"'
        else:
            a = tint(colors.get(n.now, PALETTE[-1]))
            b = tint(colors.get(n.recommended, PALETTE[-1]))
            attrs = f'style="striped", fillcolor="{a}:{b}"'
            if n.moved:
                attrs += ", penwidth=2.5"
            if n.excluded_rules or n.unplaceable:
                attrs += ", peripheries=2"
        out.append(f'  "{dot_text(n.id)}" [label="{label}", {attrs}];')
    for e in chain.edges:
        style = ", style=dashed" if e.egress_after else ""
        out.append(f'  "{dot_text(e.source)}" -> "{dot_text(e.target)}" '
                   f'[label="{dot_text(_edge_label(e, lang, currency))}"{style}];')
    out.append("}")
    return "\n".join(out) + "\n"


# -- SVG ------------------------------------------------------------------------------------------

NODE_W, NODE_H, COL_GAP, ROW_GAP, BAND = 210, 66, 160, 16, 12
# Widths per character of DejaVu Sans (measured in Chromium, rounded up): 11px, 11px bold, and a
# 10px edge label (digits are wide); the line height of an edge label.
CHAR_W, BOLD_W, LABEL_W, LABEL_H = 6.4, 7.1, 6.3, 12


def _layout(chain: Chain) -> dict[str, tuple[int, int]]:
    """(column, row) per node: callers left of what they depend on (longest path over the
    strongly connected parts), rows ordered by the average row of their neighbours."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(n.id for n in chain.nodes)
    g.add_edges_from((e.source, e.target) for e in chain.edges)
    cond = nx.condensation(g)
    part = cond.graph["mapping"]
    level: dict[int, int] = {}
    for c in nx.lexicographical_topological_sort(cond):
        level[c] = max((level[p] + 1 for p in cond.predecessors(c)), default=0)
    column = {n: level[part[n]] for n in g.nodes}
    columns: dict[int, list[str]] = {}
    for n in sorted(g.nodes):
        columns.setdefault(column[n], []).append(n)
    row = {n: i for col in columns.values() for i, n in enumerate(col)}
    for _ in range(4):  # barycentre sweeps, ties kept in the previous order
        for c in sorted(columns):
            def weight(n: str, here: int = c) -> tuple[float, int]:
                nb = list(g.predecessors(n)) + list(g.successors(n))
                others = [row[m] for m in nb if column[m] != here]
                return (sum(others) / len(others) if others else row[n], row[n])
            columns[c].sort(key=weight)
            for i, n in enumerate(columns[c]):
                row[n] = i
    return {n: (column[n], row[n]) for n in g.nodes}


def _clip(text: str, width: float, size: float = 11, bold: bool = False) -> str:
    room = int(width / ((BOLD_W if bold else CHAR_W) * size / 11))
    return text if len(text) <= room else text[:max(room - 1, 1)] + "…"


def to_svg(chain: Chain, colors: dict[str, str], currency: str, lang: Lang | None = None,
           id_prefix: str = "g") -> str:
    """A standalone SVG (also fit to be inlined in HTML): boxes with a left band for the
    current location and a right band for the recommended one, a legend of the colours. An
    edge's label sits at the end where fewer edges meet, so fans of edges stay readable."""
    esc = xml_text
    pos = _layout(chain)
    nodes = {n.id: n for n in chain.nodes}
    rows = max((r for _, r in pos.values()), default=0) + 1
    cols = max((c for c, _ in pos.values()), default=0) + 1
    top = 34
    width = max(cols * NODE_W + (cols - 1) * COL_GAP + 20, 560)
    used = sorted({loc for n in chain.nodes if not n.external for loc in (n.now, n.recommended)},
                  key=lambda loc: (list(colors).index(loc) if loc in colors else 99, loc))
    legend = [part.strip() for part in _w(lang, "legend").split(";")]
    legend_rows = (len(used) + 2) // 3 + len(legend)
    height = top + rows * (NODE_H + ROW_GAP) + 12 + legend_rows * 18 + 8
    ident = f"{id_prefix}-{_safe_id(chain.application)}"
    outdeg: dict[str, int] = {}
    indeg: dict[str, int] = {}
    for e in chain.edges:
        outdeg[e.source] = outdeg.get(e.source, 0) + 1
        indeg[e.target] = indeg.get(e.target, 0) + 1

    def xy(nid: str) -> tuple[float, float]:
        c, r = pos[nid]
        return 10 + c * (NODE_W + COL_GAP), top + r * (NODE_H + ROW_GAP)

    title = _w(lang, "moves", app=chain.application, moves=chain.moves, n=chain.size)

    def frame(width: int) -> tuple[str, str]:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
                f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-t" '
                f'font-family="{FONT}" font-size="11" class="chain">',
                f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>')

    out = [frame(width)[0],
           f'<title id="{ident}-t">{esc(title)}</title>',
           f'<defs><marker id="{ident}-a" viewBox="0 0 10 10" refX="10" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#444444"/></marker></defs>',
           frame(width)[1],
           f'<text x="10" y="20" font-size="13" font-weight="bold">{esc(title)}</text>']
    labels = []
    # where labels may not go: the title, every box, the legend; then each placed label
    taken = [(0.0, 0.0, float(width), float(top) - 2)]
    for nid in pos:
        x, y = xy(nid)
        taken.append((x - 3, y - 3, x + NODE_W + 3, y + NODE_H + 3))
    taken.append((0.0, top + rows * (NODE_H + ROW_GAP) - ROW_GAP + 4, float(width),
                  float(height)))
    right = 0.0  # the rightmost point drawn: loops and their labels may pass the last column
    for e in chain.edges:
        x1, y1 = xy(e.source)
        x2, y2 = xy(e.target)
        sx, sy = x1 + NODE_W, y1 + NODE_H / 2
        tx, ty = x2, y2 + NODE_H / 2
        if x2 <= x1:  # same column (a cycle) or backwards: loop out to the right
            tx = x2 + NODE_W
            bend = 40 + abs(ty - sy) / 4  # longer loops bulge further: they do not coincide
            curve = ((sx, sy), (sx + bend, sy), (tx + bend, ty), (tx, ty))
            prefer = 0.5
            beside = True
            right = max(right, sx + bend * 0.75 + 2)
        else:
            mid = (sx + tx) / 2
            curve = ((sx, sy), (mid, sy), (mid, ty), (tx, ty))
            if outdeg[e.source] > indeg[e.target]:  # a fan out: label near the arrow head
                prefer = 0.85
            elif outdeg[e.source] < indeg[e.target]:  # a fan in: label near the tail
                prefer = 0.15
            else:
                prefer = 0.5
            beside = False
        (p0, p1, p2, p3) = curve
        d = (f"M{_n(p0[0])},{_n(p0[1])} C{_n(p1[0])},{_n(p1[1])} {_n(p2[0])},{_n(p2[1])} "
             f"{_n(p3[0])},{_n(p3[1])}")
        dash = ' stroke-dasharray="5 3"' if e.egress_after else ""
        out.append(f'<path d="{d}" fill="none" stroke="#444444" stroke-width="1.3"{dash} '
                   f'marker-end="url(#{ident}-a)"/>')
        lines = [_gb(e.gb_month, lang)]
        if e.egress_after:
            lines.append(f"{_w(lang, 'egress')} {_money(e.egress_after, lang, currency)}")
        lines = [_clip(line, COL_GAP - 16, 10) for line in lines]
        box_w = max(len(line) for line in lines) * LABEL_W + 4
        box_h = LABEL_H * len(lines)
        cx, bottom = _place(curve, prefer, box_w, box_h, taken,
                            box_w / 2 + 3 if beside else 0.0)
        taken.append((cx - box_w / 2, bottom - box_h, cx + box_w / 2, bottom))
        right = max(right, cx + box_w / 2)
        for k, line in enumerate(lines):
            ly = bottom - 3 - LABEL_H * (len(lines) - 1 - k)
            labels.append(f'<text x="{cx:.1f}" y="{ly:.1f}" '
                          f'font-size="10" text-anchor="middle" paint-order="stroke" '
                          'stroke="#FFFFFF" stroke-width="3" fill="#222222">'
                          f"{esc(line)}</text>")
    for nid in sorted(pos):
        n = nodes[nid]
        x, y = xy(nid)
        if n.external:
            out.append(f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="4" '
                       'fill="#FFFFFF" stroke="#777777" stroke-dasharray="4 3"/>')
        else:
            stroke = "2.5" if n.moved else "1"
            out.append(f'<rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" '
                       f'fill="#FFFFFF" stroke="#222222" stroke-width="{stroke}"/>')
            out.append(f'<rect x="{x}" y="{y}" width="{BAND}" height="{NODE_H}" '
                       f'fill="{colors.get(n.now, PALETTE[-1])}"/>')
            out.append(f'<rect x="{x + NODE_W - BAND}" y="{y}" width="{BAND}" '
                       f'height="{NODE_H}" fill="{colors.get(n.recommended, PALETTE[-1])}"/>')
        room = NODE_W - 2 * BAND - 8
        for i, line in enumerate(_lines(n, lang)[:4]):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{x + BAND + 4}" y="{y + 15 + i * 14}"{weight}>'
                       f"{esc(_clip(line, room, bold=i == 0))}</text>")
    out.extend(labels)  # on top of every line and box
    if right + 8 > width:
        width = math.ceil(right + 8)
        out[0], out[4] = frame(width)
    ly = top + rows * (NODE_H + ROW_GAP) + 8
    for i, part in enumerate(legend):
        out.append(f'<text x="10" y="{ly + 10 + 14 * i}" font-size="10">{esc(part)}</text>')
    for i, loc in enumerate(used):
        lx = 10 + (i % 3) * 200
        lyy = ly + 4 + 14 * len(legend) + (i // 3) * 18
        out.append(f'<rect x="{lx}" y="{lyy}" width="12" height="12" '
                   f'fill="{colors.get(loc, PALETTE[-1])}" stroke="#222222" stroke-width="0.5"/>')
        out.append(f'<text x="{lx + 17}" y="{lyy + 10}" font-size="10">{esc(loc)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _n(x: float) -> str:
    """A coordinate as written before labels were placed: integers stay integers."""
    return f"{x:g}" if x == int(x) else f"{x:.1f}"


def _bezier(curve: Sequence[tuple[float, float]], t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    u = 1 - t
    return (u ** 3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t ** 3 * x3,
            u ** 3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t ** 3 * y3)


def _place(curve: Sequence[tuple[float, float]], prefer: float, box_w: float, box_h: float,
           taken: list[tuple[float, float, float, float]],
           dx: float = 0.0) -> tuple[float, float]:
    """A spot for an edge's label (its centre x and bottom y): on its own curve (``dx`` to the
    right of it for a loop), as near the preferred point as possible, clear of the boxes, the
    title, the legend and the labels placed before it; moved up or down a line at a time when
    the curve itself is crowded."""
    steps = sorted({round(prefer + k * 0.05, 2) for k in range(-18, 19)} & {
        round(0.05 * k, 2) for k in range(2, 19)}, key=lambda t: (abs(t - prefer), t))

    def free(cx: float, bottom: float) -> bool:
        a = (cx - box_w / 2, bottom - box_h, cx + box_w / 2, bottom)
        return all(a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1] for b in taken)

    for shift in sorted(range(-8, 9), key=lambda k: (abs(k), k)):
        for t in steps:
            x, y = _bezier(curve, t)
            bottom = y - 2 + shift * LABEL_H
            if free(x + dx, bottom):
                return x + dx, bottom
    x, y = _bezier(curve, prefer)
    return x + dx, y - 2


def _safe_id(text: str) -> str:
    """A stable XML id fragment for any text (letters, digits and dashes)."""
    core = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in text).strip("-")
    import hashlib

    return (core[:40] or "x") + "-" + hashlib.sha1(text.encode()).hexdigest()[:6]  # noqa: S324


# -- the command's output -------------------------------------------------------------------------

def render(plan: Plan, fmt: str, applications: Sequence[str] | None = None,
           moving_only: bool = False) -> str:
    """``advisor graph`` output: one chain as a bare diagram, several as one document
    (Mermaid: Markdown with a block per chain; DOT: one digraph per chain; SVG: stacked)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown --format '{fmt}'", hint=f"one of: {', '.join(FORMATS)}")
    found = chains(plan, applications, moving_only)
    colors = location_colors(plan)
    cur = plan.currency
    if not found:
        raise InputError("no application chain to draw" + (" (no application moves)"
                                                            if moving_only else ""))
    if fmt == "dot":
        return "\n".join(to_dot(c, colors, cur) for c in found)
    if fmt == "svg":
        if len(found) == 1:
            return to_svg(found[0], colors, cur)
        return _stack([to_svg(c, colors, cur, id_prefix=f"g{i}") for i, c in enumerate(found)])
    if len(found) == 1:
        return to_mermaid(found[0], colors, cur)
    return mermaid_blocks(plan, [c.application for c in found], moving_only=False,
                          heading="##").rstrip("\n") + "\n"


def _stack(svgs: list[str]) -> str:
    """Several chain SVGs one under the other in one SVG document."""
    import re

    sizes = []
    for s in svgs:
        m = re.search(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"', s)
        assert m
        sizes.append((float(m.group(1)), float(m.group(2))))
    width = max(w for w, _ in sizes)
    height = sum(h for _, h in sizes) + 10 * (len(svgs) - 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
           f'width="{width:g}" height="{height:g}">']
    y = 0.0
    for s, (_, h) in zip(svgs, sizes, strict=True):
        inner = s.replace('<svg xmlns="http://www.w3.org/2000/svg" ', f'<svg y="{y:g}" ', 1)
        out.append(inner.rstrip("\n"))
        y += h + 10
    out.append("</svg>")
    return "\n".join(out) + "\n"
