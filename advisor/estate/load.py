"""Load and validate the estate files (advisor.yaml, locations, workloads) into an ``Estate``.

Every problem becomes an ``InputError`` naming the file, the line, the bad value and what to do.
"""

from __future__ import annotations

import glob
from decimal import Decimal
from pathlib import Path
from typing import Any

from advisor.errors import InputError
from advisor.estate.model import (
    JURISDICTIONS,
    KNOWN_LABEL_VALUES,
    PROVIDERS,
    Capacity,
    CostMatch,
    Dependency,
    Estate,
    ExchangeRate,
    Location,
    PackRef,
    Prices,
    Resources,
    SourceRef,
    Tco,
    Usage,
    Workload,
)
from advisor.estate.yamlfile import Doc, View, load_yaml, nearest

ESTATE_KEYS = ("version", "name", "currency", "exchange_rates", "inhabitants", "horizon_months",
               "locations", "workloads", "policies", "sources")
LOCATION_KEYS = ("id", "name", "provider", "region", "country", "jurisdiction", "cloud_act",
                 "certifications", "sovereignty_level", "capacity", "prices", "latency_ms", "tco",
                 "encryption_at_rest", "customer_managed_keys", "public_cloud", "labels")
TCO_KEYS = ("hardware_cost", "amortization_months", "power_kw", "power_price_kwh",
            "facilities_monthly", "staff_monthly", "cpu_share")
PRICE_KEYS = ("currency", "cpu_hour", "memory_gb_hour", "storage_gb_month", "egress_gb")
CAPACITY_KEYS = ("cpu", "memory_gb", "storage_gb")
WORKLOAD_KEYS = ("id", "name", "application", "owner", "location", "labels", "resources", "usage",
                 "migration_cost", "pinned", "depends_on", "cost_match")
RESOURCE_KEYS = ("cpu", "memory_gb", "storage_gb")
USAGE_KEYS = ("cpu_p95", "memory_gb_p95")
DEPENDENCY_KEYS = ("workload", "receive_gb_month", "send_gb_month", "colocate", "max_latency_ms")
COST_MATCH_KEYS = ("tags", "resource_id", "account", "namespace")
SOURCE_TYPES = ("focus", "kubernetes", "aws", "azure")
ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/")


def load_estate(path: str | Path) -> Estate:
    """Read advisor.yaml and every file it names; raise InputError on the first problem."""
    main = Path(path)
    if main.is_dir():
        main = main / "advisor.yaml"
    doc = Doc(str(main), "estate file")
    top = View(doc, load_yaml(main, "estate file"))
    top.mapping(ESTATE_KEYS, required=("version", "name", "currency", "locations", "workloads"))
    version = top.integer("version")
    if version != 1:
        raise top.fail(f"unsupported version {version!r}", "this advisor reads version: 1",
                       key="version")
    currency = _currency(top, "currency")
    rates = [_rate(v, currency) for v in top.at("exchange_rates").items()] \
        if top.has("exchange_rates") else []
    seen_rates: dict[tuple[str, Any], int] = {}
    for i, rate in enumerate(rates):
        if (rate.currency, rate.date) in seen_rates:
            raise doc.error(("exchange_rates", i), f"duplicate rate for {rate.currency} on "
                            f"{rate.date}", "keep one rate per currency and date")
        seen_rates[(rate.currency, rate.date)] = i
    base = main.parent
    locations = _load_list(top, "locations", base, _location)
    workloads = _load_list(top, "workloads", base, _workload)
    estate = Estate(
        name=top.str("name"),
        currency=currency,
        locations=locations,
        workloads=workloads,
        exchange_rates=rates,
        inhabitants=top.integer("inhabitants", minimum=1),
        horizon_months=top.integer("horizon_months", default=36, minimum=1) or 36,
        policies=_policies(top, base),
        sources=_sources(top),
        path=str(main),
    )
    check_estate(estate)
    return estate


