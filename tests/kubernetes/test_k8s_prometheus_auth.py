"""Prometheus behind an authenticating proxy (the real Prometheus fixture behind it): bearer
tokens from a file or a variable, basic auth, a private CA; secrets never shown anywhere."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cli_runner import RunCli
from k8s_authproxy import AuthProxy, make_certificates
from k8s_support import Prometheus

from advisor.connectors.kubernetes import collect
from advisor.estate.load import load_estate

CANARY = "canary-5b1f0e7d9c3a4e6f8a2b7c1d9e3f5a70"  # must never be seen outside the request
WRONG = "canary-wrong-0c9e8d7b6a5f4e3d2c1b0a9f8e7d"
USER = "advisor"


def bearer(token: str) -> str:
    return f"Bearer {token}"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def one_error(err: str) -> str:
    lines = [x for x in err.splitlines() if x.startswith("advisor: error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def proxy(prometheus: Prometheus) -> Iterator[AuthProxy]:
    server = AuthProxy(prometheus.url, expect=bearer(CANARY)).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, so a secret that reached any log would be caught."""
    caplog.set_level(logging.DEBUG)
    return caplog


def discover_args(kubeconfig: Path, url: str, *extra: str) -> list[str]:
    return ["discover", "kubernetes", "--kubeconfig", str(kubeconfig), "--context", "dc1",
            "--location", "onprem-dc1", "--prometheus", url, "--window", "7d",
            "--at", "2024-01-01T00:00:00Z", "-n", "shop", "-n", "payments", *extra]


def web_usage(path: Path) -> object:
    data = yaml.safe_load(path.read_text())
    return {w["id"]: w for w in data["workloads"]}["dc1/shop/deployment/web"].get("usage")


