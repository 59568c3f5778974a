"""Workloads on Kubernetes clusters: what runs, what it requests, what it really uses.

One source is one cluster, reached through a kubeconfig context (several clusters in one estate)
or the pod's in-cluster service account. Only list calls are made (get/list on the resources in
``RESOURCES``; see docs/kubernetes.md for the ClusterRole). Lists are read page by page
(``limit`` / ``continue``) as raw JSON and folded into per-workload totals as they arrive, so
50,000 pods take little memory; an expired continue token (410) restarts the list.

Pods are grouped by their top controller: Deployment (via its ReplicaSet), StatefulSet,
DaemonSet, CronJob (via its Job), Job, a ReplicaSet without a Deployment, or the bare pod.
Deployments and StatefulSets scaled to zero (no pods) are not workloads; the notes name them.
A workload's resources are the sum over its live pods of the effective pod request
(max(sum of containers, largest init container) + overhead); storage is the sum of the
PersistentVolumeClaims its pods mount. Labels with the configured prefix (default
``advisor.io/``) on the namespace, the pods and the controller become estate labels.

Usage comes from Prometheus (p95 over a window, ``prometheus``) or, when no Prometheus
is given, from metrics.k8s.io as a point-in-time view (the notes say so).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from advisor.connectors.base import Progress
from advisor.connectors.prometheus import (
    DEFAULT_LABELS,
    DEFAULT_METRICS,
    ENV_NAME,
    MESHES,
    PromAuth,
    PromSettings,
    PromUsage,
    WorkloadKey,
    parse_duration,
    validate_names,
)
from advisor.errors import InputError, SourceError
from advisor.estate.merge import SourceResult
from advisor.estate.model import (
    KNOWN_LABEL_VALUES,
    CostMatch,
    Dependency,
    Estate,
    Resources,
    SourceRef,
    Usage,
    Workload,
)
from advisor.estate.yamlfile import Doc, View, line_of, nearest

GIB = Decimal(2**30)
SIX_PLACES = Decimal("0.000001")
SETTINGS_KEYS = (
    "type", "name", "context", "kubeconfig", "in_cluster", "location", "cluster", "namespaces",
    "exclude_namespaces", "label_prefix", "page_size", "timeout", "retries", "default_requests",
    "prometheus", "window", "step", "rate_window", "at", "metrics", "labels", "selector", "mesh",
    "mesh_reporter", "headroom", "ledger_out", "month", "prometheus_auth", "prometheus_ca",
    "prometheus_insecure",
)
PROMETHEUS_ONLY = ("prometheus_auth", "prometheus_ca", "prometheus_insecure")
DEFAULT_EXCLUDED = ("kube-system", "kube-public", "kube-node-lease")
DEFAULT_CPU_REQUEST = Decimal("0.1")  # cores per container that requests none and has no usage
DEFAULT_MEMORY_REQUEST_GB = Decimal("0.125")  # 128 MiB
SPECIAL_LABELS = ("application", "owner", "pinned")
PART_OF = "app.kubernetes.io/part-of"
ID_SAFE = re.compile(r"[^a-zA-Z0-9\-_.:/]")

# name -> (API class, cluster-wide list method, namespaced list method, API group)
RESOURCES: dict[str, tuple[str, str, str | None, str]] = {
    "namespaces": ("CoreV1Api", "list_namespace", None, ""),
    "nodes": ("CoreV1Api", "list_node", None, ""),
    "replicasets": ("AppsV1Api", "list_replica_set_for_all_namespaces",
                    "list_namespaced_replica_set", "apps"),
    "deployments": ("AppsV1Api", "list_deployment_for_all_namespaces",
                    "list_namespaced_deployment", "apps"),
    "statefulsets": ("AppsV1Api", "list_stateful_set_for_all_namespaces",
                     "list_namespaced_stateful_set", "apps"),
    "daemonsets": ("AppsV1Api", "list_daemon_set_for_all_namespaces",
                   "list_namespaced_daemon_set", "apps"),
    "jobs": ("BatchV1Api", "list_job_for_all_namespaces", "list_namespaced_job", "batch"),
    "cronjobs": ("BatchV1Api", "list_cron_job_for_all_namespaces", "list_namespaced_cron_job",
                 "batch"),
    "persistentvolumeclaims": ("CoreV1Api", "list_persistent_volume_claim_for_all_namespaces",
                               "list_namespaced_persistent_volume_claim", ""),
    "pods": ("CoreV1Api", "list_pod_for_all_namespaces", "list_namespaced_pod", ""),
}
METRICS_GROUP = ("metrics.k8s.io", "v1beta1", "pods")
SHOWN_IDLE = 10  # scaled-to-zero controllers named in the note (the file header lists all)
# Preference when a mesh names a workload only by namespace and name.
KIND_ORDER = ("deployment", "statefulset", "daemonset", "cronjob", "job", "replicaset", "pod")



# ----------------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class KubernetesSettings:
    """One validated ``{type: kubernetes}`` source (or the options of ``advisor discover``)."""

    name: str
    location: str
    context: str | None = None
    kubeconfig: str | None = None
    in_cluster: bool = False
    cluster: str | None = None  # the name in workload ids; default: the context
    namespaces: tuple[str, ...] = ()
    exclude_namespaces: tuple[str, ...] = DEFAULT_EXCLUDED
    label_prefix: str = "advisor.io/"
    page_size: int = 500
    timeout: float = 30.0
    retries: int = 2
    default_cpu: Decimal = DEFAULT_CPU_REQUEST
    default_memory_gb: Decimal = DEFAULT_MEMORY_REQUEST_GB
    prometheus: PromSettings | None = None
    at: dt.datetime | None = None  # end of the usage window; None = now
    headroom: Decimal = Decimal("1.2")
    ledger_out: str | None = None
    month: str | None = None
    source: SourceRef | None = None


def parse_settings(raw: dict[str, Any], file: str | None = None,
                   keypath: tuple[str | int, ...] = ()) -> KubernetesSettings:
    """Validate a source entry; every problem is an InputError at its file and line."""
    doc = Doc(file, "estate file")
    value = {k: v for k, v in raw.items() if not str(k).startswith("_")}
    v = View(doc, value, keypath)
    v.mapping(SETTINGS_KEYS, required=("location",))
    base = Path(file).parent if file else Path.cwd()
    in_cluster = v.boolean("in_cluster", default=False)
    context = v.str("context") if v.has("context") else None
    if in_cluster and context:
        raise v.fail("give either context or in_cluster, not both", key="in_cluster")
    kubeconfig = str(base / v.str("kubeconfig")) if v.has("kubeconfig") else None
    window = v.str("window", "14d")
    step = v.str("step", "5m")
    rate_window = v.str("rate_window", "5m")
    for key, text in (("window", window), ("step", step), ("rate_window", rate_window)):
        try:
            parse_duration(text)
        except ValueError:
            raise v.fail(f"'{text}' does not parse as a duration",
                         "use a duration such as 14d, 12h, 30m or 1d12h", key=key) from None
    timeout = v.decimal("timeout", default=Decimal(30), positive=True)
    prom = None
    if not v.has("prometheus"):
        for key in PROMETHEUS_ONLY:
            if v.has(key):
                raise v.fail(f"{key} is set but no prometheus URL is given",
                             "add prometheus: URL (--prometheus URL)", key=key)
    if v.has("prometheus"):
        url = v.str("prometheus")
        if not url.startswith(("http://", "https://")):
            raise v.fail(f"'{url}' is not an http(s) URL",
                         "e.g. http://prometheus.monitoring:9090", key="prometheus")
        if "@" in url.split("://", 1)[1].split("/", 1)[0]:
            # the URL is shown in messages and written to files: no credentials in it
            raise v.fail("the prometheus URL holds credentials (user@ or user:password@); "
                         "the URL is not shown", "give them as prometheus_auth instead",
                         key="prometheus")
        insecure = v.boolean("prometheus_insecure", default=False)
        ca_file = str(base / v.str("prometheus_ca")) if v.has("prometheus_ca") else None
        if insecure and ca_file:
            raise v.fail("give either prometheus_ca or prometheus_insecure: true, not both",
                         key="prometheus_insecure")
        metrics = dict(DEFAULT_METRICS)
        metrics.update(_names(v, "metrics", DEFAULT_METRICS))
        labels = dict(DEFAULT_LABELS)
        labels.update(_names(v, "labels", DEFAULT_LABELS))
        bad = validate_names(metrics, labels)
        if bad:
            raise v.fail(bad, "Prometheus names use letters, digits, _ and :",
                         key=bad.split(".")[0])
        prom = PromSettings(url=url, window=window, step=step, rate_window=rate_window,
                            timeout=float(timeout or 30), metrics=metrics, labels=labels,
                            selector=v.str("selector", "") if v.has("selector") else "",
                            mesh=v.choice("mesh", MESHES, "istio"),
                            mesh_reporter=v.str("mesh_reporter", "destination"),
                            auth=_prom_auth(v, base) if v.has("prometheus_auth") else None,
                            ca_file=ca_file, insecure=insecure)
    defaults = v.at("default_requests")
    if v.has("default_requests"):
        defaults.mapping(("cpu", "memory_gb"))
    else:
        defaults = View(doc, {}, defaults.path)
    page_size = v.integer("page_size", default=500, minimum=1, maximum=10000) or 500
    retries = v.integer("retries", default=2, minimum=0, maximum=10)
    month = v.str("month") if v.has("month") else None
    if month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise v.fail(f"'{month}' is not a month as YYYY-MM", key="month")
    namespaces = v.str_list("namespaces")
    excluded = v.str_list("exclude_namespaces") if "exclude_namespaces" in value \
        else DEFAULT_EXCLUDED
    label = context or ("in-cluster" if in_cluster else None)
    return KubernetesSettings(
        name=v.str("name", f"kubernetes:{label or v.str('location')}"),
        location=v.str("location"),
        context=context,
        kubeconfig=kubeconfig,
        in_cluster=in_cluster,
        cluster=v.str("cluster") if v.has("cluster") else None,
        namespaces=namespaces,
        exclude_namespaces=excluded,
        label_prefix=v.str("label_prefix", "advisor.io/"),
        page_size=page_size,
        timeout=float(timeout or 30),
        retries=2 if retries is None else retries,
        default_cpu=_required(defaults.decimal("cpu", default=DEFAULT_CPU_REQUEST)),
        default_memory_gb=_required(defaults.decimal("memory_gb",
                                                     default=DEFAULT_MEMORY_REQUEST_GB)),
        prometheus=prom,
        at=_parse_at(v) if v.has("at") else None,
        headroom=_required(v.decimal("headroom", default=Decimal("1.2"), positive=True)),
        ledger_out=str(base / v.str("ledger_out")) if v.has("ledger_out") else None,
        month=month,
        source=SourceRef(file, keypath) if file else None,
    )


def _prom_auth(v: View, base: Path) -> PromAuth:
    """``prometheus_auth``: exactly one of a token file, a token variable or basic auth."""
    a = v.at("prometheus_auth").mapping(("bearer_token_file", "bearer_token_env", "basic_auth"))
    given = [k for k in ("bearer_token_file", "bearer_token_env", "basic_auth") if a.has(k)]
    if len(given) != 1:
        raise a.fail("give exactly one of bearer_token_file, bearer_token_env, basic_auth",
                     "e.g. prometheus_auth: {bearer_token_env: PROMETHEUS_TOKEN}")
    if given[0] == "bearer_token_file":
        return PromAuth(bearer_token_file=str(base / a.str("bearer_token_file")))
    if given[0] == "bearer_token_env":
        return PromAuth(bearer_token_env=_env_name(a, "bearer_token_env"))
    b = a.at("basic_auth").mapping(("username", "password_env", "password_file"),
                                   required=("username",))
    if b.has("password_env") == b.has("password_file"):
        raise b.fail("give exactly one of password_env, password_file",
                     "the password itself never goes in the file")
    if b.has("password_env"):
        return PromAuth(username=b.str("username"), password_env=_env_name(b, "password_env"))
    return PromAuth(username=b.str("username"),
                    password_file=str(base / b.str("password_file")))


def _env_name(v: View, key: str) -> str:
    name = v.str(key)
    if not ENV_NAME.match(name):
        # not shown: a secret pasted here by mistake must not end up in the output
        raise v.fail("is not an environment variable name (the value is not shown)",
                     "give the variable's name, e.g. PROMETHEUS_TOKEN, not its value", key=key)
    return name


def _required(value: Decimal | None) -> Decimal:
    assert value is not None
    return value


def _names(v: View, key: str, known: dict[str, str]) -> dict[str, str]:
    if not v.has(key):
        return {}
    sub = v.at(key).mapping(tuple(known))
    return {k: sub.str(k) for k in sub.value}


def _parse_at(v: View) -> dt.datetime:
    raw = v.value["at"]
    when = raw if isinstance(raw, dt.datetime) else None
    if when is None and isinstance(raw, str):
        when = parse_time(raw)
    if when is None:
        raise v.fail(f"'{raw}' is not a time", "use RFC 3339, e.g. 2024-01-31T00:00:00Z",
                     key="at")
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def parse_time(text: str) -> dt.datetime | None:
    """RFC 3339 / ISO 8601 (a trailing Z is UTC) or Unix seconds; None when it is neither."""
    text = text.strip()
    try:
        return dt.datetime.fromtimestamp(float(text), dt.UTC)
    except ValueError:
        pass
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


# ------------------------------------------------------------------------------------- client
def make_client(s: KubernetesSettings) -> Any:
    """An ApiClient for the context (or the pod's service account); never the global default."""
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    configuration = client.Configuration()  # fresh: never the process-wide default
    if s.in_cluster:
        try:
            config_api: Any = config
            config_api.load_incluster_config(client_configuration=configuration)
        except ConfigException as exc:
            raise SourceError(s.name, f"in-cluster configuration unavailable: {exc}",
                              "in_cluster works only inside a pod; use a kubeconfig context "
                              "elsewhere") from None
    else:
        files, explicit = kubeconfig_files(s.kubeconfig)
        contexts, current = read_contexts(files, explicit)
        context = s.context or current
        if not context:
            raise InputError("the kubeconfig names no current-context", file=str(files[0]),
                             hint="give --context NAME (or context: in the source)")
        if context not in contexts:
            where = ", ".join(str(f) for f in files)
            known = ", ".join(sorted(contexts)) or "none"
            raise SourceError(s.name, f"kubernetes context '{context}' is not in kubeconfig "
                              f"{where}", f"known contexts: {known}")
        # the files checked above, explicitly (the client reads $KUBECONFIG only at import)
        merged = os.pathsep.join(str(f) for f in files if f.exists())
        try:
            loader: Any = config.load_kube_config  # the client ships no type hints
            loader(config_file=merged, context=context,
                                    client_configuration=configuration, persist_config=False)
        except ConfigException as exc:
            raise InputError(f"kubeconfig context '{context}' is unusable: {exc}",
                             file=str(files[0])) from None
        except Exception as exc:  # exec plugins and token files fail in many ways
            raise SourceError(s.name, f"cannot load credentials for context '{context}': "
                              f"{type(exc).__name__}: {exc}") from None
    configuration.retries = False  # retries are ours (410 restarts, backoff on 5xx)
    return client.ApiClient(configuration)


def kubeconfig_files(path: str | None) -> tuple[list[Path], bool]:
    """The kubeconfig files the client would read, and whether the user named one."""
    if path:
        return [Path(path)], True
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p], False
    return [Path.home() / ".kube" / "config"], False


