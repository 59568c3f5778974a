"""Finding and fetching FinOps FOCUS billing exports (1.0 to 1.3) for the ledger.

A source names files on local disk (a file, a glob or a folder), in S3 (``s3://bucket/prefix``,
boto3's credential chain) or in Azure Blob storage (``az://container/prefix``, account from the
source settings or the environment). Folders laid out as AWS Data Exports
(``.../data/BILLING_PERIOD=YYYY-MM/...``) or Azure Cost Management exports
(``.../YYYYMMDD-YYYYMMDD/<run>/part_*.csv``) are understood: each billing period is read once, from
its latest delivery, so a month-to-date export that ran thirty times is not counted thirty times.
For AWS the latest delivery is the one the period's ``Manifest.json`` lists
(``.../metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json``, its ``dataFiles``) when the
manifest is there; otherwise the sub-folder whose files are newest, with a note.

Remote objects are streamed to a local spool folder (DuckDB's own httpfs/azure extensions are
downloaded at run time, which a machine without internet cannot do); the ledger reads the spool.
This module is the only ledger code that does network I/O.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.errors import InputError, SourceError
from advisor.estate.model import Estate
from advisor.estate.sources import FocusSettings, settings_from
from advisor.ledger.focus import LedgerFile, sniff
from advisor.redact import redact_deep, redact_url

DATA_SUFFIXES = (".csv", ".csv.gz", ".gz", ".parquet")

_AWS_PARTITION = re.compile(r"(^|/)data/BILLING_PERIOD=(\d{4}-\d{2})/")
_AWS_MANIFEST = re.compile(r"(^|/)metadata/BILLING_PERIOD=(\d{4}-\d{2})/(?:[^/]+/)*"
                           r"[^/]*Manifest\.json$")
_AZURE_RANGE = re.compile(r"(^|/)(\d{8})-(\d{8})/")


@dataclass(frozen=True)
class _Entry:
    key: str  # path relative to the listed root, with "/" separators
    mtime: float
    size: int


@dataclass
class Fetched:
    """The files a source resolved to, and what the user should know about the choice."""

    source: str
    files: list[LedgerFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- settings -------------------------------------------------------------------------------------

def settings_from_args(paths: Sequence[str], base: Path | None = None,
                       **extra: Any) -> FocusSettings:
    """Settings for FILE_OR_URL arguments (checked like a source of advisor.yaml); az:// and
    s3:// take accounts from the environment (boto3 reads AWS_ENDPOINT_URL itself)."""
    raw: dict[str, Any] = {
        "name": "focus:" + ",".join(paths), "path": list(paths),
        "account_url": os.environ.get("AZURE_STORAGE_ACCOUNT_URL") or None,
        "connection_string": os.environ.get("AZURE_STORAGE_CONNECTION_STRING") or None,
        **extra}
    return settings_from(FocusSettings, {k: v for k, v in raw.items() if v is not None},
                         base=base or Path.cwd())


def focus_sources(estate: Estate) -> list[FocusSettings]:
    """The estate's focus sources (checked when the estate was loaded)."""
    return [s for s in estate.sources if isinstance(s, FocusSettings)]


# -- resolving ------------------------------------------------------------------------------------

def fetch(settings: FocusSettings, spool: Path, month: str | None = None) -> Fetched:
    """Resolve every path of a source to local files; remote objects are streamed into ``spool``.

    ``month`` (YYYY-MM) only skips export partitions of other billing periods; the ledger still
    filters rows itself. Raises InputError for a path that matches nothing or a bad file, and
    SourceError (exit 3) for a bucket or container that cannot be reached.
    """
    out = Fetched(source=settings.name)
    for path in settings.paths:
        if path.startswith("s3://"):
            _fetch_s3(settings, path, spool, month, out)
        elif path.startswith(("az://", "azure://", "abfs://")):
            _fetch_azure(settings, path, spool, month, out)
        else:
            _fetch_local(settings, path, month, out)
    return out


