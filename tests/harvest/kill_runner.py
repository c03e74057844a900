"""A harvest in a process of its own that stops still after N records, for the kill -9 tests.

    python -m tests.harvest.kill_runner TYPE URL OUT STATE STALL_AFTER MARKER

It harvests like `puente harvest` (JSON-Lines sink, state file), except that after the STALL_AFTER-th record
the sink has written (and before the page's checkpoint) it creates MARKER and waits forever: the test kills it
there with SIGKILL, between a sink write and the state save that would cover it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from app.harvest.harvester import harvest
from app.harvest.model import HarvestItem
from app.harvest.sink import JsonlSink, Upserted
from app.harvest.source import HarvestSource
from app.harvest.state import FileStateStore
from app.net.client import HttpPolicy, SafeClient


class StallingSink(JsonlSink):
    def __init__(self, path: Path, *, stall_after: int, marker: Path) -> None:
        super().__init__(path)
        self.stall_after, self.marker, self.written = stall_after, marker, 0

    def upsert(self, item: HarvestItem) -> Upserted:
        done = super().upsert(item)
        self.written += 1
        if self.written == self.stall_after:
            self.marker.write_text("stalled")
            while True:
                time.sleep(1)
        return done


def main(argv: list[str]) -> int:
    kind, url, out, state, stall_after, marker = argv
    source = HarvestSource(type=kind, url=url, rows=10, domain="datos.example.gov")  # type: ignore[arg-type]
    sink = StallingSink(Path(out), stall_after=int(stall_after), marker=Path(marker))
    with SafeClient(HttpPolicy(allow_private=True, per_host_rate=0)) as client:
        run = harvest(source, sink=sink, client=client, store=FileStateStore(Path(state)))
    sys.stdout.write(run.status.value + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
