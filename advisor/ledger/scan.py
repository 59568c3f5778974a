"""The DuckDB engine: FOCUS files on this machine, read out of core.

The queries are ``advisor.ledger.queries``; this module says how DuckDB reads the files
(``read_csv`` with the header's columns, ``read_parquet``), picks Tags apart (one JSON parse per
row for every key), keeps its temporary tables, and finds the file, row and line behind a bad
value (a malformed CSV row, Tags that are not JSON, an empty or non-numeric cost).
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import AdvisorError, InputError
from advisor.ledger.engine import Engine, Source
from advisor.ledger.focus import LedgerFile, csv_header
from advisor.ledger.queries import Layout, lit, q

if TYPE_CHECKING:
    import duckdb

MEMORY_LIMIT = "1GB"
MAX_LINE_BYTES = 16 << 20  # one CSV line (DuckDB's default, 2 MB, refuses a long Tags field)


def path_lit(path: str) -> str:
    """A file path as a literal DuckDB's readers take as it is: they expand globs, so a file
    named 'glob[1].csv' would otherwise read 'glob1.csv'."""
    return lit("".join(f"[{ch}]" if ch in "[*?" else ch for ch in path))


class _FileInfo:
    """One file and its layout."""

    def __init__(self, lf: LedgerFile, layout: Layout) -> None:
        self.lf = lf
        self.layout = layout

    def key(self) -> tuple[Any, ...]:
        return (self.lf.format, self.lf.compression, self.lf.filters, *self.layout.key())


def reader(files: Sequence[LedgerFile], layout: Layout, **extra: str) -> str:
    """The DuckDB table function that reads ``files`` (all laid out like ``layout``)."""
    paths = "[" + ", ".join(path_lit(f.local) for f in files) + "]"
    opts = "".join(f", {k}={v}" for k, v in extra.items())
    if files[0].format == "parquet":
        return f"read_parquet({paths}, filename=true{opts})"
    columns = "{" + ", ".join(f"{lit(n)}: 'VARCHAR'" for n in layout.names) + "}"
    return (f"read_csv({paths}, header=true, auto_detect=false, columns={columns}, delim=',', "
            f"quote='\"', escape='\"', nullstr=['NULL', ''], strict_mode=true, filename=true, "
            f"max_line_size={MAX_LINE_BYTES}, buffer_size={2 * MAX_LINE_BYTES}, "
            f"compression={lit(files[0].compression)}{opts})")


class DuckDBEngine(Engine):
    """A DuckDB connection over local FOCUS files (the spool holds fetched remote ones)."""

    dialect = "duckdb"

    def __init__(self, files: Sequence[LedgerFile], spool: Path | None) -> None:
        self.files = list(files)
        self.spool = spool
        self.con: duckdb.DuckDBPyConnection | None = None
        self.infos: dict[str, _FileInfo] = {}
        self.groups: list[list[_FileInfo]] = []

    def __enter__(self) -> DuckDBEngine:
        import duckdb

        self.con = duckdb.connect(config={"threads": 2, "memory_limit": MEMORY_LIMIT,
                                          "preserve_insertion_order": False})
        try:
            self.con.execute("SET TimeZone = 'UTC'")
            if self.spool is not None:
                self.con.execute(f"SET temp_directory = {lit(str(self.spool / 'duckdb.tmp'))}")
            groups: dict[tuple[Any, ...], list[_FileInfo]] = {}
            for lf in self.files:
                info = _FileInfo(lf, self._describe(lf))
                self.infos[lf.local] = info
                groups.setdefault(info.key(), []).append(info)
            self.groups = list(groups.values())
        except BaseException:
            self.con.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.con is not None:
            self.con.close()

    # -- running SQL --------------------------------------------------------------------------
    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        assert self.con is not None
        return self.con.execute(sql, list(params)).fetchall()

    def run(self, sql: str) -> None:
        self.fetch(sql)

    def small_table(self, name: str, columns: list[str], rows: list[list[str]]) -> None:
        params = [[str(r[i]) for r in rows] for i in range(len(columns))]
        select = ", ".join(f"unnest(?::VARCHAR[]) AS {c}" for c in columns)
        self.fetch(f"CREATE TEMP TABLE {name} AS SELECT {select}", params)

    def keep(self, name: str, selects: list[str], columns: str) -> None:
        if not columns:
            self.run(f"CREATE TEMP TABLE {name} AS {selects[0]}")
            return
        self.run(f"CREATE TEMP TABLE {name} ({columns})")
        for select, infos in zip(selects, self.groups, strict=True):
            try:
                self.run(f"INSERT INTO {name} {select}")
            except Exception as exc:
                raise self._diagnose(infos, exc) from None

    def view(self, name: str, select: str) -> None:
        self.run(f"CREATE TEMP VIEW {name} AS {select}")

    def tags(self, layout: Layout, keys: Sequence[str]) -> tuple[str, list[str], str | None]:
        tags = layout.col("Tags")
        if not keys:
            return "", [], None
        values = [f"_tl[{i + 1}]" for i in range(len(keys))]
        if tags is None:
            return "CAST([] AS VARCHAR[]) AS _tl", values, None
        kind = layout.types[tags].upper()
        if kind.startswith("MAP"):
            return ("[" + ", ".join(f"CAST({q(tags)}[{lit(k)}] AS VARCHAR)" for k in keys)
                    + "] AS _tl"), values, None
        source = q(tags) if kind in ("VARCHAR", "JSON") else \
            f"CAST(to_json({q(tags)}) AS VARCHAR)"
        paths = ", ".join(lit('$."' + k.replace('"', '\\"') + '"') for k in keys)
        return f"json_extract_string({source}, [{paths}]) AS _tl", values, None

    def sources(self) -> list[Source]:
        return [Source(infos[0].layout, reader([i.lf for i in infos], infos[0].layout),
                       "filename", infos[0].lf.filters) for infos in self.groups]

    def source_of(self, file_key: str) -> Source:
        info = self.infos[file_key]
        return Source(info.layout, reader([info.lf], info.layout), "filename", info.lf.filters)

    def origin(self, file_key: str) -> str:
        info = self.infos.get(file_key)
        return info.lf.origin if info else file_key

    # -- reading a file's layout ----------------------------------------------------------------
    def _describe(self, lf: LedgerFile) -> Layout:
        import duckdb

        if lf.format == "csv":
            try:
                names = csv_header(lf.local, lf.compression)
            except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
                raise InputError(f"cannot read the CSV header: {exc}", file=lf.origin) from None
            if not names:
                raise InputError("the file is empty", file=lf.origin)
            return Layout(lf.origin, names, ["VARCHAR"] * len(names))
        try:
            described = self.fetch(f"DESCRIBE SELECT * FROM read_parquet({path_lit(lf.local)})")  # noqa: S608
        except (duckdb.Error, RuntimeError, UnicodeError) as exc:  # RuntimeError: a damaged
            raise InputError(f"not a readable Parquet file: {_first_line(exc)}",  # footer
                             file=lf.origin, hint="re-export or re-download the file") from None
        return Layout(lf.origin, [r[0] for r in described], [str(r[1]) for r in described])

    # -- locating bad input ---------------------------------------------------------------------
    def _diagnose(self, infos: list[_FileInfo], exc: Exception) -> AdvisorError:
        """Find which file, row and column made the scan fail (the slow path, errors only)."""
        import duckdb

        if not isinstance(exc, (duckdb.Error, RuntimeError, UnicodeError)):
            raise exc
        for info in infos:
            try:
                found = self._diagnose_file(info)
            except (duckdb.Error, RuntimeError, UnicodeError) as err:  # damaged pages
                kind = "Parquet" if info.lf.format == "parquet" else "CSV"
                return InputError(f"not a readable {kind} file: {_first_line(err)}",
                                  file=info.lf.origin, hint="re-export or re-download the file")
            if found is not None:
                return found
        if len(infos) == 1:  # damaged pages that only the full scan reaches
            kind = "Parquet" if infos[0].lf.format == "parquet" else "CSV"
            return InputError(f"not a readable {kind} file: {_first_line(exc)}",
                              file=infos[0].lf.origin, hint="re-export or re-download the file")
        files = ", ".join(i.lf.origin for i in infos)
        return InputError(f"cannot read the billing data: {_first_line(exc)}", file=files,
                          hint="one of these files is damaged: read them one at a time to "
                               "find it, then re-export or re-download it")

    def _diagnose_file(self, info: _FileInfo) -> InputError | None:
        import duckdb

        src = reader([info.lf], info.layout)
        try:
            self.fetch(f"SELECT count(*) FROM {src}")  # noqa: S608
        except (duckdb.Error, RuntimeError, UnicodeError) as err:
            text = str(err)
            line = re.search(r"CSV Error on Line: (\d+)", text)
            found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
            what = (f"expected {found.group(1)} fields, found {found.group(2)}" if found
                    else _first_line(err))
            return InputError(f"malformed row: {what}", file=info.lf.origin,
                              line=int(line.group(1)) if line else None,
                              hint="fix or re-export the file; no row is skipped")
        tags = info.layout.col("Tags")
        if tags and info.layout.types[tags].upper() in ("VARCHAR", "JSON"):
            bad = self.fetch(f"SELECT {q(tags)} FROM {src} WHERE {q(tags)} IS NOT NULL AND "  # noqa: S608
                             f"NOT json_valid({q(tags)}) LIMIT 1")
            if bad:
                return self.locate(self.source_of(info.lf.local), tags, bad[0][0],
                                   "is not a JSON object",
                                   'FOCUS Tags are JSON such as {"team": "web"}')
        return None

    def locate(self, source: Source, column: str, value: str | None, problem: str,
               hint: str) -> InputError:
        """An InputError naming file, row, column and value (row 1 is the first data row)."""
        info = next(i for i in self.infos.values() if i.lf.origin == source.layout.origin)
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
            got = self.fetch(f"SELECT file_row_number FROM read_parquet({path_lit(lf.local)}, "  # noqa: S608
                             f"file_row_number=true) WHERE {cond} ORDER BY 1 LIMIT 1")
            return (int(got[0][0]) + 1, None) if got else (None, None)
        index = info.layout.names.index(column)
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