def _fetch_local(settings: FocusSettings, path: str, month: str | None, out: Fetched) -> None:
    full = Path(path).expanduser()
    if not full.is_absolute():
        full = settings.base / full
    if glob.has_magic(path) and not full.exists():  # 'glob[1].csv' may be a file's own name
        hits = sorted(glob.glob(str(full), recursive=True))
        if not hits:
            raise InputError(f"'{path}' matches no file", hint=f"paths are looked up relative to "
                             f"{settings.base}")
        for hit in hits:
            if Path(hit).is_dir():
                _local_folder(Path(hit), month, out)
            elif _is_data_name(hit):
                out.files.append(sniff(hit, hit))
        if not out.files:
            raise InputError(f"'{path}' matches no FOCUS file (.csv, .csv.gz, .parquet)")
        return
    if full.is_dir():
        _local_folder(full, month, out)
        return
    if not full.exists():
        raise InputError(f"'{path}' matches no file",
                         file=str(full), hint=f"paths are looked up relative to {settings.base}")
    out.files.append(sniff(str(full), str(full)))


def _local_folder(folder: Path, month: str | None, out: Fetched) -> None:
    entries = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            full = Path(root) / name
            st = full.stat()
            entries.append(_Entry(full.relative_to(folder).as_posix(), st.st_mtime, st.st_size))
    chosen, notes = select_with_manifests(entries, month, str(folder),
                                          lambda key: (folder / key).read_bytes())
    if not chosen and not _has_partitions(entries, month):
        raise InputError("folder holds no FOCUS file (.csv, .csv.gz, .parquet)", file=str(folder))
    out.notes.extend(f"{folder}: {n}" for n in notes)
    for e in chosen:
        name = str(folder / e.key)
        out.files.append(sniff(name, name))


def _is_data_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    if base.startswith((".", "_")):
        return False
    return base.endswith(DATA_SUFFIXES)


def _has_partitions(entries: Sequence[_Entry], month: str | None) -> bool:
    """True when the folder is an export whose other months were skipped on purpose."""
    return month is not None and any(
        _AWS_PARTITION.search("/" + e.key) or _AZURE_RANGE.search("/" + e.key) for e in entries)


def select_exports(entries: Sequence[_Entry], month: str | None) -> tuple[list[_Entry], list[str]]:
    """The data files to read from a listed folder: per export period only the latest delivery.

    AWS Data Exports in "create new" mode and Azure Cost Management exports keep every run of a
    period in its own sub-folder; each run holds the whole period to date, so only the run with
    the newest files counts. Files outside such a layout are all read.
    """
    groups: dict[str, dict[str, list[_Entry]]] = {}
    plain: list[_Entry] = []
    for e in entries:
        if not _is_data_name(e.key):
            continue
        key = "/" + e.key
        aws = _AWS_PARTITION.search(key)
        azure = None if aws else _AZURE_RANGE.search(key)
        if aws:
            period, root_end = aws.group(2), aws.end()
        elif azure:
            period, root_end = f"{azure.group(2)[:4]}-{azure.group(2)[4:6]}", azure.end()
        else:
            plain.append(e)
            continue
        if month and period != month:
            continue
        root, rest = key[:root_end], key[root_end:]
        run = rest.split("/", 1)[0] if "/" in rest else ""
        groups.setdefault(root, {}).setdefault(run, []).append(e)
    chosen = list(plain)
    notes = []
    for root in sorted(groups):
        runs = groups[root]
        latest = max(runs, key=lambda r: (max(x.mtime for x in runs[r]), r))
        if len(runs) > 1:
            how = " (newest files; no Manifest.json)" if _AWS_PARTITION.search(root) else ""
            notes.append(f"{root.strip('/')}: read the latest delivery '{latest or '.'}' of "
                         f"{len(runs)}{how}")
        chosen.extend(runs[latest])
    chosen.sort(key=lambda x: x.key)
    return chosen, notes


