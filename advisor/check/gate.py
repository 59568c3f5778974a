"""The CI gate behind ``advisor check``: a placement (today's or a proposed one) against the rules.

Pure: reads the files it is given, returns a ``CheckResult`` that every report format renders.
The verdict (exit 1 or 0) is decided here, from the findings at or above ``fail_on`` that no
valid waiver covers.

Paths in reports are relative to the current directory when the file lies under it (in CI that
is the repository root, which is what GitHub and GitLab expect), else relative to the estate's
folder (``uri_base`` "ESTATE"), else absolute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from advisor.check.formats import BudgetsFile
from advisor.check.proposals import (
    DEFAULT_TAG_KEY,
    PLAN_RULES,
    Change,
    Proposal,
    read_placement,
    read_terraform_plan,
)
from advisor.check.waivers import Waiver, load_waivers, waiver_view, waivers_file
from advisor.errors import InputError
from advisor.estate.formats.base import validate
from advisor.estate.load import load_estate
from advisor.estate.model import Estate, SourceRef
from advisor.estate.yamlfile import load_yaml
from advisor.placement.checks import PLACE_RULES, gate_findings
from advisor.placement.costs import CostModel
from advisor.placement.plan import Plan
from advisor.rules import (
    SEVERITY_RANK,
    Budgets,
    Evaluation,
    Finding,
    Rule,
    check_placement,
    evaluate,
    known_rule_ids,
    load_packs,
)
from advisor.rules.assumptions import Note, notes

FAIL_ON = ("error", "warning", "never")

WAIVER_RULES = (
    Rule("WAIVER-EXPIRED", "A waiver has expired", "error", "advisor",
         rationale="A waiver is a risk acceptance for a limited time. After its expiry date it "
                   "no longer covers the finding, and the acceptance must be renewed (with a "
                   "new date and, usually, a new review) or the finding fixed.",
         remediation="Fix the finding and remove the waiver, or renew it: set a new expires "
                     "date after the owner has reviewed the risk again.",
         tags=("waiver", "audit")),
    Rule("WAIVER-UNUSED", "A waiver matches no finding", "info", "advisor",
         rationale="A waiver that covers nothing (the finding was fixed, or the workload moved) "
                   "makes the list of accepted risks harder to audit.",
         remediation="Remove the waiver from the waivers file.",
         tags=("waiver", "audit")),
)


@dataclass(frozen=True)
class Place:
    """A file position for reports: display path, line, and the base the path is relative to."""

    path: str
    line: int | None = None
    base: str | None = None  # None: the current directory (or absolute); "ESTATE": the estate


@dataclass
class Item:
    """One finding as reported: its rule, waiver, baseline state and where to point."""

    finding: Finding
    rule: Rule
    place: Place | None
    waiver: Waiver | None = None
    baseline: str | None = None  # new | unchanged | updated (only when a change is checked)
    related: list[tuple[Place, str]] = field(default_factory=list)

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    salt: int = 0  # set when two findings would share a fingerprint (see unique_fingerprints)

    @property
    def fingerprint(self) -> str:
        """Stable across runs and line edits: the rule and what it was evaluated on (and the
        detail that tells two findings on one subject apart)."""
        base = fingerprint(self.finding)
        if not self.salt:
            return base
        return hashlib.sha256(f"{base}\0{self.salt}".encode()).hexdigest()[:32]


def unique_fingerprints(items: list[Item]) -> None:
    """Re-salt fingerprints that collide, in the items' (deterministic) order, so GitHub and
    GitLab never merge two findings into one alert (as ruff's GitLab renderer does)."""
    seen: set[str] = set()
    for item in items:
        while item.fingerprint in seen:
            item.salt += 1
        seen.add(item.fingerprint)


def fingerprint(f: Finding) -> str:
    text = f"{f.rule}\0{f.key}" + (f"\0{f.detail}" if f.detail else "")
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass
class Case:
    """One evaluation for a JUnit report: a rule applied to a subject (workload or application)."""

    rule: Rule
    subject: str
    place: Place | None
    item: Item | None


@dataclass
class Moved:
    workload: str
    application: str
    before_location: str
    after_location: str
    before_monthly: Decimal
    after_monthly: Decimal
    origin: str


@dataclass
class CostEffect:
    currency: str
    before_monthly: Decimal
    after_monthly: Decimal
    one_off: Decimal
    moved: list[Moved]

    @property
    def difference(self) -> Decimal:
        return self.after_monthly - self.before_monthly


@dataclass
class CheckResult:
    estate: Estate
    rules: list[Rule]  # the loaded rules, then the advisor's own (PLAN-*, WAIVER-*)
    items: list[Item]
    cases: list[Case]
    resolved: list[Finding]  # broken today, fixed by the proposed change
    cost: CostEffect
    fail_on: str
    inputs: list[Place]  # the placement and plan files checked, if any
    waivers: Place | None
    today: dt.date
    # The proposal as a plan (its chains are drawn in the PR comment); None without changes.
    proposed_plan: Plan | None = None
    # Assumptions, deprecated keys and contradictions the rules rest on, with their file:line
    assumptions: list[tuple[Note, Place | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the readers did (resources read...)

    @property
    def proposed(self) -> bool:
        return bool(self.inputs)

    def failing(self) -> list[Item]:
        if self.fail_on == "never":
            return []
        floor = SEVERITY_RANK[self.fail_on]
        return [i for i in self.items
                if not i.waived and SEVERITY_RANK[i.finding.severity] >= floor]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing() else 0

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("error", "warning", "info")}
        for i in self.items:
            if not i.waived:
                out[i.finding.severity] += 1
        out["waived"] = sum(1 for i in self.items if i.waived)
        out["new"] = sum(1 for i in self.items if i.baseline == "new")
        out["resolved"] = len(self.resolved)
        out["failing"] = len(self.failing())
        return out

    def rule_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


def run_check(config: Path, *, placement: str | None = None, terraform_plan: str | None = None,
              tag_key: str = DEFAULT_TAG_KEY, waivers: str | None = None,
              budgets: str | None = None, today: dt.date | None = None,
              fail_on: str = "error") -> CheckResult:
    """Load the estate and its packs, apply the proposed changes, evaluate and judge."""
    today = today or dt.date.today()
    estate = load_estate(config)
    estate_dir = Path(estate.path or config).resolve().parent
    rules = load_packs(estate.policies, estate.path)
    ev = evaluate(rules, estate, today)
    model = CostModel(estate, as_of=today)
    budget_data = load_budgets(file_beside(estate.path, "budgets.yaml", budgets, "--budgets"),
                               estate)
    proposals: list[tuple[str, Proposal]] = []
    if placement:
        proposals.append((placement, read_placement(Path(placement), estate)))
    if terraform_plan:
        proposals.append((terraform_plan,
                          read_terraform_plan(Path(terraform_plan), estate, tag_key)))
    changes = _merge(proposals)
    current = {w.id: w.location for w in estate.workloads}
    proposed = {**current, **{c.workload: c.location for c in changes}}
    findings, evaluated = gate_findings(ev, estate, proposed, costs=model, budgets=budget_data)
    by_id = estate.workload_by_id()
    seen = {f.identity for f in findings}
    for _, prop in proposals:
        for extra in prop.extra:
            more, _ = check_placement(ev, [by_id[extra.workload]],
                                      {extra.workload: extra.location})
            for f in more:
                if f.identity not in seen:
                    seen.add(f.identity)
                    findings.append(f)
    plan_findings = [(f, prop, path) for path, prop in proposals for f in prop.findings]
    baseline: dict[tuple[str, str, str], str | None] | None = None
    resolved: list[Finding] = []
    if proposals:
        before, _ = gate_findings(ev, estate, current, costs=model, budgets=budget_data)
        baseline = {f.identity: f.location for f in before}
        resolved = [f for f in before if f.identity not in seen]
    waiver_path = waivers_file(estate.path, waivers)
    waiver_list = load_waivers(waiver_path, estate, known_rule_ids(rules)) if waiver_path \
        else []
    rule_of = {r.id: r for r in (*rules, *PLAN_RULES, *PLACE_RULES, *WAIVER_RULES)}
    change_of = {c.workload: c for c in changes}

    def place_of_workload(wid: str) -> Place | None:
        w = by_id.get(wid)
        return _place(w.source, estate_dir) if w and w.source else None

    def place_of(f: Finding) -> Place | None:
        """Where a finding points: its workload's definition, or for a finding about a
        location, a supplier or the organisation, that one's."""
        src = subject_source(estate, f.subject) if f.subject else None
        if src is not None:
            return _place(src, estate_dir)
        return place_of_workload(f.workload)

    items: list[Item] = []
    view = waiver_view(waiver_list, findings, today)
    for f in findings:
        item = Item(f, rule_of[f.rule], place_of(f))
        if baseline is not None:
            was = baseline.get(f.identity, "absent")
            item.baseline = "new" if was == "absent" else \
                "unchanged" if was == f.location else "updated"
        change = change_of.get(f.workload)
        if change is not None and change.location == f.location:
            item.related.append((_file_place(change.file, change.line, estate_dir),
                                 f"proposed by {change.origin}"))
        item.waiver = view.waiver_of(f)
        items.append(item)
    for f, prop, path in plan_findings:
        line = next((c.line for c in (*prop.changes, *prop.extra) if c.resource == f.resource),
                    None) or _plan_line(path, f.resource)
        plan_place = _file_place(path, line, estate_dir)
        item = Item(f, rule_of[f.rule], place_of_workload(f.workload) or plan_place,
                    baseline="new")
        item.related.append((plan_place, f.resource or ""))
        items.append(item)
    for waiver, f in view.findings(lambda rule_id: retired_rule(rules, rule_id)):
        place = _place(waiver.source, estate_dir) if waiver.source else None
        items.append(Item(f, rule_of[f.rule], place,
                          baseline="unchanged" if proposals else None))
    items.sort(key=lambda i: (i.finding.sort_key(), i.finding.message))
    unique_fingerprints(items)
    cases = _cases(rules, evaluated, items, place_of_workload, estate, estate_dir)
    assumed = [(n, _place(n.source, estate_dir) if n.source else None)
               for n in notes(ev, estate)]
    return CheckResult(
        estate=estate,
        rules=[*rules, *PLAN_RULES, *PLACE_RULES, *WAIVER_RULES],
        items=items,
        cases=cases,
        resolved=sorted(resolved, key=Finding.sort_key),
        cost=_cost(estate, model, current, proposed, changes),
        proposed_plan=_proposed_plan(estate, model, ev, proposed) if changes else None,
        fail_on=fail_on,
        inputs=[_file_place(path, None, estate_dir) for path, _ in proposals],
        waivers=_file_place(str(waiver_path), None, estate_dir) if waiver_path else None,
        today=today,
        assumptions=assumed,
        notes=[n for _, p in proposals for n in p.notes],
    )


def subject_source(estate: Estate, subject: str) -> SourceRef | None:
    """Where a location, a supplier or the organisation a finding is about is defined."""
    kind, _, name = subject.partition(":")
    if kind == "location":
        loc = estate.location_by_id().get(name)
        return loc.source if loc else None
    if kind == "supplier":
        prov = next((p for p in estate.providers if p.id == name), None)
        if prov is not None:
            return prov.source
        loc = next((x for x in estate.locations if estate.supplier_of(x) == name), None)
        return loc.source if loc else None
    if subject == "organisation":
        return estate.organisation.source or (SourceRef(estate.path, ()) if estate.path
                                              else None)
    return None


def retired_rule(rules: list[Rule], rule_id: str) -> str | None:
    """Why a rule id no loaded pack holds any more, when a pack retired it."""
    for rule in rules:
        info = rule.info
        if info is None:
            continue
        for r in info.retired:
            if r.id == rule_id:
                by = f", replaced by {', '.join(r.replaced_by)}" if r.replaced_by else ""
                return f"rule {rule_id} was retired from pack {info.name} {info.version}{by}"
    return None


def _merge(proposals: list[tuple[str, Proposal]]) -> list[Change]:
    """One change per workload; two inputs that disagree about a workload are an input error."""
    out: dict[str, Change] = {}
    for _, prop in proposals:
        for c in prop.changes:
            if c.workload in out and out[c.workload].location != c.location:
                first = out[c.workload]
                raise InputError(f"{c.origin} puts {c.workload} in {c.location}, but "
                                 f"{first.origin} puts it in {first.location}",
                                 hint="give one location per workload")
            out.setdefault(c.workload, c)
    return [out[k] for k in sorted(out)]


def _cases(rules: list[Rule], evaluated: dict[str, list[tuple[str, str]]], items: list[Item],
           place_of_workload: Callable[[str], Place | None], estate: Estate,
           estate_dir: Path) -> list[Case]:
    by_key: dict[tuple[str, str], list[Item]] = {}
    for i in items:
        by_key.setdefault((i.finding.rule, i.finding.key), []).append(i)
    out: list[Case] = []
    for rule in rules:
        for subject, wid in evaluated.get(rule.id, []):
            src = subject_source(estate, subject)
            place = _place(src, estate_dir) if src else place_of_workload(wid)
            found: list[Item | None] = [*by_key.get((rule.id, subject), [])] or [None]
            out.extend(Case(rule, _case_name(subject, item), place, item) for item in found)
    known = {r.id for r in rules}
    for item in items:
        if item.finding.rule not in known:
            out.append(Case(item.rule, _case_name(item.finding.key, item), item.place, item))
    out.sort(key=lambda c: (c.rule.id, c.subject))
    names: dict[tuple[str, str], int] = {}
    for case in out:  # (suite, classname, name) unique: JUnit readers merge duplicates
        n = names[(case.rule.id, case.subject)] = names.get((case.rule.id, case.subject), 0) + 1
        if n > 1:
            case.subject = f"{case.subject} ({n})"
    return out


def _case_name(subject: str, item: Item | None) -> str:
    detail = item.finding.detail if item is not None else None
    return f"{subject} -> {detail}" if detail else subject


def _proposed_plan(estate: Estate, model: CostModel, ev: Evaluation,
                   proposed: dict[str, str]) -> Plan:
    """The proposal in the plan's shape, so outputs can explain and draw what it moves."""
    from advisor.placement.optimize import given_solution
    from advisor.placement.plan import build_plan

    return build_plan(estate, model, ev, given_solution(estate, model, ev, proposed))


def _cost(estate: Estate, model: CostModel, current: dict[str, str], proposed: dict[str, str],
          changes: list[Change]) -> CostEffect:
    """The monthly cost before and after the change, every line counted (run, licences,
    egress, fixed costs, providers, commitments), and its one-off costs."""
    from advisor.placement.totals import EstateCosts

    totals = EstateCosts(model)
    before, after = totals.costs(current), totals.costs(proposed)
    moved = []
    for c in changes:
        if c.location == current[c.workload]:
            continue
        moved.append(Moved(c.workload, model.workloads[c.workload].application, current[c.workload],
                           c.location, before.workload_monthly(c.workload),
                           after.workload_monthly(c.workload), c.origin))
    return CostEffect(estate.currency, before.monthly, after.monthly,
                      sum(after.one_offs().values(), Decimal(0)), moved)


# --------------------------------------------------------------------------- paths
def display_path(file: str, estate_dir: Path) -> tuple[str, str | None]:
    """(path, base): relative to the current directory when under it, else to the estate."""
    p = Path(file).resolve()
    try:
        return p.relative_to(Path.cwd().resolve()).as_posix(), None
    except ValueError:
        pass
    try:
        return p.relative_to(estate_dir).as_posix(), "ESTATE"
    except ValueError:
        return p.as_posix(), None


def _place(src: SourceRef, estate_dir: Path) -> Place:
    return _file_place(src.file, src.line, estate_dir)


def _file_place(file: str, line: int | None, estate_dir: Path) -> Place:
    path, base = display_path(file, estate_dir)
    return Place(path, line, base)


def _plan_line(path: str, resource: str | None) -> int | None:
    if not resource:
        return None
    from advisor.check.proposals import _address_line, plan_text

    try:
        text = plan_text(Path(path))
    except (OSError, InputError):
        return None
    return _address_line(text, resource)


# --------------------------------------------------------------------------- budgets
def file_beside(estate_path: str | None, name: str, given: str | None,
                option: str) -> Path | None:
    """The file given with ``option``, else ``name`` beside advisor.yaml if it is there."""
    if given:
        path = Path(given)
        if not path.is_file():
            raise InputError(f"{name.split('.')[0]} file not found", file=given,
                             hint=f"check the path given to {option}")
        return path
    if estate_path:
        beside = Path(estate_path).parent / name
        if beside.is_file():
            return beside
    return None


def load_budgets(path: Path | None, estate: Estate) -> Budgets:
    """budgets.yaml: ``budgets: {workloads: {id: amount}, applications: {name: amount}}``,
    monthly amounts in the estate currency."""
    if path is None:
        return Budgets()
    context = {"workloads": estate.workload_by_id(),
               "applications": {w.application: w for w in estate.workloads}}
    doc = validate(BudgetsFile, load_yaml(path, "budgets file"), str(path), context=context)
    out = {"workloads": dict(doc.budgets.workloads),
           "applications": dict(doc.budgets.applications)}
    return Budgets(out["workloads"], out["applications"], str(path))
