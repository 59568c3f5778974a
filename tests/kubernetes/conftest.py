"""Fixtures: a local Kubernetes API server (real client, real HTTP) and a real Prometheus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import promdata
from k8s_fakeapi import Cluster, FakeApiServer, estate_cluster, write_kubeconfig
from k8s_support import CATALOGUE, LOCATIONS, Prometheus
from servers import free_port


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    return estate_cluster()


@pytest.fixture
def api_server(cluster: Cluster) -> Iterator[FakeApiServer]:
    server = FakeApiServer(cluster).start()
    yield server
    server.stop()


@pytest.fixture
def kubeconfig(tmp_path: Path, api_server: FakeApiServer) -> Path:
    """Contexts: dc1 -> the fake API server; down -> a closed port."""
    return write_kubeconfig(tmp_path / "kubeconfig", {"dc1": api_server.url,
                                                      "down": f"http://127.0.0.1:{free_port()}"})


def _require(binary: str) -> str:
    path = shutil.which(binary)
    if path:
        return path
    message = (f"'{binary}' is not installed (Debian package 'prometheus'; .ci/run installs it)")
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
    raise AssertionError  # unreachable


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """A real Prometheus over a TSDB backfilled with a week of generated series."""
    prom, promtool = _require("prometheus"), _require("promtool")
    root = tmp_path_factory.mktemp("prometheus")
    data = promdata.write(root / "series.om")
    tsdb = root / "tsdb"
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                    "--max-block-duration=240h", str(data), str(tsdb)], check=True,
                   capture_output=True, timeout=120)
    data.unlink()
    config = root / "prometheus.yml"
    config.write_text("global: {}\n")
    port = free_port()
    log = (root / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [prom, f"--storage.tsdb.path={tsdb}", f"--web.listen-address=127.0.0.1:{port}",
         f"--config.file={config}", "--storage.tsdb.retention.time=100y",
         "--log.level=warn"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("prometheus did not start:\n"
                            + (root / "prometheus.log").read_text()[-2000:])
            time.sleep(0.1)
        yield Prometheus(url, "2024-01-01T00:00:00Z")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def estate_dir(tmp_path: Path) -> Path:
    """An estate with an on-premise location priced by TCO, a cloud location, a catalogue."""
    folder = tmp_path / "estate"
    folder.mkdir()
    (folder / "locations.yaml").write_text(LOCATIONS)
    (folder / "workloads.yaml").write_text(CATALOGUE)
    (folder / "advisor.yaml").write_text(
        "version: 1\nname: Test\ncurrency: EUR\nlocations: locations.yaml\n"
        "workloads: workloads.yaml\n")
    return folder


