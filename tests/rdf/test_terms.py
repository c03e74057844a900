"""The term factories make exactly the objects rdflib's constructors make (they skip its conversions for speed)."""

from __future__ import annotations

import datetime as dt
import logging
import random

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from app.rdf.terms import count_literal, iri_term, plain_literal, typed_literal, utc_datetime_literal


def _same(ours: object, theirs: object) -> None:
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs)
    if isinstance(theirs, Literal):
        assert isinstance(ours, Literal)
        for slot in ("_language", "_datatype", "_value", "_ill_typed"):
            assert getattr(ours, slot) == getattr(theirs, slot), slot
            assert type(getattr(ours, slot)) is type(getattr(theirs, slot)), slot
        assert ours == theirs and hash(ours) == hash(theirs)


TEXTS = ["", "a", "Población 2020", "  spaces  ", "línea\nnueva", "emoji 🌎", "\ud800 lone surrogate", "1", "true",
         "2020-01-01", "<b>html</b>", "x" * 5000]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("lang", [None, "es", "en-GB", "ES", "pt-BR"])
def test_plain_literal_is_rdflibs(text: str, lang: str | None) -> None:
    _same(plain_literal(text, lang=lang), Literal(text, lang=lang))


def test_plain_literal_empty_language_is_none_and_bad_language_is_refused_like_rdflib() -> None:
    _same(plain_literal("x", lang=""), Literal("x", lang=""))
    with pytest.raises(ValueError):
        Literal("x", lang="not a tag")
    with pytest.raises(ValueError):
        plain_literal("x", lang="not a tag")


def test_plain_literal_of_a_term_goes_through_rdflib() -> None:
    typed = Literal("5", datatype=XSD.integer)
    _same(plain_literal(typed), Literal(typed))  # type: ignore[arg-type]


@pytest.mark.parametrize(("lexical", "datatype"), [
    ("2020-01-01", XSD.date), ("2020-13-01", XSD.date), ("2020-01-01T10:00:00", XSD.dateTime),
    ("2020-01-01T10:00:00Z", XSD.dateTime), ("2020", XSD.gYear), ("2020-02", XSD.gYearMonth),
    ("12", XSD.nonNegativeInteger), ("-3", XSD.nonNegativeInteger), ("007", XSD.integer), ("x", "http://ex.org/dt"),
])
def test_typed_literal_is_rdflibs_and_made_once(lexical: str, datatype: str) -> None:
    logging.disable(logging.WARNING)  # rdflib warns about the ill-typed ones
    try:
        expected = Literal(lexical, datatype=URIRef(datatype))
        first = typed_literal(lexical, datatype=str(datatype))
    finally:
        logging.disable(logging.NOTSET)
    _same(first, expected)
    assert typed_literal(lexical, datatype=str(datatype)) is first


def test_utc_datetime_literal_is_what_rdflib_parses_from_the_same_text() -> None:
    draw = random.Random(4)
    for seconds in [0, 1, -1, 86399, 951782400, 1600000000, 4102444800, *(draw.randrange(-10**9, 4 * 10**9)
                                                                          for _ in range(2000))]:
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        _same(utc_datetime_literal(moment), Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime))


def test_utc_datetime_literal_with_fractions_or_other_zones_goes_through_rdflib() -> None:
    for moment in (dt.datetime(2020, 1, 1, 10, 0, 0, 500, tzinfo=dt.UTC),
                   dt.datetime(2020, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=-5)))):
        _same(utc_datetime_literal(moment), Literal(moment.isoformat(), datatype=XSD.dateTime))


@pytest.mark.parametrize("text", ["http://example.org/a", "https://datos.gov.co/d/abcd-1234?x=1#f", "mailto:a@b.co",
                                  "http://example.org/a b", "http://ex.org/<x>", "http://ex.org/{x}", "urn:x:y"])
def test_iri_term_is_rdflibs(text: str) -> None:
    logging.disable(logging.WARNING)
    try:
        _same(iri_term(text), URIRef(text))
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.parametrize("number", [0, 1, 7, 51200, 10**18, 10**40, -3])
def test_count_literal_is_rdflibs(number: int) -> None:
    _same(count_literal(number), Literal(str(number), datatype=XSD.nonNegativeInteger))


def test_the_rdflib_internals_this_module_relies_on_still_behave() -> None:
    """app/rdf/terms.py reads and writes these private fields (RDFLIB_INTERNALS); pyproject bounds rdflib below 8.
    Each must still exist and mean what the public API says."""
    import rdflib.term
    from rdflib import Literal, URIRef

    from app.rdf.terms import RDFLIB_INTERNALS, literal_datatype, literal_is_ill_typed, literal_language, literal_value

    assert set(RDFLIB_INTERNALS) == {"Literal._value", "Literal._datatype", "Literal._language", "Literal._ill_typed",
                                     "rdflib.term._is_valid_langtag"}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for literal in (Literal("x", lang="es"), Literal("5", datatype=URIRef(xsd + "integer")), Literal("plain"),
                    Literal("no", datatype=URIRef(xsd + "integer"))):
        assert literal_datatype(literal) == literal.datatype
        assert literal_language(literal) == literal.language
        assert literal_value(literal) == literal.value
        assert literal_is_ill_typed(literal) is bool(literal.ill_typed)
    assert rdflib.term._is_valid_langtag("es-CO") and not rdflib.term._is_valid_langtag("not a tag")
