"""The formats of ``advisor check``'s own input files: waivers, budgets, a proposed placement and
a policy fixture's expected.yaml. Each is defined once here: the validation (with the estate and
the loaded rules as context, so unknown ids are named with a did-you-mean) and the published
JSON Schema come from it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, RootModel, ValidationInfo, model_validator

from advisor.estate.formats.base import Format, with_raw_checks
from advisor.estate.formats.fields import (
    Below,
    Day,
    Kind,
    MapOf,
    Num,
    Text,
    TextList,
    fail,
    fail_many,
)
from advisor.estate.yamlfile import kind, line_of, nearest, shown


def _unknown(what: str, name: str, known: Any, otherwise: str) -> Any:
    near = nearest(name, known)
    return fail(f"unknown {what} {shown(name)}",
                f"did you mean '{near}'?" if near else otherwise)


class WaiverEntry(Format):
    """A recorded, owned and dated acceptance of one finding."""

    rule: Text = Field(description="A rule id of a loaded pack.", examples=["SOV-004"])
    workload: Text | None = Field(None, description="The workload the finding is about.")
    application: Text | None = Field(None, description="Or the application (for a rule about "
                                                       "an application, e.g. its budget).")
    location: Text | None = Field(None, description="Or the location (for a rule reported per "
                                                    "location).")
    supplier: Text | None = Field(None, description="Or the supplier (for a rule reported per "
                                                    "supplier).")
    reason: Text = Field(description="Why the risk is accepted.")
    owner: Text = Field(description="Who accepted it.", examples=["ciso@gemeente.nl"])
    expires: Day = Field(description="Valid through this day (YYYY-MM-DD); expired, it is a "
                                     "finding of its own.")
    reference: Text | None = Field(None, description="The risk acceptance or decision.",
                                   examples=["RA-2026-012"])

    def subject(self) -> tuple[str, str]:
        """(what the waiver names, the finding key it matches)."""
        for what in ("workload", "application", "location", "supplier"):
            value = getattr(self, what)
            if value is not None:
                return what, value if what in ("workload", "application") else f"{what}:{value}"
        return "workload", ""

    @model_validator(mode="after")
    def _names_known(self, info: ValidationInfo) -> WaiverEntry:
        errors: list[Below] = []
        named = [k for k in ("workload", "application", "location", "supplier")
                 if getattr(self, k) is not None]
        if len(named) != 1:
            errors.append(((), fail("a waiver names exactly one of 'workload', 'application', "
                                    "'location' or 'supplier'",
                                    "add 'workload: ID' (or 'application: NAME' for an "
                                    "application rule, 'location: ID' or 'supplier: ID' for a "
                                    "rule reported per location or supplier)"), None))
        known = info.context or {}
        if "rules" in known and self.rule not in known["rules"]:
            errors.append((("rule",), _unknown("rule", self.rule, known["rules"],
                                               "name a rule of a pack in advisor.yaml's "
                                               "policies (`advisor policies list`)"), None))
        if self.workload is not None and "workloads" in known \
                and self.workload not in known["workloads"]:
            errors.append((("workload",), _unknown("workload", self.workload,
                                                   known["workloads"],
                                                   "name a workload id of the estate"), None))
        if self.application is not None and "applications" in known \
                and self.application not in known["applications"]:
            errors.append((("application",), _unknown("application", self.application,
                                                      known["applications"],
                                                      "name an application of the estate"), None))
        for what in ("location", "supplier"):
            value = getattr(self, what)
            if value is not None and f"{what}s" in known and value not in known[f"{what}s"]:
                errors.append(((what,), _unknown(what, value, known[f"{what}s"],
                                                 f"name a {what} of the estate"), None))
        if errors:
            raise fail_many("waiver", errors)
        return self


class WaiversFile(Format):
    """waivers.yaml: risk acceptances, each for one rule and one workload or application."""

    waivers: list[WaiverEntry]

    @model_validator(mode="wrap")
    @classmethod
    def _one_per_finding(cls, data: Any, handler: Any, info: ValidationInfo) -> Any:
        """A second waiver for the same finding is found on the raw entries, so it is reported
        together with every other problem of the file."""
        seen: dict[tuple[str, str, str | None], int] = {}
        errors: list[Below] = []
        file = (info.context or {}).get("file")
        entries = data.get("waivers") if isinstance(data, dict) else None
        for i, w in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(w, dict):
                continue
            rule = _text_or_none(w.get("rule"))
            what = next((k for k in ("workload", "application", "location", "supplier")
                         if _text_or_none(w.get(k)) is not None), None)
            subject = _text_or_none(w.get(what)) if what else None
            if rule is None or subject is None:
                continue
            key = (rule, subject, what)
            if key in seen:
                first = line_of(file, ("waivers", seen[key]))
                errors.append((("waivers", i), fail(
                    f"a second waiver for {rule} on {subject} (the first is on line {first})",
                    "keep one waiver per rule and workload"), None))
            else:
                seen[key] = i
        return with_raw_checks(data, handler, errors)


def _text_or_none(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


class BudgetAmounts(Format):
    """Monthly amounts in the estate currency."""

    workloads: Annotated[dict[str, Decimal], MapOf(Num(), "workload -> monthly amount")] = \
        Field(default_factory=dict, description="Workload id -> monthly budget.")
    applications: Annotated[dict[str, Decimal], MapOf(Num(), "application -> monthly amount")] \
        = Field(default_factory=dict, description="Application -> monthly budget.")

    @model_validator(mode="after")
    def _names_known(self, info: ValidationInfo) -> BudgetAmounts:
        known = info.context or {}
        errors: list[Below] = []
        for section in ("workloads", "applications"):
            names = known.get(section)
            if names is None:
                continue
            what = section[:-1]
            errors += [((section, name), _unknown(what, name, names,
                                                  f"name a {what} of the estate"), None)
                       for name in getattr(self, section) if name not in names]
        if errors:
            raise fail_many("budgets", errors)
        return self


class BudgetsFile(Format):
    """budgets.yaml: monthly budgets per workload and per application."""

    budgets: BudgetAmounts


class _PlacementKind(Kind):
    def check(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise fail(f"expected a mapping of workload id -> location id, got "
                       f"{kind(value, with_value=False)}",
                       "write one 'workload-id: location-id' per line")
        return {str(k): v for k, v in value.items()}

    def schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"type": "string"}}


class PlacementFile(RootModel[Annotated[dict[str, Any], _PlacementKind()]]):
    """A proposed placement: workload id -> location id (the rest stays where it is)."""

    @model_validator(mode="after")
    def _ids_known(self, info: ValidationInfo) -> PlacementFile:
        known = info.context or {}
        workloads, locations = known.get("workloads"), known.get("locations")
        errors: list[Below] = []
        for wid, loc in self.root.items():
            if workloads is not None and wid not in workloads:
                errors.append(((wid,), _unknown("workload", wid, workloads,
                                                "use a workload id from the estate's "
                                                "workloads"), loc))
                continue
            good = isinstance(loc, (str, int)) and not isinstance(loc, bool)
            if locations is not None and (not good or str(loc) not in locations):
                near = nearest(str(loc), locations) if isinstance(loc, str) else None
                errors.append(((wid,), fail(f"unknown location {shown(loc)} for workload "
                                            f"'{wid}'", f"did you mean '{near}'?" if near
                                            else "one of: " + ", ".join(sorted(locations))), loc))
        if errors:
            raise fail_many("placement", errors)
        return self


class FixtureExpected(Format):
    """A policy fixture's expected.yaml: what must break the rule in fail/."""

    failing: TextList = Field((), description="Workload ids (or application names) that break "
                                              "the rule.")
    today: Day | None = Field(None, description="The date waivers expire against.")

    @model_validator(mode="after")
    def _fits_the_case(self, info: ValidationInfo) -> FixtureExpected:
        case = (info.context or {}).get("case")
        if case == "pass" and self.failing:
            raise fail("a pass fixture expects no failing workloads", "move this case to fail/",
                       key="failing")
        if case == "fail" and not self.failing:
            raise fail("a fail fixture needs at least one failing workload",
                       "list them: failing: [workload-id, ...]", key="failing")
        return self

