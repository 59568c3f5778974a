"""Reading the user's YAML files: fast in the good case, precise in the bad one, bounded always.

Files are parsed with libyaml's C loader when present. Line numbers are only needed when
something is wrong (or when a report wants to point at a definition), so they are found on demand
by composing the file's node tree once and walking a key path to its node.

Every file is read within limits, so that a hostile file ends in one clear error within seconds:
regular files only (a FIFO, a device or a link to one is refused before it is opened), at most
``ADVISOR_MAX_INPUT_MB`` megabytes (default 50), at most ``MAX_NESTING`` levels of nesting
(block, or ``[ ]`` and ``{ }``) and an alias expansion of at most ``MAX_ALIAS_NODES`` nodes
beyond the file's own (a "billion laughs" document fails before anything walks the expanded
tree). Scalars are built without loss: a number with a fraction becomes an exact ``Decimal``
and a date stays the text it was (the format's own types check it, with the line), so nothing
is lost or rounded on the way.
Errors name the file, the line and the kind of problem, never the file's contents.
"""

from __future__ import annotations

import builtins
import difflib
import os
import re
import stat
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import InputError

# The C parser is ~10x faster; fall back to pure Python where libyaml is absent.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# First characters with which a plain scalar may be something other than text under YAML 1.1's
# implicit resolvers (bool, int, float, null, timestamp, merge, value). Any other first character
# means text, so the regex scan of the resolvers can be skipped: most ids and names start so.
_MAYBE_NOT_TEXT = frozenset("yYnNtTfFoO-+0123456789.<~=")
_STR_TAG = "tag:yaml.org,2002:str"
# The tag of each implicitly typed scalar resolved so far: it depends only on the text (the
# loader has fixed implicit resolvers and no path resolvers).
_PLAIN_TAGS: dict[str, str] = {}

MAX_INPUT_MB = 50  # per file; ADVISOR_MAX_INPUT_MB overrides
MAX_INPUT_ENV = "ADVISOR_MAX_INPUT_MB"
MAX_NESTING = 100  # levels of collections, flow ([ ] and { }) or block (indentation)
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add beyond the file's own (or as many again)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader with a fast path for plain scalars that can only be text, exact numbers,
    dates kept as text and duplicate keys refused."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A repeated key is an error: PyYAML would silently keep the last value and drop the
        rest (a second `workloads:` line would lose every workload above it)."""
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if (
                    isinstance(key_node, yaml.ScalarNode)
                    and key_node.tag != "tag:yaml.org,2002:merge"
                ):
                    if key_node.value in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                        )
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0] and value:
            if value[0] not in _MAYBE_NOT_TEXT:
                return _STR_TAG
            # Numbers repeat (sizes, prices, flows): resolve each distinct plain one once.
            if len(value) <= 32:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(_PLAIN_TAGS) < 100_000:
                        _PLAIN_TAGS[value] = tag
                return tag
        return super().resolve(kind, value, implicit)

    def construct_exact_float(self, node: Any) -> Decimal:
        """The number as written, exactly: ``0.1`` is Decimal('0.1'), never a binary float;
        where the float's shortest form is the same number, its digits (what the file meant)."""
        text = str(self.construct_scalar(node)).replace("_", "").strip()
        lowered = text.lower()
        if lowered in (".inf", "+.inf", "-.inf", ".nan"):
            return Decimal("NaN") if lowered == ".nan" else Decimal(lowered.replace(".", ""))
        try:
            exact = Decimal(text)
        except InvalidOperation:  # YAML 1.1 base-60 (1:30.5) and other rare forms
            return Decimal(repr(yaml.SafeLoader.construct_yaml_float(self, node)))
        try:
            short = Decimal(repr(float(text)))
        except (ValueError, OverflowError):
            return exact
        return short if short == exact else exact

    def construct_date_text(self, node: Any) -> str:
        """Dates stay text: the field that wants a date checks it (an impossible 2026-02-30 is
        an error there, with its line); a label or a name may hold anything date-like."""
        return str(self.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_exact_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_date_text)


