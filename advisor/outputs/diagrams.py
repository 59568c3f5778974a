"""Chain diagrams: each application's workloads, where they run now and where they should run,
the traffic on each dependency, and the moves the rules exclude.

One diagram per application, never one diagram of the whole estate (a hairball nobody can read).
A chain holds the application's workloads and their direct neighbours in other applications
(drawn dashed, as context). Three renderings: Mermaid (GitHub and GitLab draw it in Markdown),
Graphviz DOT, and a self-contained SVG laid out here (layered, left to right: callers before the
workloads they depend on). Every text from the estate is escaped for the target syntax.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from advisor.errors import InputError

if TYPE_CHECKING:
    from advisor.estate.model import Dependency, Workload
    from advisor.outputs.i18n import Lang
    from advisor.placement.costs import CostModel
    from advisor.placement.plan import Plan, Recommendation

# Okabe-Ito (colour-blind safe), black left out: strong colour for bands and borders.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442",
           "#999999")
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
FORMATS = ("mermaid", "dot", "svg")


MAX_NEIGHBOURS = 8  # other applications drawn one by one; the rest become one box

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
                     "gestreepte pijl: betaalt egress na de verhuizing; gestreept blok: andere "
                     "applicaties",
           "egress": "egress"},
}


@dataclass(frozen=True)
class Node:
    """A workload of the chain's application, or (``external``) the workloads of another
    application that it exchanges data with, drawn as one box."""

    id: str
    name: str
    application: str
    now: str
    recommended: str
    external: bool = False
    unplaceable: bool = False
    pinned: bool = False
    excluded_rules: tuple[str, ...] = ()
    excluded_locations: int = 0
    members: tuple[str, ...] = ()  # external: the workloads it stands for
    places: tuple[str, ...] = ()  # external: where those run after the moves
    single: str = ""  # external: the name of its one workload, when it stands for one

    @property
    def moved(self) -> bool:
        return not self.external and self.now != self.recommended


@dataclass(frozen=True)
class Edge:
    """``source`` depends on ``target``; traffic both ways, egress per month now and after."""

    source: str
    target: str
    gb_month: Decimal
    egress_now: Decimal
    egress_after: Decimal


@dataclass(frozen=True)
class Chain:
    application: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    @property
    def moves(self) -> int:
        return sum(1 for n in self.nodes if n.moved)

    @property
    def size(self) -> int:
        return sum(1 for n in self.nodes if not n.external)


def chains(plan: Plan, applications: Sequence[str] | None = None,
           moving_only: bool = False) -> list[Chain]:
    """The chains of ``applications`` (all when None), sorted by application name. The
    application's workloads are nodes; each other application it exchanges data with is one
    node (edges summed), the least busy beyond MAX_NEIGHBOURS merged into one."""
    from advisor.placement.costs import CostModel

    estate = plan.estate
    recs = {r.workload.id: r for r in plan.recommendations}
    workloads = estate.workload_by_id()
    by_app: dict[str, list[str]] = {}
    for w in estate.workloads:
        by_app.setdefault(w.application, []).append(w.id)
    if applications:
        unknown = sorted(set(applications) - set(by_app))
        if unknown:
            from advisor.estate.yamlfile import nearest

            near = nearest(unknown[0], sorted(by_app))
            raise InputError(f"unknown application '{unknown[0]}'",
                             hint=f"did you mean '{near}'?" if near else
                             "name an application of the estate")
    model = CostModel(estate)
    now = {w.id: w.location for w in estate.workloads}
    after = {r.workload.id: r.recommended_location for r in plan.recommendations}
    callers: dict[str, list[tuple[str, Dependency]]] = {}
    for w in estate.workloads:
        for d in w.depends_on:
            callers.setdefault(d.workload, []).append((w.id, d))
    out = []
    for app in sorted(set(applications or by_app)):
        inside = set(by_app[app])
        raw: list[tuple[str, str, Edge]] = []  # (member, other workload, edge)
        for wid in sorted(inside):
            for d in workloads[wid].depends_on:
                raw.append((wid, d.workload, _edge(model, wid, d, now, after)))
            for caller, dep in callers.get(wid, ()):
                if caller not in inside:
                    raw.append((wid, caller, _edge(model, caller, dep, now, after)))
        chain = _group(app, inside, raw, recs, workloads, after)
        if moving_only and not chain.moves:
            continue
        out.append(chain)
    return out


def _group(app: str, inside: set[str], raw: list[tuple[str, str, Edge]],
           recs: dict[str, Recommendation], workloads: dict[str, Workload],
           after: dict[str, str]) -> Chain:
    """Edges inside the application as they are; edges to other applications summed per
    (member, application, direction), the quietest applications merged into one box."""
    traffic: dict[str, Decimal] = {}
    for _, other, e in raw:
        if other not in inside:
            oapp = workloads[other].application
            traffic[oapp] = traffic.get(oapp, Decimal(0)) + e.gb_month
    ranked = sorted(traffic, key=lambda a: (-traffic[a], a))
    keep = set(ranked if len(ranked) <= MAX_NEIGHBOURS else ranked[:MAX_NEIGHBOURS - 1])
    merged = sorted(set(ranked) - keep)

    def ext_id(oapp: str) -> str:
        return "app:" + oapp if oapp in keep else "apps:other"

    edges: dict[tuple[str, str], list[Decimal]] = {}
    members: dict[str, set[str]] = {}
    for member, other, e in raw:
        if other in inside:
            key = (e.source, e.target)
        else:
            gid = ext_id(workloads[other].application)
            members.setdefault(gid, set()).add(other)
            key = (member, gid) if e.source == member else (gid, member)
        slot = edges.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
        slot[0] += e.gb_month
        slot[1] += e.egress_now
        slot[2] += e.egress_after
    nodes = [_node(recs[w], False) for w in sorted(inside)]
    for gid in sorted(members):
        ws = sorted(members[gid])
        places = tuple(sorted({after[w] for w in ws}))
        if gid == "apps:other":
            name = oapp = _w(None, "others", n=len(merged))
        else:
            name = oapp = gid[4:]
        single = workloads[ws[0]].name or ws[0] if len(ws) == 1 and gid != "apps:other" else ""
        nodes.append(Node(gid, name, oapp, "", "", external=True, members=tuple(ws),
                          places=places, single=single))
    return Chain(app, tuple(nodes), tuple(Edge(a, b, *v) for (a, b), v in sorted(edges.items())))


def _edge(model: CostModel, caller: str, d: Dependency, now: dict[str, str],
          after: dict[str, str]) -> Edge:
    return Edge(caller, d.workload, d.receive_gb_month + d.send_gb_month,
                model.edge_monthly(d, now[caller], now[d.workload]),
                model.edge_monthly(d, after[caller], after[d.workload]))


def _node(r: Recommendation, external: bool) -> Node:
    w = r.workload
    rules = tuple(sorted({x for found in r.excluded.values() for x in found}))
    return Node(w.id, w.name or w.id, w.application, r.current_location,
                r.recommended_location, external, r.unplaceable, w.pinned, rules,
                len(r.excluded))


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
    return lang.money(value) if lang else f"{value:,.2f} {currency}"


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

def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: anything but plain letters, digits and a few
    punctuation marks becomes an entity code (#60; for <), so no markup, Markdown or syntax
    from the estate survives."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in " .,:;()/-+=_"):
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


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


def markdown_text(text: str, line_start: bool = False) -> str:
    """Text safe in Markdown prose and table cells, on one line: HTML-escaped (no tag or entity
    from the estate survives) and the inline markup characters and pipes backslash-escaped.
    ``line_start``: the text begins a line, so a first character that would start a heading,
    list or quote is escaped too."""
    text = html.escape(" ".join(text.split()), quote=False)
    text = "".join("\\" + ch if ch in "\\`*_[]|~" else ch for ch in text)
    if line_start:
        if text[:1] in ("#", "+", "-", "=", ">"):
            text = "\\" + text
        text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


# -- DOT ------------------------------------------------------------------------------------------

def dot_text(text: str) -> str:
    """Text safe inside a double-quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")


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

