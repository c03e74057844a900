"""vocabularies/namespaces.yaml is data: each rule gives the class DCAT-AP expects where the namespace is used."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from app.errors import ConfigurationError
from app.profile.loader import load_namespaces
from app.profile.model import Profile
from app.rdf.namespaces import SH
from app.settings import REPO_ROOT
from tests.conftest import ORACLES

NAMESPACES = REPO_ROOT / "vocabularies" / "namespaces.yaml"


def _range_classes() -> dict[URIRef, set[URIRef]]:
    """Property → the classes DCAT-AP 3.0.1's range.ttl asks of its values (any class it targets)."""
    graph = Graph()
    graph.parse(ORACLES / "dcat-ap-3.0.1" / "range.ttl", format="turtle")
    found: dict[URIRef, set[URIRef]] = {}
    for prop in graph.objects(None, SH.property):
        path, cls = graph.value(prop, SH.path), graph.value(prop, SH["class"])
        if isinstance(path, URIRef) and isinstance(cls, URIRef):
            found.setdefault(path, set()).add(cls)
    return found


def test_the_rules_cover_what_issue_12_names(profile: Profile) -> None:
    names = {rule.name for rule in profile.background.namespaces}
    assert {"eu-corporate-body", "eu-continent", "eu-place", "nuts", "geonames", "eurovoc", "eli", "hvd-category",
            "creative-commons", "eu-file-type-newer"} == names


def test_each_rule_gives_the_class_dcat_ap_expects_for_its_properties(profile: Profile) -> None:
    """For every property a rule is for, the class range.ttl requires is among the rule's types (or a superclass
    of one); a property range.ttl gives no class (dcatap:hvdCategory) needs none."""
    ranges = _range_classes()
    superclasses = profile.background.superclasses
    checked = 0
    for rule in profile.background.namespaces:
        held = set(rule.types) | {p for t in rule.types for p in superclasses.get(t, ())}
        for prop in rule.used_for:
            for cls in ranges.get(prop, set()):
                assert cls in held or cls == RDFS.Resource, (rule.name, prop, cls)
                checked += 1
    assert checked >= 9


@pytest.mark.parametrize("iri,code,cls", [
    ("http://publications.europa.eu/resource/authority/corporate-body/PUBL", "PUBL",
     "http://xmlns.com/foaf/0.1/Agent"),
    ("https://sws.geonames.org/3688689/", "3688689", "http://purl.org/dc/terms/Location"),
    ("http://data.europa.eu/nuts/code/ES300", "ES300", "http://purl.org/dc/terms/Location"),
    ("http://data.europa.eu/eli/reg_impl/2023/138/oj", "reg_impl/2023/138/oj",
     "http://data.europa.eu/eli/ontology#LegalResource"),
    ("https://www.boe.es/eli/es/l/2007/11/16/37", "es/l/2007/11/16/37",
     "http://data.europa.eu/eli/ontology#LegalResource"),
])
def test_an_iri_of_a_namespace_gets_its_type_and_code(profile: Profile, iri: str, code: str, cls: str) -> None:
    known = profile.background.known(URIRef(iri))
    assert (URIRef(iri), RDF.type, URIRef(cls)) in known
    assert any(p == SKOS.notation and str(o) == code for _, p, o in known)


def test_a_namespace_alone_is_no_member(profile: Profile) -> None:
    assert profile.background.known(URIRef("http://data.europa.eu/nuts/code/")) == ()
    assert profile.background.known(URIRef("https://sws.geonames.org/")) == ()


def test_corporate_bodies_are_named_by_their_code(profile: Profile) -> None:
    """The profile requires an agent's name; without the table, the body's code stands for it."""
    known = profile.background.known(URIRef("http://publications.europa.eu/resource/authority/corporate-body/EEA"))
    assert any(str(p) == "http://xmlns.com/foaf/0.1/name" and str(o) == "EEA" for _, p, o in known)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "namespaces.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_refuses_a_rule_without_its_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="exactly the keys"):
        load_namespaces(_write(tmp_path, "- {name: x, namespaces: ['http://x.org/']}\n"))


def test_loader_refuses_a_namespace_claimed_twice(tmp_path: Path) -> None:
    rule = ("- {name: %s, title: {es: a, en: b}, namespaces: ['http://x.org/'], types: [dct:Location], "
            "used_for: [dct:spatial], source: s}\n")
    with pytest.raises(ConfigurationError, match="claimed by two rules"):
        load_namespaces(_write(tmp_path, rule % "one" + rule % "two"))


def test_loader_refuses_an_unknown_prefix(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="CURIE"):
        load_namespaces(_write(tmp_path, "- {name: x, title: {es: a, en: b}, namespaces: ['http://x.org/'], "
                                         "types: [nope:Thing], used_for: [dct:spatial], source: s}\n"))


def test_the_file_is_the_one_the_profile_reads(profile: Profile) -> None:
    assert load_namespaces(NAMESPACES) == profile.background.namespaces
