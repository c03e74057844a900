"""Validation throughput, side by side in one run:  python -m bench [--records N] [--json]   (make bench)

Paths measured on the same generated corpus (bench/corpus.py: N records split over co, cl, mx, es, dcat), each in
its own child process so that its peak memory is its own:
- naive pyshacl on the whole graph (every record mapped, one pyshacl run with Puente's shapes and background);
- pyshacl record by record (one run per record, shapes parsed once; the first --per-record records);
- pyrudof (Rust) record by record, and Apache Jena SHACL (warm JVM) on the whole graph and record by record,
  when they are installed (said in the output when they are not). They read the records already mapped to the
  profile, with the same background, as N-Triples: they cannot read the national JSON formats;
- Puente's batch path: the five catalogues as `puente validate FILE...` runs them (`validate_catalogues`: every
  core, the next file read while the workers validate the previous one), from the bytes to the finished reports;
- Puente's HTTP path: one record per request, keep-alive, one client, against a server started on 127.0.0.1;
  and one whole catalogue of --records records (DCAT) in one POST, with the server's peak memory.
Ratios are against naive pyshacl measured in the same run. "findings": SHACL results plus mapping problems for
Puente and pyshacl, each problem told once as reports tell it (report.deduplicate); SHACL results alone for pyrudof
and Jena.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from bench.corpus import Document, generate, split
from bench.procs import tree_memory_mb
from bench.stats import p50_p99

ROOT = Path(__file__).resolve().parent.parent
JENA_JARS = Path("/usr/share/java")
ROWS = ("naive-pyshacl", "pyshacl-records", "pyrudof-records", "jena-whole", "jena-records", "puente-batch",
        "puente-http", "puente-http-catalogue")


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
    """Peak resident memory of this process and of its largest child (workers), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _singles(documents: list[Document], limit: int | None = None) -> list[Document]:
    singles = [single for document in documents for single in split(document)]
    return singles if limit is None else singles[:limit]


# ------------------------------------------------------------------------------------------------ pyshacl


def naive_pyshacl(documents: list[Document], _args: argparse.Namespace) -> Row:
    import pyshacl
    from rdflib import Graph

    from app.pipeline.mapping import MappedInput
    from app.pipeline.report import deduplicate
    from app.pipeline.validation import with_background
    from app.shacl.reference import findings_from_report

    pipeline = _pipeline()
    started = time.perf_counter()
    whole = Graph()
    every = MappedInput(triples=[])  # the documents' provenance together, to tell each problem once as reports do
    for document in documents:
        mapped, _, _ = pipeline.read(document.body, media_type=document.media_type, source=document.source)
        whole += mapped.graph
        every.problems += mapped.problems
        every.provenance.update(mapped.provenance)
        every.expected.update(mapped.expected)
        every.owners.update(mapped.owners)
        every.generated |= mapped.generated
    _, report, _ = pyshacl.validate(with_background(whole, profile=pipeline.profile),
                                    shacl_graph=pipeline.profile.shapes_graph, inference="none", allow_warnings=True,
                                    allow_infos=True)
    findings = len(deduplicate(every.tidy(findings_from_report(report) + every.problems)))
    seconds = time.perf_counter() - started
    records = sum(d.records for d in documents)
    return Row("pyshacl, whole graph (naive)", records, seconds, records / seconds, None, None, _rss_mb(), findings,
               "map + one pyshacl run")


def pyshacl_per_record(documents: list[Document], args: argparse.Namespace) -> Row:
    from app.pipeline.report import deduplicate
    from app.pipeline.validation import reference_engine

    pipeline = _pipeline()
    engine = reference_engine(pipeline.profile)
    singles = _singles(documents, args.per_record)
    times: list[float] = []
    findings = 0
    for single in singles:
        started = time.perf_counter()
        mapped, _, _ = pipeline.read(single.body, media_type=single.media_type, source=single.source)
        findings += len(deduplicate(mapped.tidy(engine.validate(mapped.graph) + mapped.problems)))
        times.append((time.perf_counter() - started) * 1000)
    p50, p99 = p50_p99(times)
    seconds = sum(times) / 1000
    return Row("pyshacl, record by record", len(singles), seconds, len(singles) / seconds, p50, p99, _rss_mb(),
               findings, f"map + validate; first {len(singles)} records")


