"""Markdown that fits a pull/merge request comment.

A GitHub comment holds 65,536 characters (GitLab's notes allow more, but long ones are cut in
e-mails), so a Markdown output is built from sections in order of importance: the summary first,
details in collapsed ``<details>`` blocks after it. When the whole would not fit ``max_chars``,
whole sections are left out (never half a table or half a code block) and a note at the end
names them and says how to get the full text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

COMMENT_LIMIT = 65000  # default --max-chars for Markdown; GitHub's hard limit is 65,536


@dataclass(frozen=True)
class Section:
    """A piece of Markdown. ``required`` sections are always kept (the summary); ``name`` is
    how the note calls the section when it is left out."""

    name: str
    lines: Sequence[str]
    required: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


def details(summary: str, body: Sequence[str]) -> list[str]:
    """A collapsed block: GitHub and GitLab show only ``summary`` until it is opened. The blank
    lines around the body let Markdown (tables, lists, code) render inside it."""
    return [f"<details><summary>{summary}</summary>", "", *body, "", "</details>"]


def _note(left_out: Sequence[str], max_chars: int) -> str:
    return (f"> **Shortened to fit {max_chars:,} characters** (a pull request comment): left "
            f"out {', '.join(left_out)}. For the full text, run the same command with "
            "`--max-chars 0 -o FILE` (for example as a CI artifact).\n")


def fit(sections: Sequence[Section], max_chars: int | None) -> str:
    """The sections joined by blank lines, within ``max_chars`` (None or 0: no limit).
    Sections that do not fit are left out, whole, and named in a note at the end."""
    texts = [s.text for s in sections]
    whole = "\n".join(texts)
    if not max_chars or len(whole) <= max_chars:
        return whole
    kept: list[str] = []
    left_out: list[str] = []
    # room for the note, whatever the names of what is left out
    reserve = len(_note([s.name for s in sections if not s.required], max_chars)) + 1
    used = 0
    for section, text in zip(sections, texts, strict=True):
        cost = len(text) + (1 if kept else 0)
        if section.required or used + cost + reserve <= max_chars:
            kept.append(text)
            used += cost
        else:
            left_out.append(section.name)
    return "\n".join([*kept, _note(left_out, max_chars)])
