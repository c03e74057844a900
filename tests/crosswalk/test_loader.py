"""Crosswalk files are data with a schema: every file loads, and a typo stops the service at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.crosswalk.loader import load_crosswalk, load_crosswalks
from app.crosswalk.rdf_source import load_rdf_source, load_rdf_sources
from app.crosswalk.table import render_markdown, render_steps_markdown
from app.errors import ConfigurationError
from app.profile.model import Profile
from app.settings import REPO_ROOT

MAPPINGS = REPO_ROOT / "mappings"


def test_every_source_of_the_design_is_there() -> None:
    assert set(load_crosswalks(MAPPINGS)) | set(load_rdf_sources(MAPPINGS)) == {
        "ckan", "socrata", "datajson", "co", "cl", "mx", "es"}


@pytest.mark.parametrize("source", sorted(p.name for p in MAPPINGS.iterdir() if p.is_dir()))
def test_crosswalk_md_is_generated_from_the_file(source: str) -> None:
    """CROSSWALK.md is never edited by hand: regenerate with `make crosswalks`."""
    folder = MAPPINGS / source
    if (folder / "crosswalk.yaml").exists():
        expected = render_markdown(load_crosswalk(folder / "crosswalk.yaml"))
    else:
        expected = render_steps_markdown(load_rdf_source(folder / "steps.yaml"))
    assert (folder / "CROSSWALK.md").read_text(encoding="utf-8") == expected, "run: make crosswalks"


# Properties crosswalks write that neither the profile nor the official DCAT-AP 3.0.1 shapes constrain, each with
# the vocabulary that defines it for this use (issue 13: the data.json and Socrata fields that have these homes).
KNOWN_TERMS = {
    "http://xmlns.com/foaf/0.1/mbox": "an agent's e-mail (FOAF; ckanext-dcat maps publisher_email and creator_email)",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "a Socrata filtered view's parent (PROV-O, which DCAT 3 builds on)",
    "http://purl.org/dc/terms/hasPart": "a Socrata view's child views (Dublin Core; DCAT-AP uses it for catalogues)",
    "http://purl.org/dc/terms/isPartOf": "data.json's isPartOf (Dublin Core; POD 1.1 maps it to dct:isPartOf)",
}


def _dcat_ap_properties() -> set[str]:
    from rdflib import Graph
    from rdflib.namespace import SH

    from tests.conftest import ORACLES

    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(ORACLES / "dcat-ap-3.0.1" / name, format="turtle")
    return {str(path) for path in shapes.objects(None, SH.path)}


def test_every_target_is_a_profile_property_or_known_term(profile: Profile) -> None:
    """A crosswalk writes properties the profile checks, or that have their home in DCAT-AP 3.0.1 (official shapes),
    or that are listed above with the vocabulary that defines them."""
    from app.crosswalk.loader import expand
    from app.crosswalk.table import crosswalk_table

    known = {s.path for s in profile.shapes.values()} | _dcat_ap_properties() | set(KNOWN_TERMS)
    for crosswalk in load_crosswalks(MAPPINGS).values():
        for row in crosswalk_table(crosswalk):
            assert str(expand(row.target, where=crosswalk.name)) in known, (crosswalk.name, row.target)


LINK_PROPERTIES = ("dcat:accessURL", "dcat:downloadURL", "dcat:landingPage", "dcat:endpointURL", "foaf:page",
                   "foaf:homepage", "dcat:endpointDescription")


def test_no_crosswalk_writes_a_link_under_puentes_address() -> None:
    """Links (access, download, landing page, endpoints, pages) come from the record or the portal's address, never
    from {base}: Puente's address is for the identifiers it mints, which CROSSWALK.md lists."""
    from app.crosswalk.table import crosswalk_table, minted_templates

    for crosswalk in load_crosswalks(MAPPINGS).values():
        for row in crosswalk_table(crosswalk):
            if row.target in LINK_PROPERTIES:
                assert "{base}" not in row.source, (crosswalk.name, row.target, row.source)
        markdown = (MAPPINGS / crosswalk.name / "CROSSWALK.md").read_text(encoding="utf-8")
        for template, _ in minted_templates(crosswalk):
            assert f"`{template}`" in markdown
        if minted_templates(crosswalk):
            assert crosswalk.spec.minted, f"{crosswalk.name}: say why it mints IRIs under Puente's address"


def test_every_crosswalk_says_what_it_leaves_out() -> None:
    """Each source's CROSSWALK.md lists the fields it deliberately leaves out, with the reason."""
    for crosswalk in load_crosswalks(MAPPINGS).values():
        assert crosswalk.spec.ignored, f"{crosswalk.name}: declare the fields it leaves out (ignored:)"
        markdown = (MAPPINGS / crosswalk.name / "CROSSWALK.md").read_text(encoding="utf-8")
        assert "## Fields deliberately left out" in markdown
        for item in crosswalk.spec.ignored:
            assert item.reason and item.reason in markdown.replace("\\|", "|")


def _write(tmp_path: Path, source: str, text: str) -> Path:
    folder = tmp_path / source
    folder.mkdir()
    path = folder / "crosswalk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = """
source: {source}
title: {{es: t, en: t}}
description: {{es: d, en: d}}
detect: {{any_of: [id]}}
dataset:
  class: dcat:Dataset
  rows:
    - {{target: {target}, path: "{path}", transform: {transform}}}
"""


@pytest.mark.parametrize("target,path,transform,message", [
    ("dct:title", "name..x", "text", "empty segment"),
    ("dct:title", "name", "txet", "unknown transform"),
    ("dctx:title", "name", "text", "known prefix"),
    ("dct:theme", "name", "theme", "args.scheme"),
])
def test_typos_are_start_up_errors(tmp_path: Path, target: str, path: str, transform: str, message: str) -> None:
    file = _write(tmp_path, "demo", BASE.format(source="demo", target=target, path=path, transform=transform))
    with pytest.raises(ConfigurationError, match=message):
        load_crosswalk(file)


def test_unknown_keys_and_misnamed_sources_are_refused(tmp_path: Path) -> None:
    file = _write(tmp_path, "demo", BASE.format(source="demo", target="dct:title", path="name", transform="text")
                  .replace("detect:", "detetc:"))
    with pytest.raises(ConfigurationError):
        load_crosswalk(file)
    other = _write(tmp_path, "other", BASE.format(source="demo", target="dct:title", path="name", transform="text"))
    with pytest.raises(ConfigurationError, match="folder"):
        load_crosswalk(other)


def test_unknown_rdf_step_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "es"
    folder.mkdir()
    (folder / "steps.yaml").write_text(
        "source: es\ntitle: {es: t, en: t}\ndescription: {es: d, en: d}\n"
        "steps:\n  - {step: no_such_step, field: x, target: y}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="no_such_step"):
        load_rdf_source(folder / "steps.yaml")
