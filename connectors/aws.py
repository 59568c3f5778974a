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

from advisor.connectors.cloud_common import first_line, month_setting, scrub
from advisor.errors import InputError, SourceError
from advisor.estate.yamlfile import Doc, View
from advisor.month import Month

SETTINGS_KEYS = ("type", "name", "profile", "accounts", "role_name", "external_id", "regions",
                 "cost_explorer", "granularity", "group_by", "months", "start", "end",
                 "cache_dir", "max_retries", "focus_path", "tag_key", "label_prefix",
                 "include_stopped", "cpu_window")
GRANULARITIES = ("monthly", "daily")
CE_DIMENSIONS = ("LINKED_ACCOUNT", "SERVICE", "REGION", "USAGE_TYPE", "INSTANCE_TYPE",
                 "RECORD_TYPE")
T = TypeVar("T")


@dataclass(frozen=True)
class AwsSettings:
    """One validated ``{type: aws}`` source."""

    name: str
    profile: str | None = None
    accounts: tuple[str, ...] | None = None  # None: the credentials' own account; ("all",): org
    role_name: str = "AdvisorReadOnly"
    external_id: str | None = None
    regions: tuple[str, ...] = ("eu-central-1",)
    cost_explorer: bool = True
    granularity: str = "monthly"
    group_by: tuple[str, ...] = ("LINKED_ACCOUNT", "SERVICE")
    months: int = 3
    start: Month | None = None
    end: Month | None = None
    cache_dir: Path | None = None
    max_retries: int = 5
    focus_path: str | None = None
    tag_key: str = "application"
    label_prefix: str = "advisor.io/"
    include_stopped: bool = False
    cpu_window: str | None = None  # e.g. "14d": p95 CPU from CloudWatch over this window
    cpu_window_seconds: int = 0
    base: Path = field(default_factory=Path.cwd)

    @property
    def all_accounts(self) -> bool:
        return self.accounts == ("all",)


def parse_settings(raw: dict[str, Any], base: Path | None = None) -> AwsSettings:
    """Validate a source entry; unknown keys and bad values are errors with file:line."""
    doc = Doc(raw.get("_file"), "estate file")
    value = {k: v for k, v in raw.items() if not k.startswith("_")}
    view = View(doc, value, tuple(raw.get("_keypath", ())))
    view.mapping(SETTINGS_KEYS, required=("type",))
    accounts: tuple[str, ...] | None = None
    if view.has("accounts"):
        accounts = view.str_list("accounts")
        if accounts != ("all",):
            for i, acc in enumerate(accounts):
                if not (len(acc) == 12 and acc.isdigit()):
                    raise doc.error((*view.path, "accounts", i), f"invalid account id '{acc}'",
                                    "give 12-digit account ids, or 'all' for every member "
                                    "account of the organisation")
    group_by = view.str_list("group_by") or ("LINKED_ACCOUNT", "SERVICE")
    if len(group_by) > 2:
        raise view.fail("Cost Explorer groups by at most two keys", key="group_by",
                        hint="keep two of LINKED_ACCOUNT, SERVICE, REGION, TAG:key")
    for i, key in enumerate(group_by):
        if not (key in CE_DIMENSIONS or (key.startswith("TAG:") and len(key) > 4)):
            from advisor.estate.yamlfile import nearest

            near = nearest(key, CE_DIMENSIONS)
            raise doc.error((*view.path, "group_by", i), f"unknown grouping '{key}'",
                            (f"did you mean '{near}'? " if near else "")
                            + "use a dimension (" + ", ".join(CE_DIMENSIONS) + ") or TAG:key")
    regions = view.str_list("regions") or ("eu-central-1",)
    profile = view.str("profile") if view.has("profile") else None
    cache = Path(view.str("cache_dir")).expanduser() if view.has("cache_dir") else None
    base = base or (Path(raw["_file"]).parent if raw.get("_file") else Path.cwd())
    if cache is not None and not cache.is_absolute():
        cache = base / cache
    focus_path = view.str("focus_path") if view.has("focus_path") else None
    if focus_path and not focus_path.startswith("s3://"):
        raise view.fail(f"focus_path '{focus_path}' is not an s3:// URL", key="focus_path",
                        hint="give the Data Export's S3 location, e.g. s3://bucket/prefix")
    name = view.str("name") if view.has("name") else f"aws:{profile or 'default'}"
    cpu_window, cpu_seconds = _cpu_window(view)
    return AwsSettings(
        name=name,
        profile=profile,
        accounts=accounts,
        role_name=view.str("role_name", "AdvisorReadOnly"),
        external_id=view.str("external_id") if view.has("external_id") else None,
        regions=regions,
        cost_explorer=view.boolean("cost_explorer", default=True),
        granularity=view.choice("granularity", GRANULARITIES, "monthly"),
        group_by=group_by,
        months=view.integer("months", default=3, minimum=1, maximum=36) or 3,
        start=month_setting(view, "start"),
        end=month_setting(view, "end"),
        cache_dir=cache,
        max_retries=view.integer("max_retries", default=5, minimum=0, maximum=20) or 0,
        focus_path=focus_path,
        tag_key=view.str("tag_key", "application"),
        label_prefix=view.str("label_prefix", "advisor.io/"),
        include_stopped=view.boolean("include_stopped", default=False),
        cpu_window=cpu_window,
        cpu_window_seconds=cpu_seconds,
        base=base,
    )


def _cpu_window(view: View) -> tuple[str | None, int]:
    """The CloudWatch window as written and in seconds; at least an hour, at most the 455 days
    CloudWatch keeps hourly points."""
    if not view.has("cpu_window"):
        return None, 0
    from advisor.connectors.aws_cloudwatch import MAX_WINDOW_SECONDS
    from advisor.connectors.prometheus import parse_duration

    text = view.str("cpu_window")
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise view.fail(f"invalid cpu_window '{text}'", key="cpu_window",
                        hint="write a duration such as 14d, 30d or 12h") from None
    if not 3600 <= seconds <= MAX_WINDOW_SECONDS:
        raise view.fail(f"cpu_window '{text}' is outside 1h to 455d", key="cpu_window",
                        hint="CloudWatch keeps EC2 metrics for 455 days; 14d is typical")
    return text, seconds


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