def test_bearer_token_from_a_variable_and_the_canary_never_shows(
        run_cli: RunCli, kubeconfig: Path, proxy: AuthProxy, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, debug_logs: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("PROM_TOKEN", CANARY)
    monkeypatch.setenv("PROM_WRONG", WRONG)
    out = tmp_path / "discovered.yaml"

    missing = run_cli(*discover_args(kubeconfig, proxy.url, "-o", str(out)))
    assert missing.code == 3
    assert one_error(missing.err) == (
        f"advisor: error: source kubernetes:dc1: Prometheus at {proxy.url} answered HTTP 401 "
        "Unauthorized: it requires credentials and none were given")
    assert "--prometheus-token-file" in missing.err  # the hint says how

    wrong = run_cli(*discover_args(kubeconfig, proxy.url, "--prometheus-token-env", "PROM_WRONG",
                               "-o", str(out)))
    assert wrong.code == 3
    assert one_error(wrong.err) == (
        f"advisor: error: source kubernetes:dc1: Prometheus at {proxy.url} answered HTTP 401 "
        "Unauthorized: it refused the bearer token in $PROM_WRONG")
    assert not out.exists()

    good = run_cli(*discover_args(kubeconfig, proxy.url, "--prometheus-token-env", "PROM_TOKEN",
                              "-o", str(out)))
    assert good.code == 0, good.err
    assert web_usage(out) == {"cpu_p95": 1.5, "memory_gb_p95": 1.125}
    assert proxy.seen[0] is None and proxy.seen[1] == bearer(WRONG)
    assert set(proxy.seen[2:]) == {bearer(CANARY)}  # every query of the run carried it
    for secret in (CANARY, WRONG):
        for text in (missing.out, missing.err, wrong.out, wrong.err, good.out, good.err,
                     out.read_text(), debug_logs.text):
            assert secret not in text


def test_a_secret_echoed_by_the_server_is_redacted(
        run_cli: RunCli, kubeconfig: Path, prometheus: Prometheus, tmp_path: Path,
        debug_logs: pytest.LogCaptureFixture) -> None:
    token = tmp_path / "token"
    token.write_text(CANARY + "\n")
    echo = AuthProxy(prometheus.url, expect=bearer(CANARY), echo=True).start()
    try:
        result = run_cli(*discover_args(kubeconfig, echo.url, "--prometheus-token-file",
                                        str(token)))
    finally:
        echo.stop()
    assert result.code == 3
    line = one_error(result.err)
    assert f"Prometheus at {echo.url} answered HTTP 502" in line and "[redacted]" in line
    assert CANARY not in result.err + result.out + debug_logs.text
    assert echo.seen == [bearer(CANARY)]  # the file's trailing newline was not sent


def test_token_file_and_basic_auth_as_source_settings(
        kubeconfig: Path, prometheus: Prometheus, estate_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    (estate_dir / "secrets").mkdir()
    (estate_dir / "secrets" / "prom-token").write_text(CANARY)
    monkeypatch.setenv("PROM_PASSWORD", CANARY)
    tokened = AuthProxy(prometheus.url, expect=bearer(CANARY)).start()
    basic_proxy = AuthProxy(prometheus.url, expect=basic(USER, CANARY)).start()
    common = (f"kubeconfig: {kubeconfig}, context: dc1, location: onprem-dc1, window: 7d, "
              "at: '2024-01-01T00:00:00Z', namespaces: [shop]")
    try:
        (estate_dir / "advisor.yaml").write_text(
            "version: 1\nname: T\ncurrency: EUR\nlocations: locations.yaml\n"
            "workloads: workloads.yaml\nsources:\n"
            f"  - {{type: kubernetes, {common}, prometheus: {tokened.url},\n"
            "     prometheus_auth: {bearer_token_file: secrets/prom-token}}\n"
            f"  - {{type: kubernetes, name: dc1-basic, {common}, prometheus: {basic_proxy.url},"
            "\n     prometheus_auth: {basic_auth: {username: advisor, "
            "password_env: PROM_PASSWORD}}}\n")
        estate = load_estate(estate_dir / "advisor.yaml")
        results = [collect(estate, s) for s in estate.sources]
    finally:
        tokened.stop()
        basic_proxy.stop()
    for result in results:
        assert result.usage["dc1/shop/deployment/web"].cpu_p95 == 1.5
        assert CANARY not in repr(result)
    assert set(tokened.seen) == {bearer(CANARY)}
    assert set(basic_proxy.seen) == {basic(USER, CANARY)}


def test_basic_auth_refused_names_the_user_not_the_password(
        run_cli: RunCli, kubeconfig: Path, prometheus: Prometheus,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROM_PASSWORD", WRONG)
    server = AuthProxy(prometheus.url, expect=basic(USER, CANARY)).start()
    try:
        result = run_cli(*discover_args(kubeconfig, server.url, "--prometheus-user", USER,
                                    "--prometheus-password-env", "PROM_PASSWORD"))
    finally:
        server.stop()
    assert result.code == 3
    assert one_error(result.err).endswith(
        "answered HTTP 401 Unauthorized: it refused basic auth as 'advisor' (password in "
        "$PROM_PASSWORD)")
    assert WRONG not in result.err + result.out


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    made = make_certificates(tmp_path_factory.mktemp("tls"))
    if made is None:
        pytest.skip("openssl is not installed")
    return made


def test_https_with_a_private_ca(run_cli: RunCli, kubeconfig: Path, prometheus: Prometheus,
                                 certificates: tuple[Path, Path, Path], tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = certificates
    monkeypatch.setenv("PROM_TOKEN", CANARY)
    server = AuthProxy(prometheus.url, expect=bearer(CANARY), tls=(cert, key)).start()
    out = tmp_path / "w.yaml"
    try:
        unknown_ca = run_cli(*discover_args(kubeconfig, server.url, "--prometheus-token-env",
                                        "PROM_TOKEN"))
        trusted = run_cli(*discover_args(kubeconfig, server.url, "--prometheus-token-env",
                                     "PROM_TOKEN", "--prometheus-ca", str(ca), "-o", str(out)))
        insecure = run_cli(*discover_args(kubeconfig, server.url, "--prometheus-token-env",
                                      "PROM_TOKEN", "--prometheus-insecure"))
    finally:
        server.stop()
    assert unknown_ca.code == 3
    assert f"cannot reach Prometheus at {server.url}: " in one_error(unknown_ca.err)
    assert "CERTIFICATE_VERIFY_FAILED" in unknown_ca.err and "--prometheus-ca" in unknown_ca.err
    assert trusted.code == 0, trusted.err
    assert web_usage(out) == {"cpu_p95": 1.5, "memory_gb_p95": 1.125}
    assert insecure.code == 0, insecure.err
    assert CANARY not in unknown_ca.err + trusted.err + insecure.err + out.read_text()


@pytest.mark.parametrize(("extra", "message"), [
    (("--prometheus-token-env", "NOT_SET_ANYWHERE"),
     "prometheus_auth.bearer_token_env: the environment variable NOT_SET_ANYWHERE is not set"),
    (("--prometheus-token-file", "/nonexistent/token"),
     "prometheus_auth.bearer_token_file: cannot read /nonexistent/token: No such file or "
     "directory"),
    (("--prometheus-token-env", "A", "--prometheus-token-file", "t"),
     "give one way to authenticate to Prometheus, not --prometheus-token-file and "
     "--prometheus-token-env"),
    (("--prometheus-user", "advisor"),
     "--prometheus-user needs one of --prometheus-password-env, --prometheus-password-file"),
    (("--prometheus-token-env", CANARY + "/x"),
     "prometheus_auth.bearer_token_env: is not an environment variable name (the value is not "
     "shown)"),
    (("--prometheus-ca", "/nonexistent/ca.pem"), "prometheus_ca: /nonexistent/ca.pem not found"),
])
def test_bad_credential_settings_are_input_errors(run_cli: RunCli, kubeconfig: Path,
                                                  extra: tuple[str, ...], message: str) -> None:
    result = run_cli(*discover_args(kubeconfig, "http://127.0.0.1:9", *extra))
    assert result.code == 2
    assert one_error(result.err) == f"advisor: error: {message}"
    assert CANARY not in result.err


def test_a_token_with_a_line_break_is_refused_unshown(run_cli: RunCli, kubeconfig: Path,
                                                     tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(f"{CANARY}\n{CANARY}\n")
    result = run_cli(*discover_args(kubeconfig, "http://127.0.0.1:9", "--prometheus-token-file",
                                str(token)))
    assert result.code == 2
    assert "holds line breaks" in one_error(result.err) and CANARY not in result.err


def test_credentials_in_the_url_are_refused_unshown(run_cli: RunCli, kubeconfig: Path) -> None:
    result = run_cli(*discover_args(kubeconfig, f"http://advisor:{CANARY}@127.0.0.1:9"))
    assert result.code == 2
    assert "holds credentials" in one_error(result.err)
    assert CANARY not in result.err + result.out


def test_auth_settings_need_a_prometheus(estate_dir: Path) -> None:
    from advisor.connectors.kubernetes import parse_settings
    from advisor.errors import InputError

    with pytest.raises(InputError) as err:
        parse_settings({"location": "a", "prometheus_auth": {"bearer_token_env": "T"}})
    assert "prometheus_auth is set but no prometheus URL is given" in err.value.message
    with pytest.raises(InputError) as err:
        parse_settings({"location": "a", "prometheus": "http://p:9090",
                        "prometheus_auth": {"bearer_token_env": "T",
                                            "bearer_token_file": "f"}})
    assert "give exactly one of bearer_token_file, bearer_token_env, basic_auth" in \
        err.value.message
