"""Azure inventory: virtual machines and managed disks of each subscription become workloads.

Scopes: a subscription, a resource group (only its machines and disks), or a management group,
whose subscriptions (at any depth) are listed through
``/providers/Microsoft.Management/managementGroups/{id}/descendants`` and each read in turn.

Machines are grouped per subscription and region by a tag (``tag_key``, default
``application``); a machine without it is a workload of its own. vCPU and memory come from the
region's VM size list (``Microsoft.Compute/locations/{region}/vmSizes``); storage is the sum of
the managed disks attached to the group's machines (and of loose disks carrying the tag). Tags
with the label prefix become labels, as for AWS and Kubernetes. Only GET requests are made
(role Reader). A subscription that fails is reported; the others still count.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from advisor.connectors.aws_inventory import Inventory, labels_from_tags
from advisor.connectors.azure import (
    arm_client,
    arm_url,
    call,
    credential,
    send_request,
)
from advisor.connectors.base import Progress, SourceFailure
from advisor.connectors.cloud_common import InventoryGroup
from advisor.errors import SourceError
from advisor.estate.model import CostMatch, Resources, Workload
from advisor.estate.sources import AzureSettings

COMPUTE_API = "2024-07-01"
DISK_API = "2024-03-02"
MANAGEMENT_API = "2020-05-01"
_ID_SAFE = re.compile(r"[^a-zA-Z0-9\-_.:/]")


_Group = InventoryGroup  # ``scope`` is the subscription id


def _list(s: AzureSettings, client: Any, where: str, what: str, path: str,
          sleep: Callable[[float], None]) -> list[dict[str, Any]]:
    """All items of an ARM list, following ``nextLink``."""
    out: list[dict[str, Any]] = []
    url: str | None = arm_url(s, path)
    seen: set[str] = set()
    while url and url not in seen:
        seen.add(url)
        page = call(s, where, what, partial(send_request, s, client, "GET", url), sleep)
        out.extend(page.get("value", []) or [])
        url = page.get("nextLink")
    return out


def discover(s: AzureSettings, location_for: Callable[[str], str], *, cred: Any = None,
             progress: Progress | None = None,
             sleep: Callable[[float], None] = time.sleep) -> Inventory:
    client = arm_client(s, cred if cred is not None else credential(s))
    inv = Inventory(source=s.name)
    groups: dict[tuple[str, str, str], _Group] = {}
    targets = _targets(s, client, inv, sleep)
    for i, (sub, base) in enumerate(targets):
        if progress:
            progress.step(f"{s.name} {base}", i, len(targets))
        where = f"{s.name} subscription {sub}" + (f" resource group {base.split('/')[-1]}"
                                                  if "/resourceGroups/" in base else "")
        try:
            _read_subscription(s, client, sub, base, where, groups, inv, sleep)
        except SourceError as exc:
            inv.failures.append(SourceFailure(where, exc.message + (f" ({exc.hint})"
                                                                    if exc.hint else "")))
            continue
        if sub not in inv.accounts:
            inv.accounts.append(sub)
    apps: dict[str, int] = {}
    for g in groups.values():
        apps[g.application] = apps.get(g.application, 0) + 1
    for key in sorted(groups):
        g = groups[key]
        labels, special, bad = labels_from_tags(g.tags, s.label_prefix)
        ident = _ID_SAFE.sub("-", f"azure:{g.scope}:{g.region}:{g.key}")
        if bad:
            inv.notes.append(f"{ident}: label value(s) not understood and left out: "
                             f"{', '.join(bad)}")
        match_tags = ((s.tag_key, g.key),) if g.tagged and apps[g.application] == 1 else ()
        inv.workloads.append(Workload(
            id=ident, name=g.tags.get("Name", g.application),
            application=special.get("application", g.application),
            owner=special.get("owner", ""), location=location_for(g.region),
            resources=Resources(g.cpu, g.memory_gb, g.storage_gb), labels=labels,
            pinned=special.get("pinned", "").lower() == "true",
            cost_match=CostMatch(tags=match_tags, resource_id=tuple(sorted(g.resource_ids)))))
    return inv


def _targets(s: AzureSettings, client: Any, inv: Inventory,
             sleep: Callable[[float], None]) -> list[tuple[str, str]]:
    """(subscription id, path to list under) for every scope, management groups expanded to
    their subscriptions; each subscription once. A group that cannot be listed is a failure
    (the other scopes are still read)."""
    whole: list[str] = []
    parts: list[tuple[str, str]] = []
    for scope in s.scopes:
        segments = scope.strip("/").split("/")
        if segments[0].lower() == "subscriptions":
            if len(segments) >= 4 and segments[2].lower() == "resourcegroups":
                parts.append((segments[1], f"/subscriptions/{segments[1]}/resourceGroups/"
                                           f"{segments[3]}"))
            else:
                whole.append(segments[1])
        elif scope.lower().startswith("/providers/microsoft.management/managementgroups/"):
            whole.extend(_group_subscriptions(s, client, segments[-1], inv, sleep))
        else:
            inv.notes.append(f"{scope}: a billing scope holds no machines; inventory reads "
                             "subscriptions, resource groups and management groups")
    seen = {w.lower() for w in whole}
    targets = [(sub, f"/subscriptions/{sub}") for sub in dict.fromkeys(whole)]
    for sub, base in dict.fromkeys(parts):
        if sub.lower() in seen:
            inv.notes.append(f"{base}: read with its whole subscription")
        else:
            targets.append((sub, base))
    return targets


def _group_subscriptions(s: AzureSettings, client: Any, group: str, inv: Inventory,
                         sleep: Callable[[float], None]) -> list[str]:
    """The subscriptions anywhere below a management group (its descendants of that type)."""
    where = f"{s.name} management group {group}"
    try:
        items = _list(s, client, where, "list the management group's subscriptions",
                      f"/providers/Microsoft.Management/managementGroups/{group}/descendants"
                      f"?api-version={MANAGEMENT_API}", sleep)
    except SourceError as exc:
        inv.failures.append(SourceFailure(where, exc.message + (f" ({exc.hint})" if exc.hint
                                                                else "")))
        return []
    subs = []
    for item in items:
        ident = str(item.get("id") or "")
        kind = str(item.get("type") or "").lower()
        if ident.lower().startswith("/subscriptions/"):
            subs.append(ident.split("/")[2])
        elif kind.endswith("/subscriptions") and item.get("name"):
            subs.append(str(item["name"]))
    if not subs:
        inv.notes.append(f"{where}: no subscription below it")
    return sorted(set(subs))


def _read_subscription(s: AzureSettings, client: Any, sub: str, base: str, where: str,
                       groups: dict[tuple[str, str, str], _Group], inv: Inventory,
                       sleep: Callable[[float], None]) -> None:
    vms = _list(s, client, where, "list virtual machines",
                f"{base}/providers/Microsoft.Compute/virtualMachines"
                f"?api-version={COMPUTE_API}", sleep)
    disks = _list(s, client, where, "list managed disks",
                  f"{base}/providers/Microsoft.Compute/disks"
                  f"?api-version={DISK_API}", sleep)
    sizes: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    for region in sorted({str(vm.get("location", "")) for vm in vms}):
        for size in _list(s, client, where, f"list VM sizes in {region}",
                          f"/subscriptions/{sub}/providers/Microsoft.Compute/locations/{region}"
                          f"/vmSizes?api-version={COMPUTE_API}", sleep):
            sizes[(region, str(size.get("name", "")).lower())] = (
                Decimal(int(size.get("numberOfCores", 0))),
                Decimal(int(size.get("memoryInMB", 0))) / Decimal(1024))
    owner_of: dict[str, _Group] = {}
    for vm in vms:
        tags = {str(k): str(v) for k, v in (vm.get("tags") or {}).items()}
        region = str(vm.get("location", ""))
        app = tags.get(s.tag_key)
        key = app or str(vm.get("name", ""))
        group = groups.get((sub, region, key))
        if group is None:
            group = groups[(sub, region, key)] = _Group(sub, region, key, app or key,
                                                        tagged=app is not None)
        size_name = str(vm.get("properties", {}).get("hardwareProfile", {}).get("vmSize", ""))
        cpu, mem = sizes.get((region, size_name.lower()), (Decimal(0), Decimal(0)))
        if (region, size_name.lower()) not in sizes:
            inv.notes.append(f"{where}: VM size {size_name} unknown in {region}; "
                             "its vCPU and memory count as 0")
        group.cpu += cpu
        group.memory_gb += mem
        for k, v in sorted(tags.items()):
            group.tags.setdefault(k, v)
        vm_id = str(vm.get("id", ""))
        group.resource_ids.append(vm_id)
        owner_of[vm_id.lower()] = group
        inv.instances += 1
    for disk in disks:
        managed_by = str(disk.get("managedBy") or "").lower()
        group = owner_of.get(managed_by)
        if group is None and not managed_by:
            app = {str(k): str(v) for k, v in (disk.get("tags") or {}).items()}.get(s.tag_key)
            group = groups.get((sub, str(disk.get("location", "")), app)) if app else None
        if group is None:
            continue
        group.storage_gb += Decimal(int(disk.get("properties", {}).get("diskSizeGB", 0)))
        group.resource_ids.append(str(disk.get("id", "")))
        inv.volumes += 1
