"""Bad input: one clear line naming file, row, column and value; exit 2 (3 for sources)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledger_helpers import COLUMNS, focus_row, write_focus


def one_error(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("advisor: error: "), err
    return lines[0]


def test_missing_mandatory_columns(tmp_path: Path, run_cli) -> None:
    cols = [c for c in COLUMNS if c not in ("BillingCurrency", "ListCost")]
    path = write_focus(tmp_path / "partial.csv", [focus_row()], cols)
    code, _, err = run_cli("costs", str(path))
    line = one_error(err)
    assert code == 2
    assert str(path) in line and "ListCost, BillingCurrency" in line


def test_value_that_is_not_a_number(tmp_path: Path, run_cli) -> None:
    rows = [focus_row(), focus_row(), focus_row(BilledCost="12,50"), focus_row()]
    path = write_focus(tmp_path / "bad.csv.gz", rows, gz=True)
    code, _, err = run_cli("costs", str(path))
    line = one_error(err)
    assert code == 2
    assert f"{path}:4:" in line  # line 4 of the file = data row 3
    assert "row 3, column BilledCost: '12,50' is not a number" in line


def test_bad_number_in_the_chosen_basis_only(tmp_path: Path, run_cli) -> None:
    path = write_focus(tmp_path / "b.csv", [focus_row(ListCost="n/a")])
    assert run_cli("costs", str(path))[0] == 0
    code, _, err = run_cli("costs", str(path), "--cost", "list")
    assert code == 2 and "column ListCost: 'n/a' is not a number" in one_error(err)


def test_value_that_is_not_a_date(tmp_path: Path, run_cli) -> None:
    rows = [focus_row(), focus_row(BillingPeriodStart="01/10/2026")]
    path = write_focus(tmp_path / "date.csv", rows)
    code, _, err = run_cli("costs", str(path))
    line = one_error(err)
    assert code == 2
    assert "row 2, column BillingPeriodStart: '01/10/2026' is not a date" in line


def test_empty_cost_is_an_error(tmp_path: Path, run_cli) -> None:
    path = write_focus(tmp_path / "e.csv", [focus_row(), focus_row(BilledCost="NULL")])
    code, _, err = run_cli("costs", str(path))
    assert code == 2 and "row 2, column BilledCost: an empty value" in one_error(err)


def test_malformed_row_names_the_line(tmp_path: Path, run_cli) -> None:
    path = write_focus(tmp_path / "m.csv", [focus_row(), focus_row()])
    text = path.read_text().splitlines()
    text[2] += ",extra"
    path.write_text("\n".join(text) + "\n")
    code, _, err = run_cli("costs", str(path))
    line = one_error(err)
    assert code == 2 and f"{path}:3:" in line and "malformed row" in line


def test_tags_that_are_not_json(tmp_path: Path, estate_dir, run_cli) -> None:
    from ledger_helpers import workload

    write_focus(tmp_path / "t.csv", [focus_row(Tags='{"a": 1}'), focus_row(Tags="{oops")])
    config = estate_dir(workload("w", "{tags: {a: '1'}}"), sources="[{type: focus, path: t.csv}]")
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2 and "row 2, column Tags: '{oops' is not a JSON object" in one_error(err)


def test_empty_file(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "zero.csv"
    path.write_bytes(b"")
    code, _, err = run_cli("costs", str(path))
    assert code == 2 and "zero.csv: the file is empty" in one_error(err)


@pytest.mark.parametrize("arg", ["nothing-here.csv", "no/such/*.csv"])
def test_path_that_matches_nothing(tmp_path: Path, run_cli, arg: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("costs", arg)
    assert code == 2 and "matches no file" in one_error(err)


def test_folder_without_focus_files(tmp_path: Path, run_cli) -> None:
    (tmp_path / "readme.txt").write_text("hi")
    code, _, err = run_cli("costs", str(tmp_path))
    assert code == 2 and "holds no FOCUS file" in one_error(err)


def test_not_a_focus_file_at_all(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,amount\nx,1\n")
    code, _, err = run_cli("costs", str(path))
    assert code == 2 and "missing mandatory columns" in one_error(err)


def test_bad_arguments(tmp_path: Path, run_cli) -> None:
    path = write_focus(tmp_path / "f.csv", [focus_row()])
    code, _, err = run_cli("costs", str(path), "--group-by", "provder")
    assert code == 2 and "did you mean 'provider'" in err
    code, _, err = run_cli("costs", str(path), "--month", "2026-13")
    assert code == 2 and "invalid month" in one_error(err)
    code, _, err = run_cli("costs", str(path), "--cost", "amortized")
    assert code == 2


def test_bad_source_settings(tmp_path: Path, estate_dir, run_cli) -> None:
    config = estate_dir("", sources="[{type: focus, path: f.csv, bucket: x}]")
    code, _, err = run_cli("costs", "-c", str(config))
    assert code == 2 and "advisor.yaml:" in err and "unknown key 'bucket'" in err


def test_unreachable_bucket_exits_3(run_cli, aws_env: None,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    code, _, err = run_cli("costs", "s3://billing-bucket/focus/")
    assert code == 3 and "source s3://billing-bucket" in one_error(err)


def test_bad_number_in_parquet_names_the_row(tmp_path: Path, run_cli) -> None:
    import duckdb

    path = tmp_path / "text-costs.parquet"
    duckdb.sql(f"""COPY (SELECT CASE WHEN i = 2 THEN 'abc' ELSE '1.5' END AS BilledCost,
        '1' AS EffectiveCost, '1' AS ListCost, 'EUR' AS BillingCurrency,
        '2026-10-01' AS BillingPeriodStart, 'Usage' AS ChargeCategory, 'AWS' AS ProviderName
        FROM range(5) t(i) ORDER BY i) TO '{path}' (FORMAT parquet)""")
    code, _, err = run_cli("costs", str(path))
    assert code == 2 and "row 3, column BilledCost: 'abc' is not a number" in one_error(err)
