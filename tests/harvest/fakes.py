"""Loopback fakes of the portals Puente harvests, built from the real records in fixtures/ (PROVENANCE.md).

Each fake is a real HTTP server on 127.0.0.1 (tests/loopback.py) that pages the way the portal's API does and
whose content a test can change between runs (add, touch, remove). Faults are injected per path: a queue of
canned answers served before the normal one (429 with Retry-After, 500, a truncated body...), gates that hold
a request until the test lets it go (to kill a harvest at a known point), and per-fake switches (a proxy that
drops fq, a DCAT endpoint whose next link loops, one that ignores the page parameter).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import uuid
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.loopback import Answer, Loopback, Request

FIXTURES = Path(__file__).resolve().parent / "fixtures"
JSON = {"Content-Type": "application/json; charset=utf-8"}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Fake:
    """Fault injection and bookkeeping shared by the portal fakes."""

    def __init__(self) -> None:
        self.faults: dict[str, deque[Answer]] = defaultdict(deque)
        self.gates: dict[tuple[str, int], threading.Event] = {}
        self.reached: dict[tuple[str, int], threading.Event] = {}
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.RLock()
        self.server = Loopback(self._serve)

    # -- faults ----------------------------------------------------------------------------------------------

    def fail(self, path: str, *answers: Answer) -> None:
        """The next requests to `path` get these answers, in order, before the normal ones."""
        self.faults[path].extend(answers)

    def hold(self, path: str, nth: int) -> threading.Event:
        """The nth request (1-based) to `path` waits until the returned event is set; `reached(path, nth)` is
        set when it arrives."""
        release = threading.Event()
        self.gates[(path, nth)] = release
        self.reached[(path, nth)] = threading.Event()
        return release

    def arrived(self, path: str, nth: int) -> threading.Event:
        return self.reached[(path, nth)]

    def _serve(self, request: Request) -> Answer:
        with self.lock:
            self.calls[request.path] += 1
            number = self.calls[request.path]
            queued = self.faults.get(request.path)
            fault = queued.popleft() if queued else None
        if (request.path, number) in self.gates:
            self.reached[(request.path, number)].set()
            self.gates[(request.path, number)].wait(timeout=60)
        if fault is not None:
            return fault
        with self.lock:
            return self.route(request)

    def route(self, request: Request) -> Answer:
        raise NotImplementedError

    # -- server ----------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    def __enter__(self) -> Fake:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for gate in self.gates.values():
            gate.set()
        self.server.stop()


def _json(data: Any, status: int = 200) -> Answer:
    return Answer(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), dict(JSON))


# ---------------------------------------------------------------------------------------------------------------
# CKAN

CKAN_TEMPLATES = ("ckan_dataset_dcat_ap.json", "ckan_dataset_legacy.json")
_FQ = re.compile(r"^metadata_modified:\[(\S+) TO \*\]$")


def ckan_packages(count: int, *, start: datetime | None = None) -> list[dict[str, Any]]:
    """`count` packages derived from the two real ckanext-dcat package dicts (synthetic: new id, name, title,
    identifier, guid, metadata_modified one hour apart, resource ids; everything else as in the fixture). The legacy
    fixture has no organisation, and a dataset without publisher is refused: its synthetic copies get one named
    after its maintainer. The scheming fixture's access service names, as datasets it serves, IRIs its record does
    not describe as datasets (a violation of the profile): its copies leave serves_dataset out."""
    templates = [fixture(name) for name in CKAN_TEMPLATES]
    moment = start or datetime(2024, 1, 1, tzinfo=UTC)
    made = []
    for index in range(count):
        package = copy.deepcopy(templates[index % len(templates)])
        name = f"dataset-{index:05d}"
        package["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, name))
        package["name"] = name
        package["title"] = f"{package.get('title') or name} ({index})"
        package["metadata_modified"] = _ckan_time(moment + timedelta(hours=index))
        # each copy is a dataset of its own: its identifiers (what a catalogue keys records on) are its own too
        if package.get("identifier"):
            package["identifier"] = f"{name}-{package['identifier']}"
        for extra in package.get("extras") or []:
            if extra.get("key") == "guid":
                extra["value"] = package["id"]
        if not package.get("organization") and not package.get("publisher"):
            maintainer = package.get("maintainer") or "Publisher"
            package["organization"] = {"name": "synthetic-publisher", "title": maintainer}
        for position, resource in enumerate(package.get("resources") or []):
            for service in resource.get("access_services") or []:
                if isinstance(service, dict):
                    service.pop("serves_dataset", None)
            resource["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{position}"))
            resource["package_id"] = package["id"]
        made.append(package)
    return made


def _ckan_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _solr_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class CkanPortal(Fake):
    """CKAN's Action API (package_search, package_list, package_show) over a list of packages.

    package_search honours q=*:*, fq=metadata_modified:[X TO *], sort (metadata_modified asc,name asc /
    name asc), rows (capped at 1000 as ckan.search.rows_max does), start and fl. `drop_fq`: a proxy that
    silently drops fq and sort. `list_refused`: package_list answers 403 (some portals disable it)."""

    def __init__(self, packages: list[dict[str, Any]]) -> None:
        super().__init__()
        self.packages = {p["name"]: p for p in packages}
        self.clock = max((_solr_time(p["metadata_modified"] + "Z") for p in packages),
                         default=datetime(2024, 1, 1, tzinfo=UTC))
        self.drop_fq = False
        self.list_refused = False

    def touch(self, name: str, **changes: Any) -> None:
        """Edit a package: CKAN bumps its metadata_modified to now."""
        with self.lock:
            self.clock += timedelta(hours=1)
            self.packages[name].update(changes, metadata_modified=_ckan_time(self.clock))

    def add(self, package: dict[str, Any]) -> None:
        with self.lock:
            self.clock += timedelta(hours=1)
            self.packages[package["name"]] = dict(package, metadata_modified=_ckan_time(self.clock))

    def remove(self, name: str) -> None:
        with self.lock:
            del self.packages[name]

    def route(self, request: Request) -> Answer:
        action = request.path.rsplit("/", 1)[-1]
        if not request.path.startswith("/api/3/action/"):
            return _json({"success": False, "error": {"message": "Not found"}}, 404)
        if action == "package_search":
            return self._search(request)
        if action == "package_list":
            if self.list_refused:
                return _json({"success": False, "error": {"message": "Access denied"}}, 403)
            names = sorted(self.packages)
            offset, limit = int(request.param("offset", "0") or 0), request.param("limit")
            chosen = names[offset:] if limit is None else names[offset:offset + int(limit)]
            return _json({"success": True, "result": chosen})
        if action == "package_show":
            package = self.packages.get(request.param("id") or "")
            if package is None:
                return _json({"success": False, "error": {"message": "Not found", "__type": "Not Found Error"}}, 404)
            return _json({"success": True, "result": package})
        return _json({"success": False, "error": {"message": "Bad action"}}, 400)

    def _search(self, request: Request) -> Answer:
        found = list(self.packages.values())
        fq, sort = request.param("fq"), request.param("sort")
        if self.drop_fq:
            fq = sort = None
        if fq:
            match = _FQ.match(fq)
            if match is None:
                return _json({"success": False, "error": {"message": f"unsupported fq {fq}"}}, 400)
            since = _solr_time(match.group(1))
            found = [p for p in found if _solr_time(p["metadata_modified"] + "Z") >= since]
        if sort == "metadata_modified asc,name asc":
            found.sort(key=lambda p: (p["metadata_modified"], p["name"]))
        elif sort == "name asc":
            found.sort(key=lambda p: p["name"])
        elif sort:
            return _json({"success": False, "error": {"message": f"unsupported sort {sort}"}}, 400)
        rows = min(int(request.param("rows", "10") or 10), 1000)
        start = int(request.param("start", "0") or 0)
        page = found[start:start + rows]
        fields = request.param("fl")
        if fields:
            keep = [f.strip() for f in fields.split(",")]
            page = [{k: p[k] for k in keep if k in p} for p in page]
        return _json({"success": True, "result": {"count": len(found), "results": page, "sort": sort}})


# ---------------------------------------------------------------------------------------------------------------
# Socrata

def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _four_by_four(index: int) -> str:
    """A Socrata-shaped id (4 + 4 characters) for synthetic view n: v000-0000 ... v999-0999, then w000-1000 ..."""
    letters = "vwxyzabcdefghijklmnopqrstu"
    return f"{letters[index // 1000]}{index % 1000:03d}-{index % 10000:04d}"


def socrata_views(count: int) -> list[dict[str, Any]]:
    """The real soda.demo view 2646-ez2p (refused: no description) and `count - 1` synthetic views built from it
    with the two real Chicago Discovery results' name, description, attribution, category and tags."""
    template = fixture("socrata_view_2646-ez2p.json")
    discovery = fixture("socrata_discovery_chicago.json")["results"]
    views = [template]
    for index in range(count - 1):
        result = discovery[index % len(discovery)]
        resource = result["resource"]
        view = copy.deepcopy(template)
        view.update(id=_four_by_four(index), name=f"{resource['name']} ({index})",
                    description=resource["description"], attribution=resource["attribution"],
                    category=result["classification"]["domain_category"],
                    tags=list(result["classification"]["domain_tags"]),
                    rowsUpdatedAt=1_700_000_000 + index, viewLastModified=1_700_000_000 + index)
        views.append(view)
    return views


