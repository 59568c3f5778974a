"""The published JSON Schemas (``advisor/schemas/*.schema.json``), generated from the one
definition of each file format, so that an editor and the loader agree.

    python -m advisor.schemas            # write them (after changing a format)
    python -m advisor.schemas --check    # exit 1 when the committed files differ

Each input format is a pydantic model (``advisor.estate.formats``, ``advisor.estate.sources``,
``advisor.rules.pack_file``, ``advisor.check.formats``); the output of ``analyze --format json``
is described in ``advisor.schemas.plan``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent


def formats() -> dict[str, tuple[Any, str]]:
    """Schema name -> (the format's model, title), for every input file format."""
    from advisor.check.formats import BudgetsFile, FixtureExpected, PlacementFile, WaiversFile
    from advisor.estate.formats.advisor_file import AdvisorFile
    from advisor.estate.formats.locations_file import LocationsFile
    from advisor.estate.formats.scenarios_file import ScenariosFile
    from advisor.estate.formats.workloads_file import WorkloadsFile
    from advisor.rules.pack_file import PackFile

    return {
        "advisor": (AdvisorFile, "advisor estate file (advisor.yaml)"),
        "locations": (LocationsFile, "advisor locations file"),
        "workloads": (WorkloadsFile, "advisor workloads file"),
        "scenarios": (ScenariosFile, "advisor scenarios file (advisor analyze --scenario)"),
        "policy-pack": (PackFile, "advisor policy pack"),
        "waivers": (WaiversFile, "advisor waivers file (advisor check)"),
        "budgets": (BudgetsFile, "advisor budgets file (advisor check)"),
        "placement": (PlacementFile, "advisor proposed placement (advisor check --placement)"),
        "policy-fixture": (FixtureExpected, "expected.yaml of a policy fixture "
                                            "(advisor policies test)"),
    }


def schemas() -> dict[str, str]:
    """File name -> the text of every published schema."""
    from advisor.estate.formats.base import file_schema
    from advisor.schemas.plan import plan_schema

    docs = {name: file_schema(model, name, title) for name, (model, title) in formats().items()}
    docs["plan"] = plan_schema()
    return {f"{name}.schema.json": json.dumps(doc, indent=2, sort_keys=True) + "\n"
            for name, doc in sorted(docs.items())}


def stale(folder: Path = FOLDER) -> list[str]:
    """The schema files in ``folder`` that differ from what the definitions generate."""
    out = []
    for name, text in schemas().items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return out


def write(folder: Path = FOLDER) -> list[str]:
    """Write every schema into ``folder``; the names of those that changed."""
    changed = stale(folder)
    for name, text in schemas().items():
        if name in changed:
            (folder / name).write_text(text, encoding="utf-8")
    return changed
