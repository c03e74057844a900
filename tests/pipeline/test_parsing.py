"""Parsing untrusted RDF: every syntax, clear errors with positions, nothing fetched or expanded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from app.errors import InputError, ParseError, PayloadTooLargeError, UnsafeInputError
from app.pipeline.guards import strict_json_loads
from app.pipeline.parsing import ParseLimits, RdfSyntax, graph_of, parse_rdf_triples
from app.rdf.namespaces import CONTEXT_IRI
from tests.conftest import CASES

LIMITS = ParseLimits(max_triples=10_000, max_literal_chars=10_000, max_json_depth=64)
CONTEXT: dict[str, Any] = {"@context": {"dct": "http://purl.org/dc/terms/", "dcat": "http://www.w3.org/ns/dcat#",
                                        "title": {"@id": "dct:title"}, "Dataset": "dcat:Dataset"}}


def parse(body: bytes, syntax: RdfSyntax, limits: ParseLimits = LIMITS) -> Graph:
    return graph_of(parse_rdf_triples(body, syntax=syntax, limits=limits, own_contexts={CONTEXT_IRI: CONTEXT},
                                      own_context_iri=CONTEXT_IRI))


@pytest.fixture(scope="module")
def base() -> Graph:
    graph = Graph()
    graph.parse(CASES / "shapes" / "base.ttl", format="turtle")
    return graph


@pytest.mark.parametrize("syntax,rdflib_name", [(RdfSyntax.TURTLE, "turtle"), (RdfSyntax.JSONLD, "json-ld"),
                                                (RdfSyntax.RDFXML, "xml"), (RdfSyntax.NTRIPLES, "nt")])
def test_every_syntax_reads_the_same_graph(base: Graph, syntax: RdfSyntax, rdflib_name: str) -> None:
    body = base.serialize(format=rdflib_name).encode("utf-8")
    assert isomorphic(parse(body, syntax), base)


def test_turtle_error_has_line_and_column() -> None:
    with pytest.raises(ParseError) as info:
        parse(b"@prefix ex: <http://ex/> .\nex:a ex:b ex:c ex:d .\n", RdfSyntax.TURTLE)
    assert info.value.line == 2
    assert info.value.column is not None


def test_json_error_has_line_and_column() -> None:
    with pytest.raises(ParseError) as info:
        parse(b'{\n  "@id": "http://ex/a",\n  "x": [1, 2\n}', RdfSyntax.JSONLD)
    assert info.value.line == 4


def test_rdfxml_error_has_line() -> None:
    with pytest.raises(ParseError) as info:
        parse(b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<oops>\n',
              RdfSyntax.RDFXML)
    assert info.value.line is not None


def test_empty_body_is_refused() -> None:
    with pytest.raises(InputError):
        parse(b"  \n", RdfSyntax.TURTLE)


def test_invalid_utf8_names_the_byte() -> None:
    with pytest.raises(ParseError) as info:
        parse(b'<http://a> <http://b> "caf\xe9" .', RdfSyntax.NTRIPLES)
    assert "26" in str(info.value)


@pytest.mark.parametrize("context", [
    "http://127.0.0.1:9/context.jsonld",
    "file:///etc/passwd",
    "/etc/passwd",
    ["https://example.org/a.jsonld", {"x": "http://x/"}],
])
def test_remote_and_file_contexts_are_refused(context: Any) -> None:
    body = json.dumps({"@context": context, "@id": "http://ex/a", "title": "t"}).encode()
    with pytest.raises(UnsafeInputError) as info:
        parse(body, RdfSyntax.JSONLD)
    assert info.value.field == "@context"


def test_scoped_and_imported_contexts_are_refused() -> None:
    scoped = {"@context": {"p": {"@id": "http://p/", "@context": "http://127.0.0.1:9/scoped"}}, "@id": "http://a"}
    with pytest.raises(UnsafeInputError):
        parse(json.dumps(scoped).encode(), RdfSyntax.JSONLD)
    imported = {"@context": {"@import": "http://127.0.0.1:9/imported"}, "@id": "http://a"}
    with pytest.raises(UnsafeInputError):
        parse(json.dumps(imported).encode(), RdfSyntax.JSONLD)


def test_the_profile_context_is_resolved_locally() -> None:
    body = json.dumps({"@context": CONTEXT_IRI, "@id": "http://ex/a", "@type": "Dataset", "title": "Hola"}).encode()
    graph = parse(body, RdfSyntax.JSONLD)
    assert (URIRef("http://ex/a"), URIRef("http://purl.org/dc/terms/title"), None) in graph


@pytest.mark.parametrize("payload", [
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/">'
    '<rdf:Description rdf:about="http://ex/a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>',
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd">'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
])
def test_xml_with_dtd_or_entities_is_refused(payload: str) -> None:
    with pytest.raises(UnsafeInputError) as info:
        parse(payload.encode(), RdfSyntax.RDFXML)
    assert "hostname" not in str(info.value.detail)


@pytest.mark.parametrize("body,fragment", [
    (b'{"a": 1, "a": 2}', "a"),
    (b'{"a": NaN}', "NaN"),
    (b'{"a": ' + b"9" * 100 + b"}", "999"),
])
def test_strict_json(body: bytes, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        strict_json_loads(body, max_depth=64)
    assert fragment in str(info.value)


def test_deep_json_is_refused_quickly() -> None:
    with pytest.raises(ParseError):
        strict_json_loads(b"[" * 100_000 + b"]" * 100_000, max_depth=64)


def test_triple_and_literal_caps() -> None:
    many = b"".join(b"<http://ex/s> <http://ex/p> <http://ex/o%d> .\n" % i for i in range(50))
    with pytest.raises(PayloadTooLargeError):
        parse(many, RdfSyntax.NTRIPLES, ParseLimits(max_triples=10, max_literal_chars=100, max_json_depth=8))
    long_literal = b'<http://ex/s> <http://ex/p> "' + b"a" * 500 + b'" .'
    with pytest.raises(PayloadTooLargeError):
        parse(long_literal, RdfSyntax.NTRIPLES, ParseLimits(max_triples=10, max_literal_chars=100, max_json_depth=8))


def test_relative_iris_never_point_at_the_server() -> None:
    graph = parse(b'<a> <http://ex/p> "x" .', RdfSyntax.TURTLE)
    subject = next(iter(graph.subjects()))
    assert str(subject).startswith("https://upload.invalid/")


def test_shapes_smuggled_in_data_are_refused() -> None:
    body = (b'@prefix sh: <http://www.w3.org/ns/shacl#> . <http://ex/s> a sh:NodeShape ; '
            b'sh:targetClass <http://www.w3.org/ns/dcat#Dataset> .')
    with pytest.raises(UnsafeInputError):
        parse(body, RdfSyntax.TURTLE)


@pytest.mark.parametrize("turtle,term", [
    ('<https://x.org/s> a <http://www.w3.org/ns/shacl#NodeShape> .', "http://www.w3.org/ns/shacl#NodeShape"),
    ('<https://x.org/s> <http://www.w3.org/ns/shacl#path> <https://x.org/p> .', "http://www.w3.org/ns/shacl#path"),
])
def test_shapes_in_data_are_refused_by_class_or_property(turtle: str, term: str) -> None:
    body = f'<https://x.org/d> a <http://www.w3.org/ns/dcat#Dataset> .\n{turtle}\n'.encode()
    with pytest.raises(UnsafeInputError) as info:
        parse(body, RdfSyntax.TURTLE)
    assert term in str(info.value.detail)


def test_a_shacl_iri_as_a_plain_value_is_data() -> None:
    body = b'<https://x.org/d> <http://purl.org/dc/terms/conformsTo> <http://www.w3.org/ns/shacl#> .'
    assert len(parse(body, RdfSyntax.TURTLE)) == 1


# ------------------------------------------------------------------------------------------- issue 13

def _lenient(body: bytes, syntax: RdfSyntax) -> tuple[Graph, list[Any]]:
    problems: list[Any] = []
    triples = parse_rdf_triples(body, syntax=syntax, limits=LIMITS, own_contexts={}, own_context_iri=CONTEXT_IRI,
                                problems=problems)
    return graph_of(triples), problems


@pytest.mark.parametrize("syntax,body", [
    (RdfSyntax.TURTLE, '<http://ex.org/d> <http://purl.org/dc/terms/references> <http://ex.org/a\u0083b>, '
                       '<http://ex.org/ok> ; <http://purl.org/dc/terms/title> "T" .'),
    (RdfSyntax.RDFXML, '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                       'xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="http://ex.org/d">'
                       '<dct:references rdf:resource="http://ex.org/a\u0083b"/>'
                       '<dct:references rdf:resource="http://ex.org/ok"/><dct:title>T</dct:title>'
                       '</rdf:Description></rdf:RDF>'),
])
def test_one_bad_iri_is_reported_and_the_rest_is_read(syntax: RdfSyntax, body: str) -> None:
    graph, problems = _lenient(body.encode("utf-8"), syntax)
    references = URIRef("http://purl.org/dc/terms/references")
    assert set(graph.objects(None, references)) == {URIRef("http://ex.org/ok")}
    assert len(graph) == 2  # the good reference and the title
    assert len(problems) == 1 and problems[0].source_field == "dct:references"
    assert problems[0].path == references and str(problems[0].value) == "http://ex.org/a\\u0083b"
    with pytest.raises(ParseError):  # without a place to report it, the strict answer stands
        parse(body.encode("utf-8"), syntax)


def test_a_bad_iri_naming_a_node_still_refuses_the_document() -> None:
    body = '<http://ex.org/d\u0083> <http://purl.org/dc/terms/title> "T" .'.encode()
    with pytest.raises(ParseError):
        _lenient(body, RdfSyntax.TURTLE)


def test_known_contexts_are_read_from_their_local_copies(profile: Any) -> None:
    """The POD 1.1 and DCAT-AP examples' contexts are local copies (shapes/contexts/); any other stays refused."""
    known = profile.known_contexts
    assert "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld" in known
    assert "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld" \
        in known
    pod = json.dumps({"@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
                      "@type": "dcat:Dataset", "@id": "http://ex.org/d", "title": "T"}).encode()
    graph = graph_of(parse_rdf_triples(pod, syntax=RdfSyntax.JSONLD, limits=LIMITS, own_contexts=known,
                                       own_context_iri=CONTEXT_IRI))
    assert (URIRef("http://ex.org/d"), URIRef("http://purl.org/dc/terms/title"), None) in graph
    other = json.dumps({"@context": "https://example.org/context.jsonld", "@id": "http://ex.org/d"}).encode()
    with pytest.raises(UnsafeInputError):
        parse_rdf_triples(other, syntax=RdfSyntax.JSONLD, limits=LIMITS, own_contexts=known,
                          own_context_iri=CONTEXT_IRI)


