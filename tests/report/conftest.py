"""Fixtures for the report tests: a real PostgreSQL server, a local SMTP relay with STARTTLS and
login, and Chromium. Each starts on a free loopback port in a temporary folder and stops after.

PostgreSQL comes from Debian's ``postgresql`` package, Chromium from ``chromium``, the SMTP server
from ``aiosmtpd`` (PyPI) and ``openssl`` makes its certificate. Without one of them the tests
that need it are skipped on a developer machine and FAIL under CI=true, so a missing install step
in .ci/run shows.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_helpers import Relay
from servers import free_port, wait_port


def missing(what: str) -> None:
    """Skip, or fail under CI (where .ci/run must have installed it)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is not installed (CI=true): .ci/run must install it")
    pytest.skip(f"{what} is not installed")


# -- PostgreSQL -----------------------------------------------------------------------------------

def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL cluster of its own (initdb + pg_ctl) on a free port; yields its base URL."""
    bindir = _pg_bin()
    if bindir is None:
        missing("PostgreSQL (Debian package postgresql)")
    assert bindir is not None
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg (pip install 'psycopg[binary]')")
    root = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "postgres", "-E", "UTF8", "--no-locale"], check=True,
                   capture_output=True)
    options = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off " \
              "-c full_page_writes=off -c synchronous_commit=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                    str(root / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        wait_port(port)
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the shared server, for one test."""
    import psycopg

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with psycopg.connect(pg_server + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server}/{name}"


# -- SMTP -----------------------------------------------------------------------------------------

def _certificate(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        missing("openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="session")
def relay_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made once (the client trusts it via --smtp-ca)."""
    return _certificate(tmp_path_factory.mktemp("relay-cert"))


def _start_relay(cert_key: tuple[Path, Path], starttls: bool) -> Iterator[Relay]:
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword
    except ImportError:
        missing("aiosmtpd (pip install aiosmtpd)")
    import ssl

    cert, key = cert_key
    relay = Relay("127.0.0.1", free_port(), str(cert), "report-bot", "s3cret")

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            relay.messages.append(envelope)
            return "250 OK"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> Any:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == relay.user \
            and auth_data.password.decode() == relay.password
        if ok:
            relay.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535

    kwargs: dict[str, Any] = {"authenticator": authenticator, "auth_require_tls": starttls}
    if starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(Handler(), hostname="127.0.0.1", port=relay.port, **kwargs)
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


@pytest.fixture
def smtp_relay(relay_cert: tuple[Path, Path]) -> Iterator[Relay]:
    """An SMTP relay that requires STARTTLS (self-signed certificate) and accepts one login."""
    yield from _start_relay(relay_cert, starttls=True)


@pytest.fixture
def plain_relay(relay_cert: tuple[Path, Path]) -> Iterator[Relay]:
    """A relay on a 'closed network' that offers no STARTTLS."""
    yield from _start_relay(relay_cert, starttls=False)


# -- Chromium -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    missing("Chromium (Debian package chromium)")
    raise AssertionError  # not reached
