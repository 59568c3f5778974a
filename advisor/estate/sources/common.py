"""What every source's settings share: the base model (where the source was defined, the folder
relative paths start from), and the kinds of value sources use (months, durations, times,
URLs, environment variable names)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

from pydantic import PrivateAttr, ValidationInfo, model_validator

from advisor.estate.formats.base import Format, validate
from advisor.estate.formats.fields import Kind, TextKind, as_text, fail
from advisor.estate.model import SourceRef
from advisor.estate.yamlfile import shown
from advisor.month import Month

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month_text(text: str) -> str:
    if not re.fullmatch(MONTH_PATTERN, text):
        raise fail(f"invalid month {shown(text)}", "write the month as YYYY-MM, e.g. 2026-10")
    return text


class MonthKind(Kind):
    """A billing month written YYYY-MM."""

    def check(self, value: Any) -> Month:
        if isinstance(value, Month):
            return value
        return Month.parse(_month_text(as_text(value)))

    def serialize(self, value: Any) -> Any:
        return value.label if isinstance(value, Month) else value

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": MONTH_PATTERN, "examples": ["2026-10"]}


MonthText = Annotated[str, TextKind(pattern=MONTH_PATTERN, check=_month_text)]
MonthSetting = Annotated[Month, MonthKind()]

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNITS = (7 * 86400, 86400, 3600, 60, 1)
DURATION_PATTERN = r"^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"


def parse_duration(text: str) -> int:
    """Seconds in a Prometheus-style duration ('14d', '12h', '1d12h', '30m'); ValueError if not."""
    match = _DURATION.match(text.strip()) if text and len(text) < 40 else None
    if not match or not any(match.groups()):
        raise ValueError(text)
    seconds = sum(int(g) * unit for g, unit in zip(match.groups(), _UNITS, strict=True) if g)
    if seconds <= 0:
        raise ValueError(text)
    return seconds


def _duration(text: str) -> str:
    try:
        parse_duration(text)
    except ValueError:
        raise fail(f"{shown(text)} does not parse as a duration",
                   "use a duration such as 14d, 12h, 30m or 1d12h") from None
    return text


Duration = Annotated[str, TextKind(pattern=DURATION_PATTERN, check=_duration)]


def parse_time(text: str) -> dt.datetime | None:
    """RFC 3339 / ISO 8601 (a trailing Z is UTC) or Unix seconds; None when it is neither."""
    text = text.strip()
    if len(text) > 40:
        return None
    try:
        return dt.datetime.fromtimestamp(float(text), dt.UTC)
    except (ValueError, OverflowError, OSError):
        pass
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class TimeKind(Kind):
    """A moment: RFC 3339 (e.g. 2024-01-31T00:00:00Z) or Unix seconds; UTC when no zone."""

    def check(self, value: Any) -> dt.datetime:
        when = value if isinstance(value, dt.datetime) else None
        if when is None and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            when = parse_time(str(value))
        if when is None:
            raise fail(f"{shown(value)} is not a time", "use RFC 3339, e.g. 2024-01-31T00:00:00Z")
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


Time = Annotated[dt.datetime, TimeKind()]

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env_name(text: str) -> str:
    if not ENV_NAME.match(text):
        # not shown: a secret pasted here by mistake must not end up in the output
        raise fail("is not an environment variable name (the value is not shown)",
                   "give the variable's name, e.g. PROMETHEUS_TOKEN, not its value")
    return text


EnvName = Annotated[str, TextKind(pattern=ENV_NAME.pattern, secret=True, check=_env_name)]


def url_of(scheme: str, key: str, hint: str) -> Callable[[str], str]:
    """A check that a setting is a ``scheme`` URL (e.g. focus_path: s3://...)."""
    def check(text: str) -> str:
        if not text.startswith(scheme):
            raise fail(f"{key} {shown(text)} is not an {scheme} URL", hint)
        return text
    return check


class Settings(Format):
    """The settings of one source. ``base`` is the folder relative paths start from (the
    advisor.yaml's, else the current one); ``source`` is where the settings were written."""

    _base: Path = PrivateAttr(default_factory=Path.cwd)
    _source: SourceRef | None = PrivateAttr(None)

    @property
    def base(self) -> Path:
        return self._base

    @property
    def source(self) -> SourceRef | None:
        return self._source

    @model_validator(mode="after")
    def _settle(self, info: ValidationInfo) -> Self:
        base = (info.context or {}).get("base")
        self._base = Path(base) if base is not None else Path.cwd()
        self._finish()
        return self

    def _finish(self) -> None:
        """Checks across keys and derived values, after every key has its type."""

    def _derive(self, **values: Any) -> None:
        """Set values derived from the keys (the object is frozen once validation is over)."""
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def resolve(self, text: str) -> str:
        """A path from the settings, relative to ``base`` unless absolute (``~`` expanded)."""
        return str(self.base / Path(text).expanduser())

    def located(self, source: SourceRef) -> Self:
        """These settings, noted as written at ``source`` (a file and key path)."""
        self._source = source
        return self


S = TypeVar("S", bound=Settings)


def settings_from(model: type[S], raw: dict[str, Any], *, base: Path | None = None,
                  source: SourceRef | None = None) -> S:
    """Settings from a mapping (command-line flags, a test), checked like the file's own."""
    data = {k: v for k, v in raw.items() if not str(k).startswith("_")}
    context = {"base": base} if base is not None else None
    file = source.file if source else None
    prefix = source.keypath if source else ()
    settings = validate(model, data, file, prefix=prefix, context=context)
    return settings.located(source) if source else settings


def settings_with(settings: S, **changes: Any) -> S:
    """``settings`` with some keys changed (flags over a source of advisor.yaml), checked again."""
    data = settings.model_dump(exclude_unset=True, by_alias=True)
    data.update({k: v for k, v in changes.items() if v is not None})
    return settings_from(type(settings), data, base=settings.base)
