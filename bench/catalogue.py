"""The harmonised catalogue, measured end to end on a real server:  python -m bench.catalogue --datasets N [--json]
(make bench-catalogue).

On a generated corpus (bench/corpus.py: N datasets over co, cl, mx, es and dcat, about 10 % defective, which are
refused), against a server started on 127.0.0.1 with its own data folder:
- batch publish: every catalogue document POSTed (up to 10,000 datasets a document), from the first request to the
  last answer: parse, map, validate, store (datasets stored per second); then the time until the quality of every
  published dataset is scored (the service does it in the background once publishing stops);
- one-by-one PUT: single records with fresh ids (`created`), one client, keep-alive;
- with the N datasets stored: a 100-dataset page (Turtle, walking the cursors), a dataset GET (Turtle), a
  changes-feed page of 100;
- a SPARQL count of datasets by theme through /sparql;
- the data folder's size on disk (and Virtuoso's database file) and the peak memory of the server with its
  workers: their proportional set size
  (PSS: pages the forked workers share with the server counted once), sampled twice a second, and, an upper
  bound, the sum of each process's peak resident size (shared pages counted in each);
- the CPU the batch publication used (server and workers), and, once the server has stopped, the floor of
  publishing on this machine (`measure_floor`: validation alone and the store's bulk load alone).
`--stores oxigraph,virtuoso` (the default) runs the same operations on the embedded store and on a throw-away
Virtuoso 7 (bench/virtuoso.py, PUENTE_STORE=sparql) and prints them side by side.
The Spanish corpus names its DIR3 publisher (as a harvest that looks the name up does), otherwise every Spanish
record would be refused for lacking it.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.corpus import Document, generate, split
from bench.procs import tree_cpu_s, tree_memory_mb, tree_pss_mb
from bench.server import free_port, running_server
from bench.stats import p50_p99

ADMIN = "bench-admin-token"
TARGETS = {"batch_datasets_per_s": 1500, "put_p50_ms": 15, "page_p50_ms": 30, "page_p99_ms": 100,
           "get_p50_ms": 5, "changes_p50_ms": 30, "peak_memory_mb": 1024}
CATALOGUE_OF = {"co": "co", "cl": "cl", "mx": "mx", "es": "es", "dcat": "eu"}
EXTRA = [{"id": "eu", "title": {"es": "Catálogo DCAT de prueba", "en": "DCAT test catalogue"},
          "publisher": "Puente", "country": "FRA", "source": "dcat"}]
DIR3_NAME = ('\n<http://datos.gob.es/recurso/sector-publico/org/Organismo/L01280796> '
             '<http://xmlns.com/foaf/0.1/name> "Ayuntamiento de Madrid"@es .\n')
PER_DOCUMENT = 10_000


def documents(total: int) -> list[Document]:
    """The corpus as catalogue documents of at most PER_DOCUMENT datasets."""
    per_source = max(1, total // 5)
    out: list[Document] = []
    for document in generate(records=per_source, seed=17):
        body = document.body + (DIR3_NAME.encode() if document.source == "es" else b"")
        whole = Document(document.source, document.media_type, body, document.records)
        if document.records <= PER_DOCUMENT:
            out.append(whole)
            continue
        singles = split(whole)
        for start in range(0, len(singles), PER_DOCUMENT):
            out.append(_join(document, singles[start:start + PER_DOCUMENT]))
    return out


def _join(document: Document, parts: list[Document]) -> Document:
    if document.media_type == "application/json":
        items = [json.loads(p.body) for p in parts]
        if document.source == "co":
            body: Any = list(items)
        elif document.source == "cl":
            body = {"success": True, "result": {"count": len(items), "results": [i["result"] for i in items]}}
        else:
            body = {"dataset": [i["dataset"][0] for i in items]}
        return Document(document.source, document.media_type, json.dumps(body, ensure_ascii=False).encode(),
                        len(parts))
    text = b"\n".join(parts[0].body.split(b"\n")[:3]) + b"\n" + b"\n".join(
        b"\n".join(p.body.split(b"\n")[3:]) for p in parts)
    return Document(document.source, document.media_type, text + (DIR3_NAME.encode() if document.source == "es"
                                                                  else b""), len(parts))


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


THEMES_QUERY = ("PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?theme (COUNT(DISTINCT ?dataset) AS ?datasets) "
                "WHERE { ?dataset a dcat:Dataset ; dcat:theme ?theme } GROUP BY ?theme ORDER BY DESC(?datasets)")


def run_on(store: str, total: int, *, singles: int, samples: int) -> dict[str, Any]:
    """`run` on the embedded store, or on a throw-away Virtuoso."""
    if store == "oxigraph":
        return {"store": store, **run(total, singles=singles, samples=samples, floor=True)}
    from bench.virtuoso import running_virtuoso

    with running_virtuoso() as server:
        result = run(total, singles=singles, samples=samples, store_env=server.settings(),
                     store_files=server.folder)
    return {"store": "virtuoso", **result}


def run(total: int, *, singles: int, samples: int, store_env: dict[str, str] | None = None,
        store_files: Path | None = None, floor: bool = False) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="puente-bench-catalogue-"))
    port = free_port()
    env = {**(store_env or {}), "PUENTE_DATA_DIR": str(data_dir), "PUENTE_ADMIN_TOKEN": ADMIN, "PUENTE_BASE_URL": f"http://127.0.0.1:{port}",
           "PUENTE_MAX_BODY_BYTES": "200000000", "PUENTE_MAX_RECORDS": "50000", "PUENTE_LOG_LEVEL": "WARNING",
           "PUENTE_CATALOGUES": json.dumps(EXTRA), "PUENTE_VALIDATION_TIMEOUT_S": "600"}
    corpus = documents(total)
    result: dict[str, Any] = {"datasets": sum(d.records for d in corpus)}
    try:
        with running_server(env, port=port, access_log=False) as (url, process), httpx.Client(base_url=url,
                                                                                            timeout=3600) as client, \
                _sampling(process.pid) as pss:
            admin = {"Authorization": f"Bearer {ADMIN}"}
            tokens = {cc: client.post("/admin/tokens", json={"catalogue": cc}, headers=admin).json()["token"]
                      for cc in set(CATALOGUE_OF.values())}
            # batch publish
            cpu_before = tree_cpu_s(process.pid)
            started = time.perf_counter()
            counts = {"created": 0, "refused": 0}
            for document in corpus:
                catalogue = CATALOGUE_OF[document.source]
                answer = client.post(f"/catalogues/{catalogue}/datasets", content=document.body, headers={
                    "Authorization": f"Bearer {tokens[catalogue]}", "Content-Type": document.media_type})
                answer.raise_for_status()
                body = answer.json()
                counts["created"] += body["created"]
                counts["refused"] += body["refused"]
            seconds = time.perf_counter() - started
            cpu = tree_cpu_s(process.pid) - cpu_before
            result["batch"] = {"seconds": round(seconds, 1), "stored": counts["created"], "refused": counts["refused"],
                               "cpu_ms_per_dataset": round(cpu * 1000 / (counts["created"] + counts["refused"]), 3),
                               "datasets_per_s": round((counts["created"] + counts["refused"]) / seconds, 1),
                               "stored_per_s": round(counts["created"] / seconds, 1)}
            # the quality of what was published, scored (in the background once publishing stops; asking for each
            # catalogue's quality joins or runs that scoring): the reads below are measured on a settled service
            started = time.perf_counter()
            scored = 0
            for catalogue in sorted(set(CATALOGUE_OF.values())):
                answer = client.get(f"/catalogues/{catalogue}/quality")
                answer.raise_for_status()
                scored += answer.json()["datasets"]
            result["quality_scored_s"] = round(time.perf_counter() - started, 1)
            result["quality_datasets"] = scored
            # one-by-one PUT (fresh ids: every one is `created`)
            pool = [d for source in ("co", "cl", "mx") for d in split(next(c for c in corpus if c.source == source))]
            random.Random(5).shuffle(pool)
            latencies: list[float] = []
            for index, single in enumerate(pool[: singles * 2]):
                record_id, body_bytes = _renamed(single, index)
                catalogue = CATALOGUE_OF[single.source]
                start = time.perf_counter()
                answer = client.put(f"/catalogues/{catalogue}/datasets/{record_id}", content=body_bytes, headers={
                    "Authorization": f"Bearer {tokens[catalogue]}", "Content-Type": single.media_type})
                if answer.status_code == 201:
                    latencies.append(_ms(start))
                if len(latencies) >= singles:
                    break
            result["put"] = _figures(latencies)
            # reads at N stored
            biggest = max(set(CATALOGUE_OF.values()), key=lambda cc: client.get(
                f"/catalogues/{cc}?format=json&page_size=1").json()["totalItems"])
            result["read_catalogue"] = biggest
            result["page"] = _walk(client, f"/catalogues/{biggest}?page_size=100", samples, "text/turtle")
            result["page_nt"] = _walk(client, f"/catalogues/{biggest}?page_size=100", samples // 2,
                                      "application/n-triples")
            ids = _ids(client, biggest, samples * 5)
            gets: list[float] = []
            for record_id in random.Random(3).sample(ids, min(len(ids), samples * 3)):
                start = time.perf_counter()
                client.get(f"/catalogues/{biggest}/datasets/{record_id}", headers={"Accept": "text/turtle"})
                gets.append(_ms(start))
            result["get"] = _figures(gets)
            feed: list[float] = []
            since = ""
            for _ in range(samples):
                start = time.perf_counter()
                answer = client.get(f"/catalogues/{biggest}/changes?limit=100{since}").json()
                feed.append(_ms(start))
                since = f"&since={answer['next']}" if answer["more"] else ""
            result["changes"] = _figures(feed)
            themes: list[float] = []
            for _ in range(max(5, samples // 10)):
                start = time.perf_counter()
                answer = client.get("/sparql", params={"query": THEMES_QUERY},
                                    headers={"Accept": "application/sparql-results+json"})
                answer.raise_for_status()
                themes.append(_ms(start))
            result["sparql_themes"] = {**_figures(themes), "themes": len(answer.json()["results"]["bindings"])}
            if floor:  # what was stored, as N-Triples, for the store's share of the floor (measured below)
                for catalogue in sorted(set(CATALOGUE_OF.values())):
                    with client.stream("GET", f"/catalogues/{catalogue}/export", params={"format": "nt"}) as answer, \
                            (data_dir.parent / f"{data_dir.name}-{catalogue}.nt").open("wb") as out:
                        for chunk in answer.iter_bytes():
                            out.write(chunk)
            peaks = tree_memory_mb(process.pid, field="VmHWM")
            result["peak_memory_mb"] = round(sum(peaks), 1)
            result["peak_memory_by_process_mb"] = [round(peak, 1) for peak in peaks]
            result["peak_pss_mb"] = round(max(pss, default=0.0), 1)
            result["processes"] = len(tree_memory_mb(process.pid))
        result["store_mb"] = round(sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file()) / 1e6, 1)
        rdf_files = store_files if store_files is not None else data_dir / "store"
        result["store_rdf_mb"] = round(sum(f.stat().st_size for f in rdf_files.rglob("*") if f.is_file()) / 1e6, 1)
        if floor:
            exports = sorted(data_dir.parent.glob(f"{data_dir.name}-*.nt"))
            result["floor"] = measure_floor(corpus, exports, stored=counts["created"])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        for export_file in data_dir.parent.glob(f"{data_dir.name}-*.nt"):
            export_file.unlink()
    result["targets"] = TARGETS
    return result


@contextmanager
def _sampling(pid: int) -> Iterator[list[float]]:
    """The server tree's proportional set size, sampled twice a second while the benchmark runs."""
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append(tree_pss_mb(pid))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        done.set()
        thread.join()


