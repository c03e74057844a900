"""/sparql on a real server, on pyoxigraph and on Virtuoso: every answer format, the form page, the row cap and its
signal, refusals before anything runs (a real loopback server proves SERVICE never calls out), the time limit."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from bench.corpus import generate
from bench.server import free_port, running_server
from tests.catalogue.conftest import JSON, Backend, Server, server_env
from tests.loopback import Answer, Loopback, Request
from tests.stores import BOTH

STORES = BOTH  # every test here runs on pyoxigraph and on Virtuoso
MAX_ROWS = 7
THEMES = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?theme (COUNT(DISTINCT ?dataset) AS ?datasets) WHERE { ?dataset a dcat:Dataset ; dcat:theme ?theme . }
GROUP BY ?theme ORDER BY DESC(?datasets) ?theme"""
DATASETS = "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?d WHERE { ?d a dcat:Dataset } ORDER BY ?d"
SRJ = "application/sparql-results+json"
GRAPH_SYNTAX = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
                "application/rdf+xml": "xml"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> Iterator[Server]:
    """A server with a low row cap and a short time limit, holding a published Colombian catalogue."""
    data_dir = tmp_path_factory.mktemp("sparql-data")
    port = free_port()
    env = server_env(data_dir, port, PUENTE_SPARQL_MAX_ROWS=str(MAX_ROWS), PUENTE_SPARQL_TIMEOUT_S="3",
                     **backend.env())
    with running_server(env, port=port, access_log=False) as (url, process):
        running = Server(url=url, process=process, data_dir=data_dir)
        published = running.post("co", generate(records=40, seed=5)[0].body, JSON)
        assert published.status_code == 200, published.text
        assert published.json()["created"] > 20
        yield running


def sparql(server: Server, query: str, *, accept: str = SRJ, method: str = "GET",
           **params: str) -> httpx.Response:
    if method == "GET":
        return server.get("/sparql", params={"query": query, **params}, headers={"Accept": accept})
    return httpx.post(f"{server.url}/sparql", data={"query": query}, params=params, headers={"Accept": accept},
                      timeout=60)


def count(server: Server) -> int:
    answer = sparql(server, "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
                            "SELECT (COUNT(?d) AS ?n) WHERE { ?d a dcat:Dataset }")
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_select_in_every_results_format_and_by_every_method(server: Server) -> None:
    total = count(server)
    stored = server.get("/catalogues/co?format=json").json()["totalItems"]
    assert total == stored > 20
    answer = sparql(server, THEMES)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(SRJ)
    document = answer.json()
    assert document["head"]["vars"] == ["theme", "datasets"]
    rows = document["results"]["bindings"]
    assert rows and all(row["theme"]["type"] == "uri" for row in rows) and len(rows) <= MAX_ROWS
    first = (rows[0]["theme"]["value"], rows[0]["datasets"]["value"])
    xml = sparql(server, THEMES, accept="application/sparql-results+xml")
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    names = {"s": "http://www.w3.org/2005/sparql-results#"}
    result = ET.fromstring(xml.content).find("s:results/s:result", names)
    assert result is not None
    assert [b.find("s:uri", names).text for b in result if b.get("name") == "theme"] == [first[0]]  # type: ignore[union-attr]
    table = list(csv.reader(io.StringIO(sparql(server, THEMES, accept="text/csv").text)))
    assert table[0] == ["theme", "datasets"] and tuple(table[1]) == first
    tsv = sparql(server, THEMES, accept="text/tab-separated-values").text.splitlines()
    assert tsv[0] == "?theme\t?datasets" and tsv[1].startswith(f"<{first[0]}>\t")
    assert sparql(server, THEMES, format="csv").text.splitlines()[0] == "theme,datasets"  # ?format= over Accept
    posted = sparql(server, THEMES, method="POST")
    body = httpx.post(f"{server.url}/sparql", content=THEMES.encode(), timeout=60,
                      headers={"Content-Type": "application/sparql-query", "Accept": SRJ})
    assert posted.json()["results"] == body.json()["results"] == document["results"]


def test_ask_and_construct_in_every_graph_syntax(server: Server) -> None:
    yes = sparql(server, "PREFIX dcat: <http://www.w3.org/ns/dcat#> ASK { ?d a dcat:Dataset }")
    no = sparql(server, "ASK { <urn:x:nothing> ?p ?o }", accept="application/sparql-results+xml")
    assert yes.json()["boolean"] is True and "<boolean>false</boolean>" in no.text
    some = sparql(server, DATASETS).json()["results"]["bindings"][0]["d"]["value"]
    construct = (f"CONSTRUCT {{ <{some}> ?p ?o }} WHERE {{ <{some}> ?p ?o FILTER(?p IN (<{RDF.type}>, "
                 "<http://purl.org/dc/terms/title>)) }")  # fewer triples than the row cap: the whole graph
    graphs = {}
    for media, syntax in GRAPH_SYNTAX.items():
        answer = sparql(server, construct, accept=media)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), answer.text
        assert answer.headers["puente-results-truncated"] in ("true", "false")
        graphs[media] = Graph().parse(data=answer.text, format=syntax)
    turtle = graphs["text/turtle"]
    assert (URIRef(some), RDF.type, DCAT.Dataset) in turtle
    assert all(len(graph) == len(turtle) for graph in graphs.values()) and len(turtle) < MAX_ROWS
    described = sparql(server, f"DESCRIBE <{some}>", accept="application/n-triples")
    assert described.status_code == 200 and f"<{some}>" in described.text


