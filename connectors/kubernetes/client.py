"""Reaching a cluster: an ApiClient for a kubeconfig context or the pod's service account, never
the process-wide default; the kubeconfig files the client would read, and their contexts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from advisor.errors import InputError, SourceError
from advisor.estate.sources import KubernetesSettings


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
