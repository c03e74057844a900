"""The worst inputs issue 19 names, generated at any scale: the chaos tests send them small, `python -m
tests.chaos.worst --measure` sends them full size to a real server and prints time and memory (README "Under load").

Each generator takes `scale` (1.0 = the size the issue measured) and returns (body, media type)."""

from __future__ import annotations

import json

DCAT = "http://www.w3.org/ns/dcat#"
PREFIXES = (b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
            b"@prefix e: <http://example.org/> .\n")


def tiny_datasets(scale: float = 1.0) -> tuple[bytes, str]:
    """50,000 one-line datasets in Turtle (2.8 MB): about ten findings each, a report a hundred times the input."""
    count = max(2, int(50_000 * scale))
    lines = b"".join(b"<http://example.org/d%05d> a dcat:Dataset .\n" % i for i in range(count))
    return PREFIXES + lines, "text/turtle"


def shared_distributions(scale: float = 1.0) -> tuple[bytes, str]:
    """650 datasets, each pointing at the same 1,400 distributions (19.5 MB of Turtle): every distribution's
    findings concern every dataset."""
    datasets, distributions = max(2, int(650 * scale ** 0.5)), max(2, int(1400 * scale ** 0.5))
    objects = b", ".join(b"e:distribution%05d" % j for j in range(distributions))
    parts = [PREFIXES]
    for i in range(datasets):
        parts.append(b'e:d%d a dcat:Dataset ; dct:title "Conjunto %d"@es ; dcat:distribution %s .\n'
                     % (i, i, objects))
    for j in range(distributions):
        parts.append(b"e:distribution%05d a dcat:Distribution .\n" % j)
    return b"".join(parts), "text/turtle"


def many_namespaces(scale: float = 1.0) -> tuple[bytes, str]:
    """One record using 20,000 distinct namespaces (what makes rdflib's Turtle writer quadratic)."""
    count = max(2, int(20_000 * scale))
    lines = [b'e:d a dcat:Dataset ; dct:title "Conjunto"@es ; dct:description "Datos."@es .']
    lines += [b"e:d <http://ns%d.example.org/vocab#p> <http://ns%d.example.org/x/o> ." % (i, i) for i in range(count)]
    return PREFIXES + b"\n".join(lines) + b"\n", "text/turtle"


def one_line_datasets(scale: float = 1.0) -> tuple[bytes, str]:
    """10,000 datasets with a title each (559 KB of Turtle): asked for as Turtle, the report graph is large."""
    count = max(2, int(10_000 * scale))
    lines = b"".join(b'e:d%d a dcat:Dataset ; dct:title "Conjunto %d"@es .\n' % (i, i) for i in range(count))
    return PREFIXES + lines, "text/turtle"


def socrata_views(count: int, *, defective_last: bool = False) -> tuple[bytes, str]:
    """`count` valid datos.gov.co views; with `defective_last`, the last one has a creation date that is not a date."""
    views: list[dict[str, object]] = [
        {"id": f"v{i:03d}-{i % 10_000:04d}", "name": f"Vista {i}", "description": "Datos de la entidad.",
         "viewType": "tabular", "createdAt": 1580136451, "tags": ["datos"]} for i in range(count)]
    if defective_last:
        views[-1] = {**views[-1], "id": "zzzz-last", "createdAt": "ayer"}
    return json.dumps(views).encode(), "application/json"


def long_description(chars: int = 18_000_000) -> tuple[bytes, str]:
    """One Socrata view whose description is `chars` characters long."""
    view = {"id": "abcd-0001", "name": "Vista", "viewType": "tabular", "description": "a" * chars}
    return json.dumps(view).encode(), "application/json"


def ckan_resources(scale: float = 1.0) -> tuple[bytes, str]:
    """69 CKAN packages of 10,000 resources each (a package_search page just under 20 MB)."""
    packages, resources = max(1, int(69 * scale ** 0.5)), max(2, int(10_000 * scale ** 0.5))
    page = {"success": True, "result": {"count": packages, "results": [
        {"name": f"p{i}", "title": f"Paquete {i}", "notes": "Datos.",
         "resources": [{"url": f"http://e/{j}"} for j in range(resources)]}
        for i in range(packages)]}}
    return json.dumps(page, separators=(",", ":")).encode(), "application/json"


def many_distributions(scale: float = 1.0) -> tuple[bytes, str]:
    """380,000 distributions no dataset lists (19.8 MB of Turtle): a few findings each, all on nodes of their own."""
    count = max(2, int(380_000 * scale))
    lines = b"".join(b"<http://example.org/x%07d> a dcat:Distribution .\n" % i for i in range(count))
    return PREFIXES + b'e:d a dcat:Dataset ; dct:title "Conjunto"@es .\n' + lines, "text/turtle"


def catalogue_for_convert(scale: float = 1.0) -> tuple[bytes, str]:
    """A 4 MB DCAT catalogue (datasets with a distribution each) to convert."""
    count = max(2, int(20_000 * scale))
    lines = b"".join(b'e:d%d a dcat:Dataset ; dct:title "Conjunto %d"@es ; dct:description "Datos %d."@es ; '
                     b"dcat:distribution e:x%d .\ne:x%d a dcat:Distribution ; dcat:accessURL <http://e.org/f%d> .\n"
                     % (i, i, i, i, i, i) for i in range(count))
    return PREFIXES + lines, "text/turtle"


