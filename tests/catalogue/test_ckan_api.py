"""The read-only CKAN Action API on a real server, read by real CKAN clients: ckanapi (from PyPI) lists, searches
and shows the datasets; Puente's own `ckan` harvest source reads them back into the same datasets; hostile
parameters get CKAN's error envelope, never a 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import ckanapi
import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from app.catalogue.ckan_index import package_name, records_named
from app.harvest.harvester import harvest
from app.harvest.model import RunStatus
from app.harvest.sink import MemorySink
from app.harvest.source import HarvestSource
from app.harvest.state import MemoryStateStore
from app.net.client import HttpPolicy, SafeClient
from app.pipeline.run import Pipeline
from app.settings import Settings
from bench.corpus import generate
from tests.catalogue.conftest import JSON, TURTLE, Server, case

# The sample records tests/catalogue publishes (tests/test_oracle.py's complete cases), a few per country, and a
# small generated Colombian catalogue so that paging has pages to walk.
SAMPLES = [("co", "co/etwv-wj8f-pueblos-indigenas/input.json", JSON, ""),
           ("cl", "cl/package-show/input.json", JSON, ""),
           ("cl", "cl/package-search/input.json", JSON, ""),
           ("cl", "dcat/complete-dataset/input.ttl", TURTLE, "?source=dcat"),
           ("mx", "mx/adela-catalogo/input.json", JSON, ""),
           ("es", "es/complete-record/input.ttl", TURTLE, ""),
           ("es", "es/datos-gob-es-export/input.ttl", TURTLE, "")]
COUNTRIES = ("co", "cl", "mx", "es")


@pytest.fixture(scope="module")
def published(server: Server) -> dict[str, list[str]]:
    """Record ids stored per catalogue."""
    ids: dict[str, list[str]] = {}
    documents = [(c, case(p), m, q) for c, p, m, q in SAMPLES]
    documents.append(("co", generate(records=30, seed=5)[0].body, JSON, ""))
    for catalogue, body, media, query in documents:
        answer = server.post(catalogue, body, media, query=query)
        assert answer.status_code == 200, answer.text
        ids.setdefault(catalogue, []).extend(r["id"] for r in answer.json()["records"] if r["status"] == "created")
    assert all(ids.get(c) for c in COUNTRIES)
    return ids


@pytest.fixture(scope="module")
def expected_names(published: dict[str, list[str]]) -> list[str]:
    return sorted(package_name(catalogue, record_id) for catalogue, ids in published.items() for record_id in ids)


def remote(server: Server, catalogue: str | None = None, **options: Any) -> ckanapi.RemoteCKAN:
    address = f"{server.url}/catalogues/{catalogue}/ckan" if catalogue else f"{server.url}/ckan"
    return ckanapi.RemoteCKAN(address, user_agent="puente-tests", **options)


def stored(server: Server, catalogue: str, record_id: str) -> Graph:
    answer = server.get(f"/catalogues/{catalogue}/datasets/{record_id}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200, answer.text
    return Graph().parse(data=answer.text, format="turtle")


# ---------------------------------------------------------------------------------------------- ckanapi


@pytest.mark.parametrize("get_only", [False, True], ids=["post", "get"])
def test_ckanapi_lists_and_shows_every_dataset(server: Server, expected_names: list[str], get_only: bool) -> None:
    with remote(server, get_only=get_only) as portal:
        status = portal.action.status_show()
        assert status["ckan_version"].startswith("2.") and set(COUNTRIES) <= set(status["catalogues"])
        names = portal.action.package_list()
        assert names == expected_names  # name order, every catalogue
        assert portal.action.package_list(limit=5, offset=3) == expected_names[3:8]
        for name in [n for n in names if not n.startswith("co-c0")]:  # the sample records of every country
            package = portal.action.package_show(id=name)
            catalogue, record_id = records_named(name, COUNTRIES)[0]
            graph = stored(server, catalogue, record_id)
            dataset = URIRef(f"{server.url}/catalogues/{catalogue}/datasets/{record_id}")
            assert package["name"] == package["id"] == name and package["uri"] == str(dataset)
            assert package["catalogue"] == catalogue and package["state"] == "active"
            assert package["title"] in {str(t) for t in graph.objects(dataset, DCTERMS.title)}
            assert package["identifier"] == str(graph.value(dataset, DCTERMS.identifier))
            assert package["num_resources"] == len(package["resources"]) == \
                len(set(graph.objects(dataset, DCAT.distribution)))
            keywords = {str(k) for k in graph.objects(dataset, DCAT.keyword)}
            assert {t["name"] for t in package.get("tags", [])} == keywords
            assert package["metadata_modified"] >= package["metadata_created"] > "2026-"
        with pytest.raises(ckanapi.NotFound):
            portal.action.package_show(id="co-no-such-dataset")


def test_ckanapi_pages_and_sorts_a_search(server: Server, expected_names: list[str]) -> None:
    with remote(server) as portal:
        walked: list[str] = []
        start = 0
        while True:
            page = portal.action.package_search(q="*:*", rows=7, start=start, sort="name asc")
            assert page["count"] == len(expected_names)
            walked += [p["name"] for p in page["results"]]
            if len(page["results"]) < 7:
                break
            start += 7
        assert walked == expected_names
        rows = portal.action.package_search(rows=1000, sort="metadata_modified asc", fl="name,metadata_modified")
        stamps = [p["metadata_modified"] for p in rows["results"]]
        assert stamps == sorted(stamps) and len(stamps) == len(expected_names)
        newest = portal.action.package_search(rows=1000, sort="metadata_modified desc", fl="metadata_modified")
        assert [p["metadata_modified"] for p in newest["results"]] == sorted(stamps, reverse=True)
        by_title = portal.action.package_search(rows=1000, sort="title desc", fl="title")["results"]
        assert [p["title"].lower() for p in by_title] == sorted((p["title"].lower() for p in by_title), reverse=True)


def test_ckanapi_filters_on_metadata_modified(server: Server, expected_names: list[str]) -> None:
    with remote(server) as portal:
        everything = portal.action.package_search(rows=1000, sort="metadata_modified asc,name asc",
                                                  fl="name,metadata_modified")["results"]
        middle = everything[len(everything) // 2]["metadata_modified"]
        later = [p["name"] for p in everything if p["metadata_modified"] >= middle]
        found = portal.action.package_search(fq=f"metadata_modified:[{middle}Z TO *]", rows=1000,
                                             sort="metadata_modified asc,name asc", fl="name")
        assert found["count"] == len(later) and [p["name"] for p in found["results"]] == later
        after = portal.action.package_search(fq=f"metadata_modified:{{{middle}Z TO *]", rows=1000, fl="name")
        assert after["count"] == len([p for p in everything if p["metadata_modified"] > middle])
        before = portal.action.package_search(fq=f"metadata_modified:[* TO {middle}Z}}", rows=1000, fl="name")
        assert before["count"] + found["count"] == len(expected_names)
        assert portal.action.package_search(fq="metadata_modified:[2999-01-01T00:00:00Z TO *]")["count"] == 0
        assert portal.action.package_search(fq="metadata_modified:[NOW-1DAY TO *]")["count"] == len(expected_names)


def test_organizations_catalogues_tags_and_words(server: Server, published: dict[str, list[str]]) -> None:
    with remote(server) as portal:
        organizations = portal.action.organization_list(all_fields=True)
        assert {o["catalogue"] for o in organizations} >= set(COUNTRIES)
        assert portal.action.organization_list() == sorted(o["name"] for o in organizations)
        chosen = max(organizations, key=lambda o: o["package_count"])
        found = portal.action.package_search(fq=f"organization:{chosen['name']}", rows=1000)
        assert found["count"] == chosen["package_count"] >= 2
        assert {p["organization"]["name"] for p in found["results"]} == {chosen["name"]}
        shown = portal.action.organization_show(id=chosen["name"], include_datasets=True)
        assert shown["title"] == chosen["title"] and len(shown["packages"]) == min(10, chosen["package_count"])
        with pytest.raises(ckanapi.NotFound):
            portal.action.organization_show(id="co-nobody")
        for catalogue in COUNTRIES:
            narrowed = portal.action.package_search(fq=f"catalogue:{catalogue}", rows=1000, fl="name")
            assert narrowed["count"] == len(published[catalogue])
            with remote(server, catalogue) as one:
                assert one.action.package_list() == sorted(p["name"] for p in narrowed["results"])
                assert one.action.status_show()["catalogues"] == [catalogue]
        sample = portal.action.package_show(id="co-etwv-wj8f")
        tag = sample["tags"][0]["name"]
        tagged = portal.action.package_search(fq=f'tags:"{tag}"', rows=1000)
        assert "co-etwv-wj8f" in {p["name"] for p in tagged["results"]}
        assert all(any(tag.lower() in t["name"].lower() for t in p["tags"]) for p in tagged["results"])
        words = portal.action.package_search(q="Pueblos indígenas", rows=1000, fl="name")
        assert "co-etwv-wj8f" in {p["name"] for p in words["results"]}
        assert portal.action.package_search(q="name:co-etwv-wj8f")["count"] == 1
        assert portal.action.package_search(q="zzyzx-nothing-matches")["count"] == 0


def test_formats_and_themes(server: Server, published: dict[str, list[str]]) -> None:
    with remote(server) as portal:
        sample = portal.action.package_show(id="cl-aa11")
        fmt = sample["resources"][0]["format"]
        theme = next(t for t in sample["theme"] if "/data-theme/" in t)
        with_format = portal.action.package_search(fq=f"res_format:{fmt.lower()}", rows=1000)
        assert "cl-aa11" in {p["name"] for p in with_format["results"]}
        assert all(any(r.get("format") == fmt for r in p["resources"]) for p in with_format["results"])
        for value in (theme, theme.rsplit("/", 1)[-1]):  # a theme IRI or its EU code
            themed = portal.action.package_search(fq=f'theme:"{value}"', rows=1000)
            assert "cl-aa11" in {p["name"] for p in themed["results"]}
            assert all(theme in p["theme"] for p in themed["results"])


def test_the_ckanapi_command_line_dumps_and_searches(server: Server, published: dict[str, list[str]],
                                                     tmp_path: Path) -> None:
    """`ckanapi dump` (package_list, then package_show in worker processes) and `ckanapi search` (package_search
    paged), as an operator would run them."""
    tool = Path(sys.executable).parent / "ckanapi"
    environment = {**os.environ, "PATH": f"{tool.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = tmp_path / "cl.jsonl"
    subprocess.run([str(tool), "dump", "datasets", "--all", "-q", "-r", f"{server.url}/catalogues/cl/ckan",
                    "-O", str(out)], check=True, env=environment, timeout=300, capture_output=True)
    dumped = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(p["name"] for p in dumped) == sorted(package_name("cl", i) for i in published["cl"])
    found = subprocess.run([str(tool), "search", "datasets", "fq=catalogue:mx", "-r", f"{server.url}/ckan"],
                           check=True, env=environment, timeout=300, capture_output=True, text=True).stdout
    assert sorted(json.loads(line)["name"] for line in found.splitlines()) == \
        sorted(package_name("mx", i) for i in published["mx"])


# ---------------------------------------------------------------------------------------------- harvest round trip


def _texts(graph: Graph, node: URIRef, predicate: URIRef) -> set[str]:
    return {str(o) for o in graph.objects(node, predicate)}


def _distributions(graph: Graph, node: URIRef) -> set[tuple[str, ...]]:
    return {tuple(sorted(str(o) for p in (DCAT.accessURL, DCAT.downloadURL, DCTERMS.license, DCTERMS["format"])
                         for o in graph.objects(d, p)))
            for d in graph.objects(node, DCAT.distribution)}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load(Settings())


@pytest.mark.parametrize("catalogue", COUNTRIES)
def test_puentes_ckan_source_reads_the_same_datasets_back(server: Server, published: dict[str, list[str]],
                                                          pipeline: Pipeline, catalogue: str) -> None:
    """Harvest /catalogues/{cc}/ckan with Puente's `ckan` reader (keyset paging on metadata_modified, then the
    package_list sweep), every package validated by the pipeline; then map each package again with the `ckan`
    crosswalk and compare it, on the dataset's own IRI, with the stored record: identifier, titles, description,
    keywords, landing page, frequency, languages, EU themes, and each distribution's access and download URLs,
    licence and format."""
    policy = HttpPolicy(allow_private=True, per_host_rate=0, backoff_s=0, retries=1, read_timeout_s=60,
                        total_timeout_s=120)
    source = HarvestSource(type="ckan", url=f"{server.url}/catalogues/{catalogue}/ckan", rows=3, sweep_every=1)
    sink = MemorySink(pipeline)
    with SafeClient(policy, sleep=lambda seconds: None) as client:
        run = harvest(source, sink=sink, client=client, store=MemoryStateStore(), full=True)
    assert run.status is RunStatus.DONE, run.to_json(lang="en")
    assert run.counts.refused == 0 and run.counts.errors == 0, run.to_json(lang="en")
    assert sorted(sink.records) == sorted(package_name(catalogue, i) for i in published[catalogue])
    for name, item in sink.records.items():
        record_id = records_named(name, [catalogue])[0][1]
        dataset = URIRef(f"{server.url}/catalogues/{catalogue}/datasets/{record_id}")
        mapped, _, _ = pipeline.read(item.body, media_type="application/json", source="ckan")
        again = Graph()
        for triple in mapped.triples:
            again.add(triple)
        original = stored(server, catalogue, record_id)
        assert (dataset, None, None) in again, name  # the dataset keeps its IRI (the package's `uri`)
        for predicate in (DCTERMS.identifier, DCAT.landingPage, DCTERMS.accrualPeriodicity, DCTERMS.language,
                          DCAT.keyword):
            assert _texts(again, dataset, predicate) == _texts(original, dataset, predicate), (name, predicate)
        for predicate in (DCTERMS.title, DCTERMS.description):  # the package carries one language of each
            assert _texts(again, dataset, predicate) <= _texts(original, dataset, predicate), (name, predicate)
            assert len(_texts(again, dataset, predicate)) == min(1, len(_texts(original, dataset, predicate)))
        eu = "http://publications.europa.eu/resource/authority/data-theme/"
        assert {t for t in _texts(again, dataset, DCAT.theme) if t.startswith(eu)} == \
            {t for t in _texts(original, dataset, DCAT.theme) if t.startswith(eu)}, name
        assert _distributions(again, dataset) == _distributions(original, dataset), name


# ---------------------------------------------------------------------------------------------- hostile


HOSTILE: list[tuple[str, str, dict[str, Any] | None, int, str]] = [
    # (method, action, parameters, status, CKAN __type)
    ("GET", "package_search", {"rows": "-1"}, 409, "Validation Error"),
    ("GET", "package_search", {"rows": "ten"}, 409, "Validation Error"),
    ("GET", "package_search", {"start": str(10**15)}, 409, "Validation Error"),
    ("GET", "package_search", {"rows": "9" * 400}, 409, "Validation Error"),
    ("GET", "package_search", {"fq": "metadata_modified:[2026-01-01 TO"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "metadata_modified:[yesterday TO *]"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "metadata_modified:[NOW-999999DAYS TO *]"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "metadata_modified:[9999-12-31T23:59:59-23:59 TO *]"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "metadata_modified:[0001-01-01T00:00:00+14:00 TO *]"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "metadata_modified:2026-01-01"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "-name:co-etwv-wj8f"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "name:a OR name:b"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "title:x"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": "{!join from=id to=id}name:x"}, 409, "Search Query Error"),
    ("GET", "package_search", {"fq": " ".join(["tags:a"] * 50)}, 409, "Search Query Error"),
    ("GET", "package_search", {"sort": "name; DROP TABLE records"}, 409, "Search Query Error"),
    ("GET", "package_search", {"sort": "id asc"}, 409, "Search Query Error"),
    ("GET", "package_search", {"q": "x" * 5000}, 409, "Validation Error"),
    ("GET", "package_search", {"fl": "name,(select 1)"}, 409, "Validation Error"),
    ("GET", "package_search", {"qt": "/update"}, 409, "Validation Error"),
    ("POST", "package_search", {"rows": [1, 2]}, 409, "Validation Error"),
    ("POST", "package_search", {"q": {"$ne": 1}}, 409, "Validation Error"),
    ("GET", "package_show", {}, 409, "Validation Error"),
    ("GET", "package_show", {"id": "../../etc/passwd"}, 404, "Not Found Error"),
    ("GET", "package_show", {"id": "co-x' OR '1'='1"}, 404, "Not Found Error"),
    ("GET", "organization_show", {"id": "co-" + "a" * 5000}, 409, "Validation Error"),
    ("GET", "organization_list", {"sort": "name; --"}, 409, "Validation Error"),
    ("GET", "organization_list", {"all_fields": "maybe"}, 409, "Validation Error"),
    ("POST", "package_create", {"name": "new"}, 400, "Bad Request"),
    ("POST", "package_delete", {"id": "co-etwv-wj8f"}, 400, "Bad Request"),
    ("GET", "__import__", {}, 400, "Bad Request"),
]


@pytest.mark.parametrize("method,action,params,status,kind", HOSTILE,
                         ids=[f"{a}-{i}" for i, (_, a, _, _, _) in enumerate(HOSTILE)])
def test_hostile_parameters_get_ckans_error_envelope(server: Server, published: dict[str, list[str]], method: str,
                                                     action: str, params: dict[str, Any] | None, status: int,
                                                     kind: str) -> None:
    url = f"{server.url}/ckan/api/3/action/{action}"
    answer = httpx.post(url, json=params, timeout=30) if method == "POST" else httpx.get(url, params=params,
                                                                                        timeout=30)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["success"] is False and body["error"]["__type"] == kind and body["error"]["message"]
    assert body["help"].startswith(server.url)


def test_huge_rows_are_capped_and_injection_looking_words_are_only_words(server: Server,
                                                                         expected_names: list[str]) -> None:
    base = f"{server.url}/ckan/api/3/action"
    capped = httpx.get(f"{base}/package_search", params={"rows": str(10**12), "fl": "name"}, timeout=30).json()
    assert capped["success"] and capped["result"]["count"] == len(expected_names)
    assert len(capped["result"]["results"]) == min(1000, len(expected_names))
    for words in ("'; DROP TABLE records; --", '" OR 1=1 --', "title:* NEAR(a b) OR", "*) UNION SELECT id --",
                  "pueblos\x00indígenas", "\\", "{!lucene}*:*"):
        answer = httpx.get(f"{base}/package_search", params={"q": words}, timeout=30)
        assert answer.status_code == 200, (words, answer.text)
        assert answer.json()["result"]["count"] < len(expected_names), words  # searched for, never "everything"
    assert httpx.get(f"{base}/package_list", timeout=30).json()["result"] == expected_names  # nothing dropped


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00"])
def test_times_past_the_years_utc_holds_are_a_400_on_catalogue_pages_too(server: Server, moment: str) -> None:
    for path, name in (("/catalogues/co?format=json", "modified_since"), ("/catalogues/co/changes", "since")):
        answer = httpx.get(f"{server.url}{path}", params={name: moment}, timeout=30)
        assert answer.status_code == 400 and answer.json()["field"] == name, answer.text


def test_unreadable_bodies_and_unknown_places(server: Server, published: dict[str, list[str]]) -> None:
    base = f"{server.url}/ckan/api/3/action"
    cases = [(httpx.post(f"{base}/package_search", content=b"{not json", timeout=30), 400, "Bad Request"),
             (httpx.post(f"{base}/package_search", content=b"[1, 2]", timeout=30,
                         headers={"Content-Type": "application/json"}), 400, "Bad Request"),
             (httpx.post(f"{base}/package_search", content=json.dumps({"q": "a" * 70000}).encode(), timeout=30,
                         headers={"Content-Type": "application/json"}), 400, "Bad Request"),
             (httpx.get(f"{base}/package_search?rows=1&rows=2", timeout=30), 409, "Validation Error"),
             (httpx.get(f"{server.url}/catalogues/zz/ckan/api/3/action/package_list", timeout=30), 404,
              "Not Found Error"),
             (httpx.get(f"{server.url}/catalogues/NOT..OK/ckan/api/3/action/package_list", timeout=30), 404,
              "Not Found Error")]
    for answer, status, kind in cases:
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["__type"] == kind
    form = httpx.post(f"{server.url}/ckan/api/action/package_search", data={"q": "*:*", "rows": "1"}, timeout=30)
    assert form.status_code == 200 and len(form.json()["result"]["results"]) == 1
    english = httpx.get(f"{base}/package_show", params={"id": "co-missing", "lang": "en"}, timeout=30).json()
    assert english["error"]["message"] == 'Not found: there is no dataset "co-missing".'


# ---------------------------------------------------------------------------------------------- incremental harvest
# Last in this file: it writes to the settings-defined catalogue `pe-test` (a CKAN source), which the tests above
# do not count.


def test_an_incremental_harvest_sees_updates_and_deletions(server: Server, pipeline: Pipeline) -> None:
    """Puente's `ckan` reader run twice against /catalogues/pe-test/ckan with its state kept: the second run asks
    only for what changed since (fq on metadata_modified), and its sweep of package_list catches the deletion.
    Ids with capitals, `.`, `_` and `~` travel as escaped names."""
    package = json.loads(case("ckan/latam-extras/input.json"))["result"]
    ids = ["Qualidade.Agua_RIOS~1", "rios-2", "rios-3"]
    for number, record_id in enumerate(ids):
        body = json.dumps(dict(package, id=record_id, name=f"rios-{number}", title=f"Rios {number}")).encode()
        assert server.put("pe-test", record_id, body, JSON).status_code == 201
    policy = HttpPolicy(allow_private=True, per_host_rate=0, backoff_s=0, retries=1, read_timeout_s=60,
                        total_timeout_s=120)
    source = HarvestSource(type="ckan", url=f"{server.url}/catalogues/pe-test/ckan", rows=2, sweep_every=1)
    sink, state = MemorySink(pipeline), MemoryStateStore()
    with SafeClient(policy, sleep=lambda seconds: None) as client:
        first = harvest(source, sink=sink, client=client, store=state)
        assert first.status is RunStatus.DONE and first.counts.created == 3, first.to_json(lang="en")
        names = {record_id: package_name("pe-test", record_id) for record_id in ids}
        assert sorted(sink.records) == sorted(names.values())
        assert names["Qualidade.Agua_RIOS~1"] == "pe-test-_51ualidade_2e_41gua_5f_52_49_4f_53_7e1"
        changed = json.dumps(dict(package, id="rios-2", name="rios-1", title="Rios 1, revisado")).encode()
        assert server.put("pe-test", "rios-2", changed, JSON).status_code == 200
        assert httpx.delete(f"{server.url}/catalogues/pe-test/datasets/rios-3", headers=server.auth("pe-test"),
                            timeout=30).status_code == 204
        second = harvest(source, sink=sink, client=client, store=state)
    assert second.status is RunStatus.DONE, second.to_json(lang="en")
    assert first.notes == second.notes == []  # fq and sort were applied: no fall-back to plain offsets
    assert (second.counts.created, second.counts.updated, second.counts.deleted) == (0, 1, 1), \
        second.to_json(lang="en")
    assert sorted(sink.records) == sorted([names["Qualidade.Agua_RIOS~1"], names["rios-2"]])
    assert json.loads(sink.records[names["rios-2"]].body)["title"] == "Rios 1, revisado"
