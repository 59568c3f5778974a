"""``advisor discover``: find the workloads that already run, and write them as a workloads file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from advisor.commands.common import FiniteFloat, say, write_output
from advisor.commands.discover_cloud import discover_aws, discover_azure

if TYPE_CHECKING:
    from advisor.connectors.kubernetes import Discovery
    from advisor.placement.onprem_cost import ClusterCost


@click.group()
def discover() -> None:
    """Find workloads in running infrastructure and write them as a workloads file.

    The output is a valid workloads.yaml: name it in advisor.yaml (or merge it with your
    catalogue through a `sources:` entry) and `advisor analyze` places it like any other.

    \b
    Example:
      advisor discover kubernetes --context dc1 --location onprem-dc1 -o workloads.yaml
    """


discover.add_command(discover_aws)  # advisor discover aws (connectors/aws_inventory.py)
discover.add_command(discover_azure)  # advisor discover azure (connectors/azure_inventory.py)


@discover.command("kubernetes")
@click.option("--context", help="kubeconfig context (default: the current context).")
@click.option("--kubeconfig", type=click.Path(dir_okay=False),
              help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
@click.option("--in-cluster", is_flag=True,
              help="Use the pod's service account (when running inside the cluster).")
@click.option("--location", required=True, help="Location id the cluster runs in (locations.yaml).")
@click.option("--cluster", help="Name used in workload ids (default: the context name).")
@click.option("--prometheus", metavar="URL", help="Prometheus for p95 usage and mesh traffic; "
              "without it usage is a point-in-time view from metrics.k8s.io.")
@click.option("--prometheus-token-file", metavar="FILE",
              help="Bearer token for Prometheus, read from FILE (e.g. a mounted secret).")
@click.option("--prometheus-token-env", metavar="NAME",
              help="Bearer token for Prometheus, read from the environment variable NAME.")
@click.option("--prometheus-user", metavar="USER", help="Basic auth user for Prometheus "
              "(with --prometheus-password-env or --prometheus-password-file).")
@click.option("--prometheus-password-env", metavar="NAME",
              help="Basic auth password, read from the environment variable NAME.")
@click.option("--prometheus-password-file", metavar="FILE",
              help="Basic auth password, read from FILE.")
@click.option("--prometheus-ca", metavar="FILE",
              help="CA certificate (PEM) that signed Prometheus's https certificate.")
@click.option("--prometheus-insecure", is_flag=True,
              help="Do not verify Prometheus's https certificate (testing only).")
@click.option("--window", default="14d", show_default=True,
              help="Usage window before --at (14d, 12h, 1d12h).")
@click.option("--at", "at", metavar="TIME", help="End of the window, RFC 3339 (default: now).")
@click.option("--label-prefix", default="advisor.io/", show_default=True,
              help="Kubernetes labels with this prefix become estate labels.")
@click.option("-n", "--namespace", "namespaces", multiple=True,
              help="Only these namespaces (repeat the option for several).")
@click.option("--exclude-namespace", "excluded", multiple=True,
              help="Leave these out (default: kube-system, kube-public, kube-node-lease).")
@click.option("--page-size", type=click.IntRange(1, 10000), default=500, show_default=True,
              help="Objects per list call.")
@click.option("--timeout", type=FiniteFloat(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("-c", "--config", "config", type=click.Path(),
              help="advisor.yaml: prices the cluster at the location's prices.")
@click.option("--focus-out", type=click.Path(dir_okay=False),
              help="Write the month's on-premise cost as FOCUS CSV for the ledger (needs -c).")
@click.option("--month", metavar="YYYY-MM", help="Month for --focus-out (default: that of --at).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr.")
def kubernetes(context: str | None, kubeconfig: str | None, in_cluster: bool, location: str,
               cluster: str | None, prometheus: str | None, prometheus_token_file: str | None,
               prometheus_token_env: str | None, prometheus_user: str | None,
               prometheus_password_env: str | None, prometheus_password_file: str | None,
               prometheus_ca: str | None, prometheus_insecure: bool, window: str, at: str | None,
               label_prefix: str, namespaces: tuple[str, ...], excluded: tuple[str, ...],
               page_size: int, timeout: float, config: str | None, focus_out: str | None,
               month: str | None, output: str | None, quiet: bool) -> None:
    """List a cluster's workloads with their requests, usage and dependencies.

    Pods are grouped by their controller (Deployment, StatefulSet, DaemonSet, CronJob, Job, bare
    pod); requests are summed over the pods, claimed volumes become storage, and labels with
    the prefix become estate labels. With --prometheus, usage is the p95 over the window and a
    service mesh's traffic becomes depends_on edges. Only read (list) calls are made.
    Prometheus credentials are read from a file or an environment variable, never given on
    the command line, and never printed.

    \b
    Example:
      advisor discover kubernetes --context dc1 --location onprem-dc1 -o workloads.yaml
      advisor discover kubernetes --context dc1 --location onprem-dc1 \\
          --prometheus http://prometheus:9090 --window 14d -o workloads.yaml
      advisor discover kubernetes --context dc1 --location onprem-dc1 -c advisor.yaml \\
          --focus-out ledger/onprem-2024-01.csv --month 2024-01
    """
    from advisor.commands.progress import progress as terminal_progress
    from advisor.connectors.kubernetes import discover as run_discovery
    from advisor.connectors.kubernetes import parse_settings
    from advisor.errors import InputError

    raw: dict[str, Any] = {"location": location, "window": window, "label_prefix": label_prefix,
                           "page_size": page_size, "timeout": timeout, "in_cluster": in_cluster}
    for key, value in (("context", context), ("kubeconfig", kubeconfig), ("cluster", cluster),
                       ("prometheus", prometheus), ("at", at), ("month", month)):
        if value is not None:
            raw[key] = value
    auth = _prometheus_auth(prometheus_token_file, prometheus_token_env, prometheus_user,
                            prometheus_password_env, prometheus_password_file)
    if auth:
        raw["prometheus_auth"] = auth
    if prometheus_ca:
        raw["prometheus_ca"] = prometheus_ca
    if prometheus_insecure:
        raw["prometheus_insecure"] = True
    if namespaces:
        raw["namespaces"] = list(namespaces)
    if excluded:
        raw["exclude_namespaces"] = list(excluded)
    settings = parse_settings(raw)
    loc = None
    if config:
        from advisor.estate.load import load_estate

        estate = load_estate(config)
        loc = estate.location_by_id().get(location)
        if loc is None:
            raise InputError(f"--location {location} is not a location in {estate.path}",
                             hint="use one of: " + ", ".join(sorted(estate.location_by_id())))
    elif focus_out:
        raise InputError("--focus-out needs -c advisor.yaml for the location's prices")
    bar = terminal_progress(quiet)
    try:
        found = run_discovery(settings, progress=bar)
    finally:
        bar.done()
    cost = None
    if loc is not None:
        from advisor.placement.onprem_cost import cluster_cost, month_period, write_focus_csv

        cost = cluster_cost(found, loc, month_period(month or found.at.strftime("%Y-%m")))
        if focus_out:
            write_focus_csv(focus_out, cost)
    write_output(render_workloads_yaml(found), output)
    for note in found.notes:
        say(f"advisor: note: {note}", err=True)
    if not quiet:
        say(summary(found, cost, focus_out), err=True)


def _prometheus_auth(token_file: str | None, token_env: str | None, user: str | None,
                     password_env: str | None, password_file: str | None) -> dict[str, Any]:
    """The --prometheus-* credential options as a ``prometheus_auth`` setting (names only)."""
    from advisor.errors import InputError

    given = [name for name, value in (("--prometheus-token-file", token_file),
                                      ("--prometheus-token-env", token_env),
                                      ("--prometheus-user", user)) if value]
    if len(given) > 1:
        raise InputError(f"give one way to authenticate to Prometheus, not {' and '.join(given)}")
    if (password_env or password_file) and not user:
        raise InputError("--prometheus-password-env/--prometheus-password-file need "
                         "--prometheus-user")
    if token_file:
        return {"bearer_token_file": token_file}
    if token_env:
        return {"bearer_token_env": token_env}
    if user:
        if bool(password_env) == bool(password_file):
            raise InputError("--prometheus-user needs one of --prometheus-password-env, "
                             "--prometheus-password-file")
        basic = {"username": user}
        if password_env:
            basic["password_env"] = password_env
        if password_file:
            basic["password_file"] = password_file
        return {"basic_auth": basic}
    return {}


def summary(found: Discovery, cost: ClusterCost | None, focus_out: str | None) -> str:
    """A few lines for stderr: what was found, where usage came from, what the month costs."""
    lines = [f"discovered {len(found.workloads)} workloads ({found.pods} pods) on "
             f"{found.nodes} nodes in {found.source} ({found.host})",
             f"usage: {found.usage_source}"]
    if cost is not None:
        from advisor.money import cents

        c = cost.currency
        lines.append(f"cost {cost.period.label} at {cost.location}: nodes {c} "
                     f"{cents(cost.node_cost)}, workloads {c} {cents(cost.workload_compute_cost)}"
                     f" + storage {c} {cents(cost.storage_cost)}, idle {c} "
                     f"{cents(cost.idle_cost)} (cluster {cost.cluster})")
        if focus_out:
            lines.append(f"on-premise cost rows written to {focus_out}")
    return "\n".join(lines)


def render_workloads_yaml(found: Discovery) -> str:
    """The workloads file: a header saying where it came from, one commented entry each."""
    from advisor.estate.writer import render

    header = [f"# Discovered by `advisor discover kubernetes` from {found.source} ({found.host})",
              f"# {len(found.workloads)} workloads, {found.pods} pods, {found.nodes} nodes"
              f" ({found.node_cpu} cores, {found.node_memory_gb} GB)",
              f"# usage: {found.usage_source}",
              "# resources are the summed pod requests; memory and storage in GB (GiB, 2^30 "
              "bytes)"]
    header += [f"# note: {n}" for n in found.notes]
    from advisor.connectors.kubernetes import SHOWN_IDLE

    if len(found.scaled_to_zero) > SHOWN_IDLE:  # the note names only the first ones
        header += [f"# scaled to zero: {ident}" for ident in found.scaled_to_zero]

    def comments(w: Any) -> list[str]:
        info = found.info[w.id]
        limits = ", ".join(f"{k} {'none' if v is None else v}" for k, v in
                           (("cpu", info.cpu_limit), ("memory_gb", info.memory_gb_limit)))
        desired = "" if info.desired_replicas is None else f" ({info.desired_replicas} desired)"
        pods = f"{info.pods} pod" + ("" if info.pods == 1 else "s")
        out = [f"{info.kind} {info.namespace}/{info.name}: {pods}{desired}; limits {limits}"]
        if info.missing_requests:
            out.append(f"containers without requests: {info.missing_requests}")
        return out

    return render(header, found.workloads, comments)
