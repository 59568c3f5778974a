"""Fuzzing the loaders: no input, however broken, may produce a traceback.

Any text, any YAML value and mutated real files must end in an estate or an InputError."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import InputError
from advisor.estate.load import load_estate
from advisor.rules import parse_pack

DATA = Path(__file__).parent / "data" / "small"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.dates())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(
        ["id", "workloads", "locations", "resources", "cpu", "prices", "labels", "depends_on",
         "workload", "currency", "version", "name", "rules", "severity", "when", "require"])),
        inner, max_size=5)), max_leaves=20)


def _load(folder: Path) -> None:
    try:
        load_estate(folder / "advisor.yaml")
    except InputError as exc:
        assert exc.render()  # a message, never empty


def _copy(tmp: Path) -> Path:
    target = tmp / "estate"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(DATA, target)
    return target


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_as_workloads_file(tmp_path_factory, text):
    folder = _copy(tmp_path_factory.mktemp("f"))
    (folder / "workloads.yaml").write_text(text)
    _load(folder)


@FUZZ
@given(value=values)
def test_any_yaml_value_as_each_file(tmp_path_factory, value):
    for name in ("advisor.yaml", "locations.yaml", "workloads.yaml"):
        folder = _copy(tmp_path_factory.mktemp("v"))
        (folder / name).write_text(yaml.safe_dump(value, allow_unicode=True))
        _load(folder)


@FUZZ
@given(data=st.data())
def test_mutated_real_workload_entries(tmp_path_factory, data):
    folder = _copy(tmp_path_factory.mktemp("m"))
    doc = yaml.safe_load((folder / "workloads.yaml").read_text())
    entry = data.draw(st.sampled_from(doc["workloads"]))
    key = data.draw(st.sampled_from(sorted(entry)))
    entry[key] = data.draw(values)
    (folder / "workloads.yaml").write_text(yaml.safe_dump(doc))
    _load(folder)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes(tmp_path_factory, raw):
    folder = _copy(tmp_path_factory.mktemp("b"))
    (folder / "locations.yaml").write_bytes(raw)
    _load(folder)


@FUZZ
@given(value=values)
def test_any_policy_pack(value):
    try:
        parse_pack(value, "pack.yaml")
    except InputError as exc:
        assert exc.render()
