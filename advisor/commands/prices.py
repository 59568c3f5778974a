"""``advisor prices refresh``: public cloud list prices as a locations file."""

from __future__ import annotations

import click

from advisor.commands.common import write_output


@click.group()
def prices() -> None:
    """Public cloud list prices, turned into location prices.

    \b
    Example:
      advisor prices refresh --provider aws --region eu-central-1 \\
          --provider azure --region westeurope -o locations.yaml
    """


@prices.command("refresh")
@click.option("--provider", "providers", multiple=True, required=True,
              type=click.Choice(["aws", "azure"]),
              help="Provider of the region given next (repeat: --provider P --region R ...).")
@click.option("--region", "regions", multiple=True, required=True,
              help="Region of the provider given before it.")
@click.option("--offline", is_flag=True,
              help="Use the dated snapshot shipped with the advisor (no network).")
@click.option("--profile", help="AWS profile for the Price List API (boto3's chain).")
@click.option("--pricing-region", default="us-east-1", show_default=True,
              type=click.Choice(["us-east-1", "eu-central-1", "ap-south-1"]),
              help="Where to call the AWS Price List API (it exists only there).")
@click.option("--azure-prices-url", default="https://prices.azure.com", show_default=True,
              help="Base URL of the Azure Retail Prices API.")
@click.option("--snapshot-out", type=click.Path(dir_okay=False),
              help="Also write the fetched prices as a snapshot JSON file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
def refresh(providers: tuple[str, ...], regions: tuple[str, ...], offline: bool,
            profile: str | None, pricing_region: str, azure_prices_url: str,
            snapshot_out: str | None, output: str | None) -> None:
    """Fetch on-demand prices and write one location per provider and region.

    cpu_hour and memory_gb_hour come from a least-squares split of instance prices (see
    docs/cloud.md); storage_gb_month and egress_gb from the storage and data transfer prices.
    AWS prices are in USD, Azure prices in EUR.

    \b
    Examples:
      advisor prices refresh --provider aws --region eu-central-1 \\
          --provider azure --region westeurope -o locations.yaml
      advisor prices refresh --offline --provider aws --region eu-west-1
    """
    import datetime as dt
    from pathlib import Path

    from advisor.connectors.prices import (
        aws_prices,
        azure_prices,
        load_snapshot,
        render_locations,
        write_snapshot,
    )
    from advisor.errors import InputError

    if len(providers) != len(regions):
        raise InputError("give one --region after each --provider",
                         hint="e.g. --provider aws --region eu-central-1 --provider azure "
                              "--region westeurope")
    pairs = sorted(set(zip(providers, regions, strict=True)))
    found = []
    if offline:
        date, snapshot = load_snapshot()
        for provider, region in pairs:
            got = snapshot.get(f"{provider}:{region}")
            if got is None:
                have = ", ".join(sorted(snapshot))
                raise InputError(f"the price snapshot of {date} has no {provider} {region}",
                                 hint=f"it holds: {have}")
            found.append(got)
        header = [f"# Location prices from the advisor's price snapshot of {date} "
                  "(list prices, on demand, Linux)"]
    else:
        session = None
        for provider, region in pairs:
            if provider == "aws":
                if session is None:
                    from advisor.connectors.aws import base_session, parse_settings

                    session = base_session(parse_settings({"name": "aws prices",
                                                           "profile": profile}))
                found.append(aws_prices(region, session, pricing_region))
            else:
                found.append(azure_prices(region, azure_prices_url))
        today = dt.datetime.now(dt.UTC).date().isoformat()
        header = [f"# Location prices fetched {today} by `advisor prices refresh` "
                  "(list prices, on demand, Linux)"]
        if snapshot_out:
            write_snapshot(Path(snapshot_out), today, found)
    header.append("# cpu_hour and memory_gb_hour: least-squares split of instance prices; "
                  "check country, jurisdiction and certifications before use")
    write_output(render_locations(found, header), output)
