"""The kinds of value an input file holds, each with its check, its messages and its JSON Schema.

A field of a format is declared as ``Annotated[<python type>, <kind>]``, e.g.
``cpu: Annotated[Decimal, Num()]`` or ``provider: Annotated[str, OneOf(*PROVIDERS)]``: the
kind validates what YAML gave (lenient where YAML typing gets in the way: ``region: 2`` is the
text "2"), raises messages that say what was expected and what was found (short, never a whole
mapping, never a secret), and writes its own JSON Schema. Validators also accept the value they
return, so a validated object can be validated again (``settings_with``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, core_schema

from advisor.estate.yamlfile import MAX_NUMBER, in_range, kind, nearest, shown, to_decimal

ERROR_TYPE = "advisor"


def fail(message: str, hint: str | None = None, key: str | int | None = None,
         missing: bool = False) -> PydanticCustomError:
    """An error of the format: ``message`` and ``hint`` as the user reads them; ``key`` when it
    is about a key below the value being checked; ``missing`` when the value is absent."""
    return PydanticCustomError(ERROR_TYPE, "{message}",
                               {"message": message, "hint": hint, "key": key, "missing": missing})


# An error below the value being checked: (key path, PydanticCustomError or ValidationError,
# the bad value).
Below = tuple[tuple[Any, ...], Any, Any]


def fail_many(title: str, errors: Sequence[Below]) -> ValidationError:
    """Several errors at once, each at its key path below the value being checked (an error of a
    value checked inside, with its own key paths, keeps them below its own)."""
    details: list[InitErrorDetails] = []
    for loc, err, value in errors:
        if isinstance(err, PydanticCustomError):
            details.append(InitErrorDetails(type=err, loc=loc, input=value))
            continue
        for e in err.errors(include_url=False):
            inner: Any = e["type"]
            if inner == ERROR_TYPE:
                inner = PydanticCustomError(ERROR_TYPE, "{message}", e.get("ctx") or {})
            detail = InitErrorDetails(type=inner, loc=(*loc, *e["loc"]), input=e.get("input"))
            if "ctx" in e and inner is e["type"]:
                detail["ctx"] = e["ctx"]
            details.append(detail)
    return ValidationError.from_exception_data(title, details)


class Kind:
    """A kind of value: ``check`` validates, ``schema`` describes it for editors."""

    def check(self, value: Any) -> Any:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            self.validate, serialization=core_schema.plain_serializer_function_ser_schema(
                self.serialize, when_used="json"))

    def serialize(self, value: Any) -> Any:
        """The value as a JSON file would hold it (``model_dump(mode="json")``, defaults in the
        schema); validators also take back the Python value itself."""
        if isinstance(value, Decimal):
            return _plain(value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, tuple):
            return list(value)
        return value

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return self.schema()

    def validate(self, value: Any) -> Any:
        if value is None:
            raise fail("missing", missing=True)
        return self.check(value)

    def __repr__(self) -> str:
        return type(self).__name__


def as_text(value: Any, secret: bool = False) -> str:
    """Text as YAML may type it: a number is its digits; never a boolean or a collection."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text = str(value)
    else:
        raise fail("expected text, got " + ("a value of another kind (not shown)" if secret
                                            else kind(value)))
    if not text:
        raise fail("must not be empty")
    return text


class TextKind(Kind):
    """Non-empty text (surrounding spaces dropped); ``pattern`` and ``example`` for editors."""

    def __init__(self, pattern: str | None = None, secret: bool = False,
                 check: Callable[[str], str] | None = None) -> None:
        self.pattern = pattern
        self.secret = secret
        self.after = check

    def check(self, value: Any) -> str:
        text = as_text(value, self.secret)
        return self.after(text) if self.after else text

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if self.pattern:
            out["pattern"] = self.pattern
        if self.secret:
            out["writeOnly"] = True
        return out


ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/")


def _ident(text: str) -> str:
    if not set(text) <= ID_CHARS:
        bad = "".join(sorted(set(text) - ID_CHARS))
        raise fail(f"id {shown(text)} holds characters {bad[:10]!r}",
                   "use letters, digits and - _ . : / only")
    return text


