"""advisor.yaml: the estate's name, currency and rates, where its locations and workloads are,
which policy packs apply and which sources feed it."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, TypeAdapter, model_validator
from pydantic_core import CoreSchema, core_schema

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import (
    Below,
    Currency,
    Day,
    Flag,
    Kind,
    OneOf,
    Positive,
    Text,
    TextList,
    Whole,
    fail,
    fail_many,
)
from advisor.estate.formats.locations_file import LocationEntry, ProviderEntry
from advisor.estate.formats.workloads_file import WorkloadEntry
from advisor.estate.model import NIS2_ENTITIES, Organisation, SourceRef
from advisor.estate.sources import Source
from advisor.estate.yamlfile import kind


@lru_cache(maxsize=8)
def _adapter(model: type[Format]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


class FilesOr(Kind):
    """A section given as a path, a list of paths and globs, or every entry inline: a tuple of
    paths, or the list of validated entries."""

    def __init__(self, entry: type[Format]) -> None:
        self.entry = entry

    def check(self, value: Any) -> tuple[str, ...] | list[Any]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise fail(f"expected a file path or a list, got {kind(value)}")
        if value and all(isinstance(v, (dict, self.entry)) for v in value):
            return _adapter(self.entry).validate_python(value)
        errors = [((i,), fail("expected a file path or glob (or give every entry inline as a "
                              "mapping)"), v)
                  for i, v in enumerate(value) if not isinstance(v, str)]
        if errors:
            raise fail_many("paths", errors)
        return tuple(value)

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        shape = handler.generate_schema(str | list[str | self.entry])  # type: ignore[name-defined]
        return core_schema.no_info_plain_validator_function(self.validate,
                                                            json_schema_input_schema=shape)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: Any) -> Any:
        return handler(schema)


class ExchangeRateEntry(Format):
    """Units of the estate currency per one unit of ``currency``, valid on ``date``."""

    currency: Currency = Field(description="ISO 4217 code.", examples=["USD"])
    rate: Positive = Field(description="Units of the estate currency per unit of this one.")
    date: Day = Field(description="The day the rate holds (YYYY-MM-DD); the latest is used.")


class OrganisationEntry(Format):
    """The organisation's legal status: the duties that apply to the whole estate."""

    nis2_entity: Annotated[str, OneOf(*NIS2_ENTITIES)] | None = Field(
        None, description="Its status under NIS2 / the Cyberbeveiligingswet: essential, "
                          "important or none (a Dutch municipality is essential).")
    bio2: Flag | None = Field(None, description="BIO2 applies (every Dutch government "
                                                "organisation).")

    def to_organisation(self, source: SourceRef) -> Organisation:
        return Organisation(self.nis2_entity, self.bio2, source)


class AdvisorFile(Format):
    """advisor.yaml: the estate and the files and sources it is made of."""

    version: Annotated[int, Whole()] = Field(description="The file format version: 1.",
                                             json_schema_extra={"const": 1})
    name: Text = Field(description="The organisation or estate.",
                       examples=["Gemeente Voorbeeld"])
    currency: Currency = Field(description="The reporting currency (ISO 4217).",
                               examples=["EUR"])
    exchange_rates: list[ExchangeRateEntry] = Field(
        default_factory=list, description="Rates of the other currencies prices are in.")
    organisation: OrganisationEntry | None = Field(
        None, description="NIS2/Cbw status and BIO2 applicability: duties for the whole estate.")
    inhabitants: Annotated[int, Whole(1)] | None = Field(
        None, description="Enables IT cost per inhabitant.")
    horizon_months: Annotated[int, Whole(1)] = Field(
        36, description="One-off migration costs are spread over this many months.")
    locations: Annotated[list[LocationEntry] | tuple[str, ...], FilesOr(LocationEntry)] = Field(
        description="A path relative to this file, a list of paths or globs, or the locations "
                    "inline.", examples=["locations.yaml"])
    workloads: Annotated[list[WorkloadEntry] | tuple[str, ...], FilesOr(WorkloadEntry)] = Field(
        description="A path relative to this file, a list of paths or globs, or the workloads "
                    "inline.", examples=["workloads.yaml"])
    providers: list[ProviderEntry] = Field(
        default_factory=list, description="Suppliers, when the locations are given inline "
                                          "(else in the locations file).")
    policies: TextList = Field((), description="Policy packs: builtin:NAME or a path.",
                               examples=[["builtin:sovereignty", "rules/local.yaml"]])
    sources: list[Source] = Field(default_factory=list,
                                  description="Connectors that feed the estate: focus, "
                                              "kubernetes, aws, azure.")

    @model_validator(mode="after")
    def _version_and_rates(self) -> AdvisorFile:
        errors: list[Below] = []
        if self.version != 1:
            errors.append((("version",), fail(f"unsupported version {self.version}",
                                              "this advisor reads version: 1"), self.version))
        seen: set[tuple[str, Any]] = set()
        for i, rate in enumerate(self.exchange_rates):
            if rate.currency == self.currency:
                errors.append((("exchange_rates", i, "currency"), fail(
                    f"a rate for the estate currency {self.currency} itself",
                    "remove it; amounts in the estate currency need no rate"), rate.currency))
            elif (rate.currency, rate.date) in seen:
                errors.append((("exchange_rates", i), fail(
                    f"duplicate rate for {rate.currency} on {rate.date}",
                    "keep one rate per currency and date"), None))
            seen.add((rate.currency, rate.date))
        if errors:
            raise fail_many("advisor.yaml", errors)
        return self
