"""Property tests: named transforms and the crosswalk engine return a value, or raise only declared errors.

Bounded and reproducible (derandomized Hypothesis, a fixed number of examples).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.crosswalk.engine import Mapper
from app.crosswalk.loader import load_crosswalks
from app.crosswalk.lookups import Lookups
from app.crosswalk.paths import PathSyntaxError, parse_path
from app.crosswalk.transforms import TRANSFORMS, Context, Emitted
from app.profile.model import Profile
from app.settings import REPO_ROOT

SETTINGS = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
scalars = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | \
    st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=80)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=25)
field_names = st.sampled_from(["id", "name", "title", "description", "notes", "tags", "keyword", "category", "theme",
                               "license", "licenseId", "license_id", "createdAt", "modified", "issued", "resources",
                               "distribution", "groups", "extras", "organization", "publisher", "metadata", "url",
                               "accrualPeriodicity", "spatial", "temporal", "dataset", "result", "results",
                               "custom_fields", "format", "mimetype", "mediaType", "downloadURL", "byteSize"])
records = st.recursive(st.dictionaries(field_names, scalars, max_size=8),
                       lambda inner: st.dictionaries(field_names, inner | st.lists(inner, max_size=3), max_size=8),
                       max_leaves=30)


@pytest.fixture(scope="module")
def lookups(profile: Profile) -> Lookups:
    return Lookups(profile.background.knowledge)


ARGS: dict[str, dict[str, Any]] = {
    "theme": {"scheme": "https://w3id.org/puente/vocab/co/categoria", "keep": "https://w3id.org/puente/vocab/x"},
    "place": {"scheme": "https://w3id.org/puente/place/cl"},
    "concept": {"scheme": "http://publications.europa.eu/resource/authority/planned-availability"},
    "rights_statement": {"scheme": "http://publications.europa.eu/resource/authority/access-right"},
    "iri_template": {"templates": ["{origin}/d/{value}", "{base}/socrata/d/{value}"],
                     "pattern": "[a-z0-9]{4}-[a-z0-9]{4}"},
    "bbox": {"strict": True}}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transforms_never_raise(name: str, lookups: Lookups) -> None:
    transform = TRANSFORMS[name]

    @SETTINGS
    @given(value=json_values)
    def check(value: Any) -> None:
        emitted = transform(value, Context(lookups=lookups, lang="es", args=ARGS.get(name, {}),
                                           origin="https://data.example.org", base="http://127.0.0.1:8000"))
        assert isinstance(emitted, Emitted)
        for problem in emitted.problems:
            assert problem.kind and len(problem.value) <= 201

    check()


@SETTINGS
@given(text=st.text(max_size=60))
def test_paths_parse_or_say_why(text: str) -> None:
    try:
        path = parse_path(text)
    except PathSyntaxError as error:
        assert str(error)
        return
    assert isinstance(path.evaluate({"a": [1, {"b": 2}]}, {}), list)


@pytest.mark.parametrize("source", ["ckan", "socrata", "datajson", "co", "cl", "mx"])
def test_the_engine_maps_any_json_without_raising(source: str, lookups: Lookups) -> None:
    mapper = Mapper(load_crosswalks(REPO_ROOT / "mappings")[source], lookups=lookups, base_url="http://127.0.0.1:8000")

    @SETTINGS
    @given(document=records | st.lists(records, max_size=3) | st.dictionaries(
        st.sampled_from(["result", "dataset", "results"]), st.lists(records, max_size=3) | records, max_size=2))
    def check(document: Any) -> None:
        mapped = mapper.map_document(document)
        assert all(isinstance(field, str) for field in mapped.provenance.values())

    check()