def _renamed(single: Document, index: int) -> tuple[str, bytes]:
    data = json.loads(single.body)
    if single.source == "co":
        data["id"] = record_id = f"put{index:05d}-bnch"
    elif single.source == "cl":
        data["result"]["id"] = record_id = f"put-{index:05d}"
    else:
        data["dataset"][0]["identifier"] = record_id = f"put-{index:05d}"
    return record_id, json.dumps(data, ensure_ascii=False).encode()


def _walk(client: httpx.Client, first: str, count: int, media_type: str) -> dict[str, float]:
    latencies: list[float] = []
    url: str | None = first
    while len(latencies) < count:
        start = time.perf_counter()
        answer = client.get(url or first, headers={"Accept": media_type})
        latencies.append(_ms(start))
        following = [part.split(";")[0].strip(" <>") for part in answer.headers.get("link", "").split(",")
                     if 'rel="next"' in part]
        url = following[0] if following else None
    return _figures(latencies)


def _ids(client: httpx.Client, catalogue: str, count: int) -> list[str]:
    ids: list[str] = []
    url: str | None = f"/catalogues/{catalogue}?format=json&page_size=1000"
    while url and len(ids) < count:
        page = client.get(url).json()
        ids += [d["id"] for d in page["datasets"]]
        url = page["next"]
    return ids