def test_answers_past_the_row_cap_say_they_were_cut(server: Server) -> None:
    total = count(server)
    cut = sparql(server, DATASETS)
    assert cut.headers["puente-results-truncated"] == "true"
    assert cut.json()["truncated"] is True and len(cut.json()["results"]["bindings"]) == MAX_ROWS < total
    whole = sparql(server, DATASETS + f" LIMIT {MAX_ROWS - 2}")
    assert whole.headers["puente-results-truncated"] == "false" and whole.json()["truncated"] is False
    graph = sparql(server, "CONSTRUCT { ?d a <urn:x:D> } WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }",
                   accept="application/n-triples")
    assert graph.headers["puente-results-truncated"] == "true" and len(graph.text.splitlines()) == MAX_ROWS


def test_the_form_page_in_spanish_and_english(server: Server) -> None:
    spanish = server.get("/sparql", headers={"Accept": "text/html", "Accept-Language": "es"})
    english = server.get("/sparql?lang=en", headers={"Accept": "text/html"})
    assert spanish.status_code == english.status_code == 200
    assert "Conjuntos de datos por país" in spanish.text and "Datasets per theme" in english.text
    assert "dcat:theme" in english.text and 'action="/sparql"' in english.text


@pytest.mark.parametrize("query", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "DEFINE get:soft \"replace\" SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; CLEAR ALL",
])
def test_updates_and_pragmas_are_refused_before_running(server: Server, query: str) -> None:
    before = count(server)
    for method in ("GET", "POST"):
        answer = sparql(server, query, method=method)
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert count(server) == before


def test_update_forms_of_the_protocol_are_refused(server: Server) -> None:
    before = count(server)
    update = "PREFIX dcat: <http://www.w3.org/ns/dcat#> DELETE WHERE { ?d a dcat:Dataset }"
    as_form = httpx.post(f"{server.url}/sparql", data={"update": update}, timeout=30)
    as_body = httpx.post(f"{server.url}/sparql", content=update.encode(), timeout=30,
                         headers={"Content-Type": "application/sparql-update"})
    other = httpx.post(f"{server.url}/sparql", content=b"{}", timeout=30, headers={"Content-Type": JSON})
    assert as_form.status_code == as_body.status_code == 400 and other.status_code == 415
    assert count(server) == before


def test_service_is_refused_and_no_request_leaves(server: Server) -> None:
    def answer(request: Request) -> Answer:
        return Answer(body=b'{"head":{"vars":["x"]},"results":{"bindings":[]}}',
                      headers={"Content-Type": SRJ})

    remote = Loopback(answer).start()
    try:
        target = f"http://127.0.0.1:{remote.port}/sparql"
        for query in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
                      f"select * where {{ ?a ?b ?c . service <{target}> {{ ?s ?p ?o }} }}",
                      f"PREFIX x: <http://127.0.0.1:{remote.port}/> "
                      "SELECT * WHERE { SeRvIcE x:sparql { ?s ?p ?o } }"):
            refused = sparql(server, query)
            assert refused.status_code == 400 and "SERVICE" in refused.json()["detail"], refused.text
        # Virtuoso runs bif: names as SQL built-ins: bif:http_get fetches a URL (checked by hand on 7.2: it does)
        for query in (f'SELECT (bif:http_get("{target}") AS ?x) WHERE {{}}',
                      f'SELECT (<bif:http_get>("{target}") AS ?x) WHERE {{}}',
                      f'PREFIX b: <bif:> SELECT (b:http_get("{target}") AS ?x) WHERE {{}}',
                      f'SELECT (<\\u0062if:http_get>("{target}") AS ?x) WHERE {{}}',
                      f'PREFIX x: <http://x/#> SELECT (sql:http_get("{target}") AS ?x) WHERE {{}}',
                      f'SELECT (<urn:x:fetch>("{target}") AS ?x) WHERE {{}}'):
            refused = sparql(server, query, method="POST")
            assert refused.status_code == 400, (query, refused.text)
        assert remote.paths() == []  # not one request reached the loopback server
    finally:
        remote.stop()


def test_bad_syntax_names_line_and_column(server: Server) -> None:
    answer = sparql(server, "SELECT ?d WHERE {\n  ?d ?p ?o .\n  FILTER(?d = ) }")
    assert answer.status_code == 400
    problem = answer.json()
    assert (problem["line"], problem["column"]) == (3, 3) and "line:3" in problem["detail"]
    too_long = sparql(server, "SELECT * WHERE { ?s ?p \"" + "x" * 30_000 + "\" }", method="POST")
    assert too_long.status_code == 400 and "20000" in too_long.json()["detail"].replace(",", "")
    empty = sparql(server, "   ")
    assert empty.status_code == 400


@pytest.mark.parametrize("query", [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }",
    "SELECT ?a ?z WHERE { ?a (<http://www.w3.org/ns/dcat#distribution>|^<http://www.w3.org/ns/dcat#distribution>|"
    "<http://purl.org/dc/terms/publisher>|^<http://purl.org/dc/terms/publisher>|!<urn:x:none>|^!<urn:x:none>)*"
    "/(!<urn:x:none>|^!<urn:x:none>)*/(!<urn:x:none>|^!<urn:x:none>)* ?z } ORDER BY ?a ?z",
])
def test_expensive_queries_stop_at_the_time_limit_and_the_server_stays_healthy(server: Server, query: str) -> None:
    answer = sparql(server, query)
    assert answer.status_code in (503, 200), answer.text
    if answer.status_code == 503:
        assert answer.json()["status"] == 503
    else:  # finished within the limit: then it was cut at the row cap
        assert answer.headers["puente-results-truncated"] == "true"
    assert server.get("/health").status_code == 200
    assert count(server) > 20  # and the next query is answered


def test_a_cartesian_product_is_a_503_naming_the_limit(server: Server) -> None:
    answer = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
    assert answer.status_code == 503, answer.text
    assert answer.json()["type"].endswith("query-timeout")
    assert count(server) > 20

