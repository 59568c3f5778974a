"""AWS inventory: EC2 instances and EBS volumes of every account and region become workloads.

Instances are grouped by a tag (``tag_key``, default ``application``) per account and region: a
group's vCPU and memory are the sums of its instance types' figures (``DescribeInstanceTypes``),
its storage the sum of the EBS volumes attached to its instances plus unattached volumes carrying
the same tag. An instance without the tag is a workload of its own. Tags with the label prefix
(default ``advisor.io/``) become estate labels, as in the Kubernetes connector:
``advisor.io/owner`` sets the owner and ``advisor.io/pinned: "true"`` pins the workload.

With ``cpu_window`` (``--cpu-window 14d``) each workload also gets ``usage.cpu_p95`` in cores from
CloudWatch (``advisor.connectors.aws_cloudwatch``): the sum over its instances of their p95 CPU
utilisation times their vCPU. A workload with an instance that has no data in the window gets no
usage (a note names the instance), rather than a figure that leaves part of it out.

An account that fails (a role that cannot be assumed, a region that refuses) is reported and the
others are still read; CloudWatch refusing costs only the usage figures of that account and
region (also reported as a failure).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from advisor.connectors.aws import (
    Account,
    account_session,
    base_session,
    caller_account,
    guarded,
    list_accounts,
)
from advisor.connectors.aws_cloudwatch import CpuWindow, cpu_p95_percent
from advisor.connectors.base import Progress, SourceFailure
from advisor.connectors.cloud_common import InventoryGroup
from advisor.errors import SourceError
from advisor.estate.model import KNOWN_LABEL_VALUES, CostMatch, Resources, Usage, Workload
from advisor.estate.sources import AwsSettings

LIVE_STATES = ("pending", "running")
MIB_PER_GIB = Decimal(1024)
CORES = Decimal("0.001")  # usage.cpu_p95 is written to a thousandth of a core
_ID_SAFE = re.compile(r"[^a-zA-Z0-9\-_.:/]")


@dataclass
class Inventory:
    """What discovery found, and which accounts or regions it could not read."""

    source: str
    workloads: list[Workload] = field(default_factory=list)
    instances: int = 0
    volumes: int = 0
    accounts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)
    usage: str = ""  # where usage figures came from, when asked for


@dataclass
class _Group(InventoryGroup):
    """An AWS group (``scope`` is the account id), with what CloudWatch adds."""

    vcpus: dict[str, Decimal] = field(default_factory=dict)  # instance id -> vCPU
    cpu_percent: dict[str, Decimal] = field(default_factory=dict)  # instance id -> p95 %
    usage_failed: bool = False


def discover(s: AwsSettings, location_for: Callable[[str], str],
             progress: Progress | None = None, now: dt.datetime | None = None) -> Inventory:
    """Read every account and region; raise SourceError only when nothing can be read at all
    (the profile's own credentials fail). ``now`` ends the CPU window (default: the clock)."""
    session = base_session(s)
    own = caller_account(s, session)
    accounts = list_accounts(s, session, own)
    inv = Inventory(source=s.name)
    window = (CpuWindow.ending_now(s.cpu_window, s.cpu_window_seconds, now)
              if s.cpu_window else None)
    if window:
        inv.usage = window.describe()
    groups: dict[tuple[str, str, str], _Group] = {}
    total = len(accounts) * len(s.regions)
    done = 0
    for account in accounts:
        try:
            acc_session = account_session(s, session, account, own)
        except SourceError as exc:
            inv.failures.append(SourceFailure(f"{s.name} account {account.id}",
                                              exc.message + (f" ({exc.hint})" if exc.hint
                                                             else "")))
            done += len(s.regions)
            continue
        inv.accounts.append(account.id)
        for region in s.regions:
            if progress:
                progress.step(f"{s.name} {account.id} {region}", done, total)
            done += 1
            try:
                _read_region(s, acc_session, account, region, groups, inv)
            except SourceError as exc:
                inv.failures.append(SourceFailure(f"{s.name} account {account.id} {region}",
                                                  exc.message))
                continue
            if window:
                _read_cpu(s, acc_session, account, region, groups, inv, window)
    if progress:
        progress.step(f"{s.name} done", total, total)
    apps: dict[str, int] = {}
    for g in groups.values():
        apps[g.application] = apps.get(g.application, 0) + 1
    for key in sorted(groups):
        inv.workloads.append(_workload(s, groups[key], location_for(groups[key].region),
                                       unique=apps[groups[key].application] == 1, inv=inv))
    return inv


def _read_region(s: AwsSettings, session: Any, account: Account, region: str,
                 groups: dict[tuple[str, str, str], _Group], inv: Inventory) -> None:
    ec2 = session.client("ec2", region_name=region)
    where = f"{s.name} account {account.id} {region}"

    def instances() -> list[dict[str, Any]]:
        out = []
        for page in ec2.get_paginator("describe_instances").paginate():
            for res in page.get("Reservations", []):
                out.extend(res.get("Instances", []))
        return out

    def volumes() -> list[dict[str, Any]]:
        out = []
        for page in ec2.get_paginator("describe_volumes").paginate():
            out.extend(page.get("Volumes", []))
        return out

    found = guarded(where, "ec2:DescribeInstances", instances)
    vols = guarded(where, "ec2:DescribeVolumes", volumes)
    states = {}
    live = []
    for inst in found:
        state = inst.get("State", {}).get("Name", "")
        states[inst["InstanceId"]] = state
        if state in LIVE_STATES or (s.include_stopped and state == "stopped"):
            live.append(inst)
    skipped = len(found) - len(live)
    if skipped:
        inv.notes.append(f"{where}: {skipped} instance(s) not running were left out "
                         "(include_stopped: true counts stopped ones)")
    types = sorted({i["InstanceType"] for i in live})
    sizes: dict[str, tuple[Decimal, Decimal]] = {}
    if types:
        def describe_types() -> None:
            for page in ec2.get_paginator("describe_instance_types").paginate(
                    InstanceTypes=types):
                for t in page.get("InstanceTypes", []):
                    sizes[t["InstanceType"]] = (
                        Decimal(t["VCpuInfo"]["DefaultVCpus"]),
                        Decimal(t["MemoryInfo"]["SizeInMiB"]) / MIB_PER_GIB)

        guarded(where, "ec2:DescribeInstanceTypes", describe_types)
    owner_of: dict[str, _Group] = {}
    for inst in live:
        tags = _tags(inst.get("Tags"))
        app = tags.get(s.tag_key)
        key = app or inst["InstanceId"]
        group = groups.get((account.id, region, key))
        if group is None:
            group = groups[(account.id, region, key)] = _Group(
                account.id, region, key, app or tags.get("Name") or inst["InstanceId"],
                tagged=app is not None)
        cpu, mem = sizes.get(inst["InstanceType"], (Decimal(0), Decimal(0)))
        if inst["InstanceType"] not in sizes:
            inv.notes.append(f"{where}: instance type {inst['InstanceType']} unknown to "
                             "DescribeInstanceTypes; its vCPU and memory count as 0")
        group.cpu += cpu
        group.memory_gb += mem
        group.vcpus[inst["InstanceId"]] = cpu
        for k, v in sorted(tags.items()):
            group.tags.setdefault(k, v)
        group.resource_ids.append(f"arn:aws:ec2:{region}:{account.id}:instance/{inst['InstanceId']}")
        owner_of[inst["InstanceId"]] = group
        inv.instances += 1
    for vol in vols:
        attached = [a.get("InstanceId") for a in vol.get("Attachments", [])]
        group = next((owner_of[i] for i in attached if i in owner_of), None)
        if group is None and not attached:
            app = _tags(vol.get("Tags")).get(s.tag_key)
            group = groups.get((account.id, region, app)) if app else None
        if group is None:
            continue  # a volume of a stopped instance, or an untagged loose volume
        group.storage_gb += Decimal(vol.get("Size", 0))
        group.resource_ids.append(f"arn:aws:ec2:{region}:{account.id}:volume/{vol['VolumeId']}")
        inv.volumes += 1


def _read_cpu(s: AwsSettings, session: Any, account: Account, region: str,
              groups: dict[tuple[str, str, str], _Group], inv: Inventory,
              window: CpuWindow) -> None:
    """p95 CPU of the region's instances; a refusal is a failure of the usage figures only."""
    mine = [g for (acc, reg, _), g in groups.items() if acc == account.id and reg == region]
    ids = sorted(iid for g in mine for iid in g.vcpus)
    if not ids:
        return
    where = f"{s.name} account {account.id} {region}"
    try:
        found, notes = cpu_p95_percent(session, region, where, ids, window)
    except SourceError as exc:
        inv.failures.append(SourceFailure(where, exc.message + (f" ({exc.hint})" if exc.hint
                                                                else "")
                                          + "; usage left out, inventory kept"))
        for g in mine:
            g.usage_failed = True
        return
    inv.notes.extend(notes)
    for g in mine:
        g.cpu_percent.update({iid: found[iid] for iid in g.vcpus if iid in found})


def _usage(g: _Group, ident: str, inv: Inventory) -> Usage | None:
    """The group's p95 cores, or None (with a note) when an instance has no data."""
    if g.usage_failed or not g.vcpus:
        return None
    missing = sorted(set(g.vcpus) - set(g.cpu_percent))
    if missing:
        inv.notes.append(f"{ident}: no CloudWatch CPUUtilization in the window for "
                         f"{', '.join(missing)}; usage left out")
        return None
    cores = sum((g.cpu_percent[i] * g.vcpus[i] / 100 for i in g.vcpus), Decimal(0))
    return Usage(cpu_p95=cores.quantize(CORES))


def _tags(raw: list[dict[str, str]] | None) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in raw or []}


def labels_from_tags(tags: dict[str, str], prefix: str) -> tuple[dict[str, str], dict[str, str],
                                                                 list[str]]:
    """Prefixed tags as labels (prefix removed); application/owner/pinned apart; bad values of
    known labels listed instead of failing the whole discovery."""
    labels: dict[str, str] = {}
    special: dict[str, str] = {}
    bad: list[str] = []
    for key, value in sorted(tags.items()):
        if not key.startswith(prefix) or len(key) == len(prefix):
            continue
        short = key[len(prefix):]
        if short in ("application", "owner", "pinned"):
            special[short] = value
        elif short in KNOWN_LABEL_VALUES and value not in KNOWN_LABEL_VALUES[short]:
            bad.append(f"{short}={value}")
        else:
            labels[short] = value
    return labels, special, bad


def _workload(s: AwsSettings, g: _Group, location: str, unique: bool, inv: Inventory) -> Workload:
    labels, special, bad = labels_from_tags(g.tags, s.label_prefix)
    application = special.get("application", g.application)
    ident = _ID_SAFE.sub("-", f"aws:{g.scope}:{g.region}:{g.key}")
    if bad:
        inv.notes.append(f"{ident}: label value(s) not understood and left out: "
                         f"{', '.join(bad)}")
    match_tags = ((s.tag_key, g.key),) if g.tagged and unique else ()
    usage = _usage(g, ident, inv) if inv.usage else None
    return Workload(
        id=ident,
        name=g.tags.get("Name", g.application),
        application=application,
        owner=special.get("owner", ""),
        location=location,
        resources=Resources(g.cpu, g.memory_gb, g.storage_gb),
        labels=labels,
        pinned=special.get("pinned", "").lower() == "true",
        usage=usage,
        cost_match=CostMatch(tags=match_tags, resource_id=tuple(sorted(g.resource_ids))),
    )
