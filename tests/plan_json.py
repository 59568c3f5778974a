"""Test helpers for commands that print a JSON plan: run, check the schema, read amounts."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA = Path(__file__).resolve().parents[1] / "advisor" / "schemas" / "plan.schema.json"


def plan_json(run_cli: Any, *args: str) -> dict[str, Any]:
    """``advisor ARGS`` (a command that prints a JSON plan): its document, valid for the plan's
    schema."""
    code, out, err = run_cli(*args)
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    return doc


def d(x: float) -> Decimal:
    """A JSON amount as the Decimal it was written from."""
    return Decimal(str(x))
