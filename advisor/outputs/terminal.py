"""Text that fits a terminal: tables that give up columns in a fixed order, long text wrapped
under its row, and paragraphs wrapped with a hanging indent.

``width=None`` means "no limit" (``--wide``): the table is what tabulate makes of every column,
exactly as before widths were fitted. The width itself comes from the command line
(``advisor.commands.common.output_width``): only the commands look at the terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from tabulate import tabulate


@dataclass(frozen=True)
class Column:
    """How a column gives way when the table is too wide. ``drop``: dropped in rising order
    (0 = never); ``under``: may move under its row as "header: text"; ``wrap``: its text may
    wrap down to this many characters (0 = never wraps, e.g. ids and amounts)."""

    header: str
    align: str = "left"
    drop: int = 0
    under: bool = False
    wrap: int = 0
    short: str = ""  # the header when fitting a width, if shorter

    def title(self, fitting: bool) -> str:
        return self.short if fitting and self.short else self.header


def wrap(text: str, width: int | None, indent: str = "", hanging: str | None = None) -> list[str]:
    """``text`` as lines of at most ``width`` characters (None: one line), the first indented
    by ``indent``, the rest by ``hanging`` (default: the same). Words longer than a line are
    kept whole (an id is never split)."""
    if width is None:
        return [indent + text]
    return textwrap.wrap(text, width=max(width, len(indent) + 10), initial_indent=indent,
                         subsequent_indent=indent if hanging is None else hanging,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _widest(lines: Sequence[str]) -> int:
    return max((len(x) for x in lines), default=0)


def _simple(head: list[str], body: list[list[str]], align: list[str]) -> list[str]:
    """tabulate's "simple" layout without its extra padding beside right-aligned headers:
    columns two spaces apart, a dashed rule under the header, cells may hold several lines."""
    widths = [max([len(h)] + [len(x) for row in body for x in row[i].split("\n")])
              for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if a == "right" else c.ljust(w)
                         for c, w, a in zip(cells, widths, align, strict=True)).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths)]
    for row in body:
        parts = [c.split("\n") for c in row]
        for k in range(max(len(p) for p in parts)):
            out.append(line([p[k] if k < len(p) else "" for p in parts]))
    return out


def _render(rows: Sequence[Sequence[str]], columns: Sequence[Column], shown: list[int],
            under: list[int], wraps: dict[int, int], width: int | None) -> list[str]:
    if width is None:
        return tabulate([[row[i] for i in shown] for row in rows],
                        headers=[columns[i].header for i in shown], tablefmt="simple",
                        disable_numparse=True,
                        colalign=[columns[i].align for i in shown]).split("\n")
    body = [["\n".join(wrap(row[i], wraps[i])) if i in wraps else row[i] for i in shown]
            for row in rows]
    table = _simple([columns[i].title(True) for i in shown], body,
                    [columns[i].align for i in shown])
    if not under:
        return table
    out = table[:2]
    pos = 2
    for row, cells in zip(rows, body, strict=True):
        height = max((c.count("\n") + 1 for c in cells), default=1)
        out.extend(table[pos:pos + height])
        pos += height
        for i in under:
            if row[i] and row[i] != "-":
                out.extend(wrap(f"{columns[i].header}: {row[i]}", width, "    ", "      "))
    return out


def fit_table(rows: Sequence[Sequence[str]], columns: Sequence[Column],
              width: int | None) -> str:
    """A tabulate "simple" table of ``rows`` no wider than ``width`` where that can be done:
    first text columns wrap, then ``under`` columns move under their rows, then columns are
    dropped in their ``drop`` order. With ``width=None`` every column is shown as it is."""
    every = list(range(len(columns)))
    if width is None:
        return "\n".join(_render(rows, columns, every, [], {}, None))
    undercols = [i for i in every if columns[i].under]
    droppable = sorted((i for i in every if columns[i].drop), key=lambda i: columns[i].drop)
    attempt: list[str] = []
    for moved in ([], undercols) if undercols else ([],):
        for k in range(len(droppable) + 1):
            gone = set(moved) | set(droppable[:k])
            shown = [i for i in every if i not in gone]
            attempt = _render(rows, columns, shown, moved, {}, width)
            if _widest(attempt) <= width:
                return "\n".join(attempt)
            wraps = _wrap_widths(rows, columns, shown, width)
            if wraps:
                attempt = _render(rows, columns, shown, moved, wraps, width)
                if _widest(attempt) <= width:
                    return "\n".join(attempt)
    return "\n".join(attempt)  # as narrow as it gets


def _wrap_widths(rows: Sequence[Sequence[str]], columns: Sequence[Column], shown: list[int],
                 width: int) -> dict[int, int]:
    """Widths for the wrapping columns so that the table fits, shared in proportion to their
    natural widths; empty when even their minimum widths do not fit."""
    natural = {i: max([len(columns[i].header)] + [len(r[i]) for r in rows]) for i in shown}
    wrapping = [i for i in shown if columns[i].wrap]
    if not wrapping:
        return {}
    natural = {i: max(len(columns[i].title(True)), natural[i]) if not columns[i].wrap
               else natural[i] for i in shown}
    fixed = sum(natural[i] for i in shown if i not in wrapping) + 2 * (len(shown) - 1)
    room = width - fixed
    if room < sum(columns[i].wrap for i in wrapping):
        return {}
    total = sum(natural[i] for i in wrapping)
    out = {i: max(columns[i].wrap, room * natural[i] // total) for i in wrapping}
    while sum(out.values()) > room:  # rounding up to the minimums may overshoot
        i = max(out, key=lambda j: out[j] - columns[j].wrap)
        if out[i] <= columns[i].wrap:
            return {}
        out[i] -= 1
    return out


def pairs(items: Sequence[tuple[str, str]], width: int | None) -> str:
    """Two columns without a header (name, value); a long value wraps in its column."""
    if width is None:
        return tabulate(items, tablefmt="plain", disable_numparse=True)
    key = max((len(k) for k, _ in items), default=0)
    out = []
    for k, v in items:
        lines = wrap(v, max(width - key - 2, 20))
        out.append(f"{k.ljust(key)}  {lines[0]}".rstrip())
        out.extend(" " * (key + 2) + x for x in lines[1:])
    return "\n".join(out)
