"""The ledger's queries, written once for every engine.

The SQL here is written in DuckDB's dialect. DuckDB runs it as written; a cluster engine
(``advisor.ledger.spark``) runs it transpiled by SQLGlot into its own dialect. What differs
between engines is small and lives in the engine (``advisor.ledger.engine.Engine``): how a
source is read (the relation), how Tags are picked apart, how a small table is uploaded and a
temporary table kept. Everything that decides a figure is here: the scan aggregate, the checks,
the attribution and the report's sums.

Attribution precedence (the first rule kind that matches a row wins; within a kind, the rule
order below):

1. ``resource_id``: exact ids first, then globs in workload order;
2. ``namespace``: the row's Kubernetes namespace (an ``x_...Namespace`` column, else one of the
   tags ``aws:eks:namespace``, ``kubernetes.io/namespace``, ``k8s-namespace``, ``namespace``);
3. ``tags``: every listed tag must be equal; rules with more tags first, then workload order;
4. ``account``: the row's SubAccountId (BillingAccountId where it has none), exact then globs.

Two workloads claiming the same exact value of the same kind is an error, not a coin toss.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from advisor.errors import InputError
from advisor.estate.model import SourceRef, Workload
from advisor.ledger.focus import normalise_columns

DECIMAL = "DECIMAL(38, 18)"
NAMESPACE_TAGS = ("aws:eks:namespace", "kubernetes.io/namespace", "k8s-namespace", "namespace")
NAMESPACE_COLUMNS = ("x_namespace", "x_kubernetesnamespace", "x_k8snamespace")
BASE_KEYS = ("_file", "provider", "bps", "currency")
COUNTS = ("n", "n_cost", "n_num", "n_bad")  # line items; with a cost; a number; bad Tags
# A source may be narrowed to part of a shared table: filter key -> the FOCUS column it tests.
FILTER_COLUMNS = {"billing_account": "BillingAccountId", "sub_account": "SubAccountId"}
_GLOB = re.compile(r"[*?\[]")


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """Quote a string literal."""
    return "'" + value.replace("'", "''") + "'"


def type_kind(sql_type: str) -> str:
    """A column type in any engine's spelling -> text, time, number, map or other."""
    t = sql_type.strip().lower()
    if t.startswith(("timestamp", "date")):
        return "time"
    if t.startswith("map"):
        return "map"
    if t in ("varchar", "string", "json", "text") or t.startswith(("varchar", "char")):
        return "text"
    if t.startswith(("decimal", "numeric", "double", "float", "real", "int", "bigint",
                     "smallint", "tinyint", "hugeint", "ubigint", "uinteger", "long", "short",
                     "byte")):
        return "number"
    return "other"


class Layout:
    """One source's columns (canonical FOCUS name -> its own spelling) and their types."""

    def __init__(self, origin: str, names: Sequence[str], types: Sequence[str],
                 kind: str = "file") -> None:
        self.origin = origin
        self.names = list(names)
        self.types = dict(zip(names, types, strict=True))
        self.cols, missing = normalise_columns(names)
        if missing:
            raise InputError(
                f"not a FOCUS {kind}: missing mandatory column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}", file=origin,
                hint="export FOCUS 1.0-1.3 (AWS Data Exports 'FOCUS', Azure 'FocusCost')")
        self.lower = {n.lower(): n for n in names}

    def key(self) -> tuple[Any, ...]:
        return (tuple(self.names), tuple(self.types[n] for n in self.names))

    def col(self, canonical: str) -> str | None:
        return self.cols.get(canonical)

    def kind(self, name: str) -> str:
        return type_kind(self.types[name])


