"""Fixtures for the ledger tests: FOCUS files written on the fly, a moto S3 server and Azurite.

Both servers are real processes/threads on free loopback ports, started once per test session.
Azurite comes from npm (``npm install --prefix .ci-node azurite``); without it the Azure tests
are skipped on a developer machine and FAIL under CI=true, so a missing install step shows.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import servers
from ledger_helpers import LOCATIONS
from servers import free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]

@pytest.fixture(scope="session")
def aws_env() -> Iterator[None]:
    """Dummy credentials so boto3 never looks further (no real account is ever touched)."""
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="eu-west-1")
    os.environ.pop("AWS_SESSION_TOKEN", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def moto_url(aws_env: None) -> Iterator[str]:
    """A moto S3 server on a free loopback port."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_port(port)
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_url: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=moto_url, region_name="eu-west-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(scope="session")
def azurite() -> Iterator[str]:
    """Azurite's blob service on a free loopback port; yields its connection string."""
    yield from servers.azurite()


@pytest.fixture
def estate_dir(tmp_path: Path) -> Any:
    """Write a small estate (advisor.yaml, locations, workloads) with the given parts."""

    def make(workloads: str, sources: str = "[]", rates: str = "",
             currency: str = "EUR") -> Path:
        (tmp_path / "locations.yaml").write_text(LOCATIONS)
        (tmp_path / "workloads.yaml").write_text(
            "workloads:\n" + (workloads or "  - {id: idle, application: idle, location: dc1, "
                                          "resources: {cpu: 1, memory_gb: 1}}\n"))
        rates_block = f"exchange_rates:\n{rates}" if rates else ""
        (tmp_path / "advisor.yaml").write_text(
            f"version: 1\nname: Test\ncurrency: {currency}\n{rates_block}\n"
            f"locations: locations.yaml\nworkloads: workloads.yaml\nsources: {sources}\n")
        return tmp_path / "advisor.yaml"

    return make


@pytest.fixture(scope="session")
def spark_url() -> Iterator[str]:
    """One Spark Connect server (local mode) for the session's Spark tests (xdist group spark)."""
    yield from servers.spark_connect()


@pytest.fixture(scope="session")
def spark(spark_url: str) -> Iterator[Any]:
    """A Spark Connect client for the tests' own set-up (tables the ledger then reads)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyspark.sql.connect.session import SparkSession

        session = SparkSession.builder.remote(spark_url).create()
    yield session
    session.stop()