def read_contexts(files: list[Path], explicit: bool) -> tuple[set[str], str | None]:
    """Context names and the current context; a file that does not parse is an InputError."""
    import yaml

    contexts: set[str] = set()
    current: str | None = None
    found = False
    for file in files:
        if not file.exists():
            if explicit:
                raise InputError("kubeconfig not found", file=str(file),
                                 hint="check the path given with --kubeconfig / kubeconfig:")
            continue
        found = True
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8-sig"))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise InputError(f"kubeconfig does not parse: {exc.problem or 'invalid YAML'}",
                             file=str(file), line=mark.line + 1 if mark else None,
                             hint="check the file with `kubectl config view`") from None
        except (yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
            raise InputError(f"kubeconfig cannot be read: {exc}", file=str(file)) from None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise InputError("kubeconfig does not parse: expected a mapping with clusters, "
                             "users and contexts", file=str(file))
        for entry in data.get("contexts") or []:
            if isinstance(entry, dict) and entry.get("name"):
                contexts.add(str(entry["name"]))
        current = current or data.get("current-context") or None
    if not found:
        raise InputError(f"no kubeconfig found (looked at {', '.join(map(str, files))})",
                         hint="give --kubeconfig FILE, set KUBECONFIG, or use --in-cluster in a "
                         "pod")
    return contexts, current


# ------------------------------------------------------------------------------------ listing
class _Expired(Exception):
    """The continue token expired (410): the list must start again."""


class Lister:
    """Page-by-page list calls as raw JSON, with restarts, retries and one-line errors."""

    def __init__(self, api_client: Any, s: KubernetesSettings,
                 progress: Progress | None = None) -> None:
        from kubernetes import client

        self.client = client
        self.api_client = api_client
        self.s = s
        self.host = api_client.configuration.host
        self.progress = progress
        self.timeout = (min(s.timeout, 10.0), s.timeout)
        self.restarts = 0

    def each(self, resource: str, on_item: Callable[[dict[str, Any]], None],
             reset: Callable[[], None], namespace: str | None = None) -> None:
        """Call ``on_item`` for every object; on a 410 restart, ``reset`` and list again."""
        for attempt in range(4):
            if attempt:
                reset()
            try:
                self._pages(resource, on_item, namespace)
                return
            except _Expired:
                self.restarts += 1
        raise SourceError(self.s.name, f"the list of {resource} from {self.host} kept expiring "
                          "(410 Gone) before it was complete",
                          "raise page_size so the list needs fewer pages")

    def _call(self, resource: str, namespace: str | None) -> Callable[..., Any]:
        if resource == "metrics":
            api = self.client.CustomObjectsApi(self.api_client)
            group, version, plural = METRICS_GROUP
            if namespace:
                return lambda **kw: api.list_namespaced_custom_object(
                    group, version, namespace, plural, **kw)
            return lambda **kw: api.list_cluster_custom_object(group, version, plural, **kw)
        cls, all_ns, one_ns, _group = RESOURCES[resource]
        api = getattr(self.client, cls)(self.api_client)
        if namespace and one_ns:
            method = getattr(api, one_ns)
            return lambda **kw: method(namespace, **kw)
        listing: Callable[..., Any] = getattr(api, all_ns)
        return listing

    def _pages(self, resource: str, on_item: Callable[[dict[str, Any]], None],
               namespace: str | None) -> None:
        call = self._call(resource, namespace)
        token: str | None = None
        done = 0
        what = resource if not namespace else f"{resource} in {namespace}"
        while True:
            doc = self._page(call, resource, namespace, token)
            items = doc.get("items") or []
            for item in items:
                on_item(item)
            done += len(items)
            meta = doc.get("metadata") or {}
            token = meta.get("continue") or None
            if self.progress:
                remaining = meta.get("remainingItemCount")
                total = done + int(remaining) if isinstance(remaining, int) else (
                    done if not token else None)
                self.progress.step(what, done, total)
            if not token:
                return

    def _page(self, call: Callable[..., Any], resource: str, namespace: str | None,
              token: str | None) -> dict[str, Any]:
        import urllib3

        kwargs: dict[str, Any] = {"limit": self.s.page_size, "_preload_content": False,
                                  "_request_timeout": self.timeout}
        if token:
            kwargs["_continue"] = token
        failure = ""
        for attempt in range(self.s.retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            try:
                resp = call(**kwargs)
                try:
                    raw = resp.data
                finally:
                    resp.release_conn()
                doc = json.loads(raw)
                if not isinstance(doc, dict):
                    raise ValueError("not a JSON object")
                return doc
            except self.client.ApiException as exc:
                if exc.status == 410 and token:
                    raise _Expired() from None
                if exc.status in (429, 500, 502, 503, 504):
                    failure = f"answered HTTP {exc.status} {_status_message(exc)}".rstrip()
                    continue
                raise self._api_error(exc, resource, namespace) from None
            except urllib3.exceptions.NewConnectionError as exc:
                raise SourceError(self.s.name, f"cannot reach the API server at {self.host}: "
                                  f"{_reason(exc)}", "check the context's server address and "
                                  "that the cluster is up") from None
            except (urllib3.exceptions.TimeoutError, TimeoutError):
                failure = f"did not answer within {self.s.timeout:g} s"
            except urllib3.exceptions.ProtocolError as exc:
                if isinstance(exc.__context__, ConnectionRefusedError) or \
                        "refused" in str(exc).lower():
                    raise SourceError(self.s.name, f"cannot reach the API server at "
                                      f"{self.host}: connection refused") from None
                failure = "sent a truncated answer (the connection broke mid-body)"
            except urllib3.exceptions.HTTPError as exc:
                failure = f"failed: {_reason(exc)}"
            except (ValueError, UnicodeDecodeError):
                failure = "sent an answer that is not complete JSON (truncated?)"
        tries = f" ({self.s.retries + 1} tries)" if self.s.retries else ""
        raise SourceError(self.s.name, f"the API server at {self.host} {failure} when listing "
                          f"{resource}{tries}", "check the cluster's health, or raise timeout")

    def _api_error(self, exc: Any, resource: str, namespace: str | None) -> SourceError:
        group = METRICS_GROUP[0] if resource == "metrics" else RESOURCES[resource][3]
        plural = "pods.metrics.k8s.io" if resource == "metrics" else resource
        scope = f"in namespace {namespace}" if namespace else "at cluster scope"
        if exc.status == 403:
            return SourceError(self.s.name, f"forbidden: missing verb 'list' on resource "
                               f"'{plural}' (API group \"{group}\") {scope}",
                               "bind the read-only ClusterRole in docs/kubernetes.md to this "
                               "user or service account")
        if exc.status == 401:
            return SourceError(self.s.name, f"the API server at {self.host} refused the "
                               "credentials (401 Unauthorized)",
                               "refresh the context's token or certificate")
        return SourceError(self.s.name, f"the API server at {self.host} answered HTTP "
                           f"{exc.status} when listing {plural} {scope} "
                           f"{_status_message(exc)}".rstrip())


def _status_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    try:
        message = json.loads(body).get("message") if body else None
    except (ValueError, AttributeError):
        message = None
    return f"({message})" if message else ""


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "reason", None) or exc)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    return match.group(1).strip() if match else text


