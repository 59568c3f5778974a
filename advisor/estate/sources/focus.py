"""``{type: focus}``: FinOps FOCUS billing exports on disk, in S3 or in Azure Blob storage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from advisor.estate.formats.fields import Secret, Text, TextListKind
from advisor.estate.sources.common import Settings


class FocusSettings(Settings):
    """A FOCUS billing source (files, a glob, a folder, s3:// or az:// URLs)."""

    type: Literal["focus"] = "focus"
    name: Text = Field("", description="Shown in messages (default: focus:<first path>).")
    path: Annotated[tuple[str, ...], TextListKind(
        min_items=1, empty=("lists no file", "give a file, glob, folder, s3:// or az:// URL"))] \
        = Field(
        description="A file, glob, folder, s3://bucket/prefix or az://container/prefix, or a "
                    "list of them; relative paths start at the advisor.yaml's folder.",
        examples=["billing/*.csv"])
    account_url: Text | None = Field(None, description="Azure storage account URL for az:// "
                                                       "(default: AZURE_STORAGE_ACCOUNT_URL).")
    connection_string: Secret | None = Field(
        None, repr=False, description="Azure storage connection string for az:// (prefer the "
                                      "environment).")
    endpoint_url: Text | None = Field(None, description="S3-compatible endpoint for s3://.")
    profile: Text | None = Field(None, description="AWS profile for s3:// (default: boto3's "
                                                   "credential chain).")
    authority: Text | None = Field(None, description="Entra ID host for az:// with account_url "
                                                     "(sovereign clouds).")

    @property
    def paths(self) -> tuple[str, ...]:
        return self.path

    def _finish(self) -> None:
        if not self.name:
            self._derive(name=f"focus:{self.path[0]}")

