"""Hostile input files end in one clear error (exit 2): never a hang, a flood of memory, a
traceback or the file's contents in the message."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from advisor.errors import InputError
from advisor.estate.yamlfile import MAX_ALIAS_NODES, parse_yaml

DATA = Path(__file__).parent / "data" / "small"


def _estate(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DATA, target)
    return target


def _error(run_cli, *args: str) -> str:
    code, out, err = run_cli(*args)
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    return err


def billion_laughs(levels: int = 9) -> str:
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for n in range(1, levels):
        text += f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]\n"
    return text


def test_alias_bomb_fails_fast(run_cli, tmp_path):
    estate = _estate(tmp_path)
    (estate / "workloads.yaml").write_text(billion_laughs() + "workloads: *a8\n")
    err = _error(run_cli, "validate", "-c", str(estate))
    assert f"{estate / 'workloads.yaml'}: aliases (*name) expand the document" in err
    assert "alias bomb" in err


def test_alias_bomb_with_an_impossible_date(run_cli, tmp_path):
    """The issue's 1.7 KB advisor.yaml: the error path must not walk the expanded tree."""
    estate = _estate(tmp_path)
    text = (estate / "advisor.yaml").read_text()
    (estate / "advisor.yaml").write_text(text + billion_laughs() + "when: 2026-02-30\n")
    err = _error(run_cli, "validate", "-c", str(estate))
    assert "aliases (*name) expand the document" in err


def test_a_few_aliases_are_fine(tmp_path):
    text = "base: &b {cpu: 1, memory_gb: 2}\nitems: [" + ", ".join(["*b"] * 1000) + "]\n"
    data = parse_yaml(text, "x.yaml", "file")
    assert len(data["items"]) == 1000
    assert MAX_ALIAS_NODES >= 10_000


def test_a_recursive_alias_is_an_input_error(run_cli, tmp_path):
    estate = _estate(tmp_path)
    (estate / "workloads.yaml").write_text("workloads: &w [*w]\n")
    err = _error(run_cli, "validate", "-c", str(estate))
    assert "workloads.yaml" in err


@pytest.mark.parametrize("text", [
    "version: 1\nname: " + "[" * 100_000 + "\n",
    "version: 1\nname: " + "{a: " * 5_000 + "\n",
    "[" * 101 + "]" * 101 + "\n",
])
def test_deep_flow_nesting_fails_fast(run_cli, tmp_path, text):
    path = tmp_path / "advisor.yaml"
    path.write_text(text)
    err = _error(run_cli, "validate", "-c", str(path))
    assert "nesting deeper than 100 levels" in err


def test_deep_block_nesting(run_cli, tmp_path):
    path = tmp_path / "advisor.yaml"
    path.write_text("".join("  " * i + f"k{i}:\n" for i in range(2_000)))
    err = _error(run_cli, "validate", "-c", str(path))
    assert "nesting too deep" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(run_cli, tmp_path):
    estate = _estate(tmp_path)
    (estate / "workloads.yaml").unlink()
    os.mkfifo(estate / "workloads.yaml")  # nobody writes: opening it would hang
    err = _error(run_cli, "validate", "-c", str(estate))
    assert "workloads file is a named pipe (FIFO), not a regular file" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_link_to_dev_zero_is_refused(run_cli, tmp_path):
    estate = _estate(tmp_path)
    (estate / "locations.yaml").unlink()
    (estate / "locations.yaml").symlink_to("/dev/zero")
    err = _error(run_cli, "analyze", "-c", str(estate))
    assert "locations file is a character device (a link to /dev/zero)" in err


def test_a_directory_is_refused(run_cli, tmp_path):
    estate = _estate(tmp_path)
    (estate / "workloads.yaml").unlink()
    (estate / "workloads.yaml").mkdir()
    assert "workloads file is a directory" in _error(run_cli, "validate", "-c", str(estate))


def test_size_limit_and_its_variable(run_cli, tmp_path, monkeypatch):
    estate = _estate(tmp_path)
    with open(estate / "workloads.yaml", "a") as fh:
        fh.write("#" + "x" * (2 * 2**20) + "\n")
    monkeypatch.setenv("ADVISOR_MAX_INPUT_MB", "1")
    err = _error(run_cli, "validate", "-c", str(estate))
    assert "workloads file is 2.0 MB, over the limit of 1 MB for an input file" in err
    assert "ADVISOR_MAX_INPUT_MB" in err
    monkeypatch.setenv("ADVISOR_MAX_INPUT_MB", "3")
    assert run_cli("validate", "-c", str(estate))[0] == 0
    monkeypatch.setenv("ADVISOR_MAX_INPUT_MB", "nan")
    assert "ADVISOR_MAX_INPUT_MB must be a positive number" in \
        _error(run_cli, "validate", "-c", str(estate))


