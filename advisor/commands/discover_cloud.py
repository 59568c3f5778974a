"""``advisor discover aws`` and ``advisor discover azure``: cloud inventory as a workloads file.

Registered on the ``discover`` group by ``advisor.commands.discover`` (two lines there).
"""

from __future__ import annotations

from typing import Any

import click

from advisor.commands.common import say, write_output


def _location_mapper(config: str | None, provider: str) -> Any:
    """Region -> location id: the first estate location of the provider in that region (with
    -c), else ``<provider>-<region>``."""
    by_region: dict[str, str] = {}
    if config:
        from advisor.estate.load import load_estate

        for loc in load_estate(config).locations:
            if loc.provider == provider:
                by_region.setdefault(loc.region, loc.id)

    def location_for(region: str) -> str:
        return by_region.get(region, f"{provider}-{region}")

    return location_for


def _source_settings(config: str | None, name: str | None, kind: str) -> Any:
    """The ``{type: KIND}`` source called NAME in advisor.yaml (flags are applied over it with
    ``settings_with``), or None when no --source is given."""
    if not name:
        return None
    from advisor.errors import InputError

    if not config:
        raise InputError(f"--source {name} needs -c advisor.yaml (the file that defines it)")
    from advisor.estate.load import load_estate

    sources = [s for s in load_estate(config).sources if s.type == kind]
    named = [s for s in sources if "name" in s.model_fields_set]
    for s in named:
        if s.name == name:
            return s
    names = ", ".join(sorted(s.name for s in named)) or "none"
    raise InputError(f"no {kind} source named '{name}' in {config}",
                     hint=f"{kind} sources with a name there: {names}")


def _with_flags(kind: str, source: Any, flags: dict[str, Any]) -> Any:
    """Settings from the flags, over the named source's settings when there is one; checked
    like a source of advisor.yaml."""
    from advisor.estate.sources import SOURCE_TYPES, settings_from, settings_with

    given = {k: v for k, v in flags.items() if v is not None}
    if source is not None:
        return settings_with(source, **given)
    return settings_from(SOURCE_TYPES[kind], {"type": kind, **given})


@click.command("aws")
@click.option("--profile", help="AWS profile (default: boto3's standard credential chain).")
@click.option("--accounts", default=None, metavar="all|ID[,ID...]",
              help="'all': every active account of the organisation (assumes --role-name in "
                   "each); or account ids. Default: the credentials' own account.")
@click.option("--role-name", help="Read-only role assumed in each member account. "
                                  "[default: AdvisorReadOnly]")
@click.option("--region", "regions", multiple=True, metavar="REGION",
              help="Region to read (repeat for several). [default: eu-central-1]")
@click.option("--tag-key", help="Instances with the same value of this tag form one workload. "
                                "[default: application]")
@click.option("--label-prefix", help="Tags with this prefix become estate labels. "
                                     "[default: advisor.io/]")
@click.option("--include-stopped", is_flag=True, default=None,
              help="Count stopped instances too.")
@click.option("--cpu-window", metavar="DURATION",
              help="Also read CPU usage from CloudWatch: usage.cpu_p95 = p95 of CPUUtilization "
                   "over this window (e.g. 14d) × vCPU, summed per workload.")
@click.option("-c", "--config", type=click.Path(),
              help="advisor.yaml: map regions to its location ids.")
@click.option("--source", "source_name", metavar="NAME",
              help="Start from the settings of the aws source NAME in -c advisor.yaml.")
