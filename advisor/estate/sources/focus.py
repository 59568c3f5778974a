"""``{type: focus}``: FinOps FOCUS billing exports on disk, in S3 or in Azure Blob storage."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import OneOf, Secret, Text, TextListKind, fail
from advisor.estate.sources.common import Settings

ENGINES = ("duckdb", "spark")
CLUSTER_FORMATS = ("parquet", "csv", "json", "orc", "delta")
CLUSTER_KEYS = ("connect", "master", "table", "format")
FILTER_KEYS = ("provider", "billing_account", "sub_account")
FilterValues = Annotated[tuple[str, ...], TextListKind(min_items=1, empty=("lists no value",
                                                                           None))]


class FocusFilter(Format):
    """Only the rows whose value is one of those listed, for every key given: one organisation's
    rows of a table that holds many. Pushed down to the engine."""

    provider: FilterValues | None = Field(
        None, description="ServiceProviderName (ProviderName before 1.3), case-insensitive.")
    billing_account: FilterValues | None = Field(None, description="BillingAccountId values.")
    sub_account: FilterValues | None = Field(None, description="SubAccountId values.")


class FocusSettings(Settings):
    """A FOCUS billing source (files, a glob, a folder, s3:// or az:// URLs)."""

    type: Literal["focus"] = "focus"
    name: Text = Field("", description="Shown in messages (default: focus:<first path>).")
    path: Annotated[tuple[str, ...], TextListKind(
        min_items=1, empty=("lists no file", "give a file, glob, folder, s3:// or az:// URL"))] \
        = Field(
        (), description="A file, glob, folder, s3://bucket/prefix or az://container/prefix, or "
                        "a list of them; relative paths start at the advisor.yaml's folder. "
                        "With engine: spark, one path the cluster reads (e.g. s3a://...).",
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

    engine: Annotated[str, OneOf(*ENGINES)] = Field(
        "duckdb", description="Where the ledger's queries run: duckdb (here) or spark (the "
                              "cluster that holds the data; docs/ledger.md).")
    connect: Secret | None = Field(
        None, repr=False, description="engine: spark: a Spark Connect URL, sc://HOST:15002 "
                                      "(;token=... is never shown).")
    master: Text | None = Field(None, description="engine: spark without Spark Connect: a "
                                                  "classic master URL (spark://HOST:7077, yarn).")
    table: Text | None = Field(None, description="engine: spark: the FOCUS table, "
                                                 "catalog.database.table.")
    format: Annotated[str, OneOf(*CLUSTER_FORMATS)] | None = Field(
        None, description="engine: spark with path: the files' format (default: csv for "
                          ".csv names, else parquet).")
    filter: FocusFilter | None = Field(None, description="Only these providers or accounts' "
                                                         "rows (a shared table).")

    @property
    def paths(self) -> tuple[str, ...]:
        return self.path

    @property
    def filters(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The filter as (key, values) pairs, in a fixed order."""
        if self.filter is None:
            return ()
        return tuple((key, values) for key in FILTER_KEYS
                     if (values := getattr(self.filter, key)))

    def _finish(self) -> None:
        if self.engine == "duckdb":
            for key in CLUSTER_KEYS:
                if getattr(self, key) is not None:
                    raise fail(f"'{key}' is for a cluster engine",
                               f"add 'engine: spark', or remove '{key}'", key=key)
            if not self.path:
                raise fail("missing required key 'path'", "add 'path:' to this entry")
        else:
            if (self.connect is None) == (self.master is None):
                raise fail("an engine: spark source needs one of 'connect' (Spark Connect, "
                           "sc://HOST:15002) or 'master' (a classic master URL)",
                           "prefer connect: the advisor then needs no Java")
            if (self.table is None) == (not self.path):
                raise fail("an engine: spark source reads one of 'table' or 'path'",
                           "table: catalog.database.table, or path: s3a://bucket/focus/")
            if len(self.path) > 1:
                raise fail("a cluster reads one path", "give a folder or a glob", key="path")
        if not self.name:
            self._derive(name=f"focus:{self.table or self.path[0]}")

