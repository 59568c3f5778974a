"""The cost model as float arrays over (workload, location), for the optimizer.

Built whole-array (numpy), never per pair in Python, so that 100,000 workloads take a fraction of
a second. The optimizer works in floats; the plan recomputes every figure it shows exactly in
Decimal (``advisor.placement.costs``, ``advisor.placement.totals``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from advisor.estate.model import STORAGE_CLASSES, Workload
from advisor.placement.costs import CostModel

NAN = float("nan")


@dataclass
class CostArrays:
    """Per workload i and location l (floats, estate currency, per month)."""

    res: np.ndarray  # [n, 3] vCPUs, GB memory, GB storage (every class)
    cpu_month: np.ndarray  # [L] per vCPU
    memory_month: np.ndarray  # [L] per GB
    run: np.ndarray  # [n, L] compute + storage at list price
    licences: np.ndarray  # [n, L]
    migration: np.ndarray  # [n, L] one-off / horizon (0 where it runs)
    available: np.ndarray  # [n, L] bool: storage classes and licences priced, not SaaS
    path: np.ndarray  # [L, L] egress per GB from l to m (0 on the diagonal)
    egress: np.ndarray  # [L] egress_gb (to the internet, other providers)


def cost_arrays(model: CostModel, ws: list[Workload], loc_ids: list[str],
                cur: np.ndarray) -> CostArrays:
    n, nl = len(ws), len(loc_ids)
    prices = [model.prices[k] for k in loc_ids]
    cpu_m = np.array([float(p.cpu_price_month) for p in prices])
    mem_m = np.array([float(p.memory_price_gb_month) for p in prices])
    storage_price = np.array([[float(p.storage_price_gb_month[c])
                               if c in p.storage_price_gb_month else NAN for p in prices]
                              for c in STORAGE_CLASSES]).reshape(len(STORAGE_CLASSES), nl)
    stor = np.array([[float(gb) for _, gb in w.resources.storage()] for w in ws]).reshape(
        n, len(STORAGE_CLASSES))
    res = np.array([[float(w.resources.cpu), float(w.resources.memory_gb),
                     float(w.resources.total_storage_gb)] for w in ws]).reshape(n, 3)
    run = np.outer(res[:, 0], cpu_m) + np.outer(res[:, 1], mem_m) \
        + stor @ np.nan_to_num(storage_price)
    available = ((stor > 0) @ np.isnan(storage_price)) == 0
    licences = np.zeros((n, nl))
    lic_ids = sorted(model.licence_prices)
    if lic_ids:
        k_of = {name: k for k, name in enumerate(lic_ids)}
        lic_price = np.array([[NAN if (v := model.licence_prices[name][loc]) is None
                               else float(v) for loc in loc_ids] for name in lic_ids])
        need = np.zeros((n, len(lic_ids)))
        for i, w in enumerate(ws):
            for name in w.licences:
                need[i, k_of[name]] += 1
        licences = (need * res[:, :1]) @ np.nan_to_num(lic_price)
        available &= ((need > 0) @ np.isnan(lic_price)) == 0
    saas = np.array([model.locations[k].saas for k in loc_ids], dtype=bool)
    available[:, saas] = False
    available[np.arange(n), cur] = True  # its own place: checked when the estate loaded
    path = np.array([[float(model.path_price(a, b)) for b in loc_ids] for a in loc_ids])
    data_out = np.array([[float(model.data_out_price(a, b)) for b in loc_ids]
                         for a in loc_ids]).reshape(nl, nl)
    given = np.array([w.migration_cost is not None for w in ws], dtype=bool)
    fixed_cost = np.array([float(w.migration_cost or 0) for w in ws])
    run_here = run[np.arange(n), cur] if n else np.zeros(0)
    default = res[:, 2:3] * data_out[cur] + run_here[:, None] if n else np.zeros((0, nl))
    migration = np.where(given[:, None], fixed_cost[:, None], default) / float(model.horizon)
    migration[np.arange(n), cur] = 0.0
    egress = np.array([float(p.egress_price_per_gb) for p in prices])
    return CostArrays(res, cpu_m, mem_m, run, licences, migration, available, path, egress)
