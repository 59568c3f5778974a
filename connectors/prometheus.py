"""Usage and traffic from Prometheus: p95 CPU and memory per workload, service-mesh edges.

Everything is an instant query at an explicit ``time=`` (the end of the window), so old data and
backfilled history give the same answer as a live server. Per workload:

- CPU: ``quantile_over_time(0.95, (sum by workload of rate(cpu[rate_window]))[window:step])``
- memory: the same over the working-set gauge, in GB (GiB, 2^30 bytes).

Pods are attributed to their controller with the kube-state-metrics owner series
(``kube_pod_owner``, then ``kube_replicaset_owner`` for Deployments and ``kube_job_owner`` for
CronJobs), so pods that came and went during the window still count for their workload. Metric
and label names are settings, for installations that relabel them.

Traffic: Istio's byte counters (reporter="destination" by default) summed over the window per
(source workload, destination workload), scaled to a 730-hour month.

Authentication (``PromAuth``): a bearer token from a file or an environment variable, or basic
auth with the password from an environment variable or a file; a private CA or no verification
for https. Settings hold where a secret is, never the secret: it is read when the client is
made, sent only as an unredirected Authorization header, and scrubbed from every message.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from advisor.errors import InputError, SourceError
from advisor.estate.model import HOURS_PER_MONTH
from advisor.estate.sources.common import parse_duration
from advisor.estate.sources.kubernetes import DEFAULT_LABELS, DEFAULT_METRICS
from advisor.redact import redact

GIB = Decimal(2**30)

# what an HTTP header value may hold (visible ASCII and space); anything else is refused unshown
_HEADER_SAFE = re.compile(r"^[\x20-\x7e]+$")

# (namespace, kind in lower case, controller name): how both sources name a workload.
WorkloadKey = tuple[str, str, str]


@dataclass(frozen=True)
class PromAuth:
    """Where Prometheus credentials are: a token file or variable, or basic auth. No secrets."""

    bearer_token_file: str | None = None
    bearer_token_env: str | None = None
    username: str | None = None  # basic auth, with password_env or password_file
    password_env: str | None = None
    password_file: str | None = None

    def describe(self) -> str:
        """Which credentials, for messages: the file or variable, never the value."""
        if self.bearer_token_file:
            return f"the bearer token in {self.bearer_token_file}"
        if self.bearer_token_env:
            return f"the bearer token in ${self.bearer_token_env}"
        where = f"${self.password_env}" if self.password_env else str(self.password_file)
        return f"basic auth as '{self.username}' (password in {where})"

    def secrets(self) -> tuple[str, str]:
        """(Authorization header value, the secret itself); InputError when unavailable."""
        if self.bearer_token_file or self.bearer_token_env:
            token = _secret(self.bearer_token_file, self.bearer_token_env,
                            "prometheus_auth.bearer_token_file", "prometheus_auth.bearer_token_env")
            return f"Bearer {token}", token
        password = _secret(self.password_file, self.password_env,
                           "prometheus_auth.basic_auth.password_file",
                           "prometheus_auth.basic_auth.password_env", token=False)
        user = self.username or ""
        if ":" in user or not _HEADER_SAFE.match(user):
            raise InputError(f"prometheus_auth.basic_auth.username '{user}' cannot be used for "
                             "basic auth (no ':' or control characters)")
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        return f"Basic {encoded}", password


def _secret(file: str | None, env: str | None, file_key: str, env_key: str,
            token: bool = True) -> str:
    """A secret from a file (trailing newline dropped) or a variable; never shown in errors."""
    if file:
        try:
            text = Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise InputError(f"{file_key}: cannot read {file}: {exc.strerror or 'unreadable'}",
                             hint="check the path (relative paths are from the advisor.yaml "
                             "folder)") from None
        except UnicodeDecodeError:
            raise InputError(f"{file_key}: {file} is not UTF-8 text") from None
        where = f"{file_key} {file}"
    else:
        assert env is not None
        if env not in os.environ:
            raise InputError(f"{env_key}: the environment variable {env} is not set",
                             hint=f"export {env} before running the advisor") from None
        text = os.environ[env]
        where = f"{env_key} ${env}"
    if token:
        text = text.strip()
    if not text:
        raise InputError(f"{where} is empty")
    if "\n" in text or "\r" in text or (token and not _HEADER_SAFE.match(text)):
        raise InputError(f"{where} holds line breaks, control or non-ASCII characters "
                         "(the value is not shown)", hint="a token is one line of ASCII")
    return text


@dataclass(frozen=True)
class PromSettings:
    """Where Prometheus is and how its series are named; validated by ``kubernetes``."""

    url: str
    window: str = "14d"
    step: str = "5m"
    rate_window: str = "5m"
    timeout: float = 30.0
    metrics: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_METRICS))
    labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LABELS))
    selector: str = ""  # extra matchers for every series, e.g. cluster="dc1"
    mesh: str = "istio"
    mesh_reporter: str = "destination"
    auth: PromAuth | None = None
    ca_file: str | None = None  # a private CA for https (PEM)
    insecure: bool = False  # https without certificate verification

    @property
    def window_seconds(self) -> int:
        return parse_duration(self.window)


@dataclass(frozen=True)
class Edge:
    """Traffic from a calling workload to a called one, per month in GB."""

    source: tuple[str, str]  # (namespace, workload name as the mesh names it)
    destination: tuple[str, str]
    send_gb_month: Decimal  # caller -> callee (requests)
    receive_gb_month: Decimal  # callee -> caller (responses)


@dataclass
class PromUsage:
    """What Prometheus said, keyed by workload; notes explain gaps."""

    cpu_p95: dict[WorkloadKey, Decimal] = field(default_factory=dict)
    memory_gb_p95: dict[WorkloadKey, Decimal] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class PrometheusClient:
    """The HTTP API, one instant query at a time. ``opener`` is the injectable network seam."""

    def __init__(self, url: str, timeout: float = 30.0, source: str = "prometheus",
                 opener: Callable[..., Any] | None = None, auth: PromAuth | None = None,
                 ca_file: str | None = None, insecure: bool = False) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.source = source
        self.auth = auth
        self._authorization = ""
        self._hidden: tuple[str, ...] = ()
        if auth is not None:
            self._authorization, secret = auth.secrets()
            self._hidden = tuple(sorted({secret, self._authorization,
                                         self._authorization.split(" ", 1)[1]},
                                        key=len, reverse=True))
        if opener is None:
            handlers: list[Any] = []
            if self.url.startswith("https://") or ca_file or insecure:
                handlers.append(urllib.request.HTTPSHandler(
                    context=_tls_context(ca_file, insecure)))
            opener = urllib.request.build_opener(*handlers).open
        self._open = opener

    @classmethod
    def for_settings(cls, s: PromSettings, source: str = "prometheus",
                     opener: Callable[..., Any] | None = None) -> PrometheusClient:
        return cls(s.url, s.timeout, source, opener, s.auth, s.ca_file, s.insecure)

    def _scrub(self, text: str) -> str:
        """Any message text with the secret (and its header forms) blanked out."""
        for secret in self._hidden:
            text = text.replace(secret, "[redacted]")
        return redact(text)

    def _fail(self, message: str, hint: str | None = None) -> SourceError:
        return SourceError(self.source, self._scrub(message),
                           self._scrub(hint) if hint else None)

    def query(self, promql: str, at: dt.datetime) -> list[dict[str, Any]]:
        """An instant query at ``at``; the vector result. PromQL errors are InputErrors."""
        body = urllib.parse.urlencode({"query": promql, "time": f"{at.timestamp():.3f}",
                                       "timeout": f"{int(self.timeout)}s"}).encode()
        request = urllib.request.Request(  # noqa: S310 - the user's Prometheus URL, http(s) only
            f"{self.url}/api/v1/query", data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/json"})
        if self._authorization:
            # unredirected: a redirect to another host never carries the credentials
            request.add_unredirected_header("Authorization", self._authorization)
        where = f"Prometheus at {self.url}"
        try:
            with self._open(request, timeout=self.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read() if exc.fp else b""
            payload = _json_or_none(raw)
            if exc.code in (401, 403):
                raise self._refused(exc.code) from None
            if isinstance(payload, dict) and payload.get("errorType") == "bad_data":
                raise InputError(self._scrub(f"{where} rejected a query: {payload.get('error')}"),
                                 hint=f"check the metric and label names in the source settings;"
                                 f" the query was: {_short(promql)}") from None
            detail = payload.get("error") if isinstance(payload, dict) else raw[:200].decode(
                "utf-8", "replace").strip()
            detail = " ".join(str(detail).split())
            raise self._fail(f"{where} answered HTTP {exc.code}: {detail}",
                             "check the URL points at Prometheus (its /api/v1/query)") from None
        except urllib.error.URLError as exc:
            reason = exc.reason if isinstance(exc.reason, str) else (
                getattr(exc.reason, "strerror", None) or str(exc.reason))
            hint = "check the URL and that Prometheus is running"
            if isinstance(exc.reason, ssl.SSLError):
                hint = ("give the CA that signed its certificate with prometheus_ca / "
                        "--prometheus-ca")
            raise self._fail(f"cannot reach {where}: {reason}", hint) from None
        except TimeoutError:
            raise self._fail(f"{where} did not answer within {self.timeout:g} s",
                             "raise the source's timeout or shorten the window") from None
        except (OSError, ValueError) as exc:
            raise self._fail(f"reading from {where} failed: {exc}") from None
        payload = _json_or_none(raw)
        if not isinstance(payload, dict) or payload.get("status") != "success":
            message = payload.get("error") if isinstance(payload, dict) else "not JSON"
            raise self._fail(f"{where} gave an unusable answer: {message}")
        data = payload.get("data") or {}
        if data.get("resultType") != "vector":
            raise self._fail(f"{where} answered a {data.get('resultType')} where a vector was "
                             "expected")
        result = data.get("result") or []
        return result if isinstance(result, list) else []


    def _refused(self, code: int) -> SourceError:
        status = "401 Unauthorized" if code == 401 else "403 Forbidden"
        where = f"Prometheus at {self.url}"
        if self.auth is None:
            return self._fail(f"{where} answered HTTP {status}: it requires credentials and "
                              "none were given",
                              "give prometheus_auth in the source (or --prometheus-token-file, "
                              "--prometheus-token-env, --prometheus-user with "
                              "--prometheus-password-env)")
        verb = "refused" if code == 401 else "does not allow queries with"
        return self._fail(f"{where} answered HTTP {status}: it {verb} {self.auth.describe()}",
                          "check the credentials are current and valid for this Prometheus")


def _tls_context(ca_file: str | None, insecure: bool) -> ssl.SSLContext:
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise InputError(f"prometheus_ca: {ca_file} not found") from None
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise InputError(f"prometheus_ca: {ca_file} is not a PEM CA certificate "
                         f"({type(exc).__name__})") from None


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _short(text: str, size: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size] + "..."


def _value(sample: dict[str, Any]) -> Decimal | None:
    try:
        amount = Decimal(str(sample["value"][1]))
    except (KeyError, IndexError, TypeError, InvalidOperation):
        return None
    return amount if amount.is_finite() else None


class _Queries:
    """PromQL text built from the (validated) metric and label names."""

    def __init__(self, s: PromSettings) -> None:
        self.m = s.metrics
        self.ns = s.labels["namespace"]
        self.pod = s.labels["pod"]
        self.container = s.labels["container"]
        self.sel = s.selector.strip().strip(",")
        self.s = s

    def _sel(self, *matchers: str) -> str:
        parts = [m for m in (*matchers, self.sel) if m]
        return "{" + ",".join(parts) + "}" if parts else ""

    def owners(self) -> str:
        """(namespace, pod) -> owner_kind, owner_name of the pod's top controller, value 1."""
        ns, pod, m = self.ns, self.pod, self.m
        by = f"max by ({ns}, {pod}, owner_kind, owner_name)"
        has_owner = self._sel('owner_kind!="<none>"', 'owner_kind!=""')

        def via(kind: str, series: str, label: str) -> str:
            # the pod's owner (a ReplicaSet or Job) joined to that object's own owner
            return (f'{by} (label_replace({m["pod_owner"]}{self._sel(f"owner_kind={_q(kind)}")},'
                    f' "{label}", "$1", "owner_name", "(.*)")'
                    f" * on ({ns}, {label}) group_left (owner_kind, owner_name)"
                    f" max by ({ns}, {label}, owner_kind, owner_name) ({m[series]}{has_owner}))")

        no_owner = self._sel('owner_kind=~"<none>|"')
        bare = (f'{by} (label_replace(label_replace({m["pod_owner"]}'
                f'{no_owner}, "owner_name", "$1", "{pod}",'
                f' "(.*)"), "owner_kind", "Pod", "owner_name", ".*"))')
        direct = f'{by} ({m["pod_owner"]}{self._sel()})'
        on = f" or on ({ns}, {pod}) "
        return "(" + on.join((via("ReplicaSet", "replicaset_owner", "replicaset"),
                              via("Job", "job_owner", "job_name"), bare, direct)) + ")"

    def _p95(self, per_pod: str) -> str:
        ns = self.ns
        return (f"quantile_over_time(0.95, (sum by ({ns}, owner_kind, owner_name) ({per_pod}"
                f" * on ({ns}, {self.pod}) group_left (owner_kind, owner_name) {self.owners()}))"
                f"[{self.s.window}:{self.s.step}])")

    def _containers(self) -> tuple[str, str]:
        return f'{self.container}!=""', f'{self.container}!="POD"'

    def cpu_p95(self) -> str:
        per_pod = (f"sum by ({self.ns}, {self.pod}) (rate({self.m['cpu']}"
                   f"{self._sel(*self._containers())}[{self.s.rate_window}]))")
        return self._p95(per_pod)

    def memory_p95(self) -> str:
        per_pod = (f"sum by ({self.ns}, {self.pod}) ({self.m['memory']}"
                   f"{self._sel(*self._containers())})")
        return self._p95(per_pod)

    def present(self, metric: str) -> str:
        return f"count(last_over_time({self.m[metric]}{self._sel()}[{self.s.window}]))"

    def traffic(self, metric: str) -> str:
        by = ("source_workload_namespace, source_workload, destination_workload_namespace,"
              " destination_workload")
        reporter = f'reporter="{self.s.mesh_reporter}"' if self.s.mesh_reporter else ""
        return (f"sum by ({by}) (increase({self.m[metric]}{self._sel(reporter)}"
                f"[{self.s.window}]))")


