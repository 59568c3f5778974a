"""Seeded synthetic estates for benchmarks and scale tests: realistic shapes, any size.

Applications of 3-6 parts (front end -> api -> database, workers), calls to shared platform
services, some colocated api/database pairs and latency limits, labels drawn so that the
sovereignty rules bind, two on-premise data centres with capacity and cloud regions with
different prices.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import yaml

try:
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

CLOUD_TEMPLATES = [
    # provider, region, country, jurisdiction, cloud_act, cpu_hour, mem_hour, storage, egress
    ("aws", "eu-central-1", "DE", "EU", True, 0.0240, 0.0030, 0.095, 0.09),
    ("aws", "eu-west-1", "IE", "EU", True, 0.0225, 0.0028, 0.088, 0.09),
    ("aws", "us-east-1", "US", "OTHER", True, 0.0200, 0.0025, 0.080, 0.09),
    ("aws", "eusc-de-east-1", "DE", "EU", True, 0.0270, 0.0034, 0.100, 0.09),
    ("azure", "westeurope", "NL", "EU", True, 0.0235, 0.0031, 0.090, 0.08),
    ("azure", "germanywestcentral", "DE", "EU", True, 0.0250, 0.0032, 0.095, 0.08),
    ("other", "nl-ams", "NL", "EU", False, 0.0290, 0.0036, 0.070, 0.02),
    ("gcp", "europe-west4", "NL", "EU", True, 0.0230, 0.0030, 0.085, 0.085),
    ("azure", "swedencentral", "SE", "EU", True, 0.0220, 0.0029, 0.085, 0.08),
    ("aws", "eu-north-1", "SE", "EU", True, 0.0215, 0.0027, 0.085, 0.09),
    ("other", "ch-zrh", "CH", "ADEQUATE", False, 0.0310, 0.0038, 0.090, 0.03),
]


def make_estate(workloads: int, edges: int, locations: int, seed: int = 7,
                capacity_factor: float = 1.0, economics: bool = False) -> dict[str, Any]:
    """A dict with the three files' contents. ``capacity_factor`` scales on-premise capacity
    relative to what the on-premise workloads use today (below 1 makes capacity bind hard).
    ``economics`` adds the cost terms a controller's model has (``add_economics``)."""
    rng = random.Random(seed)
    locs: list[dict[str, Any]] = []
    for k in range(2):
        locs.append({
            "id": f"onprem-dc{k + 1}", "name": f"Datacenter {k + 1}", "provider": "onprem",
            "region": f"nl-dc{k + 1}", "country": "NL", "jurisdiction": "EU", "cloud_act": False,
            "certifications": ["ISO27001", "BIO"], "sovereignty_level": 4,
            "prices": {"currency": "EUR", "cpu_hour": 0.034 - 0.006 * k,
                       "memory_gb_hour": 0.0045 - 0.0008 * k, "storage_gb_month": 0.06,
                       "egress_gb": 0.0},
        })
    for t in CLOUD_TEMPLATES[: max(0, locations - 2)]:
        prov, region, country, jur, act, cpu, mem, sto, eg = t
        locs.append({
            "id": f"{prov}-{region}", "provider": prov, "region": region, "country": country,
            "jurisdiction": jur, "cloud_act": act, "certifications": ["ISO27001"],
            "sovereignty_level": 2 if act else 4,
            "prices": {"currency": "USD" if prov == "aws" else "EUR", "cpu_hour": cpu,
                       "memory_gb_hour": mem, "storage_gb_month": sto, "egress_gb": eg},
        })
    ids = [loc["id"] for loc in locs]
    for i, loc in enumerate(locs):
        lat = {}
        for other in ids[i + 1:]:
            far = "us-east" in other or "us-east" in loc["id"]
            lat[other] = rng.choice([80, 90]) if far else rng.choice([2, 5, 9, 12, 18, 25])
        if lat:
            loc["latency_ms"] = lat
    wl: list[dict[str, Any]] = []
    shared = []
    n_shared = max(4, workloads // 200)
    for s in range(n_shared):
        shared.append(f"platform-{s}")
        wl.append({"id": f"platform-{s}", "application": "platform", "location": "onprem-dc1",
                   "pinned": True, "labels": {"personal-data": "none"},
                   "resources": {"cpu": 4, "memory_gb": 16, "storage_gb": 100}})
    apps: list[list[int]] = []
    while len(wl) < workloads:
        size = min(rng.randint(3, 6), workloads - len(wl))
        app = f"app-{len(apps)}"
        pd = rng.choices(["none", "personal", "special"], [5, 4, 2])[0]
        cls = rng.choices(["public", "internal", "confidential", "secret"], [3, 5, 2, 0.2])[0]
        where = rng.choices(ids, [6, 3] + [1] * (len(ids) - 2))[0]
        if pd != "none" and where.startswith("aws-us"):
            where = "onprem-dc1"
        members = []
        for part in range(size):
            kind = ["web", "api", "db", "worker", "worker", "cache"][part]
            cpu = rng.choice([0.5, 1, 2, 4, 8])
            w = {"id": f"{app}-{kind}{part}", "application": app, "location": where,
                 "labels": {"personal-data": pd, "data-classification": cls},
                 "resources": {"cpu": cpu, "memory_gb": cpu * rng.choice([2, 4, 8]),
                               "storage_gb": rng.choice([0, 10, 50, 200, 1000])},
                 "migration_cost": rng.choice([500, 1000, 2500, 5000, 10000]),
                 "depends_on": []}
            members.append(len(wl))
            wl.append(w)
        apps.append(members)
    n_edges = 0
    for members in apps:  # chain inside the application
        for a, b in itertools.pairwise(members):
            dep: dict[str, Any] = {"workload": wl[b]["id"],
                                   "receive_gb_month": rng.choice([5, 20, 50, 200, 800]),
                                   "send_gb_month": rng.choice([1, 5, 20, 100])}
            if "-api" in wl[a]["id"] and "-db" in wl[b]["id"] and rng.random() < 0.5:
                dep["colocate"] = True
            elif rng.random() < 0.1:
                dep["max_latency_ms"] = rng.choice([10, 20, 30])
            wl[a]["depends_on"].append(dep)
            n_edges += 1
    movable = [i for i in range(n_shared, len(wl))]
    while n_edges < edges:
        a = rng.choice(movable)
        if rng.random() < 0.4:
            target = rng.choice(shared)
        else:
            same = apps[rng.randrange(len(apps))] if rng.random() < 0.2 else None
            b = rng.choice(same) if same else rng.choice(movable)
            target = wl[b]["id"]
        if target == wl[a]["id"] or any(d["workload"] == target for d in wl[a]["depends_on"]):
            continue
        wl[a]["depends_on"].append({"workload": target,
                                    "receive_gb_month": rng.choice([1, 5, 10, 40]),
                                    "send_gb_month": rng.choice([0.5, 1, 5])})
        n_edges += 1
    for w in wl:
        if not w.get("depends_on"):
            w.pop("depends_on", None)
    for k, loc in enumerate(locs[:2]):
        used_cpu = sum(w["resources"]["cpu"] for w in wl if w["location"] == loc["id"])
        used_mem = sum(w["resources"]["memory_gb"] for w in wl if w["location"] == loc["id"])
        f = capacity_factor * (1.0 if k == 0 else 0.6)
        loc["capacity"] = {"cpu": max(8, round(used_cpu * f)),
                           "memory_gb": max(32, round(used_mem * f))}
    out = {
        "advisor": {"version": 1, "name": f"Synthetic estate ({workloads} workloads, seed {seed})",
                    "currency": "EUR",
                    "exchange_rates": [{"currency": "USD", "rate": 0.93, "date": "2026-10-31"}],
                    "horizon_months": 36, "locations": "locations.yaml",
                    "workloads": "workloads.yaml", "policies": ["builtin:sovereignty"]},
        "locations": {"locations": locs},
        "workloads": {"workloads": wl},
        "edges": n_edges,
    }
    if economics:
        add_economics(out, random.Random(seed + 1))
    return out


def add_economics(estate: dict[str, Any], rng: random.Random) -> None:
    """Two data centres with fixed costs that may close, providers with fixed costs and one not
    used today (Google Cloud: its workloads start on premise), storage classes, a licence priced
    by location, and a reservation in AWS Ireland."""
    locs = estate["locations"]["locations"]
    wl = estate["workloads"]["workloads"]
    for k, loc in enumerate(locs[:2]):
        loc.update({"fixed_monthly": [20000, 9000][k], "can_close": True,
                    "close_one_off": [120000, 30000][k], "book_value": [400000, 100000][k]})
        loc["prices"]["storage_gb_month"] = {"block": 0.06, "file": 0.06, "object": 0.03,
                                             "archive": 0.012}
    for loc in locs[2:]:
        block = loc["prices"]["storage_gb_month"]
        loc["prices"]["storage_gb_month"] = {"block": block, "object": round(block / 4, 4),
                                             "archive": round(block / 40, 5)}
        loc["prices"]["egress_gb_same_provider"] = 0.02
    ids = {loc["id"] for loc in locs}
    for w in wl:
        if w["location"].startswith("gcp-"):
            w["location"] = "onprem-dc1"
        gb = w["resources"].pop("storage_gb")
        if gb >= 200 and rng.random() < 0.3:
            w["resources"]["storage"] = {"block": 50, "object": gb - 50}
        else:
            w["resources"]["storage_gb"] = gb
        if "-db" in w["id"] and rng.random() < 0.3:
            w["licences"] = ["db-engine"]
    providers = [{"id": "aws", "fixed_monthly": 2000}, {"id": "azure", "fixed_monthly": 3000},
                 {"id": "gcp", "onboarding_one_off": 100000, "fixed_monthly": 4000}]
    kinds = {loc["provider"] for loc in locs}
    estate["locations"]["providers"] = [p for p in providers if p["id"] in kinds]
    estate["advisor"]["licences"] = [{"id": "db-engine",
                                      "monthly_per_vcpu": {"default": 200, "onprem": 60}}]
    if "aws-eu-west-1" in ids:
        estate["advisor"]["commitments"] = [{
            "id": "aws-ri", "location": "aws-eu-west-1", "covers": {"cpu": 64, "memory_gb": 256},
            "monthly": 900, "currency": "USD", "ends": "2028-06-30"}]


def write_estate(folder: Path, estate: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("advisor", "locations", "workloads"):
        with open(folder / f"{name}.yaml", "w", encoding="utf-8") as fh:
            yaml.dump(estate[name], fh, Dumper=_Dumper, sort_keys=False,
                      default_flow_style=None, width=120)
    return folder / "advisor.yaml"
