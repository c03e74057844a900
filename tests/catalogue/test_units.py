"""The catalogue's building blocks: identifiers, canonical checksums, the knowledge split, definitions, the store
interface, and an index rebuilt from the store."""

from __future__ import annotations

import json
import random
import shutil
import zlib
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic

from app.catalogue import blobs, canonical, ntriples
from app.catalogue.definitions import catalogues, load_specs
from app.catalogue.graphstore import open_store
from app.catalogue.identifiers import check_id, safe_id
from app.catalogue.knowledge import Knowledge
from app.catalogue.prepare import RECORD_CLASSES, Job, prepare_task
from app.catalogue.service import CatalogueService
from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.errors import ConfigurationError, InputError, StoreError
from app.pipeline.enrichment import for_publication
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.runtime.batch import share_out
from app.settings import REPO_ROOT, CatalogueSpec, Settings
from bench.corpus import generate
from tests.conftest import CASES
from tests.stores import BOTH

STORES = BOTH  # the store tests run on pyoxigraph and on Virtuoso

# ---------------------------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize("value", ["etwv-wj8f", "5c3a1f2e-9b7d-4a61-8f0e-2d6b3c4e5f60", "a.b_c~d", "x" * 200])
def test_safe_ids_are_kept(value: str) -> None:
    assert safe_id(value) == value and check_id(value) == value


@pytest.mark.parametrize("value", ["https://datos.madrid.es/egob/catalogo/300676-0-deporte", "Población 2020",
                                   "a/b", "x" * 201, "..", "ñandú", "id with spaces", "dataset#1"])
def test_other_ids_become_a_slug_and_a_hash(value: str) -> None:
    made = safe_id(value)
    assert check_id(made) == made and made != value and len(made) <= 200
    assert safe_id(value) == made  # the same original, the same id
    assert safe_id(value + "!") != made  # another original, another id


def test_url_identifiers_keep_their_readable_end() -> None:
    assert safe_id("https://datos.madrid.es/egob/catalogo/300676-0-deporte").startswith("300676-0-deporte-")


@pytest.mark.parametrize("value", ["..", ".", "../etc/passwd", "a/b", "a\x00b", "a\nb", "x" * 201, "", "a b",
                                   "<x>", "a%2Fb", "é"])
def test_hostile_ids_are_refused(value: str) -> None:
    with pytest.raises(InputError):
        check_id(value)


# ---------------------------------------------------------------------------------------------- canonical


def _triples(graph: Graph) -> list[tuple[str, str, str]]:
    def term(node: object) -> str:
        return f"_:{node}" if isinstance(node, BNode) else ntriples.term(node)  # type: ignore[arg-type]

    return [(term(s), term(p), term(o)) for s, p, o in graph]


def test_checksum_ignores_blank_node_labels_and_order() -> None:
    graph = Graph().parse(CASES / "dcat" / "complete-dataset" / "input.ttl", format="turtle")
    first = _triples(graph)
    relabelled = Graph().parse(data=graph.serialize(format="nt"), format="nt")  # fresh blank node labels
    second = _triples(relabelled)
    random.Random(4).shuffle(second)
    assert {t for t in first if t[0].startswith("_")} != {t for t in second if t[0].startswith("_")}
    lines = canonical.canonical_lines(first, salt="g")
    assert canonical.checksum(lines) == canonical.checksum(canonical.canonical_lines(second, salt="g"))
    assert all(not line.startswith("_:N") for line in lines)


def test_checksum_sees_every_change() -> None:
    graph = Graph().parse(CASES / "dcat" / "complete-dataset" / "input.ttl", format="turtle")
    base = canonical.checksum(canonical.canonical_lines(_triples(graph), salt="g"))
    for triple in list(graph):
        smaller = [t for t in _triples(graph) if t != _triples_of(triple)]
        assert canonical.checksum(canonical.canonical_lines(smaller, salt="g")) != base, triple


