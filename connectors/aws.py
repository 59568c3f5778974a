"""AWS: settings, credentials and the accounts of an organisation (shared by cost, inventory and
prices).

Credentials come from boto3's standard chain (profile, SSO, environment, instance role); endpoints
from boto3's standard configuration (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``, or
``endpoint_url`` / ``services`` in the profile), so VPC endpoints, LocalStack and moto need no
setting here. ``accounts: all`` lists the organisation's active member accounts and assumes a named
read-only role in each; the account the credentials belong to is used directly.

Only read operations are called (see docs/cloud.md for the least-privilege IAM policy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from advisor.connectors.cloud_common import first_line, scrub
from advisor.errors import InputError, SourceError
from advisor.estate.sources import AwsSettings, settings_from

T = TypeVar("T")


def parse_settings(raw: dict[str, Any], base: Path | None = None) -> AwsSettings:
    """Settings from a mapping (command-line flags), checked like a source of advisor.yaml."""
    return settings_from(AwsSettings, {"type": "aws", **raw}, base=base)


# -- errors -----------------------------------------------------------------------------------

_CODE_HINTS = {
    "ExpiredToken": "the credentials have expired: renew them (e.g. `aws sso login`)",
    "ExpiredTokenException": "the credentials have expired: renew them (e.g. `aws sso login`)",
    "RequestExpired": "the credentials have expired or the clock is wrong",
    "InvalidClientTokenId": "the access key is not valid: check the profile's credentials",
    "UnrecognizedClientException": "the access key is not valid: check the profile's credentials",
    "SignatureDoesNotMatch": "the secret key does not match the access key",
    "AccessDenied": "not allowed: see docs/cloud.md for the read-only IAM policy",
    "AccessDeniedException": "not allowed: see docs/cloud.md for the read-only IAM policy",
    "AWSOrganizationsNotInUseException": "the account is not in an organisation: list account "
                                         "ids instead of 'all'",
    "DataUnavailableException": "Cost Explorer has no data yet: enable it in the billing console",
}


def describe(exc: BaseException, what: str) -> tuple[str, str | None]:
    """A one-line message and a hint for a boto3/botocore failure, without any secret."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "Error"))
        msg = first_line(str(err.get("Message", "")))
        return scrub(f"{what}: {code}: {msg}".rstrip(": ")), _CODE_HINTS.get(code)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return f"{what}: no usable AWS credentials", ("configure a profile (`aws configure "
                                                      "sso`) or set the AWS_* environment")
    if isinstance(exc, EndpointConnectionError):
        return scrub(f"{what}: cannot reach {exc.kwargs.get('endpoint_url', 'the endpoint')}"), \
            "check the network, or AWS_ENDPOINT_URL"
    if isinstance(exc, BotoCoreError):
        return scrub(f"{what}: {first_line(str(exc))}"), None
    return scrub(f"{what}: {type(exc).__name__}: {first_line(str(exc))}"), None


def guarded(source: str, what: str, call: Callable[[], T]) -> T:
    """Run one AWS call; any SDK failure becomes a SourceError naming the account or service."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        message, hint = describe(exc, what)
        raise SourceError(source, message, hint) from None


# -- sessions and accounts --------------------------------------------------------------------

def base_session(s: AwsSettings) -> Any:
    """boto3's session for the profile (or the default chain); an unknown profile is an input
    error that names it."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(profile_name=s.profile)
    except ProfileNotFound:
        raise InputError(f"source {s.name}: unknown AWS profile '{s.profile}'",
                         hint="run `aws configure list-profiles`, or fix 'profile:'") from None


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    session: Any = field(compare=False, hash=False, default=None)  # None until assumed


def caller_account(s: AwsSettings, session: Any) -> str:
    sts = session.client("sts", region_name=_home_region(session))
    ident = guarded(s.name, "sts:GetCallerIdentity", lambda: sts.get_caller_identity())
    return str(ident["Account"])


def _home_region(session: Any) -> str:
    return str(session.region_name or "us-east-1")


def list_accounts(s: AwsSettings, session: Any, own: str) -> list[Account]:
    """The accounts to read: the organisation's active ones, the listed ones, or our own."""
    if s.accounts is None:
        return [Account(own, own)]
    if not s.all_accounts:
        return [Account(a, a) for a in s.accounts]
    org = session.client("organizations", region_name=_home_region(session))

    def pages() -> list[Account]:
        out = []
        for page in org.get_paginator("list_accounts").paginate():
            for acc in page.get("Accounts", []):
                if acc.get("Status", "ACTIVE") == "ACTIVE":
                    out.append(Account(str(acc["Id"]), str(acc.get("Name") or acc["Id"])))
        return out

    found = guarded(s.name, "organizations:ListAccounts", pages)
    return sorted(found, key=lambda a: a.id)


def account_session(s: AwsSettings, session: Any, account: Account, own: str) -> Any:
    """A session in ``account``: our own credentials there, else the assumed read-only role."""
    if account.id == own:
        return session
    import boto3

    sts = session.client("sts", region_name=_home_region(session))
    arn = f"arn:aws:iam::{account.id}:role/{s.role_name}"
    kwargs: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": "advisor-read-only"}
    if s.external_id:
        kwargs["ExternalId"] = s.external_id
    got = guarded(f"{s.name} account {account.id}", f"cannot assume role {arn}",
                  lambda: sts.assume_role(**kwargs))
    creds = got["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"],
                         region_name=_home_region(session))


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