def _q(text: str) -> str:
    return json.dumps(text)


def workload_key(metric: dict[str, str], namespace_label: str) -> WorkloadKey | None:
    kind = metric.get("owner_kind", "")
    name = metric.get("owner_name", "")
    namespace = metric.get(namespace_label, "")
    if not kind or not name or kind == "<none>":
        return None
    return (namespace, kind.lower(), name)


def collect_usage(client: PrometheusClient, settings: PromSettings, at: dt.datetime,
                  progress: Callable[[str], None] | None = None) -> PromUsage:
    """p95 CPU and memory per workload over the window ending at ``at``, and mesh edges."""
    q = _Queries(settings)
    out = PromUsage()
    step = progress or (lambda _what: None)
    step("prometheus: p95 cpu")
    for sample in client.query(q.cpu_p95(), at):
        key, value = workload_key(sample.get("metric", {}), q.ns), _value(sample)
        if key and value is not None:
            out.cpu_p95[key] = value
    step("prometheus: p95 memory")
    for sample in client.query(q.memory_p95(), at):
        key, value = workload_key(sample.get("metric", {}), q.ns), _value(sample)
        if key and value is not None:
            out.memory_gb_p95[key] = value / GIB
    if not out.cpu_p95 and not out.memory_gb_p95:
        out.notes.append(_why_empty(client, q, at, settings))
    if settings.mesh == "istio":
        step("prometheus: mesh traffic")
        out.edges = _istio_edges(client, q, at, settings)
    return out


