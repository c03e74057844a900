"""Shared pieces of the harvest tests: one pipeline per session, a client that may reach the loopback fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.net.client import HttpPolicy, SafeClient
from app.pipeline.run import Pipeline
from app.profile.model import Profile
from app.settings import REPO_ROOT, Settings

# Loopback fakes need private addresses allowed; no waiting between retries (the waits are tested in tests/net).
POLICY = HttpPolicy(allow_private=True, per_host_rate=0, backoff_s=0, retries=2, read_timeout_s=10,
                    total_timeout_s=30)


@pytest.fixture(scope="session")
def pipeline(profile: Profile) -> Pipeline:
    settings = Settings()
    return Pipeline(profile=profile, settings=settings, crosswalks=load_crosswalks(REPO_ROOT / "mappings"),
                    rdf_sources=load_rdf_sources(REPO_ROOT / "mappings"))


@pytest.fixture()
def client() -> Iterator[SafeClient]:
    with SafeClient(POLICY, sleep=lambda seconds: None) as http:
        yield http
