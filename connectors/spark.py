"""Opening a Spark session for a ``{type: focus, engine: spark}`` source.

Spark Connect (``connect: sc://host:15002``) is preferred: a thin gRPC client, no Java on the
machine that runs the advisor. A classic master URL (``master: spark://host:7077``, ``yarn``,
``local[2]``) starts a driver here instead (pyspark with Java), for clusters without Connect.
The session is handed to the ledger (``advisor.ledger.spark``), which sends it SQL and gets
grouped sums back; this module also counts the bytes that come back over Spark Connect.

A cluster that cannot be reached is a failed source (exit 3), named by its URL without
credentials (a Connect URL's ``;token=...`` parameters and any user:password are left out).
"""

from __future__ import annotations

import os
import re
import signal
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.errors import InputError, SourceError
from advisor.estate.sources import FocusSettings
from advisor.ledger.focus import ClusterTable

CONNECT_RETRIES = 2  # pyspark's default retries an unreachable server for about ten minutes
INSTALL_HINT = "install the Spark client: pip install 'hybrid-advisor[spark]'"


@dataclass
class ResultBytes:
    """Bytes of the answers a Spark Connect server sent (gRPC response messages)."""

    received: int = 0
    responses: int = 0


@dataclass
class Session:
    """An open session and what came back through it."""

    spark: Any
    where: str
    counter: ResultBytes = field(default_factory=ResultBytes)
    # A classic driver installs its own Ctrl-C handler (it cancels the jobs, then raises
    # KeyboardInterrupt); the one it replaced is put back on close, so that a stopped context's
    # handler never runs (it would fail on the context it no longer has).
    sigint: Any = None

    def close(self) -> None:
        from pyspark.errors import PySparkException

        try:
            self.spark.stop()
        except PySparkException:  # already gone: nothing of ours is left to release
            pass
        finally:
            if self.sigint is not None and \
                    threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, self.sigint)


def shown_url(url: str) -> str:
    """A cluster URL as it may be shown: no user:password, no ``;param=value`` (tokens)."""
    text = url.split(";", 1)[0]
    text = re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", text, flags=re.IGNORECASE)
    return text.rstrip("/")


def open_session(connect: str | None, master: str | None) -> Session:
    """A session on the cluster, checked to answer (one small request)."""
    url = connect or master
    assert url is not None
    where = shown_url(url)
    # gRPC's C core logs TLS handshakes and retries on stderr; the advisor reports them itself
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyspark warns about pandas versions and retries
        try:
            import pyspark  # noqa: F401
        except ImportError:
            raise InputError(f"the source needs Spark ({where}) but pyspark is not installed",
                             hint=INSTALL_HINT) from None
        from advisor.ledger.focus import quiet_pyspark

        quiet_pyspark()
        session = _connect(url, where) if connect else _classic(url, where)
        try:
            session.spark.conf.set("spark.sql.session.timeZone", "UTC")
        except Exception as exc:
            session.close()
            raise _unreachable(where, exc) from None
    return session


def _connect(url: str, where: str) -> Session:
    import grpc
    from pyspark.sql.connect.client import DefaultChannelBuilder
    from pyspark.sql.connect.client.retries import DefaultPolicy
    from pyspark.sql.connect.session import SparkSession

    if not url.startswith("sc://"):
        raise InputError(f"'{where}' is not a Spark Connect URL",
                         hint="write connect: sc://HOST:15002 (or use master: for a classic "
                              "cluster)")
    counter = ResultBytes()

    class _Counting:
        """A response stream that adds up the size of each message it yields."""

        def __init__(self, stream: Any) -> None:
            self._stream = stream

        def __iter__(self) -> _Counting:
            return self

        def __next__(self) -> Any:
            message = next(self._stream)
            counter.received += message.ByteSize()
            counter.responses += 1
            return message

        def __getattr__(self, name: str) -> Any:
            return getattr(self._stream, name)

    class _Interceptor(grpc.UnaryStreamClientInterceptor):  # type: ignore[misc]
        def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
            return _Counting(continuation(details, request))

    try:
        builder = DefaultChannelBuilder(url)
    except Exception as exc:  # pyspark rejects a malformed URL with its own error classes
        raise InputError(f"invalid Spark Connect URL '{where}': {exc}",
                         hint="write connect: sc://HOST:PORT") from None
    builder.add_interceptor(_Interceptor())
    spark = SparkSession.builder.channelBuilder(builder).create()
    spark.client.set_retry_policies([DefaultPolicy(max_retries=CONNECT_RETRIES,
                                                   initial_backoff=200, max_backoff=2000)])
    return Session(spark, where, counter)


def _classic(master: str, where: str) -> Session:
    """A classic driver in this process (needs Java, as pyspark does)."""
    from pyspark.sql import SparkSession

    previous = signal.getsignal(signal.SIGINT)
    try:
        spark = (SparkSession.builder.master(master).appName("advisor-ledger")
                 .config("spark.ui.enabled", "false")
                 .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    except Exception as exc:  # Java missing or the master refused: pyspark's own errors
        raise _unreachable(where, exc) from None
    return Session(spark, where, sigint=previous)


def _unreachable(where: str, exc: BaseException) -> SourceError:
    from advisor.ledger.focus import trim

    text = trim(exc)
    if "UNAVAILABLE" in text or "failed to connect" in text.lower():
        text = "no answer (connection refused or unreachable)"
    return SourceError(f"spark {where}", f"cannot reach the cluster: {text}",
                       "check the URL, that the Spark Connect server runs and the network")


def open_table(settings: FocusSettings, session: Session) -> ClusterTable:
    """The ledger's view of a focus source on the cluster. A relative local path is relative to
    the advisor.yaml (a cluster on this machine); URLs and absolute paths are the cluster's."""
    path = settings.paths[0] if settings.paths and not settings.table else None
    full = path
    if path is not None and "://" not in path and not Path(path).is_absolute():
        full = str((settings.base / path).resolve())
    return ClusterTable(session=session.spark, origin=settings.table or path or "",
                        where=session.where, table=settings.table, path=full,
                        format=settings.format, filters=settings.filters)