def select_with_manifests(entries: Sequence[_Entry], month: str | None, where: str,
                          read: Callable[[str], bytes]) -> tuple[list[_Entry], list[str]]:
    """``select_exports``, except that an AWS Data Export period with a ``Manifest.json`` is read
    from exactly the ``dataFiles`` of its newest manifest (the delivery AWS says is current).

    ``read`` fetches one listed key (only manifests are read here). A manifest that is not JSON,
    or that lists a file which is not there, is an error naming it: guessing would count a
    period twice or not at all.
    """
    manifests: dict[tuple[str, str], _Entry] = {}
    for e in entries:
        found = _AWS_MANIFEST.search("/" + e.key)
        if not found or (month and found.group(2) != month):
            continue
        root = ("/" + e.key)[:found.start() + len(found.group(1))].lstrip("/")
        slot = (root, found.group(2))
        if slot not in manifests or (e.mtime, e.key) > (manifests[slot].mtime,
                                                         manifests[slot].key):
            manifests[slot] = e
    if not manifests:
        return select_exports(entries, month)
    by_key = {e.key: e for e in entries}
    chosen: list[_Entry] = []
    covered: list[str] = []
    notes: list[str] = []
    for (root, period), manifest in sorted(manifests.items()):
        partition = f"{root}data/BILLING_PERIOD={period}/"
        listed = _manifest_files(manifest, read(manifest.key), where)
        files = []
        for uri in listed:
            tail = uri.split(f"/data/BILLING_PERIOD={period}/", 1)
            entry = by_key.get(partition + tail[1]) if len(tail) == 2 else None
            if entry is None:
                raise SourceError(where, f"{manifest.key} lists {uri}, which is not there",
                                  "the export may still be delivering: try again later")
            files.append(entry)
        keep = {f.key for f in files}
        left = sum(1 for e in entries if e.key.startswith(partition) and _is_data_name(e.key)
                   and e.key not in keep)
        if left:
            notes.append(f"{partition.rstrip('/')}: read the {len(files)} file(s) that "
                         f"{manifest.key.rsplit('/', 1)[-1]} lists, {left} other(s) left out")
        chosen.extend(files)
        covered.append(partition)
    rest, rest_notes = select_exports(
        [e for e in entries if not any(e.key.startswith(c) for c in covered)], month)
    return sorted(chosen + rest, key=lambda x: x.key), notes + rest_notes


