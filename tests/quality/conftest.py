"""Fixtures of the quality tests: one pipeline for the session (the profile's own is shared)."""

from __future__ import annotations

import pytest

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings


@pytest.fixture(scope="session")
def client_pipeline(profile: Profile) -> Pipeline:
    """A pipeline over the session's profile (no server, no workers)."""
    return Pipeline(profile=profile, settings=Settings(workers=0), crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))
