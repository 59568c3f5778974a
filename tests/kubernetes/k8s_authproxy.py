"""An authenticating reverse proxy in front of the real Prometheus fixture (as oauth2-proxy,
kube-rbac-proxy or an nginx with auth_basic would be), optionally over https.

Requests whose Authorization header is not ``expect`` get 401 with a ``WWW-Authenticate``
challenge; the others are forwarded to ``upstream`` and its answer is passed back unchanged.
``echo`` makes it a misbehaving proxy that reflects the Authorization header it got in an
error body, to prove the advisor never repeats a secret an upstream sends back.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from servers import serve, shutdown


class AuthProxy:
    def __init__(self, upstream: str, expect: str | None, echo: bool = False,
                 tls: tuple[Path, Path] | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.expect = expect
        self.echo = echo
        self.tls = tls
        self.seen: list[str | None] = []  # the Authorization header of every request
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> AuthProxy:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        serve(self._server)
        return self

    def stop(self) -> None:
        shutdown(self._server)

    @property
    def url(self) -> str:
        assert self._server
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"


def _handler(proxy: AuthProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # the stdlib's signature
            pass

        def answer(self, code: int, body: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            given = self.headers.get("Authorization")
            with proxy.lock:
                proxy.seen.append(given)
            if proxy.echo:
                self.answer(502, ('{"status":"error","error":"upstream refused request with '
                                  f'Authorization: {given}"}}').encode())
                return
            if given != proxy.expect:
                self.answer(401, b'{"error":"unauthorized"}',
                            {"WWW-Authenticate": 'Bearer realm="prometheus"'})
                return
            request = urllib.request.Request(
                proxy.upstream + self.path, data=body, method=self.command,
                headers={"Content-Type": self.headers.get("Content-Type",
                                                          "application/octet-stream")})
            try:
                with urllib.request.urlopen(request, timeout=30) as resp:
                    self.answer(resp.status, resp.read())
            except urllib.error.HTTPError as exc:
                self.answer(exc.code, exc.read())

        do_GET = forward  # the stdlib's names
        do_POST = forward

    return Handler


def make_certificates(folder: Path) -> tuple[Path, Path, Path] | None:
    """A private CA and a server certificate for 127.0.0.1: (ca, cert, key); None without
    openssl."""
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr = folder / "server.pem", folder / "server.key", folder / "server.csr"
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for args in (
        ["req", "-x509", *curve, "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=advisor test CA"],
        ["req", *curve, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", cert, "-days", "2", "-extfile", ext],
    ):
        subprocess.run([openssl, *map(str, args)], check=True, capture_output=True, timeout=30)
    return ca, cert, key
