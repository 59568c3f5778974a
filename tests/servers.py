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
