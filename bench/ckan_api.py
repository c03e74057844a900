"""The CKAN Action API, measured on a real server:  python -m bench.ckan_api --datasets N [--json]

A generated corpus (bench/corpus.py: co, cl and mx documents, N/3 records each, about 10 % refused) is published,
then each read below is timed from one client with keep-alive (p50 and p99 over the samples):
- package_show of one dataset;
- package_search, 100 whole packages (the default order, newest first) and 1000 whole packages;
- the page a harvester asks for: 1000 names and times in `metadata_modified asc,name asc` order from an `fq` on
  metadata_modified (Puente's own `ckan` reader asks this), and a deep page (`start` near the end);
- package_search with words (q), package_list (every name), organization_list with all_fields.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import generate
from bench.server import free_port, running_server
from bench.stats import p50_p99

ADMIN = "bench-admin-token"
HARVEST_SORT = "metadata_modified asc,name asc"


def run(total: int, *, samples: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="puente-bench-ckan-"))
    port = free_port()
    env = {"PUENTE_DATA_DIR": str(data_dir), "PUENTE_ADMIN_TOKEN": ADMIN, "PUENTE_BASE_URL": f"http://127.0.0.1:{port}",
           "PUENTE_LOG_LEVEL": "WARNING"}
    result: dict[str, Any] = {"datasets": 0, "reads": {}}
    try:
        with running_server(env, port=port, access_log=False) as (url, _), \
                httpx.Client(base_url=url, timeout=600) as client:
            admin = {"Authorization": f"Bearer {ADMIN}"}
            for document in generate(records=max(1, total // 3), seed=3)[:3]:  # co, cl, mx
                catalogue = document.source
                token = client.post("/admin/tokens", json={"catalogue": catalogue}, headers=admin).json()["token"]
                answer = client.post(f"/catalogues/{catalogue}/datasets", content=document.body,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": document.media_type})
                answer.raise_for_status()
                result["datasets"] += answer.json()["created"]
            api = "/ckan/api/3/action"
            count = result["datasets"]
            name = client.get(f"{api}/package_list", params={"limit": 1, "offset": count // 2}).json()["result"][0]
            reads: list[tuple[str, str, dict[str, Any], int]] = [
                ("package_show", "package_show", {"id": name}, samples),
                ("package_search, 100 packages", "package_search", {"rows": 100}, samples),
                ("package_search, 1000 packages", "package_search", {"rows": 1000}, max(3, samples // 5)),
                ("harvest page: 1000 names from an fq", "package_search",
                 {"rows": 1000, "fl": "name,metadata_modified", "sort": HARVEST_SORT,
                  "fq": "metadata_modified:[2000-01-01T00:00:00Z TO *]"}, samples),
                ("deep page: start near the end", "package_search",
                 {"rows": 100, "start": max(0, count - 200), "sort": HARVEST_SORT, "fl": "name"}, samples),
                ("package_search q=agua, 100 packages", "package_search", {"rows": 100, "q": "agua"}, samples),
                ("package_list (every name)", "package_list", {}, max(3, samples // 5)),
                ("organization_list all_fields", "organization_list", {"all_fields": "true"}, samples)]
            for label, action, params, times in reads:
                latencies = []
                for _ in range(times):
                    start = time.perf_counter()
                    answer = client.get(f"{api}/{action}", params=params)
                    latencies.append((time.perf_counter() - start) * 1000)
                    answer.raise_for_status()
                p50, p99 = p50_p99(latencies)
                result["reads"][label] = {"p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
                                          "bytes": len(answer.content)}
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


def table(result: dict[str, Any]) -> str:
    lines = [f"CKAN Action API, {result['datasets']:,} datasets stored", "| read | p50 | p99 | answer |",
             "|---|---|---|---|"]
    for label, figures in result["reads"].items():
        lines.append(f"| {label} | {figures['p50_ms']} ms | {figures['p99_ms']} ms | "
                     f"{figures['bytes'] // 1024} KiB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.datasets, samples=args.samples)
    sys.stdout.write((json.dumps(result, indent=1) if args.json else table(result)) + "\n")


if __name__ == "__main__":
    main()
