"""Validation throughput, side by side in one run:  python -m bench [--records N] [--json]   (make bench)

Paths measured on the same generated corpus (bench/corpus.py: N records split over co, cl, mx, es, dcat):
- naive pyshacl on the whole graph (every record mapped, one pyshacl run with Puente's shapes and background);
- pyshacl record by record (one run per record, shapes parsed once);
- pyrudof and Apache Jena SHACL when they are installed (said in the output when they are not);
- Puente's batch path (parse/map, compiled validation, report) on all cores;
- Puente's HTTP path: one record per request, keep-alive, one client, against a server started on 127.0.0.1.
Ratios are against naive pyshacl measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path

import httpx
import pyshacl
from rdflib import Graph

from bench.corpus import Document, generate, split
from bench.server import running_server
from bench.stats import p50_p99

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    path: str
    records: int
    seconds: float
    records_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    peak_rss_mb: float
    findings: int | None
    note: str = ""


def _pipeline():  # type: ignore[no-untyped-def]
    from app.crosswalk.loader import load_crosswalks
    from app.crosswalk.rdf_source import load_rdf_sources
    from app.pipeline.run import Pipeline
    from app.profile.loader import load_profile
    from app.settings import Settings

    return Pipeline(profile=load_profile(ROOT), settings=Settings(workers=0),
                    crosswalks=load_crosswalks(ROOT / "mappings"), rdf_sources=load_rdf_sources(ROOT / "mappings"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_pyshacl(documents: list[Document]) -> Row:
    from app.pipeline.validation import with_background

    pipeline = _pipeline()
    started = time.perf_counter()
    whole = Graph()
    for document in documents:
        mapped, _, _ = pipeline.read(document.body, media_type=document.media_type, source=document.source)
        whole += mapped.graph
    _, report, _ = pyshacl.validate(with_background(whole, profile=pipeline.profile),
                                    shacl_graph=pipeline.profile.shapes_graph, inference="none", allow_warnings=True,
                                    allow_infos=True)
    from app.pipeline.validation import findings_from_report

    findings = len(findings_from_report(report))
    seconds = time.perf_counter() - started
    records = sum(d.records for d in documents)
    return Row("pyshacl, whole graph (naive)", records, seconds, records / seconds, None, None, _rss_mb(), findings)


def pyshacl_per_record(documents: list[Document], *, limit: int) -> Row:
    from app.pipeline.validation import PyshaclEngine

    pipeline = _pipeline()
    engine = PyshaclEngine(pipeline.profile)
    singles = [single for document in documents for single in split(document)][:limit]
    times: list[float] = []
    findings = 0
    for single in singles:
        started = time.perf_counter()
        mapped, _, _ = pipeline.read(single.body, media_type=single.media_type, source=single.source)
        findings += len(engine.validate(mapped.graph))
        times.append((time.perf_counter() - started) * 1000)
    p50, p99 = p50_p99(times)
    seconds = sum(times) / 1000
    return Row("pyshacl, record by record", len(singles), seconds, len(singles) / seconds, p50, p99, _rss_mb(),
               findings, f"first {len(singles)} records")


def _batch_one(document: Document) -> tuple[int, int]:
    from app.pipeline.report import build_report

    pipeline = _BATCH_PIPELINE
    assert pipeline is not None
    outcome = pipeline.validate(document.body, media_type=document.media_type, source=document.source)
    build_report(outcome.mapped.triples, outcome.findings, profile=pipeline.profile, lang="es",
                 source=outcome.source.name, source_detected=False, source_field=outcome.source_field)
    return document.records, sum(1 for f in outcome.findings if not f.component.startswith("puente:"))


_BATCH_PIPELINE = None


def puente_batch(documents: list[Document], *, processes: int) -> Row:
    global _BATCH_PIPELINE
    _BATCH_PIPELINE = _pipeline()
    chunks = [piece for document in documents for piece in _chunks(document, parts=max(1, processes * 2))]
    started = time.perf_counter()
    import multiprocessing

    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        results = list(pool.map(_batch_one, chunks))
    seconds = time.perf_counter() - started
    records = sum(r for r, _ in results)
    return Row(f"Puente batch (compiled, {processes} processes)", records, seconds, records / seconds, None, None,
               _rss_mb(), sum(f for _, f in results), "parse + map + validate + report")


def _chunks(document: Document, *, parts: int) -> list[Document]:
    singles = split(document)
    size = max(1, -(-len(singles) // parts))
    out: list[Document] = []
    for start in range(0, len(singles), size):
        group = singles[start:start + size]
        if document.media_type == "application/json":
            bodies = [json.loads(s.body) for s in group]
            if document.source == "co":
                body = json.dumps(bodies, ensure_ascii=False)
            elif document.source == "cl":
                body = json.dumps({"result": {"results": [b["result"] for b in bodies]}}, ensure_ascii=False)
            else:
                body = json.dumps({"dataset": [b["dataset"][0] for b in bodies]}, ensure_ascii=False)
            out.append(Document(document.source, document.media_type, body.encode(), len(group)))
        else:
            out.append(Document(document.source, document.media_type, b"\n".join(s.body for s in group), len(group)))
    return out


def puente_http(documents: list[Document], *, limit: int) -> Row:
    singles = [single for document in documents for single in split(document)][:limit]
    times: list[float] = []
    with running_server({"PUENTE_WORKERS": "2", "PUENTE_LOG_LEVEL": "WARNING"}, access_log=False) as (url, _):
        with httpx.Client(base_url=url, timeout=60) as client:
            for single in singles[:20]:  # warm-up
                client.post(f"/validate?source={single.source}", content=single.body,
                            headers={"content-type": single.media_type})
            for single in singles:
                started = time.perf_counter()
                response = client.post(f"/validate?source={single.source}", content=single.body,
                                        headers={"content-type": single.media_type})
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text[:300]
    p50, p99 = p50_p99(times)
    seconds = sum(times) / 1000
    return Row("Puente HTTP, one record per request", len(singles), seconds, len(singles) / seconds, p50, p99,
               _rss_mb(), None, "keep-alive, one client")


def missing_engines() -> list[Row]:
    rows: list[Row] = []
    if find_spec("pyrudof") is None:
        rows.append(Row("pyrudof", 0, 0, 0, None, None, 0, None, "not installed (pip install pyrudof)"))
    if shutil.which("shacl") is None and not Path("/usr/share/java/jena-shacl.jar").exists():
        rows.append(Row("Apache Jena SHACL", 0, 0, 0, None, None, 0, None,
                        "not installed (Debian: libapache-jena-java)"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="records in the corpus (split over 5 sources)")
    parser.add_argument("--per-record", type=int, default=300, help="records for the record-by-record paths")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = parser.parse_args()
    documents = generate(records=max(1, args.records // 5), seed=args.seed)
    processes = os.cpu_count() or 1
    rows = [naive_pyshacl(documents), pyshacl_per_record(documents, limit=args.per_record),
            *missing_engines(), puente_batch(documents, processes=processes),
            puente_http(documents, limit=args.per_record)]
    baseline = rows[0].records_per_s
    result = {"records": sum(d.records for d in documents), "cores": processes, "date": time.strftime("%Y-%m-%d"),
              "rows": [{**asdict(r), "ratio_vs_naive_pyshacl": round(r.records_per_s / baseline, 1) if baseline
                        and r.records else None} for r in rows]}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['records']} records, {processes} cores, {result['date']}")
    print(f"{'path':<44}{'records':>8}{'rec/s':>10}{'× naive':>9}{'p50 ms':>9}{'p99 ms':>9}{'RSS MB':>9}"
          f"{'findings':>10}  note")
    for row in result["rows"]:  # type: ignore[union-attr]
        assert isinstance(row, dict)

        def shown(value: object) -> str:
            return "–" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)

        print(f"{row['path']:<44}{row['records']:>8}{row['records_per_s']:>10.1f}"
              f"{shown(row['ratio_vs_naive_pyshacl']):>9}{shown(row['p50_ms']):>9}{shown(row['p99_ms']):>9}"
              f"{row['peak_rss_mb']:>9.0f}{shown(row['findings']):>10}  {row['note']}")


if __name__ == "__main__":
    main()
