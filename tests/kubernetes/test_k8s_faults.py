"""Faults and bad input: one clear line each, exit 2 for input, 3 for sources, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import RunCli
from k8s_fakeapi import FakeApiServer, Fault

from advisor.errors import InputError
from advisor.estate.load import load_estate


def discover_args(kubeconfig: Path, *extra: str) -> list[str]:
    return ["discover", "kubernetes", "--kubeconfig", str(kubeconfig), "--context", "dc1",
            "--location", "onprem-dc1", "--page-size", "50", "-q", *extra]


def one_error(err: str) -> str:
    lines = [x for x in err.splitlines() if x.startswith("advisor: error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_expired_continue_token_restarts_the_list(run_cli: RunCli, kubeconfig: Path,
                                                  api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("pods", 410, on="continue", times=1))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 0, result.err
    assert "1 list(s) restarted after an expired continue token (410 Gone)" in result.err
    firsts = [q for p, q in api_server.requests if p == "/api/v1/pods" and "continue" not in q]
    assert len(firsts) == 2
    assert "# deployment shop/web: 3 pods" in result.out  # counted once, not twice


def test_a_list_that_keeps_expiring_fails(run_cli: RunCli, kubeconfig: Path,
                                          api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("pods", 410, on="continue", times=99))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 3
    assert "kept expiring (410 Gone)" in one_error(result.err)


def test_forbidden_names_the_verb_and_resource(run_cli: RunCli, kubeconfig: Path,
                                               api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("deployments", 403))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 3
    assert one_error(result.err) == (
        "advisor: error: source kubernetes:dc1: forbidden: missing verb 'list' on resource "
        "'deployments' (API group \"apps\") at cluster scope")
    assert "ClusterRole in docs/kubernetes.md" in result.err


def test_forbidden_cronjobs_names_the_batch_group(run_cli: RunCli, kubeconfig: Path,
                                                 api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("cronjobs", 403))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 3
    assert one_error(result.err) == (
        "advisor: error: source kubernetes:dc1: forbidden: missing verb 'list' on resource "
        "'cronjobs' (API group \"batch\") at cluster scope")


def test_a_passing_500_is_retried(run_cli: RunCli, kubeconfig: Path,
                                  api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("pods", 500, on="continue", times=1))
    assert run_cli(*discover_args(kubeconfig)).code == 0


def test_a_lasting_500_fails(run_cli: RunCli, kubeconfig: Path, api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("nodes", 500, times=99))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 3
    assert f"the API server at {api_server.url} answered HTTP 500 (etcdserver: request timed " \
        "out) when listing nodes (3 tries)" in one_error(result.err)


def test_a_slow_answer_times_out_then_recovers(run_cli: RunCli, kubeconfig: Path,
                                               api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("pods", 200, delay=1.5, times=1))
    result = run_cli(*discover_args(kubeconfig, "--timeout", "0.4"))
    assert result.code == 0, result.err


def test_a_lasting_slow_answer_fails(run_cli: RunCli, kubeconfig: Path,
                                     api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("namespaces", 200, delay=1.0, times=99))
    result = run_cli(*discover_args(kubeconfig, "--timeout", "0.3"))
    assert result.code == 3
    assert "did not answer within 0.3 s when listing namespaces" in one_error(result.err)


def test_a_truncated_body_is_retried(run_cli: RunCli, kubeconfig: Path,
                                     api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("pods", 200, on="continue", truncate=True, times=1))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 0, result.err
    assert "discovered" not in result.err


def test_a_lasting_truncated_body_fails(run_cli: RunCli, kubeconfig: Path,
                                        api_server: FakeApiServer) -> None:
    api_server.faults.append(Fault("replicasets", 200, truncate=True, times=99))
    result = run_cli(*discover_args(kubeconfig))
    assert result.code == 3
    assert "truncated" in one_error(result.err) and "replicasets" in result.err


def test_unknown_context(run_cli: RunCli, kubeconfig: Path) -> None:
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig),
                 "--context", "dc9", "--location", "x")
    assert result.code == 3
    assert f"kubernetes context 'dc9' is not in kubeconfig {kubeconfig}" in one_error(result.err)
    assert "known contexts: dc1, down" in result.err


def test_unreachable_api_server(run_cli: RunCli, kubeconfig: Path) -> None:
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(kubeconfig),
                 "--context", "down", "--location", "x")
    assert result.code == 3
    line = one_error(result.err)
    assert "source kubernetes:down: cannot reach the API server at http://127.0.0.1:" in line
    assert "refused" in line.lower()


def test_kubeconfig_that_does_not_parse(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nclusters:\n  - name: a\n    cluster: {server: [\n")
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(bad), "--location", "x")
    assert result.code == 2
    assert one_error(result.err).startswith(f"advisor: error: {bad}:")
    assert "kubeconfig does not parse" in result.err


def test_missing_kubeconfig(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("discover", "kubernetes", "--kubeconfig", str(tmp_path / "nope"),
                 "--location", "x")
    assert result.code == 2 and "kubeconfig not found" in one_error(result.err)


def test_window_that_does_not_parse(run_cli: RunCli, kubeconfig: Path) -> None:
    result = run_cli(*discover_args(kubeconfig, "--window", "14x"))
    assert result.code == 2
    assert one_error(result.err) == "advisor: error: window: '14x' does not parse as a duration"
    assert "14d, 12h, 30m" in result.err


def test_in_cluster_outside_a_pod(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    result = run_cli("discover", "kubernetes", "--in-cluster", "--location", "x")
    assert result.code == 3
    assert "in-cluster configuration unavailable" in one_error(result.err)


def test_unreachable_prometheus(run_cli: RunCli, kubeconfig: Path) -> None:
    from servers import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli(*discover_args(kubeconfig, "--prometheus", url))
    assert result.code == 3
    assert f"cannot reach Prometheus at {url}" in one_error(result.err)


def test_source_settings_errors_point_at_the_line(estate_dir: Path, kubeconfig: Path) -> None:
    """Source settings are checked when the estate loads, before any source is asked."""
    (estate_dir / "advisor.yaml").write_text(
        "version: 1\nname: T\ncurrency: EUR\nlocations: locations.yaml\n"
        "workloads: workloads.yaml\nsources:\n"
        f"  - type: kubernetes\n    kubeconfig: {kubeconfig}\n    context: dc1\n"
        "    location: onprem-dc1\n    window: two weeks\n")
    with pytest.raises(InputError) as err:
        load_estate(estate_dir / "advisor.yaml")
    assert err.value.message.startswith(f"{estate_dir / 'advisor.yaml'}:11: sources[0].window")
    assert err.value.exit_code == 2


def test_unknown_location_in_a_source(estate_dir: Path, kubeconfig: Path) -> None:
    (estate_dir / "advisor.yaml").write_text(
        "version: 1\nname: T\ncurrency: EUR\nlocations: locations.yaml\n"
        "workloads: workloads.yaml\nsources:\n"
        f"  - {{type: kubernetes, kubeconfig: {kubeconfig}, location: onprem-dc2}}\n")
    with pytest.raises(InputError) as err:
        load_estate(estate_dir / "advisor.yaml")
    assert "unknown location 'onprem-dc2'" in err.value.message
    assert err.value.hint == "did you mean 'onprem-dc1'?"
    assert err.value.line == 7


def test_unknown_setting(estate_dir: Path) -> None:
    from advisor.connectors.kubernetes import parse_settings

    with pytest.raises(InputError) as err:
        parse_settings({"location": "a", "contxt": "dc1"})
    assert "unknown key 'contxt'" in err.value.message and "context" in (err.value.hint or "")


def test_kubeconfig_from_the_environment_with_several_files(
        run_cli: RunCli, kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from k8s_fakeapi import write_kubeconfig

    other = write_kubeconfig(tmp_path / "other", {"lab": "http://127.0.0.1:9"})
    monkeypatch.setenv("KUBECONFIG", f"{other}:{tmp_path / 'missing'}:{kubeconfig}")
    result = run_cli("discover", "kubernetes", "--context", "dc1", "--location", "onprem-dc1", "-q")
    assert result.code == 0, result.err
    assert "id: dc1/shop/deployment/web" in result.out
    unknown = run_cli("discover", "kubernetes", "--context", "dc9", "--location", "x")
    assert unknown.code == 3 and "known contexts: dc1, down, lab" in unknown.err
