"""The registry of source types: each ``type:`` of advisor.yaml's ``sources`` and the model of its
settings. Every source is checked when the estate loads, so a typo in a source stops the run
before any work, with its file and line; the connectors receive the typed settings.

To add a source type: write its settings model (a ``Settings`` with ``type: Literal["..."]``),
add it to ``SourceSettings`` and ``SOURCE_TYPES`` below, and give it a connector.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from advisor.estate.sources.aws import AwsSettings
from advisor.estate.sources.azure import AzureSettings
from advisor.estate.sources.common import Settings, settings_from, settings_with
from advisor.estate.sources.focus import FocusSettings
from advisor.estate.sources.kubernetes import KubernetesSettings
from advisor.month import Month

SourceSettings = FocusSettings | KubernetesSettings | AwsSettings | AzureSettings
SOURCE_TYPES: dict[str, type[SourceSettings]] = {
    "focus": FocusSettings,
    "kubernetes": KubernetesSettings,
    "aws": AwsSettings,
    "azure": AzureSettings,
}
# One entry of advisor.yaml's ``sources:``, its settings chosen by ``type``.
Source = Annotated[SourceSettings, Field(discriminator="type")]

BILLING_TYPES = ("focus", "aws", "azure")  # sources the ledger reads
DISCOVERY_TYPES = ("kubernetes",)  # sources that add workloads and usage

__all__ = ["BILLING_TYPES", "DISCOVERY_TYPES", "SOURCE_TYPES", "AwsSettings", "AzureSettings",
           "FocusSettings", "KubernetesSettings", "Month", "Settings", "Source",
           "SourceSettings", "settings_from", "settings_with"]
