"""Shared helpers for the Kubernetes tests (a uniquely named module: several conftests exist)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prometheus:
    url: str
    at: str  # the query time matching the generated data, RFC 3339



LOCATIONS = """\
locations:
  - id: onprem-dc1
    name: Datacenter 1
    provider: onprem
    region: nl-haarlem
    country: NL
    jurisdiction: EU
    cloud_act: false
    capacity: {cpu: 32, memory_gb: 128}
    prices: {currency: EUR, storage_gb_month: 0.1, egress_gb: 0}
    tco:
      hardware_cost: 120000
      amortization_months: 60
      power_kw: 4
      power_price_kwh: 0.25
      facilities_monthly: 500
      staff_monthly: 2770
      cpu_share: 0.6
  - id: cloud-eu
    name: Cloud EU
    provider: azure
    region: westeurope
    country: NL
    jurisdiction: EU
    cloud_act: true
    prices: {currency: EUR, cpu_hour: 0.04, memory_gb_hour: 0.005, storage_gb_month: 0.1,
             egress_gb: 0.08}
"""

CATALOGUE = """\
workloads:
  - id: webshop-frontend
    name: web
    application: webshop
    owner: team-web
    location: onprem-dc1
    resources: {cpu: 1, memory_gb: 1, storage_gb: 0}
    labels: {personal-data: personal, tier: frontend}
    cost_match: {namespace: [shop]}
  - id: payments-api
    application: payments
    location: onprem-dc1
    resources: {cpu: 2, memory_gb: 4}
    labels: {k8s-workload: payments/api}
  - id: crm
    application: crm
    location: cloud-eu
    resources: {cpu: 2, memory_gb: 8}
    depends_on: [payments-api]
"""
