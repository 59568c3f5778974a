"""Local HTTP servers the cloud tests talk to through the real SDK clients.

- ``AwsProxy``: forwards every request to a moto server and logs the operation called (for the
  read-only test); it can answer a chosen operation with an AWS error first (throttling, access
  denied, expired token) in the service's own wire format.
- ``AzureServer``: the Resource Manager REST shape for Cost Management queries (pages through
  ``nextLink``; 429 with each throttling header; 401, 403, 404, 500), compute inventory, and the
  App Service managed-identity token endpoint that ``DefaultAzureCredential`` uses.
- ``StaticServer``: recorded answers (AWS Price List JSON protocol, Azure Retail Prices pages).
- ``ConnectProxy``: an HTTPS proxy (CONNECT) that logs which host each client asked for and
  tunnels it to one local TLS server, so SDK clients can be pointed at real cloud host names
  (sovereign clouds) and still reach a server on this machine.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler],
                 tls: ssl.SSLContext | None = None) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.owner = self  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


# -- AWS ------------------------------------------------------------------------------------------

@dataclass
class AwsFault:
    action: str  # e.g. GetCostAndUsage, AssumeRole
    code: str
    status: int = 400
    match: str | None = None  # substring the request body must hold
    times: int = 1  # how many requests it answers; -1: forever


class _AwsHandler(_Quiet):
    def _any(self) -> None:
        owner: AwsProxy = self.server.owner  # type: ignore[attr-defined]
        body = self._body()
        target = self.headers.get("X-Amz-Target")
        if target:
            action, protocol = target.rsplit(".", 1)[-1], "json"
        else:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            if "Action" in form:
                action, protocol = form["Action"][0], "query"
            else:
                action, protocol = f"s3:{self.command}", "rest"
        owner.log.append((action, self.command, self.path))
        owner.auth.append(self.headers.get("Authorization", ""))
        text = body.decode("utf-8", "replace")
        for fault in owner.faults:
            if fault.action == action and fault.times != 0 and (
                    fault.match is None or fault.match in text):
                if fault.times > 0:
                    fault.times -= 1
                self._fault(fault, protocol)
                return
        conn = http.client.HTTPConnection("127.0.0.1", owner.moto_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = f"127.0.0.1:{owner.moto_port}"
        conn.request(self.command, self.path, body=body or None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "transfer-encoding", "connection", "server",
                                 "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    def _fault(self, fault: AwsFault, protocol: str) -> None:
        message = f"injected {fault.code}"
        if protocol == "json":
            body = json.dumps({"__type": fault.code, "message": message}).encode()
            self._send(fault.status, body, {"x-amzn-ErrorType": fault.code},
                       "application/x-amz-json-1.1")
        else:
            body = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{fault.code}</Code>'
                    f'<Message>{message}</Message></Error><RequestId>r1</RequestId>'
                    f'</ErrorResponse>').encode()
            self._send(fault.status, body, content_type="text/xml")

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any


class AwsProxy(_Server):
    def __init__(self, moto_port: int) -> None:
        self.moto_port = moto_port
        self.log: list[tuple[str, str, str]] = []
        self.auth: list[str] = []
        self.faults: list[AwsFault] = []
        super().__init__(_AwsHandler)

    def reset(self) -> None:
        self.log.clear()
        self.auth.clear()
        self.faults.clear()

    def actions(self) -> list[str]:
        return [a for a, _, _ in self.log]


# -- Azure ----------------------------------------------------------------------------------------

@dataclass
class AzureReply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


class _AzureHandler(_Quiet):
    def _any(self) -> None:
        owner: AzureServer = self.server.owner  # type: ignore[attr-defined]
        body = self._body()
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        path = parsed.path
        owner.log.append((self.command, path, parsed.query))
        owner.hosts.append((self.headers.get("Host", ""), self.command, path))
        if path.endswith("/v2.0/.well-known/openid-configuration"):
            tenant = path.split("/")[1]
            authority = f"https://{self.headers.get('Host', '')}/{tenant}"
            self._send(200, json.dumps({
                "issuer": f"{authority}/v2.0",
                "token_endpoint": f"{authority}/oauth2/v2.0/token",
                "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize"}).encode())
            return
        if path.endswith("/oauth2/v2.0/token") and self.command == "POST":
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
            if form.get("client_secret") != owner.client_secret:
                self._send(401, json.dumps({"error": "invalid_client",
                                            "error_description": "bad secret"}).encode())
                return
            form.pop("client_secret")
            owner.token_requests.append((self.headers.get("Host", ""), path, form))
            self._send(200, json.dumps({"access_token": owner.token, "token_type": "Bearer",
                                        "expires_in": 3600, "ext_expires_in": 3600}).encode())
            return
        if path == "/msi/token":
            if self.headers.get("X-IDENTITY-HEADER") != owner.identity_header:
                self._send(400, b'{"error": "bad identity header"}')
                return
            token = {"access_token": owner.token, "token_type": "Bearer",
                     "expires_on": str(int(time.time()) + 3600),
                     "resource": query.get("resource", [""])[0]}
            self._send(200, json.dumps(token).encode())
            return
        auth = self.headers.get("Authorization", "")
        owner.auth.append(auth)
        if auth != f"Bearer {owner.token}":
            self._reply(AzureReply(401, body={"error": {"code": "AuthenticationFailed",
                                                        "message": "bad token"}}))
            return
        scope = path.split("/providers/Microsoft.CostManagement/")[0]
        queue = owner.faults.get(scope) or owner.faults.get("*")
        if queue:
            self._reply(queue.pop(0))
            return
        throttle = owner.throttle_until.get(scope)
        if throttle is not None and time.monotonic() < throttle[0]:
            self._reply(AzureReply(429, throttle[1], {"error": {"code": "429",
                                                                "message": "Too many requests"}}))
            return
        if path.endswith("/providers/Microsoft.CostManagement/query") and self.command == "POST":
            request = json.loads(body or b"{}")
            owner.queries.append((scope, request))
            owner.query_headers.append(dict(self.headers))
            pages = owner.pages.get((scope, request.get("type", "")))
            if pages is None:
                self._reply(AzureReply(404, body={"error": {
                    "code": "NotFound", "message": f"scope {scope} not found"}}))
                return
            index = int(query.get("$skiptoken", ["0"])[0])
            page = dict(pages[index])
            props = dict(page["properties"])
            if index + 1 < len(pages):
                origin = f"{owner.url.split(':', 1)[0]}://{self.headers.get('Host')}"
                props["nextLink"] = (f"{origin}{path}?api-version="
                                     f"{query.get('api-version', [''])[0]}&$skiptoken="
                                     f"{index + 1}")
            page["properties"] = props
            self._reply(AzureReply(200, body=page))
            return
        handler = owner.routes.get(path)
        if handler is not None and self.command == "GET":
            self._reply(handler(query))
            return
        self._reply(AzureReply(404, body={"error": {"code": "NotFound", "message": path}}))

    def _reply(self, reply: AzureReply) -> None:
        self._send(reply.status, json.dumps(reply.body).encode(), reply.headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any


class AzureServer(_Server):
    def __init__(self, token: str, identity_header: str, client_secret: str = "",
                 tls: ssl.SSLContext | None = None) -> None:
        self.token = token
        self.identity_header = identity_header
        self.client_secret = client_secret
        self.hosts: list[tuple[str, str, str]] = []  # (Host header, method, path)
        self.token_requests: list[tuple[str, str, dict[str, str]]] = []  # secret removed
        self.log: list[tuple[str, str, str]] = []
        self.auth: list[str] = []
        self.queries: list[tuple[str, dict[str, Any]]] = []
        self.query_headers: list[dict[str, str]] = []
        # scope -> (monotonic deadline, headers): a quota that answers 429 until then
        self.throttle_until: dict[str, tuple[float, dict[str, str]]] = {}
        self.pages: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.faults: dict[str, list[AzureReply]] = {}
        self.routes: dict[str, Callable[[dict[str, list[str]]], AzureReply]] = {}
        super().__init__(_AzureHandler, tls)

    def reset(self) -> None:
        self.hosts.clear()
        self.token_requests.clear()
        self.log.clear()
        self.auth.clear()
        self.queries.clear()
        self.query_headers.clear()
        self.throttle_until.clear()
        self.pages.clear()
        self.faults.clear()
        self.routes.clear()


def query_page(columns: list[tuple[str, str]], rows: list[list[Any]]) -> dict[str, Any]:
    """One Cost Management query answer in the REST shape."""
    return {"id": "q", "name": "q", "type": "Microsoft.CostManagement/query",
            "properties": {"columns": [{"name": n, "type": t} for n, t in columns],
                           "rows": rows}}


# -- recorded answers -----------------------------------------------------------------------------

class _StaticHandler(_Quiet):
    def _any(self) -> None:
        owner: StaticServer = self.server.owner  # type: ignore[attr-defined]
        body = self._body()
        owner.log.append((self.command, self.path, self.headers.get("X-Amz-Target", ""),
                          body.decode("utf-8", "replace")))
        status, headers, payload, ctype = owner.answer(self.command, self.path,
                                                       dict(self.headers), body)
        self._send(status, payload, headers, ctype)

    do_GET = do_POST = _any


class StaticServer(_Server):
    def __init__(self, answer: Callable[[str, str, dict[str, str], bytes],
                                        tuple[int, dict[str, str], bytes, str]]) -> None:
        self.answer = answer
        self.log: list[tuple[str, str, str, str]] = []
        super().__init__(_StaticHandler)


# -- an HTTPS proxy -------------------------------------------------------------------------------

class _ConnectHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_CONNECT(self) -> None:
        owner: ConnectProxy = self.server.owner  # type: ignore[attr-defined]
        owner.log.append(self.path)
        upstream = socket.create_connection(("127.0.0.1", owner.target_port), timeout=30)
        self.send_response(200, "Connection established")
        self.end_headers()
        sockets = [self.connection, upstream]
        try:
            while True:
                ready, _, broken = select.select(sockets, [], sockets, 30)
                if broken or not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is self.connection else self.connection).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()
            self.close_connection = True


class ConnectProxy(_Server):
    """Every CONNECT (whatever host it names) is tunnelled to ``target_port`` on this machine;
    ``log`` keeps the ``host:port`` each client asked for."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.log: list[str] = []
        super().__init__(_ConnectHandler)
