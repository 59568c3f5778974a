"""The published JSON Schemas come from the formats' one definition, and the schemas and the
loader agree: on the demo estate, every built-in pack, the docs' examples, and on mistakes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import TypeAdapter
from referencing import Registry, Resource

from advisor.errors import InputError
from advisor.estate.formats.base import validate
from advisor.schemas import formats, schemas, stale

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "advisor" / "schemas"
DEMO = ROOT / "advisor" / "examples" / "gemeente"
MODELS = {name: model for name, (model, _title) in formats().items()}


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        doc = json.loads(path.read_text())
        resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


def _validator(schema: str) -> jsonschema.Draft202012Validator:
    doc = json.loads((SCHEMAS / f"{schema}.schema.json").read_text())
    return jsonschema.Draft202012Validator(doc, registry=_registry(),
                                           format_checker=jsonschema.FormatChecker())


def _json(data: Any) -> Any:
    """What an editor sees: YAML read as JSON (dates and numbers as JSON has them)."""
    return json.loads(json.dumps(yaml.safe_load(data) if isinstance(data, str) else data,
                                 default=str))


def test_committed_schemas_are_what_the_definitions_generate():
    assert not stale(SCHEMAS), "run `python -m advisor.schemas` and commit advisor/schemas/"
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == sorted(schemas())


def test_every_input_format_is_published():
    assert set(MODELS) == {"advisor", "locations", "workloads", "policy-pack", "waivers",
                           "budgets", "placement", "policy-fixture", "scenarios"}


def _both(schema: str, text: str, file: str = "x.yaml", context: dict | None = None) -> None:
    """``text`` is valid for the schema and for the loader's definition."""
    errors = sorted(_validator(schema).iter_errors(_json(text)), key=lambda e: list(e.path))
    assert not errors, f"{file}: {errors[0].message} at {list(errors[0].path)}"
    from advisor.estate.yamlfile import parse_yaml

    validate(MODELS[schema], parse_yaml(text, file, "file"), file, context=context)


DEMO_FILES = [("advisor", "advisor.yaml"), ("locations", "locations.yaml"),
              ("workloads", "workloads.yaml"), ("policy-pack", "rules/local.yaml"),
              ("waivers", "waivers.yaml"), ("budgets", "budgets.yaml"),
              ("scenarios", "scenarios.yaml")]


@pytest.mark.parametrize(("schema", "file"), DEMO_FILES, ids=[f for _, f in DEMO_FILES])
def test_demo_files_validate(schema, file):
    _both(schema, (DEMO / file).read_text(), str(DEMO / file))


