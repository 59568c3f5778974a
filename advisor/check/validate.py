"""``advisor validate``: an estate and everything it names checked against their formats, without
solving: advisor.yaml, the locations and workloads files, every source's settings, the policy
packs, and the waivers, budgets and placement files. Every problem found is collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.errors import InputError, InputErrors


@dataclass
class Validation:
    """What was checked, and every problem found (in the order the files were read)."""

    estate: str
    problems: list[InputError] = field(default_factory=list)
    checked: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, exc: InputError) -> None:
        self.problems.extend(exc.problems if isinstance(exc, InputErrors) else [exc])

    def summary(self) -> str:
        """One line for a valid estate."""
        c = self.checked
        parts = [_count(c["locations"], "location"), _count(c["workloads"], "workload"),
                 _count(c["sources"], "source"),
                 f"{_count(c['packs'], 'pack')} ({_count(c['rules'], 'rule')})"]
        parts += [_count(c[key]["count"], what) for key, what in (
            ("waivers", "waiver"), ("budgets", "budget"), ("placement", "placed workload"))
            if c.get(key)]
        return f"valid: {c['name']}: " + ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "estate": self.estate, "checked": self.checked,
                "problems": [p.as_dict() for p in self.problems], "notes": self.notes}


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def validate_estate(config: Path, *, waivers: str | None = None, budgets: str | None = None,
                    placement: str | None = None) -> Validation:
    """Check the estate at ``config`` and every file it names; never raises InputError."""
    from advisor.check.gate import file_beside, load_budgets
    from advisor.check.proposals import read_placement
    from advisor.check.waivers import load_waivers, waivers_file
    from advisor.estate.load import load_estate
    from advisor.rules import known_rule_ids, load_packs

    out = Validation(str(config))
    try:
        estate = load_estate(config)
    except InputError as exc:
        out.add(exc)
        return out
    from advisor.estate.cost_checks import warnings

    out.notes.extend(warnings(estate))
    out.checked = {"name": estate.name, "locations": len(estate.locations),
                   "workloads": len(estate.workloads), "sources": len(estate.sources),
                   "packs": len(estate.policies), "rules": 0}
    rule_ids: list[str] | None = None
    try:
        rules = load_packs(estate.policies, estate.path)
        rule_ids = known_rule_ids(rules)
        out.checked["rules"] = len(rules)
    except InputError as exc:
        out.add(exc)
    try:
        path = waivers_file(estate.path, waivers)
        if path is not None:
            if rule_ids is None:
                out.notes.append(f"{path}: rule ids not checked (a pack has problems)")
            found = load_waivers(path, estate, rule_ids)
            out.checked["waivers"] = {"file": str(path), "count": len(found)}
    except InputError as exc:
        out.add(exc)
    try:
        path = file_beside(estate.path, "budgets.yaml", budgets, "--budgets")
        if path is not None:
            got = load_budgets(path, estate)
            out.checked["budgets"] = {"file": str(path), "count": len(got.workloads)
                                      + len(got.applications)}
    except InputError as exc:
        out.add(exc)
    if placement:
        try:
            prop = read_placement(Path(placement), estate)
            out.checked["placement"] = {"file": placement, "count": len(prop.changes)}
        except InputError as exc:
            out.add(exc)
    return out
