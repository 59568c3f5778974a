"""Proposed placements for ``advisor check``: a YAML map or a Terraform plan (terraform show -json).

Both become a list of ``Change`` (workload -> location, and where that came from) checked against
the estate; problems a plan itself reveals (a region no location describes, a tag naming no
workload) become findings of their own (PLAN-001..004).

Terraform: resources of the ``aws`` and ``azurerm`` providers in ``resource_changes`` whose
actions create or update them (a replace creates) and whose tags name a workload (tag key
``advisor-workload`` unless configured) are read as that workload moving to the location whose
``provider`` and ``region`` match the resource's region (AWS) or location (Azure). The region of
an AWS resource is its own ``region`` attribute (AWS provider 6), else its provider block's
``region`` (a constant or a root variable), else its availability zone without the zone letter.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.check.formats import PlacementFile
from advisor.errors import InputError
from advisor.estate.formats.base import validate
from advisor.estate.model import Estate, Location
from advisor.estate.yamlfile import line_of, load_yaml, nearest, read_text
from advisor.rules import Finding, Rule

DEFAULT_TAG_KEY = "advisor-workload"
PROVIDERS = {"aws": "aws", "azurerm": "azure"}
_AZ = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")

PLAN_RULES = (
    Rule("PLAN-001", "Planned resource in a region no location describes", "error", "advisor",
         rationale="The plan puts a workload's resource in a cloud region that no location of "
                   "the estate describes, so no rule can be checked there.",
         remediation="Add the region to locations.yaml (with its jurisdiction, certifications "
                     "and prices) or deploy to a region the estate describes.",
         tags=("terraform",)),
    Rule("PLAN-002", "Planned resource whose region cannot be determined", "warning", "advisor",
         rationale="The resource's region is neither an attribute, nor a constant or root "
                   "variable of its provider block, nor an availability zone, so the check "
                   "cannot tell where the workload goes.",
         remediation="Set region (AWS) or location (Azure) from a constant or a root variable.",
         tags=("terraform",)),
    Rule("PLAN-003", "Planned resource tagged with an unknown workload", "warning", "advisor",
         rationale="The resource's workload tag names no workload of the estate, so none of "
                   "the rules can be checked for it.",
         remediation="Add the workload to workloads.yaml, or correct the tag.",
         tags=("terraform",)),
    Rule("PLAN-004", "Planned resources put one workload in several locations", "warning",
         "advisor",
         rationale="Resources tagged with the same workload are planned in different "
                   "locations; the workload is checked at each of them and priced at the first.",
         remediation="Tag each part with its own workload, or keep them in one location.",
         tags=("terraform",)),
)


@dataclass(frozen=True)
class Change:
    """A workload placed at a location by a proposal; ``origin`` says where (file:line or the
    Terraform resource address)."""

    workload: str
    location: str
    origin: str
    file: str
    line: int | None = None
    resource: str | None = None  # the Terraform address


@dataclass
class Proposal:
    changes: list[Change]
    findings: list[Finding]
    extra: list[Change]  # further locations of a workload split by a plan (checked, not priced)
    notes: list[str] = field(default_factory=list)  # what a reader did, for the user

    def placement(self) -> dict[str, str]:
        return {c.workload: c.location for c in self.changes}


# --------------------------------------------------------------------------- YAML placement
def read_placement(path: Path, estate: Estate) -> Proposal:
    """A YAML map workload id -> location id (a subset; the rest stays where it is)."""
    file = str(path)
    context = {"workloads": estate.workload_by_id(), "locations": estate.location_by_id()}
    doc = validate(PlacementFile, load_yaml(path, "placement file"), file, context=context)
    changes = []
    for wid, loc in doc.root.items():
        line = line_of(file, (wid,))
        changes.append(Change(wid, str(loc), f"{path.name}:{line}", file, line))
    return Proposal(sorted(changes, key=lambda c: c.workload), [], [])


# --------------------------------------------------------------------------- Terraform plans
def read_terraform_plan(path: Path, estate: Estate, tag_key: str = DEFAULT_TAG_KEY) -> Proposal:
    """The workloads a Terraform plan creates or updates, and where (see the module docstring)."""
    text = plan_text(path)
    try:
        plan = json.loads(text)
    except RecursionError:
        raise InputError("the JSON nests deeper than this reader follows", file=str(path),
                         hint="give the unmodified output of `terraform show -json "
                              "PLANFILE`") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=str(path),
                         line=exc.lineno, hint="give the output of `terraform show -json "
                         "PLANFILE`, not the binary plan or the text of `terraform plan`") from None
    if not isinstance(plan, dict) or "format_version" not in plan or not (
            "resource_changes" in plan or "planned_values" in plan):
        raise InputError("not a Terraform plan: expected a JSON object with format_version and "
                         "resource_changes", file=str(path),
                         hint="create it with `terraform plan -out tfplan && terraform show "
                              "-json tfplan > plan.json`")
    version = str(plan["format_version"])
    if not version.split(".")[0] == "1" and not version.startswith("0."):
        raise InputError(f"unsupported Terraform JSON format_version {version!r}",
                         file=str(path), hint="this advisor reads format 0.x and 1.x")
    changes_raw = plan.get("resource_changes") or []
    if not isinstance(changes_raw, list):
        raise InputError("resource_changes is not a list", file=str(path),
                         hint="give the unmodified output of `terraform show -json`")
    workloads = estate.workload_by_id()
    by_region = _regions(estate.locations)
    found: dict[str, list[Change]] = {}
    findings: list[Finding] = []
    skipped = {"not managed": 0, "not AWS or Azure": 0, "not created or updated": 0,
               f"without the tag {tag_key}": 0}
    for rc in changes_raw:
        if not isinstance(rc, dict) or rc.get("mode", "managed") != "managed":
            skipped["not managed"] += 1
            continue
        provider = _provider(rc.get("provider_name"))
        raw_change = rc.get("change")
        change: dict[str, Any] = raw_change if isinstance(raw_change, dict) else {}
        actions = change.get("actions") or []
        if provider is None:
            skipped["not AWS or Azure"] += 1
            continue
        if not ("create" in actions or "update" in actions):
            skipped["not created or updated"] += 1
            continue
        raw_after = change.get("after")
        after: dict[str, Any] = raw_after if isinstance(raw_after, dict) else {}
        address = str(rc.get("address", "?"))
        wid = _workload_tag(after, tag_key, provider)
        if wid is None:
            skipped[f"without the tag {tag_key}"] += 1
            continue
        line = _address_line(text, address)
        origin = f"{path.name}: {address}"
        if wid not in workloads:
            near = nearest(wid, workloads)
            findings.append(Finding(
                "PLAN-003", "warning", "", None,
                f"{address} is tagged {tag_key}={wid}, which names no workload"
                + (f" (did you mean '{near}'?)" if near else ""), resource=address))
            continue
        region = _region(rc, after, provider, plan)
        if region is None:
            findings.append(Finding("PLAN-002", "warning", wid, None,
                                    f"{address} ({wid}): the plan does not say in which region "
                                    f"it is created", resource=address))
            continue
        candidates = by_region.get((provider, _norm(region)), [])
        if not candidates:
            findings.append(Finding("PLAN-001", "error", wid, None,
                                    f"{address} ({wid}) is planned in {PROVIDER_NAMES[provider]} "
                                    f"region {region}, which no location of the estate "
                                    "describes", resource=address))
            continue
        here = workloads[wid].location
        loc = here if here in candidates else candidates[0]
        found.setdefault(wid, []).append(Change(wid, loc, origin, str(path), line, address))
    chosen: list[Change] = []
    extra: list[Change] = []
    for wid in sorted(found):
        items = found[wid]
        first = items[0]
        chosen.append(first)
        others = sorted({c.location for c in items} - {first.location})
        if others:
            extra.extend(c for c in items if c.location in others)
            findings.append(Finding(
                "PLAN-004", "warning", wid, first.location,
                f"{wid} is planned in {', '.join([first.location, *others])} "
                f"({', '.join(sorted({c.resource or '' for c in items}))}); checked "
                f"at each, priced at {first.location}", resource=first.resource))
    tagged = len(changes_raw) - sum(skipped.values())
    why = ", ".join(f"{n} {reason}" for reason, n in skipped.items() if n)
    note = (f"{path.name}: {len(changes_raw)} resource changes read, {tagged} tagged "
            f"{tag_key} ({sum(len(v) for v in found.values())} matched a workload and region), "
            f"{sum(skipped.values())} skipped" + (f" ({why})" if why else ""))
    if not tagged and skipped[f"without the tag {tag_key}"]:
        note += f"; no resource carries the tag {tag_key}: is --tag-key right?"
    return Proposal(chosen, findings, extra, [note])


def plan_text(path: Path) -> str:
    """The plan's text: UTF-8, or UTF-16/32 as PowerShell's ``>`` writes it (with a byte order
    mark, or UTF-16 without one, recognised by its zero bytes)."""
    import codecs

    if path.is_file():
        with path.open("rb") as fh:
            head = fh.read(4)
        boms = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
        encoding = next((enc for bom, enc in boms if head.startswith(bom)), None)
        if encoding is None and len(head) >= 2 and head[0] != 0 and head[1] == 0:
            encoding = "utf-16-le"
        elif encoding is None and len(head) >= 2 and head[0] == 0 and head[1] != 0:
            encoding = "utf-16-be"
        if encoding is not None:
            try:
                return path.read_bytes().decode(encoding)
            except (UnicodeDecodeError, OSError) as exc:
                raise InputError(f"Terraform plan is not valid {encoding.upper()} text "
                                 f"({type(exc).__name__})", file=str(path),
                                 hint="save it as UTF-8: terraform show -json tfplan | "
                                      "Out-File -Encoding utf8 plan.json") from None
    return read_text(path, "Terraform plan")


PROVIDER_NAMES = {"aws": "AWS", "azure": "Azure"}


def _regions(locations: list[Location]) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    for loc in sorted(locations, key=lambda x: x.id):
        if loc.provider in ("aws", "azure"):
            out.setdefault((loc.provider, _norm(loc.region)), []).append(loc.id)
    return out


def _norm(region: str) -> str:
    """Azure accepts 'West Europe' and 'westeurope' alike; compare without case and spaces."""
    return region.replace(" ", "").lower()


def _provider(name: Any) -> str | None:
    """'registry.terraform.io/hashicorp/aws' or 'aws' -> 'aws'; other providers -> None."""
    if not isinstance(name, str):
        return None
    return PROVIDERS.get(name.rsplit("/", 1)[-1])


def _workload_tag(after: dict[str, Any], key: str, provider: str = "aws") -> str | None:
    """The tag's value; Azure tag keys are case-insensitive, so there any case matches."""
    for name in ("tags", "tags_all"):
        tags = after.get(name)
        if not isinstance(tags, dict):
            continue
        value = tags.get(key)
        if value is None and provider == "azure":
            value = next((v for k, v in sorted(tags.items(), key=lambda kv: str(kv[0]))
                          if str(k).casefold() == key.casefold()), None)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _region(rc: dict[str, Any], after: dict[str, Any], provider: str,
            plan: dict[str, Any]) -> str | None:
    if provider == "azure":
        loc = after.get("location")
        return loc if isinstance(loc, str) and loc else None
    region = after.get("region")
    if isinstance(region, str) and region:
        return region
    region = _provider_region(rc, plan)
    if region:
        return region
    zone = after.get("availability_zone")
    if isinstance(zone, str):
        m = _AZ.match(zone)
        if m:
            return m.group(1)
    return None


