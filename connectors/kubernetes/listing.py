"""Listing a cluster: page by page (``limit`` / ``continue``) as raw JSON, with restarts on an
expired continue token (410), retries on 429/5xx and one-line errors."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from advisor.connectors.base import Progress
from advisor.errors import SourceError
from advisor.estate.sources import KubernetesSettings

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
