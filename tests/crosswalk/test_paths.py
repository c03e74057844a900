"""The crosswalk path grammar: what it reaches, and the mistakes it refuses at load time."""

from __future__ import annotations

import pytest

from app.crosswalk.paths import PathSyntaxError, parse_path

DOC = {
    "name": "x",
    "metadata": {"custom_fields": {"Información de Datos": {"Idioma": "Español"}}},
    "resources": [{"url": "a", "format": "CSV"}, {"url": "b"}],
    "extras": [{"key": "frequency", "value": "mensual"}, {"key": "spatial", "value": "Arica"}],
}


@pytest.mark.parametrize("path,values,where", [
    ("name", ["x"], ["name"]),
    ('metadata.custom_fields."Información de Datos".Idioma', ["Español"],
     ['metadata.custom_fields."Información de Datos".Idioma']),
    ("resources[*].url", ["a", "b"], ["resources[0].url", "resources[1].url"]),
    ("resources[1].url", ["b"], ["resources[1].url"]),
    ("resources[-1].url", ["b"], ["resources[-1].url"]),
    ("resources[*].format", ["CSV"], ["resources[0].format"]),
    ("extras[key=spatial].value", ["Arica"], ["extras[key=spatial].value"]),
    ("missing.deeper", [], []),
    ("name.deeper", [], []),
])
def test_evaluate(path: str, values: list[str], where: list[str]) -> None:
    found = parse_path(path).evaluate(DOC, DOC)
    assert [v for v, _ in found] == values
    assert [w for _, w in found] == where


def test_record_root_and_list_documents() -> None:
    item = DOC["resources"][0]
    assert parse_path("$.name").evaluate(item, DOC) == [("x", "name")]
    assert [v for v, _ in parse_path("$[*]").evaluate([1, 2], [1, 2])] == [1, 2]


@pytest.mark.parametrize("bad", ["", "a..b", ".a", "a.", "a b", "a[x]", "a.[*]", "a[key=]", 'a."unclosed'])
def test_bad_paths_are_refused(bad: str) -> None:
    with pytest.raises(PathSyntaxError):
        parse_path(bad)
