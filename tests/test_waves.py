"""`advisor analyze --waves`: the recommended moves in migration waves, through the real CLI."""

from __future__ import annotations

import pytest
from plan_json import d, plan_json


def _waves(run_cli, *args: str) -> dict:
    return plan_json(run_cli, "analyze", "-q", "--as-of", "2026-12-01", "--waves", "--format",
                     "json", *args)


def _check(doc: dict, limit: int | None):
    waves = doc["waves"]["waves"]
    moved = {r["workload"] for r in doc["recommendations"]
             if r["current_location"] != r["recommended_location"]}
    ids = [w for wave in waves for w in wave["workloads"]]
    assert sorted(ids) == sorted(moved) and len(ids) == len(set(ids))
    # the parts add up to the plan's totals, as shown
    assert sum(d(w["one_off_cost"]) for w in waves) == d(doc["summary"]["one_off_cost"])
    assert sum(d(w["monthly_savings"]) for w in waves) == d(doc["summary"]["monthly_savings"])
    # chains move together: two moving workloads joined by a dependency share a wave
    wave_of = {w: wave["wave"] for wave in waves for w in wave["workloads"]}
    return wave_of if limit is None else (wave_of, [len(wave["workloads"]) for wave in waves
                                                    if not wave["notes"]])


def test_waves_on_the_demo_add_up_and_keep_chains_together(run_cli):
    from advisor.estate.load import load_estate
    from advisor.pipeline import demo_config

    doc = _waves(run_cli, "--demo", "--max-workloads", "4")
    wave_of, sizes = _check(doc, 4)
    assert all(n <= 4 for n in sizes)
    for w in load_estate(demo_config()).workloads:
        for dep in w.depends_on:
            if w.id in wave_of and dep.workload in wave_of:
                assert wave_of[w.id] == wave_of[dep.workload], (w.id, dep.workload)
    assert len(doc["waves"]["waves"]) > 1
    code, out, _ = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--waves",
                           "--max-workloads", "4")
    assert code == 0 and "Migration waves (at most 4 workloads per wave" in out
    code, md, _ = run_cli("analyze", "--demo", "-q", "--as-of", "2026-12-01", "--waves",
                          "--format", "markdown", "--max-tb", "50")
    assert code == 0 and "## Migration waves" in md and "at most 50 TB per wave" in md


def test_a_chain_larger_than_the_limit_gets_its_own_wave(run_cli, small_estate):
    doc = _waves(run_cli, "-c", str(small_estate), "--max-workloads", "1")
    waves = doc["waves"]["waves"]
    chain = next(w for w in waves if "web" in w["workloads"])
    assert chain["workloads"] == ["api", "db", "web"]
    assert "larger than the wave limit" in chain["notes"][0]
    _check(doc, None)


def test_wave_limits_from_advisor_yaml(run_cli, small_estate):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "migration:\n  wave_max_workloads: 1\n")
    doc = _waves(run_cli, "-c", str(small_estate))
    assert doc["waves"]["max_workloads"] == 1


@pytest.mark.parametrize("args", [("--waves", "--max-workloads", "0"),
                                  ("--waves", "--max-tb", "0"),
                                  ("--max-workloads", "3")])
def test_bad_wave_options_exit_2(run_cli, small_estate, args):
    code, out, err = run_cli("analyze", "-c", str(small_estate), "-q", *args)
    assert code == 2 and out == ""
    assert "must be more than 0" in err or "add --waves" in err


def test_a_wave_size_of_0_in_advisor_yaml_exits_2(run_cli, small_estate):
    main = small_estate / "advisor.yaml"
    main.write_text(main.read_text() + "migration:\n  wave_max_workloads: 0\n")
    code, _, err = run_cli("analyze", "-c", str(small_estate), "-q", "--waves")
    assert code == 2 and f"{main}:12" in err and "must be 1 or more" in err