def check_estate(estate: Estate) -> None:
    """Cross-file checks: unique ids, references that exist, currencies that can be converted."""
    locations: dict[str, Location] = {}
    for loc in estate.locations:
        if loc.id in locations:
            _dup("location", loc.id, locations[loc.id].source, loc.source)
        locations[loc.id] = loc
    if not locations:
        raise InputError("the estate has no locations", file=estate.path,
                         hint="list at least one location in locations.yaml")
    for loc in estate.locations:
        if estate.rate(loc.prices.currency) is None:
            raise _at(loc.source, ("prices", "currency"),
                      f"price currency {loc.prices.currency} has no exchange rate into "
                      f"{estate.currency}",
                      f"add '- {{currency: {loc.prices.currency}, rate: ..., date: YYYY-MM-DD}}' "
                      f"to exchange_rates in {estate.path}")
        for other in loc.latency_ms:
            if other not in locations:
                raise _at(loc.source, ("latency_ms", other), f"unknown location '{other}'",
                          _suggest(other, locations))
    workloads: dict[str, Workload] = {}
    for w in estate.workloads:
        if w.id in workloads:
            _dup("workload", w.id, workloads[w.id].source, w.source)
        workloads[w.id] = w
    for w in estate.workloads:
        if w.location not in locations:
            raise _at(w.source, ("location",), f"unknown location '{w.location}'",
                      _suggest(w.location, locations))
        for i, dep in enumerate(w.depends_on):
            if dep.workload not in workloads:
                raise _at(w.source, ("depends_on", i, "workload"),
                          f"unknown workload '{dep.workload}'", _suggest(dep.workload, workloads))
            if dep.workload == w.id:
                raise _at(w.source, ("depends_on", i, "workload"),
                          f"workload '{w.id}' depends on itself", "remove this dependency")


def _dup(kind: str, ident: str, first: SourceRef | None, second: SourceRef | None) -> None:
    where = f" (first defined at {first.file}:{first.line})" if first else ""
    raise _at(second, ("id",), f"duplicate {kind} id '{ident}'{where}",
              f"give each {kind} a unique id")


def _at(src: SourceRef | None, rest: tuple[str | int, ...], message: str,
        hint: str | None = None) -> InputError:
    if src is None:
        return InputError(message, hint=hint)
    return Doc(src.file, "").error((*src.keypath, *rest), message, hint)


def _suggest(word: str, known: dict[str, Any]) -> str:
    near = nearest(word, known)
    return f"did you mean '{near}'?" if near else "check the id against the defined ones"


def _currency(view: View, key: str) -> str:
    code = view.str(key)
    if len(code) != 3 or not code.isalpha() or not code.isupper():
        raise view.fail(f"invalid currency '{code}'", "use an ISO 4217 code such as EUR or USD",
                        key=key)
    return code


def _rate(v: View, currency: str) -> ExchangeRate:
    v.mapping(("currency", "rate", "date"), required=("currency", "rate", "date"))
    code = _currency(v, "currency")
    if code == currency:
        raise v.fail(f"a rate for the estate currency {currency} itself",
                     "remove it; amounts in the estate currency need no rate", key="currency")
    rate = v.decimal("rate", positive=True)
    assert rate is not None
    return ExchangeRate(code, rate, v.date("date"))


def _load_list(top: View, key: str, base: Path, build: Any) -> list[Any]:
    """A section that is a path, a list of paths/globs, or an inline list of entries."""
    spec = top.value[key]
    if isinstance(spec, str):
        spec = [spec]
    if not isinstance(spec, list):
        raise top.fail(f"expected a file path or a list, got {type(spec).__name__}", key=key)
    out: list[Any] = []
    if spec and all(isinstance(s, dict) for s in spec):
        for item in top.at(key).items():
            out.append(build(item, SourceRef(str(top.doc.file), item.path)))
        return out
    for i, entry in enumerate(spec):
        if not isinstance(entry, str):
            raise top.doc.error((key, i), "expected a file path or glob (or give every entry "
                                "inline as a mapping)")
        pattern = str(base / entry)
        files = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(entry) and \
            not Path(pattern).exists() else [pattern]  # a file named 'glob[1].yaml' is itself
        if not files:
            raise top.doc.error((key, i), f"'{entry}' matches no file",
                                f"files are looked up relative to {base}")
        for file in files:
            out.extend(_load_file(Path(file), key, build))
    return out