def measure_floor(corpus: list[Document], exports: list[Path], *, stored: int, processes: int = 0) -> dict[str, Any]:
    """What publishing cannot go below on this machine, its two unavoidable parts measured alone, one after the
    other, with nothing else running (the server has stopped):
    - validation: the same documents through Puente's batch validation on every core (`puente validate`'s path:
      parse, map, validate, report), with none of the catalogue's work;
    - storing: what was stored (the catalogue's export, as N-Triples) written by pyoxigraph's bulk loader into a
      fresh store, in named graphs of a record's average size, a share (1,000 records) per call: the store's own
      cost, with none of Puente's.
    Each as CPU seconds per dataset of the corpus (refused ones included, as the publish rate counts them; every
    process and thread counted); both on the machine's cores can go no faster than cores / (validation + storing)
    datasets per second."""
    import os

    import pyoxigraph as ox

    from app.runtime.batch import Input, validate_catalogues
    from bench.__main__ import _pipeline

    processes = processes or len(os.sched_getaffinity(0)) or 1
    pipeline = _pipeline()
    pipeline.lookups.warm()
    datasets = sum(d.records for d in corpus)
    usage = _cpu_s()
    started = time.perf_counter()
    for answer in validate_catalogues(pipeline, [Input(d.body, d.media_type, d.source) for d in corpus], lang="es",
                                      processes=processes):
        assert not isinstance(answer, Exception), answer
    validate_s, validate_cpu = time.perf_counter() - started, _cpu_s() - usage
    total = 0
    for path in exports:
        with path.open("rb") as lines:
            total += sum(1 for line in lines if line.strip())
    per_record = max(1, total // max(stored, 1))
    folder = Path(tempfile.mkdtemp(prefix="puente-bench-floor-"))
    try:
        store = ox.Store(str(folder))
        usage = _cpu_s()
        started = time.perf_counter()
        chunk: list[bytes] = []
        written = 0
        for path in exports:  # streamed: a share's quads in memory at a time
            with path.open("rb") as lines:
                for line in lines:
                    if not line.strip():
                        continue
                    chunk.append(line.rstrip()[:-1] + b"<urn:floor:%d> ." % (written // per_record))
                    written += 1
                    if len(chunk) >= per_record * 1000:
                        store.bulk_load(b"\n".join(chunk), format=ox.RdfFormat.N_QUADS, lenient=True)
                        chunk = []
        if chunk:
            store.bulk_load(b"\n".join(chunk), format=ox.RdfFormat.N_QUADS, lenient=True)
        store.flush()
        store_s, store_cpu = time.perf_counter() - started, _cpu_s() - usage
        del store
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    validate_ms, store_ms = validate_cpu * 1000 / datasets, store_cpu * 1000 / datasets
    return {"processes": processes, "validate_per_s": round(datasets / validate_s, 1),
            "validate_cpu_ms": round(validate_ms, 3), "store_quads": total,
            "store_per_s": round(datasets / store_s, 1), "store_cpu_ms": round(store_ms, 3),
            "bound_per_s": round(processes * 1000 / (validate_ms + store_ms), 1)}


def _cpu_s() -> float:
    """CPU seconds of this process (all its threads) and of its children that ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _figures(latencies: list[float]) -> dict[str, float]:
    p50, p99 = p50_p99(latencies)
    return {"n": len(latencies), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else 0.0}


def table(result: dict[str, Any]) -> str:
    batch, put, page, get, changes = (result[k] for k in ("batch", "put", "page", "get", "changes"))
    rows = [
        ("batch publish (end to end)", f"{batch['datasets_per_s']:,} datasets/s ({batch['stored']:,} stored, "
                                       f"{batch['refused']:,} refused, {batch['seconds']} s)", "≥ 1,500/s"),
        ("  CPU per dataset", f"{batch['cpu_ms_per_dataset']} ms (server and workers)", "–"),
        *_floor_rows(result),
        ("quality scored after it", f"{result['quality_scored_s']} s (every published dataset, in the background)",
         "–"),
        ("one-by-one PUT", f"p50 {put['p50_ms']} ms · p99 {put['p99_ms']} ms ({put['n']})", "p50 ≤ 15 ms"),
        ("100-dataset page, Turtle", f"p50 {page['p50_ms']} ms · p99 {page['p99_ms']} ms ({page['n']})",
         "p50 ≤ 30 ms, p99 ≤ 100 ms"),
        ("100-dataset page, N-Triples", f"p50 {result['page_nt']['p50_ms']} ms · p99 {result['page_nt']['p99_ms']} ms",
         "–"),
        ("dataset GET, Turtle", f"p50 {get['p50_ms']} ms · p99 {get['p99_ms']} ms ({get['n']})", "p50 ≤ 5 ms"),
        ("changes-feed page of 100", f"p50 {changes['p50_ms']} ms · p99 {changes['p99_ms']} ms", "p50 ≤ 30 ms"),
        ("data folder on disk", f"{result['store_mb']:,} MB (RDF store {result['store_rdf_mb']:,} MB)", "–"),
        ("peak memory, server + workers", f"{result['peak_pss_mb']:,} MB PSS (RSS peaks summed "
                                          f"{result['peak_memory_mb']:,} MB, {result['processes']} processes)",
         "≤ 1 GB"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{result['datasets']:,} datasets (read figures on catalogue '{result['read_catalogue']}')"]
    lines += [f"{name:<{width}}  {value}   [target {target}]" for name, value, target in rows]
    return "\n".join(lines)


def _floor_rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    floor = result.get("floor")
    if not floor:
        return []
    return [("  validation alone", f"{floor['validate_per_s']:,} datasets/s ({floor['validate_cpu_ms']} ms CPU each)",
             "–"),
            ("  storing alone (pyoxigraph)", f"{floor['store_per_s']:,} datasets/s ({floor['store_cpu_ms']} ms CPU "
                                            f"each, {floor['store_quads']:,} quads)", "–"),
            ("  both, at best", f"{floor['bound_per_s']:,} datasets/s on {floor['processes']} cores", "–")]


def side_by_side(results: list[dict[str, Any]]) -> str:
    """The same figures for each store, one column per store."""
    def cell(result: dict[str, Any], key: str) -> str:
        if key == "batch":
            return f"{result['batch']['stored_per_s']:,} stored/s ({result['batch']['seconds']} s)"
        if key == "disk":
            return f"{result['store_rdf_mb']:,} MB"
        if key == "memory":
            return f"{result['peak_pss_mb']:,} MB PSS"
        figures = result[key]
        return f"p50 {figures['p50_ms']} · p99 {figures['p99_ms']} ms"

    rows = [("batch publish", "batch"), ("one-by-one PUT", "put"), ("100-dataset page, Turtle", "page"),
            ("dataset GET, Turtle", "get"), ("changes-feed page", "changes"),
            ("SPARQL count by theme", "sparql_themes"),
            ("RDF store on disk", "disk"), ("peak memory (Puente)", "memory")]
    width = max(len(name) for name, _ in rows)
    columns = [[cell(result, key) for _, key in rows] for result in results]
    widths = [max(len(result["store"]), *(len(c) for c in column)) for result, column in zip(results, columns,
                                                                                            strict=True)]
    lines = [f"{results[0]['datasets']:,} datasets (reads on catalogue '{results[0]['read_catalogue']}')",
             " " * width + "  " + "  ".join(f"{r['store']:<{w}}" for r, w in zip(results, widths, strict=True))]
    for index, (name, _) in enumerate(rows):
        lines.append(f"{name:<{width}}  " + "  ".join(f"{column[index]:<{w}}" for column, w in zip(columns, widths,
                                                                                                    strict=True)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10_000, help="datasets in the corpus (default 10,000)")
    parser.add_argument("--puts", type=int, default=300, help="one-by-one PUTs measured")
    parser.add_argument("--samples", type=int, default=200, help="pages, feed pages (and 3x dataset GETs) measured")
    parser.add_argument("--stores", default="oxigraph,virtuoso",
                        help="stores to measure, side by side: oxigraph, virtuoso (default both)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    stores = [name.strip() for name in args.stores.split(",") if name.strip()]
    if not stores or set(stores) - {"oxigraph", "virtuoso"}:
        parser.error("--stores takes oxigraph, virtuoso or both")
    results = [run_on(store, args.datasets, singles=args.puts, samples=args.samples) for store in stores]
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=1))
    else:
        print("\n\n".join([*(table(result) for result in results), *([side_by_side(results)] if len(results) > 1
                                                                     else [])]))


if __name__ == "__main__":
    sys.exit(main())
