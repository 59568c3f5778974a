"""One escaping function per output language. Every writer puts text that came from a file
(names, labels, waiver reasons and owners, rule text, bill fields) through the function for its
language, so no markup, formula, escape sequence or control character written by someone else
reaches a renderer, a spreadsheet or a terminal.

- ``markdown_text``: GitHub/GitLab Markdown prose and table cells (HTML, links, images,
  autolinks, @mentions, #references, emphasis, table pipes, fences, leading block markup);
  ``markdown_code`` for a code span; ``markdown_link`` for a link (http and https only).
- ``html_text``: HTML text and attribute values; ``http_url`` keeps http(s) links only.
- ``xml_text``: XML 1.0 (SVG, JUnit): characters XML forbids removed, then escaped; ``xml_chars``
  only removes them (for ElementTree, which escapes by itself).
- ``csv_cell``: a cell a spreadsheet opens as text, never as a formula (as defusedcsv does).
- ``terminal_text``: terminal escape sequences (CSI, OSC, ...) and control characters removed.
- ``mermaid_text`` and ``dot_text``: labels inside the two diagram languages.
"""

from __future__ import annotations

import html
import re

# C0 controls but tab/newline, DEL, C1 controls, and the bidirectional overrides and isolates
# that reorder what a reader sees ("trojan source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# An escape sequence: CSI (ESC [ or 0x9b ... final byte), OSC/DCS/PM/APC/SOS strings (up to BEL
# or ST), and two-character escapes.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]")
# Not allowed in an XML 1.0 document, or "discouraged" there and a parse error in HTML: the
# controls (C0 but tab and line ends, DEL, C1), lone surrogates and the noncharacters.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                            "\ufffe\uffff\U0001fffe\U0001ffff\U0002fffe\U0002ffff"
                            "\U0003fffe\U0003ffff\U0004fffe\U0004ffff\U0005fffe\U0005ffff"
                            "\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
                            "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff"
                            "\U000cfffe\U000cffff\U000dfffe\U000dffff\U000efffe\U000effff"
                            "\U000ffffe\U000fffff\U0010fffe\U0010ffff]")
ZWSP = "&#8203;"  # a zero-width space: breaks an autolink, mention or reference, shows nothing


def terminal_text(text: str) -> str:
    """Text safe to print on a terminal: escape sequences and control characters (but tab and
    newline) removed, so a name cannot recolour, retitle, hide or rewrite what is shown."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def one_line(text: str) -> str:
    """Control characters removed and every run of white space one space."""
    return " ".join(terminal_text(text).split())


# -- Markdown -------------------------------------------------------------------------------------

_MD_PUNCT = set("\\`*_[]|~$<>{}!")
_LEADING_BLOCK = re.compile(r"^(\d+)([.)])")


def markdown_text(text: str, line_start: bool = False) -> str:
    """Text safe in Markdown prose and table cells, on one line: no HTML (``<`` and ``&`` become
    entities), no emphasis, link, image, code, math or table markup (backslash-escaped), no
    autolink, @mention or #reference (a zero-width space after ``@``, ``#``, ``www`` and before
    ``//``). ``line_start``: the text begins a line, so a first character that would start a
    heading, list, quote or fence is escaped too."""
    text = one_line(text)
    out = []
    for ch in text:
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    text = "".join(out)
    text = re.sub(r"([@#])(?=\w)", r"\1" + ZWSP, text)
    text = re.sub(r"(?i)(www)(?=\.)", r"\1" + ZWSP, text)
    text = text.replace("://", ":" + ZWSP + "//")
    if line_start:
        if text[:1] in ("#", "+", "-", "=", ">"):
            text = "\\" + text
        text = _LEADING_BLOCK.sub(r"\1\\\2", text)
    return text


def markdown_code(text: str, in_table: bool = True) -> str:
    """An inline code span showing the text as it is (a fence longer than any run of backticks
    inside); in a table cell a pipe is escaped, which GitHub and GitLab honour in code too."""
    text = one_line(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_link(label: str, url: str) -> str:
    """``[label](url)`` when the URL is http or https, else the label alone (no javascript:,
    data: or relative links from a file someone else wrote)."""
    shown = markdown_text(label)
    safe = http_url(url)
    if safe is None:
        return shown
    quoted = "".join(f"%{ord(c):02X}" if c in "()<> \"'`\\" else c for c in safe)
    return f"[{shown}]({quoted})"


# -- HTML and XML ---------------------------------------------------------------------------------

def html_text(text: object) -> str:
    """Text safe in HTML text and in a quoted attribute value (control characters removed)."""
    return html.escape(xml_chars(terminal_text(str(text))), quote=True)


def http_url(url: str) -> str | None:
    """The URL when it is an absolute http or https URL without white space or control
    characters, else None."""
    url = url.strip()
    if not re.fullmatch(r"(?i)https?://[^\s\x00-\x1f\x7f-\x9f]+", url):
        return None
    return url


def xml_chars(text: str) -> str:
    """The text without the characters XML 1.0 forbids or discourages (controls, lone
    surrogates, noncharacters), so an XML document parses and the same text inlined in HTML
    is no parse error either."""
    return _XML_FORBIDDEN.sub("", text)


def xml_text(text: object) -> str:
    """Text safe in XML 1.0 character data and in a quoted attribute value."""
    return html.escape(xml_chars(str(text)), quote=True)


# -- CSV ------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: a value that starts like a formula
    (``= + - @ | %``, tab, carriage return) gets a leading apostrophe, as defusedcsv does. A plain
    number (``-12.50``) stays a number. Carriage returns become newlines (quoted, so the row
    stays one row)."""
    text = "" if value is None else str(value)
    if text and text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        text = "'" + text
    # a lone carriage return inside a cell would end the row for a reader (Python's writer
    # quotes only the line terminator's characters), so line breaks become plain newlines
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- diagram languages ----------------------------------------------------------------------------

def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: anything but plain letters, digits and a few
    punctuation marks becomes an entity code (#60; for <), so no markup, Markdown or syntax
    from the estate survives."""
    out = []
    for ch in one_line(text):
        if ch.isascii() and (ch.isalnum() or ch in " .,:;()/-+=_"):
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def dot_text(text: str) -> str:
    """Text safe inside a double-quoted Graphviz DOT string (one line; quotes and backslashes
    escaped, so no label escape such as ``\\N`` or ``\\G`` from the estate survives)."""
    return one_line(text).replace("\\", "\\\\").replace('"', '\\"')
