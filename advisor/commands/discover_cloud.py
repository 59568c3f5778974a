"""``advisor discover aws`` and ``advisor discover azure``: cloud inventory as a workloads file.

Registered on the ``discover`` group by ``advisor.commands.discover`` (two lines there).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from advisor.commands.common import write_output


def _location_mapper(config: str | None, provider: str) -> Any:
    """Region -> location id: the first estate location of the provider in that region (with
    -c), else ``<provider>-<region>``."""
    by_region: dict[str, str] = {}
    if config:
        from advisor.config import load_estate

        for loc in load_estate(config).locations:
            if loc.provider == provider:
                by_region.setdefault(loc.region, loc.id)

    def location_for(region: str) -> str:
        return by_region.get(region, f"{provider}-{region}")

    return location_for


@click.command("aws")
@click.option("--profile", help="AWS profile (default: boto3's standard credential chain).")
@click.option("--accounts", default=None, metavar="all|ID[,ID...]",
              help="'all': every active account of the organisation (assumes --role-name in "
                   "each); or account ids. Default: the credentials' own account.")
@click.option("--role-name", default="AdvisorReadOnly", show_default=True,
              help="Read-only role assumed in each member account.")
@click.option("--region", "regions", multiple=True, metavar="REGION",
              help="Region to read (repeat for several). [default: eu-central-1]")
@click.option("--tag-key", default="application", show_default=True,
              help="Instances with the same value of this tag form one workload.")
@click.option("--label-prefix", default="advisor.io/", show_default=True,
              help="Tags with this prefix become estate labels.")
@click.option("--include-stopped", is_flag=True, help="Count stopped instances too.")
@click.option("-c", "--config", type=click.Path(),
              help="advisor.yaml: map regions to its location ids.")
@click.option("--allow-partial", is_flag=True,
              help="Exit 0 when an account or region fails (it is still named).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def discover_aws(profile: str | None, accounts: str | None, role_name: str,
                 regions: tuple[str, ...], tag_key: str, label_prefix: str,
                 include_stopped: bool, config: str | None, allow_partial: bool,
                 output: str | None, quiet: bool) -> None:
    """List EC2 instances and EBS volumes as workloads (read-only calls only).

    \b
    Examples:
      advisor discover aws --profile org-admin -o workloads.yaml
      advisor discover aws --profile org-admin --accounts all --region eu-central-1 \\
          --region eu-west-1 -c advisor.yaml -o workloads.yaml
    """
    from connectors.aws import parse_settings
    from connectors.aws_inventory import discover
    from connectors.cloud import report_failures
    from connectors.cloud_common import Progress

    raw: dict[str, Any] = {"type": "aws", "role_name": role_name, "tag_key": tag_key,
                           "label_prefix": label_prefix, "include_stopped": include_stopped}
    if profile:
        raw["profile"] = profile
    if accounts:
        raw["accounts"] = [a.strip() for a in accounts.split(",") if a.strip()]
    if regions:
        raw["regions"] = list(regions)
    settings = parse_settings(raw)
    progress = Progress(enabled=None if not quiet else False)
    try:
        inv = discover(settings, _location_mapper(config, "aws"), progress)
    finally:
        progress.done()
    header = [f"# Discovered by `advisor discover aws` from {inv.source}: "
              f"{len(inv.workloads)} workloads, {inv.instances} instances, {inv.volumes} volumes "
              f"in {len(inv.accounts)} account(s), regions {', '.join(settings.regions)}",
              "# resources: vCPU and memory (GiB) of the instance types, storage = EBS GiB"]
    header += [f"# FAILED {f.message}" for f in inv.failures]
    header += [f"# note: {n}" for n in inv.notes]
    write_output(render_workloads(header, inv.workloads), output)
    if not quiet:
        click.echo(f"advisor: discovered {len(inv.workloads)} workloads in "
                   f"{len(inv.accounts)} AWS account(s)", err=True)
    report_failures(inv.failures, allow_partial)


@click.command("azure")
@click.option("--scope", "scopes", multiple=True, required=True, metavar="SCOPE",
              help="/subscriptions/ID (repeat for several).")
@click.option("--arm-endpoint", help="Resource Manager endpoint (sovereign clouds).")
@click.option("--authority", help="Entra ID authority host (sovereign clouds).")
@click.option("--tag-key", default="application", show_default=True,
              help="Machines with the same value of this tag form one workload.")
@click.option("--label-prefix", default="advisor.io/", show_default=True,
              help="Tags with this prefix become estate labels.")
@click.option("-c", "--config", type=click.Path(),
              help="advisor.yaml: map regions to its location ids.")
@click.option("--allow-partial", is_flag=True,
              help="Exit 0 when a subscription fails (it is still named).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def discover_azure(scopes: tuple[str, ...], arm_endpoint: str | None, authority: str | None,
                   tag_key: str, label_prefix: str, config: str | None, allow_partial: bool,
                   output: str | None, quiet: bool) -> None:
    """List virtual machines and managed disks as workloads (read-only calls only).

    \b
    Example:
      advisor discover azure --scope /subscriptions/SUB-ID -c advisor.yaml -o workloads.yaml
    """
    from connectors.azure import parse_settings
    from connectors.azure_inventory import discover
    from connectors.cloud import report_failures
    from connectors.cloud_common import Progress

    raw: dict[str, Any] = {"type": "azure", "scopes": list(scopes), "tag_key": tag_key,
                           "label_prefix": label_prefix}
    if arm_endpoint:
        raw["arm_endpoint"] = arm_endpoint
    if authority:
        raw["authority"] = authority
    settings = parse_settings(raw)
    progress = Progress(enabled=None if not quiet else False)
    try:
        inv = discover(settings, _location_mapper(config, "azure"), progress=progress)
    finally:
        progress.done()
    header = [f"# Discovered by `advisor discover azure` from {inv.source}: "
              f"{len(inv.workloads)} workloads, {inv.instances} virtual machines, "
              f"{inv.volumes} managed disks",
              "# resources: vCPU and memory (GiB) of the VM sizes, storage = disk GiB"]
    header += [f"# FAILED {f.message}" for f in inv.failures]
    header += [f"# note: {n}" for n in inv.notes]
    write_output(render_workloads(header, inv.workloads), output)
    if not quiet:
        click.echo(f"advisor: discovered {len(inv.workloads)} workloads in Azure", err=True)
    report_failures(inv.failures, allow_partial)


def _number(value: Decimal) -> Any:
    return int(value) if value == value.to_integral_value() else _Plain(format(value.normalize(),
                                                                              "f"))


class _Plain(str):
    """A decimal written as a YAML float without going through binary floating point."""


def render_workloads(header: list[str], workloads: list[Any]) -> str:
    """A valid workloads.yaml (sorted, deterministic), headed by what produced it."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Plain, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float",
                                                                   str(v)))
    lines = list(header)
    lines.append("workloads:" if workloads else "workloads: []")
    for w in sorted(workloads, key=lambda w: w.id):
        item: dict[str, Any] = {"id": w.id, "name": w.name, "application": w.application}
        if w.owner:
            item["owner"] = w.owner
        item["location"] = w.location
        item["resources"] = {"cpu": _number(w.resources.cpu),
                             "memory_gb": _number(w.resources.memory_gb),
                             "storage_gb": _number(w.resources.storage_gb)}
        if w.labels:
            item["labels"] = dict(sorted(w.labels.items()))
        if w.pinned:
            item["pinned"] = True
        if w.cost_match:
            match: dict[str, Any] = {}
            if w.cost_match.tags:
                match["tags"] = dict(w.cost_match.tags)
            if w.cost_match.resource_id:
                match["resource_id"] = list(w.cost_match.resource_id)
            if match:
                item["cost_match"] = match
        text = yaml.dump([item], Dumper=Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, width=100)
        lines.extend("  " + line for line in text.rstrip("\n").split("\n"))
    return "\n".join(lines) + "\n"