# ------------------------------------------------------------------------------------------------ peers


def _profile_ntriples(documents: list[Document], limit: int | None) -> tuple[str, list[str]]:
    """The profile's shapes (Turtle) and each record mapped to the profile with its background (N-Triples)."""
    from app.pipeline.validation import with_background

    pipeline = _pipeline()
    records: list[str] = []
    for single in _singles(documents, limit):
        mapped, _, _ = pipeline.read(single.body, media_type=single.media_type, source=single.source)
        graph = with_background(mapped.graph, profile=pipeline.profile)
        records.append(graph.serialize(format="nt"))
    return pipeline.profile.shapes_graph.serialize(format="turtle"), records


def pyrudof_per_record(documents: list[Document], args: argparse.Namespace) -> Row:
    import pyrudof

    shapes, records = _profile_ntriples(documents, args.peer_records)
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(shapes, format=pyrudof.ShaclFormat.Turtle)
    times: list[float] = []
    validating = 0.0
    findings = 0
    for data in records:
        started = time.perf_counter()
        rudof.reset_data()  # read_data merges into what is loaded, whatever its documentation says
        rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
        read = time.perf_counter()
        findings += len(rudof.validate_shacl())
        validating += time.perf_counter() - read
        times.append((time.perf_counter() - started) * 1000)
    p50, p99 = p50_p99(times)
    seconds = sum(times) / 1000
    return Row("pyrudof, record by record", len(records), seconds, len(records) / seconds, p50, p99, _rss_mb(),
               findings, f"read_data + validate; {len(records)} records, mapped beforehand; validate alone "
               f"{1000 * validating / max(1, len(records)):.1f} ms a record")


def _jena(documents: list[Document], args: argparse.Namespace, *, mode: str) -> Row:
    shapes, records = _profile_ntriples(documents, None if mode == "whole" else args.peer_records)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "shapes.ttl").write_text(shapes, encoding="utf-8")
        (folder / "records.nt").write_text("\n# record\n".join(records), encoding="utf-8")
        classpath = _jena_classpath(folder)
        subprocess.run(["javac", "-cp", classpath, "-d", work, str(ROOT / "bench" / "jena" / "JenaBench.java")],
                       check=True, capture_output=True)
        started = time.perf_counter()
        done = subprocess.run(["java", "-Xmx4g", "-cp", f"{classpath}:{work}", "JenaBench", str(folder / "shapes.ttl"),
                               str(folder / "records.nt"), mode], check=True, capture_output=True, text=True)
        wall = time.perf_counter() - started
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = float(figures["seconds"])
    warm = "warm JVM (timed after a warm-up pass)"
    if mode == "whole":
        return Row("Apache Jena SHACL, whole graph", len(records), seconds, len(records) / seconds, None, None,
                   _rss_mb(), int(figures["findings"]), f"{warm}; parse + validate; JVM run {wall:.1f} s in all")
    return Row("Apache Jena SHACL, record by record", len(records), seconds, len(records) / seconds,
               float(figures["p50_ms"]), float(figures["p99_ms"]), _rss_mb(), int(figures["findings"]),
               f"{warm}; one thread; {len(records)} records")


def _jena_classpath(work: Path) -> str:
    """Jena's jars and those of the Debian packages it depends on (not all of /usr/share/java: clashing logging
    bindings), plus a copy of its xerces messages where Debian's build looks for them: its jena-core moves the
    xerces classes to `xerces.*` but leaves their .properties under org/apache/jena/ext/xerces/, and the XSD
    datatypes then fail to start ("internal error")."""
    depends = subprocess.run(["apt-cache", "depends", "libapache-jena-java"], capture_output=True, text=True,
                             check=True).stdout.splitlines()
    packages = ["libapache-jena-java"] + [line.split(":", 1)[1].strip() for line in depends
                                          if line.strip().startswith("Depends:")]
    jars: list[str] = []
    for package in packages:
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True).stdout.splitlines()
        jars += [j for j in listed if j.endswith(".jar") and not re.search(r"-\d[\d.]*\.jar$", j)
                 and not re.search(r"slf4j-(jcl|log4j12|jdk14|simple|migrator|ext)|log4j-over|jul-to|osgi", j)]
    resources = work / "resources"
    with zipfile.ZipFile(JENA_JARS / "jena-core.jar") as core:
        for name in core.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = resources / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(core.read(name))
    return ":".join([*dict.fromkeys(jars), str(resources)])