NODE_W, NODE_H, COL_GAP, ROW_GAP, BAND = 190, 66, 180, 16, 12
CHAR_W = 6.1  # average width of an 11px sans-serif character


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


def _clip(text: str, width: float, size: float = 11) -> str:
    room = int(width / (CHAR_W * size / 11))
    return text if len(text) <= room else text[:max(room - 1, 1)] + "…"


def to_svg(chain: Chain, colors: dict[str, str], currency: str, lang: Lang | None = None,
           id_prefix: str = "g") -> str:
    """A standalone SVG (also fit to be inlined in HTML): boxes with a left band for the
    current location and a right band for the recommended one, a legend of the colours. An
    edge's label sits at the end where fewer edges meet, so fans of edges stay readable."""
    esc = html.escape
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
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-t" '
           f'font-family="{FONT}" font-size="11" class="chain">',
           f'<title id="{ident}-t">{esc(title)}</title>',
           f'<defs><marker id="{ident}-a" viewBox="0 0 10 10" refX="10" refY="5" '
           'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#444444"/></marker></defs>',
           f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>',
           f'<text x="10" y="20" font-size="13" font-weight="bold">{esc(title)}</text>']
    labels = []
    for e in chain.edges:
        x1, y1 = xy(e.source)
        x2, y2 = xy(e.target)
        sx, sy = x1 + NODE_W, y1 + NODE_H / 2
        tx, ty = x2, y2 + NODE_H / 2
        if x2 <= x1:  # same column (a cycle) or backwards: loop out to the right
            tx = x2 + NODE_W
            bend = 40
            d = f"M{sx},{sy} C{sx + bend},{sy} {tx + bend},{ty} {tx},{ty}"
            lx, ly, anchor = max(sx, tx) + bend * 0.8, (sy + ty) / 2, "start"
        else:
            mid = (sx + tx) / 2
            d = f"M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}"
            if outdeg[e.source] > indeg[e.target]:  # a fan out: label at the arrow head
                lx, ly, anchor = tx - 8, ty - 4, "end"
            elif outdeg[e.source] < indeg[e.target]:  # a fan in: label at the tail
                lx, ly, anchor = sx + 8, sy - 4, "start"
            else:
                lx, ly, anchor = mid, (sy + ty) / 2 - 3, "middle"
        dash = ' stroke-dasharray="5 3"' if e.egress_after else ""
        out.append(f'<path d="{d}" fill="none" stroke="#444444" stroke-width="1.3"{dash} '
                   f'marker-end="url(#{ident}-a)"/>')
        lines = [_gb(e.gb_month, lang)]
        if e.egress_after:
            lines.append(f"{_w(lang, 'egress')} {_money(e.egress_after, lang, currency)}")
        room = COL_GAP - 12 if anchor == "middle" else COL_GAP / 2 - 6
        for k, line in enumerate(lines):
            labels.append(f'<text x="{lx:.1f}" y="{ly - 11 * (len(lines) - 1 - k):.1f}" '
                          f'font-size="10" text-anchor="{anchor}" paint-order="stroke" '
                          'stroke="#FFFFFF" stroke-width="3" fill="#222222">'
                          f"{esc(_clip(line, room, 10))}</text>")
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
                       f"{esc(_clip(line, room))}</text>")
    out.extend(labels)  # on top of every line and box
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
