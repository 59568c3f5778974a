"""The format definitions: each kind of value, valid and invalid; every problem of a file at
once, in file order; cross-file problems collected; source settings typed and checked at load."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pytest

from advisor.errors import SHOWN_ERRORS, InputError, InputErrors
from advisor.estate.formats.base import Format, validate
from advisor.estate.formats.fields import (
    Amount,
    Country,
    Currency,
    Day,
    Flag,
    Ident,
    MapOf,
    Num,
    OneOf,
    Positive,
    Secret,
    Text,
    TextList,
    TextMap,
    Whole,
)

DATA = Path(__file__).parent / "data" / "small"


class Sample(Format):
    text: Text | None = None
    secret: Secret | None = None
    ident: Ident | None = None
    currency: Currency | None = None
    country: Country | None = None
    amount: Amount | None = None
    positive: Positive | None = None
    share: Annotated[Decimal, Num(maximum=1)] | None = None
    whole: Annotated[int, Whole(1, 36)] | None = None
    flag: Flag | None = None
    day: Day | None = None
    choice: Annotated[str, OneOf("monthly", "daily")] | None = None
    texts: TextList | None = None
    text_map: TextMap | None = None
    ms: Annotated[dict[str, Decimal], MapOf(Num(), "id -> ms")] | None = None


def ok(**values: Any) -> Sample:
    return validate(Sample, values, None)


def bad(**values: Any) -> InputError:
    with pytest.raises(InputError) as err:
        validate(Sample, values, None)
    return err.value


VALID = [
    ("text", " web ", "web"), ("text", 12, "12"), ("text", Decimal("1.5"), "1.5"),
    ("ident", "dc1/shop:api_v2.x", "dc1/shop:api_v2.x"), ("currency", "EUR", "EUR"),
    ("country", "NL", "NL"), ("amount", 0, Decimal(0)), ("amount", "2.50", Decimal("2.50")),
    ("amount", Decimal("1e15"), Decimal("1e15")), ("amount", 0.1, Decimal("0.1")),
    ("positive", Decimal("0.000001"), Decimal("0.000001")), ("share", 1, Decimal(1)),
    ("whole", 36, 36), ("flag", False, False), ("day", "2026-10-31", dt.date(2026, 10, 31)),
    ("day", dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
    ("day", "2026-10-31T10:00:00+00:00", dt.date(2026, 10, 31)),
    ("choice", "daily", "daily"), ("texts", "one", ("one",)), ("texts", ["a", 2], ("a", "2")),
    ("text_map", {"a": True, "b": 2, "c": "x"}, {"a": "true", "b": "2", "c": "x"}),
    ("ms", {"aws": 9, 1: "2"}, {"aws": Decimal(9), "1": Decimal(2)}),
]


@pytest.mark.parametrize(("field", "value", "expected"), VALID,
                         ids=[f"{f}={v!r}" for f, v, _ in VALID])
def test_valid_values(field, value, expected):
    assert getattr(ok(**{field: value}), field) == expected


INVALID = [
    ("text", "  ", "must not be empty"), ("text", True, "expected text, got a boolean (True)"),
    ("text", ["a"], "expected text, got a list"),
    ("secret", ["x"], "expected text, got a value of another kind (not shown)"),
    ("ident", "web app", "id 'web app' holds characters ' '"),
    ("currency", "euro", "invalid currency 'euro'"), ("country", "NLD", "invalid country 'NLD'"),
    ("amount", "four", "expected a number, got 'four'"),
    ("amount", -2, "must be 0 or more, got -2"),
    ("amount", True, "expected a number, got True"),
    ("amount", Decimal("NaN"), "expected a finite number, got .nan"),
    ("amount", float("inf"), "expected a finite number, got inf"),
    ("amount", "1e16", "1e16 is out of range"), ("amount", 10**40, "is out of range"),
    ("amount", Decimal("1e-999999999"), "1E-999999999 is out of range"),
    ("positive", 0, "must be more than 0, got 0"), ("share", "1.5", "must be 1 or less, got 1.5"),
    ("whole", 1.5, "expected a whole number, got 1.5"), ("whole", 0, "must be 1 or more, got 0"),
    ("whole", 37, "must be 36 or less, got 37"), ("whole", 10**16, "is out of range"),
    ("flag", "no", "expected true or false, got 'no'"),
    ("day", "31-10-2026", "expected a date as YYYY-MM-DD, got '31-10-2026'"),
    ("day", "2026-02-30", "invalid value '2026-02-30': day is out of range for month"),
    ("choice", "dayly", "invalid value 'dayly'"), ("texts", {"a": 1}, "expected a list of text"),
    ("texts", ["a", {"b": 1}], "texts[1]: expected text, got a mapping"),
    ("text_map", ["a"], "expected a mapping, got a list"),
    ("text_map", {"a": None}, "text_map.a: expected text, got nothing"),
    ("ms", {"aws": "x"}, "ms.aws: expected a number, got 'x'"),
    ("ms", 5, "expected a mapping of id -> ms, got a number (5)"),
]


@pytest.mark.parametrize(("field", "value", "fragment"), INVALID,
                         ids=[f"{f}={v!r}"[:40] for f, v, _ in INVALID])
def test_invalid_values(field, value, fragment):
    err = bad(**{field: value})
    assert fragment in err.message, err.message
    assert err.exit_code == 2


def test_did_you_mean_for_choices_and_keys():
    err = bad(choice="dayly")
    assert err.hint == "did you mean 'daily'? one of: monthly, daily"
    err = bad(curency="EUR")
    assert err.message == "curency: unknown key 'curency'"
    assert err.hint == "did you mean 'currency'?"
    err = bad(zzzzzz=1)
    assert err.hint.startswith("allowed keys: text, secret, ident, currency")


def test_secrets_are_never_shown():
    err = bad(secret=["hunter2-secret-token"])
    assert "hunter2" not in err.render()


def test_a_missing_key_and_null_as_missing():
    class Need(Format):
        cpu: Amount
        name: Text

    with pytest.raises(InputErrors) as err:
        validate(Need, {"name": None}, None)
    assert [p.bare_message for p in err.value.problems] == [
        "(top level): missing required key 'cpu'", "(top level): missing required key 'name'"]
    assert err.value.problems[0].hint == "add 'cpu:' to this entry"


def _estate(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DATA, target)
    return target


def _edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def test_three_mistakes_three_errors_in_file_order(run_cli, tmp_path):
    estate = _estate(tmp_path)
    path = estate / "workloads.yaml"
    _edit(path, ("labels: {personal-data: special}", "labels: {personal-data: specail}"),
          ("resources: {cpu: 4, memory_gb: 16}", "resources: {cpu: four, memory_gb: 16}"),
          ("    migration_cost: 600\n", "    migraton_cost: 600\n"))
    code, out, err = run_cli("analyze", "-c", str(estate))
    assert code == 2 and out == ""
    lines = [ln for ln in err.splitlines() if ln.startswith("advisor: error:")]
    assert lines == [
        f"advisor: error: {path}:7: workloads[0].migraton_cost: unknown key 'migraton_cost'",
        f"advisor: error: {path}:14: workloads[1].resources.cpu: expected a number, got 'four'",
        f"advisor: error: {path}:26: workloads[3].labels.personal-data: invalid value "
        "'specail' for label personal-data",
    ]
    assert "hint: did you mean 'migration_cost'?" in err
    assert "hint: did you mean 'special'? one of: none, personal, special" in err


def test_errors_of_several_files_in_one_run(run_cli, tmp_path):
    estate = _estate(tmp_path)
    _edit(estate / "locations.yaml", ("jurisdiction: OTHER", "jurisdiction: USA"))
    _edit(estate / "workloads.yaml", ("resources: {cpu: 4, memory_gb: 16}",
                                      "resources: {cpu: 4, memory_gb: -16}"))
    code, _, err = run_cli("validate", "-c", str(estate))
    lines = [ln for ln in err.splitlines() if ln.startswith("advisor: error:")]
    assert code == 2 and len(lines) == 2
    assert "locations.yaml:" in lines[0] and "workloads.yaml:" in lines[1]


def test_cross_file_problems_are_collected(run_cli, tmp_path):
    estate = _estate(tmp_path)
    _edit(estate / "workloads.yaml", ("location: aws-us\n", "location: aws-usa\n"),
          ("{workload: api, receive_gb_month: 100", "{workload: apj, receive_gb_month: 100"),
          ("  - id: db\n", "  - id: api\n"))
    code, _, err = run_cli("validate", "-c", str(estate))
    assert code == 2
    assert "unknown workload 'apj'" in err and "unknown location 'aws-usa'" in err
    assert "duplicate workload id 'api'" in err
    lines = [int(ln.split(".yaml:")[1].split(":")[0]) for ln in err.splitlines()
             if ln.startswith("advisor: error:")]
    assert lines == sorted(lines)


def test_many_problems_are_cut_after_the_limit(run_cli, tmp_path):
    estate = _estate(tmp_path)
    entries = "".join(f"  - {{id: w{i}, application: a, location: dc, resources: "
                      f"{{cpu: x, memory_gb: 1}}}}\n" for i in range(30))
    (estate / "workloads.yaml").write_text("workloads:\n" + entries)
    code, _, err = run_cli("validate", "-c", str(estate))
    lines = [ln for ln in err.splitlines() if ln.startswith("advisor: error:")]
    assert code == 2 and len(lines) == SHOWN_ERRORS + 1
    assert lines[-1] == "advisor: error: and 10 more problems (30 in all); fix these and run again"
    code, out, _ = run_cli("validate", "-c", str(estate), "--format", "json")
    import json

    assert code == 2 and len(json.loads(out)["problems"]) == 30


def test_a_source_typo_stops_before_any_work(run_cli, tmp_path):
    estate = _estate(tmp_path)
    path = estate / "advisor.yaml"
    path.write_text(path.read_text() + "sources:\n  - type: focus\n    path: bill.csv\n"
                    "  - type: kubernets\n    context: dc1\n  - type: aws\n    regoins: [x]\n"
                    "  - type: azure\n    scope: /subscriptions/nope\n")
    code, out, err = run_cli("analyze", "-c", str(estate))
    assert code == 2 and out == ""
    assert f"{path}:" in err
    assert "sources[1].type: invalid value 'kubernets'" in err
    assert "did you mean 'kubernetes'?" in err
    assert "sources[2].regoins: unknown key 'regoins'" in err and "did you mean 'regions'" in err
    assert "sources[3].scope: '/subscriptions/nope' is not an Azure scope" in err


def test_sources_are_typed_settings(tmp_path):
    from advisor.estate.load import load_estate
    from advisor.estate.sources import AwsSettings, FocusSettings, KubernetesSettings

    estate = _estate(tmp_path)
    path = estate / "advisor.yaml"
    path.write_text(path.read_text() + "sources:\n  - {type: focus, path: [bill.csv]}\n"
                    "  - {type: kubernetes, context: dc1, location: dc, kubeconfig: kc,"
                    " window: 7d}\n  - {type: aws, profile: org, start: 2026-01}\n")
    focus, k8s, aws = load_estate(path).sources
    assert isinstance(focus, FocusSettings) and focus.name == "focus:bill.csv"
    assert focus.paths == ("bill.csv",) and focus.base == estate
    assert isinstance(k8s, KubernetesSettings) and k8s.kubeconfig == str(estate / "kc")
    lines = path.read_text().splitlines()
    assert k8s.source is not None and lines[k8s.source.line - 1].startswith("  - {type: kube")
    assert isinstance(aws, AwsSettings) and aws.name == "aws:org" and aws.start.label == "2026-01"
    with pytest.raises(Exception):  # noqa: B017 - frozen: a source's settings do not change
        aws.profile = "other"  # type: ignore[misc]


def test_settings_with_flags_are_checked_again():
    from advisor.estate.sources import AzureSettings, settings_from, settings_with

    s = settings_from(AzureSettings, {"type": "azure", "scope": "/subscriptions/"
                                      "00000000-0000-0000-0000-000000000000/"})
    assert s.scopes == ("/subscriptions/00000000-0000-0000-0000-000000000000",)
    again = settings_with(s, tag_key="app")
    assert again.tag_key == "app" and again.scopes == s.scopes and again.name == s.name
    with pytest.raises(InputError, match="arm_endpoint 'ftp://x' is not a URL"):
        settings_with(s, arm_endpoint="ftp://x")


def test_policies_validate_names_another_kind_of_file(run_cli):
    code, _, err = run_cli("policies", "validate", str(DATA / "workloads.yaml"))
    assert code == 2
    assert "this is a workloads file, not a policy pack" in err
    assert "advisor validate" in err
    code, _, err = run_cli("policies", "validate", str(DATA / "advisor.yaml"))
    assert code == 2 and "this is an estate file (advisor.yaml), not a policy pack" in err


def test_all_problems_of_a_pack(run_cli, tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\nreviewed: 2026-12-01\nrules:\n"
                    "  - id: A\n    title: t\n    severity: eror\n    basis: local\n"
                    "  - id: B\n    title: t\n    severity: error\n    basis: local\n"
                    "    require: {provder: x}\n"
                    "  - id: A\n    title: t\n    severity: info\n")
    code, _, err = run_cli("policies", "validate", str(pack))
    import re

    assert code == 2
    assert re.findall(r"p\.yaml:(\d+): ", err) == ["6", "12", "13", "13"]
    assert "missing required key 'basis'" in err
    assert "duplicate rule id 'A' in this pack" in err


def test_a_file_of_another_kind_is_named(run_cli, tmp_path):
    estate = _estate(tmp_path)
    _edit(estate / "advisor.yaml", ("workloads: workloads.yaml", "workloads: locations.yaml"))
    code, _, err = run_cli("validate", "-c", str(estate))
    assert code == 2
    assert f"{estate / 'locations.yaml'}: this is a locations file, not a workloads file" in err
    pack = Path(__file__).resolve().parents[1] / "policies" / "sovereignty.yaml"
    code, _, err = run_cli("analyze", "-c", str(pack))
    assert code == 2 and "this is a policy pack, not an estate file" in err
