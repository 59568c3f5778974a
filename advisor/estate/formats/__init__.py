"""One definition per input file format: pydantic models whose fields are the file's keys.

Validation and the published JSON Schemas (``advisor/schemas/``, written by
``python -m advisor.schemas``) both come from these definitions:

- ``advisor_file.AdvisorFile`` (advisor.yaml), ``locations_file.LocationsFile``,
  ``workloads_file.WorkloadsFile``; every source's settings in ``advisor.estate.sources``;
- policy packs in ``advisor.rules.pack_file``; waivers, budgets, placements and fixture
  expectations in ``advisor.check.formats``.
"""

from __future__ import annotations

from typing import Any

# The top-level keys that give a file away, and what the file then is (for a file handed to the
# wrong command).
_TELLTALE = (
    ("workloads", "a workloads file"),
    ("locations", "a locations file"),
    ("waivers", "a waivers file"),
    ("budgets", "a budgets file"),
    ("scenarios", "a scenarios file"),
    ("failing", "a fixture's expected.yaml"),
    ("rules", "a policy pack"),
    ("pack", "a policy pack"),
)


def what_file(data: Any, expected: str) -> str | None:
    """What kind of advisor file ``data`` looks like when it is not the ``expected`` kind
    (``estate``, ``workloads``, ``locations``, ``pack``, ...), else None."""
    if not isinstance(data, dict):
        return None
    keys = {str(k) for k in data}
    if expected == "estate" and {"pack", "rules"} <= keys:
        return "a policy pack"  # a pack has a version too
    own = {"estate": {"version"}, "pack": {"pack", "rules"}}.get(expected, {expected})
    if keys & own:
        return None  # a file of the expected kind, maybe with mistakes: checked key by key
    if {"version", "currency"} <= keys or ({"name", "currency"} <= keys and "pack" not in keys):
        found = "an estate file (advisor.yaml)"
        kind_ = "estate"
    else:
        hits = [(key, name) for key, name in _TELLTALE if key in keys]
        if not hits:
            return None
        kind_, found = hits[0]
        kind_ = "pack" if kind_ == "rules" else kind_
    return None if kind_ == expected else found
