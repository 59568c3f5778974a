"""Reading the user's YAML files: fast in the good case, precise in the bad one.

Files are parsed with libyaml's C loader when present. Line numbers are only needed when
something is wrong (or when a report wants to point at a definition), so they are found on demand
by composing the file's node tree once and walking a key path to its node.
"""

from __future__ import annotations

import builtins
import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
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


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader with a fast path for plain scalars that can only be text."""

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
        if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in _MAYBE_NOT_TEXT:
            return _STR_TAG
        return super().resolve(kind, value, implicit)


KeyPath = tuple[str | int, ...]
# Larger amounts, resources or traffic are typing mistakes; they would also overflow the
# exact Decimal arithmetic of the cost model.
MAX_NUMBER = Decimal("1e15")


def read_text(path: Path, what: str) -> builtins.str:
    """The file's text, or an InputError that says why it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{what} not found",
            file=str(path),
            hint="check the path; relative paths are resolved from the file that names them",
        ) from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory, expected a file", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", file=str(path)) from None
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


def parse_yaml(text: str, file: str, what: str) -> Any:
    """Parse YAML text; syntax errors become an InputError with the line."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader (CSafeLoader/SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        duplicate = problem.startswith("duplicate key")
        raise InputError(
            problem if duplicate else f"YAML syntax error: {problem}",
            file=file,
            line=line,
            hint="each key may appear once in a mapping: merge the two entries"
            if duplicate
            else "check indentation and quoting on that line",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=file) from None
    except (ValueError, OverflowError) as exc:  # a value the constructor cannot build
        line, value = _unbuildable_scalar(text)
        raise InputError(
            f"invalid value {value!r}: {exc}" if value else f"invalid value: {exc}",
            file=file,
            line=line,
            hint="dates are YYYY-MM-DD and must exist; quote the value to keep it as text",
        ) from None
    if data is None:
        raise InputError(
            f"{what} is empty",
            file=file,
            hint="see `advisor init --example gemeente DIR` for a complete example",
        )
    return data


def load_yaml(path: Path, what: str) -> Any:
    return parse_yaml(read_text(path, what), str(path), what)


def _unbuildable_scalar(text: str) -> tuple[int | None, str | None]:
    """The line and text of the first scalar that YAML resolves to a type it cannot build
    (an impossible date such as 2026-02-30, a huge exponent)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        return None, None
    finally:
        loader.dispose()
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop(0)
        if isinstance(current, yaml.ScalarNode):
            try:
                yaml.SafeLoader("").construct_object(current, deep=True)
            except (ValueError, OverflowError, yaml.YAMLError):
                return current.start_mark.line + 1, current.value
        elif isinstance(current, yaml.SequenceNode):
            stack[:0] = current.value
        elif isinstance(current, yaml.MappingNode):
            stack[:0] = [n for pair in current.value for n in pair]
    return None, None