KeyPath = tuple[str | int, ...]
# Larger amounts, resources or traffic are typing mistakes; they would also overflow the
# exact Decimal arithmetic of the cost model (and smaller non-zero ones underflow it).
MAX_NUMBER = Decimal("1e15")
MIN_NUMBER = Decimal("1e-15")


def max_input_bytes() -> int:
    """The size limit for one input file, from ADVISOR_MAX_INPUT_MB (default 50)."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not raw:
        return MAX_INPUT_MB * 2**20
    try:
        mb = float(raw)
    except ValueError:
        mb = -1.0
    if not 0 < mb < 2**40 or mb != mb:
        raise InputError(f"{MAX_INPUT_ENV} must be a positive number of megabytes",
                         hint=f"e.g. {MAX_INPUT_ENV}=200 (default {MAX_INPUT_MB})")
    return int(mb * 2**20)


def _kind_of_file(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: Path, what: str) -> bytes:
    """The bytes of a regular file of at most the size limit, or an InputError that says why
    not. The file is opened without blocking and checked again once open, so a FIFO or a device
    swapped in after the first look cannot hang or flood the run."""
    limit = max_input_bytes()
    try:
        first = os.stat(path)
        kind = _kind_of_file(first.st_mode)
        if kind is None:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_CLOEXEC", 0))
            try:
                opened = os.fstat(fd)
                kind = _kind_of_file(opened.st_mode)
                if kind is None:
                    _check_size(path, what, opened.st_size, limit)
                    with os.fdopen(fd, "rb", closefd=False) as fh:
                        raw = fh.read(limit + 1)
                    _check_size(path, what, len(raw), limit)
                    return raw
            finally:
                os.close(fd)
    except FileNotFoundError:
        raise InputError(
            f"{what} not found",
            file=str(path),
            hint="check the path; relative paths are resolved from the file that names them",
        ) from None
    except IsADirectoryError:
        kind = "a directory"
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or 'unreadable'}",
                         file=str(path)) from None
    if kind == "a directory":
        raise InputError(f"{what} is a directory, expected a file", file=str(path))
    link = ""
    if os.path.islink(path):
        link = f" (a link to {os.path.realpath(path)})"
    raise InputError(f"{what} is {kind}{link}, not a regular file", file=str(path),
                     hint="give the path of a file; devices, pipes and sockets are not read")


def _check_size(path: Path, what: str, size: int, limit: int) -> None:
    if size > limit:
        shown = f"{size / 2**20:.1f} MB" if size <= 10 * limit else f"more than {limit // 2**20} MB"
        raise InputError(
            f"{what} is {shown}, over the limit of {limit / 2**20:g} MB for an input file",
            file=str(path),
            hint=f"check that this is the right file; to allow larger files set "
                 f"{MAX_INPUT_ENV} (e.g. {MAX_INPUT_ENV}={max(200, 4 * limit // 2**20)})")


def read_text(path: Path, what: str) -> builtins.str:
    """The file's text, or an InputError that says why it cannot be read."""
    raw = read_bytes(path, what)
    if b"\x00" in raw[:8192]:
        raise InputError(
            f"{what} is not a text file", file=str(path), hint="give a YAML file (UTF-8 text)"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} is not UTF-8 text (bad byte at offset {exc.start})",
            file=str(path),
            hint="save the file as UTF-8",
        ) from None


