"""One definition per input file format: the base of every format model, the check that turns a
pydantic ValidationError into file:line problems, and the JSON Schema of a format.

A format is a pydantic model (fields named as the file's keys, ``Annotated`` with a kind from
``fields``), so validation and the published schema come from the same declaration. Problems are
reported all at once, each with the file, line and column, the dotted key path, the message and
a hint, sorted in file order.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from advisor.errors import InputError, InputErrors
from advisor.estate.formats.fields import ERROR_TYPE, fail_many
from advisor.estate.yamlfile import KeyPath, dotted, kind, nearest, position_of, shown

M = TypeVar("M", bound=BaseModel)
MAX_PROBLEMS = 1000  # located and kept per file; SHOWN_ERRORS of them are printed


class Format(BaseModel):
    """A mapping in an input file: unknown keys are errors, keys are the field names (or their
    aliases), and a value once validated does not change."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              arbitrary_types_allowed=True)


def with_raw_checks(data: Any, handler: Any, problems: list[Any]) -> Any:
    """For a wrap validator: the model from ``handler``, with ``problems`` found on the raw data
    (e.g. duplicate ids) reported together with the model's own, not only once it is valid."""
    try:
        model = handler(data)
    except ValidationError as exc:
        if problems:
            raise fail_many("file", [((), exc, data), *problems]) from None
        raise
    if problems:
        raise fail_many("file", problems)
    return model