class SocrataPortal(Fake):
    """A Socrata portal: the Discovery API (`/api/catalog/v1?domains=&only=&limit=&scroll_id=&offset=`, offset +
    limit capped at 10,000 as Discovery does) and `/api/views/{id}.json`."""

    def __init__(self, views: list[dict[str, Any]], *, domain: str = "datos.example.gov") -> None:
        super().__init__()
        self.views = {v["id"]: v for v in views}
        self.domain = domain
        self.tick = 1_750_000_000

    def touch(self, view_id: str, **changes: Any) -> None:
        with self.lock:
            self.tick += 60
            self.views[view_id].update(changes, viewLastModified=self.tick)

    def remove(self, view_id: str) -> None:
        with self.lock:
            del self.views[view_id]

    def _result(self, view: dict[str, Any]) -> dict[str, Any]:
        modified = view.get("viewLastModified") or view.get("createdAt") or 0
        return {"resource": {"id": view["id"], "name": view.get("name"), "description": view.get("description"),
                             "attribution": view.get("attribution"), "type": "dataset",
                             "updatedAt": _iso(max(modified, view.get("rowsUpdatedAt") or 0)),
                             "metadata_updated_at": _iso(modified),
                             "data_updated_at": _iso(view.get("rowsUpdatedAt") or 0)},
                "classification": {"domain_category": view.get("category"), "domain_tags": view.get("tags") or []},
                "metadata": {"domain": self.domain},
                "permalink": f"https://{self.domain}/d/{view['id']}", "link": f"https://{self.domain}/d/{view['id']}"}

    def route(self, request: Request) -> Answer:
        if request.path == "/api/catalog/v1":
            if request.param("domains") != self.domain or request.param("only") not in ("dataset", "datasets"):
                return _json({"results": [], "resultSetSize": 0})
            limit = int(request.param("limit", "100") or 100)
            offset = int(request.param("offset", "0") or 0)
            if offset + limit > 10_000:
                return _json({"error": "Bad Request: offset + limit must not exceed 10000"}, 400)
            ids = sorted(self.views)
            scroll = request.param("scroll_id")
            if scroll is not None:
                ids = [i for i in ids if i > scroll]
            chosen = ids[offset:offset + limit]
            return _json({"results": [self._result(self.views[i]) for i in chosen],
                          "resultSetSize": len(self.views), "timings": {}, "warnings": []})
        match = re.fullmatch(r"/api/views/([a-z0-9]{4}-[a-z0-9]{4})\.json", request.path)
        if match and match.group(1) in self.views:
            return _json(self.views[match.group(1)])
        return _json({"code": "not_found", "error": True, "message": "Cannot find view"}, 404)