def _currency(text: str) -> str:
    if len(text) != 3 or not text.isalpha() or not text.isupper() or not text.isascii():
        raise fail(f"invalid currency {shown(text)}", "use an ISO 4217 code such as EUR or USD")
    return text


def _country(text: str) -> str:
    if len(text) != 2 or not text.isalpha() or not text.isupper() or not text.isascii():
        raise fail(f"invalid country {shown(text)}", "use an ISO 3166-1 alpha-2 code such as NL")
    return text


class OneOf(Kind):
    """One of a fixed set of words (an enum); a near miss gets a did-you-mean."""

    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def check(self, value: Any) -> str:
        text = as_text(value)
        if text not in self.choices:
            near = nearest(text, self.choices)
            raise fail(f"invalid value {shown(text)}",
                       (f"did you mean '{near}'? " if near else "")
                       + f"one of: {', '.join(self.choices)}")
        return text

    def schema(self) -> dict[str, Any]:
        return {"enum": list(self.choices)}


def _number_text(value: Any) -> str:
    """A number as the user wrote it (without quotes), for a message."""
    if isinstance(value, str):
        text = value.strip()
        return text if len(text) <= 40 else text[:37] + "..."
    return shown(value)


class Num(Kind):
    """An exact, finite number (Decimal) between ``minimum`` and ``maximum``, never more than
    1e15 in size nor less than 1e-15 unless 0; ``positive`` excludes 0."""

    def __init__(self, minimum: Decimal | int | None = 0, maximum: Decimal | int | None = None,
                 positive: bool = False, as_float: bool = False, range_text: str | None = None,
                 range_hint: str | None = None) -> None:
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)
        self.positive = positive
        self.as_float = as_float
        self.range_text = range_text  # says the allowed range in the field's own words
        self.range_hint = range_hint

    def check(self, value: Any) -> Any:
        if isinstance(value, Decimal) and not value.is_finite():
            raise fail(f"expected a finite number, got {shown(value)}")
        amount = to_decimal(value)
        if amount is None:
            if isinstance(value, float):
                raise fail(f"expected a finite number, got {value}")
            raise fail(f"expected a number, got {shown(value)}")
        if not in_range(amount):
            raise fail(f"{_number_text(value)} is out of range",
                       "numbers here are 0 or between 1e-15 and 1e15 in size")
        problem = None
        if self.minimum is not None and amount < self.minimum:
            problem = f"must be {self.minimum} or more"
        elif self.maximum is not None and amount > self.maximum:
            problem = f"must be {self.maximum} or less"
        elif self.positive and amount <= 0:
            problem = "must be more than 0"
        if problem:
            raise fail(f"{self.range_text or problem}, got {_number_text(value)}",
                       self.range_hint)
        return float(amount) if self.as_float else amount

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "number"}
        if self.minimum is not None:
            out["exclusiveMinimum" if self.positive and self.minimum == 0 else "minimum"] = \
                _plain(self.minimum)
        elif self.positive:
            out["exclusiveMinimum"] = 0
        out["maximum"] = _plain(self.maximum if self.maximum is not None else MAX_NUMBER)
        return out


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class Whole(Kind):
    """A whole number between ``minimum`` and ``maximum`` (never more than 1e15 in size)."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"expected a whole number, got {shown(value)}")
        if abs(value) > MAX_NUMBER:
            raise fail(f"{shown(value)} is out of range", "whole numbers here are at most 1e15")
        if self.minimum is not None and value < self.minimum:
            raise fail(f"must be {self.minimum} or more, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise fail(f"must be {self.maximum} or less, got {value}")
        return value

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        out["maximum"] = self.maximum if self.maximum is not None else int(MAX_NUMBER)
        return out


class FlagKind(Kind):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise fail(f"expected true or false, got {shown(value)}")
        return value

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


class DayKind(Kind):
    """A calendar date written YYYY-MM-DD (a timestamp counts as its date)."""

    def check(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if _DATE.match(text):
                y, m, d = (int(p) for p in text.split("-"))
                try:
                    return dt.date(y, m, d)
                except ValueError as exc:
                    raise fail(f"invalid value {shown(text)}: {exc}",
                               "write a date that exists, as YYYY-MM-DD") from None
            try:
                return dt.datetime.fromisoformat(text).date()
            except ValueError:
                pass
        raise fail(f"expected a date as YYYY-MM-DD, got {shown(value)}")

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


class TextListKind(Kind):
    """Text or a list of text, as a tuple (one text is a list of one)."""

    def __init__(self, min_items: int = 0,
                 empty: tuple[str, str | None] = ("needs at least one value", None)) -> None:
        self.min_items = min_items
        self.empty = empty  # the message and hint when there are fewer than min_items

    def check(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise fail(f"expected a list of text, got {kind(value)}")
        out: list[str] = []
        errors: list[Below] = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float, Decimal)):
                errors.append(((i,), fail(f"expected text, got {kind(item)}"), item))
            else:
                out.append(str(item))
        if errors:
            raise fail_many("list of text", errors)
        if len(out) < self.min_items:
            raise fail(*self.empty)
        return tuple(out)

    def schema(self) -> dict[str, Any]:
        items: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
        if self.min_items:
            items["minItems"] = self.min_items
        return {"oneOf": [{"type": "string"}, items]}


class TextMapKind(Kind):
    """A mapping of names to text (true/false and numbers are written as text)."""

    def check(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise fail(f"expected a mapping, got {kind(value)}")
        out: dict[str, str] = {}
        errors: list[Below] = []
        for k, v in value.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            if v is None or not isinstance(v, (str, int, float, Decimal)):
                errors.append(((str(k),), fail(f"expected text, got {kind(v)}"), v))
                continue
            out[str(k)] = str(v)
        if errors:
            raise fail_many("mapping of text", errors)
        return out

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"type": ["string", "number",
                                                                    "boolean"]}}


class MapOf(Kind):
    """A mapping of names (``what`` says of what) to values of one kind, each checked.
    ``names`` ("label", ...) asks for text keys; ``min_items`` for at least that many entries."""

    def __init__(self, value: Kind, what: str = "", names: str | None = None,
                 min_items: int = 0) -> None:
        self.value = value
        self.what = what
        self.names = names
        self.min_items = min_items

    def check(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or len(value) < self.min_items:
            of = f" of {self.what}" if self.what else ""
            got = f", got {kind(value)}" if not isinstance(value, dict) else ""
            raise fail(f"expected a mapping{of}{got}")
        out: dict[str, Any] = {}
        errors: list[Below] = []
        for k, v in value.items():
            if self.names and not isinstance(k, str):
                errors.append(((str(k),), fail(f"expected a {self.names} name, got {shown(k)}"),
                               k))
                continue
            try:
                out[str(k)] = self.value.validate(v)
            except (PydanticCustomError, ValidationError) as exc:
                errors.append(((str(k),), exc, v))
        if errors:
            raise fail_many("mapping", errors)
        return out

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "additionalProperties": self.value.schema()}
        if self.min_items:
            out["minProperties"] = self.min_items
        return out


# The kinds most fields use, as types.
Text = Annotated[str, TextKind()]
Secret = Annotated[str, TextKind(secret=True)]
Ident = Annotated[str, TextKind(pattern=r"^[A-Za-z0-9_.:/-]+$", check=_ident)]
Currency = Annotated[str, TextKind(pattern="^[A-Z]{3}$", check=_currency)]
Country = Annotated[str, TextKind(pattern="^[A-Z]{2}$", check=_country)]
Amount = Annotated[Decimal, Num()]  # 0 or more
Positive = Annotated[Decimal, Num(positive=True)]
Flag = Annotated[bool, FlagKind()]
Day = Annotated[dt.date, DayKind()]
TextList = Annotated[tuple[str, ...], TextListKind()]
TextMap = Annotated[dict[str, str], TextMapKind()]