def validate(model: type[M], data: Any, file: str | None, *,
             prefix: KeyPath = (), context: dict[str, Any] | None = None) -> M:
    """``data`` (read from ``file`` at key path ``prefix``) as a ``model``, or InputErrors
    holding every problem found, in file order."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InputErrors(problems(exc, model, file, prefix)) from None
    except RecursionError:
        raise InputError("nesting too deep", file=file,
                         hint="a file of this kind nests a few levels") from None


def problems(exc: ValidationError, model: Any, file: str | None,
             prefix: KeyPath = ()) -> list[InputError]:
    """Every error of ``exc`` as an InputError at its file, line and key path, in file order."""
    out: list[InputError] = []
    for err in exc.errors(include_url=False)[:MAX_PROBLEMS]:
        path, message, hint = _explain(err, model)
        keypath = (*prefix, *path)
        line, column = position_of(file, keypath)
        out.append(InputError(f"{dotted(keypath)}: {message}", file=file, line=line,
                              column=column, hint=hint, keypath=keypath))
    out.sort(key=lambda p: (p.line or 0, p.column or 0))
    return out


def _explain(err: Any, model: Any) -> tuple[KeyPath, str, str | None]:
    """(key path in the file, message, hint) for one pydantic error."""
    loc: tuple[str | int, ...] = tuple(err["loc"])
    path, parent = _walk(model, loc[:-1]) if loc else ((), model)
    last = loc[-1] if loc else None
    here, _ = _walk(model, loc)
    kind_ = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    missing = kind_ == "missing" or (kind_ == ERROR_TYPE and ctx.get("missing"))
    if missing and isinstance(last, int):  # an empty entry of a list
        return here, "expected a value, got nothing", "remove the empty entry or fill it in"
    if missing:
        return path, f"missing required key '{last}'", f"add '{last}:' to this entry"
    if kind_ == ERROR_TYPE:
        key = ctx.get("key")
        return ((*here, key) if key is not None else here), str(ctx.get("message")), \
            ctx.get("hint")
    if kind_ == "extra_forbidden":
        allowed = aliases(parent)
        near = nearest(str(last), allowed)
        hint = f"did you mean '{near}'?" if near else f"allowed keys: {', '.join(allowed)}"
        return here, f"unknown key {shown(str(last))}", hint
    whole = not here  # the whole file: say what it is, never what it says
    if kind_ in ("model_type", "model_attributes_type", "dict_type"):
        return here, f"expected a mapping (key: value), got {kind(value, not whole)}", \
            "is this the right file? (its contents are not shown)" if whole else None
    if kind_ in ("list_type", "tuple_type"):
        return here, f"expected a list, got {kind(value, not whole)}", None
    if kind_ == "union_tag_not_found":
        return here, "missing required key 'type'", f"add 'type:' ({_tags(model, loc)})"
    if kind_ == "union_tag_invalid":
        tags = _tags(model, loc).split(", ")
        tag = str(ctx.get("tag"))
        near = nearest(tag, tags)
        return (*here, "type"), f"invalid value '{tag[:40]}'", \
            (f"did you mean '{near}'? " if near else "") + f"one of: {', '.join(tags)}"
    if kind_ == "recursion_loop":
        return here, "a value that contains itself (a recursive alias)", "remove the alias"
    if kind_ == "string_type" and isinstance(last, int):  # a mapping key that is not text
        return here, f"expected text as a key, got {kind(value)}", None
    return here, f"{err['msg']} (got {kind(value, not whole)})", None


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _members(tp: Any) -> tuple[Any, ...]:
    tp = _unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType):
        return tuple(_unwrap(a) for a in get_args(tp) if a is not type(None))
    return (tp,)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, step: str | int) -> tuple[bool, Any]:
    """(whether ``step`` is a key in the file, the type below it) for one step of a loc."""
    models = [m for m in _members(tp) if _is_model(m)]
    if isinstance(step, str) and len(models) > 1:  # a union tag in the loc, not in the file
        for m in models:
            if step in _literal_tags(m):
                return False, m
    for member in _members(tp):
        if _is_model(member):
            for name, info in member.model_fields.items():
                if (info.alias or name) == step:
                    return True, info.annotation
        origin = get_origin(member)
        if origin in (list, tuple, Sequence) and isinstance(step, int):
            return True, get_args(member)[0]
        if origin is dict:
            return True, get_args(member)[1]
    return True, None


def _walk(model: Any, loc: tuple[str | int, ...]) -> tuple[KeyPath, Any]:
    """The key path in the file for a pydantic loc (union tags dropped), and the type there."""
    path: list[str | int] = []
    tp = model
    for step in loc:
        in_file, tp = _step(tp, step)
        if in_file:
            path.append(step)
    return tuple(path), tp


def _literal_tags(model: Any) -> tuple[str, ...]:
    info = model.model_fields.get("type")
    if info is None or get_origin(_unwrap(info.annotation)) is not typing.Literal:
        return ()
    return tuple(str(a) for a in get_args(_unwrap(info.annotation)))


def _tags(model: Any, loc: tuple[str | int, ...]) -> str:
    _, tp = _walk(model, loc)
    tags = [t for m in _members(tp) if _is_model(m) for t in _literal_tags(m)]
    return ", ".join(tags)


def aliases(tp: Any) -> list[str]:
    """The keys a mapping of this type may hold, in the order the format declares them."""
    for member in _members(tp):
        if _is_model(member):
            return [info.alias or name for name, info in member.model_fields.items()]
    return []


# --------------------------------------------------------------------------- JSON Schema
class _Schema(GenerateJsonSchema):
    """Schemas for editors: no generated titles, null never advertised (a key left empty is
    treated as absent by the loader, but an editor should ask for a value)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        out = super().default_schema(schema)
        if out.get("default", 0) in (None, ""):  # absent, or derived (a source's name)
            out.pop("default")
        return out

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, Decimal):  # exact in the loader, a JSON number for the editor
            return int(dft) if dft == dft.to_integral_value() else float(dft)
        return super().encode_default(dft)


SCHEMA_BASE = "https://hybrid-advisor.example/schemas/"


def file_schema(model: type[BaseModel], name: str, title: str) -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of one file format."""
    doc = model.model_json_schema(schema_generator=_Schema, mode="validation")
    doc.pop("title", None)
    for definition in doc.get("$defs", {}).values():
        definition.pop("title", None)  # the class name; the description says more
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}{name}.schema.json", "title": title, **doc}
