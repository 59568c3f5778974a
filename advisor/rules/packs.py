"""Loading policy packs: each pack checked against its format (``advisor.rules.pack_file``), every
problem named with its file and line; duplicate rule ids across packs are errors too."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from advisor.errors import InputError, PolicyError, collect
from advisor.estate.formats import what_file
from advisor.estate.formats.base import validate
from advisor.estate.model import PackRef, SourceRef
from advisor.estate.yamlfile import Doc, load_yaml, nearest, parse_yaml
from advisor.rules.contradictions import static_contradictions
from advisor.rules.core import Budget, Flow, LabelMapping, PackInfo, Rule, Selector, UsageBelow
from advisor.rules.pack_file import PackFile, RuleEntry


def builtin_names() -> list[str]:
    root = resources.files("advisor.policies")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def builtin_file(name: str) -> str:
    return str(Path(str(resources.files("advisor.policies"))) / f"{name}.yaml")


def load_builtin(name: str) -> list[Rule]:
    text = resources.files("advisor.policies").joinpath(f"{name}.yaml").read_text("utf-8")
    file = builtin_file(name)
    return parse_pack(parse_yaml(text, file, "policy pack"), file, builtin=True)


def load_packs(refs: Sequence[PackRef], estate_file: str | None = None) -> list[Rule]:
    """Every rule of every pack named in advisor.yaml; duplicate rule ids are an error, and so
    are built-in rules that contradict each other. Every problem of every pack is reported."""
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    problems: list[InputError] = []
    for ref in refs:
        try:
            pack = load_pack_ref(ref, estate_file)
        except InputError as exc:
            problems.append(exc)
            continue
        for rule in pack:
            try:
                check_duplicate(rule, seen)
            except InputError as exc:
                problems.append(exc)
                continue
            rules.append(rule)
    collect(problems)
    builtin = [r for r in rules if r.info is not None and r.info.builtin]
    check_contradictions(builtin)
    return rules


def check_contradictions(rules: Sequence[Rule]) -> None:
    """Built-in rules must never contradict each other: a PolicyError (exit 2) for each pair
    that no location can satisfy for the workloads both select."""
    problems: list[InputError] = []
    for c in static_contradictions(rules):
        problems.append(_rule_error(c.second, ("require",), c.text(),
                                    "built-in packs must not contradict each other: fix the "
                                    "pack (this is a defect of the advisor)"))
    collect(problems)


def check_duplicate(rule: Rule, seen: dict[str, Rule]) -> None:
    if rule.id in seen:
        first = seen[rule.id]
        where = f"{first.source.file}:{first.source.line}" if first.source else first.pack
        raise _rule_error(rule, ("id",), f"duplicate rule id '{rule.id}' (also in {where})",
                          "give every rule a unique id")
    seen[rule.id] = rule


def load_pack_ref(ref: PackRef, estate_file: str | None = None) -> list[Rule]:
    if ref.path is None:
        name = ref.name.split(":", 1)[1]
        known = builtin_names()
        if name not in known:
            near = nearest(name, known)
            hint = (f"did you mean 'builtin:{near}'? " if near else "") + \
                "built-in packs: " + ", ".join(f"builtin:{k}" for k in known)
            line = ref.source.line if ref.source else None
            raise InputError(f"unknown built-in policy pack '{ref.name}'",
                             file=ref.source.file if ref.source else estate_file, line=line,
                             hint=hint)
        return load_builtin(name)
    return load_pack_file(Path(ref.path))


def load_pack_file(path: Path) -> list[Rule]:
    return parse_pack(load_yaml(path, "policy pack"), str(path))


def parse_pack(data: Any, file: str, *, builtin: bool = False) -> list[Rule]:
    """The rules of a pack read from ``file``; InputErrors with every problem of the file. A
    built-in pack whose rules contradict each other is an error too."""
    other = what_file(data, "pack")
    if other:
        raise InputError(f"this is {other}, not a policy pack", file=file,
                         hint="check an estate and everything it names with `advisor validate "
                              "-c advisor.yaml`")
    pack = validate(PackFile, data, file)
    mappings = tuple(LabelMapping(m.source, m.target, tuple(sorted(m.values.items())),
                                  SourceRef(file, ("label_mappings", i)))
                     for i, m in enumerate(pack.label_mappings))
    info = PackInfo(pack.pack, pack.title or "", pack.version or "", pack.reviewed,
                    tuple(ref.items() for ref in pack.sources),
                    tuple(r.to_retired() for r in pack.retired), file, builtin)
    rules = [_rule(entry, pack.pack, SourceRef(file, ("rules", i)), mappings, info)
             for i, entry in enumerate(pack.rules)]
    if builtin:
        check_contradictions(rules)
    return rules


def _rule(r: RuleEntry, pack: str, source: SourceRef,
          mappings: tuple[LabelMapping, ...], info: PackInfo) -> Rule:
    budget = Budget(r.budget.per, r.budget.label or "budget_monthly") if r.budget else None
    usage = UsageBelow(r.usage_below.cpu, r.usage_below.memory) if r.usage_below else None
    return Rule(
        id=r.id,
        title=r.title,
        severity=r.severity,
        pack=pack,
        rationale=r.rationale or "",
        remediation=r.remediation or "",
        references=tuple(ref.items() for ref in r.references),
        when=r.when.to_selector() if r.when else Selector(),
        require=r.require.clauses() if r.require else (),
        penalty_monthly=r.penalty_monthly,
        tags=r.tags,
        source=source,
        where=r.where.clauses() if r.where else (),
        require_labels=tuple(x.to_requirement() for x in r.require_labels or ()),
        flow=Flow(r.flow.require.clauses(), r.flow.min_gb_month) if r.flow else None,
        budget=budget,
        usage_below=usage,
        mappings=mappings,
        basis=r.basis,
        per=r.per,
        covered_by=r.covered_by,
        require_organisation=r.require_organisation or (),
        info=info,
    )


def _rule_error(rule: Rule, rest: tuple[str, ...], message: str, hint: str) -> PolicyError:
    if rule.source is None:
        return PolicyError(message, hint=hint)
    err = Doc(rule.source.file, "").error((*rule.source.keypath, *rest), message, hint)
    return PolicyError(err.bare_message, file=err.file, line=err.line, hint=hint)