@click.option("--allow-partial", is_flag=True,
              help="Exit 0 when an account or region fails (it is still named).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def discover_aws(profile: str | None, accounts: str | None, role_name: str | None,
                 regions: tuple[str, ...], tag_key: str | None, label_prefix: str | None,
                 include_stopped: bool | None, cpu_window: str | None, config: str | None,
                 source_name: str | None, allow_partial: bool, output: str | None,
                 quiet: bool) -> None:
    """List EC2 instances and EBS volumes as workloads (read-only calls only).

    \b
    Examples:
      advisor discover aws --profile org-admin -o workloads.yaml
      advisor discover aws --profile org-admin --accounts all --region eu-central-1 \\
          --region eu-west-1 --cpu-window 14d -c advisor.yaml -o workloads.yaml
      advisor discover aws -c advisor.yaml --source aws-org -o workloads.yaml
    """
    from advisor.commands.progress import TerminalProgress
    from advisor.commands.sources import report_failures
    from advisor.connectors.aws_inventory import discover

    source = _source_settings(config, source_name, "aws")
    flags = {"profile": profile, "role_name": role_name, "tag_key": tag_key,
             "label_prefix": label_prefix, "include_stopped": include_stopped,
             "cpu_window": cpu_window,
             "accounts": [a.strip() for a in accounts.split(",") if a.strip()] if accounts
             else None,
             "regions": list(regions) or None}
    settings = _with_flags("aws", source, flags)
    progress = TerminalProgress(enabled=None if not quiet else False)
    try:
        inv = discover(settings, _location_mapper(config, "aws"), progress)
    finally:
        progress.done()
    header = [f"# Discovered by `advisor discover aws` from {inv.source}: "
              f"{len(inv.workloads)} workloads, {inv.instances} instances, {inv.volumes} volumes "
              f"in {len(inv.accounts)} account(s), regions {', '.join(settings.regions)}",
              "# resources: vCPU and memory (GiB) of the instance types, storage = EBS GiB"]
    if inv.usage:
        header.append(f"# usage: cpu_p95 (cores) = {inv.usage} × vCPU, summed per workload")
    header += [f"# FAILED {f.message}" for f in inv.failures]
    header += [f"# note: {n}" for n in inv.notes]
    write_output(render_workloads(header, inv.workloads), output)
    if not quiet:
        say(f"advisor: discovered {len(inv.workloads)} workloads in "
                   f"{len(inv.accounts)} AWS account(s)", err=True)
    report_failures(inv.failures, allow_partial)


@click.command("azure")
@click.option("--scope", "scopes", multiple=True, metavar="SCOPE",
              help="/subscriptions/ID or /providers/Microsoft.Management/managementGroups/ID "
                   "(every subscription under it); repeat for several.")
@click.option("--arm-endpoint", help="Resource Manager endpoint (sovereign clouds).")
@click.option("--authority", help="Entra ID authority host (sovereign clouds).")
@click.option("--tag-key", help="Machines with the same value of this tag form one workload. "
                                "[default: application]")
@click.option("--label-prefix", help="Tags with this prefix become estate labels. "
                                     "[default: advisor.io/]")
@click.option("-c", "--config", type=click.Path(),
              help="advisor.yaml: map regions to its location ids.")
@click.option("--source", "source_name", metavar="NAME",
              help="Start from the settings of the azure source NAME in -c advisor.yaml.")
@click.option("--allow-partial", is_flag=True,
              help="Exit 0 when a subscription fails (it is still named).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def discover_azure(scopes: tuple[str, ...], arm_endpoint: str | None, authority: str | None,
                   tag_key: str | None, label_prefix: str | None, config: str | None,
                   source_name: str | None, allow_partial: bool, output: str | None,
                   quiet: bool) -> None:
    """List virtual machines and managed disks as workloads (read-only calls only).

    \b
    Examples:
      advisor discover azure --scope /subscriptions/SUB-ID -c advisor.yaml -o workloads.yaml
      advisor discover azure --scope /providers/Microsoft.Management/managementGroups/gemeente
      advisor discover azure -c advisor.yaml --source gemeente -o workloads.yaml
    """
    from advisor.commands.progress import TerminalProgress
    from advisor.commands.sources import report_failures
    from advisor.connectors.azure_inventory import discover
    from advisor.errors import InputError

    source = _source_settings(config, source_name, "azure")
    if not scopes and source is None:
        raise InputError("no scope to read", hint="give --scope /subscriptions/ID (or a "
                         "management group), or --source NAME with -c advisor.yaml")
    flags = {"arm_endpoint": arm_endpoint, "authority": authority, "tag_key": tag_key,
             "label_prefix": label_prefix,
             # --scope replaces the source's scopes
             "scopes": list(scopes) or None, "scope": [] if scopes else None}
    settings = _with_flags("azure", source, flags)
    progress = TerminalProgress(enabled=None if not quiet else False)
    try:
        inv = discover(settings, _location_mapper(config, "azure"), progress=progress)
    finally:
        progress.done()
    header = [f"# Discovered by `advisor discover azure` from {inv.source}: "
              f"{len(inv.workloads)} workloads, {inv.instances} virtual machines, "
              f"{inv.volumes} managed disks in {len(inv.accounts)} subscription(s)",
              "# resources: vCPU and memory (GiB) of the VM sizes, storage = disk GiB"]
    header += [f"# FAILED {f.message}" for f in inv.failures]
    header += [f"# note: {n}" for n in inv.notes]
    write_output(render_workloads(header, inv.workloads), output)
    if not quiet:
        say(f"advisor: discovered {len(inv.workloads)} workloads in Azure", err=True)
    report_failures(inv.failures, allow_partial)


def render_workloads(header: list[str], workloads: list[Any]) -> str:
    """A valid workloads.yaml (sorted, deterministic), headed by what produced it."""
    from advisor.estate.writer import render

    return render(header, sorted(workloads, key=lambda w: w.id))
