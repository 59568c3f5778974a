"""Load and validate the estate files (advisor.yaml, locations, workloads) into an ``Estate``.

The formats are defined once in ``advisor.estate.formats`` (the published JSON Schemas come from
the same definitions). Every problem becomes an ``InputError`` naming the file, the line, the bad
value and what to do; all problems of the files are reported together, in file order.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advisor.errors import SHOWN_ERRORS, InputError, collect
from advisor.estate.cost_checks import at as _at
from advisor.estate.cost_checks import cost_problems
from advisor.estate.formats import what_file
from advisor.estate.formats.advisor_file import AdvisorFile
from advisor.estate.formats.base import Format, validate
from advisor.estate.formats.locations_file import LocationEntry, LocationsFile
from advisor.estate.formats.scenarios_file import ScenarioEntry, ScenariosFile
from advisor.estate.formats.workloads_file import WorkloadEntry, WorkloadsFile
from advisor.estate.model import (
    TARGET_ATTRIBUTES,
    Estate,
    ExchangeRate,
    Location,
    Migration,
    Organisation,
    PackRef,
    Provider,
    SourceRef,
    Workload,
)
from advisor.estate.scenario import Scenario
from advisor.estate.scenario import problems as scenario_problems
from advisor.estate.sources import KubernetesSettings
from advisor.estate.yamlfile import Doc, load_yaml, nearest


def load_estate(path: str | Path) -> Estate:
    """Read advisor.yaml and every file it names; raise InputError(s) for what is wrong."""
    main = Path(path)
    if main.is_dir():
        main = main / "advisor.yaml"
    file = str(main)
    top = validate(AdvisorFile, _read(main, "estate"), file, context={"base": main.parent})
    problems: list[InputError] = []
    providers = [p.to_provider(SourceRef(file, ("providers", i)))
                 for i, p in enumerate(top.providers)]

    def file_providers(doc: Any, name: str) -> None:
        providers.extend(p.to_provider(SourceRef(name, ("providers", i)))
                         for i, p in enumerate(doc.providers))

    locations = _section(top.locations, "locations", LocationsFile, main,
                         LocationEntry.to_location, problems, file_providers)
    workloads = _section(top.workloads, "workloads", WorkloadsFile, main,
                         WorkloadEntry.to_workload, problems)
    scenarios = _section(top.scenarios, "scenarios", ScenariosFile, main,
                         ScenarioEntry.to_scenario, problems) if top.scenarios else []
    collect(problems)
    organisation = top.organisation.to_organisation(SourceRef(file, ("organisation",))) \
        if top.organisation else Organisation()
    estate = Estate(
        name=top.name,
        currency=top.currency,
        locations=locations,
        workloads=workloads,
        exchange_rates=[ExchangeRate(r.currency, r.rate, r.date) for r in top.exchange_rates],
        inhabitants=top.inhabitants,
        horizon_months=top.horizon_months,
        policies=[PackRef(name, None if name.startswith("builtin:") else str(main.parent / name),
                          SourceRef(file, ("policies", i)))
                  for i, name in enumerate(top.policies)],
        sources=[s.located(SourceRef(file, ("sources", i))) for i, s in enumerate(top.sources)],
        path=file,
        providers=providers,
        commitments=[c.to_commitment(SourceRef(file, ("commitments", i)))
                     for i, c in enumerate(top.commitments)],
        licences=[c.to_licence(SourceRef(file, ("licences", i)))
                  for i, c in enumerate(top.licences)],
        other_it_monthly=top.other_it_monthly,
        it_benchmark=top.it_benchmark.to_benchmark() if top.it_benchmark else None,
        organisation=organisation,
        deprecations=[(f"{loc.id}: {key} is deprecated, read as "
                       + (f"seal {loc.seal} (EU Cloud Sovereignty Framework SEAL)"
                          if key == "sovereignty_level" else f"key_custody {loc.custody()}")
                       + "; write that instead", SourceRef(loc.source.file,
                                                           (*loc.source.keypath, key))
                       if loc.source else None)
                      for loc in locations for key in loc.deprecated],
        scenarios=scenarios,
        targets=[t.to_target(SourceRef(file, ("targets", i)))
                 for i, t in enumerate(top.targets)],
        migration=top.migration.to_migration(SourceRef(file, ("migration",)))
        if top.migration else Migration(),
    )
    check_estate(estate)
    collect(scenario_problems(estate, scenarios))
    return estate


def load_scenarios(path: str | Path, estate: Estate) -> list[Scenario]:
    """The scenarios of a scenarios file, checked against the estate (unknown locations and
    providers are errors with the file and line)."""
    file = str(path)
    doc = validate(ScenariosFile, _read(Path(path), "scenarios"), file)
    scenarios = [s.to_scenario(SourceRef(file, ("scenarios", i)))
                 for i, s in enumerate(doc.scenarios)]
    collect(scenario_problems(estate, scenarios))
    return scenarios


def _section(spec: list[Any] | tuple[str, ...], key: str, model: type[Format], main: Path,
             build: Callable[[Any, SourceRef], Any], problems: list[InputError],
             each_file: Callable[[Any, str], None] | None = None) -> list[Any]:
    """The entries of a section: inline in advisor.yaml, or read from the files and globs it
    names (relative to advisor.yaml). Problems are added to ``problems``; ``each_file`` sees
    every file's validated document (for what a file holds besides the section)."""
    if isinstance(spec, list):
        return [build(entry, SourceRef(str(main), (key, i))) for i, entry in enumerate(spec)]
    base = main.parent
    out: list[Any] = []
    for i, entry in enumerate(spec):
        pattern = str(base / entry)
        files = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(entry) and \
            not Path(pattern).exists() else [pattern]  # a file named 'glob[1].yaml' is itself
        if not files:
            problems.append(Doc(str(main)).error((key, i), f"'{entry}' matches no file",
                                                 f"files are looked up relative to {base}"))
        for name in files:
            try:
                doc = validate(model, _read(Path(name), key), name)
            except InputError as exc:
                problems.append(exc)
                continue
            out.extend(build(item, SourceRef(name, (key, j)))
                       for j, item in enumerate(getattr(doc, key)))
            if each_file is not None:
                each_file(doc, name)
    return out