# ---------------------------------------------------------------------------------- discovery
@lru_cache(maxsize=8192)
def quantity(text: str) -> Decimal:
    """A Kubernetes quantity ('250m', '1.5', '512Mi', '1G', '1e3') as a Decimal."""
    match = _QUANTITY.match(str(text).strip())
    if not match:
        raise ValueError(text)
    number, suffix = match.groups()
    try:
        return Decimal(number) * _SUFFIXES[suffix or ""]
    except InvalidOperation:
        raise ValueError(text) from None


_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$")
_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
    "P": Decimal(10**15), "E": Decimal(10**18), "Ki": Decimal(2**10), "Mi": Decimal(2**20),
    "Gi": Decimal(2**30), "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}
ZERO = Decimal(0)


@dataclass
class _Acc:
    """Running totals for one workload while its pods stream in."""

    pods: int = 0
    cpu: Decimal = ZERO
    memory: Decimal = ZERO  # bytes
    cpu_limit: Decimal | None = ZERO  # None: some container has no limit
    memory_limit: Decimal | None = ZERO
    missing_cpu: int = 0  # containers without a CPU request
    missing_memory: int = 0
    claims: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)
    part_of: str = ""


@dataclass(frozen=True)
class K8sInfo:
    """What the cluster says about a workload beyond the estate model."""

    cluster: str
    namespace: str
    kind: str
    name: str
    pods: int
    desired_replicas: int | None
    cpu_limit: Decimal | None
    memory_gb_limit: Decimal | None
    missing_requests: str = ""  # how missing requests were filled, if they were
    usage_from: str = ""


