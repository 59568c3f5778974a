"""The published JSON Schemas: generated from the loader's key lists, and the demo obeys them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "advisor" / "schemas"
DEMO = ROOT / "advisor" / "examples" / "gemeente"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        doc = json.loads(path.read_text())
        resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


def test_committed_schemas_are_what_the_generator_writes(tmp_path):
    before = {p.name: p.read_bytes() for p in SCHEMAS.glob("*.json")}
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_schemas.py")], check=True)
    after = {p.name: p.read_bytes() for p in SCHEMAS.glob("*.json")}
    assert before == after, "run scripts/make_schemas.py and commit advisor/schemas/"


@pytest.mark.parametrize(("schema", "file"), [
    ("advisor", "advisor.yaml"), ("locations", "locations.yaml"),
    ("workloads", "workloads.yaml"), ("policy-pack", "rules/local.yaml"),
])
def test_demo_files_validate(schema, file):
    doc = json.loads((SCHEMAS / f"{schema}.schema.json").read_text())
    data = json.loads(json.dumps(yaml.safe_load((DEMO / file).read_text()), default=str))
    validator = jsonschema.Draft202012Validator(doc, registry=_registry())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, errors[0].message


def test_builtin_packs_validate():
    doc = json.loads((SCHEMAS / "policy-pack.schema.json").read_text())
    for pack in (ROOT / "policies").glob("*.yaml"):
        data = yaml.safe_load(pack.read_text())
        jsonschema.Draft202012Validator(doc, registry=_registry()).validate(data)


def test_schema_rejects_an_unknown_key():
    doc = json.loads((SCHEMAS / "workloads.schema.json").read_text())
    bad = {"workloads": [{"id": "a", "application": "x", "location": "l",
                          "resources": {"cpu": 1, "memory_gb": 1}, "cpux": 1}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(doc, registry=_registry()).validate(bad)