def glob_regex(pattern: str) -> str:
    """A glob (``*``, ``?``, ``[...]``, ``[!...]``) as an anchored regular expression that RE2
    (DuckDB) and Java (Spark) read alike."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            neg = body.startswith("!")
            body = body[1:] if neg else body
            inner = "".join(ch if ch.isalnum() or ch == "-" else "\\" + ch for ch in body)
            out.append("[" + ("^" if neg else "") + inner + "]")
            i = end
        else:
            out.append(c if c.isalnum() or c in "_ " else "\\" + c)
        i += 1
    out.append("$")
    return "".join(out)


class Rules:
    """The workloads' cost_match rules as small tables and one COALESCE in precedence order."""

    def __init__(self, workloads: Sequence[Workload]) -> None:
        self.tables: dict[str, tuple[list[str], list[list[str]]]] = {}
        self.terms: list[str] = []
        self.joins: list[str] = []
        self.tag_keys: list[str] = []
        exact: dict[str, dict[str, tuple[str, SourceRef | None]]] = {
            "resource_id": {}, "namespace": {}, "account": {}}
        globs: dict[str, list[tuple[str, str]]] = {"resource_id": [], "namespace": [],
                                                   "account": []}
        tag_groups: dict[tuple[str, ...], dict[tuple[str, ...], tuple[str, Any]]] = {}
        for w in workloads:
            m = w.cost_match
            if m is None:
                continue
            for kind, values in (("resource_id", m.resource_id), ("namespace", m.namespace),
                                 ("account", m.account)):
                for value in values:
                    if _GLOB.search(value):
                        if value not in [g for g, _ in globs[kind]]:
                            globs[kind].append((value, w.id))
                        continue
                    _claim(exact[kind], value, w, kind)
            if m.tags:
                keys = tuple(k for k, _ in m.tags)
                _claim(tag_groups.setdefault(keys, {}), tuple(v for _, v in m.tags), w, "tags")
        self.need_resource = bool(exact["resource_id"] or globs["resource_id"])
        self.need_namespace = bool(exact["namespace"] or globs["namespace"])
        self.need_account = bool(exact["account"] or globs["account"])
        if self.need_namespace:
            self.tag_keys.extend(NAMESPACE_TAGS)
        for kind in ("resource_id", "namespace"):
            self._kind(kind, kind, exact[kind], globs[kind])
        order = sorted(tag_groups, key=lambda ks: -len(ks))  # stable: workload order within size
        for i, keys in enumerate(order):
            for k in keys:
                if k not in self.tag_keys:
                    self.tag_keys.append(k)
            name = f"r_tags_{i}"
            cols = [f"v{j}" for j in range(len(keys))] + ["w"]
            rows = [[*values, wid] for values, (wid, _) in tag_groups[keys].items()]
            self.tables[name] = (cols, rows)
            cond = " AND ".join(f"g.{self.tag_column(k)} = {name}.v{j}"
                                for j, k in enumerate(keys))
            self.joins.append(f"LEFT JOIN {name} ON {cond}")
            self.terms.append(f"{name}.w")
        self._kind("account", "account", exact["account"], globs["account"])

    def tag_column(self, key: str) -> str:
        return f"t{self.tag_keys.index(key)}"

    def _kind(self, kind: str, column: str, exact: dict[str, tuple[str, Any]],
              globs: list[tuple[str, str]]) -> None:
        if exact:
            name = f"r_{kind}"
            self.tables[name] = (["v", "w"], [[v, wid] for v, (wid, _) in exact.items()])
            self.joins.append(f"LEFT JOIN {name} ON g.{column} = {name}.v")
            self.terms.append(f"{name}.w")
        if globs:
            whens = " ".join(f"WHEN regexp_matches(g.{column}, {lit(glob_regex(p))}) "
                             f"THEN {lit(wid)}" for p, wid in globs)
            self.terms.append(f"CASE {whens} END")

    def workload_sql(self) -> str:
        if not self.terms:
            return "CAST(NULL AS VARCHAR)"
        return self.terms[0] if len(self.terms) == 1 else f"COALESCE({', '.join(self.terms)})"


def _claim(table: dict[Any, tuple[str, Any]], value: Any, w: Workload, kind: str) -> None:
    if value in table and table[value][0] != w.id:
        other = table[value][0]
        shown = dict(zip([k for k, _ in (w.cost_match.tags if w.cost_match else ())], value,
                         strict=False)) if kind == "tags" else value
        where = w.source
        message = (f"cost_match {kind} {shown!r} of workload '{w.id}' is already claimed by "
                   f"workload '{other}'")
        hint = "a billing row can go to one workload only: make the rules distinct"
        if where is not None:
            from advisor.estate.yamlfile import Doc

            raise Doc(where.file, "").error((*where.keypath, "cost_match", kind), message, hint)
        raise InputError(message, hint=hint)
    table.setdefault(value, (w.id, w.source))


# -- pass 1: the scan aggregate -------------------------------------------------------------------

