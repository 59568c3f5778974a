"""Helpers for the report tests: run the report in-process and compute the figures it must show
from the ledger and the plan directly (not through the report's own code)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cli_runner import invoke

DATA = Path(__file__).resolve().parents[1] / "data"


def demo_report(folder: Path, *extra: str, name: str = "report.html",
                store: str | None = None) -> tuple[int, str, str]:
    """``advisor report --demo --month 2026-10`` into ``folder``; (exit code, text, stderr)."""
    out = folder / name
    code, _, err = invoke("report", "--demo", "--month", "2026-10", "--store",
                          store or str(folder / "history.duckdb"), "-o", str(out), *extra)
    return code, out.read_text(encoding="utf-8") if out.exists() else "", err


@dataclass(frozen=True)
class Expected:
    total: Decimal
    billed: Decimal
    modelled: Decimal
    unallocated: Decimal
    previous_total: Decimal
    monthly_savings: Decimal
    one_off: Decimal
    moves: int


def expected_demo(month: str = "2026-10", previous: str = "2026-09") -> Expected:
    """The demo month's figures straight from the ledger and the plan: billed cost of the month
    plus the modelled cost of today's placement at locations that no bill covers (the
    workloads there, and the location's fixed cost). The plan is as of the month's last day,
    as the report makes it."""
    import datetime as dt

    from advisor.commands.sources import analyze_config, read_ledger
    from advisor.pipeline import demo_config

    plan = analyze_config(demo_config(), calibration=False, as_of=dt.date(2026, 10, 31))

    def month_total(m: str) -> tuple[Decimal, Decimal, Decimal]:
        rep = read_ledger(plan.estate, month=m, group_by=("location",))
        covered = {row.keys[0] for row in rep.rows if row.keys[0]}
        modelled = sum((r.current_monthly_cost for r in plan.recommendations
                        if r.current_location not in covered), Decimal(0))
        modelled += sum((line.now for line in plan.lines()
                         if line.kind == "fixed" and line.key not in covered), Decimal(0))
        return rep.total + modelled, rep.total, rep.unallocated

    total, billed, unallocated = month_total(month)
    prev_total, _, _ = month_total(previous)
    s = plan.summary()
    from advisor.money import cents

    # the saving shown is the difference of the two monthly costs shown
    saving = cents(s["current_monthly_cost"]) - cents(s["recommended_monthly_cost"])
    return Expected(total, billed, total - billed, unallocated, prev_total, saving,
                    s["one_off_cost"], s["moves"])


def hostile_estate(tmp: Path) -> Path:
    """The small test estate with names an attacker (or a careless admin) might write."""
    target = tmp / "hostile"
    shutil.copytree(DATA / "small", target)
    wl = target / "workloads.yaml"
    text = wl.read_text(encoding="utf-8")
    text = text.replace("  - id: web\n    application: site\n",
                        "  - id: web\n    name: \"<script>alert(1)</script>\"\n"
                        "    application: 'Site & \"Co\" <b>x</b>'\n", 1)
    text = text.replace("  - id: api\n    application: site\n",
                        "  - id: api\n    name: 'API \"quoted\" & <i>amp</i> | pipe `tick`'\n"
                        "    application: 'Site & \"Co\" <b>x</b>'\n", 1)
    text = text.replace("  - id: db\n    application: site\n",
                        "  - id: db\n    application: 'Site & \"Co\" <b>x</b>'\n", 1)
    wl.write_text(text, encoding="utf-8")
    cfg = target / "advisor.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "name: Small test estate", "name: 'Gemeente \"Quote\" & <Co>'"), encoding="utf-8")
    return target / "advisor.yaml"


@dataclass
class Relay:
    host: str
    port: int
    cafile: str
    user: str
    password: str
    messages: list[Any] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
