"""``{type: azure}``: Cost Management costs and the virtual machines of subscriptions,
management groups or billing accounts (the options of ``advisor discover azure``)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from advisor.estate.formats.fields import (
    Flag,
    Num,
    OneOf,
    Secret,
    Text,
    TextKind,
    TextList,
    Whole,
    fail,
)
from advisor.estate.sources.aws import GRANULARITIES, GroupingKind
from advisor.estate.sources.common import MonthSetting, Settings, url_of
from advisor.estate.yamlfile import shown

DIMENSIONS = ("ResourceGroupName", "ServiceName", "SubscriptionId", "ResourceLocation",
              "MeterCategory", "ResourceType")
SCOPE = re.compile(
    r"^/(subscriptions/[0-9a-fA-F-]{36}(/resourceGroups/[^/]+)?"
    r"|providers/Microsoft\.Management/managementGroups/[^/]+"
    r"|providers/Microsoft\.Billing/billingAccounts/[^/]+(/billingProfiles/[^/]+)?)/?$",
    re.IGNORECASE)


def _arm_endpoint(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise fail(f"arm_endpoint {shown(text)} is not a URL",
                   "e.g. https://management.usgovcloudapi.net")
    return text.rstrip("/")


def _authority(text: str) -> str:
    if ("://" in text and not text.startswith("https://")) \
            or not text.removeprefix("https://").strip("/"):
        raise fail(f"authority {shown(text)} is not an https host",
                   "give the Entra ID host, e.g. login.microsoftonline.us or "
                   "login.chinacloudapi.cn (tokens are only asked for over https)")
    return text


class AzureSettings(Settings):
    """Azure scopes: costs from Cost Management (or a FOCUS export), inventory from Resource
    Manager. Credentials come from DefaultAzureCredential."""

    type: Literal["azure"] = "azure"
    name: Text = Field("", description="Shown in messages (default: azure:<first scope>).")
    scope: TextList = Field((), description="/subscriptions/ID, .../resourceGroups/NAME, "
                                            "/providers/Microsoft.Management/managementGroups/"
                                            "NAME or /providers/Microsoft.Billing/"
                                            "billingAccounts/ID.")
    scopes: TextList = Field((), description="Several scopes (the same forms as scope).")
    arm_endpoint: Annotated[str, TextKind(pattern="^https?://", check=_arm_endpoint)] = Field(
        "https://management.azure.com", description="Resource Manager endpoint (sovereign "
                                                    "clouds).")
    authority: Annotated[str, TextKind(check=_authority)] | None = Field(
        None, description="Entra ID authority host (sovereign clouds).")
    cost_query: Flag = Field(True, description="Read costs from Cost Management.")
    granularity: Annotated[str, OneOf(*GRANULARITIES)] = "monthly"
    group_by: Annotated[tuple[str, ...], GroupingKind(DIMENSIONS, "Cost Management")] = Field(
        ("ResourceGroupName", "ServiceName"), description="At most two: a dimension or TAG:key.")
    months: Annotated[int, Whole(1, 12)] = Field(3, description="Months to read, up to now.")
    start: MonthSetting | None = Field(None, description="First month (YYYY-MM).")
    end: MonthSetting | None = Field(None, description="Last month (YYYY-MM).")
    max_retries: Annotated[int, Whole(0, 20)] = Field(4, description="Retries when throttled.")
    max_wait_seconds: Annotated[float, Num(as_float=True)] = Field(
        120.0, description="Longest wait the service may ask for before a retry.")
    max_total_wait_seconds: Annotated[float, Num(as_float=True)] = Field(
        300.0, description="All the waits of one request together, at most.")
    focus_path: Annotated[str, TextKind(pattern="^az://", check=url_of(
        "az://", "focus_path", "give the export's container and folder, e.g. "
        "az://exports/focus"))] | None = Field(None, description="A Cost Management FOCUS "
                                                                 "export in Blob storage.")
    account_url: Text | None = Field(None, description="Storage account URL of focus_path.")
    connection_string: Secret | None = Field(
        None, repr=False, description="Storage connection string of focus_path (prefer the "
                                      "environment).")
    tag_key: Text = Field("application", description="Machines with the same value of this "
                                                     "tag form one workload.")
    label_prefix: Text = Field("advisor.io/", description="Tags with this prefix become estate "
                                                          "labels.")

    def _finish(self) -> None:
        scopes = tuple(dict.fromkeys(self.scopes + self.scope))  # once each, in order
        if not scopes:
            raise fail("missing required key 'scope'", "add 'scope: /subscriptions/ID' (or a "
                       "management group, resource group or billing account scope)")
        key = "scopes" if self.scopes else "scope"
        for scope in scopes:
            if not SCOPE.match(scope):
                raise fail(f"{shown(scope)} is not an Azure scope", key=key,
                           hint="use /subscriptions/ID, /subscriptions/ID/resourceGroups/NAME, "
                                "/providers/Microsoft.Management/managementGroups/NAME or "
                                "/providers/Microsoft.Billing/billingAccounts/ID")
        self._derive(name=self.name or f"azure:{scopes[0]}",
                     scopes=tuple(s.rstrip("/") for s in scopes),
                     group_by=self.group_by or ("ResourceGroupName", "ServiceName"))
