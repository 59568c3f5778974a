"""Azure: settings, credentials and one careful way to call Resource Manager.

Credentials come from ``DefaultAzureCredential`` (environment, workload identity, managed
identity, Azure CLI ...). ``arm_endpoint`` and ``authority`` select a national or sovereign cloud
(e.g. ``https://management.usgovcloudapi.net`` and ``login.microsoftonline.us``).

Every call goes through ``call``: azure-core's own retry is switched off for these clients
because it waits only as long as ``Retry-After`` says, while Cost Management throttles with the
``x-ms-ratelimit-microsoft.costmanagement-*-retry-after`` headers. We wait for the longest of all
of them (the client-type quota's header included), at most ``max_retries`` times and
``max_total_wait_seconds`` in all, and then stop with a message that names the scope.
Only read operations are called: the query API is a POST that reads (role Cost Management Reader);
inventory uses GET (role Reader).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.connectors.cloud_common import first_line, scrub
from advisor.errors import InputError, SourceError
from advisor.estate.sources import AzureSettings, settings_from

RETRY_HEADERS = ("retry-after", "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
                 "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
                 "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
                 "x-ms-ratelimit-microsoft.costmanagement-client-retry-after",
                 "x-ms-ratelimit-microsoft.costmanagement-clienttype-retry-after")
# Cost Management keeps a quota per client type; without the header a client shares the
# tenant-wide default one with every portal and script.
CLIENT_TYPE = "hybrid-advisor"


def parse_settings(raw: dict[str, Any], base: Path | None = None) -> AzureSettings:
    """Settings from a mapping (command-line flags), checked like a source of advisor.yaml."""
    return settings_from(AzureSettings, {"type": "azure", **raw}, base=base)


def credential(s: AzureSettings) -> Any:
    """``DefaultAzureCredential``, pointed at the configured authority when one is set."""
    from azure.identity import DefaultAzureCredential

    if s.authority:
        return DefaultAzureCredential(authority=s.authority)
    return DefaultAzureCredential()


def arm_client(s: AzureSettings, cred: Any) -> Any:
    """The Cost Management client at the configured Resource Manager endpoint, without
    azure-core's retry (``call`` does it, honouring every Cost Management header)."""
    from azure.mgmt.costmanagement import CostManagementClient

    return CostManagementClient(cred, base_url=s.arm_endpoint,
                                credential_scopes=[f"{s.arm_endpoint}/.default"],
                                retry_total=0)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def wait_seconds(headers: dict[str, str]) -> float | None:
    """The longest wait any of the throttling headers asks for (seconds), or None."""
    found: list[float] = []
    lower = {k.lower(): v for k, v in headers.items()}
    for name in RETRY_HEADERS:
        raw = lower.get(name)
        if raw is None:
            continue
        try:
            found.append(float(raw))
        except ValueError:
            continue
    ms = lower.get("retry-after-ms")
    if ms is not None:
        with contextlib.suppress(ValueError):
            found.append(float(ms) / 1000)
    return max(found) if found else None


def call(s: AzureSettings, where: str, what: str, send: Callable[[], Answer],
         sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Run one request with bounded retries on 429 and 5xx; other failures become one line."""
    attempt = 0
    waited = 0.0
    while True:
        try:
            answer = send()
        except SourceError:
            raise
        except Exception as exc:  # any SDK or transport failure becomes one line
            raise SourceError(where, _transport_message(exc, what)) from None
        if 200 <= answer.status < 300:
            return answer.body
        retryable = answer.status == 429 or answer.status >= 500
        if retryable and attempt < s.max_retries:
            wait = wait_seconds(answer.headers)
            if wait is None:
                wait = min(2.0 ** attempt, 30.0)
            if wait > s.max_wait_seconds:
                raise SourceError(where, f"{what}: throttled, the service asks to wait "
                                         f"{wait:g} s (more than max_wait_seconds "
                                         f"{s.max_wait_seconds:g})",
                                  "try again later, or raise max_wait_seconds")
            if waited + wait > s.max_total_wait_seconds:
                raise SourceError(where, f"{what}: still throttled after waiting {waited:g} s "
                                         f"in all (max_total_wait_seconds "
                                         f"{s.max_total_wait_seconds:g})",
                                  "try again later, or raise max_total_wait_seconds")
            sleep(wait)
            waited += wait
            attempt += 1
            continue
        raise _http_error(where, what, answer, attempt)


def _transport_message(exc: Exception, what: str) -> str:
    from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "response", None) is None:
        return scrub(f"{what}: no usable Azure credential ({first_line(str(exc), 160)})")
    if isinstance(exc, ServiceRequestError):
        return scrub(f"{what}: cannot reach the endpoint ({first_line(str(exc), 160)})")
    return scrub(f"{what}: {type(exc).__name__}: {first_line(str(exc), 200)}")


def _http_error(where: str, what: str, answer: Answer, attempt: int) -> SourceError:
    err = answer.body.get("error", {}) if isinstance(answer.body, dict) else {}
    code = str(err.get("code", "")) if isinstance(err, dict) else ""
    msg = first_line(str(err.get("message", ""))) if isinstance(err, dict) else ""
    detail = scrub(f"{code}: {msg}".strip(": ")) if (code or msg) else ""
    tail = f" ({detail})" if detail else ""
    if answer.status == 429:
        return SourceError(where, f"{what}: still throttled (HTTP 429) after {attempt + 1} "
                                  f"attempts{tail}",
                           "try again later, or raise max_retries in the source settings")
    if answer.status == 401:
        return SourceError(where, f"{what}: not authenticated (HTTP 401){tail}",
                           "sign in again (`az login`) or check the credential's tenant")
    if answer.status == 403:
        return SourceError(where, f"{what}: not authorised (HTTP 403){tail}",
                           "grant 'Cost Management Reader' (costs) and 'Reader' (inventory) "
                           "on this scope")
    if answer.status == 404:
        return SourceError(where, f"{what}: the scope does not exist (HTTP 404){tail}",
                           "check the subscription, management group or billing account id")
    if answer.status >= 500:
        return SourceError(where, f"{what}: service error HTTP {answer.status} after "
                                  f"{attempt + 1} attempts{tail}", "try again later")
    return SourceError(where, f"{what}: HTTP {answer.status}{tail}")


def send_request(s: AzureSettings, client: Any, method: str, url: str,
                 body: dict[str, Any] | None = None) -> Answer:
    """One raw request through the SDK client's pipeline (authentication included)."""
    from azure.core.rest import HttpRequest

    headers = {"ClientType": CLIENT_TYPE}
    request = HttpRequest(method, url, json=body, headers=headers) if body is not None else \
        HttpRequest(method, url, headers=headers)
    kwargs: dict[str, Any] = {}
    if s.arm_endpoint.startswith("http://"):
        kwargs["enforce_https"] = False  # a local test server; never for a real cloud
    response = client.send_request(request, **kwargs)
    try:
        data = response.json() if response.text() else {}
    except ValueError:
        data = {}
    return Answer(response.status_code, dict(response.headers), data if isinstance(data, dict)
                  else {})


def arm_url(s: AzureSettings, path: str) -> str:
    if path.startswith(("https://", "http://")):
        return path
    return s.arm_endpoint + "/" + path.lstrip("/")


def check_scope_kind(scope: str, kinds: tuple[str, ...]) -> None:
    if not any(k in scope.lower() for k in kinds):
        raise InputError(f"scope {scope} cannot be listed here",
                         hint="inventory reads subscriptions: give /subscriptions/ID")