def _load_file(path: Path, key: str, build: Any) -> list[Any]:
    doc = Doc(str(path), f"{key} file")
    root = View(doc, load_yaml(path, f"{key} file"))
    root.mapping((key,), required=(key,))
    return [build(item, SourceRef(str(path), item.path)) for item in root.at(key).items()]


def _ident(v: View, key: str = "id") -> str:
    ident = v.str(key)
    if not set(ident) <= ID_CHARS:
        bad = "".join(sorted(set(ident) - ID_CHARS))
        raise v.fail(f"id '{ident}' holds characters {bad!r}",
                     "use letters, digits and - _ . : / only", key=key)
    return ident


def _location(v: View, src: SourceRef) -> Location:
    v.mapping(LOCATION_KEYS, required=("id", "provider", "region", "country", "jurisdiction",
                                       "prices"))
    tco = _tco(v.at("tco")) if v.has("tco") else None
    prices = v.at("prices").mapping(PRICE_KEYS, required=("currency",) if tco else (
        "currency", "cpu_hour", "memory_gb_hour"))
    country = v.str("country")
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        raise v.fail(f"invalid country '{country}'", "use an ISO 3166-1 alpha-2 code such as NL",
                     key="country")
    capacity = None
    if v.has("capacity"):
        c = v.at("capacity").mapping(CAPACITY_KEYS)
        capacity = Capacity(*(c.decimal(k, required=False) for k in CAPACITY_KEYS))
    latency: dict[str, Decimal] = {}
    if v.has("latency_ms"):
        lat = v.at("latency_ms")
        if not isinstance(lat.value, dict):
            raise lat.fail("expected a mapping of location id -> milliseconds")
        for other in lat.value:
            ms = lat.decimal(str(other))
            assert ms is not None
            latency[str(other)] = ms
    ident = _ident(v)
    cpu_hour = prices.decimal("cpu_hour", required=False)
    memory_gb_hour = prices.decimal("memory_gb_hour", required=False)
    if tco and (cpu_hour is None or memory_gb_hour is None):
        if capacity is None or not capacity.cpu or not capacity.memory_gb:
            raise v.fail("tco needs capacity.cpu and capacity.memory_gb to spread the cost over",
                         "add 'capacity: {cpu: CORES, memory_gb: GB}' (what the hardware holds)",
                         key="tco")
        derived = tco.hourly_prices(capacity.cpu, capacity.memory_gb)
        cpu_hour = derived[0] if cpu_hour is None else cpu_hour
        memory_gb_hour = derived[1] if memory_gb_hour is None else memory_gb_hour
    assert cpu_hour is not None and memory_gb_hour is not None
    return Location(
        id=ident,
        name=v.str("name", ident),
        provider=v.choice("provider", PROVIDERS),
        region=v.str("region"),
        country=country,
        jurisdiction=v.choice("jurisdiction", JURISDICTIONS),
        cloud_act=v.boolean("cloud_act", default=False),
        certifications=v.str_list("certifications"),
        sovereignty_level=v.integer("sovereignty_level", minimum=0, maximum=4),
        capacity=capacity,
        prices=Prices(
            currency=_currency(prices, "currency"),
            cpu_hour=cpu_hour,
            memory_gb_hour=memory_gb_hour,
            storage_gb_month=_dec(prices, "storage_gb_month", Decimal(0)),
            egress_gb=_dec(prices, "egress_gb", Decimal(0)),
        ),
        latency_ms=latency,
        source=src,
        tco=tco,
        encryption_at_rest=_opt_bool(v, "encryption_at_rest"),
        customer_managed_keys=_opt_bool(v, "customer_managed_keys"),
        public_cloud=_opt_bool(v, "public_cloud"),
        labels=v.str_map("labels"),
    )


def _opt_bool(v: View, key: str) -> bool | None:
    """An optional true/false: absent means 'not declared' (None), which no rule counts as true."""
    return v.boolean(key) if v.has(key) else None