def jena_whole(documents: list[Document], args: argparse.Namespace) -> Row:
    return _jena(documents, args, mode="whole")


def jena_per_record(documents: list[Document], args: argparse.Namespace) -> Row:
    return _jena(documents, args, mode="records")


# ------------------------------------------------------------------------------------------------ Puente


def puente_batch(documents: list[Document], args: argparse.Namespace) -> Row:
    from app.runtime.batch import Input, validate_catalogues

    pipeline = _pipeline()
    processes = args.processes or os.cpu_count() or 1
    pipeline.lookups.warm()  # what a started service or a second run has; about a second, once
    started = time.perf_counter()
    findings = 0
    inputs = [Input(d.body, d.media_type, d.source) for d in documents]
    written = 0
    for result in validate_catalogues(pipeline, inputs, lang="es", processes=processes):
        assert not isinstance(result, Exception), result
        summary = result.summary
        findings += summary["violations"] + summary["warnings"] + summary["infos"]
        written += len(result.report_json)  # each report as `puente validate --format json` writes it
    seconds = time.perf_counter() - started
    records = sum(d.records for d in documents)
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Row(f"Puente batch ({processes} processes)", records, seconds, records / seconds, None, None,
               max(parent, worker), findings,
               f"bytes → JSON reports ({written / 1e6:.0f} MB); the five catalogues as `puente validate --format json` "
               f"of five files; peak RSS parent {parent:.0f} MB, worker {worker:.0f} MB")


def puente_http(documents: list[Document], args: argparse.Namespace) -> Row:
    """Python's own http.client as the client (keep-alive, one connection): the latency is the server's, not a
    client library's (httpx adds about 0.8 ms a request on this kind of machine)."""
    import http.client
    from urllib.parse import urlsplit

    from bench.server import running_server

    singles = _singles(documents, args.per_record)
    times: list[float] = []
    with running_server({"PUENTE_WORKERS": "2", "PUENTE_LOG_LEVEL": "WARNING"}, access_log=False) as (url, server):
        address = urlsplit(url)
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)

        def post(single: Document) -> int:
            connection.request("POST", f"/validate?source={single.source}", body=single.body,
                               headers={"content-type": single.media_type})
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, body[:300]
            return response.status

        for single in singles[:50]:  # warm-up
            post(single)
        for single in singles:
            started = time.perf_counter()
            post(single)
            times.append((time.perf_counter() - started) * 1000)
        connection.close()
        rss = sum(tree_memory_mb(server.pid, field="VmHWM"))
    p50, p99 = p50_p99(times)
    seconds = sum(times) / 1000
    return Row("Puente HTTP, one record per request", len(singles), seconds, len(singles) / seconds, p50, p99, rss,
               None, "keep-alive, one client (http.client); peak RSS: the server and its workers, summed")


def puente_http_catalogue(_documents: list[Document], args: argparse.Namespace) -> Row:
    """One catalogue of --records records (DCAT, Turtle) posted to /validate: time and the server's memory."""
    import http.client
    from urllib.parse import urlsplit

    from bench.server import running_server

    document = next(d for d in generate(records=args.records, seed=args.seed) if d.source == "dcat")
    with running_server({"PUENTE_WORKERS": "2", "PUENTE_LOG_LEVEL": "WARNING"}, access_log=False) as (url, server):
        address = urlsplit(url)
        connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=600)
        started = time.perf_counter()
        connection.request("POST", "/validate?source=dcat", body=document.body,
                           headers={"content-type": document.media_type})
        response = connection.getresponse()
        answer = json.loads(response.read())
        seconds = time.perf_counter() - started
        assert response.status == 200, answer
        summary = answer["summary"]
        peaks = tree_memory_mb(server.pid, field="VmHWM")
        largest, total = max(peaks, default=0.0), sum(peaks)
    return Row("Puente HTTP, one whole catalogue", document.records, seconds, document.records / seconds, None, None,
               total, summary["violations"] + summary["warnings"] + summary["infos"],
               f"{len(document.body) / 1e6:.0f} MB of Turtle in one POST; peak RSS summed over the server and its "
               f"workers (shared pages counted in each), largest process {largest:.0f} MB")