def _provider_region(rc: dict[str, Any], plan: dict[str, Any]) -> str | None:
    """The region of the provider block that manages the resource (a constant or root var)."""
    config = plan.get("configuration")
    if not isinstance(config, dict):
        return None
    providers = config.get("provider_config")
    if not isinstance(providers, dict):
        return None
    key = _config_key(rc, config)
    block = providers.get(key) if key else None
    if block is None:  # the default configuration of the provider
        block = providers.get("aws")
    if not isinstance(block, dict):
        return None
    expr = (block.get("expressions") or {}).get("region")
    if not isinstance(expr, dict):
        return None
    if isinstance(expr.get("constant_value"), str):
        return str(expr["constant_value"])
    refs = expr.get("references") or []
    variables = plan.get("variables") or {}
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("var.") and "module_address" not in block:
            value = (variables.get(ref[4:]) or {}).get("value")
            if isinstance(value, str):
                return value
    return None


def _config_key(rc: dict[str, Any], config: dict[str, Any]) -> str | None:
    """The provider_config_key of the resource's block in the configuration tree."""
    module: Any = config.get("root_module") or {}
    for step in str(rc.get("module_address") or "").split("."):
        if not step or step == "module":
            continue
        name = step.split("[", 1)[0]
        module = ((module.get("module_calls") or {}).get(name) or {}).get("module") or {}
    for res in module.get("resources") or []:
        if isinstance(res, dict) and res.get("type") == rc.get("type") \
                and res.get("name") == rc.get("name") and res.get("mode", "managed") == "managed":
            key = res.get("provider_config_key")
            return str(key) if key else None
    return None


def _address_line(text: str, address: str) -> int | None:
    """The line of the resource's entry in resource_changes (for annotations)."""
    start = max(text.find('"resource_changes"'), 0)
    at = text.find(json.dumps(address), start)
    return text.count("\n", 0, at) + 1 if at >= 0 else None
