"""Regular expressions from policy packs, run by RE2 (google-re2): time linear in the value's
length whatever the pattern, so a label value cannot hang a CI job (Python's backtracking
``re`` takes minutes for ``^(a+)+$`` against 34 characters). A pattern is checked when its
pack loads: at most ``MAX_LENGTH`` characters and ``MAX_NESTING`` levels of groups, and RE2
syntax (no backreferences or lookaround)."""

from __future__ import annotations

import functools
from typing import Any

MAX_LENGTH = 1000
MAX_NESTING = 20


class PatternError(ValueError):
    """A pattern that RE2 would not run, or that is too long or too deeply nested."""


def nesting(pattern: str) -> int:
    """How deeply the pattern's groups nest (escapes and character classes skipped)."""
    depth = deepest = 0
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                i += 2 if pattern[i + 1] == "]" else 3
                continue
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern; raises PatternError with a reason a pack author can act on."""
    if len(pattern) > MAX_LENGTH:
        raise PatternError(f"the pattern is {len(pattern)} characters long; at most "
                           f"{MAX_LENGTH} are allowed")
    deep = nesting(pattern)
    if deep > MAX_NESTING:
        raise PatternError(f"the pattern nests groups {deep} deep; at most {MAX_NESTING} "
                           "levels are allowed")
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else str(exc)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"{reason} (patterns use RE2 syntax: no backreferences or "
                           "lookaround)") from None


def fullmatch(pattern: str, value: str) -> bool:
    """Whether the whole value matches the pattern (linear time)."""
    return compile_pattern(pattern).fullmatch(value) is not None
