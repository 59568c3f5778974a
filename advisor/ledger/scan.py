"""The DuckDB side of the ledger: scan FOCUS files, validate them, attribute rows to workloads.

``advisor.ledger.report`` owns the report; this module owns the SQL. Attribution precedence (the
first rule kind that matches a row wins; within a kind, the rule order below):

1. ``resource_id``: exact ids first, then globs in workload order;
2. ``namespace``: the row's Kubernetes namespace (an ``x_...Namespace`` column, else one of the
   tags ``aws:eks:namespace``, ``kubernetes.io/namespace``, ``k8s-namespace``, ``namespace``);
3. ``tags``: every listed tag must be equal; rules with more tags first, then workload order;
4. ``account``: the row's SubAccountId (BillingAccountId where it has none), exact then globs.

Two workloads claiming the same exact value of the same kind is an error, not a coin toss.
"""

from __future__ import annotations

import csv
import gzip
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import InputError
from advisor.estate.model import Estate, SourceRef, Workload
from advisor.ledger.focus import LedgerFile, csv_header, normalise_columns

if TYPE_CHECKING:
    import duckdb

DECIMAL = "DECIMAL(38, 18)"
MAX_LINE_BYTES = 16 << 20  # one CSV line (DuckDB's default, 2 MB, refuses a long Tags field)
NAMESPACE_TAGS = ("aws:eks:namespace", "kubernetes.io/namespace", "k8s-namespace", "namespace")
NAMESPACE_COLUMNS = ("x_namespace", "x_kubernetesnamespace", "x_k8snamespace")
MEMORY_LIMIT = "1GB"
_GLOB = re.compile(r"[*?\[]")


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """Quote a string literal."""
    return "'" + value.replace("'", "''") + "'"


def path_lit(path: str) -> str:
    """A file path as a literal DuckDB's readers take as it is: they expand globs, so a file
    named 'glob[1].csv' would otherwise read 'glob1.csv'."""
    return lit("".join(f"[{ch}]" if ch in "[*?" else ch for ch in path))


class _FileInfo:
    """One file's layout: its columns (canonical -> own spelling) and their DuckDB types."""

    def __init__(self, lf: LedgerFile, names: list[str], types: list[str]) -> None:
        self.lf = lf
        self.names = names
        self.types = dict(zip(names, types, strict=True))
        self.cols, missing = normalise_columns(names)
        if missing:
            raise InputError(
                f"not a FOCUS file: missing mandatory column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}", file=lf.origin,
                hint="export FOCUS 1.0-1.3 (AWS Data Exports 'FOCUS', Azure 'FocusCost')")
        self.lower = {n.lower(): n for n in names}

    def key(self) -> tuple[Any, ...]:
        return (self.lf.format, self.lf.compression, tuple(self.names),
                tuple(self.types[n] for n in self.names))

    def col(self, canonical: str) -> str | None:
        return self.cols.get(canonical)


def reader(files: Sequence[LedgerFile], info: _FileInfo, **extra: str) -> str:
    """The DuckDB table function that reads ``files`` (all laid out like ``info``)."""
    paths = "[" + ", ".join(path_lit(f.local) for f in files) + "]"
    opts = "".join(f", {k}={v}" for k, v in extra.items())
    if info.lf.format == "parquet":
        return f"read_parquet({paths}, filename=true{opts})"
    columns = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in info.names) + "}"
    return (f"read_csv({paths}, header=true, auto_detect=false, columns={columns}, delim=',', "
            f"quote='\"', escape='\"', nullstr=['NULL', ''], strict_mode=true, filename=true, "
            f"max_line_size={MAX_LINE_BYTES}, buffer_size={2 * MAX_LINE_BYTES}, "
            f"compression={lit(info.lf.compression)}{opts})")


class Rules:
    """The workloads' cost_match rules as small tables and one COALESCE in precedence order."""

    def __init__(self, workloads: Sequence[Workload]) -> None:
        self.tables: dict[str, tuple[list[str], list[list[str]]]] = {}
        self.terms: list[str] = []
        self.joins: list[str] = []
        self.tag_keys: list[str] = []
        self.need_resource = self.need_namespace = self.need_account = False
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
        for kind, column in (("resource_id", "resource_id"), ("namespace", "namespace")):
            self._kind(kind, column, exact[kind], globs[kind])
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
            whens = " ".join(f"WHEN g.{column} GLOB {lit(p)} THEN {lit(wid)}" for p, wid in globs)
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