SECRET = "hunter2-do-not-print-me"


@pytest.mark.parametrize("content", [
    f"API_TOKEN={SECRET}\n",
    f"- {SECRET}\n- more\n",
    f"{SECRET}: [1, 2]\n",
    f"password: {SECRET}\n",
    f"'{SECRET}'\n",
    f"{SECRET} 12345\n",
])
def test_file_contents_are_never_echoed(run_cli, tmp_path, content):
    """An estate or pack path may point at a .env or a key file: name the file and the kind of
    problem, never what it says (a key name may be shown, a value never)."""
    estate = _estate(tmp_path)
    secret = tmp_path / ".env"
    secret.write_text(content)
    text = (estate / "advisor.yaml").read_text()
    for key in ("workloads", "locations"):
        (estate / "advisor.yaml").write_text(text.replace(f"{key}: {key}.yaml",
                                                          f"{key}: {secret}"))
        err = _error(run_cli, "validate", "-c", str(estate))
        assert str(secret) in err
        assert SECRET not in err or f"unknown key '{SECRET}'" in err
    (estate / "advisor.yaml").write_text(text.replace("policies: [", f"policies: [{secret}, "))
    err = _error(run_cli, "validate", "-c", str(estate))
    assert SECRET not in err or f"unknown key '{SECRET}'" in err
    err = _error(run_cli, "policies", "validate", str(secret))
    assert SECRET not in err or f"unknown key '{SECRET}'" in err


@pytest.mark.parametrize(("value", "fragment"), [
    (".nan", "expected a finite number, got .nan"),
    (".inf", "expected a finite number, got .inf"),
    ("-.inf", "expected a finite number, got -.inf"),
    ("'1e-999999999'", "1e-999999999 is out of range"),
    ("1.0e-999999999", "1.0E-999999999 is out of range"),
    ("'1e999999'", "1e999999 is out of range"),
    ("1234567890123456789012345678901234567890", "is out of range"),
    ("1e400", "1e400 is out of range"),
    ("2.5.1", "expected a number, got '2.5.1'"),
])
def test_numbers_must_be_finite_and_in_range(run_cli, tmp_path, value, fragment):
    estate = _estate(tmp_path)
    path = estate / "workloads.yaml"
    path.write_text(path.read_text().replace("resources: {cpu: 2, memory_gb: 4}",
                                             f"resources: {{cpu: {value}, memory_gb: 4}}", 1))
    err = _error(run_cli, "analyze", "-c", str(estate))
    assert fragment in err, err
    assert f"{path}:" in err


@pytest.mark.parametrize(("clause", "fragment"), [
    ("{min: .nan}", "expected a finite number, got .nan"),
    ("{max: .inf}", "expected a finite number, got .inf"),
    ("{min: '1e-999999999'}", "expected a number"),
])
def test_rule_numbers_must_be_finite(run_cli, tmp_path, clause, fragment):
    pack = tmp_path / "pack.yaml"
    pack.write_text("pack: p\nrules:\n  - id: P-1\n    title: t\n    severity: error\n"
                    f"    require: {{sovereignty_level: {clause}}}\n")
    err = _error(run_cli, "policies", "validate", str(pack))
    assert f"{pack}:6:" in err and fragment in err, err


def test_numbers_are_exact(tmp_path):
    from decimal import Decimal

    data = parse_yaml("a: 0.1\nb: 0.12345678901234567890123\nc: 1_000.50\nd: 2.50\n",
                      "x.yaml", "file")
    assert data["a"] == Decimal("0.1") and str(data["a"]) == "0.1"
    assert data["b"] == Decimal("0.12345678901234567890123")
    assert data["c"] == Decimal("1000.5")
    assert str(data["d"]) == "2.5"  # the float's digits where they are the same number


def test_impossible_date_names_the_line(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - expires: 2027-02-30\n")
    assert parse_yaml(path.read_text(), str(path), "waivers file") == \
        {"waivers": [{"expires": "2027-02-30"}]}


def test_unreadable_file(run_cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    estate = _estate(tmp_path)
    (estate / "workloads.yaml").chmod(0)
    assert "cannot read workloads file" in _error(run_cli, "validate", "-c", str(estate))


def test_limits_also_hold_for_the_line_lookup(tmp_path):
    """Lines are found by composing the file again: the same limits apply, quietly."""
    from advisor.estate.yamlfile import line_of

    path = tmp_path / "x.yaml"
    path.write_text(billion_laughs())
    assert line_of(str(path), ("a8", 0)) is None
    with pytest.raises(InputError):
        parse_yaml(path.read_text(), str(path), "file")