@dataclass
class Discovery:
    """One cluster's workloads with the side facts the cost and output code need."""

    source: str
    cluster: str
    location: str
    host: str
    at: dt.datetime
    workloads: list[Workload]
    info: dict[str, K8sInfo]
    node_cpu: Decimal
    node_memory_gb: Decimal
    nodes: int
    pods: int
    usage_source: str
    notes: list[str] = field(default_factory=list)
    # Deployments/StatefulSets with replicas 0 and no pods: not workloads, but shown
    scaled_to_zero: list[str] = field(default_factory=list)


def sanitize(name: str) -> str:
    """A context or cluster name made safe for workload ids."""
    return ID_SAFE.sub("-", name).strip("-") or "cluster"


class _Discoverer:
    """Folds the lists into workloads; one instance per run."""

    def __init__(self, s: KubernetesSettings, lister: Lister) -> None:
        self.s = s
        self.lister = lister
        self.prefix = s.label_prefix
        self.wanted = set(s.namespaces)
        self.excluded = set(s.exclude_namespaces) - self.wanted
        self.ns_labels: dict[str, dict[str, str]] = {}
        self.owners: dict[tuple[str, str, str], tuple[str, str]] = {}  # (ns, kind, name) -> top
        self.controllers: dict[WorkloadKey, tuple[dict[str, str], int | None]] = {}
        self.scaled_to_zero: set[WorkloadKey] = set()  # replicas 0 (a workload if pods remain)
        self.claims: dict[tuple[str, str], Decimal] = {}
        self.accs: dict[WorkloadKey, _Acc] = {}
        self.pod_keys: dict[tuple[str, str], WorkloadKey] = {}
        self.keep_pod_keys = False
        self.finished = 0
        self.node_cpu = ZERO
        self.node_memory = ZERO
        self.nodes = 0
        self.notes: list[str] = []

    def skip(self, namespace: str) -> bool:
        return namespace in self.excluded or bool(self.wanted and namespace not in self.wanted)

    def keep_labels(self, labels: dict[str, str] | None) -> dict[str, str]:
        if not labels:
            return {}
        p = self.prefix
        return {k: v for k, v in labels.items() if k.startswith(p) or k == PART_OF}

    def list(self, resource: str, on_item: Callable[[dict[str, Any]], None],
             reset: Callable[[], None]) -> None:
        scoped = RESOURCES.get(resource, ("", "", "x", ""))[2] is not None
        if self.wanted and scoped:
            for namespace in sorted(self.wanted):
                self.lister.each(resource, on_item, reset, namespace)
        else:
            self.lister.each(resource, on_item, reset)

    # -- the lists ------------------------------------------------------------------------
    def run(self) -> None:
        self.list("namespaces", self._namespace, self.ns_labels.clear)
        self.list("nodes", self._node, self._reset_nodes)
        self.list("replicasets", self._owned("ReplicaSet"), lambda: None)
        self.list("jobs", self._owned("Job"), lambda: None)
        for resource, kind in (("deployments", "deployment"), ("statefulsets", "statefulset"),
                               ("daemonsets", "daemonset"), ("cronjobs", "cronjob")):
            self.list(resource, self._controller(kind), lambda: None)
        self.list("persistentvolumeclaims", self._claim, self.claims.clear)
        self.list("pods", self._pod, self._reset_pods)

    def _namespace(self, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        self.ns_labels[meta.get("name", "")] = self.keep_labels(meta.get("labels"))

    def _reset_nodes(self) -> None:
        self.node_cpu = self.node_memory = ZERO
        self.nodes = 0

    def _node(self, item: dict[str, Any]) -> None:
        status = item.get("status") or {}
        size = status.get("capacity") or status.get("allocatable") or {}
        self.nodes += 1
        self.node_cpu += _q(size.get("cpu"))
        self.node_memory += _q(size.get("memory"))

    def _owned(self, kind: str) -> Callable[[dict[str, Any]], None]:
        def on_item(item: dict[str, Any]) -> None:
            meta = item.get("metadata") or {}
            ns, name = meta.get("namespace", ""), meta.get("name", "")
            owner = _controller_ref(meta)
            if owner:
                self.owners[(ns, kind, name)] = owner
            if not self.skip(ns):
                self.controllers[(ns, kind.lower(), name)] = (
                    self.keep_labels(meta.get("labels")), None)
        return on_item

    def _controller(self, kind: str) -> Callable[[dict[str, Any]], None]:
        def on_item(item: dict[str, Any]) -> None:
            meta = item.get("metadata") or {}
            ns = meta.get("namespace", "")
            if self.skip(ns):
                return
            spec = item.get("spec") or {}
            status = item.get("status") or {}
            if kind == "daemonset":
                desired = status.get("desiredNumberScheduled")
            elif kind == "cronjob":
                desired = None  # a schedule, not a replica count
            else:
                desired = spec.get("replicas", 1)
            if desired == 0 and kind in ("deployment", "statefulset"):
                self.scaled_to_zero.add((ns, kind, meta.get("name", "")))
            self.controllers[(ns, kind, meta.get("name", ""))] = (
                self.keep_labels(meta.get("labels")), desired if isinstance(desired, int) else None)
        return on_item

    def _claim(self, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        ns = meta.get("namespace", "")
        if self.skip(ns):
            return
        size = ((item.get("status") or {}).get("capacity") or {}).get("storage") or \
            (((item.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
        self.claims[(ns, meta.get("name", ""))] = _q(size) / GIB

    def _reset_pods(self) -> None:
        self.accs.clear()
        self.pod_keys.clear()
        self.finished = 0

    def workload_of(self, ns: str, pod: str, owner: tuple[str, str] | None) -> WorkloadKey:
        """The top controller: ReplicaSet -> Deployment, Job -> CronJob, else the owner."""
        if owner is None:
            return (ns, "pod", pod)
        kind, name = owner
        if kind in ("ReplicaSet", "Job"):
            top = self.owners.get((ns, kind, name))
            if top and top[0] in ("Deployment", "CronJob"):
                return (ns, top[0].lower(), top[1])
        if kind == "Node":  # a static pod's mirror: the pod is the workload
            return (ns, "pod", pod)
        return (ns, kind.lower(), name)

    def _pod(self, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        ns = meta.get("namespace", "")
        if self.skip(ns):
            return
        phase = (item.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            self.finished += 1
            return
        name = meta.get("name", "")
        key = self.workload_of(ns, name, _controller_ref(meta))
        acc = self.accs.get(key)
        if acc is None:
            acc = self.accs[key] = _Acc()
        if self.keep_pod_keys:
            self.pod_keys[(ns, name)] = key
        spec = item.get("spec") or {}
        cpu, memory, cpu_limit, memory_limit, missing_cpu, missing_memory = _pod_resources(spec)
        acc.pods += 1
        acc.cpu += cpu
        acc.memory += memory
        acc.cpu_limit = None if cpu_limit is None or acc.cpu_limit is None \
            else acc.cpu_limit + cpu_limit
        acc.memory_limit = None if memory_limit is None or acc.memory_limit is None \
            else acc.memory_limit + memory_limit
        acc.missing_cpu += missing_cpu
        acc.missing_memory += missing_memory
        for volume in spec.get("volumes") or ():
            claim = volume.get("persistentVolumeClaim")
            if claim and claim.get("claimName"):
                acc.claims.add(claim["claimName"])
        labels = meta.get("labels")
        if labels:
            kept = self.keep_labels(labels)
            if kept:
                acc.labels.update(kept)


def _q(text: Any) -> Decimal:
    if text is None or text == "":
        return ZERO
    try:
        return quantity(str(text))
    except ValueError:
        raise SourceError("kubernetes", f"unreadable quantity '{text}'") from None


def _controller_ref(meta: dict[str, Any]) -> tuple[str, str] | None:
    refs = meta.get("ownerReferences")
    if not refs:
        return None
    for ref in refs:
        if ref.get("controller"):
            return (ref.get("kind", ""), ref.get("name", ""))
    return None


def _pod_resources(spec: dict[str, Any]) -> tuple[Decimal, Decimal, Decimal | None,
                                                  Decimal | None, int, int]:
    """Effective requests (cores, bytes), limits (None = unbounded), containers lacking requests.

    Kubernetes schedules a pod on max(sum of its containers, its largest init container) plus
    the runtime overhead; a container with a limit but no request requests its limit.
    """
    cpu = memory = ZERO
    cpu_limit: Decimal | None = ZERO
    memory_limit: Decimal | None = ZERO
    missing_cpu = missing_memory = 0
    for c in spec.get("containers") or ():
        res = c.get("resources") or {}
        req = res.get("requests") or {}
        lim = res.get("limits") or {}
        c_cpu = req.get("cpu") or lim.get("cpu")
        c_mem = req.get("memory") or lim.get("memory")
        if c_cpu is None:
            missing_cpu += 1
        else:
            cpu += _q(c_cpu)
        if c_mem is None:
            missing_memory += 1
        else:
            memory += _q(c_mem)
        cpu_limit = None if cpu_limit is None or "cpu" not in lim else cpu_limit + _q(lim["cpu"])
        memory_limit = None if memory_limit is None or "memory" not in lim \
            else memory_limit + _q(lim["memory"])
    for c in spec.get("initContainers") or ():
        req = (c.get("resources") or {}).get("requests") or {}
        cpu = max(cpu, _q(req.get("cpu")))
        memory = max(memory, _q(req.get("memory")))
    overhead = spec.get("overhead")
    if overhead:
        cpu += _q(overhead.get("cpu"))
        memory += _q(overhead.get("memory"))
    return cpu, memory, cpu_limit, memory_limit, missing_cpu, missing_memory


def discover(s: KubernetesSettings, api_client: Any = None, progress: Progress | None = None,
             prometheus_opener: Callable[..., Any] | None = None) -> Discovery:
    """List the cluster, attach usage and mesh edges, and build the estate's workloads."""
    at = s.at or dt.datetime.now(dt.UTC).replace(microsecond=0)
    prom_client = None
    if s.prometheus is not None:
        from advisor.connectors.prometheus import PrometheusClient

        # first: a missing token fails before minutes of listing
        prom_client = PrometheusClient.for_settings(s.prometheus, s.name, prometheus_opener)
    own_client = api_client is None
    api_client = api_client or make_client(s)
    try:
        lister = Lister(api_client, s, progress)
        d = _Discoverer(s, lister)
        d.keep_pod_keys = s.prometheus is None
        # Parsing pages makes millions of small acyclic objects while the totals grow; the
        # cyclic collector would rescan the totals again and again (2.4x the time at 50k pods).
        collecting = gc.isenabled()
        gc.disable()
        try:
            d.run()
        finally:
            if collecting:
                gc.enable()
        cluster = sanitize(s.cluster or s.context or ("in-cluster" if s.in_cluster else
                                                       s.location))
        prom: PromUsage | None = None
        if s.prometheus is not None and prom_client is not None:
            from advisor.connectors.prometheus import collect_usage

            prom = collect_usage(prom_client, s.prometheus, at,
                                 (lambda what: progress.step(what, 0, None)) if progress else None)
            when = at.strftime("%Y-%m-%dT%H:%M:%SZ") if s.at else "the run"
            usage_source = f"p95 over {s.prometheus.window} before {when} from {s.prometheus.url}"
        else:
            prom, usage_source = _metrics_api_usage(lister, d, at)
        result = _build(s, d, cluster, prom, at, usage_source, lister.host)
        if lister.restarts:
            result.notes.append(f"{lister.restarts} list(s) restarted after an expired continue "
                                "token (410 Gone); the counts are from complete lists")
        return result
    finally:
        if own_client:
            api_client.close()


def _metrics_api_usage(lister: Lister, d: _Discoverer,
                       at: dt.datetime) -> tuple[PromUsage, str]:
    """Point-in-time usage from metrics.k8s.io, summed per workload (not a p95)."""
    usage = PromUsage()
    cpu: dict[WorkloadKey, Decimal] = {}
    memory: dict[WorkloadKey, Decimal] = {}
    stamps: list[str] = []

    def on_item(item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        key = d.pod_keys.get((meta.get("namespace", ""), meta.get("name", "")))
        if key is None:
            return
        if item.get("timestamp"):
            stamps.append(item["timestamp"])
        for c in item.get("containers") or ():
            u = c.get("usage") or {}
            cpu[key] = cpu.get(key, ZERO) + _q(u.get("cpu"))
            memory[key] = memory.get(key, ZERO) + _q(u.get("memory"))

    def reset() -> None:
        cpu.clear()
        memory.clear()
        stamps.clear()

    try:
        scopes: list[str | None] = [*sorted(d.wanted)] or [None]
        for namespace in scopes:
            lister.each("metrics", on_item, reset, namespace)
    except SourceError as exc:
        if "HTTP 404" in exc.message or "HTTP 503" in exc.message or "forbidden" in exc.message:
            why = "forbidden" if "forbidden" in exc.message else "not served"
            usage.notes.append(f"no usage: metrics.k8s.io is {why} on this cluster and no "
                               "Prometheus was given; requests only (give --prometheus URL for "
                               "p95 usage)")
            return usage, "none (no Prometheus given, metrics.k8s.io unavailable)"
        raise
    usage.cpu_p95 = cpu
    usage.memory_gb_p95 = {k: v / GIB for k, v in memory.items()}
    when = max(stamps) if stamps else at.strftime("%Y-%m-%dT%H:%M:%SZ")
    usage.notes.append(f"usage is a point-in-time view from metrics.k8s.io at {when}, not a p95;"
                       " give --prometheus URL for p95 over a window")
    return usage, f"point-in-time from metrics.k8s.io at {when} (not a p95)"


def _round(value: Decimal) -> Decimal:
    out = value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP).normalize()
    return out if out != 0 else ZERO


def _build(s: KubernetesSettings, d: _Discoverer, cluster: str, prom: PromUsage | None,
           at: dt.datetime, usage_source: str, host: str) -> Discovery:
    notes = list(d.notes)
    by_name: dict[tuple[str, str], list[WorkloadKey]] = {}
    ids: dict[WorkloadKey, str] = {}
    for key in d.accs:
        ns, kind, name = key
        ids[key] = f"{cluster}/{ns}/{kind}/{name}"
        by_name.setdefault((ns, name), []).append(key)
    edges: dict[WorkloadKey, list[Dependency]] = {}
    unmatched = 0
    if prom:
        notes.extend(prom.notes)
        for edge in prom.edges:
            src, dst = _by_name(by_name, edge.source), _by_name(by_name, edge.destination)
            if src is None or dst is None:
                unmatched += 1
                continue
            edges.setdefault(src, []).append(Dependency(
                workload=ids[dst], receive_gb_month=_round(edge.receive_gb_month),
                send_gb_month=_round(edge.send_gb_month)))
    if unmatched:
        notes.append(f"{unmatched} mesh edge(s) name workloads that were not discovered "
                     "(other namespaces or clusters); left out")
    workloads: list[Workload] = []
    info: dict[str, K8sInfo] = {}
    filled: list[str] = []
    dropped: list[str] = []
    for key in sorted(d.accs):
        acc = d.accs[key]
        ns, kind, name = key
        ident = ids[key]
        controller_labels, desired = d.controllers.get(key, ({}, None))
        merged = dict(d.ns_labels.get(ns, {}))
        merged.update(acc.labels)
        merged.update(controller_labels)
        labels, special, bad = _estate_labels(merged, s.label_prefix)
        dropped.extend(f"{ident} ({b})" for b in bad)
        cpu_p95 = prom.cpu_p95.get(key) if prom else None
        mem_p95 = prom.memory_gb_p95.get(key) if prom else None
        usage = None
        if cpu_p95 is not None or mem_p95 is not None:
            usage = Usage(None if cpu_p95 is None else _round(cpu_p95),
                          None if mem_p95 is None else _round(mem_p95))
        cpu = acc.cpu
        memory_gb = acc.memory / GIB
        how = []
        if acc.missing_cpu:
            if cpu_p95 is not None:
                cpu = max(cpu, cpu_p95)
                how.append("cpu from measured usage")
            else:
                cpu += s.default_cpu * acc.missing_cpu
                how.append(f"cpu default {s.default_cpu} per container")
        if acc.missing_memory:
            if mem_p95 is not None:
                memory_gb = max(memory_gb, mem_p95)
                how.append("memory from measured usage")
            else:
                memory_gb += s.default_memory_gb * acc.missing_memory
                how.append(f"memory default {s.default_memory_gb} GB per container")
        if how:
            filled.append(ident)
        storage = sum((d.claims.get((ns, c), ZERO) for c in sorted(acc.claims)), ZERO)
        labels.update({"k8s-cluster": cluster, "k8s-namespace": ns, "k8s-kind": kind})
        application = special.get("application") or merged.get(PART_OF) or ns
        workloads.append(Workload(
            id=ident, name=name, application=application, location=s.location,
            resources=Resources(_round(cpu), _round(memory_gb), _round(storage)),
            owner=special.get("owner", ""), labels=dict(sorted(labels.items())), usage=usage,
            pinned=special.get("pinned", "").lower() == "true",
            depends_on=tuple(sorted(edges.get(key, []), key=lambda e: e.workload)),
            cost_match=CostMatch(tags=(("advisor-workload", ident),)),
            source=s.source,
        ))
        info[ident] = K8sInfo(
            cluster=cluster, namespace=ns, kind=kind, name=name, pods=acc.pods,
            desired_replicas=desired,
            cpu_limit=None if acc.cpu_limit is None else _round(acc.cpu_limit),
            memory_gb_limit=None if acc.memory_limit is None else _round(acc.memory_limit / GIB),
            missing_requests="; ".join(how),
            usage_from=usage_source if usage else "",
        )
    if filled:
        shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
        notes.append(f"{len(filled)} workload(s) have containers without requests: {shown}; "
                     "filled from the measured usage where there is one, else the default "
                     f"({s.default_cpu} cores / {s.default_memory_gb} GB per container)")
    if dropped:
        notes.append("labels with values the rules do not know were left out: "
                     + ", ".join(dropped[:5]) + (" ..." if len(dropped) > 5 else ""))
    if d.finished:
        notes.append(f"{d.finished} finished pod(s) (Succeeded/Failed) were not counted")
    idle = [f"{cluster}/{ns}/{kind}/{name}" for ns, kind, name in sorted(d.scaled_to_zero)
            if (ns, kind, name) not in d.accs]
    if idle:
        shown = ", ".join(idle[:SHOWN_IDLE]) + (
            f" and {len(idle) - SHOWN_IDLE} more" if len(idle) > SHOWN_IDLE else "")
        notes.append(f"{len(idle)} controller(s) scaled to zero (replicas 0, no pods), not "
                     f"listed as workloads: {shown}")
    pods = sum(a.pods for a in d.accs.values())
    return Discovery(source=s.name, cluster=cluster, location=s.location, host=host, at=at,
                     workloads=workloads, info=info, node_cpu=_round(d.node_cpu),
                     node_memory_gb=_round(d.node_memory / GIB), nodes=d.nodes, pods=pods,
                     usage_source=usage_source, notes=notes, scaled_to_zero=idle)


def _by_name(by_name: dict[tuple[str, str], list[WorkloadKey]],
             ref: tuple[str, str]) -> WorkloadKey | None:
    found = by_name.get(ref)
    if not found:
        return None
    return min(found, key=lambda k: KIND_ORDER.index(k[1]) if k[1] in KIND_ORDER else 99)


def _estate_labels(labels: dict[str, str], prefix: str) -> tuple[dict[str, str], dict[str, str],
                                                                  list[str]]:
    """Prefixed labels without the prefix; special keys apart; unknown values reported."""
    out: dict[str, str] = {}
    special: dict[str, str] = {}
    bad: list[str] = []
    for key, value in labels.items():
        if not key.startswith(prefix) or len(key) == len(prefix):
            continue
        short = key[len(prefix):]
        if short in SPECIAL_LABELS:
            special[short] = value
            continue
        allowed = KNOWN_LABEL_VALUES.get(short)
        if allowed and value not in allowed:
            bad.append(f"{short}={value}")
            continue
        out[short] = value
    return out, special, bad


# ----------------------------------------------------------------------------- the connector
def collect(estate: Estate, settings: dict[str, Any],
            progress: Progress | None = None) -> SourceResult:
    """The connector protocol: discovered workloads, their usage, on-premise cost rows."""
    file = settings.get("_file")
    keypath = tuple(settings.get("_keypath") or ())
    s = parse_settings(settings, file, keypath)
    locations = estate.location_by_id()
    if locations and s.location not in locations:
        near = nearest(s.location, locations)
        raise InputError(f"source {s.name}: unknown location '{s.location}'", file=file,
                         line=line_of(file, (*keypath, "location")),
                         hint=f"did you mean '{near}'?" if near else
                         "add it to locations.yaml or fix the id")
    found = discover(s, progress=progress)
    result = SourceResult(source=s.name, workloads=found.workloads,
                          usage={w.id: w.usage for w in found.workloads if w.usage},
                          notes=[f"{s.name}: {n}" for n in found.notes])
    if s.ledger_out and s.location in locations:
        from advisor.placement.onprem_cost import cluster_cost, month_period, write_focus_csv

        period = month_period(s.month or found.at.strftime("%Y-%m"))
        cost = cluster_cost(found, locations[s.location], period)
        write_focus_csv(s.ledger_out, cost)
        result.ledger_paths.append(s.ledger_out)
    return result
