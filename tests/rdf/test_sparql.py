"""SPARQL safety: hostile queries refused before anything runs them; hostile values never escape a term."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import InputError
from app.rdf.sparql import QueryForm, inspect_query, iri_ref, literal_ref

LIMIT = 20_000
PREFIX = "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n"


@pytest.mark.parametrize(("query", "form"), [
    (PREFIX + "SELECT ?d WHERE { ?d a dcat:Dataset } LIMIT 10", QueryForm.SELECT),
    ("ASK { ?s ?p ?o }", QueryForm.ASK),
    ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5", QueryForm.CONSTRUCT),
    ("DESCRIBE <https://example.org/d>", QueryForm.DESCRIBE),
    ('SELECT ?x WHERE { ?x ?p "SERVICE LOAD INSERT DATA" } # DROP ALL', QueryForm.SELECT),  # words inside strings
    ("PREFIX service: <https://example.org/> SELECT ?load WHERE { ?load service:insert ?delete }", QueryForm.SELECT),
])
def test_read_queries_pass_with_their_form(query: str, form: QueryForm) -> None:
    assert inspect_query(query, max_chars=LIMIT).form is form


@pytest.mark.parametrize("query", [
    "INSERT DATA { <a:s> <a:p> <a:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL", "CLEAR DEFAULT", "LOAD <http://127.0.0.1:9/x.ttl>",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://169.254.169.254/> { ?s ?p ?o } }",
    PREFIX + "SELECT ?d WHERE { ?d a dcat:Dataset . SERVICE <http://x/> { ?d ?p ?o } } LIMIT 10",  # rdflib quirk
    'DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> WHERE { ?s ?p ?o }',  # Virtuoso's sponger
    "select * where { service <http://x/> { ?s ?p ?o } }",  # lower case
    "WITH <a:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_federation_and_pragmas_are_refused(query: str) -> None:
    with pytest.raises(InputError) as refused:
        inspect_query(query, max_chars=LIMIT)
    assert refused.value.field == "query"


@pytest.mark.parametrize("query", ["", "   ", "SELECT WHERE {", "SELECT * WHERE { ?s ?p ?o", "x" * (LIMIT + 1)])
def test_empty_broken_and_huge_queries_are_clear_errors(query: str) -> None:
    with pytest.raises(InputError):
        inspect_query(query, max_chars=LIMIT)


def test_a_refused_service_query_never_reaches_the_engine() -> None:
    """pyoxigraph itself would follow SERVICE (it makes the HTTP request): the check must come first."""
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with pytest.raises(InputError):
        inspect_query(query, max_chars=LIMIT)


HOSTILE = ["> . <a:x> <a:y> <a:z", 'a"b', "a\\b", "a\nb", "a\u0000b", "a}b", "a b", "a^^b", "a`b", "a|b", "a{b"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_iris_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        iri_ref("https://example.org/" + value)


@given(st.text(max_size=60))
def test_any_text_stays_one_literal(value: str) -> None:
    """Whatever the text, the literal written into a query reads back as exactly that text, and nothing else."""
    store = ox.Store()
    query = f"SELECT ?v WHERE {{ BIND({literal_ref(value)} AS ?v) }}"
    rows = list(store.query(query))
    assert len(rows) == 1 and rows[0]["v"].value == value


def test_language_tags_and_datatypes_are_checked() -> None:
    assert literal_ref("hola", lang="es") == '"hola"@es'
    assert literal_ref("5", datatype="http://www.w3.org/2001/XMLSchema#integer").endswith("#integer>")
    with pytest.raises(ValueError):
        literal_ref("x", lang="es> . <a:b")
    with pytest.raises(ValueError):
        literal_ref("x", datatype="a> <b")
