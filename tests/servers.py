"""Local servers the connector tests share: free ports, waiting for a listener, Azurite.

Importable from any test module (pytest puts tests/ on sys.path for tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Azurite's well-known development account (public and documented; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
               "KBHBeksoGMGw==")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def require_binary(candidates: list[str | None], message: str) -> str:
    """The first existing binary; otherwise fail under CI=true (a missing install step must
    show) and skip elsewhere."""
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError  # unreachable


def azurite() -> Iterator[str]:
    """Run Azurite's blob service on a free loopback port; yield its connection string."""
    binary = require_binary(
        [os.environ.get("AZURITE_BLOB"),
         str(ROOT / ".ci-node" / "node_modules" / ".bin" / "azurite-blob"),
         shutil.which("azurite-blob")],
        "azurite-blob not found: run `npm install --prefix .ci-node azurite@3` "
        "(or set AZURITE_BLOB)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--inMemoryPersistence",
         "--skipApiVersionCheck", "--disableTelemetry", "--silent"],
        cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(port)
    except RuntimeError:
        proc.kill()
        err = proc.stderr.read().decode() if proc.stderr else ""
        pytest.fail(f"azurite did not start: {err[:500]}")
    try:
        yield (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
               f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/"
               f"{AZURITE_ACCOUNT};")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(server: Any) -> threading.Thread:
    """Run a (Threading)HTTPServer in a daemon thread; stop it with ``shutdown``."""
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return thread


def shutdown(server: Any) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()


SPARK_STARTED = "Spark Connect server started"


def spark_connect(seconds: float = 240.0, conf: dict[str, str] | None = None,
                  master: str = "local[2]") -> Iterator[str]:
    """A Spark Connect server in local mode, started with the pyspark package's own script on a
    free loopback port (logs, pid file, warehouse in a temp folder); yields its sc:// URL.

    One per test session: the Spark tests share the xdist group "spark", so one worker runs them.
    ``benchmarks/ledger_spark.py`` starts its own with more memory (``conf`` overrides).
    """
    try:
        import pyspark
    except ImportError:
        require_binary([], "pyspark is not installed: pip install -e '.[test]'")
        raise
    require_binary([shutil.which("java"), "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"],
                   "java not found: apt-get install openjdk-17-jre-headless")
    home = Path(pyspark.__file__).resolve().parent
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="advisor-spark-"))
    env = dict(os.environ, SPARK_HOME=str(home), SPARK_LOG_DIR=str(tmp / "log"),
               SPARK_PID_DIR=str(tmp / "pid"), SPARK_IDENT_STRING="advisor-tests")
    env.pop("SPARK_REMOTE", None)
    conf = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.catalogImplementation": "in-memory",
        "spark.sql.warehouse.dir": str(tmp / "warehouse"),
        "spark.sql.shuffle.partitions": "4",
        "spark.driver.memory": "1g",
        **(conf or {}),
    }
    args = ["bash", str(home / "sbin" / "start-connect-server.sh"), "--master", master]
    for key, value in conf.items():
        args += ["--conf", f"{key}={value}"]
    subprocess.run(args, env=env, cwd=tmp, check=True, capture_output=True, timeout=120)
    deadline = time.monotonic() + seconds
    logs = tmp / "log"
    try:
        while True:
            text = "".join(p.read_text(errors="replace") for p in logs.glob("*.out"))
            if SPARK_STARTED in text:
                break
            if time.monotonic() > deadline or "Exception in thread \"main\"" in text:
                pytest.fail(f"Spark Connect did not start:\n{text[-2000:]}")
            time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        subprocess.run(["bash", str(home / "sbin" / "stop-connect-server.sh")], env=env, cwd=tmp,
                       check=False, capture_output=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)