_BRACKETS = re.compile(r"[\[\]{}]")
_ANCHOR = re.compile(r"(?:^|[\s\[{,:?])&\S", re.MULTILINE)  # '&name' after a separator
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _flow_depth(text: str) -> int:
    """The deepest nesting of [ ] and { } (an upper bound: brackets in quotes count too).
    libyaml's scanner takes quadratic time on thousands of open brackets, so this is checked
    before it sees the text."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return 0
    steps = map(_STEP.__getitem__, _BRACKETS.findall(text))
    return max(accumulate(steps, lambda depth, step: max(depth + step, 0)), default=0)


def _too_many_aliases(root: yaml.Node, distinct: int) -> bool:
    """True when the document, with every alias expanded (shared nodes counted at each use),
    has more than ``max(MAX_ALIAS_NODES, distinct)`` nodes beyond its ``distinct`` ones. Each
    distinct node is visited once, and the walk stops as soon as the budget is spent."""
    limit = distinct + max(MAX_ALIAS_NODES, distinct)
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            total = 1 + sum(sizes[id(child)] for child in _children(node))
            if total > limit:
                return True
            sizes[key] = total
            continue
        if key in sizes:
            continue
        sizes[key] = 0  # a recursive alias counts as empty until its node is done
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return False


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _too_deep(root: yaml.Node, shared: bool = True) -> int | None:
    """The line of the first node nested deeper than ``MAX_NESTING`` collections, or None.
    Iterative: whether the parser itself bounds block nesting depends on the libyaml build.
    Without anchors (``shared`` False) the nodes form a tree, walked level by level."""
    if not shared:
        level = [root]
        for _depth in range(MAX_NESTING):
            level = [child for node in level for child in _children(node)]
            if not level:
                return None
        deeper = [child for node in level for child in _children(node)]
        return min(n.start_mark.line for n in deeper) + 1 if deeper else None
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            return node.start_mark.line + 1
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend((child, depth + 1) for child in _children(node))
    return None


def _count(root: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(_children(node))
    return len(seen)


def _compose(text: str, file: str) -> yaml.Node | None:
    """The node tree of ``text`` within the limits, or an InputError with the line."""
    if _flow_depth(text) > MAX_NESTING:
        raise InputError(f"nesting deeper than {MAX_NESTING} levels of [ ] or {{ }}", file=file,
                         hint="a file of this kind nests a few levels; check for a runaway "
                              "bracket or a generated file")
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {str(exc).splitlines()[0][:200]}", file=file) from None
    except RecursionError:
        raise InputError("nesting too deep", file=file,
                         hint="a file of this kind nests a few levels") from None
    finally:
        loader.dispose()
    anchored = _ANCHOR.search(text) is not None  # aliases need an anchor
    if node is not None and (line := _too_deep(node, anchored)) is not None:
        raise InputError(f"nesting too deep (more than {MAX_NESTING} levels)", file=file,
                         line=line, hint="a file of this kind nests a few levels; check the "
                                         "indentation or a generated file")
    if node is not None and anchored:
        distinct = _count(node)
        if _too_many_aliases(node, distinct):
            raise InputError(
                f"aliases (*name) expand the document by more than "
                f"{max(MAX_ALIAS_NODES, distinct):,} nodes", file=file,
                hint="each alias repeats its anchored value; a file of this kind needs few "
                     "of them (this looks like an alias bomb)")
    return node


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = (exc.problem or "invalid YAML").splitlines()[0][:200]
    if problem.startswith("duplicate key"):
        return InputError(problem, file=file, line=line,
                          hint="each key may appear once in a mapping: merge the two entries")
    if "maximum nesting depth" in problem:
        return InputError("nesting too deep for the YAML parser", file=file, line=line,
                          hint="a file of this kind nests a few levels")
    return InputError(f"YAML syntax error: {problem}", file=file, line=line,
                      hint="check indentation and quoting on that line")


def parse_yaml(text: str, file: str, what: str) -> Any:
    """Parse YAML text within the limits; every problem becomes an InputError with the line."""
    node = _compose(text, file)
    data = None
    if node is not None:
        loader = _Loader("")
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise _syntax_error(exc, file) from None
        except yaml.YAMLError as exc:
            raise InputError(f"YAML error: {str(exc).splitlines()[0][:200]}",
                             file=file) from None
        except (ValueError, OverflowError, RecursionError) as exc:
            raise InputError(f"a value cannot be read: {type(exc).__name__}", file=file,
                             hint="quote the value to keep it as text") from None
        finally:
            loader.dispose()
    if data is None:
        raise InputError(
            f"{what} is empty",
            file=file,
            hint="see `advisor init --example gemeente DIR` for a complete example",
        )
    return data


def load_yaml(path: Path, what: str) -> Any:
    return parse_yaml(read_text(path, what), str(path), what)


def _node_tree(file: str) -> yaml.Node | None:
    """The file's node tree, cached while the file is unchanged (size and mtime)."""
    try:
        st = os.stat(file)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return _node_tree_cached(file, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _node_tree_cached(file: str, mtime_ns: int, size: int) -> yaml.Node | None:
    try:
        return _compose(read_text(Path(file), "file"), file)
    except InputError:
        return None


def position_of(file: str | None, keypath: KeyPath) -> tuple[int | None, int | None]:
    """The 1-based (line, column) of the node at ``keypath`` in ``file`` (the key's position for
    a mapping entry), or of the deepest ancestor found; (None, None) when the file cannot be
    composed. Walks only the key path, never the whole (possibly alias-expanded) tree."""
    if not file:
        return None, None
    node = _node_tree(file)
    if node is None:
        return None, None
    mark = node.start_mark
    for step in keypath:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == step:
                    mark = key.start_mark
                    node = value
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def line_of(file: str | None, keypath: KeyPath) -> int | None:
    """The 1-based line of the node at ``keypath`` in ``file`` (see ``position_of``)."""
    return position_of(file, keypath)[0]


def nearest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def dotted(keypath: KeyPath) -> builtins.str:
    out = ""
    for step in keypath:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


class Doc:
    """A file one can point into: an InputError at a key path, with its line."""

    def __init__(self, file: str | None, what: str = "") -> None:
        self.file = file
        self.what = what

    def error(self, keypath: KeyPath, message: str, hint: str | None = None) -> InputError:
        line, column = position_of(self.file, keypath)
        return InputError(f"{dotted(keypath)}: {message}", file=self.file, line=line,
                          column=column, hint=hint, keypath=keypath)


def to_decimal(value: Any) -> Decimal | None:
    """An exact, finite Decimal from a YAML number or numeric text; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))  # the shortest repr is what the user wrote
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 100:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    return None


def in_range(amount: Decimal) -> bool:
    """True when ``amount`` is 0 or between 1e-15 and 1e15 in size (see MAX_NUMBER)."""
    size = amount.copy_abs()  # exact: abs() would round a tiny exponent to 0 first
    return size <= MAX_NUMBER and (size >= MIN_NUMBER or size.is_zero())


def shown(value: Any, limit: int = 40) -> builtins.str:
    """A bad value for a message: short and on one line; a mapping or list only when short."""
    if isinstance(value, (dict, list)):
        text = repr(value)
        if len(text) <= limit and "\n" not in text:
            return text
        return "a mapping" if isinstance(value, dict) else f"a list of {len(value)} items"
    if isinstance(value, Decimal):
        text = str(value) if value.is_finite() else {"NaN": ".nan", "Infinity": ".inf",
                                                       "-Infinity": "-.inf"}.get(str(value), "?")
        return text if len(text) <= limit else text[:limit] + "..."
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "..." + text[0]
    return text


def kind(value: Any, with_value: bool = True) -> builtins.str:
    """What a value is, in words, with the value when it is short and scalar (never for a whole
    file: a path pointing at a .env or a key file must not print its contents)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({value})" if with_value else "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float, Decimal)):
        return f"a number ({shown(value)})" if with_value else "a number"
    if isinstance(value, str):
        return f"text ({shown(value)})" if with_value else "text"
    return type(value).__name__