# ------------------------------------------------------------------------------------------------ the run

_RUNNERS = {"naive-pyshacl": naive_pyshacl, "pyshacl-records": pyshacl_per_record,
            "pyrudof-records": pyrudof_per_record, "jena-whole": jena_whole, "jena-records": jena_per_record,
            "puente-batch": puente_batch, "puente-http": puente_http, "puente-http-catalogue": puente_http_catalogue}


def missing(row: str) -> Row | None:
    """A row saying why an engine did not run, or None when it can."""
    if row.startswith("pyrudof") and find_spec("pyrudof") is None:
        return Row("pyrudof", 0, 0, 0, None, None, 0, None, "not installed (pip install pyrudof)")
    if row.startswith("jena") and (shutil.which("java") is None or shutil.which("javac") is None
                                   or shutil.which("dpkg") is None or not (JENA_JARS / "jena-shacl.jar").exists()):
        return Row("Apache Jena SHACL", 0, 0, 0, None, None, 0, None,
                   "not installed (Debian: libapache-jena-java and a JDK)")
    return None


def _run_row(row: str, args: argparse.Namespace) -> Row:
    """One row in a child process of its own (its memory is its own; a crash is a row, not a lost run)."""
    absent = missing(row)
    if absent is not None:
        return absent
    command = [sys.executable, "-m", "bench", "--row", row, "--records", str(args.records), "--seed", str(args.seed),
               "--per-record", str(args.per_record), "--peer-records", str(args.peer_records)]
    if args.processes:
        command += ["--processes", str(args.processes)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return Row(row, 0, 0, 0, None, None, 0, None, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    return Row(**json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="records in the corpus (split over 5 sources)")
    parser.add_argument("--per-record", type=int, default=300, help="records for pyshacl and HTTP record by record")
    parser.add_argument("--peer-records", type=int, default=500, help="records for pyrudof and Jena record by record")
    parser.add_argument("--processes", type=int, help="processes for Puente's batch path (default: every core)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", help="comma-separated rows to run (default: all): " + ", ".join(ROWS))
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    parser.add_argument("--row", choices=ROWS, help=argparse.SUPPRESS)  # internal: run one row here
    args = parser.parse_args(argv)
    documents = generate(records=max(1, args.records // 5), seed=args.seed)
    if args.row:
        print(json.dumps(asdict(_RUNNERS[args.row](documents, args))))
        return
    chosen = [r for r in ROWS if not args.only or r in args.only.split(",")]
    rows = [_run_row(row, args) for row in chosen]
    baseline = rows[0].records_per_s if chosen[0] == "naive-pyshacl" else 0.0
    result: dict[str, Any] = {
        "records": sum(d.records for d in documents), "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
        "rows": [{**asdict(r), "ratio_vs_naive_pyshacl": round(r.records_per_s / baseline, 1) if baseline
                  and r.records else None} for r in rows]}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['records']} records, {result['cores']} cores, {result['date']}")
    print(f"{'path':<40}{'records':>8}{'rec/s':>9}{'× naive':>9}{'p50 ms':>8}{'p99 ms':>8}{'RSS MB':>8}"
          f"{'findings':>9}  note")
    for row in result["rows"]:
        def shown(value: object) -> str:
            return "–" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)

        print(f"{row['path']:<40}{row['records']:>8}{row['records_per_s']:>9.1f}"
              f"{shown(row['ratio_vs_naive_pyshacl']):>9}{shown(row['p50_ms']):>8}{shown(row['p99_ms']):>8}"
              f"{row['peak_rss_mb']:>8.0f}{shown(row['findings']):>9}  {row['note']}")


if __name__ == "__main__":
    main()
