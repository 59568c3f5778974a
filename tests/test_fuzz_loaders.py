"""Fuzzing the loaders: no input, however broken, may produce a traceback.

Any text, any YAML value and mutated real files must end in a value or an InputError, for every
loader: the estate files, policy packs, waivers, budgets, placements, fixture expectations and
every source type's settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import InputError
from advisor.estate.load import load_estate
from advisor.estate.sources import SOURCE_TYPES, settings_from
from advisor.estate.yamlfile import parse_yaml
from advisor.rules import parse_pack

DATA = Path(__file__).parent / "data" / "small"
FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

KEYS = ["id", "workloads", "locations", "resources", "cpu", "prices", "labels", "depends_on",
        "workload", "currency", "version", "name", "rules", "severity", "when", "require",
        "waivers", "rule", "expires", "budgets", "applications", "type", "path", "scope",
        "context", "location", "prometheus", "window", "failing", "today", "pack"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                    st.dates(), st.sampled_from(["1e-999999999", "1e999999", ".nan", "2026-02-30",
                                                 "EUR", "focus", "kubernetes", "aws", "azure"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=10), st.sampled_from(KEYS)), inner,
                    max_size=5)), max_leaves=20)


def _load(folder: Path) -> None:
    try:
        load_estate(folder / "advisor.yaml")
    except InputError as exc:
        assert exc.render_all()  # a message, never empty


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
@given(text=st.text(alphabet="[]{}&*:-,ab\n '\"!|>#%@`", max_size=400))
def test_yaml_punctuation(text):
    try:
        parse_yaml(text, "x.yaml", "file")
    except InputError as exc:
        assert exc.render()


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
@given(data=st.data())
def test_mutated_real_location_entries(tmp_path_factory, data):
    folder = _copy(tmp_path_factory.mktemp("l"))
    doc = yaml.safe_load((folder / "locations.yaml").read_text())
    entry = data.draw(st.sampled_from(doc["locations"]))
    key = data.draw(st.sampled_from(sorted(entry)))
    entry[key] = data.draw(values)
    (folder / "locations.yaml").write_text(yaml.safe_dump(doc))
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
        assert exc.render_all()


@FUZZ
@given(kind=st.sampled_from(sorted(SOURCE_TYPES)), value=st.dictionaries(
    st.one_of(st.sampled_from(["name", "path", "scope", "scopes", "context", "location",
                               "prometheus", "window", "accounts", "group_by", "months",
                               "start", "cpu_window", "prometheus_auth", "metrics", "at",
                               "timeout", "headroom", "arm_endpoint", "focus_path"]),
              st.text(max_size=8)), values, max_size=6))
def test_any_source_settings(kind, value):
    try:
        settings_from(SOURCE_TYPES[kind], {"type": kind, **value})
    except InputError as exc:
        assert exc.render_all()


def _check_loader(tmp_path_factory, name: str, value: object) -> None:
    from advisor.check.fixtures import _expected
    from advisor.check.gate import load_budgets
    from advisor.check.proposals import read_placement
    from advisor.check.waivers import load_waivers

    estate = load_estate(DATA / "advisor.yaml")
    folder = tmp_path_factory.mktemp("c")
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(value, allow_unicode=True))
    try:
        if name == "waivers":
            load_waivers(path, estate, ["SOV-001", "SOV-004"])
        elif name == "budgets":
            load_budgets(path, estate)
        elif name == "placement":
            read_placement(path, estate)
        else:
            (folder / "expected.yaml").write_text(path.read_text())
            _expected(folder, "fail")
    except InputError as exc:
        assert exc.render_all()


@pytest.mark.parametrize("name", ["waivers", "budgets", "placement", "expected"])
@FUZZ
@given(value=values)
def test_any_check_input_file(tmp_path_factory, name, value):
    _check_loader(tmp_path_factory, name, value)


@FUZZ
@given(entries=st.lists(st.fixed_dictionaries({
    "rule": st.sampled_from(["SOV-001", "SOV-01", "X"]),
    "workload": st.sampled_from(["care", "cares", "api"]),
    "reason": st.text(max_size=5), "owner": st.text(max_size=5),
    "expires": st.one_of(st.dates(), st.sampled_from(["2027-02-30", "31-12-2026"]))}),
    max_size=4))
def test_near_valid_waivers(tmp_path_factory, entries):
    _check_loader(tmp_path_factory, "waivers", {"waivers": entries})
