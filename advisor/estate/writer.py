"""Writing a workloads.yaml that ``advisor.estate.load`` reads back: exact numbers, stable order.

Used by every ``advisor discover`` command, so discovered estates look alike whatever found them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from advisor.estate.model import Workload


class _Plain(str):
    """A decimal written as a YAML float without going through binary floating point."""


def number(value: Decimal) -> Any:
    """An exact YAML scalar: int when whole, else the plain decimal text."""
    if value == value.to_integral_value():
        return int(value)
    return _Plain(format(value.normalize(), "f"))


def entry(w: Workload) -> dict[str, Any]:
    """The workloads.yaml mapping of one workload (only the keys that say something)."""
    item: dict[str, Any] = {"id": w.id, "name": w.name, "application": w.application}
    if w.owner:
        item["owner"] = w.owner
    item["location"] = w.location
    item["resources"] = {"cpu": number(w.resources.cpu),
                         "memory_gb": number(w.resources.memory_gb),
                         "storage_gb": number(w.resources.storage_gb)}
    if w.usage and (w.usage.cpu_p95 is not None or w.usage.memory_gb_p95 is not None):
        usage: dict[str, Any] = {}
        if w.usage.cpu_p95 is not None:
            usage["cpu_p95"] = number(w.usage.cpu_p95)
        if w.usage.memory_gb_p95 is not None:
            usage["memory_gb_p95"] = number(w.usage.memory_gb_p95)
        item["usage"] = usage
    if w.labels:
        item["labels"] = dict(sorted(w.labels.items()))
    if w.pinned:
        item["pinned"] = True
    if w.depends_on:
        item["depends_on"] = [{"workload": d.workload,
                               "receive_gb_month": number(d.receive_gb_month),
                               "send_gb_month": number(d.send_gb_month)}
                              for d in w.depends_on]
    if w.cost_match:
        match: dict[str, Any] = {}
        if w.cost_match.tags:
            match["tags"] = dict(w.cost_match.tags)
        for key in ("resource_id", "account", "namespace"):
            values = getattr(w.cost_match, key)
            if values:
                match[key] = list(values)
        if match:
            item["cost_match"] = match
    return item


def render(header: Iterable[str], workloads: Iterable[Workload],
           comments: Callable[[Workload], list[str]] | None = None) -> str:
    """A workloads file: ``header`` comment lines, then each workload (in the given order),
    preceded by its ``comments`` lines."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Plain, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float",
                                                                   str(v)))
    ws = list(workloads)
    lines = list(header)
    lines.append("workloads:" if ws else "workloads: []")
    for w in ws:
        lines.extend(f"  # {c}" for c in (comments(w) if comments else []))
        text = yaml.dump([entry(w)], Dumper=Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, width=100)
        lines.extend("  " + line for line in text.rstrip("\n").split("\n"))
    return "\n".join(lines) + "\n"