# ---------------------------------------------------------------------------------------------------------------
# data.json

POD_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"


def arcgis_hub_document(extra: int = 0) -> dict[str, Any]:
    """An ArcGIS-Hub-style data.json (with "@context", "@type", conformsTo, describedBy) around the three POD
    example datasets and the data.wa.gov entry, plus `extra` synthetic datasets derived from them."""
    datasets = fixture("datajson_pod_catalog_sample.json")["dataset"] + [fixture("datajson_wa_gov_entry.json")]
    for index in range(extra):
        entry = copy.deepcopy(datasets[index % 4])
        entry["identifier"] = f"https://hub.example.org/datasets/synthetic-{index:05d}"
        entry["title"] = f"{entry['title']} ({index})"
        datasets.append(entry)
    return {"@context": POD_CONTEXT, "@id": "https://hub.example.org/data.json", "@type": "dcat:Catalog",
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json", "dataset": datasets}


class DatajsonPortal(Fake):
    """One data.json document at /data.json with ETag and Last-Modified, answering 304 to a matching
    conditional GET."""

    def __init__(self, document: dict[str, Any], *, path: str = "/data.json") -> None:
        super().__init__()
        self.path = path
        self.version = -1
        self.change(document)

    def change(self, document: dict[str, Any]) -> None:
        with self.lock:
            self.document = document
            self.version += 1
            self.body = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")  # served as is

    def route(self, request: Request) -> Answer:
        if request.path != self.path:
            return Answer(404, b"not found")
        body = self.body
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        stamp = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=self.version)).strftime(
            "%a, %d %b %Y %H:%M:%S GMT")
        if request.headers.get("if-none-match") == etag or (
                "if-none-match" not in request.headers and request.headers.get("if-modified-since") == stamp):
            return Answer(304, b"", {"ETag": etag, "Last-Modified": stamp})
        return Answer(200, body, {**JSON, "ETag": etag, "Last-Modified": stamp})