@pytest.mark.parametrize("pack", sorted((ROOT / "policies").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_builtin_packs_validate(pack):
    _both("policy-pack", pack.read_text(), str(pack))


def _doc_blocks() -> list[tuple[str, int, str]]:
    out = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for n, block in enumerate(re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S)):
            out.append((path.name, n, block))
    return out


def _as_document(block: str) -> tuple[str, str] | None:
    """(schema, the block as a whole file) for a docs example that is one, else None."""
    if block.startswith((" ", "#")) and not block.lstrip().startswith("waivers"):
        return None  # an excerpt of a larger file, or a file of another tool
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError:
        return None
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        key = "workloads" if "application" in data[0] else "locations"
        if (key == "locations" and "provider" not in data[0]) or "type" in data[0]:
            return None
        return key, yaml.safe_dump({key: data})
    if not isinstance(data, dict):
        return None
    if "version" in data:
        return "advisor", block
    for schema, key in (("waivers", "waivers"), ("budgets", "budgets"),
                        ("policy-pack", "rules"), ("scenarios", "scenarios")):
        if key in data:
            return schema, block
    return None


DOCS = _doc_blocks()


@pytest.mark.parametrize(("doc", "n", "block"), DOCS, ids=[f"{d}#{n}" for d, n, _ in DOCS])
def test_docs_examples_validate(doc, n, block):
    found = _as_document(block)
    if found is not None:
        _both(*found, file=f"{doc}#{n}")
        return
    if block.startswith((" ", "#")) or "\n---" in block:
        return  # an excerpt, or another tool's file (a workflow, a ClusterRole)
    data = yaml.safe_load(block)
    if isinstance(data, dict) and set(data) == {"sources"}:
        from advisor.estate.sources import Source

        TypeAdapter(list[Source]).validate_python(data["sources"])
        for source in _json(data)["sources"]:
            assert _source_errors(source) == [], source


def _source_errors(source: dict) -> list[str]:
    doc = json.loads((SCHEMAS / "advisor.schema.json").read_text())
    sub = {**doc, "properties": {"sources": doc["properties"]["sources"]}, "required": []}
    validator = jsonschema.Draft202012Validator(sub)
    return [e.message for e in validator.iter_errors({"sources": [source]})]


def test_the_docs_examples_that_are_whole_files_are_checked():
    checked = [(d, n) for d, n, block in DOCS if _as_document(block) is not None]
    assert len(checked) >= 5, checked  # README's three, waivers, budgets
    sources = [(d, n) for d, n, block in DOCS if block.startswith("sources:")]
    assert len(sources) >= 3, sources  # cloud.md, kubernetes.md, ledger.md


MISTAKES = [
    ("workloads", {"workloads": [{"id": "a", "application": "x", "location": "l",
                                  "resources": {"cpu": 1, "memory_gb": 1}, "cpux": 1}]}),
    ("workloads", {"workloads": [{"id": "a", "application": "x", "location": "l",
                                  "resources": {"cpu": -1, "memory_gb": 1}}]}),
    ("workloads", {"workloads": [{"id": "a b", "application": "x", "location": "l",
                                  "resources": {"cpu": 1, "memory_gb": 1}}]}),
    ("workloads", {"workloads": [{"id": "a", "application": "x", "location": "l",
                                  "labels": {"nis2": "maybe"},
                                  "resources": {"cpu": 1, "memory_gb": 1}}]}),
    ("locations", {"locations": [{"id": "a", "provider": "ibm", "region": "r", "country": "NL",
                                  "jurisdiction": "EU", "prices": {"currency": "EUR"}}]}),
    ("advisor", {"version": 1, "name": "x", "currency": "euro", "locations": "l.yaml",
                 "workloads": "w.yaml"}),
    ("advisor", {"version": 1, "name": "x", "currency": "EUR", "locations": "l.yaml",
                 "workloads": "w.yaml", "sources": [{"type": "kubernets"}]}),
    ("advisor", {"version": 1, "name": "x", "currency": "EUR", "locations": "l.yaml",
                 "workloads": "w.yaml", "sources": [{"type": "kubernetes", "contxt": "a",
                                                     "location": "l"}]}),
    ("policy-pack", {"pack": "p", "rules": [{"id": "a", "title": "t", "severity": "fatal"}]}),
    ("policy-pack", {"pack": "p", "rules": [{"id": "a", "title": "t", "severity": "error",
                                             "require": {"provder": "onprem"}}]}),
    ("waivers", {"waivers": [{"rule": "r", "workload": "w", "reason": "r", "owner": "o",
                              "expires": "2027-13-01"}]}),
    ("budgets", {"budgets": {"workloads": {"a": "lots"}}}),
    ("placement", ["a", "b"]),
]


@pytest.mark.parametrize(("schema", "data"), MISTAKES)
def test_schema_and_loader_both_reject(schema, data):
    assert list(_validator(schema).iter_errors(data)), "the schema accepts it"
    with pytest.raises(InputError):
        validate(MODELS[schema], data, None)


def test_the_generator_writes_into_a_folder(tmp_path):
    from advisor.schemas import write

    assert sorted(write(tmp_path)) == sorted(schemas())
    assert write(tmp_path) == [] and stale(tmp_path) == []
