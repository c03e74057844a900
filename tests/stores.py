"""The catalogue's two stores for tests: the embedded pyoxigraph store and a real Virtuoso 7 (bench/virtuoso.py).

A test module that exercises the store says `STORES = BOTH` and its `backend` fixture (tests/catalogue/conftest.py)
runs it once per store. Virtuoso is started once per session with its row cap set low (ResultSetMaxRows 500, below
Puente's page size), so every long read meets the silent cut the store must catch; each module starts from a clean
server (every graph but Virtuoso's own dropped).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.virtuoso import Virtuoso, clear, graphs, running_virtuoso

BOTH = ("oxigraph", "virtuoso")
VIRTUOSO_ROW_CAP = 500


@dataclass(frozen=True)
class SharedVirtuoso:
    server: Virtuoso
    keep: frozenset[str]  # Virtuoso's own graphs, there before any test wrote

    def clean(self) -> dict[str, str]:
        """Drop every graph a test wrote; Puente's settings for this server."""
        clear(self.server, keep=set(self.keep))
        return self.server.settings()


@contextmanager
def shared_virtuoso() -> Iterator[SharedVirtuoso]:
    with running_virtuoso(result_rows=VIRTUOSO_ROW_CAP) as server:
        yield SharedVirtuoso(server=server, keep=frozenset(graphs(server)))
