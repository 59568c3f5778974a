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

The modules follow those steps: ``settings`` (the source's settings as the connector uses them),
``client`` (kubeconfig and credentials), ``listing`` (paged list calls), ``discovery`` (lists to
workloads) and ``connector`` (the protocol the commands call).
"""

from __future__ import annotations

from advisor.connectors.kubernetes.client import kubeconfig_files, make_client, read_contexts
from advisor.connectors.kubernetes.connector import collect
from advisor.connectors.kubernetes.discovery import (
    SHOWN_IDLE,
    Discovery,
    K8sInfo,
    discover,
    quantity,
    sanitize,
)
from advisor.connectors.kubernetes.listing import RESOURCES, Lister
from advisor.connectors.kubernetes.settings import parse_settings, prometheus_settings
from advisor.estate.sources import KubernetesSettings

__all__ = ["RESOURCES", "SHOWN_IDLE", "Discovery", "K8sInfo", "KubernetesSettings", "Lister",
           "collect", "discover", "kubeconfig_files", "make_client", "parse_settings",
           "prometheus_settings", "quantity", "read_contexts", "sanitize"]
