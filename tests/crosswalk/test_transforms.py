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
    import inspect

    from app.crosswalk.transforms import READS

    for name, fields in READS.items():
        source = inspect.getsource(TRANSFORMS[name])
        for field_path in fields:
            assert field_path.rsplit(".", 1)[-1].strip('"') in source, (name, field_path)
    table = (REPO_ROOT / "mappings" / "co" / "CROSSWALK.md").read_text(encoding="utf-8")
    assert all(f in table for f in READS["co_coverage"])
