"""The Spark engine: the ledger's queries run on the cluster that holds the billing data.

The queries are ``advisor.ledger.queries``, transpiled by SQLGlot from DuckDB's dialect to
Spark SQL. The scan table (one row per distinct key: provider, period, currency, the tag values
and ids the rules look at) and the attributed table are cached on the cluster; only the grouped
sums come back (their size grows with workloads and months, never with rows). Money is
DECIMAL(38, 18) on the cluster too.

The session arrives open (``advisor.connectors.spark``: Spark Connect, or a classic master);
this module only sends SQL through it. A statement the cluster rejects is a failed source
(exit 3) with the cluster's message, trimmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from advisor.errors import InputError, SourceError
from advisor.ledger.engine import Engine, Source
from advisor.ledger.focus import ClusterTable, quiet_pyspark, trim
from advisor.ledger.queries import Layout, lit, q

NOT_FOUND = ("TABLE_OR_VIEW_NOT_FOUND", "PATH_NOT_FOUND", "SCHEMA_NOT_FOUND",
             "UNABLE_TO_INFER_SCHEMA")
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",  # months are UTC months, as with DuckDB
    # let adaptive execution shrink a cached table's partitions (the scan table is small; left
    # at 200 shuffle partitions every later query would start 200 tasks)
    "spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "true",
}


class SparkEngine(Engine):
    """The cluster tables of one open session."""

    dialect = "spark"

    def __init__(self, tables: Sequence[ClusterTable]) -> None:
        self.tables = list(tables)
        self.session = tables[0].session
        self.where = tables[0].where
        self._sources: list[Source] = []
        self._by_origin: dict[str, Source] = {}
        self._kept: list[str] = []
        self._views: list[str] = []

    def __enter__(self) -> SparkEngine:
        quiet_pyspark()
        for key, value in SESSION_CONF.items():
            self._call(lambda k=key, v=value: self.session.conf.set(k, v), None)
        try:
            for i, table in enumerate(self.tables):
                src = self._describe(i, table)
                self._sources.append(src)
                self._by_origin[table.origin] = src
        except BaseException:
            self._drop(quietly=True)
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._drop(quietly=exc_type is not None)

    # -- running SQL --------------------------------------------------------------------------
    def spark_sql(self, sql: str) -> str:
        """The Spark SQL of a ledger query (written in DuckDB's dialect)."""
        import sqlglot

        return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        text = self.spark_sql(sql)
        rows = self._call(lambda: self.session.sql(text).collect(), None)
        return [tuple(r) for r in rows]

    def run(self, sql: str) -> None:
        text = self.spark_sql(sql)
        self._call(lambda: self.session.sql(text), None)

    def small_table(self, name: str, columns: list[str], rows: list[list[str]]) -> None:
        schema = ", ".join(f"{c} string" for c in columns)
        self._call(lambda: self.session.createDataFrame(
            [tuple(str(v) for v in r) for r in rows], schema=schema).createOrReplaceTempView(
                name), None)
        self._views.append(name)

    def keep(self, name: str, selects: list[str], columns: str) -> None:
        body = " UNION ALL ".join(self.spark_sql(s) for s in selects)
        self._kept.append(name)
        self._call(lambda: self.session.sql(f"CACHE TABLE {name} AS {body}"), None)

    def view(self, name: str, select: str) -> None:
        text = self.spark_sql(select)
        self._views.append(name)
        self._call(lambda: self.session.sql(f"CREATE OR REPLACE TEMP VIEW {name} AS {text}"),
                   None)

    def tags(self, layout: Layout, keys: Sequence[str]) -> tuple[str, list[str], str | None]:
        tags = layout.col("Tags")
        if not keys:
            return "", [], None
        if tags is None:
            return "", ["CAST(NULL AS VARCHAR)"] * len(keys), None
        values = [f"CAST(_tm[{lit(k)}] AS VARCHAR)" for k in keys]
        kind = layout.kind(tags)
        if kind == "map":
            return f"{q(tags)} AS _tm", values, None
        text = q(tags) if kind == "text" else f"to_json({q(tags)})"
        parsed = f"from_json({text}, 'map<string,string>')"
        return f"{parsed} AS _tm", values, f"{q(tags)} IS NOT NULL AND {parsed} IS NULL"

    def sources(self) -> list[Source]:
        return list(self._sources)

    def source_of(self, file_key: str) -> Source:
        return self._by_origin[file_key]

    # -- sources ---------------------------------------------------------------------------------
    def _describe(self, index: int, table: ClusterTable) -> Source:
        """The source's columns (one analysis request: no rows are read) and its relation."""
        if table.table is not None:
            frame = self._call(lambda: self.session.table(table.table), table)
            relation = ".".join(q(part) for part in table.table.split("."))
        else:
            assert table.path is not None
            frame = self._read_path(table)
            relation = f"_advisor_src_{index}"
            self._call(lambda: frame.createOrReplaceTempView(relation), table)
            self._views.append(relation)
        fields = self._call(lambda: frame.schema.fields, table)
        layout = Layout(table.origin, [f.name for f in fields],
                        [f.dataType.simpleString() for f in fields],
                        "table" if table.table else "file")
        return Source(layout, relation, lit(table.origin), table.filters)

    def _read_path(self, table: ClusterTable) -> Any:
        assert table.path is not None
        path = table.path
        fmt = table.format or ("csv" if path.lower().rstrip("/").endswith(
            (".csv", ".csv.gz")) else "parquet")
        reader = self.session.read.format(fmt)
        if fmt != "csv":
            return reader.load(path)
        # FOCUS CSV: RFC 4180 quoting, every column text; a malformed row stops the read; an
        # empty cell and the literal NULL both mean "no value", as with DuckDB.
        raw = reader.options(header="true", quote='"', escape='"', mode="FAILFAST",
                             inferSchema="false").load(path)
        names = self._call(lambda: raw.columns, table)
        view = f"_advisor_csv_{len(self._views)}"
        self._call(lambda: raw.createOrReplaceTempView(view), table)
        self._views.append(view)
        cols = ", ".join(f"CASE WHEN {q(n)} IN ('', 'NULL') THEN NULL ELSE {q(n)} END AS {q(n)}"
                         for n in names)
        return self._call(lambda: self.session.sql(
            self.spark_sql(f"SELECT {cols} FROM {view}")), table)  # noqa: S608

    def _drop(self, quietly: bool) -> None:
        """Release what the scan kept on the cluster (its cached tables and views)."""
        for name in reversed(self._kept):
            self._call(lambda n=name: self.session.sql(f"UNCACHE TABLE IF EXISTS {n}"), None,
                       quietly)
        for name in reversed(self._views):
            self._call(lambda n=name: self.session.catalog.dropTempView(n), None, quietly)
        self._kept, self._views = [], []

    # -- errors ---------------------------------------------------------------------------------
    def _call(self, action: Any, table: ClusterTable | None, quietly: bool = False) -> Any:
        """Run one request; the cluster's refusal becomes our error (no traceback)."""
        import warnings

        from pyspark.errors import PySparkException

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # retries and pandas versions: ours to report
                return action()
        except PySparkException as exc:
            if quietly:
                return None
            condition = _condition(exc)
            if table is not None and condition in NOT_FOUND:
                what = f"table {table.table}" if table.table else f"path {table.path}"
                raise InputError(f"{what} not found on {self.where}: {trim(exc)}",
                                 file=table.origin,
                                 hint="check the name (catalog.database.table) or the path "
                                      "and that the cluster may read it") from None
            raise SourceError(f"spark {self.where}", f"the cluster failed: {trim(exc)}",
                              "see the cluster's log; the advisor never reads rows itself"
                              ) from None


def _condition(exc: Any) -> str:
    try:
        return str(exc.getCondition() or "")
    except Exception:  # an exception class without an error condition
        return ""
