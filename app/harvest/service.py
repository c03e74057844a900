"""Harvests inside the web service: opened with the catalogue, their scheduler started when the settings ask.

The lifespan (app/main.py) calls `start_harvests(app.state, ...)` once the catalogue is open and `stop_harvests`
when the service stops. Records are prepared in the service's validation workers (the runner), like a PUT.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.harvest.catalogue_sink import prepare_in_workers
from app.harvest.runs import open_manager
from app.harvest.schedule import Scheduler, run_scheduler
from app.settings import Settings

logger = logging.getLogger("puente.harvest")


def start_harvests(state: Any, settings: Settings, *, clock: Callable[[], datetime]) -> None:
    """`state.harvests` (None without a catalogue) and, with PUENTE_HARVEST_SCHEDULER, `state.harvest_scheduler`
    ticking in the background."""
    state.harvests, state.harvest_scheduler, state.harvest_ticker = None, None, None
    if getattr(state, "catalogue", None) is None:
        return
    manager = open_manager(settings, state.catalogue, prepare=prepare_in_workers(state.runner),
                           formats=set(state.pipeline.registry.sources))
    state.harvests = manager
    if settings.harvest_scheduler:
        scheduler = Scheduler(sources=manager.db.sources,
                              start=lambda entry: manager.start(entry.catalogue, entry.id, who="scheduler"),
                              now=clock())
        state.harvest_scheduler = scheduler
        state.harvest_ticker = asyncio.get_running_loop().create_task(run_scheduler(scheduler, clock=clock))


def stop_harvests(state: Any) -> None:
    """Stop ticking; runs still going are left to end with the process (the next start marks them interrupted,
    and their sources resume from their last page)."""
    ticker = getattr(state, "harvest_ticker", None)
    if ticker is not None:
        ticker.cancel()
    manager = getattr(state, "harvests", None)
    if manager is not None:
        manager.close(wait=False)
        manager.db.close()