def _triples_of(triple: tuple[object, object, object]) -> tuple[str, str, str]:
    graph = Graph()
    graph.add(triple)  # type: ignore[arg-type]
    return _triples(graph)[0]


def test_twin_blank_nodes_stay_two() -> None:
    twins = [("<x:d>", "<x:p>", "_:a"), ("<x:d>", "<x:p>", "_:b"), ("_:a", "<x:n>", '"same"'),
             ("_:b", "<x:n>", '"same"')]
    lines = canonical.canonical_lines(twins, salt="g")
    assert len(lines) == 4
    one = canonical.canonical_lines(twins[::2], salt="g")
    assert canonical.checksum(lines) != canonical.checksum(one)


def test_salt_keeps_records_blank_nodes_apart() -> None:
    triples = [("<x:d>", "<x:p>", "_:a"), ("_:a", "<x:n>", '"v"')]
    assert canonical.canonical_lines(triples, salt="g1") != canonical.canonical_lines(triples, salt="g2")


COMPLETE_FOR_TURTLE = [CASES / "dcat" / "complete-dataset" / "input.ttl",
                       CASES / "es" / "complete-record" / "expected.ttl",
                       CASES / "cl" / "package-show" / "expected.ttl"]


def test_blobs_round_trip_and_read_what_zlib_wrote() -> None:
    data = "<x:d> <x:p> \"ñandú\"@es .\n".encode() * 50
    packed = blobs.pack(data)
    assert blobs.unpack(packed) == data and len(packed) < len(data)
    assert blobs.unpack(zlib.compress(data, 1)) == data  # an index written by an earlier version
    assert blobs.unpack(blobs.pack(b"")) == b""


# ---------------------------------------------------------------------------------------------- Turtle chunks


