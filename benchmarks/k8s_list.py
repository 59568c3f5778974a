"""Benchmark: discovering 50,000 pods page by page from a local Kubernetes API server.

Figures (each measured in a fresh child process, so peak memory is that run's own):
  * ours:  ``advisor.connectors.kubernetes.discover`` (every list the discovery makes, folded into
           workloads) through the official client;
  * floor: the same list calls, the same pages, the same client, each page only read and
           parsed as raw JSON (``_preload_content=False`` + ``json.loads``) and dropped;
           "floor without GC" is the same with the cyclic collector off, as discovery runs.
  * models (with --models): the pods listed the client's default way, into V1PodList objects,
           to show why discovery reads raw JSON.
Targets: ours / floor <= 2.0, and ours' peak RSS < 500 MiB. The API server runs in its own
process (tests/kubernetes/k8s_fakeapi.py) so it does not share the measured interpreter.

    python benchmarks/k8s_list.py                 # 50,000 pods, 3 rounds
    python benchmarks/k8s_list.py --pods 5000 --rounds 1
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "kubernetes" / "k8s_fakeapi.py"
MAX_RATIO = 2.0
MAX_RSS_MIB = 500.0


def child(mode: str, kubeconfig: str, page_size: int) -> dict[str, float]:
    """Run one measurement in this process and return its figures."""
    sys.path.insert(0, str(ROOT))
    from advisor.connectors.kubernetes import RESOURCES, discover, make_client, parse_settings

    settings = parse_settings({"kubeconfig": kubeconfig, "context": "bench",
                               "location": "onprem", "page_size": page_size,
                               "exclude_namespaces": []})
    api_client = make_client(settings)
    from kubernetes import client

    start = time.perf_counter()
    pods = 0
    if mode == "ours":
        found = discover(settings, api_client=api_client)
        pods = found.pods
    elif mode in ("floor", "floor-nogc"):
        if mode == "floor-nogc":
            gc.disable()  # what discovery does while it lists
        for name, (cls, method, _ns, _group) in RESOURCES.items():
            call = getattr(getattr(client, cls)(api_client), method)
            token = None
            while True:
                kwargs: dict[str, Any] = {"limit": page_size, "_preload_content": False}
                if token:
                    kwargs["_continue"] = token
                resp = call(**kwargs)
                doc = json.loads(resp.data)
                resp.release_conn()
                if name == "pods":
                    pods += len(doc["items"])
                token = doc["metadata"].get("continue")
                if not token:
                    break
        api = client.CustomObjectsApi(api_client)  # discovery also asks metrics.k8s.io
        raw: Any = api.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "pods",
                                                  limit=page_size, _preload_content=False)
        json.loads(raw.data)
    elif mode == "models":
        core = client.CoreV1Api(api_client)
        token = None
        while True:
            page = core.list_pod_for_all_namespaces(limit=page_size, _continue=token)
            pods += len(page.items)
            token = page.metadata._continue if page.metadata else None
            if not token:
                break
    seconds = time.perf_counter() - start
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rss_mib": rss_mib, "pods": pods}


def measure(mode: str, kubeconfig: Path, page_size: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--kubeconfig",
                          str(kubeconfig), "--page-size", str(page_size)],
                         check=True, capture_output=True, text=True, timeout=1800)
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pods", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--models", action="store_true", help="also time the client's models")
    parser.add_argument("--child")
    parser.add_argument("--kubeconfig")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.kubeconfig, args.page_size)))
        return 0

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(  # tests/ holds the servers helpers
        [str(FAKE.parent.parent), os.environ.get("PYTHONPATH", "")]))
    server = subprocess.Popen([sys.executable, str(FAKE), "--pods", str(args.pods)],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            sys.path[:0] = [str(FAKE.parent), str(FAKE.parent.parent)]  # + tests/ for servers
            from k8s_fakeapi import write_kubeconfig

            kubeconfig = write_kubeconfig(Path(tmp) / "kubeconfig",
                                          {"bench": f"http://127.0.0.1:{port}"})
            measure("floor", kubeconfig, args.page_size)  # warm the server's page cache
            ours, floor, nogc, models = [], [], [], []
            for _ in range(args.rounds):
                floor.append(measure("floor", kubeconfig, args.page_size))
                nogc.append(measure("floor-nogc", kubeconfig, args.page_size))
                ours.append(measure("ours", kubeconfig, args.page_size))
                if args.models:
                    models.append(measure("models", kubeconfig, args.page_size))
    finally:
        server.terminate()
        server.wait(timeout=10)

    t_ours = statistics.median(r["seconds"] for r in ours)
    t_floor = statistics.median(r["seconds"] for r in floor)
    rss = max(r["rss_mib"] for r in ours)
    ratio = t_ours / t_floor
    pages = -(-args.pods // args.page_size)
    print(f"pods listed:          {int(ours[0]['pods']):,} in {pages} pages of {args.page_size}")
    print(f"discovery (ours):     {t_ours:.2f} s   peak RSS {rss:.0f} MiB")
    print(f"raw JSON floor:       {t_floor:.2f} s   peak RSS "
          f"{max(r['rss_mib'] for r in floor):.0f} MiB")
    t_nogc = statistics.median(r["seconds"] for r in nogc)
    print(f"floor without GC:     {t_nogc:.2f} s   (ours / that = {t_ours / t_nogc:.2f})")
    if models:
        t_models = statistics.median(r["seconds"] for r in models)
        print(f"client models (pods): {t_models:.2f} s   peak RSS "
              f"{max(r['rss_mib'] for r in models):.0f} MiB")
    print(f"ratio ours / floor:   {ratio:.2f} (target <= {MAX_RATIO})")
    ok = ratio <= MAX_RATIO and rss < MAX_RSS_MIB
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
