"""How long scoring a catalogue takes: every dataset of a published Chilean corpus scored from the store (a first
refresh), a same-day refresh with nothing changed, and the next day's (every dataset again: freshness moved).

    .venv/bin/python -m bench.quality_refresh --records 2000

Prints one JSON line. Runs on a fresh data folder in a temporary directory; no server, no network.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.catalogue.prepare import RECORD_CLASSES, Job, prepare_task
from app.catalogue.service import LANGS, CatalogueService
from app.crosswalk.loader import load_crosswalks
from app.crosswalk.rdf_source import load_rdf_sources
from app.pipeline.run import Pipeline
from app.profile.loader import load_profile
from app.quality.catalogue_quality import CatalogueQualityService
from app.runtime.batch import map_shares, share_out
from app.settings import Settings
from bench.corpus import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), workers=0, quality_poll_s=0)
        profile = load_profile(settings.assets_dir)
        mappings = settings.assets_dir / "mappings"
        pipeline = Pipeline(profile=profile, settings=settings, crosswalks=load_crosswalks(mappings),
                            rdf_sources=load_rdf_sources(mappings))
        service = CatalogueService.open(settings, profile, sources=set(pipeline.registry.sources))
        catalogue = service.catalogue("cl")
        body = generate(records=args.records, seed=9)[1].body
        opened = pipeline.open(body, media_type="application/json", source="cl")
        tasks = share_out(pipeline, opened, parts=2, lang="es", classes=RECORD_CLASSES)
        job = Job(catalogue_iri=catalogue.iri, lang="es", text_lang=LANGS["SPA"])
        published = service.publish_document(catalogue, map_shares(pipeline, tasks, prepare_task, job, processes=2,
                                                                    ahead=2), who="bench")
        now = [datetime(2026, 11, 30, 12, tzinfo=UTC)]
        quality = CatalogueQualityService.open(service, clock=lambda: now[0])
        timings = {}
        for label in ("first", "unchanged", "next_day"):
            if label == "next_day":
                now[0] += timedelta(days=1)
            start = time.perf_counter()
            result = quality.refresh("cl")
            timings[label] = round(time.perf_counter() - start, 3)
        quality.close()
        service.close()
        datasets = result.aggregate.datasets
        print(json.dumps({"records": args.records, "stored": published.counts["created"], "datasets": datasets,
                          "seconds": timings, "ms_per_dataset": round(timings["first"] / max(datasets, 1) * 1000, 2),
                          "score": result.aggregate.score, "rating": result.aggregate.rating}))


if __name__ == "__main__":
    main()
