"""The workloads file (``workloads:`` list) and one workload: what runs where, what it needs,
what it depends on and how its bill rows are found."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from advisor.estate.formats.base import Format
from advisor.estate.formats.fields import (
    Amount,
    Below,
    Flag,
    Ident,
    Text,
    TextList,
    TextMap,
    TextMapKind,
    fail,
    fail_many,
)
from advisor.estate.model import (
    KNOWN_LABEL_VALUES,
    CostMatch,
    Dependency,
    Resources,
    SourceRef,
    Usage,
    Workload,
)
from advisor.estate.yamlfile import nearest, shown

ZERO = Decimal(0)


class LabelsKind(TextMapKind):
    """Free labels, except that a label the built-in rules know takes one of its values."""

    def check(self, value: Any) -> dict[str, str]:
        labels = super().check(value)
        errors: list[Below] = []
        for key, allowed in KNOWN_LABEL_VALUES.items():
            if key in labels and labels[key] not in allowed:
                near = nearest(labels[key], allowed)
                errors.append(((key,), fail(
                    f"invalid value {shown(labels[key])} for label {key}",
                    (f"did you mean '{near}'? " if near else "") + f"one of: {', '.join(allowed)}"),
                    labels[key]))
        if errors:
            raise fail_many("labels", errors)
        return labels

    def schema(self) -> dict[str, Any]:
        return {**super().schema(),
                "properties": {k: {"enum": list(v)} for k, v in KNOWN_LABEL_VALUES.items()}}


class StorageEntry(Format):
    """GB of storage per class; each class is priced by the location."""

    block: Amount = Field(ZERO, description="Disks (the same as storage_gb).")
    file: Amount = Field(ZERO, description="File shares.")
    object: Amount = Field(ZERO, description="Object storage (buckets).")
    archive: Amount = Field(ZERO, description="Archive tiers (cold storage, tape).")


class ResourcesEntry(Format):
    """What the workload requests."""

    cpu: Amount = Field(description="vCPUs.")
    memory_gb: Amount = Field(description="GB of memory.")
    storage_gb: Amount = Field(ZERO, description="GB of block storage.")
    storage: StorageEntry | None = Field(None, description="GB per storage class: block, file, "
                                                           "object, archive.")

    @model_validator(mode="after")
    def _block_once(self) -> ResourcesEntry:
        if self.storage is not None and "storage_gb" in self.model_fields_set \
                and "block" in self.storage.model_fields_set:
            raise fail("block storage given twice (storage_gb and storage.block)",
                       "keep one of them", key="storage_gb")
        return self

    def to_resources(self) -> Resources:
        s = self.storage
        if s is None:
            return Resources(self.cpu, self.memory_gb, self.storage_gb)
        block = s.block if "block" in s.model_fields_set else self.storage_gb
        return Resources(self.cpu, self.memory_gb, block, s.file, s.object, s.archive)


class UsageEntry(Format):
    """Measured use over a window (95th percentiles); rightsizing compares it to the request."""

    cpu_p95: Amount | None = Field(None, description="Cores.")
    memory_gb_p95: Amount | None = Field(None, description="GB of memory.")


class DependencyEntry(Format):
    """A workload this one calls, and the data that flows each month."""

    workload: Text = Field(description="The id of the workload called.")
    receive_gb_month: Amount = Field(ZERO, description="GB the dependency sends to this "
                                                       "workload each month.")
    send_gb_month: Amount = Field(ZERO, description="GB this workload sends to the dependency "
                                                    "each month.")
    colocate: Flag = Field(False, description="True: must run in the same location.")
    max_latency_ms: Amount | None = Field(None, description="Uses the locations' latency_ms.")


def _dependency_by_id(value: Any) -> Any:
    """A dependency may be written as just the workload id."""
    return {"workload": value} if isinstance(value, str) else value


class CostMatchEntry(Format):
    """How billing rows are attributed to this workload (used by the ledger)."""

    tags: TextMap = Field(default_factory=dict, description="Tag key -> value, all must match.")
    resource_id: TextList = Field((), description="Resource ids (globs allowed).")
    account: TextList = Field((), description="Billing accounts or subscriptions.")
    namespace: TextList = Field((), description="Kubernetes namespaces.")


class WorkloadEntry(Format):
    """A part of an application that can be placed on its own."""

    id: Ident = Field(description="Unique id.", examples=["zaak-api"])
    name: Text | None = Field(None, description="Display name (default: the id).")
    application: Text = Field(description="Groups the parts of one application chain.")
    owner: Text | None = Field(None, description="Who answers for it.")
    location: Text = Field(description="The id of the location where it runs now.")
    labels: Annotated[dict[str, str], LabelsKind()] = Field(
        default_factory=dict, description="Labels for rules; personal-data, "
                                          "data-classification, nis2 and bio-risk take fixed "
                                          "values, others are free.")
    resources: ResourcesEntry = Field(description="What it requests.")
    usage: UsageEntry | None = Field(None, description="Measured use (optional).")
    migration_cost: Amount | None = Field(None, description="One-off cost of moving it, in the "
                                                            "estate currency.")
    pinned: Flag = Field(False, description="True: never move.")
    depends_on: list[Annotated[DependencyEntry, BeforeValidator(
        _dependency_by_id, json_schema_input_type=Ident | DependencyEntry)]] = Field(
        default_factory=list, description="Workloads it calls (an id, or a mapping with the "
                                          "traffic).")
    cost_match: CostMatchEntry | None = Field(None, description="How bill rows are attributed.")
    licences: TextList = Field((), description="Licences it needs, paid per vCPU (ids from "
                                               "advisor.yaml's licences).",
                               examples=[["oracle-ee"]])

    def to_workload(self, source: SourceRef | None) -> Workload:
        usage = Usage(self.usage.cpu_p95, self.usage.memory_gb_p95) if self.usage else None
        match = None
        if self.cost_match is not None:
            m = self.cost_match
            match = CostMatch(tuple(sorted(m.tags.items())), m.resource_id, m.account,
                              m.namespace)
        return Workload(
            id=self.id, name=self.name or self.id, application=self.application,
            owner=self.owner or "", location=self.location,
            resources=self.resources.to_resources(),
            labels=dict(self.labels), usage=usage, migration_cost=self.migration_cost,
            pinned=self.pinned,
            depends_on=tuple(Dependency(d.workload, d.receive_gb_month, d.send_gb_month,
                                        d.colocate, d.max_latency_ms) for d in self.depends_on),
            cost_match=match, source=source, licences=self.licences)


class WorkloadsFile(Format):
    """workloads.yaml: the workloads of an estate."""

    workloads: list[WorkloadEntry] = Field(description="Every workload, each with a unique id.")