def _compose(file: str) -> yaml.Node | None:
    """The file's node tree, cached while the file is unchanged (size and mtime)."""
    try:
        stat = Path(file).stat()
    except OSError:
        return None
    return _compose_cached(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _compose_cached(file: str, mtime_ns: int, size: int) -> yaml.Node | None:
    try:
        text = Path(file).read_text(encoding="utf-8-sig")
        return yaml.compose(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def line_of(file: str | None, keypath: KeyPath) -> int | None:
    """The 1-based line of the node at ``keypath`` in ``file`` (the key's line for a mapping
    entry), or the deepest ancestor found. None when the file cannot be composed."""
    if not file:
        return None
    node = _compose(file)
    if node is None:
        return None
    line = node.start_mark.line + 1
    for step in keypath:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == step:
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def nearest(word: str, choices: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def dotted(keypath: KeyPath) -> builtins.str:
    out = ""
    for step in keypath:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


class Doc:
    """One loaded file plus the ability to point at a key path inside it."""

    def __init__(self, file: str | None, what: str) -> None:
        self.file = file
        self.what = what

    def error(self, keypath: KeyPath, message: str, hint: str | None = None) -> InputError:
        where = dotted(keypath)
        return InputError(
            f"{where}: {message}", file=self.file, line=line_of(self.file, keypath), hint=hint
        )


class View:
    """A value inside a Doc, with typed accessors that raise precise InputErrors."""

    __slots__ = ("doc", "path", "value")

    def __init__(self, doc: Doc, value: Any, path: KeyPath = ()) -> None:
        self.doc = doc
        self.value = value
        self.path = path

    def fail(
        self,
        message: builtins.str,
        hint: builtins.str | None = None,
        key: builtins.str | int | None = None,
    ) -> InputError:
        path = self.path if key is None else (*self.path, key)
        return self.doc.error(path, message, hint)

    # -- shapes ---------------------------------------------------------------------------
    def mapping(
        self, allowed: Sequence[builtins.str], required: Sequence[builtins.str] = ()
    ) -> View:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping (key: value), got {_kind(self.value)}")
        for key in self.value:
            if not isinstance(key, builtins.str) or key not in allowed:
                near = nearest(str(key), allowed)
                hint = f"did you mean '{near}'?" if near else f"allowed keys: {', '.join(allowed)}"
                raise self.fail(f"unknown key '{key}'", hint, key=str(key))
        for key in required:
            if key not in self.value or self.value[key] is None:
                raise self.fail(f"missing required key '{key}'", f"add '{key}:' to this entry")
        return self

    def items(self) -> list[View]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {_kind(self.value)}")
        return [View(self.doc, v, (*self.path, i)) for i, v in enumerate(self.value)]

    def has(self, key: builtins.str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def at(self, key: builtins.str) -> View:
        return View(
            self.doc,
            self.value.get(key) if isinstance(self.value, dict) else None,
            (*self.path, key),
        )

    # -- scalars --------------------------------------------------------------------------
    def str(self, key: builtins.str, default: builtins.str | None = None) -> builtins.str:
        value = self.value.get(key)
        if value is None:
            if default is not None:
                return default
            raise self.fail(f"missing required key '{key}'", f"add '{key}:' to this entry")
        if isinstance(value, bool) or not isinstance(value, (builtins.str, int, float)):
            raise self.fail(f"expected text, got {_kind(value)}", key=key)
        text = str(value).strip()
        if not text:
            raise self.fail("must not be empty", key=key)
        return text

    def choice(
        self,
        key: builtins.str,
        choices: Sequence[builtins.str],
        default: builtins.str | None = None,
    ) -> builtins.str:
        text = self.str(key, default)
        if text not in choices:
            near = nearest(text, choices)
            hint = (f"did you mean '{near}'? " if near else "") + f"one of: {', '.join(choices)}"
            raise self.fail(f"invalid value '{text}'", hint, key=key)
        return text

    def decimal(
        self,
        key: builtins.str,
        *,
        default: Decimal | None = None,
        minimum: Decimal | None = Decimal(0),
        required: bool = True,
        positive: bool = False,
    ) -> Decimal | None:
        value = self.value.get(key)
        if value is None:
            if default is not None or not required:
                return default
            raise self.fail(f"missing required key '{key}'", f"add '{key}:' with a number")
        amount = to_decimal(value)
        if amount is None:
            raise self.fail(f"expected a number, got {value!r}", key=key)
        if abs(amount) > MAX_NUMBER:
            raise self.fail(f"{value} is out of range", "numbers here are at most 1e15", key=key)
        if minimum is not None and amount < minimum:
            raise self.fail(f"must be {minimum} or more, got {value}", key=key)
        if positive and amount <= 0:
            raise self.fail(f"must be more than 0, got {value}", key=key)
        return amount

    def integer(
        self,
        key: builtins.str,
        *,
        default: int | None = None,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self.value.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"expected a whole number, got {value!r}", key=key)
        if minimum is not None and value < minimum:
            raise self.fail(f"must be {minimum} or more, got {value}", key=key)
        if maximum is not None and value > maximum:
            raise self.fail(f"must be {maximum} or less, got {value}", key=key)
        return value

    def boolean(self, key: builtins.str, default: bool | None = None) -> bool:
        value = self.value.get(key)
        if value is None:
            if default is None:
                raise self.fail(f"missing required key '{key}'", f"add '{key}: true' or 'false'")
            return default
        if not isinstance(value, bool):
            raise self.fail(f"expected true or false, got {value!r}", key=key)
        return value

    def date(self, key: builtins.str) -> dt.date:
        value = self.value.get(key)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, builtins.str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(f"expected a date as YYYY-MM-DD, got {value!r}", key=key)

    def str_list(self, key: builtins.str) -> tuple[builtins.str, ...]:
        value = self.value.get(key)
        if value is None:
            return ()
        if isinstance(value, builtins.str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(f"expected a list of text, got {_kind(value)}", key=key)
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (builtins.str, int, float)):
                raise self.doc.error((*self.path, key, i), f"expected text, got {_kind(item)}")
            out.append(str(item))
        return tuple(out)

    def str_map(self, key: builtins.str) -> dict[builtins.str, builtins.str]:
        value = self.value.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"expected a mapping, got {_kind(value)}", key=key)
        out = {}
        for k, v in value.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            if v is None or not isinstance(v, (builtins.str, int, float)):
                raise self.doc.error((*self.path, key, str(k)), f"expected text, got {_kind(v)}")
            out[str(k)] = str(v)
        return out


def to_decimal(value: Any) -> Decimal | None:
    """An exact Decimal from a YAML number or numeric text; None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))  # the shortest repr is what the user wrote
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    return None


def _kind(value: Any) -> builtins.str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value!r})"
    return type(value).__name__