def needs(group_by: Sequence[str], rules: Rules) -> list[str]:
    """The normalised columns the scan keeps (beyond provider, period and currency)."""
    dims = set(group_by)
    out = []
    if "account" in dims or rules.need_account:
        out.append("account")
    if dims & {"region", "location"}:
        out.append("region")
    for dim in ("service", "charge_category"):
        if dim in dims:
            out.append(dim)
    if rules.need_resource:
        out.append("resource_id")
    if rules.need_namespace:
        out.append("namespace")
    return out


def key_columns(group_by: Sequence[str], rules: Rules) -> list[str]:
    return [*BASE_KEYS, *needs(group_by, rules), *(f"t{i}" for i in range(len(rules.tag_keys)))]


def column(layout: Layout, what: str) -> str:
    """The SQL for a normalised column of one layout (NULL where the source lacks it)."""
    def col(canonical: str) -> str | None:
        name = layout.col(canonical)
        return q(name) if name else None

    if what == "provider":
        return _first(*(q(layout.lower[c]) for c in ("serviceprovidername", "providername")
                        if c in layout.lower))
    if what == "account":
        return _first(col("SubAccountId"), col("BillingAccountId"))
    if what == "region":
        return _first(col("RegionId"), col("RegionName"))
    if what == "service":
        return _first(col("ServiceName"))
    if what == "charge_category":
        return _first(col("ChargeCategory"))
    if what == "resource_id":
        return _first(col("ResourceId"))
    if what == "namespace_column":
        return _first(*(q(layout.lower[c]) for c in NAMESPACE_COLUMNS if c in layout.lower))
    raise AssertionError(what)


def _first(*names: str | None) -> str:
    present = [n for n in names if n]
    if not present:
        return "CAST(NULL AS VARCHAR)"
    return present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"


def month_bounds(month: str) -> tuple[str, str]:
    """UTC timestamps (SQL) of the first instant of ``month`` and of the month after it."""
    year, mon = int(month[:4]), int(month[5:7])
    nxt = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return (f"CAST('{month}-01 00:00:00+00:00' AS TIMESTAMPTZ)",
            f"CAST('{nxt.isoformat()} 00:00:00+00:00' AS TIMESTAMPTZ)")


def row_filter(layout: Layout, month: str | None,
               filters: Sequence[tuple[str, tuple[str, ...]]] = ()) -> str:
    """The WHERE clause on raw rows: the billing month (pushed down to the source), and the
    source's own filter. A row whose period is missing or not a date is kept, so that the
    checks see it (no row is dropped in silence)."""
    conds = []
    if month is not None:
        bps = q(layout.cols["BillingPeriodStart"])
        start, end = month_bounds(month)
        if layout.kind(layout.cols["BillingPeriodStart"]) == "time":
            conds.append(f"({bps} IS NULL OR ({bps} >= {start} AND {bps} < {end}))")
        else:
            ts = f"TRY_CAST({bps} AS TIMESTAMPTZ)"
            conds.append(f"({ts} IS NULL OR ({ts} >= {start} AND {ts} < {end}))")
    for key, values in filters:
        if key == "provider":
            expr = f"lower({column(layout, 'provider')})"
            values = tuple(v.lower() for v in values)
        else:
            name = layout.col(FILTER_COLUMNS[key])
            if name is None:
                raise InputError(f"filter '{key}' needs column {FILTER_COLUMNS[key]}, which the "
                                 "source does not have", file=layout.origin)
            expr = f"CAST({q(name)} AS VARCHAR)"
        conds.append(f"{expr} IN ({', '.join(lit(v) for v in values)})")
    return (" WHERE " + " AND ".join(conds)) if conds else ""