# ---------------------------------------------------------------------------------------------------------------
# DCAT (datos.gob.es-style Turtle, Hydra pages, DIR3 publishers)

DIR3 = "http://datos.gob.es/recurso/sector-publico/org/Organismo/"
# L01280796 is the real publisher of the fixture; the others are synthetic codes and names.
PUBLISHERS = {"L01280796": "Ayuntamiento de Madrid", "L01080193": "Ayuntamiento de Barcelona (sintético)",
              "A13002908": "Consejería de Ejemplo (sintética)", "E05024401": "Ministerio de Ejemplo (sintético)"}
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def datos_gob_es_datasets(count: int) -> dict[str, str]:
    """`count` datasets in datos.gob.es's Turtle, from the real export in the fixture with its publisher's
    prefLabel removed (the name must come from dereferencing the DIR3 IRI, as on the live portal); synthetic
    copies get a new IRI, title, modification date and one of the publishers above. IRI → Turtle block."""
    text = (FIXTURES / "dcat_datos_gob_es_dataset.ttl").read_text(encoding="utf-8")
    body = text.split("\n\n", 1)[1]  # the statements, without the prefixes
    body = re.sub(r"<http://datos\.gob\.es/recurso/sector-publico/org/Organismo/L01280796> a skos:Concept ;\n"
                  r"\s+skos:notation \"L01280796\" ;\n\s+skos:prefLabel \"Ayuntamiento de Madrid\" \.\n", "", body)
    assert "prefLabel" not in body
    original = "https://datos.gob.es/catalogo/l01280796-estudio-de-satisfaccion-con-el-programa-de-escuelas-" \
               "municipales-de-promocion-deportiva-en-centros-escolares"
    codes = list(PUBLISHERS)
    made: dict[str, str] = {}
    for index in range(count):
        iri = original if index == 0 else f"https://datos.gob.es/catalogo/sintetico-{index:05d}"
        block = body.replace(original, iri)
        if index:
            block = block.replace("L01280796", codes[index % len(codes)])
            block = block.replace('dct:title "Estudio de Satisfacción',
                                  f'dct:title "Estudio sintético {index} de Satisfacción')
            block = block.replace("2024-04-15T09:08:10+02:00", (datetime(2024, 4, 16, tzinfo=UTC) + timedelta(
                minutes=index)).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
            block = block.replace('"https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas"',
                                  f'"https://datos.example.es/catalogo/sintetico-{index:05d}"')
        made[iri] = block
    return made


class DcatPortal(Fake):
    """A DCAT endpoint at /catalogo.ttl?page=N (Turtle), paged with Hydra (`vocabulary` "new":
    PartialCollectionView + hydra:next IRIs; "old": PagedCollection + hydra:nextPage literals, as
    ckanext-dcat writes them), `modified_since` honoured; DIR3 publishers served as Turtle at their own paths
    (tests route datos.gob.es to this server). Faults: `loop_at` (that page's next link points back to page 1),
    `ignore_page` (every page answers page 1's content)."""

    def __init__(self, datasets: dict[str, str], *, per_page: int = 10, vocabulary: str = "new") -> None:
        super().__init__()
        self.datasets = dict(datasets)
        self.per_page = per_page
        self.vocabulary = vocabulary
        self.loop_at: int | None = None
        self.ignore_page = False
        self.publishers = dict(PUBLISHERS)

    def remove(self, iri: str) -> None:
        with self.lock:
            del self.datasets[iri]

    def change(self, iri: str, old: str, new: str) -> None:
        with self.lock:
            self.datasets[iri] = self.datasets[iri].replace(old, new)

    def page_url(self, page: int, extra: dict[str, str] | None = None) -> str:
        return f"{self.url}/catalogo.ttl?{urlencode({'page': page, **(extra or {})})}"

    def route(self, request: Request) -> Answer:
        if request.path.startswith("/recurso/sector-publico/org/Organismo/"):
            code = request.path.rsplit("/", 1)[-1]
            if code not in self.publishers:
                return Answer(404, b"not found")
            turtle = (f"{PREFIXES}<{DIR3}{code}> a skos:Concept, foaf:Agent ;\n    skos:notation \"{code}\" ;\n"
                      f"    skos:prefLabel \"{self.publishers[code]}\"@es .\n")
            return Answer(200, turtle.encode("utf-8"), {"Content-Type": "text/turtle; charset=utf-8"})
        if request.path != "/catalogo.ttl":
            return Answer(404, b"not found")
        page = 1 if self.ignore_page else max(1, int(request.param("page", "1") or 1))
        since = request.param("modified_since")
        chosen = sorted(self.datasets)
        if since:
            limit = datetime.fromisoformat(since.replace("Z", "+00:00"))
            chosen = [i for i in chosen if self._modified(i) >= limit]
        last = max(1, -(-len(chosen) // self.per_page))
        members = chosen[(page - 1) * self.per_page: page * self.per_page]
        extra = {"modified_since": since} if since else {}
        following = None if page >= last else self.page_url(page + 1, extra)
        if self.loop_at is not None and page == self.loop_at:
            following = self.page_url(1, extra)
        view = self.page_url(page, extra)
        lines = [PREFIXES, f"<{self.url}/catalogo.ttl> a dcat:Catalog ;"]
        lines.append("    dcat:dataset " + (", ".join(f"<{m}>" for m in members) or f"<{self.url}/none>") + " .")
        if self.vocabulary == "new":
            lines.append(f"<{self.url}/catalogo.ttl> a hydra:Collection ; hydra:totalItems {len(chosen)} ; "
                         f"hydra:view <{view}> .")
            lines.append(f"<{view}> a hydra:PartialCollectionView ; hydra:first <{self.page_url(1, extra)}> ; "
                         f"hydra:last <{self.page_url(last, extra)}>" + (f" ; hydra:next <{following}>" if following
                                                                         else "") + " .")
        else:
            lines.append(f"<{view}> a hydra:PagedCollection ; hydra:totalItems {len(chosen)} ; "
                         f"hydra:itemsPerPage {self.per_page} ; hydra:firstPage \"{self.page_url(1, extra)}\" ; "
                         f"hydra:lastPage \"{self.page_url(last, extra)}\""
                         + (f" ; hydra:nextPage \"{following}\"" if following else "") + " .")
        lines.extend(self.datasets[m] for m in members)
        return Answer(200, "\n".join(lines).encode("utf-8"), {"Content-Type": "text/turtle; charset=utf-8"})

    def _modified(self, iri: str) -> datetime:
        match = re.search(r'dct:modified "([^"]+)"', self.datasets[iri])
        return datetime.fromisoformat(match.group(1)) if match else datetime(1970, 1, 1, tzinfo=UTC)