def _manifest_files(manifest: _Entry, body: bytes, where: str) -> list[str]:
    """The ``dataFiles`` of an AWS Data Exports manifest."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise InputError("not a Data Exports manifest (not JSON)",
                         file=f"{where}/{manifest.key}") from None
    files = doc.get("dataFiles") if isinstance(doc, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise InputError("Data Exports manifest without a 'dataFiles' list",
                         file=f"{where}/{manifest.key}",
                         hint="see the AWS Data Exports manifest reference")
    return files


# -- S3 -------------------------------------------------------------------------------------------

def _split_url(url: str) -> tuple[str, str]:
    rest = url.split("://", 1)[1]
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix


def _spool_name(spool: Path, index: int, key: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", key)[-120:]
    return spool / f"{index:05d}-{safe}"


def _fetch_s3(settings: FocusSettings, url: str, spool: Path, month: str | None,
              out: Fetched) -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = _split_url(url)
    if not bucket:
        raise InputError(f"'{url}' names no bucket", hint="write s3://BUCKET/PREFIX")
    where = f"s3://{bucket}"
    try:
        client = boto3.session.Session(profile_name=settings.profile).client(
            "s3", endpoint_url=settings.endpoint_url,
            config=Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2}))
    except ValueError as exc:  # botocore: "Invalid endpoint: ..."
        raise InputError(f"cannot use the S3 endpoint {redact_url(settings.endpoint_url or '')}"
                         f" for {where}: {redact_deep(str(exc).splitlines()[0])}",
                         hint="give endpoint_url as http(s)://HOST[:PORT]") from None
    except BotoCoreError as exc:
        raise SourceError(where, redact_deep(f"cannot set up the S3 client: {exc}")) from None
    literal = prefix.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
    try:
        listed: list[_Entry] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                     Prefix=literal):
            for obj in page.get("Contents", []):
                listed.append(_Entry(obj["Key"], obj["LastModified"].timestamp(), obj["Size"]))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise SourceError(where, redact_deep(f"cannot list {url}: {code or exc}"),
                          _s3_hint(code)) from None
    except BotoCoreError as exc:
        raise SourceError(where, redact_deep(f"cannot reach the bucket: {exc}"),
                          "check the endpoint, network and credentials (boto3's chain)") from None
    keys = _match_keys(listed, prefix)

    def read(key: str) -> bytes:
        try:
            return bytes(client.get_object(Bucket=bucket, Key=key)["Body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise SourceError(where, redact_deep(f"cannot read {key}: {exc}")) from None

    chosen, notes = select_with_manifests(keys, month, f"s3://{bucket}", read)
    if not _have_objects(chosen, keys, month, url, "object", notes, out):
        return
    for index, e in enumerate(chosen, start=sum(1 for _ in spool.iterdir())):
        local = _spool_name(spool, index, e.key)
        try:
            client.download_file(bucket, e.key, str(local))
        except (ClientError, BotoCoreError) as exc:
            raise SourceError(where, redact_deep(f"cannot download {e.key}: {exc}")) from None
        out.files.append(sniff(str(local), f"s3://{bucket}/{e.key}"))


def _s3_hint(code: str) -> str:
    if code in ("NoSuchBucket", "404"):
        return "check the bucket name and region"
    if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return "the credentials in boto3's chain may not read this bucket (s3:ListBucket)"
    return "check the bucket name, endpoint and credentials"


def _match_keys(listed: list[_Entry], prefix: str) -> list[_Entry]:
    """Objects under ``prefix``: the object itself, a glob over keys, or a folder."""
    if glob.has_magic(prefix):
        return [e for e in listed if fnmatch.fnmatchcase(e.key, prefix)]
    exact = [e for e in listed if e.key == prefix]
    if exact:
        return [_Entry(e.key, e.mtime, e.size) for e in exact]
    folder = prefix if not prefix or prefix.endswith("/") else prefix + "/"
    return [_Entry(e.key, e.mtime, e.size) for e in listed if e.key.startswith(folder)]


# -- Azure Blob -----------------------------------------------------------------------------------

def _fetch_azure(settings: FocusSettings, url: str, spool: Path, month: str | None,
                 out: Fetched) -> None:
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    from azure.storage.blob import BlobServiceClient, LinearRetry

    container, prefix = _split_url(url)
    where = f"az://{container}"
    if not container:
        raise InputError(f"'{url}' names no container", hint="write az://CONTAINER/PREFIX")
    # one retry after a second: an unreachable account fails in seconds, not minutes
    options: dict[str, Any] = {"connection_timeout": 5, "retry_policy": LinearRetry(
        backoff=1, random_jitter_range=0, retry_total=1)}
    if settings.connection_string:
        try:
            service = BlobServiceClient.from_connection_string(settings.connection_string,
                                                               **options)
        except (ValueError, AttributeError, KeyError):
            given = "AZURE_STORAGE_CONNECTION_STRING" if settings.connection_string == \
                os.environ.get("AZURE_STORAGE_CONNECTION_STRING") else "connection_string"
            raise InputError(f"the storage connection string ({given}) for {url} is malformed",
                             hint="copy it from the storage account's 'Access keys' page "
                                  "(the value is not shown: it holds a key)") from None
    elif settings.account_url:
        from azure.identity import DefaultAzureCredential

        cred = (DefaultAzureCredential(authority=settings.authority) if settings.authority
                else DefaultAzureCredential())
        service = BlobServiceClient(settings.account_url, credential=cred, **options)
    else:
        raise InputError(f"no storage account for {url}",
                         hint="set account_url or connection_string in the source, or "
                              "AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT_URL")
    client = service.get_container_client(container)
    literal = prefix.split("*", 1)[0].split("?", 1)[0].split("[", 1)[0]
    try:
        listed = [_Entry(b.name, b.last_modified.timestamp() if b.last_modified else 0.0,
                         b.size or 0)
                  for b in client.list_blobs(name_starts_with=literal or None)]
    except ResourceNotFoundError:
        raise SourceError(where, f"container '{container}' does not exist at "
                          f"{service.url}", "check the container name and account") from None
    except AzureError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SourceError(where, redact_deep(f"cannot reach the container: {first}"),
                          "check the account URL or connection string and the network") from None
    keys = _match_keys(listed, prefix)
    chosen, notes = select_exports(keys, month)
    if not _have_objects(chosen, keys, month, url, "blob", notes, out):
        return
    for index, e in enumerate(chosen, start=sum(1 for _ in spool.iterdir())):
        local = _spool_name(spool, index, e.key)
        try:
            with open(local, "wb") as fh:
                client.download_blob(e.key).readinto(fh)
        except AzureError as exc:
            raise SourceError(where, redact_deep(f"cannot download {e.key}: "
                                           f"{str(exc).splitlines()[0] if str(exc) else exc}"))\
                from None
        out.files.append(sniff(str(local), f"az://{container}/{e.key}"))


def _have_objects(chosen: Sequence[Any], keys: Any, month: str | None, url: str, what: str,
                    notes: list[str], out: Any) -> bool:
    """True when there are objects to fetch (their notes recorded). False when a month filter
    left none of a listing that does hold billing periods; an error when nothing is FOCUS."""
    if chosen:
        out.notes.extend(f"{url}: {n}" for n in notes)
        return True
    if _has_partitions(keys, month):
        return False
    raise InputError(f"'{url}' matches no FOCUS {what} (.csv, .csv.gz, .parquet)")
