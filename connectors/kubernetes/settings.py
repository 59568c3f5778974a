"""The settings of a ``{type: kubernetes}`` source, as the connector uses them.

The format itself (keys, checks, schema) is ``advisor.estate.sources.kubernetes``; here the
command-line options become the same settings, and the Prometheus part becomes what the
Prometheus client takes (paths of secret files resolved, never the secrets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from advisor.connectors.prometheus import PromAuth, PromSettings
from advisor.estate.model import SourceRef
from advisor.estate.sources import KubernetesSettings, settings_from


def parse_settings(raw: dict[str, Any], file: str | None = None,
                   keypath: tuple[str | int, ...] = ()) -> KubernetesSettings:
    """Settings from a mapping (the options of ``advisor discover kubernetes``, a test), checked
    like a source of advisor.yaml; relative paths start at ``file``'s folder (else here)."""
    source = SourceRef(file, keypath) if file else None
    return settings_from(KubernetesSettings, {"type": "kubernetes", **raw},
                         base=Path(file).parent if file else None, source=source)


def prometheus_settings(s: KubernetesSettings) -> PromSettings | None:
    """What the Prometheus client needs, or None when the source names no Prometheus."""
    if s.prometheus is None:
        return None
    return PromSettings(url=s.prometheus, window=s.window, step=s.step,
                        rate_window=s.rate_window, timeout=s.timeout, metrics=s.metric_names(),
                        labels=s.label_names(), selector=s.selector or "", mesh=s.mesh,
                        mesh_reporter=s.mesh_reporter, auth=_auth(s), ca_file=s.prometheus_ca,
                        insecure=s.prometheus_insecure)


def _auth(s: KubernetesSettings) -> PromAuth | None:
    a = s.prometheus_auth
    if a is None:
        return None
    if a.bearer_token_file is not None:
        return PromAuth(bearer_token_file=s.resolve(a.bearer_token_file))
    if a.bearer_token_env is not None:
        return PromAuth(bearer_token_env=a.bearer_token_env)
    b = a.basic_auth
    assert b is not None
    if b.password_env is not None:
        return PromAuth(username=b.username, password_env=b.password_env)
    assert b.password_file is not None
    return PromAuth(username=b.username, password_file=s.resolve(b.password_file))
