"""``advisor validate``: an estate and everything it names checked without solving."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "advisor" / "examples" / "gemeente"


def _demo(tmp_path: Path) -> Path:
    target = tmp_path / "estate"
    shutil.copytree(DEMO, target)
    return target


def test_the_demo_is_valid(run_cli):
    code, out, err = run_cli("validate", "--demo")
    assert code == 0, err
    assert out == ("valid: Gemeente Voorbeeld: 13 locations, 157 workloads, 2 sources, 6 packs "
                   "(32 rules), 3 waivers, 5 budgets\n")


def test_json_for_editors_and_ci(run_cli, tmp_path):
    estate = _demo(tmp_path)
    code, out, _ = run_cli("validate", "-c", str(estate), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["valid"] is True and doc["problems"] == []
    assert doc["checked"]["workloads"] == 157 and doc["checked"]["rules"] == 32
    path = estate / "workloads.yaml"
    path.write_text(path.read_text().replace("cpu: ", "cpu: x", 1))
    code, out, err = run_cli("validate", "-c", str(estate), "--format", "json")
    doc = json.loads(out)
    assert code == 2 and err == "" and doc["valid"] is False
    (problem,) = doc["problems"]
    assert problem["file"] == str(path) and problem["line"] > 1 and problem["column"] > 1
    assert problem["path"][:2] == ["workloads", 0] and problem["path"][-1] == "cpu"
    assert problem["message"] == "workloads[0].resources.cpu: expected a number, got 'x4'"


def test_packs_waivers_and_budgets_together(run_cli, tmp_path):
    estate = _demo(tmp_path)
    (estate / "rules" / "local.yaml").write_text(
        (estate / "rules" / "local.yaml").read_text().replace("severity: warning",
                                                              "severity: warn", 1))
    waivers = estate / "waivers.yaml"
    waivers.write_text(waivers.read_text().replace("expires: ", "expires: 20", 1))
    budgets = estate / "budgets.yaml"
    budgets.write_text(budgets.read_text() + "  teams: {}\n")
    code, out, err = run_cli("validate", "-c", str(estate))
    assert code == 2 and out == ""
    assert "local.yaml:" in err and "invalid value 'warn'" in err
    assert "waivers.yaml:" in err and "expected a date as YYYY-MM-DD" in err
    assert "rule ids not checked (a pack has problems)" in err
    assert "budgets.yaml:" in err and "unknown key 'teams'" in err


def test_a_placement_file(run_cli, tmp_path):
    estate = _demo(tmp_path)
    proposed = tmp_path / "proposed.yaml"
    proposed.write_text("zaak-api: onprem-dc9\nnope: onprem-dc1\n")
    code, _, err = run_cli("validate", "-c", str(estate), "--placement", str(proposed))
    assert code == 2
    assert f"{proposed}:1:" in err and "unknown location 'onprem-dc9' for workload" in err
    assert f"{proposed}:2:" in err and "unknown workload 'nope'" in err


def test_no_estate(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("validate")
    assert code == 2 and "no estate given" in err
    code, _, err = run_cli("validate", "-c", str(tmp_path / "none.yaml"))
    assert code == 2 and "estate file not found" in err
