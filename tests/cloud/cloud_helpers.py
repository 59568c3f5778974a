"""Constants and helpers shared by the cloud tests (imported by name: a module called
``conftest`` would clash with tests/ledger's when both folders run in one session).

Credentials are canaries: the tests assert that they never appear in output, errors or files.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AWS_KEY_ID = "AKIACANARY0000000001"
AWS_SECRET = "canaryAwsSecret/0123456789abcdefghijKLMNOP"  # 40 characters, like a real one
AZURE_TOKEN = "canary-azure-token-5f1e9d"
AZURE_IDENTITY_HEADER = "canary-identity-header-77aa"
AZURE_CLIENT_SECRET = "canary-client-secret-3c9d0e"
CANARIES = (AWS_SECRET, AZURE_TOKEN, AZURE_IDENTITY_HEADER, AZURE_CLIENT_SECRET)
SOVEREIGN_HOSTS = ("login.chinacloudapi.cn", "management.chinacloudapi.cn",
                   "login.microsoftonline.us", "management.usgovcloudapi.net")
MEMBER_A = "222222222222"
MEMBER_B = "333333333333"
from servers import AZURITE_ACCOUNT, AZURITE_KEY, free_port, wait_port  # noqa: F401, E402


def moto_client(service: str, url: str, region: str = "eu-central-1", **creds: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url, region_name=region,
                        aws_access_key_id=creds.get("key", "seed"),
                        aws_secret_access_key=creds.get("secret", "seed"),
                        aws_session_token=creds.get("token"))


def queue_ce(moto_port: int, results: list[dict[str, Any]]) -> None:
    """Queue Cost Explorer answers: one per distinct request body, in request order."""
    data = json.dumps({"results": results}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{moto_port}/moto-api/static/ce/cost-and-usage-results", data=data,
        headers={"Content-Type": "application/json"}, method="POST")
    assert urllib.request.urlopen(req, timeout=10).status == 201


def member_client(service: str, moto_port: int, account: str, region: str) -> Any:
    """A client acting inside a member account (moto switches account on AssumeRole)."""
    sts = moto_client("sts", f"http://127.0.0.1:{moto_port}", region)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/AdvisorReadOnly",
                            RoleSessionName="seed")["Credentials"]
    return moto_client(service, f"http://127.0.0.1:{moto_port}", region,
                       key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                       token=creds["SessionToken"])


def assert_no_secrets(*texts: str) -> None:
    for text in texts:
        for canary in CANARIES:
            assert canary not in text, f"secret {canary[:8]}... leaked"


def make_certificates(folder: Path, hosts: tuple[str, ...]) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for ``hosts`` signed by it: (CA, cert, key)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)

    def build(subject: str, issuer: x509.Name | None, signer: Any, public: Any,
              ca: bool) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name)
                   .public_key(public).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(hours=1))
                   .not_valid_after(now + dt.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            builder = builder.add_extension(
                x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(h) for h in hosts]), critical=False)
            builder = builder.add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build("advisor test CA", None, ca_key, ca_key.public_key(), ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = build(hosts[0], ca.subject, ca_key, key.public_key(), ca=False)
    paths = (folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths
