"""Bounded load test on loopback: N concurrent clients for S seconds against a server this script starts.

    python -m bench.load --clients 50 --seconds 60          (make load)
    python -m bench.load --clients 4 --seconds 3 --json     (what the smoke test runs)

The mix: validate a Colombian record, a Chilean package and a DCAT record, convert a Mexican catalogue, and
read the profile, the shapes and a vocabulary. Reports requests/s, p50/p99 per kind, the 5xx count and the
resident memory of the server (and its workers) after warm-up and at the end. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.procs import tree_memory_mb
from bench.server import running_server
from bench.stats import p50_p99

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    body: bytes = b""
    media: str = ""


def _calls() -> list[Call]:
    return [
        Call("validate co", "POST", "/validate", (CASES / "co/etwv-wj8f-pueblos-indigenas/input.json").read_bytes(),
             "application/json"),
        Call("validate cl", "POST", "/validate?source=cl", (CASES / "cl/package-show/input.json").read_bytes(),
             "application/json"),
        Call("validate dcat", "POST", "/validate", (CASES / "dcat/complete-dataset/input.ttl").read_bytes(),
             "text/turtle"),
        Call("convert mx", "POST", "/convert", (CASES / "mx/adela-catalogo/input.json").read_bytes(),
             "application/json"),
        Call("profile page", "GET", "/profile"),
        Call("shapes", "GET", "/profile/shapes"),
        Call("vocabulary", "GET", "/vocabularies/data-theme"),
    ]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0


def _rss_mb(pid: int) -> float:
    """Resident memory of the server and its workers, summed."""
    return sum(tree_memory_mb(pid))


async def _client(base: str, calls: list[Call], deadline: float, tally: Tally, offset: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        index = offset
        while time.monotonic() < deadline:
            call = calls[index % len(calls)]
            index += 1
            started = time.perf_counter()
            try:
                if call.method == "GET":
                    response = await client.get(call.path)
                else:
                    response = await client.post(call.path, content=call.body, headers={"content-type": call.media})
            except httpx.HTTPError:
                tally.errors += 1
                continue
            tally.latencies.setdefault(call.kind, []).append((time.perf_counter() - started) * 1000)
            tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1


async def _run(base: str, *, clients: int, seconds: float, pid: int, warmup: float) -> dict[str, object]:
    calls = _calls()
    warm = Tally()
    await asyncio.gather(*(_client(base, calls, time.monotonic() + warmup, warm, i) for i in range(min(clients, 8))))
    rss_start = _rss_mb(pid)
    tally = Tally()
    started = time.monotonic()
    await asyncio.gather(*(_client(base, calls, started + seconds, tally, i) for i in range(clients)))
    elapsed = time.monotonic() - started
    rss_end = _rss_mb(pid)
    every = [v for values in tally.latencies.values() for v in values]
    p50, p99 = p50_p99(every)
    by_kind = {kind: p50_p99(v) for kind, v in sorted(tally.latencies.items())}
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "p50_ms": round(p50, 1), "p99_ms": round(p99, 1),
        "status_5xx": sum(n for code, n in tally.statuses.items() if code >= 500),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())}, "transport_errors": tally.errors,
        "rss_mb_start": round(rss_start, 1), "rss_mb_end": round(rss_end, 1),
        "rss_growth_pct": round(100 * (rss_end - rss_start) / rss_start, 1) if rss_start else 0.0,
        "by_kind": {kind: {"n": len(tally.latencies[kind]), "p50_ms": round(k50, 1), "p99_ms": round(k99, 1)}
                    for kind, (k50, k99) in by_kind.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="PUENTE_WORKERS of the server under test")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    env = {"PUENTE_WORKERS": str(args.workers), "PUENTE_LOG_LEVEL": "WARNING"}
    with running_server(env, access_log=False) as (base, server):
        result = asyncio.run(_run(base, clients=args.clients, seconds=args.seconds, pid=server.pid,
                                  warmup=args.warmup))
        alive = httpx.get(f"{base}/health", timeout=5).status_code == 200
        result["healthy_after"] = alive
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['clients']} clients for {result['seconds']} s on 127.0.0.1 (PUENTE_WORKERS={args.workers})")
    print(f"requests {result['requests']}  ·  {result['requests_per_s']} req/s  ·  p50 {result['p50_ms']} ms  ·  "
          f"p99 {result['p99_ms']} ms  ·  5xx {result['status_5xx']}  ·  statuses {result['statuses']}")
    print(f"server memory (with workers) {result['rss_mb_start']} MB after warm-up → {result['rss_mb_end']} MB at the "
          f"end ({result['rss_growth_pct']:+} %)  ·  /health after: {'ok' if alive else 'FAILED'}")
    print(f"{'kind':<16}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}")
    by_kind = result["by_kind"]
    assert isinstance(by_kind, dict)
    for kind, figures in by_kind.items():
        print(f"{kind:<16}{figures['n']:>7}{figures['p50_ms']:>10}{figures['p99_ms']:>10}")


if __name__ == "__main__":
    main()