def scan_select(layout: Layout, relation: str, file_sql: str, keys: Sequence[str],
                rules: Rules, cost_column: str, where: str,
                tags: tuple[str, list[str], str | None]) -> str:
    """One aggregate over a source, keyed by the raw values the later passes need.

    ``tags`` is the engine's way with Tags: (inner select items, one expression per tag key
    over them, a condition on raw columns that marks a Tags value that is not JSON or None).
    """
    cost = q(layout.cols[cost_column])
    amount = f"TRY_CAST({cost} AS {DECIMAL})" if layout.kind(layout.cols[cost_column]) in (
        "text", "other") else f"CAST({cost} AS {DECIMAL})"
    inner = [f"{file_sql} AS _file", f"{column(layout, 'provider')} AS provider",
             f"{q(layout.cols['BillingPeriodStart'])} AS bps",
             f"{q(layout.cols['BillingCurrency'])} AS currency"]
    middle = ["_file", "provider", "bps", "currency"]
    tag_inner, tag_values, bad = tags
    for need in keys[len(BASE_KEYS):]:
        if need.startswith("t"):
            continue
        if need == "namespace":
            inner.append(f"{column(layout, 'namespace_column')} AS _nsx")
            ns = [tag_values[rules.tag_keys.index(k)] for k in NAMESPACE_TAGS]
            middle.append(f"{_first('_nsx', *ns)} AS namespace")
        else:
            inner.append(f"{column(layout, need)} AS {need}")
            middle.append(need)
    middle.extend(f"{value} AS t{i}" for i, value in enumerate(tag_values))
    inner.extend([f"{cost} AS _cost", f"{amount} AS _amt", *([tag_inner] if tag_inner else [])])
    n_bad = "CAST(0 AS BIGINT)"
    if bad is not None and tag_values:
        inner.append(f"({bad}) AS _bad")
        n_bad = "count(*) FILTER (WHERE _bad)"
    return (
        "SELECT " + ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in keys)  # noqa: S608
        + ", amount, n, n_cost, n_num, n_bad FROM (SELECT " + ", ".join(middle)
        + ", sum(_amt) AS amount, count(*) AS n, count(_cost) AS n_cost, count(_amt) AS n_num, "
        + f"{n_bad} AS n_bad FROM (SELECT " + ", ".join(inner) + f" FROM {relation}{where}) "
        "GROUP BY ALL)")


def g_columns(keys: Sequence[str]) -> str:
    """The scan table's column list with types (for engines that create it before filling)."""
    return ", ".join([*(f"{c} VARCHAR" for c in keys), f"amount {DECIMAL}",
                      *(f"{c} BIGINT" for c in COUNTS)])


# -- the checks on the scan table -----------------------------------------------------------------

def checks(cost_column: str) -> list[tuple[str, str, str, str]]:
    """(condition on g, canonical column, problem, hint), in the order they are reported."""
    return [
        ("n_num < n_cost", cost_column, "is not a number",
         "FOCUS costs are decimal numbers such as 12.34"),
        ("n_bad > 0", "Tags", "is not a JSON object",
         'FOCUS Tags are JSON such as {"team": "web"}'),
        ("n_cost < n", cost_column, "where FOCUS requires a cost",
         "every FOCUS row carries BilledCost, EffectiveCost and ListCost"),
        ("bps IS NULL", "BillingPeriodStart", "where FOCUS requires a date",
         "every FOCUS row carries its billing period"),
        ("currency IS NULL", "BillingCurrency", "where FOCUS requires a currency",
         "every FOCUS row carries its BillingCurrency"),
        ("provider IS NULL", "ServiceProviderName", "where FOCUS requires a provider",
         "every FOCUS row names its provider (ServiceProviderName or ProviderName)"),
    ]


NOT_A_DATE = "bps IS NOT NULL AND TRY_CAST(bps AS TIMESTAMPTZ) IS NULL"


def first_bad_date(file_key: str) -> str:
    return f"SELECT min(bps) FROM g WHERE _file = {lit(file_key)} AND {NOT_A_DATE}"  # noqa: S608


def bad_value(relation: str, name: str, condition: str, where: str) -> str:
    """The first value of ``name`` in a source that meets ``condition`` (errors only)."""
    extra = f" AND {where[len(' WHERE '):]}" if where else ""
    return (f"SELECT CAST({q(name)} AS VARCHAR) FROM {relation} WHERE {condition}{extra} "  # noqa: S608
            "LIMIT 1")


def not_a_number(name: str) -> str:
    return f"{q(name)} IS NOT NULL AND TRY_CAST({q(name)} AS {DECIMAL}) IS NULL"


# -- pass 2: attribution --------------------------------------------------------------------------

def attributed(rules: Rules) -> str:
    """The scan table with each key's month and workload (or NULL: unallocated). TRY_CAST: a
    period that is not a date is reported by the checks, not by a failed cast."""
    return ("SELECT g.*, strftime(TRY_CAST(g.bps AS TIMESTAMPTZ), '%Y-%m') AS month, "  # noqa: S608
            f"{rules.workload_sql()} AS workload FROM g " + " ".join(rules.joins))


def found_months(layout: Layout, relation: str, where: str) -> str:
    """The billing months a source holds (for the message when a chosen month has none)."""
    bps = q(layout.cols["BillingPeriodStart"])
    return (f"SELECT DISTINCT strftime(TRY_CAST({bps} AS TIMESTAMPTZ), '%Y-%m') "  # noqa: S608
            f"FROM {relation}{where}")


