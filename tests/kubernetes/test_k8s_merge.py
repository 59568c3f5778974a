"""Merging discovered workloads with the catalogue: the catalogue wins, usage is added."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from advisor.estate.load import check_estate, load_estate
from advisor.estate.merge import SourceResult, merge_discovered
from advisor.estate.model import CostMatch, Dependency, Resources, Usage, Workload

D = Decimal


def found(ident: str, ns: str, kind: str, name: str, cpu: str = "0.9", memory: str = "0.9375",
          usage: Usage | None = None, deps: tuple[Dependency, ...] = (),
          labels: dict[str, str] | None = None) -> Workload:
    return Workload(
        id=ident, name=name, application=ns, location="onprem-dc1",
        resources=Resources(D(cpu), D(memory)),
        labels={"k8s-cluster": "dc1", "k8s-namespace": ns, "k8s-kind": kind, **(labels or {})},
        usage=usage, depends_on=deps, cost_match=CostMatch(tags=(("advisor-workload", ident),)))


WEB = "dc1/shop/deployment/web"
API = "dc1/payments/deployment/api"
DB = "dc1/shop/statefulset/db"


def discovered() -> SourceResult:
    usage = Usage(D("1.5"), D("1.125"))
    web = found(WEB, "shop", "deployment", "web", usage=usage, labels={"personal-data": "special"},
                deps=(Dependency(API, D("171.09375"), D("42.773438")),
                      Dependency(DB, D("85.546875"), D("21.386719"))))
    api = found(API, "payments", "deployment", "api", cpu="2", memory="4",
                usage=Usage(D("0.5"), D("2.5")))
    db = found(DB, "shop", "statefulset", "db", cpu="2", memory="2")
    return SourceResult("kubernetes:dc1", [web, api, db], usage={WEB: usage})


def test_catalogue_wins_usage_is_added_conflicts_reported(estate_dir: Path) -> None:
    estate = load_estate(estate_dir / "advisor.yaml")
    merged, conflicts = merge_discovered(estate, [discovered()])
    check_estate(merged)  # ids unique, every edge resolves
    w = merged.workload_by_id()
    assert [x.id for x in merged.workloads] == ["webshop-frontend", "payments-api", "crm", DB]
    web = w["webshop-frontend"]  # matched by namespace + controller name
    assert web.resources == Resources(D(1), D(1), D(0))  # the catalogue's
    assert web.usage == Usage(D("1.5"), D("1.125"))  # the cluster's
    assert web.labels["personal-data"] == "personal" and web.labels["tier"] == "frontend"
    assert web.labels["k8s-namespace"] == "shop"
    assert [(d.workload, d.receive_gb_month) for d in web.depends_on] == [
        ("payments-api", D("171.09375")), (DB, D("85.546875"))]  # edges follow the renames
    assert web.cost_match is not None
    assert ("advisor-workload", WEB) in web.cost_match.tags
    assert web.cost_match.namespace == ("shop",)
    api = w["payments-api"]  # matched by its k8s-workload label
    assert api.usage == Usage(D("0.5"), D("2.5"))
    assert w["crm"].depends_on == (Dependency("payments-api"),)
    assert conflicts == [
        f"workload webshop-frontend (catalogue) = {WEB} (kubernetes:dc1): cpu 1 in the "
        "catalogue, 0.9 in the cluster; the catalogue's value is kept",
        f"workload webshop-frontend (catalogue) = {WEB} (kubernetes:dc1): memory_gb 1 in the "
        "catalogue, 0.9375 in the cluster; the catalogue's value is kept",
        f"workload webshop-frontend (catalogue) = {WEB} (kubernetes:dc1): label "
        "personal-data=personal in the catalogue, special in the cluster; the catalogue's value "
        "is kept",
    ]


def test_same_id_matches_and_explicit_usage_is_kept(estate_dir: Path) -> None:
    estate = load_estate(estate_dir / "advisor.yaml")
    mine = dataclasses.replace(estate.workloads[0], id=WEB, usage=Usage(D(1), D(1)))
    estate = dataclasses.replace(estate, workloads=[mine, *estate.workloads[1:]])
    merged, conflicts = merge_discovered(estate, [discovered()])
    assert merged.workload_by_id()[WEB].usage == Usage(D(1), D(1))
    assert any("the catalogue gives usage explicitly" in c for c in conflicts)


def test_a_workload_found_twice_is_reported(estate_dir: Path) -> None:
    estate = load_estate(estate_dir / "advisor.yaml")
    again = SourceResult("kubernetes:dc1-again", [discovered().workloads[2]])
    merged, conflicts = merge_discovered(estate, [discovered(), again])
    assert [x.id for x in merged.workloads].count(DB) == 1
    assert f"workload {DB} was discovered by both kubernetes:dc1 and kubernetes:dc1-again; " \
        "the first is kept" in conflicts


def test_one_catalogue_entry_two_clusters(estate_dir: Path) -> None:
    estate = load_estate(estate_dir / "advisor.yaml")
    other = found("dc2/shop/deployment/web", "shop", "deployment", "web")
    other = dataclasses.replace(other, location="cloud-eu")
    merged, conflicts = merge_discovered(estate, [discovered(),
                                                  SourceResult("kubernetes:dc2", [other])])
    ids = [x.id for x in merged.workloads]
    assert "webshop-frontend" in ids and "dc2/shop/deployment/web" in ids
    assert any("already joined to dc1/shop/deployment/web; kept apart" in c for c in conflicts)
