"""Cross-file checks of the estate's economics: providers, commitments, licences, traffic
prices and the prices a workload needs where it runs today. Every problem names the file, the
line, the bad value and what to do; ``warnings`` are things that do not stop a run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.errors import InputError
from advisor.estate.model import PROVIDERS, Estate, Location, SourceRef, Workload
from advisor.estate.yamlfile import Doc

Suggest = Callable[[str, dict[str, Any]], str]


def cost_problems(estate: Estate, locations: dict[str, Location],
                  workloads: dict[str, Workload], suggest: Suggest) -> list[InputError]:
    """Every problem of the estate's economic keys (see the module docstring)."""
    out: list[InputError] = []
    for loc in estate.locations:
        for other in loc.prices.egress_gb_to:
            if other not in locations:
                out.append(at(loc.source, ("prices", "egress_gb_to", other),
                              f"unknown location '{other}'", suggest(other, locations)))
    out += _providers(estate, locations, suggest)
    provider_ids = {**{p.id: p.id for p in estate.providers},
                    **{v: v for v in estate.provider_ids().values()}}
    out += _unique(estate.commitments, "commitment")
    for c in estate.commitments:
        if c.location is not None and c.location not in locations:
            out.append(at(c.source, ("location",), f"unknown location '{c.location}'",
                          suggest(c.location, locations)))
        elif c.location is not None and locations[c.location].saas:
            out.append(at(c.source, ("location",), f"a reservation at '{c.location}', a SaaS "
                          "location", "reserve capacity at a location the advice can place "
                          "workloads in; a SaaS subscription is the location's fixed_monthly"))
        if c.provider is not None and c.provider not in provider_ids:
            out.append(at(c.source, ("provider",), f"unknown provider '{c.provider}'",
                          "no location has this provider: " + suggest(c.provider,
                                                                        provider_ids)))
        out += _rate(estate, c.currency, c.source)
    out += _unique(estate.licences, "licence")
    licence_ids = {lic.id: lic for lic in estate.licences}
    keys = {"default": 1, **locations, **provider_ids}
    for lic in estate.licences:
        for key in lic.monthly_per_vcpu:
            if key not in keys:
                out.append(at(lic.source, ("monthly_per_vcpu", key),
                              f"'{key}' is not a location, a provider or default",
                              suggest(key, keys)))
        out += _rate(estate, lic.currency, lic.source)
    provider_of = estate.provider_ids()
    for w in estate.workloads:
        for i, name in enumerate(w.licences):
            if name not in licence_ids:
                out.append(at(w.source, ("licences", i), f"unknown licence '{name}'",
                              suggest(name, licence_ids) if licence_ids else
                              "define it under licences: in advisor.yaml"))
        here = locations.get(w.location)
        if here is None or here.saas:
            continue
        for cls, gb in w.resources.storage():
            if gb and here.prices.storage_price(cls) is None:
                out.append(at(w.source, ("resources",),
                              f"{w.id} uses {cls} storage, but its location {here.id} has no "
                              f"{cls} storage price",
                              f"add {cls} to prices.storage_gb_month of {here.id}"))
        for name in w.licences:
            known = licence_ids.get(name)
            if known is not None and known.price_at(here.id, provider_of[here.id]) is None:
                out.append(at(w.source, ("licences",),
                              f"licence '{name}' has no price at {here.id}, where {w.id} runs",
                              f"add '{here.id}' or 'default' to monthly_per_vcpu of {name}"))
    return out


def _providers(estate: Estate, locations: dict[str, Location],
               suggest: Suggest) -> list[InputError]:
    out = _unique(estate.providers, "provider")
    owner: dict[str, str] = {}
    for p in estate.providers:
        if p.id in PROVIDERS and p.locations:
            out.append(at(p.source, ("locations",), f"provider '{p.id}' is named after a kind of "
                          "location, so it covers every location of that kind",
                          "remove locations:, or give the provider an id of its own"))
        elif p.id not in PROVIDERS and not p.locations and \
                not any(loc.supplier == p.id for loc in locations.values()):
            out.append(at(p.source, ("id",), f"provider '{p.id}' runs no location",
                          f"list its locations (locations: [...]), name it as a location's "
                          f"supplier, or use one of: {', '.join(PROVIDERS)}"))
        for i, loc_id in enumerate(p.locations):
            if loc_id not in locations:
                out.append(at(p.source, ("locations", i), f"unknown location '{loc_id}'",
                              suggest(loc_id, locations)))
            elif loc_id in owner:
                out.append(at(p.source, ("locations", i), f"location '{loc_id}' is listed by "
                              f"provider '{owner[loc_id]}' too", "list it under one provider"))
            else:
                owner[loc_id] = p.id
        out += _rate(estate, p.currency, p.source)
    return out


def _unique(items: list[Any], what: str) -> list[InputError]:
    seen: dict[str, Any] = {}
    out = []
    for item in items:
        if item.id in seen:
            first = seen[item.id].source
            where = f" (first defined at {first.file}:{first.line})" if first else ""
            out.append(at(item.source, ("id",), f"duplicate {what} id '{item.id}'{where}",
                          f"give each {what} a unique id"))
        else:
            seen[item.id] = item
    return out


def _rate(estate: Estate, currency: str | None, src: SourceRef | None) -> list[InputError]:
    if currency is None or estate.rate(currency) is not None:
        return []
    return [at(src, ("currency",), f"currency {currency} has no exchange rate into "
               f"{estate.currency}", f"add '- {{currency: {currency}, rate: ..., date: "
               f"YYYY-MM-DD}}' to exchange_rates in {estate.path}")]


def at(src: SourceRef | None, rest: tuple[str | int, ...], message: str,
       hint: str | None = None) -> InputError:
    """An input error at a key below the entry ``src`` points at."""
    if src is None:
        return InputError(message, hint=hint)
    return Doc(src.file).error((*src.keypath, *rest), message, hint)


def warnings(estate: Estate) -> list[str]:
    """What does not stop a run but should be fixed: a closable location holding pinned
    workloads (it stays open)."""
    out = []
    pinned: dict[str, list[str]] = {}
    for w in estate.workloads:
        if w.pinned:
            pinned.setdefault(w.location, []).append(w.id)
    for loc in estate.locations:
        if loc.can_close and loc.id in pinned:
            names = sorted(pinned[loc.id])
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3
                                            else "")
            where = ""
            if loc.source is not None:
                line = loc.source.line
                where = f"{loc.source.file}:{line}: " if line else f"{loc.source.file}: "
            out.append(f"{where}{loc.id} has can_close: true but holds pinned workloads "
                       f"({shown}): it stays open; unpin them or remove can_close")
    return out
