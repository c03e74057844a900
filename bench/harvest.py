"""Harvest throughput against loopback fakes of N datasets (10,000 by default), per source type: the first run
and an incremental run of the unchanged source, each with records/s, seconds, requests and peak memory.

    python -m bench.harvest                                  (10,000 datasets, the four types, validated)
    python -m bench.harvest --datasets 60 --json             (what the smoke test runs)
    python -m bench.harvest --types ckan --no-validate       (the harvest alone, without Puente's pipeline)
    python -m bench.harvest --into-catalogue                 (into a harmonised catalogue, as `puente harvest
                                                              --catalogue` does: validated, published, indexed)

Each fake portal (tests/harvest/fakes.py: real records from tests/harvest/fixtures, synthetic copies for volume)
serves from a process of its own; each harvest runs in a fresh process whose peak resident memory (VmHWM, the
pipeline's start-up included) is reported with its memory before the first run. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("ckan", "socrata", "datajson", "dcat")


def _fake(kind: str, datasets: int) -> Any:
    from tests.harvest import fakes

    if kind == "ckan":
        return fakes.CkanPortal(fakes.ckan_packages(datasets))
    if kind == "socrata":
        return fakes.SocrataPortal(fakes.socrata_views(datasets))
    if kind == "datajson":
        return fakes.DatajsonPortal(fakes.arcgis_hub_document(extra=max(0, datasets - 4)))
    return fakes.DcatPortal(fakes.datos_gob_es_datasets(datasets), per_page=100)


def _serve(kind: str, datasets: int, connection: Connection) -> None:
    fake = _fake(kind, datasets)
    with fake:
        connection.send(fake.server.port)
        connection.recv()  # until the orchestrator says stop


def _source(kind: str, url: str, rows: int) -> Any:
    from app.harvest.source import HarvestSource

    if kind == "ckan":
        return HarvestSource(type="ckan", url=url, rows=rows)
    if kind == "socrata":
        return HarvestSource(type="socrata", url=url, rows=rows, domain="datos.example.gov")
    if kind == "datajson":
        return HarvestSource(type="datajson", url=url + "/data.json")
    return HarvestSource(type="dcat", url=url + "/catalogo.ttl?page=1", record_format="es")


def _vm(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CATALOGUE_OF = {"ckan": "cl", "socrata": "co", "datajson": "mx", "dcat": "es"}


def _measure_catalogue(kind: str, port: int, *, rows: int) -> dict[str, Any]:
    """One `puente harvest --catalogue` process (in-process preparation, one record after the other, as the
    command does) into a fresh data folder: the first run, then an incremental run of the unchanged source."""
    import logging
    import tempfile

    from app.catalogue.service import CatalogueService
    from app.cli import _pipeline
    from app.harvest.catalogue_sink import prepare_here
    from app.harvest.registry import HarvestDb, SourceEntry
    from app.harvest.runs import HarvestManager
    from app.net.client import HttpPolicy, SafeClient
    from app.settings import Settings

    pipeline = _pipeline()
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    url = f"http://127.0.0.1:{port}"
    source = _source(kind, url, rows)
    routes = {("datos.gob.es", 80): ("127.0.0.1", port)}
    policy = HttpPolicy(allow_private=True, per_host_rate=0, per_host_concurrency=4, backoff_s=0.1)
    phases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="puente-harvest-bench-") as folder:
        data_dir = Path(folder)
        service = CatalogueService.open(Settings(data_dir=data_dir), pipeline.profile,
                                        sources=set(pipeline.registry.sources))
        db = HarvestDb(data_dir / "harvest.sqlite3")
        manager = HarvestManager(service=service, db=db, prepare=prepare_here(pipeline),
                                 client=lambda: SafeClient(policy, connect_to=routes))
        options: dict[str, Any] = {"rows": rows}
        if source.record_format:
            options["format"] = source.record_format
        if source.domain:
            options["domain"] = source.domain
        entry = manager.register(SourceEntry(id=f"bench-{kind}", catalogue=CATALOGUE_OF[kind], type=kind,
                                             url=source.url, options=options))
        rss_before = _vm("VmRSS")
        try:
            for phase in ("first", "incremental"):
                started = time.perf_counter()
                run = manager.run_now(entry)
                seconds = time.perf_counter() - started
                counts = run["counts"]
                records = counts["created"] + counts["updated"] + counts["unchanged"] + counts["refused"]
                phases[phase] = {"status": run["status"], "seconds": round(seconds, 3), "records": records,
                                 "records_per_s": round(records / seconds, 1) if seconds else None,
                                 "requests": run["requests"], "counts": counts, "peak_rss_mb": round(_vm("VmHWM"), 1)}
            active, _ = service.count(CATALOGUE_OF[kind])
            store_mb = sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file()) / 1e6
        finally:
            db.close()
            service.close()
    return {"type": kind, "validated": True, "into": "catalogue", "rss_before_mb": round(rss_before, 1),
            "catalogue_records": active, "data_dir_mb": round(store_mb, 1), **phases}


def _measure(kind: str, port: int, *, rows: int, validate: bool) -> dict[str, Any]:
    """One harvester process: the first run, then an incremental run of the unchanged source."""
    import logging

    from app.harvest.harvester import harvest
    from app.harvest.sink import MemorySink
    from app.harvest.state import MemoryStateStore
    from app.net.client import HttpPolicy, SafeClient

    pipeline = None
    if validate:
        from app.cli import _pipeline

        pipeline = _pipeline()
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    url = f"http://127.0.0.1:{port}"
    sink, store = MemorySink(pipeline), MemoryStateStore()
    routes = {("datos.gob.es", 80): ("127.0.0.1", port)}
    policy = HttpPolicy(allow_private=True, per_host_rate=0, per_host_concurrency=4, backoff_s=0.1)
    rss_before = _vm("VmRSS")
    phases: dict[str, Any] = {}
    with SafeClient(policy, connect_to=routes) as client:
        for phase in ("first", "incremental"):
            started = time.perf_counter()
            run = harvest(_source(kind, url, rows), sink=sink, client=client, store=store)
            seconds = time.perf_counter() - started
            counts = run.to_json()["counts"]
            records = counts["created"] + counts["updated"] + counts["unchanged"] + counts["refused"]
            phases[phase] = {"status": run.status.value, "seconds": round(seconds, 3),
                             "records": records, "records_per_s": round(records / seconds, 1) if seconds else None,
                             "requests": run.requests, "counts": counts, "peak_rss_mb": round(_vm("VmHWM"), 1)}
    return {"type": kind, "validated": validate, "rss_before_mb": round(rss_before, 1), **phases}


def _run_type(kind: str, datasets: int, *, rows: int, validate: bool, catalogue: bool = False) -> dict[str, Any]:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(kind, datasets, child), daemon=True)
    server.start()
    try:
        port = parent.recv()
        command = [sys.executable, "-m", "bench.harvest", "--measure", kind, "--port", str(port), "--rows", str(rows)]
        if not validate:
            command.append("--no-validate")
        if catalogue:
            command.append("--into-catalogue")
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            raise SystemExit(f"the {kind} harvest failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout)
        result["datasets"] = datasets
        return result
    finally:
        parent.send("stop")
        server.join(timeout=30)
        if server.is_alive():
            server.kill()


def _table(results: list[dict[str, Any]]) -> str:
    lines = [f"{'type':<9} {'validated':<9} {'run':<12} {'records':>8} {'seconds':>8} {'records/s':>10} "
             f"{'requests':>9} {'peak MB':>8}"]
    for row in results:
        for phase in ("first", "incremental"):
            p = row[phase]
            lines.append(f"{row['type']:<9} {'yes' if row['validated'] else 'no':<9} {phase:<12} {p['records']:>8} "
                         f"{p['seconds']:>8.2f} {p['records_per_s'] or 0:>10.1f} {p['requests']:>9} "
                         f"{p['peak_rss_mb']:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1000, help="page size asked of CKAN and Socrata")
    parser.add_argument("--types", default=",".join(TYPES), help="comma-separated: ckan,socrata,datajson,dcat")
    parser.add_argument("--no-validate", action="store_true", help="store records without Puente's pipeline")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--into-catalogue", action="store_true",
                        help="harvest into a harmonised catalogue (a fresh data folder), as puente harvest --catalogue")
    parser.add_argument("--measure", choices=TYPES, help=argparse.SUPPRESS)  # internal: one harvester process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measured = _measure_catalogue(args.measure, args.port, rows=args.rows) if args.into_catalogue else \
            _measure(args.measure, args.port, rows=args.rows, validate=not args.no_validate)
        print(json.dumps(measured))
        return 0
    kinds = [k.strip() for k in args.types.split(",") if k.strip()]
    unknown = set(kinds) - set(TYPES)
    if unknown:
        parser.error(f"unknown types: {', '.join(sorted(unknown))}")
    results = [_run_type(kind, args.datasets, rows=args.rows, validate=not args.no_validate,
                         catalogue=args.into_catalogue) for kind in kinds]
    if args.json:
        print(json.dumps({"datasets": args.datasets, "results": results}, indent=1))
    else:
        into = " into a harmonised catalogue" if args.into_catalogue else ""
        print(f"Harvest of {args.datasets} datasets per source type{into}, loopback fakes, one harvester process "
              "each\n")
        print(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