def _read(path: Path, kind: str) -> Any:
    """A file's YAML data; a file of another kind (a pack given as the estate, the locations
    file as the workloads file) is named as such rather than picked apart key by key."""
    what = "estate file" if kind == "estate" else f"{kind} file"
    data = load_yaml(path, what)
    other = what_file(data, kind)
    if other:
        raise InputError(f"this is {other}, not {'an' if kind == 'estate' else 'a'} {what}",
                         file=str(path), hint="check the path"
                         + (" in advisor.yaml" if kind != "estate" else ""))
    return data


def check_estate(estate: Estate) -> None:
    """Cross-file checks: unique ids, references that exist, currencies that can be converted.
    Every problem found is reported (the nearest known id suggested for the first ones)."""
    problems: list[InputError] = []
    budget = [SHOWN_ERRORS]

    def _suggest(word: str, known: dict[str, Any]) -> str:
        budget[0] -= 1
        near = nearest(word, known) if budget[0] >= 0 else None
        return f"did you mean '{near}'?" if near else "check the id against the defined ones"

    locations: dict[str, Location] = _by_id(estate.locations, "location", problems)
    if not locations:
        problems.append(InputError("the estate has no locations", file=estate.path,
                                   hint="list at least one location in locations.yaml"))
    providers: dict[str, Provider] = _by_id(estate.providers, "provider", problems)
    listed: dict[str, Provider] = {}
    for prov in estate.providers:
        for j, lid in enumerate(prov.locations):
            loc_ = locations.get(lid)
            if loc_ is None:
                problems.append(_at(prov.source, ("locations", j), f"unknown location '{lid}'",
                                    _suggest(lid, locations)))
            elif lid in listed:
                problems.append(_at(prov.source, ("locations", j),
                                    f"location '{lid}' is already listed by provider "
                                    f"{listed[lid].id}", "list every location under one provider"))
            elif loc_.supplier is not None and loc_.supplier != prov.id:
                problems.append(_at(prov.source, ("locations", j),
                                    f"location '{lid}' names supplier {loc_.supplier}",
                                    f"remove it here or change its supplier to {prov.id}"))
            else:
                listed[lid] = prov
    for prov in estate.providers:
        for i, ev in enumerate(prov.assurance):
            for j, lid in enumerate(ev.locations):
                if lid not in locations:
                    problems.append(_at(prov.source, ("assurance", i, "locations", j),
                                        f"unknown location '{lid}'", _suggest(lid, locations)))
                elif estate.provider_of(locations[lid]) is not prov:
                    problems.append(_at(prov.source, ("assurance", i, "locations", j),
                                        f"location '{lid}' is not one of provider {prov.id}'s",
                                        f"list it in the provider's locations (or give it "
                                        f"'supplier: {prov.id}'), or remove it here"))
    for loc in estate.locations:
        if loc.supplier is not None and loc.supplier not in providers:
            problems.append(_at(loc.source, ("supplier",), f"unknown provider '{loc.supplier}'",
                                _suggest(loc.supplier, providers) if providers else
                                "define it under 'providers:' in the locations file"))
        if estate.rate(loc.prices.currency) is None:
            problems.append(_at(loc.source, ("prices", "currency"),
                                f"price currency {loc.prices.currency} has no exchange rate into "
                                f"{estate.currency}",
                                f"add '- {{currency: {loc.prices.currency}, rate: ..., date: "
                                f"YYYY-MM-DD}}' to exchange_rates in {estate.path}"))
        for other in loc.latency_ms:
            if other not in locations:
                problems.append(_at(loc.source, ("latency_ms", other),
                                    f"unknown location '{other}'", _suggest(other, locations)))
    workloads: dict[str, Workload] = {}
    for w in estate.workloads:
        if w.id in workloads:
            problems.append(_dup("workload", w.id, workloads[w.id].source, w.source))
        else:
            workloads[w.id] = w
    for w in estate.workloads:
        if w.location not in locations:
            problems.append(_at(w.source, ("location",), f"unknown location '{w.location}'",
                                _suggest(w.location, locations)))
        for i, dep in enumerate(w.depends_on):
            if dep.workload not in workloads:
                problems.append(_at(w.source, ("depends_on", i, "workload"),
                                    f"unknown workload '{dep.workload}'",
                                    _suggest(dep.workload, workloads)))
            elif dep.workload == w.id:
                problems.append(_at(w.source, ("depends_on", i, "workload"),
                                    f"workload '{w.id}' depends on itself",
                                    "remove this dependency"))
        if len(problems) > 1000:  # enough to fix first; the count would only grow
            break
    for t in estate.targets:
        for key in t.where:
            if key not in TARGET_ATTRIBUTES:
                problems.append(_at(t.source, ("share_of_cloud_spend", key),
                                    f"unknown location attribute '{key}'",
                                    "one of: " + ", ".join(TARGET_ATTRIBUTES)))
    for i, pair in enumerate(estate.migration.pairs):
        for key, loc_id in zip(("from", "to"), pair, strict=True):
            if locations and loc_id not in locations:
                problems.append(_at(estate.migration.source, ("bandwidth", i, key),
                                    f"unknown location '{loc_id}'", _suggest(loc_id, locations)))
    for s in estate.sources:
        if isinstance(s, KubernetesSettings) and locations and s.location not in locations:
            problems.append(_at(s.source, ("location",), f"unknown location '{s.location}'",
                                _suggest(s.location, locations)))
    if len(problems) <= 1000:
        problems += cost_problems(estate, locations, workloads, _suggest)
    collect(problems)


def _dup(kind: str, ident: str, first: SourceRef | None, second: SourceRef | None) -> InputError:
    where = f" (first defined at {first.file}:{first.line})" if first else ""
    return _at(second, ("id",), f"duplicate {kind} id '{ident}'{where}",
               f"give each {kind} a unique id")


def _by_id(items: list[Any], kind: str, problems: list[InputError]) -> dict[str, Any]:
    """Each item by its id, the first of each; a repeated id is a problem naming both places."""
    out: dict[str, Any] = {}
    for item in items:
        if item.id in out:
            problems.append(_dup(kind, item.id, out[item.id].source, item.source))
        else:
            out[item.id] = item
    return out
