"""Bad input to `advisor report` and `advisor graph`: one clear line, the right exit code, never a
traceback, and nothing stored for a month that failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from report_helpers import DATA

from advisor.report.history import open_store

Cli = Callable[..., tuple[int, str, str]]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_month_without_data_names_the_sources(run_cli: Cli, tmp_path: Path) -> None:
    store = str(tmp_path / "h.duckdb")
    code, _out, err = run_cli("report", "--demo", "--month", "2026-12", "--store", store)
    assert code == 2
    line = one_line(err)
    assert "no billing data for 2026-12" in line
    assert "2026-08, 2026-09, 2026-10" in line
    assert "aws-data-export (billing/aws/gemeente-focus)" in line
    assert "azure-cost-export (billing/azure/gemeente-focus)" in line
    with open_store(store) as s:
        assert s.plan_months("Gemeente Voorbeeld", "2026-01", "2026-12") == []


def test_unknown_language(run_cli: Cli, tmp_path: Path) -> None:
    code, _out, err = run_cli("report", "--demo", "--lang", "de", "--store", str(tmp_path / "h"))
    assert code == 2
    assert one_line(err) == "advisor: error: unknown --lang 'de': choose one of en, nl"
    assert not (tmp_path / "h").exists()  # failed before any work


@pytest.mark.parametrize(("args", "needle"), [
    (["--month", "2026-13"], "invalid month '2026-13'"),
    (["--months", "2"], "--months"),
    (["--email", "a@b.nl"], "--email and --smtp go together"),
    (["--email", "a@b.nl", "--smtp", "relay"], "invalid --smtp 'relay'"),
])
def test_bad_options_exit_2(run_cli: Cli, tmp_path: Path, args: list[str], needle: str) -> None:
    code, _out, err = run_cli("report", "--demo", "--store", str(tmp_path / "h.duckdb"), *args)
    assert code == 2
    assert needle in err and "Traceback" not in err


def test_estate_without_bills_needs_a_month(run_cli: Cli, tmp_path: Path) -> None:
    code, out, err = run_cli("report", "-c", str(DATA / "small" / "advisor.yaml"), "--store",
                         str(tmp_path / "h.duckdb"))
    assert code == 2
    assert "give --month" in one_line(err)
    code, out, err = run_cli("report", "-c", str(DATA / "small" / "advisor.yaml"), "--store",
                         str(tmp_path / "h.duckdb"), "--month", "2026-10", "--format",
                         "markdown", "-o", "-")
    assert code == 0, err
    assert "every figure in this report is modelled" in out


def test_graph_unknown_application(run_cli: Cli) -> None:
    code, _out, err = run_cli("graph", "--demo", "--application", "zaaksysteme")
    assert code == 2
    assert "unknown application 'zaaksysteme'" in err and "did you mean 'zaaksysteem'" in err
    assert "Traceback" not in err


def test_failed_source_is_named_and_nothing_is_stored(run_cli: Cli, tmp_path: Path) -> None:
    import shutil

    from servers import free_port

    from advisor.pipeline import example_dir

    estate = tmp_path / "estate"
    shutil.copytree(example_dir(), estate)
    (estate / "kube.yaml").write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dc1\n"
        f"clusters: [{{name: dc1, cluster: {{server: 'http://127.0.0.1:{free_port()}'}}}}]\n"
        "users: [{name: u, user: {token: x}}]\n"
        "contexts: [{name: dc1, context: {cluster: dc1, user: u}}]\n", encoding="utf-8")
    cfg = estate / "advisor.yaml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("sources:", "sources:\n  - {type: kubernetes, context: dc1, "
                                "location: onprem-dc1, kubeconfig: kube.yaml}", 1),
                   encoding="utf-8")
    store = str(tmp_path / "h.duckdb")
    out = tmp_path / "r.html"
    code, _, err = run_cli("report", "-c", str(cfg), "--month", "2026-10", "--store", store, "-o",
                       str(out))
    assert code == 3
    assert "source kubernetes:dc1 failed" in err and "Traceback" not in err
    page = out.read_text(encoding="utf-8")
    assert 'id="failed-sources"' in page and "kubernetes:dc1" in page
    assert "not stored in the history store: a source failed" in page
    assert 'id="kpi-total"' in page  # the month is still shown, marked incomplete
    with open_store(store) as s:
        assert s.plan_months("Gemeente Voorbeeld", "2026-01", "2026-12") == []
        assert s.ledger_months("Gemeente Voorbeeld", "billed", "2026-01", "2026-12") == []