class Scan:
    """A DuckDB connection holding the scanned, validated and attributed ledger."""

    def __init__(self, files: Sequence[LedgerFile], estate: Estate | None,
                 group_by: tuple[str, ...], cost_column: str, spool: Path | None) -> None:
        self.files = list(files)
        self.estate = estate
        self.group_by = group_by
        self.cost_column = cost_column
        self.spool = spool
        self.rules = Rules(estate.workloads if estate else [])
        self.totals: dict[tuple[str, str, str], Any] = {}
        self.con: duckdb.DuckDBPyConnection | None = None
        self.infos: dict[str, _FileInfo] = {}

    # -- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> Scan:
        import duckdb

        self.con = duckdb.connect(config={"threads": 2, "memory_limit": MEMORY_LIMIT,
                                          "preserve_insertion_order": False})
        self.con.execute("SET TimeZone = 'UTC'")
        if self.spool is not None:
            self.con.execute(f"SET temp_directory = {lit(str(self.spool / 'duckdb.tmp'))}")
        try:
            self._scan()
            self._validate()
            self._attribute()
        except BaseException:
            self.con.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.con is not None:
            self.con.close()

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[Any]:
        assert self.con is not None
        return self.con.execute(query, list(params)).fetchall()

    # -- pass 1: scan -----------------------------------------------------------------------
    def _describe(self, lf: LedgerFile) -> _FileInfo:
        import duckdb

        if lf.format == "csv":
            try:
                names = csv_header(lf.local, lf.compression)
            except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
                raise InputError(f"cannot read the CSV header: {exc}", file=lf.origin) from None
            if not names:
                raise InputError("the file is empty", file=lf.origin)
            return _FileInfo(lf, names, ["VARCHAR"] * len(names))
        try:
            described = self.sql(f"DESCRIBE SELECT * FROM read_parquet({path_lit(lf.local)})")  # noqa: S608
        except (duckdb.Error, RuntimeError, UnicodeError) as exc:  # RuntimeError: a damaged
            raise InputError(f"not a readable Parquet file: {_first_line(exc)}",  # footer
                             file=lf.origin, hint="re-export or re-download the file") from None
        return _FileInfo(lf, [r[0] for r in described], [str(r[1]) for r in described])

    def needs(self) -> list[str]:
        dims = set(self.group_by)
        out = []
        if "account" in dims or self.rules.need_account:
            out.append("account")
        if dims & {"region", "location"}:
            out.append("region")
        if "service" in dims:
            out.append("service")
        if "charge_category" in dims:
            out.append("charge_category")
        if self.rules.need_resource:
            out.append("resource_id")
        if self.rules.need_namespace:
            out.append("namespace")
        return out

    def _expr(self, info: _FileInfo, what: str) -> str:
        """The SQL for a normalised column of one file layout (NULL where the file lacks it)."""
        def col(canonical: str) -> str | None:
            name = info.col(canonical)
            return q(name) if name else None

        def first(*names: str | None) -> str:
            present = [n for n in names if n]
            if not present:
                return "CAST(NULL AS VARCHAR)"
            return present[0] if len(present) == 1 else f"COALESCE({', '.join(present)})"

        if what == "provider":
            service = q(info.lower["serviceprovidername"]) if "serviceprovidername" in \
                info.lower else None
            legacy = q(info.lower["providername"]) if "providername" in info.lower else None
            return first(service, legacy)
        if what == "account":
            return first(col("SubAccountId"), col("BillingAccountId"))
        if what == "region":
            return first(col("RegionId"), col("RegionName"))
        if what == "service":
            return first(col("ServiceName"))
        if what == "charge_category":
            return first(col("ChargeCategory"))
        if what == "resource_id":
            return first(col("ResourceId"))
        if what == "namespace_column":
            return first(*(q(info.lower[c]) for c in NAMESPACE_COLUMNS if c in info.lower))
        if what == "namespace":  # in the middle select: the column first, then the tags
            tags = [f"_tl[{self.rules.tag_keys.index(k) + 1}]" for k in NAMESPACE_TAGS]
            return first("_nsx", *tags)
        raise AssertionError(what)

    def _tags_sql(self, info: _FileInfo) -> str:
        keys = self.rules.tag_keys
        tags = info.col("Tags")
        if not keys:
            return ""
        if tags is None:
            return ", CAST([] AS VARCHAR[]) AS _tl"
        kind = info.types[tags].upper()
        if kind.startswith("MAP"):
            return ", [" + ", ".join(f"CAST({q(tags)}[{lit(k)}] AS VARCHAR)" for k in keys) + \
                "] AS _tl"
        source = q(tags) if kind in ("VARCHAR", "JSON") else f"CAST(to_json({q(tags)}) AS VARCHAR)"
        paths = ", ".join(lit('$."' + k.replace('"', '\\"') + '"') for k in keys)
        return f", json_extract_string({source}, [{paths}]) AS _tl"

    def _scan(self) -> None:
        import duckdb

        groups: dict[tuple[Any, ...], list[_FileInfo]] = {}
        for lf in self.files:
            info = self._describe(lf)
            self.infos[lf.local] = info
            groups.setdefault(info.key(), []).append(info)
        needs = self.needs()
        tag_cols = [f"t{i}" for i in range(len(self.rules.tag_keys))]
        key_cols = ["_file", "provider", "bps", "currency", *needs, *tag_cols]
        self.sql("CREATE TEMP TABLE g (" + ", ".join(f"{c} VARCHAR" for c in key_cols)
                 + f", amount {DECIMAL}, n BIGINT, n_cost BIGINT)")
        for infos in groups.values():
            info = infos[0]
            cost = q(info.cols[self.cost_column])
            inner = ["filename AS _file", f"{self._expr(info, 'provider')} AS provider",
                     f"{q(info.cols['BillingPeriodStart'])} AS bps",
                     f"{q(info.cols['BillingCurrency'])} AS currency"]
            middle = ["_file", "provider", "bps", "currency"]
            for need in needs:
                if need == "namespace":
                    inner.append(f"{self._expr(info, 'namespace_column')} AS _nsx")
                    middle.append(f"{self._expr(info, need)} AS {need}")
                else:
                    inner.append(f"{self._expr(info, need)} AS {need}")
                    middle.append(need)
            middle.extend(f"_tl[{i + 1}] AS t{i}" for i in range(len(tag_cols)))
            query = (
                "INSERT INTO g BY NAME SELECT "  # noqa: S608
                + ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in key_cols)
                + ", amount, n, n_cost FROM (SELECT " + ", ".join(middle)
                + f", sum(CAST(_cost AS {DECIMAL})) AS amount, count(*) AS n,"
                " count(_cost) AS n_cost FROM (SELECT " + ", ".join(inner)
                + f", {cost} AS _cost{self._tags_sql(info)} FROM "
                + reader([i.lf for i in infos], info) + ") GROUP BY ALL)")
            try:
                self.sql(query)
            except (duckdb.Error, RuntimeError, UnicodeError) as exc:
                raise self._diagnose(infos, exc) from None

    # -- locating bad input ---------------------------------------------------------------------
    def _diagnose(self, infos: list[_FileInfo], exc: Exception) -> InputError:
        """Find which file, row and column made the scan fail (the slow path, errors only).
        A file that fails even these probes (damaged pages) is named as unreadable."""
        import duckdb

        for info in infos:
            try:
                found = self._diagnose_file(info)
            except (duckdb.Error, RuntimeError, UnicodeError) as err:
                kind = "Parquet" if info.lf.format == "parquet" else "CSV"
                return InputError(f"not a readable {kind} file: {_first_line(err)}",
                                  file=info.lf.origin, hint="re-export or re-download the file")
            if found is not None:
                return found
        files = ", ".join(i.lf.origin for i in infos)
        return InputError(f"cannot read the billing data: {_first_line(exc)}", file=files)

    def _diagnose_file(self, info: _FileInfo) -> InputError | None:
        import duckdb

        src = reader([info.lf], info)
        try:
            self.sql(f"SELECT count(*) FROM {src}")  # noqa: S608
        except (duckdb.Error, RuntimeError, UnicodeError) as err:
            text = str(err)
            line = re.search(r"CSV Error on Line: (\d+)", text)
            found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
            what = (f"expected {found.group(1)} fields, found {found.group(2)}" if found
                    else _first_line(err))
            return InputError(f"malformed row: {what}", file=info.lf.origin,
                              line=int(line.group(1)) if line else None,
                              hint="fix or re-export the file; no row is skipped")
        cost = info.cols[self.cost_column]
        bad = self.sql(f"SELECT CAST({q(cost)} AS VARCHAR) FROM {src} WHERE {q(cost)} IS NOT "  # noqa: S608
                       f"NULL AND TRY_CAST({q(cost)} AS {DECIMAL}) IS NULL LIMIT 1")
        if bad:
            value = bad[0][0]
            big = self.sql("SELECT TRY_CAST(? AS DOUBLE)", [value])[0][0]
            if big is not None and math.isfinite(big):
                return self.locate(info, cost, value, "is out of range",
                                   "the ledger keeps 20 digits before the decimal point "
                                   "and 18 after; check the export's number format")
            return self.locate(info, cost, value, "is not a number",
                               "FOCUS costs are decimal numbers such as 12.34")
        tags = info.col("Tags")
        if tags and self.rules.tag_keys and info.types[tags].upper() in ("VARCHAR", "JSON"):
            bad = self.sql(f"SELECT {q(tags)} FROM {src} WHERE {q(tags)} IS NOT NULL AND "  # noqa: S608
                           f"NOT json_valid({q(tags)}) LIMIT 1")
            if bad:
                return self.locate(info, tags, bad[0][0], "is not a JSON object",
                                   'FOCUS Tags are JSON such as {"team": "web"}')
        return None

    def locate(self, info: _FileInfo, column: str, value: str | None, problem: str,
               hint: str) -> InputError:
        """An InputError naming file, row, column and value (row 1 is the first data row)."""
        row, line = self._find_row(info, column, value)
        shown = "an empty value" if value is None else repr(_clip(str(value)))
        where = f"row {row}, " if row else ""
        return InputError(f"{where}column {column}: {shown} {problem}", file=info.lf.origin,
                          line=line, hint=hint)

    def _find_row(self, info: _FileInfo, column: str, value: str | None) -> tuple[int | None,
                                                                                  int | None]:
        lf = info.lf
        if lf.format == "parquet":
            cond = f"{q(column)} IS NULL" if value is None else \
                f"CAST({q(column)} AS VARCHAR) = {lit(str(value))}"
            got = self.sql(f"SELECT file_row_number FROM read_parquet({path_lit(lf.local)}, "  # noqa: S608
                           f"file_row_number=true) WHERE {cond} ORDER BY 1 LIMIT 1")
            return (int(got[0][0]) + 1, None) if got else (None, None)
        index = info.names.index(column)
        opener: Any = gzip.open if lf.compression == "gzip" else open
        with opener(lf.local, "rt", encoding="utf-8-sig", newline="") as fh:
            rows = csv.reader(fh)
            next(rows, None)
            for number, cells in enumerate(rows, start=1):
                cell = cells[index] if index < len(cells) else ""
                empty = cell in ("", "NULL")
                if (value is None and empty) or (value is not None and cell == value):
                    return number, rows.line_num
        return None, None

    def _validate(self) -> None:
        checks = [
            ("n_cost < n", self.cost_column, "where FOCUS requires a cost",
             "every FOCUS row carries BilledCost, EffectiveCost and ListCost"),
            ("bps IS NULL", "BillingPeriodStart", "where FOCUS requires a date",
             "every FOCUS row carries its billing period"),
            ("currency IS NULL", "BillingCurrency", "where FOCUS requires a currency",
             "every FOCUS row carries its BillingCurrency"),
            ("provider IS NULL", "ServiceProviderName", "where FOCUS requires a provider",
             "every FOCUS row names its provider (ServiceProviderName or ProviderName)"),
        ]
        for cond, canonical, problem, hint in checks:
            got = self.sql(f"SELECT _file FROM g WHERE {cond} ORDER BY _file LIMIT 1")  # noqa: S608
            if got:
                info = self.infos[got[0][0]]
                raise self.locate(info, info.cols[canonical], None, problem, hint)
        got = self.sql("SELECT _file, bps FROM g WHERE TRY_CAST(bps AS TIMESTAMPTZ) IS NULL "
                       "ORDER BY _file, bps LIMIT 1")
        if got:
            info = self.infos[got[0][0]]
            raise self.locate(info, info.cols["BillingPeriodStart"], got[0][1], "is not a date",
                              "FOCUS dates are ISO 8601 such as 2026-10-01T00:00:00Z")

    # -- pass 2: attribute ----------------------------------------------------------------------
    def _attribute(self) -> None:
        for name, (cols, rows) in self.rules.tables.items():
            params = [[str(r[i]) for r in rows] for i in range(len(cols))]
            select = ", ".join(f"unnest(?::VARCHAR[]) AS {c}" for c in cols)
            self.sql(f"CREATE TEMP TABLE {name} AS SELECT {select}", params)
        workloads = self.estate.workloads if self.estate else []
        locations = self.estate.locations if self.estate else []
        self.sql("CREATE TEMP TABLE wl AS SELECT unnest(?::VARCHAR[]) AS workload, "
                 "unnest(?::VARCHAR[]) AS application, unnest(?::VARCHAR[]) AS location",
                 [[w.id for w in workloads], [w.application for w in workloads],
                  [w.location for w in workloads]])
        seen: dict[tuple[str, str], str] = {}
        for loc in locations:
            seen.setdefault((loc.provider, loc.region.lower()), loc.id)
        self.sql("CREATE TEMP TABLE lm AS SELECT unnest(?::VARCHAR[]) AS provider, "
                 "unnest(?::VARCHAR[]) AS region, unnest(?::VARCHAR[]) AS location",
                 [[k[0] for k in seen], [k[1] for k in seen], list(seen.values())])
        self.sql("CREATE TEMP TABLE a AS SELECT g.*, strftime(CAST(g.bps AS TIMESTAMPTZ), "  # noqa: S608
                 f"'%Y-%m') AS month, {self.rules.workload_sql()} AS workload FROM g "
                 + " ".join(self.rules.joins))
        for provider, month, currency, amount in self.sql(
                "SELECT provider, strftime(CAST(bps AS TIMESTAMPTZ), '%Y-%m'), currency, "
                "sum(amount) FROM g GROUP BY ALL"):
            self.totals[(provider, month, currency)] = amount

    # -- pass 3: queries for the report ---------------------------------------------------------
    def months(self) -> list[str]:
        return [r[0] for r in self.sql("SELECT DISTINCT month FROM a ORDER BY 1")]

    def rows(self, month: str | None) -> list[tuple[tuple[str | None, ...], str, str, Any, Any,
                                                   int]]:
        """(group keys, currency, month, amount, unallocated part of it, line items)."""
        dims = {
            "provider": "a.provider", "account": "a.account", "region": "a.region",
            "service": "a.service", "charge_category": "a.charge_category",
            "workload": "a.workload", "application": "wl.application", "month": "a.month",
            "location": "COALESCE(wl.location, lm.location)",
        }
        select = [f"{dims[d]} AS d{i}" for i, d in enumerate(self.group_by)]
        joins = "LEFT JOIN wl ON wl.workload = a.workload"
        if "location" in self.group_by:
            joins += f" LEFT JOIN lm ON lm.provider = {_provider_key('a.provider')} " \
                     "AND lm.region = lower(a.region)"
        where, params = _month_filter(month)
        got = self.sql(f"SELECT {', '.join([*select, 'a.currency', 'a.month'])}, sum(a.amount), "  # noqa: S608
                       "COALESCE(sum(a.amount) FILTER (WHERE a.workload IS NULL), 0), "
                       f"sum(a.n) FROM a {joins} {where} GROUP BY ALL ORDER BY ALL", params)
        n = len(self.group_by)
        return [(tuple(None if v is None else str(v) for v in r[:n]), r[n], r[n + 1], r[n + 2],
                 r[n + 3], int(r[n + 4])) for r in got]

    def balance(self, month: str | None) -> list[tuple[str, str, str, bool, Any, int]]:
        where, params = _month_filter(month)
        got = self.sql("SELECT a.provider, a.month, a.currency, a.workload IS NOT NULL, "  # noqa: S608
                       f"sum(a.amount), sum(a.n) FROM a {where} GROUP BY ALL ORDER BY ALL",
                       params)
        return [(r[0], r[1], r[2], bool(r[3]), r[4], int(r[5])) for r in got]

    def sources(self, month: str | None) -> list[tuple[str, int]]:
        where, params = _month_filter(month)
        got = self.sql(f"SELECT a._file, sum(a.n) FROM a {where} GROUP BY ALL", params)  # noqa: S608
        origin = {i.lf.local: i.lf.origin for i in self.infos.values()}
        return sorted((origin.get(f, f), int(n)) for f, n in got)


def _month_filter(month: str | None) -> tuple[str, list[Any]]:
    return ("WHERE a.month = ?", [month]) if month else ("", [])


def _provider_key(expr: str) -> str:
    """FOCUS provider names -> the estate's provider ids."""
    low = f"lower({expr})"
    return (f"CASE WHEN {low} LIKE 'aws%' OR {low} LIKE 'amazon%' THEN 'aws' "
            f"WHEN {low} LIKE 'microsoft%' OR {low} LIKE '%azure%' THEN 'azure' "
            f"WHEN {low} LIKE 'google%' OR {low} LIKE 'gcp%' THEN 'gcp' END")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
