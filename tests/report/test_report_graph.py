"""`advisor graph`: one diagram per application chain, in Mermaid, DOT and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from advisor.commands.sources import analyze_config
from advisor.outputs.escape import mermaid_text
from advisor.pipeline import demo_config
from advisor.placement.chains import MAX_NEIGHBOURS, chains

Cli = Callable[..., tuple[int, str, str]]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def plan():  # type: ignore[no-untyped-def]
    return analyze_config(demo_config(), calibration=False)


def test_chain_model(plan) -> None:  # type: ignore[no-untyped-def]
    found = {c.application: c for c in chains(plan)}
    apps = {w.application for w in plan.estate.workloads}
    assert set(found) == apps  # one chain per application, never one for the estate
    moved = {r.workload.id: r for r in plan.recommendations if r.moved}
    for chain in found.values():
        inside = [n for n in chain.nodes if not n.external]
        assert {n.application for n in inside} == {chain.application}
        assert sum(1 for n in chain.nodes if n.external) <= MAX_NEIGHBOURS
        for n in inside:
            assert n.moved == (n.id in moved)
            if n.moved:
                assert n.recommended == moved[n.id].recommended_location
        ids = {n.id for n in chain.nodes}
        assert all(e.source in ids and e.target in ids for e in chain.edges)
    moving = chains(plan, moving_only=True)
    assert moving and all(c.moves for c in moving)
    # traffic is kept: a member's edges to other applications sum to its dependencies' GB
    chain = found["zaaksysteem"]
    gb = sum((e.gb_month for e in chain.edges), start=0)
    wl = [w for w in plan.estate.workloads if w.application == "zaaksysteem"]
    inside = {w.id for w in wl}
    own = sum((d.receive_gb_month + d.send_gb_month for w in wl for d in w.depends_on), start=0)
    calls_in = sum((d.receive_gb_month + d.send_gb_month for w in plan.estate.workloads
                    if w.id not in inside for d in w.depends_on if d.workload in inside),
                   start=0)
    assert gb == own + calls_in


def test_mermaid_dot_svg(run_cli: Cli, tmp_path: Path) -> None:
    code, out, err = run_cli("graph", "--demo", "--application", "zaaksysteem")
    assert code == 0, err
    assert out.startswith("flowchart LR\n")
    assert "GB/mo" in out and "style n0 fill:#" in out
    assert "excluded: " in out  # excluded moves are marked with their rules
    code, out, err = run_cli("graph", "--demo", "-a", "zaaksysteem", "-f", "dot")
    assert code == 0, err
    assert out.startswith('digraph "chain zaaksysteem" {') and 'style="striped"' in out
    target = tmp_path / "z.svg"
    code, out, err = run_cli("graph", "--demo", "-a", "zaaksysteem", "-a", "website", "-f", "svg",
                         "-o", str(target))
    assert code == 0, err
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert len(titles) == 2 and titles[0].startswith("website:")
    code, out, err = run_cli("graph", "--demo", "--moving")
    assert code == 0, err
    assert out.count("```mermaid\n") >= 5 and out.startswith("## ")


def test_same_input_same_diagram(run_cli: Cli) -> None:
    first = run_cli("graph", "--demo", "-f", "svg", "--moving")
    again = run_cli("graph", "--demo", "-f", "svg", "--moving")
    assert first == again and first[0] == 0


def test_mermaid_text() -> None:
    assert mermaid_text('a "b" & <c> | `d` #e') == \
        "a #34;b#34; #38; #60;c#62; #124; #96;d#96; #35;e"
    assert mermaid_text("Zaaksysteem (API) 1.2/3") == "Zaaksysteem (API) 1.2/3"
