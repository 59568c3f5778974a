"""Fixtures for the cloud connector tests: a moto server behind a logging proxy, a local Azure
Resource Manager server, recorded price servers and Azurite. Everything listens on a free
loopback port and is started by the fixture that needs it.

Credentials are canaries: the tests assert that they never appear in output, errors or files.
"""

from __future__ import annotations

import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import servers
from cloud_helpers import (
    AWS_KEY_ID,
    AWS_SECRET,
    AZURE_CLIENT_SECRET,
    AZURE_IDENTITY_HEADER,
    AZURE_TOKEN,
    SOVEREIGN_HOSTS,
    free_port,
    make_certificates,
    wait_port,
)
from cloud_servers import AwsProxy, AzureServer, ConnectProxy

# -- AWS ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def moto_server() -> Iterator[int]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_port(port)
    yield port
    server.stop()


@pytest.fixture(scope="session")
def aws_proxy(moto_server: int) -> Iterator[AwsProxy]:
    proxy = AwsProxy(moto_server)
    yield proxy
    proxy.stop()


@pytest.fixture
def aws(aws_proxy: AwsProxy, moto_server: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> AwsProxy:
    """A fresh moto (reset) behind the proxy; boto3 reaches it through AWS_ENDPOINT_URL and a
    profile 'org-admin' holding canary credentials."""
    urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{moto_server}/moto-api/reset", method="POST"), timeout=10).read()
    aws_proxy.reset()
    home = tmp_path / "aws"
    home.mkdir()
    (home / "config").write_text("[profile org-admin]\nregion = eu-central-1\n")
    (home / "credentials").write_text(
        f"[org-admin]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_proxy.url)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return aws_proxy


# -- Azure ----------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def azure_server() -> Iterator[AzureServer]:
    server = AzureServer(AZURE_TOKEN, AZURE_IDENTITY_HEADER)
    yield server
    server.stop()


@pytest.fixture
def azure(azure_server: AzureServer, monkeypatch: pytest.MonkeyPatch) -> AzureServer:
    """The local Resource Manager, and DefaultAzureCredential pointed at its managed-identity
    token endpoint (App Service style: IDENTITY_ENDPOINT + IDENTITY_HEADER)."""
    azure_server.reset()
    for key in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "AZURE_USERNAME",
                "AZURE_FEDERATED_TOKEN_FILE", "MSI_ENDPOINT", "MSI_SECRET",
                "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{azure_server.url}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", AZURE_IDENTITY_HEADER)
    monkeypatch.setenv("AZURE_CONFIG_DIR", tempfile.mkdtemp(prefix="azcfg-"))
    return azure_server


@pytest.fixture(scope="session")
def sovereign_servers(tmp_path_factory: pytest.TempPathFactory,
                      ) -> Iterator[tuple[AzureServer, ConnectProxy, Path]]:
    """The Resource Manager and Entra ID token endpoints over TLS, with a certificate for the
    sovereign clouds' host names, behind an HTTPS proxy that tunnels every host to it."""
    import ssl

    ca, cert, key = make_certificates(tmp_path_factory.mktemp("tls"), SOVEREIGN_HOSTS)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = AzureServer(AZURE_TOKEN, AZURE_IDENTITY_HEADER, AZURE_CLIENT_SECRET, tls=context)
    proxy = ConnectProxy(server.port)
    yield server, proxy, ca
    proxy.stop()
    server.stop()


@pytest.fixture
def sovereign(sovereign_servers: tuple[AzureServer, ConnectProxy, Path],
              monkeypatch: pytest.MonkeyPatch) -> tuple[AzureServer, ConnectProxy]:
    """DefaultAzureCredential with a service principal in the environment (EnvironmentCredential:
    ClientSecretCredential), every HTTPS request through the logging proxy, the test CA
    trusted (requests reads REQUESTS_CA_BUNDLE), no managed identity."""
    server, proxy, ca = sovereign_servers
    server.reset()
    proxy.log.clear()
    for key in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET",
                "IMDS_ENDPOINT", "AZURE_AUTHORITY_HOST", "AZURE_FEDERATED_TOKEN_FILE",
                "AZURE_USERNAME", "AZURE_CLIENT_CERTIFICATE_PATH", "no_proxy", "NO_PROXY",
                "https_proxy", "http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AZURE_TENANT_ID", "72f988bf-0000-0000-0000-00000000c0de")
    monkeypatch.setenv("AZURE_CLIENT_ID", "advisor-reader")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", AZURE_CLIENT_SECRET)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    monkeypatch.setenv("AZURE_CONFIG_DIR", tempfile.mkdtemp(prefix="azcfg-"))
    return server, proxy


@pytest.fixture(scope="session")
def azurite() -> Iterator[str]:
    """Azurite's blob service; yields its connection string. Under CI=true a missing azurite
    fails instead of skipping, so a missing install step shows."""
    yield from servers.azurite()


LOCATIONS = """locations:
  - {id: onprem, provider: onprem, region: nl, country: NL, jurisdiction: EU,
     prices: {currency: EUR, cpu_hour: 0.03, memory_gb_hour: 0.004}}
  - {id: aws-fra, provider: aws, region: eu-central-1, country: DE, jurisdiction: EU,
     cloud_act: true, prices: {currency: USD, cpu_hour: 0.04, memory_gb_hour: 0.005}}
  - {id: azure-weu, provider: azure, region: westeurope, country: NL, jurisdiction: EU,
     cloud_act: true, prices: {currency: EUR, cpu_hour: 0.04, memory_gb_hour: 0.005}}
"""


@pytest.fixture
def estate(tmp_path: Path) -> Any:
    """Write advisor.yaml with the given sources block (YAML text) and workloads."""

    def make(sources: str, workloads: str = "") -> Path:
        (tmp_path / "locations.yaml").write_text(LOCATIONS)
        (tmp_path / "workloads.yaml").write_text(
            "workloads:\n" + (workloads or "  - {id: idle, application: idle, location: onprem,"
                                            " resources: {cpu: 1, memory_gb: 1}}\n"))
        (tmp_path / "advisor.yaml").write_text(
            "version: 1\nname: Test\ncurrency: EUR\nexchange_rates:\n"
            "  - {currency: USD, rate: 0.9, date: 2026-01-01}\n"
            "locations: locations.yaml\nworkloads: workloads.yaml\n"
            f"sources:\n{sources}")
        return tmp_path / "advisor.yaml"

    return make