def test_a_node_of_several_types_gets_every_type_scoped_context(profile: Any) -> None:
    """The DCAT-AP examples type datasets "Dataset" and "DatasetMemberOfADatasetSeries", each with its scoped
    context: the title (one context) and the series (the other) are both read."""
    iri = "https://semiceu.github.io/uri.semic.eu-generated/DCAT-AP/releases/3.0.0/html/examples/context.jsonld"
    body = json.dumps({"@context": iri, "@graph": [{
        "@id": "example-ds:B", "@type": ["Dataset", "DatasetMemberOfADatasetSeries"], "title": {"en": "Bees"},
        "inSeries": "example-ser:S", "http://ex.org/nested": {"title": {"en": "not a dataset title"}}}]}).encode()
    graph = graph_of(parse_rdf_triples(body, syntax=RdfSyntax.JSONLD, limits=LIMITS,
                                       own_contexts=profile.known_contexts, own_context_iri=CONTEXT_IRI))
    dataset = URIRef("https://data.gov.gr/id/dataset/B")
    titles = {str(o) for o in graph.objects(None, URIRef("http://purl.org/dc/terms/title"))}
    assert titles == {"Bees"}  # and the nested node's "title" is not a dct:title: the scoped terms do not spread
    assert (dataset, URIRef("http://www.w3.org/ns/dcat#inSeries"), None) in graph
