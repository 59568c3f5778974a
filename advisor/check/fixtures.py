"""``advisor policies test``: fixture estates that pin down what each rule does.

Layout (as Checkov does it, in the input's own format)::

    DIR/<RULE-ID>/pass/advisor.yaml     no workload may break RULE-ID
    DIR/<RULE-ID>/fail/advisor.yaml     exactly the workloads in expected.yaml break RULE-ID
    DIR/<RULE-ID>/fail/expected.yaml    failing: [workload ids or application names]
                                        today: 2026-11-01   (optional, for waiver dates)
    DIR/_shared/...                     folders starting with _ hold shared files

Each fixture is checked as ``advisor check`` would: its placement.yaml or plan.json when present
(as --placement / --terraform-plan), waivers.yaml and budgets.yaml beside it when present.
Every finding of the rule counts, waived or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from advisor.check.formats import FixtureExpected
from advisor.errors import AdvisorError, InputErrors
from advisor.estate.formats.base import validate
from advisor.estate.yamlfile import load_yaml


@dataclass
class FixtureReport:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cases: int = 0
    unexpected: int = 0


def run_fixtures(root: Path, today: dt.date | None = None) -> FixtureReport:
    report = FixtureReport()
    dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    if not dirs:
        report.errors.append(f"{root}: no <RULE-ID>/pass and <RULE-ID>/fail folders")
    for rule_dir in dirs:
        for kind in ("pass", "fail"):
            case = rule_dir / kind
            if not (case / "advisor.yaml").is_file():
                report.errors.append(f"{case}: missing advisor.yaml (every rule needs a pass/ "
                                     "and a fail/ fixture)")
                continue
            report.cases += 1
            try:
                got = run_case(rule_dir.name, kind, case, today)
            except InputErrors as exc:
                report.errors.extend(p.render().replace("\n", " ") for p in exc.problems)
                continue
            except AdvisorError as exc:
                report.errors.append(exc.render().replace("\n", " "))
                continue
            if got.error:
                report.errors.append(got.error)
                continue
            if not got.ok:
                report.unexpected += 1
            report.lines.append(got.line)
    return report


@dataclass(frozen=True)
class CaseResult:
    """One fixture's outcome: ``ok`` when the rule did what the fixture expects; ``error`` when
    the fixture itself is broken (its packs do not hold the rule)."""

    ok: bool
    line: str
    error: str = ""


def _expected(case: Path, kind: str) -> tuple[list[str] | None, dt.date | None]:
    path = case / "expected.yaml"
    if not path.is_file():
        return ([] if kind == "pass" else None), None
    doc = validate(FixtureExpected, load_yaml(path, "expected file"), str(path),
                   context={"case": kind})
    return sorted(doc.failing), doc.today


def run_case(rule_id: str, kind: str, case: Path, today: dt.date | None = None) -> CaseResult:
    """Check one fixture folder (``pass`` or ``fail``) of ``rule_id`` as ``advisor check``."""
    from advisor.check.gate import run_check

    expected, fixed_day = _expected(case, kind)
    placement = case / "placement.yaml"
    plan = case / "plan.json"
    result = run_check(case / "advisor.yaml",
                       placement=str(placement) if placement.is_file() else None,
                       terraform_plan=str(plan) if plan.is_file() else None,
                       today=today or fixed_day, fail_on="never")
    if rule_id not in {r.id for r in result.rules}:
        return CaseResult(False, "", f"{case}: rule {rule_id} is not in the packs this "
                                     "fixture's advisor.yaml loads (policies:)")
    got = sorted({i.finding.key for i in result.items if i.finding.rule == rule_id})
    evaluated = sum(1 for c in result.cases if c.rule.id == rule_id)
    name = f"{rule_id} {kind}"
    if expected is None:
        ok = bool(got)
        detail = f"{', '.join(got)} break it" if got else "no workload breaks it"
    else:
        ok = got == expected
        if ok:
            detail = f"{', '.join(got)} break it" if got else \
                f"no workload breaks it ({evaluated} evaluated)"
        else:
            extra = sorted(set(got) - set(expected))
            missing = sorted(set(expected) - set(got))
            parts = []
            if extra:
                parts.append(f"unexpected failures: {', '.join(extra)}")
            if missing:
                parts.append(f"expected to fail but passed: {', '.join(missing)}")
            detail = "; ".join(parts)
    return CaseResult(ok, f"{'ok  ' if ok else 'FAIL'}  {name}: {detail}")