def _tco(t: View) -> Tco:
    """The hardware's real cost (see ``Tco`` and docs/kubernetes.md for the derivation)."""
    t.mapping(TCO_KEYS, required=("hardware_cost", "amortization_months"))
    share = _dec(t, "cpu_share", Decimal("0.5"))
    if share > 1:
        raise t.fail(f"cpu_share must be between 0 and 1, got {share}",
                     "the part of the cost that CPU carries; memory carries the rest",
                     key="cpu_share")
    months = t.decimal("amortization_months", positive=True)
    assert months is not None
    return Tco(_dec(t, "hardware_cost"), months, _dec(t, "power_kw", Decimal(0)),
               _dec(t, "power_price_kwh", Decimal(0)), _dec(t, "facilities_monthly", Decimal(0)),
               _dec(t, "staff_monthly", Decimal(0)), share)


def _dec(v: View, key: str, default: Decimal | None = None) -> Decimal:
    value = v.decimal(key, default=default)
    assert value is not None
    return value


def _workload(v: View, src: SourceRef) -> Workload:
    v.mapping(WORKLOAD_KEYS, required=("id", "application", "location", "resources"))
    res = v.at("resources").mapping(RESOURCE_KEYS, required=("cpu", "memory_gb"))
    usage = None
    if v.has("usage"):
        u = v.at("usage").mapping(USAGE_KEYS)
        usage = Usage(u.decimal("cpu_p95", required=False),
                      u.decimal("memory_gb_p95", required=False))
    labels = v.str_map("labels")
    for key, allowed in KNOWN_LABEL_VALUES.items():
        if key in labels and labels[key] not in allowed:
            near = nearest(labels[key], allowed)
            hint = (f"did you mean '{near}'? " if near else "") + f"one of: {', '.join(allowed)}"
            raise v.doc.error((*v.path, "labels", key), f"invalid value '{labels[key]}' for "
                              f"label {key}", hint)
    deps = []
    if v.has("depends_on"):
        for d in v.at("depends_on").items():
            if isinstance(d.value, str):
                deps.append(Dependency(workload=d.value))
                continue
            d.mapping(DEPENDENCY_KEYS, required=("workload",))
            deps.append(Dependency(
                workload=d.str("workload"),
                receive_gb_month=_dec(d, "receive_gb_month", Decimal(0)),
                send_gb_month=_dec(d, "send_gb_month", Decimal(0)),
                colocate=d.boolean("colocate", default=False),
                max_latency_ms=d.decimal("max_latency_ms", required=False),
            ))
    match = None
    if v.has("cost_match"):
        m = v.at("cost_match").mapping(COST_MATCH_KEYS)
        match = CostMatch(
            tags=tuple(sorted(m.str_map("tags").items())),
            resource_id=m.str_list("resource_id"),
            account=m.str_list("account"),
            namespace=m.str_list("namespace"),
        )
    ident = _ident(v)
    return Workload(
        id=ident,
        name=v.str("name", ident),
        application=v.str("application"),
        owner=v.str("owner", "") if v.has("owner") else "",
        location=v.str("location"),
        resources=Resources(_dec(res, "cpu"), _dec(res, "memory_gb"),
                            _dec(res, "storage_gb", Decimal(0))),
        labels=labels,
        usage=usage,
        migration_cost=v.decimal("migration_cost", required=False),
        pinned=v.boolean("pinned", default=False),
        depends_on=tuple(deps),
        cost_match=match,
        source=src,
    )


def _policies(top: View, base: Path) -> list[PackRef]:
    if not top.has("policies"):
        return []
    refs = []
    for i, name in enumerate(top.str_list("policies")):
        src = SourceRef(str(top.doc.file), ("policies", i))
        if name.startswith("builtin:"):
            refs.append(PackRef(name, None, src))
        else:
            refs.append(PackRef(name, str(base / name), src))
    return refs


def _sources(top: View) -> list[dict[str, Any]]:
    if not top.has("sources"):
        return []
    out = []
    for item in top.at("sources").items():
        if not isinstance(item.value, dict):
            raise item.fail("expected a mapping with a 'type' key")
        item.choice("type", SOURCE_TYPES)
        out.append(dict(item.value, _keypath=item.path, _file=top.doc.file))
    return out
