"""Test data for the quality tests: the golden cases of the four countries, scored, as catalogues; a server
helper that serves an app object in this process (so a test QualitySource can be handed to it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import httpx
import uvicorn
from fastapi import FastAPI

from app.pipeline.run import Pipeline
from app.quality.aggregate import DatasetEntry, aggregate, history_point
from app.quality.dashboard import StaticQualitySource
from app.quality.models import CatalogueQuality, HistoryPoint
from app.quality.score import Scorer, score_triples
from tests.conftest import CASES

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
COUNTRIES = {"co": "Colombia", "cl": "Chile", "mx": "México", "es": "España"}


def country_cases(cc: str) -> list[tuple[bytes, str]]:
    """Every golden case of a country's source: (body, media type)."""
    found = []
    for folder in sorted((CASES / cc).iterdir()):
        for name, media_type in (("input.json", "application/json"), ("input.ttl", "text/turtle")):
            if (folder / name).is_file():
                found.append(((folder / name).read_bytes(), media_type))
    return found


def scored_catalogues(pipeline: Pipeline) -> tuple[list[CatalogueQuality], list[HistoryPoint]]:
    """Four catalogues filled with the tests' records, scored at NOW, and five days of history each (the last
    day is the aggregate itself; earlier days are the same catalogue a little worse, so trends have a slope)."""
    scorer = Scorer.for_profile(pipeline.profile)
    aggregates: list[CatalogueQuality] = []
    history: list[HistoryPoint] = []
    for cc, name in COUNTRIES.items():
        entries = []
        for body, media_type in country_cases(cc):
            outcome = pipeline.validate(body, media_type=media_type, source=cc)
            for scored in score_triples(outcome.mapped.triples, outcome.findings, scorer=scorer, now=NOW):
                entries.append(DatasetEntry(scored.quality, title=scored.title, publisher=scored.publisher))
        result = aggregate(cc, entries, metrics=scorer.metrics, checked_at=NOW, title=name)
        aggregates.append(result)
        for back in range(4, -1, -1):
            point = history_point(result, day=date(2026, 11, 30) - timedelta(days=back))
            history.append(point.model_copy(update={"score": round(max(point.score - 6 * back, 0), 2)}))
    return aggregates, history


def quality_source(pipeline: Pipeline) -> StaticQualitySource:
    aggregates, history = scored_catalogues(pipeline)
    return StaticQualitySource(catalogues=aggregates, points=history)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """uvicorn serving `app` on a loopback port in a thread of this process; yields the base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.config.port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("the in-process server did not start")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
