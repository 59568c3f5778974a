"""``{type: aws}``: Cost Explorer costs and EC2/EBS inventory of one account or an organisation
(the options of ``advisor discover aws``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from advisor.estate.formats.fields import (
    Below,
    Flag,
    OneOf,
    Text,
    TextKind,
    TextList,
    TextListKind,
    Whole,
    fail,
    fail_many,
)
from advisor.estate.sources.common import (
    DURATION_PATTERN,
    MonthSetting,
    Settings,
    parse_duration,
    url_of,
)
from advisor.estate.yamlfile import nearest, shown

GRANULARITIES = ("monthly", "daily")
CE_DIMENSIONS = ("LINKED_ACCOUNT", "SERVICE", "REGION", "USAGE_TYPE", "INSTANCE_TYPE",
                 "RECORD_TYPE")
MAX_WINDOW_SECONDS = 455 * 86400  # CloudWatch keeps hourly EC2 points for 455 days


class AccountsKind(TextListKind):
    """``all`` (every active member account of the organisation) or 12-digit account ids."""

    def check(self, value: Any) -> tuple[str, ...]:
        accounts = super().check(value)
        if accounts == ("all",):
            return accounts
        bad: list[Below] = [((i,), fail(f"invalid account id {shown(a)}",
                           "give 12-digit account ids, or 'all' for every member account of "
                           "the organisation"), a)
               for i, a in enumerate(accounts) if not (len(a) == 12 and a.isdigit())]
        if bad:
            raise fail_many("accounts", bad)
        return accounts


class GroupingKind(TextListKind):
    """At most two groupings: a dimension or ``TAG:key``."""

    def __init__(self, dimensions: tuple[str, ...], service: str) -> None:
        super().__init__()
        self.dimensions = dimensions
        self.service = service

    def check(self, value: Any) -> tuple[str, ...]:
        keys = super().check(value)
        if len(keys) > 2:
            raise fail(f"{self.service} groups by at most two keys",
                       f"keep two of {', '.join(self.dimensions[:3])}, TAG:key")
        for i, key in enumerate(keys):
            if not (key in self.dimensions or (key.startswith("TAG:") and len(key) > 4)):
                near = nearest(key, self.dimensions)
                raise fail(f"unknown grouping {shown(key)}",
                           (f"did you mean '{near}'? " if near else "")
                           + "use a dimension (" + ", ".join(self.dimensions) + ") or TAG:key",
                           key=i if isinstance(value, list) else None)
        return keys


def _cpu_window(text: str) -> str:
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise fail(f"invalid cpu_window {shown(text)}",
                   "write a duration such as 14d, 30d or 12h") from None
    if not 3600 <= seconds <= MAX_WINDOW_SECONDS:
        raise fail(f"cpu_window {shown(text)} is outside 1h to 455d",
                   "CloudWatch keeps EC2 metrics for 455 days; 14d is typical")
    return text


class AwsSettings(Settings):
    """An AWS account or organisation: costs from Cost Explorer (or a Data Export), inventory
    from EC2. Credentials come from boto3's standard chain (profile, SSO, environment, role)."""

    type: Literal["aws"] = "aws"
    name: Text = Field("", description="Shown in messages (default: aws:<profile>).")
    profile: Text | None = Field(None, description="AWS profile (default: boto3's chain).")
    accounts: Annotated[tuple[str, ...], AccountsKind()] | None = Field(
        None, description="'all': every active account of the organisation; or account ids. "
                          "Default: the credentials' own account.")
    role_name: Text = Field("AdvisorReadOnly", description="Read-only role assumed in each "
                                                           "member account.")
    external_id: Text | None = Field(None, description="ExternalId for the assumed role.")
    regions: TextList = Field(("eu-central-1",), description="Regions to read.")
    cost_explorer: Flag = Field(True, description="Read costs from Cost Explorer (USD 0.01 per "
                                                  "request).")
    granularity: Annotated[str, OneOf(*GRANULARITIES)] = "monthly"
    group_by: Annotated[tuple[str, ...], GroupingKind(CE_DIMENSIONS, "Cost Explorer")] = Field(
        ("LINKED_ACCOUNT", "SERVICE"), description="At most two: a dimension or TAG:key.")
    months: Annotated[int, Whole(1, 36)] = Field(3, description="Months to read, up to now.")
    start: MonthSetting | None = Field(None, description="First month (YYYY-MM).")
    end: MonthSetting | None = Field(None, description="Last month (YYYY-MM).")
    cache_dir: Text | None = Field(None, description="Cache of Cost Explorer answers.")
    max_retries: Annotated[int, Whole(0, 20)] = Field(5, description="Retries when throttled.")
    focus_path: Annotated[str, TextKind(pattern="^s3://", check=url_of(
        "s3://", "focus_path", "give the Data Export's S3 location, e.g. s3://bucket/prefix"))] \
        | None = Field(None, description="A Data Export (FOCUS) in S3, read with this source's "
                                         "profile.")
    tag_key: Text = Field("application", description="Instances with the same value of this "
                                                     "tag form one workload.")
    label_prefix: Text = Field("advisor.io/", description="Tags with this prefix become estate "
                                                          "labels.")
    include_stopped: Flag = Field(False, description="Count stopped instances too.")
    cpu_window: Annotated[str, TextKind(pattern=DURATION_PATTERN, check=_cpu_window)] | None = \
        Field(None, description="p95 CPU from CloudWatch over this window (1h to 455d).")

    @property
    def all_accounts(self) -> bool:
        return self.accounts == ("all",)

    @property
    def cpu_window_seconds(self) -> int:
        return parse_duration(self.cpu_window) if self.cpu_window else 0

    @property
    def cache_path(self) -> Path | None:
        return Path(self.resolve(self.cache_dir)) if self.cache_dir else None

    def _finish(self) -> None:
        self._derive(name=self.name or f"aws:{self.profile or 'default'}",
                     regions=self.regions or ("eu-central-1",),
                     group_by=self.group_by or ("LINKED_ACCOUNT", "SERVICE"))