# ---------------------------------------------------------------------------------------------- measuring

CASES: dict[str, tuple[str, str, dict[str, str]]] = {
    # name: (path, Accept, what the generator makes)
    "tiny-datasets": ("/validate", "application/json", {}),
    "tiny-datasets-turtle": ("/validate", "text/turtle", {}),
    "shared-distributions": ("/validate", "application/json", {}),
    "many-namespaces-turtle": ("/validate", "text/turtle", {}),
    "one-line-datasets-turtle": ("/validate", "text/turtle", {}),
    "long-description": ("/validate", "application/json", {}),
    "ckan-resources": ("/validate", "application/json", {}),
    "convert-catalogue": ("/convert", "text/turtle", {}),
    "convert-catalogue-ckan": ("/convert?to=ckan", "application/json", {}),
    "socrata-10001": ("/validate", "application/json", {}),
    "socrata-50000": ("/validate", "application/json", {}),
    "many-distributions": ("/validate", "application/json", {}),
}


def body_for(case: str, scale: float) -> tuple[bytes, str]:
    """The body of a named case at `scale`."""
    generators = {
        "tiny-datasets": tiny_datasets, "tiny-datasets-turtle": tiny_datasets,
        "shared-distributions": shared_distributions, "many-namespaces-turtle": many_namespaces,
        "one-line-datasets-turtle": one_line_datasets, "ckan-resources": ckan_resources,
        "convert-catalogue": catalogue_for_convert, "convert-catalogue-ckan": catalogue_for_convert,
    }
    if case == "long-description":
        return long_description(int(18_000_000 * scale))
    if case == "socrata-10001":
        return socrata_views(max(2, int(10_001 * scale)), defective_last=True)
    if case == "socrata-50000":
        return socrata_views(max(2, int(50_000 * scale)), defective_last=True)
    if case == "many-distributions":
        return many_distributions(scale)
    return generators[case](scale)


def measure(case: str, *, scale: float, env: dict[str, str] | None = None) -> dict[str, object]:
    """Send one case to a fresh server; time, answer, /health's slowest answer meanwhile, and memory: the peak
    of the server and its workers (VmHWM summed: shared pages counted in each, an upper bound) and what they hold
    together before, sampled during (PSS summed) and 3 s after."""
    import threading
    import time

    import httpx

    from bench.procs import process_name, pss_mb, reset_peaks, tree_memory_mb, tree_pids, tree_pss_mb
    from bench.server import running_server

    path, accept, _ = CASES[case]
    body, media = body_for(case, scale)
    settings = {"PUENTE_LOG_LEVEL": "WARNING", "PUENTE_VALIDATION_TIMEOUT_S": "600", **(env or {})}
    with running_server(settings, access_log=False) as (url, server):
        httpx.post(f"{url}/validate", content=b"<http://e.org/d> a <http://www.w3.org/ns/dcat#Dataset> .",
                   headers={"content-type": "text/turtle"}, timeout=60)  # every import done
        time.sleep(1)
        before = tree_pss_mb(server.pid)
        reset_peaks(server.pid)
        done = threading.Event()
        samples: list[float] = []
        health: list[float] = []

        def watch() -> None:
            while not done.is_set():
                samples.append(tree_pss_mb(server.pid))
                started = time.monotonic()
                try:
                    httpx.get(f"{url}/health", timeout=120)
                except httpx.HTTPError:
                    pass
                health.append(time.monotonic() - started)
                done.wait(0.25)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        started = time.monotonic()
        try:
            response = httpx.post(f"{url}{path}", content=body, headers={"content-type": media, "accept": accept},
                                  timeout=900)
            status, size, detail = response.status_code, len(response.content), ""
            if response.headers.get("content-type", "").startswith("application/problem+json"):
                detail = str(response.json().get("detail", ""))[:160]
        except httpx.HTTPError as error:
            status, size, detail = 0, 0, repr(error)[:160]
        elapsed = time.monotonic() - started
        done.set()
        watcher.join()
        peak = sum(tree_memory_mb(server.pid, field="VmHWM"))
        time.sleep(3)
        after = tree_pss_mb(server.pid)
        parts = {f"{process_name(pid)}:{pid}": round(pss_mb(pid)) for pid in tree_pids(server.pid)}
    return {"case": case, "scale": scale, "input_mb": round(len(body) / 1e6, 2), "status": status,
            "seconds": round(elapsed, 1), "answer_mb": round(size / 1e6, 1), "health_max_s": round(max(health), 2),
            "pss_before_mb": round(before), "pss_max_mb": round(max(samples + [before])), "hwm_sum_mb": round(peak),
            "pss_after_mb": round(after), "pss_after_by_process": parts, "detail": detail}


def main() -> None:
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Send the worst inputs of issue 19 to a real server; print figures.")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for case in args.cases:
        figures = measure(case, scale=args.scale, env={"PUENTE_WORKERS": str(args.workers)})
        sys.stdout.write(json.dumps(figures) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
