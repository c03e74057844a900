"""Named transforms: national words and codes to EU vocabularies, dates, addresses; problems, never exceptions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.crosswalk.lookups import Lookups
from app.crosswalk.transforms import TRANSFORMS, Context, Emitted, checked_address
from app.profile.model import Profile
from app.settings import REPO_ROOT

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module")
def lookups(profile: Profile) -> Lookups:
    return Lookups(profile.background.knowledge)


def run(lookups: Lookups, name: str, value: Any, **args: Any) -> Emitted:
    return TRANSFORMS[name](value, Context(lookups=lookups, lang="es", args=args))


def only(emitted: Emitted) -> str:
    assert not emitted.problems, emitted.problems
    assert len(emitted.terms) == 1, emitted.terms
    return str(emitted.terms[0])


@pytest.mark.parametrize("word,code", [
    ("Anual", "ANNUAL"), ("Mensual", "MONTHLY"), ("Diaria", "DAILY"), ("Diario", "DAILY"), ("Quincenal", "BIWEEKLY"),
    ("Trimestral", "QUARTERLY"), ("Semestral", "ANNUAL_2"), ("Cuatrimestral", "ANNUAL_3"), ("Trienio", "TRIENNIAL"),
    ("No aplica", "NOT_PLANNED"), ("No Aplica", "NOT_PLANNED"), ("semanal", "WEEKLY"), ("Solo una vez", "NEVER"),
    ("R/P1M", "MONTHLY"), ("R/P1Y", "ANNUAL"), ("R/P2W", "BIWEEKLY"), ("R/P3M", "QUARTERLY"), ("r/p1d", "DAILY"),
    ("irregular", "IRREG"), ("realtime", "UPDATE_CONT"), ("tiempo real", "UPDATE_CONT"), ("monthly", "MONTHLY"),
    (f"{EU}frequency/WEEKLY", "WEEKLY"),
])
def test_frequency(lookups: Lookups, word: str, code: str) -> None:
    assert only(run(lookups, "frequency", word)) == f"{EU}frequency/{code}"


def test_unknown_frequency_is_a_warning_with_suggestions(lookups: Lookups) -> None:
    emitted = run(lookups, "frequency", "Mensualmentee")
    assert emitted.terms == []
    assert emitted.problems[0].kind == "unknown-value"
    assert emitted.problems[0].severity.value == "warning"
    assert any("mensual" in s.lower() for s in emitted.problems[0].suggestions)


@pytest.mark.parametrize("value,code", [
    ("CC_40_BY_SA", "CC_BYSA_4_0"), ("cc-by", "CC_BY"), ("cc-zero", "CC0"), ("odc-odbl", "ODC_BL"),
    ("http://creativecommons.org/licenses/by-sa/4.0/legalcode", "CC_BYSA_4_0"),
    ("https://creativecommons.org/licenses/by/4.0/", "CC_BY_4_0"), ("Creative Commons Attribution 4.0", "CC_BY_4_0"),
    (f"{EU}licence/CC0", "CC0"),
])
def test_licence(lookups: Lookups, value: str, code: str) -> None:
    assert only(run(lookups, "licence", value)) == f"{EU}licence/{code}"


@pytest.mark.parametrize("value", ["OGL-UK-3.0", "https://spdx.org/licenses/OGL-UK-3.0.html",
                                   "Open Government Licence v3.0"])
def test_spdx_where_the_eu_table_has_none(lookups: Lookups, value: str) -> None:
    assert only(run(lookups, "licence", value)) == "http://spdx.org/licenses/OGL-UK-3.0"


def test_libre_uso_mx(lookups: Lookups) -> None:
    assert only(run(lookups, "licence", "https://datos.gob.mx/libreusomx/")) == "https://datos.gob.mx/libreusomx/"


def test_unknown_licence_url_is_kept_and_reported(lookups: Lookups) -> None:
    emitted = run(lookups, "licence", "https://example.org/terms")
    assert [str(t) for t in emitted.terms] == ["https://example.org/terms"]
    assert emitted.problems[0].kind == "unknown-licence"


@pytest.mark.parametrize("value,code", [("CSV", "CSV"), ("csv", "CSV"), (".xlsx", "XLSX"), ("Excel", "XLSX"),
                                        ("text/csv", "CSV"), ("application/json", "JSON"), ("JSON", "JSON"),
                                        ("shapefile", "SHP"), ("PDF", "PDF")])
def test_file_format(lookups: Lookups, value: str, code: str) -> None:
    assert only(run(lookups, "file_format", value)) == f"{EU}file-type/{code}"


@pytest.mark.parametrize("value,media", [("text/csv", "text/csv"), ("text/csv; charset=utf-8", "text/csv"),
                                         ("application/JSON", "application/json")])
def test_media_type(lookups: Lookups, value: str, media: str) -> None:
    assert only(run(lookups, "media_type", value)) == f"https://www.iana.org/assignments/media-types/{media}"


@pytest.mark.parametrize("value,code", [("es", "SPA"), ("Español", "SPA"), ("spa", "SPA"), ("SPA", "SPA"),
                                        ("en", "ENG"), ("ga", "GLG"), ("pt-BR", "POR")])
def test_language(lookups: Lookups, value: str, code: str) -> None:
    assert only(run(lookups, "language", value)) == f"{EU}language/{code}"


def test_theme_keeps_the_national_concept_and_adds_the_eu_theme(lookups: Lookups) -> None:
    emitted = run(lookups, "theme", "ciencia tecnologia e innovacion", scheme="https://w3id.org/puente/vocab/co/categoria")
    assert {str(t) for t in emitted.terms} == {
        "https://w3id.org/puente/vocab/co/categoria/ciencia-tecnologia-e-innovacion", f"{EU}data-theme/TECH"}


def test_place_by_name_and_code(lookups: Lookups) -> None:
    co = "https://w3id.org/puente/place/co"
    assert only(run(lookups, "place", "Medellín", scheme=co)) == "https://w3id.org/puente/place/co/divipola/05001"
    assert only(run(lookups, "place", "05001", scheme=co)) == "https://w3id.org/puente/place/co/divipola/05001"
    mx = "https://w3id.org/puente/place/mx"
    assert only(run(lookups, "place", "Jalisco", scheme=mx)) == "https://w3id.org/puente/place/mx/inegi/14"


def test_colombian_coverage_uses_the_municipality_of_the_right_department(lookups: Lookups) -> None:
    fields = {"Información de Datos": {"Cobertura Geográfica": "Municipal"},
              "Información de la Entidad": {"Departamento": "Antioquia", "Municipio": "Barbosa"}}
    assert only(run(lookups, "co_coverage", fields)) == "https://w3id.org/puente/place/co/divipola/05079"
    fields["Información de la Entidad"]["Departamento"] = "Santander"
    assert only(run(lookups, "co_coverage", fields)) == "https://w3id.org/puente/place/co/divipola/68077"
    fields["Información de Datos"]["Cobertura Geográfica"] = "Nacional"
    assert run(lookups, "co_coverage", fields).terms == []


@pytest.mark.parametrize("value,lexical,datatype", [
    (1580136451, "2020-01-27T14:47:31", "dateTime"), ("1580136451", "2020-01-27T14:47:31", "dateTime"),
    ("2025-08-25T04:49:06.000Z", "2025-08-25T04:49:06", "dateTime")])
def test_epoch_datetime(lookups: Lookups, value: Any, lexical: str, datatype: str) -> None:
    term = run(lookups, "epoch_datetime", value).terms[0]
    assert str(term).startswith(lexical) and str(term.datatype).endswith(datatype)  # type: ignore[attr-defined]


@pytest.mark.parametrize("value,datatype", [("2024-05-01", "date"), ("2014-05-27T01:42:05-05:00", "dateTime"),
                                            ("2020-01-27 14:47:31", "dateTime"), ("2013", "gYear"),
                                            ("2014-01", "gYearMonth")])
def test_date(lookups: Lookups, value: str, datatype: str) -> None:
    term = run(lookups, "date", value).terms[0]
    assert str(term.datatype).endswith("#" + datatype)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name,value,kind", [
    ("date", "ayer", "invalid-date"), ("date", "2024-13-01", "invalid-date"), ("epoch_datetime", "x1", "invalid-date"),
    ("email", "datos(at)x", "invalid-email"), ("iri", "padron.csv", "invalid-url"),
    ("iri", "javascript:alert(1)", "invalid-url"),
    ("byte_size", "2 MB", "invalid-number"), ("text", {"a": 1}, "wrong-type"), ("text", [1, 2], "wrong-type"),
])
def test_bad_values_are_violations_on_the_field(lookups: Lookups, name: str, value: Any, kind: str) -> None:
    emitted = run(lookups, name, value)
    assert emitted.terms == []
    assert emitted.problems[0].kind == kind
    assert emitted.problems[0].severity.value == "violation"


def test_keywords_drop_adela_tokens(lookups: Lookups) -> None:
    emitted = run(lookups, "keywords", "egresos,hospitales,federal,Salud", drop=["federal", "Salud"])
    assert sorted(str(t) for t in emitted.terms) == ["egresos", "hospitales"]


def test_email_and_url(lookups: Lookups) -> None:
    assert only(run(lookups, "email", "datos@x.gob.cl")) == "mailto:datos@x.gob.cl"
    assert only(run(lookups, "email", "mailto:datos@x.gob.cl")) == "mailto:datos@x.gob.cl"
    assert only(run(lookups, "iri", "https://x.example/a b")) == "https://x.example/a%20b"


def test_an_unclosed_ipv6_host_is_an_invalid_url_not_an_error(lookups: Lookups) -> None:
    for value in ("http://[x", "https://a]b/c"):
        emitted = run(lookups, "iri", value)
        assert not emitted.terms and [p.kind for p in emitted.problems] == ["invalid-url"]


URLISH = st.text(alphabet=st.sampled_from(list("hHtps:/[]@?#%~.-_aZ09 <>\"{}|\\^`\t\né")), max_size=30)


@given(tail=URLISH, head=st.sampled_from(["http://", "https://", "HTTP://", "http:/", "ftp://", "", "http://x"]))
@settings(max_examples=400, derandomize=True, deadline=None, database=None)
def test_the_iri_shortcut_agrees_with_the_general_case(lookups: Lookups, head: str, tail: str) -> None:
    content = (head + tail).strip()
    if not content:
        return
    fast = run(lookups, "iri", content)
    slow = checked_address(content)
    assert [(type(t), str(t)) for t in fast.terms] == [(type(t), str(t)) for t in slow.terms]
    assert fast.problems == slow.problems


def test_transforms_that_read_a_whole_object_declare_the_fields_they_read() -> None:
    """co_coverage reads three fields inside metadata.custom_fields: each is declared, and CROSSWALK.md shows them."""
    import ast

    from app.crosswalk.transforms import READS

    for name, fields in READS.items():
        # Read the function from its file: under the compiled build it has no Python source object.
        function = TRANSFORMS[name]
        module_file = REPO_ROOT.joinpath(*function.__module__.split(".")).with_suffix(".py")
        tree = ast.parse(module_file.read_text(encoding="utf-8"))
        node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function.__name__)
        source = ast.get_source_segment(module_file.read_text(encoding="utf-8"), node) or ""
        assert source, name
        for field_path in fields:
            assert field_path.rsplit(".", 1)[-1].strip('"') in source, (name, field_path)
    table = (REPO_ROOT / "mappings" / "co" / "CROSSWALK.md").read_text(encoding="utf-8")
    assert all(f in table for f in READS["co_coverage"])


# ------------------------------------------------------------------------------------------- issue 13

@pytest.mark.parametrize("sentence,code", [
    ("Data is updated weekly", "WEEKLY"), ("Data is updated daily, Tuesday through Sunday", "DAILY"),
    ("Data is updated quarterly", "QUARTERLY"), ("Data is updated as needed", "IRREG"), ("Anual", "ANNUAL"),
    ("Mensal", "MONTHLY"), ("eventual", "IRREG"), ("notPlanned", "NOT_PLANNED"), ("Diária", "DAILY"),
])
def test_frequency_in_sentences_and_portuguese(lookups: Lookups, sentence: str, code: str) -> None:
    assert only(run(lookups, "frequency", sentence)) == f"{EU}frequency/{code}"


@pytest.mark.parametrize("sentence", ["To be determined.", "once a week", "daily or weekly, as needed",
                                      "A citywide count is taken approximately every 10 years."])
def test_a_sentence_naming_no_single_frequency_is_reported_not_guessed(lookups: Lookups, sentence: str) -> None:
    emitted = run(lookups, "frequency", sentence)
    assert not emitted.terms and [p.kind for p in emitted.problems] == ["unknown-value"]


@pytest.mark.parametrize("text,start,end", [
    ("June 2011 to present", "2011-06", None), ("January 1, 2006 to present", "2006-01-01", None),
    ("2006 - 2010", "2006", "2010"), ("desde enero de 2015", "2015-01", None),
    ("Enero 2010 a diciembre 2014", "2010-01", "2014-12"), ("2015", "2015", "2015"),
    ("2019-01-31 / 2020-02-01", "2019-01-31", "2020-02-01"), ("15 de marzo de 2012 hasta la fecha", "2012-03-15", None),
])
def test_periods_written_in_words(lookups: Lookups, text: str, start: str, end: str | None) -> None:
    assert str(only(run(lookups, "period_start", text))) == start
    ended = run(lookups, "period_end", text)
    assert [str(t) for t in ended.terms] == ([end] if end else []) and not ended.problems


@pytest.mark.parametrize("text", ["Study completed in 2006", "Current as of 2011",
                                  "One year minus the most recent seven days", "Fall 2010"])
def test_a_text_stating_no_period_is_one_finding(lookups: Lookups, text: str) -> None:
    started = run(lookups, "period_start", text)
    assert not started.terms and [p.kind for p in started.problems] == ["unread-text"]
    assert run(lookups, "period_end", text) == Emitted()  # reported once, by the start


def test_html_becomes_text_and_plain_text_stays_as_it_is(lookups: Lookups) -> None:
    html = "<div><p>First line.<br />Second &amp; last.</p><p>Next paragraph.</p></div>"
    assert str(only(run(lookups, "html_text", html))) == "First line.\nSecond & last.\n\nNext paragraph."
    markdown = "Items:\n\n    code block\n* x < 5 and y > 3"
    assert str(only(run(lookups, "html_text", markdown))) == markdown


def test_translated_texts_keep_their_languages(lookups: Lookups) -> None:
    emitted = run(lookups, "translated", {"en": "Oaks", "ca": "Roures", "es_ES": "<b>Robles</b>"})
    assert {(str(t), t.language) for t in emitted.terms} == {("Oaks", "en"), ("Roures", "ca"), ("Robles", "es-es")}
    listed = run(lookups, "translated", {"en": ["Oaks", "Pines"], "es": ["Robles"]})
    assert len(listed.terms) == 3
    assert [p.kind for p in run(lookups, "translated", {"not a language": "x"}).problems] == ["unknown-value"]


def test_bounding_boxes_and_geometries(lookups: Lookups) -> None:
    box = run(lookups, "bbox", "-87.94,41.64,-87.52,42.02")
    assert str(only(box)).startswith("POLYGON((-87.94 41.64, -87.52 41.64") and \
        str(box.terms[0].datatype).endswith("#wktLiteral")  # type: ignore[attr-defined]
    assert only(run(lookups, "bbox", [-73.99, -55.06, -53.64, -21.78]))
    assert run(lookups, "bbox", "Washington, DC") == Emitted()
    assert [p.kind for p in run(lookups, "bbox", "1,2,3", strict=True).problems] == ["unread-text"]
    shape = run(lookups, "geometry", '{"type": "Point", "coordinates": [1.2, 41.1]}')
    assert str(shape.terms[0].datatype).endswith("#geoJSONLiteral")  # type: ignore[attr-defined]
    assert run(lookups, "geometry", "Montevideo") == Emitted()
    assert only(run(lookups, "place_label", "Montevideo")) == "Montevideo"
    assert run(lookups, "place_label", "ARG") == Emitted()
    assert only(run(lookups, "spatial_code", "ARG")) == f"{EU}country/ARG"


def test_checksums(lookups: Lookups) -> None:
    digest = "4304cf2e751e6053c90b1804c89c0ebb758f395a"
    assert only(run(lookups, "checksum_value", digest)) == digest
    assert only(run(lookups, "checksum_algorithm", digest)).endswith("checksumAlgorithm_sha1")
    assert only(run(lookups, "checksum_algorithm", "sha256:" + "ab" * 32)).endswith("checksumAlgorithm_sha256")
    assert [p.kind for p in run(lookups, "checksum_value", "not hex").problems] == ["unread-text"]


def test_a_portal_category_no_table_knows_is_kept_as_its_concept(lookups: Lookups) -> None:
    keep = "https://w3id.org/puente/vocab/socrata/category"
    emitted = run(lookups, "theme", "Public Safety", scheme=f"{EU}data-theme", keep=keep)
    assert [str(t) for t in emitted.terms] == [f"{keep}/public-safety"] and not emitted.problems
    assert any(str(o) == "Public Safety" for _, _, o in emitted.extra)
    assert only(run(lookups, "theme", "Transport", scheme=f"{EU}data-theme", keep=keep)) == f"{EU}data-theme/TRAN"


def test_links_on_a_portal_need_its_address(lookups: Lookups) -> None:
    def with_origin(name: str, value: Any, origin: str | None, **args: Any) -> Emitted:
        return TRANSFORMS[name](value, Context(lookups=lookups, lang="", args=args, origin=origin,
                                               base="http://127.0.0.1:8000"))

    assert only(with_origin("portal_url", "/api/geospatial/d6ra-3b5t", "https://data.example.gov")) == \
        "https://data.example.gov/api/geospatial/d6ra-3b5t"
    assert with_origin("portal_url", "/api/geospatial/d6ra-3b5t", None) == Emitted()
    templates = ["{origin}/d/{value}", "{base}/socrata/d/{value}"]
    assert only(with_origin("iri_template", "k8m2-p4x7", None, templates=templates)) == \
        "http://127.0.0.1:8000/socrata/d/k8m2-p4x7"  # an identifier, not a link
    assert only(with_origin("iri_template", "k8m2-p4x7", "https://data.example.gov", templates=templates)) == \
        "https://data.example.gov/d/k8m2-p4x7"
