"""Shared fixtures: the profile is loaded once per test session (it takes about a second)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from app.main import create_app
from app.pipeline.validation import reference_engine
from app.profile.loader import load_profile
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings
from app.shacl.reference import PyshaclEngine
from tests.stores import SharedVirtuoso, shared_virtuoso

CASES = Path(__file__).resolve().parent / "cases"
ORACLES = Path(__file__).resolve().parent / "oracles"

PREFIXES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcatap: <http://data.europa.eu/r5r/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX locn: <http://www.w3.org/ns/locn#>
PREFIX ex: <https://datos.example.org/>
"""


def pytest_configure(config: pytest.Config) -> None:
    """Apps built in this process keep their catalogue in a temporary folder, never in the checkout's data/."""
    if "PUENTE_DATA_DIR" not in os.environ:
        os.environ["PUENTE_DATA_DIR"] = tempfile.mkdtemp(prefix="puente-test-data-")


@pytest.fixture(scope="session")
def profile() -> Profile:
    return load_profile(REPO_ROOT)


@pytest.fixture(scope="session")
def engine(profile: Profile) -> PyshaclEngine:
    return reference_engine(profile)


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.fixture()
def base_graph() -> Graph:
    graph = Graph()
    graph.parse(CASES / "shapes" / "base.ttl", format="turtle")
    return graph


def official_dcat_ap_shapes() -> Graph:
    """The official DCAT-AP 3.0.1 shapes.ttl and range.ttl (tests/oracles, see PROVENANCE.md there)."""
    shapes = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        shapes.parse(ORACLES / "dcat-ap-3.0.1" / name, format="turtle")
    return shapes



@pytest.fixture(scope="session")
def virtuoso() -> Iterator[SharedVirtuoso]:
    """One throw-away Virtuoso 7 for the whole session (a missing one fails, never skips): tests/stores.py."""
    with shared_virtuoso() as server:
        yield server