@pytest.mark.parametrize("path", COMPLETE_FOR_TURTLE, ids=lambda p: p.parent.name)
def test_turtle_chunks_hold_the_same_triples(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    lines = canonical.canonical_lines(_triples(graph), salt="g")
    written = ntriples.TURTLE_HEADER + ntriples.turtle_chunk(lines)
    assert isomorphic(Graph().parse(data=written.decode(), format="turtle"),
                      Graph().parse(data="\n".join(lines), format="nt"))
    assert b"\n    a dcat:Dataset" in written and b"dct:title" in written  # shortened with the house prefixes


def test_turtle_chunks_keep_what_a_prefixed_name_cannot_say() -> None:
    lines = ['<http://www.w3.org/ns/dcat#x.y> <http://purl.org/dc/terms/title> "a \\"q\\" b\\nc"@es .',
             '<http://www.w3.org/ns/dcat#x.y> <http://purl.org/dc/terms/issued> '
             '"2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .',
             '<http://www.w3.org/ns/dcat#x.y> <http://purl.org/dc/terms/extent> "5"^^<http://e.org/t#a.b> .',
             '_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/dc/terms/> .',
             '_:b1 <http://purl.org/dc/terms/title> "x" .',
             '_:b1 <http://purl.org/dc/terms/1x> "y" .']
    written = ntriples.turtle_chunk(lines).decode()
    assert "<http://www.w3.org/ns/dcat#x.y>" in written  # a dot in the local name: left whole
    assert '"2020-01-01"^^xsd:date' in written and "^^<http://e.org/t#a.b>" in written
    assert "a <http://purl.org/dc/terms/>" in written  # the bare namespace has no local name
    assert "<http://purl.org/dc/terms/1x>" in written  # a leading digit: Turtle 1.1 allows it, older parsers not
    parsed = Graph().parse(data=(ntriples.TURTLE_HEADER.decode() + written), format="turtle")
    assert isomorphic(parsed, Graph().parse(data="\n".join(lines), format="nt"))


# ---------------------------------------------------------------------------------------------- knowledge


COMPLETE = [CASES / "dcat" / "complete-dataset" / "input.ttl", CASES / "es" / "complete-record" / "expected.ttl",
            CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "expected.ttl",
            CASES / "cl" / "package-show" / "expected.ttl"]


@pytest.mark.parametrize("path", COMPLETE, ids=lambda p: p.parent.name)
def test_own_triples_and_knowledge_lines_are_what_for_publication_gives(profile: Profile, path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    knowledge = Knowledge(profile)
    own, keys = knowledge.split(_triples(graph))
    lines = [f"{s} {p} {o} ." for s, p, o in own] + knowledge.lines(keys)
    rebuilt = Graph().parse(data="\n".join(lines), format="nt")
    assert isomorphic(rebuilt, for_publication(graph, profile=profile))
    assert len(own) < len(lines)  # the vocabulary knowledge is not part of the stored record


# ---------------------------------------------------------------------------------------------- definitions


def test_the_four_catalogues_are_defined() -> None:
    specs = {spec.id: spec for spec in load_specs()}
    assert set(specs) == {"co", "cl", "mx", "es"}
    assert {s.country for s in specs.values()} == {"COL", "CHL", "MEX", "ESP"}
    assert all(spec.title.get("es") and spec.title.get("en") for spec in specs.values())


def test_their_codes_and_sources_exist(profile: Profile) -> None:
    sources = set(load_rdf_sources(REPO_ROOT / "mappings")) | set(load_crosswalks(REPO_ROOT / "mappings")) | {"dcat"}
    found = catalogues(Settings(), sources=sources)
    for catalogue in found.values():
        assert URIRef(catalogue.country_iri) in profile.background.by_iri
        assert URIRef(catalogue.language_iri) in profile.background.by_iri
        assert URIRef(catalogue.spec.licence) in profile.background.by_iri


def test_settings_add_and_replace_catalogues() -> None:
    extra = CatalogueSpec(id="pe", title={"es": "Perú"}, publisher="PCM", country="PER", source="ckan")
    changed = CatalogueSpec(id="co", title={"es": "Colombia (otro)"}, publisher="X", country="COL", source="co")
    found = catalogues(Settings(catalogues=[extra, changed], base_url="https://puente.example/"))
    assert found["pe"].iri == "https://puente.example/catalogues/pe" and found["co"].title("es") == "Colombia (otro)"
    with pytest.raises(ConfigurationError):
        catalogues(Settings(catalogues=[extra.model_copy(update={"source": "nope"})]), sources={"ckan"})
    with pytest.raises(ValueError):
        CatalogueSpec(id="Bad Id", title={"es": "x"}, publisher="x", country="PER")


# ---------------------------------------------------------------------------------------------- store, index


def test_store_replaces_graphs_atomically_and_reads_them_back(tmp_path: Path, store_settings: dict[str, str]) -> None:
    store = open_store(Settings(data_dir=tmp_path, **store_settings), tmp_path / "store")
    store.replace({"http://x/g1": ['<http://x/a> <http://x/p> "1" .', "<http://x/a> <http://x/q> _:b1 ."],
                   "http://x/g2": ['<http://x/b> <http://x/p> "2" .']}, fresh=True)
    store.replace({"http://x/g1": ['<http://x/a> <http://x/p> "one" .']})
    assert store.triples("http://x/g1") == [("<http://x/a>", "<http://x/p>", '"one"')]
    assert len(store.triples("http://x/g2")) == 1
    with pytest.raises(SyntaxError):  # an update that cannot be parsed changes nothing
        store.replace({"http://x/g2": ["<http://x/b> <http://x/p> . this is not N-Triples"]})
    assert store.triples("http://x/g2") == [("<http://x/b>", "<http://x/p>", '"2"')]
    with pytest.raises(ntriples.NotAnIriError):
        store.replace({"http://x/g> } ; DROP ALL ; INSERT DATA { <x": []})
    store.drop(["http://x/g2"])
    assert store.triples("http://x/g2") == []
    store.close()


def test_reads_longer_than_the_servers_row_cap_come_back_whole(tmp_path: Path,
                                                               store_settings: dict[str, str]) -> None:
    """Virtuoso runs here with ResultSetMaxRows 500 (tests/stores.py), below Puente's page size: a 1,200-triple graph
    and 1,200 sequence numbers are read whole through its silent cut, and a SELECT it cut is refused, never used."""
    store = open_store(Settings(data_dir=tmp_path, **store_settings), tmp_path / "store")
    sequence = "<https://w3id.org/puente/ns#changeSequence>"
    big = [f'<http://x/s{i}> <http://x/p> "{i}" .' for i in range(1200)] + ["<http://x/s0> <http://x/q> _:b ."]
    records = {f"http://x/catalogues/co/records/r{i}": [
        f'<http://x/catalogues/co/records/r{i}> {sequence} "{i + 1}"^^<http://www.w3.org/2001/XMLSchema#integer> .']
        for i in range(1200)}
    store.replace({"http://x/big": big, **records}, fresh=True)
    found = store.triples("http://x/big")
    assert len(found) == len(set(found)) == 1201
    assert {f"{s} {p} {o} ." for s, p, o in found if not o.startswith("_:")} == set(big[:-1])
    assert [seq for _, seq in store.sequences(after=100)] == list(range(101, 1201))
    query = "SELECT ?s WHERE { GRAPH <http://x/big> { ?s <http://x/p> ?o } }"
    if store_settings:  # the server cut this answer: an error, not 500 of 1,200 rows
        with pytest.raises(StoreError):
            store.select(query)
    else:
        assert len(store.select(query)) == 1200
    assert store.select("SELECT ?o WHERE { GRAPH <http://x/big> { <http://x/s7> <http://x/p> ?o } }") == [{"o": '"7"'}]
    store.close()


@pytest.fixture(scope="module")
def pipeline(profile: Profile) -> Pipeline:
    return Pipeline(profile=profile, settings=Settings(), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


def _publish(service: CatalogueService, pipeline: Pipeline, body: bytes, media_type: str, source: str) -> None:
    catalogue = service.catalogue("co")
    opened = pipeline.open(body, media_type=media_type, source=source)
    job = Job(catalogue_iri=catalogue.iri, lang="es")
    shares = (prepare_task(pipeline, task, job)
              for task in share_out(pipeline, opened, parts=4, lang="es", classes=RECORD_CLASSES))
    service.publish_document(catalogue, shares, who="test")


def test_a_lost_index_is_rebuilt_from_the_store(tmp_path: Path, pipeline: Pipeline,
        store_settings: dict[str, str]) -> None:
    settings = Settings(data_dir=tmp_path, **store_settings)
    service = CatalogueService.open(settings, pipeline.profile)
    _publish(service, pipeline, generate(records=60, seed=2)[0].body, "application/json", "co")
    deleted = service.page("co", size=1).rows[0].row.id
    service.delete(service.catalogue("co"), deleted, who="test")
    before = service.page("co", size=1000)
    rows = {e.row.id: (e.row.checksum, e.row.title, e.row.seq) for e in before.rows}
    docs = {e.row.id: set(service.document("co", e.row.id)[1]) for e in before.rows[:5]}
    service.close()
    for path in tmp_path.glob("catalogue.sqlite3*"):
        path.unlink()  # the derived index is gone (tokens and reports with it, as they live there)
    again = CatalogueService.open(settings, pipeline.profile)
    after = again.page("co", size=1000)
    assert after.total == before.total == len(rows)
    assert {e.row.id: (e.row.checksum, e.row.title, e.row.seq) for e in after.rows} == rows
    for record_id, lines in docs.items():
        assert isomorphic(_graph(set(again.document("co", record_id)[1])), _graph(lines))
    assert again.row("co", deleted).status == "deleted"  # type: ignore[union-attr]
    changes = again.changes(again.catalogue("co"), since=None, limit=1000)["changes"]
    assert {c["id"] for c in changes if c["change"] != "deleted"} == set(rows)
    assert again.facets("co", "theme") and again.count("co") == (len(rows), 1)
    again.close()


def _graph(lines: set[str]) -> Graph:
    return Graph().parse(data="\n".join(sorted(lines)), format="nt")


def test_a_write_the_index_missed_is_indexed_on_open(tmp_path: Path, pipeline: Pipeline,
        store_settings: dict[str, str]) -> None:
    """A kill between the store write and the index write: the index is behind the store; opening catches up."""
    settings = Settings(data_dir=tmp_path, **store_settings)
    service = CatalogueService.open(settings, pipeline.profile)
    body = json.loads((CASES / "co" / "etwv-wj8f-pueblos-indigenas" / "input.json").read_bytes())
    _publish(service, pipeline, json.dumps(body).encode(), "application/json", "co")
    snapshot = tmp_path / "index-before"
    service.close()
    shutil.copy(tmp_path / "catalogue.sqlite3", snapshot)  # the index as it was before the next write
    service = CatalogueService.open(settings, pipeline.profile)
    body["name"] = "Otro título"
    _publish(service, pipeline, json.dumps(body).encode(), "application/json", "co")
    updated = service.row("co", "etwv-wj8f")
    service.close()
    for path in tmp_path.glob("catalogue.sqlite3*"):
        path.unlink()
    shutil.copy(snapshot, tmp_path / "catalogue.sqlite3")  # the store has the update, the index does not
    again = CatalogueService.open(settings, pipeline.profile)
    row = again.row("co", "etwv-wj8f")
    assert row is not None and updated is not None
    assert (row.seq, row.checksum, row.title) == (updated.seq, updated.checksum, "Otro título")
    changes = again.changes(again.catalogue("co"), since=None)["changes"]
    assert [c["change"] for c in changes] == ["created", "updated"]
    again.close()


def test_one_writer_per_data_folder(tmp_path: Path, pipeline: Pipeline,
        store_settings: dict[str, str]) -> None:
    from app.errors import CatalogueUnavailableError

    settings = Settings(data_dir=tmp_path, **store_settings)
    first = CatalogueService.open(settings, pipeline.profile, holder="first holder")
    with pytest.raises(CatalogueUnavailableError) as refused:
        CatalogueService.open(settings, pipeline.profile)
    assert "first holder" in str(refused.value)
    first.close()
    CatalogueService.open(settings, pipeline.profile).close()


def test_an_unusable_data_folder_is_named_and_the_rest_of_the_service_runs(tmp_path: Path, profile: Profile) -> None:
    from fastapi.testclient import TestClient

    from app.errors import CatalogueUnavailableError
    from app.main import create_app

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(CatalogueUnavailableError) as refused:
        CatalogueService.open(Settings(data_dir=blocker / "data"), profile)
    assert str(blocker) in str(refused.value)
    with TestClient(create_app(Settings(data_dir=blocker / "data", workers=0))) as client:
        assert client.get("/health").status_code == 200
        answer = client.get("/catalogues/co")
        assert answer.status_code == 503 and str(blocker) in answer.json()["detail"]


def test_a_sparql_store_that_does_not_answer_is_named_and_the_rest_of_the_service_runs(tmp_path: Path,
                                                                                     profile: Profile) -> None:
    from fastapi.testclient import TestClient

    from app.errors import StoreError
    from app.main import create_app
    from bench.server import free_port

    with pytest.raises(StoreError) as unset:
        CatalogueService.open(Settings(data_dir=tmp_path / "a", store="sparql"), profile)
    assert "PUENTE_GSP_URL" in str(unset.value)
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(data_dir=tmp_path / "b", store="sparql", sparql_query_url=f"{dead}/sparql",
                        sparql_update_url=f"{dead}/sparql-auth", gsp_url=f"{dead}/gsp", sparql_http_timeout_s=5,
                        workers=0)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        for path in ("/catalogues/co", "/sparql?query=ASK%7B%7D"):
            answer = client.get(path)
            assert answer.status_code == 503 and f"{dead}/sparql" in answer.json()["detail"], answer.text
