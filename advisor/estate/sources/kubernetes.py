"""``{type: kubernetes}``: one cluster, reached through a kubeconfig context or in-cluster, and
optionally the Prometheus that measured it (the options of ``advisor discover kubernetes``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import (
    Amount,
    Below,
    Flag,
    Num,
    OneOf,
    Positive,
    Text,
    TextKind,
    TextList,
    Whole,
    fail,
    fail_many,
)
from advisor.estate.sources.common import Duration, EnvName, MonthText, Settings, Time
from advisor.estate.yamlfile import shown

DEFAULT_EXCLUDED = ("kube-system", "kube-public", "kube-node-lease")
DEFAULT_CPU_REQUEST = Decimal("0.1")  # cores per container that requests none and has no usage
DEFAULT_MEMORY_REQUEST_GB = Decimal("0.125")  # 128 MiB
PROMETHEUS_ONLY = ("prometheus_auth", "prometheus_ca", "prometheus_insecure")
DEFAULT_METRICS: dict[str, str] = {
    "cpu": "container_cpu_usage_seconds_total",
    "memory": "container_memory_working_set_bytes",
    "pod_owner": "kube_pod_owner",
    "replicaset_owner": "kube_replicaset_owner",
    "job_owner": "kube_job_owner",
    "request_bytes": "istio_request_bytes_sum",
    "response_bytes": "istio_response_bytes_sum",
    "tcp_sent_bytes": "istio_tcp_sent_bytes_total",
    "tcp_received_bytes": "istio_tcp_received_bytes_total",
}
DEFAULT_LABELS: dict[str, str] = {"namespace": "namespace", "pod": "pod", "container": "container"}
MESHES = ("istio", "none")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _metric_name(text: str) -> str:
    if not METRIC_NAME.match(text):
        raise fail(f"{shown(text)} is not a Prometheus metric name",
                   "Prometheus names use letters, digits, _ and :")
    return text


def _label_name(text: str) -> str:
    if not LABEL_NAME.match(text):
        raise fail(f"{shown(text)} is not a Prometheus label name",
                   "Prometheus names use letters, digits, _ and :")
    return text


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise fail(f"{shown(text)} is not an http(s) URL", "e.g. http://prometheus.monitoring:9090")
    if "@" in text.split("://", 1)[1].split("/", 1)[0]:
        # the URL is shown in messages and written to files: no credentials in it
        raise fail("the prometheus URL holds credentials (user@ or user:password@); the URL is "
                   "not shown", "give them as prometheus_auth instead")
    return text


MetricName = Annotated[str, TextKind(pattern=METRIC_NAME.pattern, check=_metric_name)]
LabelName = Annotated[str, TextKind(pattern=LABEL_NAME.pattern, check=_label_name)]
PrometheusUrl = Annotated[str, TextKind(pattern="^https?://", secret=True, check=_url)]


class MetricNames(Format):
    """Metric names, for installations that relabel them (defaults: kube-state-metrics,
    cAdvisor and Istio)."""

    cpu: MetricName | None = Field(None, description=DEFAULT_METRICS["cpu"])
    memory: MetricName | None = Field(None, description=DEFAULT_METRICS["memory"])
    pod_owner: MetricName | None = Field(None, description=DEFAULT_METRICS["pod_owner"])
    replicaset_owner: MetricName | None = Field(None,
                                                description=DEFAULT_METRICS["replicaset_owner"])
    job_owner: MetricName | None = Field(None, description=DEFAULT_METRICS["job_owner"])
    request_bytes: MetricName | None = Field(None, description=DEFAULT_METRICS["request_bytes"])
    response_bytes: MetricName | None = Field(None,
                                              description=DEFAULT_METRICS["response_bytes"])
    tcp_sent_bytes: MetricName | None = Field(None,
                                              description=DEFAULT_METRICS["tcp_sent_bytes"])
    tcp_received_bytes: MetricName | None = Field(
        None, description=DEFAULT_METRICS["tcp_received_bytes"])


class LabelNames(Format):
    """Label names of the series, for installations that relabel them."""

    namespace: LabelName | None = Field(None, description="default: namespace")
    pod: LabelName | None = Field(None, description="default: pod")
    container: LabelName | None = Field(None, description="default: container")


class DefaultRequests(Format):
    """What a container that requests nothing (and has no measured usage) is counted as."""

    cpu: Amount = Field(DEFAULT_CPU_REQUEST, description="Cores per container.")
    memory_gb: Amount = Field(DEFAULT_MEMORY_REQUEST_GB, description="GB per container.")


class BasicAuth(Format):
    """Basic auth: the user, and where the password is (never the password itself)."""

    username: Text = Field(description="The user name.")
    password_env: EnvName | None = Field(None, description="Environment variable holding it.")
    password_file: Text | None = Field(None, description="File holding it.")

    @model_validator(mode="after")
    def _one_password(self) -> BasicAuth:
        if (self.password_env is None) == (self.password_file is None):
            raise fail("give exactly one of password_env, password_file",
                       "the password itself never goes in the file")
        return self


class PrometheusAuth(Format):
    """Where the Prometheus credentials are: exactly one of a token file, a token variable or
    basic auth. Secrets are read when the client is made and never shown."""

    bearer_token_file: Text | None = Field(None, description="File holding the token.")
    bearer_token_env: EnvName | None = Field(None, description="Environment variable holding "
                                                               "the token.")
    basic_auth: BasicAuth | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PrometheusAuth:
        given = [k for k in ("bearer_token_file", "bearer_token_env", "basic_auth")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise fail("give exactly one of bearer_token_file, bearer_token_env, basic_auth",
                       "e.g. prometheus_auth: {bearer_token_env: PROMETHEUS_TOKEN}")
        return self


class KubernetesSettings(Settings):
    """A cluster to discover workloads on (list calls only) and its Prometheus."""

    type: Literal["kubernetes"] = "kubernetes"
    name: Text = Field("", description="Shown in messages (default: kubernetes:<context>).")
    location: Text = Field(description="The estate location the cluster's nodes are in.")
    context: Text | None = Field(None, description="kubeconfig context (default: the current "
                                                   "one).")
    kubeconfig: Text | None = Field(None, description="kubeconfig file (default: KUBECONFIG "
                                                      "or ~/.kube/config).")
    in_cluster: Flag = Field(False, description="Use the pod's service account.")
    cluster: Text | None = Field(None, description="The name in workload ids (default: the "
                                                   "context).")
    namespaces: TextList = Field((), description="Only these namespaces (default: all).")
    exclude_namespaces: TextList = Field(DEFAULT_EXCLUDED, description="Leave these out.")
    label_prefix: Text = Field("advisor.io/", description="Labels with this prefix become "
                                                          "estate labels.")
    page_size: Annotated[int, Whole(1, 10000)] = Field(500, description="Objects per list call.")
    timeout: Annotated[float, Num(positive=True, as_float=True)] = Field(
        30.0, description="Seconds to wait for each answer.")
    retries: Annotated[int, Whole(0, 10)] = Field(2, description="Retries of a failed list call.")
    default_requests: DefaultRequests | None = None
    prometheus: PrometheusUrl | None = Field(None, description="Prometheus URL for usage and "
                                                               "mesh traffic.")
    window: Duration = Field("14d", description="Usage window (p95 over it).")
    step: Duration = Field("5m", description="Resolution of the p95.")
    rate_window: Duration = Field("5m", description="rate() window of the CPU counter.")
    at: Time | None = Field(None, description="End of the window (default: now).")
    metrics: MetricNames | None = None
    labels: LabelNames | None = None
    selector: Text | None = Field(None, description='Extra matchers for every series, e.g. '
                                                    'cluster="dc1".')
    mesh: Annotated[str, OneOf(*MESHES)] = Field("istio", description="Service mesh whose "
                                                                      "traffic becomes edges.")
    mesh_reporter: Text = Field("destination", description="The mesh's reporter label value.")
    headroom: Positive = Field(Decimal("1.2"), description="Rightsizing headroom over the p95.")
    ledger_out: Text | None = Field(None, description="Write the month's on-premise cost as "
                                                      "FOCUS CSV here.")
    month: MonthText | None = Field(None, description="Month of ledger_out (default: that of "
                                                      "at).")
    prometheus_auth: PrometheusAuth | None = None
    prometheus_ca: Text | None = Field(None, description="Private CA (PEM) for https.")
    prometheus_insecure: Flag = Field(False, description="https without verification.")

    @property
    def default_cpu(self) -> Decimal:
        return self.default_requests.cpu if self.default_requests else DEFAULT_CPU_REQUEST

    @property
    def default_memory_gb(self) -> Decimal:
        return self.default_requests.memory_gb if self.default_requests \
            else DEFAULT_MEMORY_REQUEST_GB

    def metric_names(self) -> dict[str, str]:
        given = self.metrics.model_dump(exclude_none=True) if self.metrics else {}
        return {**DEFAULT_METRICS, **given}

    def label_names(self) -> dict[str, str]:
        given = self.labels.model_dump(exclude_none=True) if self.labels else {}
        return {**DEFAULT_LABELS, **given}

    def _finish(self) -> None:
        errors: list[Below] = []
        if self.in_cluster and self.context:
            errors.append((("in_cluster",), fail("give either context or in_cluster, not both"),
                           True))
        if self.prometheus is None:
            for key in PROMETHEUS_ONLY:
                if key in self.model_fields_set:
                    errors.append(((key,), fail(f"{key} is set but no prometheus URL is given",
                                                "add prometheus: URL (--prometheus URL)"), None))
        elif self.prometheus_insecure and self.prometheus_ca:
            errors.append((("prometheus_insecure",), fail(
                "give either prometheus_ca or prometheus_insecure: true, not both"), True))
        if errors:
            raise fail_many("kubernetes source", errors)
        label = self.context or ("in-cluster" if self.in_cluster else None)
        self._derive(
            name=self.name or f"kubernetes:{label or self.location}",
            kubeconfig=self.resolve(self.kubeconfig) if self.kubeconfig else None,
            ledger_out=self.resolve(self.ledger_out) if self.ledger_out else None,
            prometheus_ca=self.resolve(self.prometheus_ca) if self.prometheus_ca else None,
        )

    def window_end(self) -> dt.datetime:
        """The end of the usage window: ``at``, else now (whole seconds, UTC)."""
        return self.at or dt.datetime.now(dt.UTC).replace(microsecond=0)
