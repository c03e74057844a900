"""`puente harvest --catalogue` in a process of its own that stops still between a page's catalogue write and the
harvest file's rows for it (the narrowest point of a run), for the kill -9 test.

    python -m tests.harvest.kill_catalogue_runner MARKER STALL_AT_PAGE -- <puente harvest arguments>

After the STALL_AT_PAGE-th page is published into the catalogue, and before its datasets are remembered in
harvest.sqlite3, it creates MARKER and waits forever: the test kills it there with SIGKILL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from app.cli import main as puente
from app.harvest.registry import HarvestDb


def main(argv: list[str]) -> int:
    marker, stall_at = Path(argv[0]), int(argv[1])
    keep = HarvestDb.keep_records
    pages = [0]

    def stalling(self: HarvestDb, source: str, kept: list[tuple[str, str, str]]) -> None:
        pages[0] += 1
        if pages[0] == stall_at:
            marker.write_text("stalled")
            while True:
                time.sleep(1)
        keep(self, source, kept)

    HarvestDb.keep_records = stalling  # type: ignore[method-assign]
    return puente(argv[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