# -- pass 3: everything the report needs, in one query --------------------------------------------

DIMENSION_SQL = {
    "provider": "a.provider", "account": "a.account", "region": "a.region",
    "service": "a.service", "charge_category": "a.charge_category",
    "workload": "a.workload", "application": "wl.application", "month": "a.month",
    "location": "COALESCE(wl.location, lm.location)",
}
PARTS = ("check", "total", "balance", "source", "row")


def results(group_by: Sequence[str], month: str | None, conditions: Sequence[str]) -> str:
    """One query, so one round trip to the engine, whose rows are tagged by ``part``:

    - ``check``: per condition, the first ``_file`` that meets it (a bad value stops the report
      before any figure is shown);
    - ``total``: provider, month, currency and the sum, straight from the scan table;
    - ``balance``: provider, month, currency, allocated (a) or not (u), the sum and line items,
      from the attributed table: with ``total``, the invariant is checked on both sides;
    - ``source``: each ``_file`` and its line items;
    - ``row``: the group-by keys, currency, month, the sum, its unallocated part, line items.

    Every key column is text; ``amount``, ``unallocated`` and ``n`` close each row.
    """
    width = max(len(group_by) + 2, len(conditions), 5)

    def part(name: str, keys: Sequence[str], amount: str, unallocated: str, n: str,
             rest: str) -> str:
        cols = [f"CAST({k} AS VARCHAR)" for k in keys]
        cols += ["CAST(NULL AS VARCHAR)"] * (width - len(keys))
        return (f"SELECT '{name}' AS part, {', '.join(cols)}, CAST({amount} AS {DECIMAL}), "
                f"CAST({unallocated} AS {DECIMAL}), CAST({n} AS BIGINT) {rest}")

    where = f" WHERE a.month = {lit(month)}" if month else ""
    joins = "LEFT JOIN wl ON wl.workload = a.workload"
    if "location" in group_by:
        joins += f" LEFT JOIN lm ON lm.provider = {provider_key('a.provider')} " \
                 "AND lm.region = lower(a.region)"
    month_g = "strftime(TRY_CAST(bps AS TIMESTAMPTZ), '%Y-%m')"
    return " UNION ALL ".join([
        part("check", [f"min(CASE WHEN {c} THEN _file END)" for c in conditions], "NULL",
             "NULL", "NULL", "FROM g"),
        part("total", ["provider", month_g, "currency"], "sum(amount)", "NULL", "sum(n)",
             "FROM g" + (f" WHERE {month_g} = {lit(month)}" if month else "") + " GROUP BY ALL"),
        part("balance", ["a.provider", "a.month", "a.currency",
                         "CASE WHEN a.workload IS NULL THEN 'u' ELSE 'a' END"],
             "sum(a.amount)", "NULL", "sum(a.n)", f"FROM a{where} GROUP BY ALL"),
        part("source", ["a._file"], "NULL", "NULL", "sum(a.n)", f"FROM a{where} GROUP BY ALL"),
        part("row", [*(DIMENSION_SQL[d] for d in group_by), "a.currency", "a.month"],
             "sum(a.amount)", "COALESCE(sum(a.amount) FILTER (WHERE a.workload IS NULL), 0)",
             "sum(a.n)", f"FROM a {joins}{where} GROUP BY ALL"),
    ])


def provider_key(expr: str) -> str:
    """FOCUS provider names -> the estate's provider ids."""
    low = f"lower({expr})"
    return (f"CASE WHEN {low} LIKE 'aws%' OR {low} LIKE 'amazon%' THEN 'aws' "
            f"WHEN {low} LIKE 'microsoft%' OR {low} LIKE '%azure%' THEN 'azure' "
            f"WHEN {low} LIKE 'google%' OR {low} LIKE 'gcp%' THEN 'gcp' END")


def estate_tables(workloads: Iterable[Workload], locations: Iterable[Any]
                  ) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The estate's workloads (wl) and provider+region -> location map (lm) as small tables."""
    seen: dict[tuple[str, str], str] = {}
    for loc in locations:
        seen.setdefault((loc.provider, loc.region.lower()), loc.id)
    return {
        "wl": (["workload", "application", "location"],
               [[w.id, w.application, w.location] for w in workloads]),
        "lm": (["provider", "region", "location"], [[p, r, loc] for (p, r), loc in seen.items()]),
    }