def _why_empty(client: PrometheusClient, q: _Queries, at: dt.datetime,
               s: PromSettings) -> str:
    """Say which series are missing, so the user knows what to scrape or rename."""
    when = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for metric in ("cpu", "memory", "pod_owner"):
        if not client.query(q.present(metric), at):
            extra = " (is kube-state-metrics scraped?)" if metric == "pod_owner" else ""
            return (f"no usage from Prometheus: no '{s.metrics[metric]}' series in the {s.window}"
                    f" before {when}{extra}; set metrics.{metric} if it is named differently")
    return (f"no usage from Prometheus: the usage series did not join the pod owner series on"
            f" labels '{q.ns}' and '{q.pod}' in the {s.window} before {when}; check labels.*")


def _istio_edges(client: PrometheusClient, q: _Queries, at: dt.datetime,
                 s: PromSettings) -> list[Edge]:
    """Bytes per (caller, callee) over the window, scaled to a 730-hour month, in GB."""
    scale = HOURS_PER_MONTH * 3600 / Decimal(s.window_seconds) / GIB
    # Requests and TCP bytes the destination received flow caller -> callee ("send");
    # responses and TCP bytes the destination sent flow back ("receive").
    direction = {"request_bytes": 0, "tcp_received_bytes": 0, "response_bytes": 1,
                 "tcp_sent_bytes": 1}
    totals: dict[tuple[tuple[str, str], tuple[str, str]], list[Decimal]] = {}
    for metric, slot in direction.items():
        for sample in client.query(q.traffic(metric), at):
            labels = sample.get("metric", {})
            src = (labels.get("source_workload_namespace", ""), labels.get("source_workload", ""))
            dst = (labels.get("destination_workload_namespace", ""),
                   labels.get("destination_workload", ""))
            value = _value(sample)
            if value is None or "unknown" in (src[1], dst[1]) or not src[1] or not dst[1] \
                    or src == dst:
                continue
            totals.setdefault((src, dst), [Decimal(0), Decimal(0)])[slot] += value
    return [Edge(src, dst, send * scale, receive * scale)
            for (src, dst), (send, receive) in sorted(totals.items())]
