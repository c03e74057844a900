"""One request cannot make the server and its workers hold much more memory than its input warrants, and the
memory comes back after it (issue 19, defects 4 and 9).

The bound Puente keeps (README "Under load"): for any input of up to 20 MB (PUENTE_MAX_BODY_BYTES), the server and
its workers hold at most 2 GB together. The worst cases the issue names are sent here scaled down (a second or two
each) against GROWTH_PER_BYTE bytes of memory per byte of input plus GROWTH_FIXED_MB: linear inputs stay under it
at every scale, while the quadratic reports of before grew past it at every scale (650 datasets sharing 1,400
distributions: 10.7 GB for 19.5 MB). `python -m bench.worst` sends them full size (figures in the README)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bench.procs import PeakWatch, tree_pss_mb
from bench.server import running_server
from bench.worst import body_for
from tests.chaos.conftest import SETTINGS, SMALL, Server

GROWTH_PER_BYTE = 100  # 20 MB of input → 2 GB
GROWTH_FIXED_MB = 150  # a replacement worker, the first request's imports and caches, the allocator's slack
CASES = [  # (case, scale, answers the server may give)
    ("shared-distributions", 0.05, (200,)),  # 145 datasets × 313 distributions, 1 MB
    ("tiny-datasets", 0.1, (200, 413)),  # 5,000 datasets, 225 KB: a report a hundred times the input
    ("tiny-datasets-turtle", 0.1, (200, 413)),  # the same as a SHACL graph
    ("ckan-resources", 0.01, (200,)),  # 6 packages × 1,000 resources, 165 KB
    ("convert-catalogue", 0.1, (200,)),  # 2,000 datasets converted, 380 KB
    ("long-description", 0.05, (413,)),  # a 900,000-character description (under the 1 MB default: refused at 100 KB)
]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """Default caps, except a literal cap of 100,000 characters (so the long-description case stays small)."""
    settings = {**SETTINGS, "PUENTE_MAX_REPORT_BYTES": "200000000", "PUENTE_MAX_LITERAL_CHARS": "100000",
                "PUENTE_VALIDATION_TIMEOUT_S": "120", "PUENTE_MAX_BODY_BYTES": "20000000"}
    with running_server(settings, access_log=False) as (url, process):
        server = Server(url=url, process=process)
        server.validate(SMALL)  # imports and first-use caches, before anything is measured
        yield server


@pytest.mark.parametrize("case,scale,statuses", CASES, ids=[c[0] for c in CASES])
def test_one_request_stays_within_the_memory_bound(server: Server, case: str, scale: float,
                                                   statuses: tuple[int, ...]) -> None:
    body, media = body_for(case, scale)
    from bench.worst import CASES as PATHS

    path, accept, _ = PATHS[case]
    before = tree_pss_mb(server.process.pid)
    with PeakWatch(server.process.pid) as watch:
        response = server.validate(body, media, path=path, accept=accept, timeout=300)
    assert response.status_code in statuses, response.text[:300]
    bound = GROWTH_PER_BYTE * len(body) / 1_048_576 + GROWTH_FIXED_MB
    assert watch.growth_mb < bound, f"{case}: grew {watch.growth_mb:.0f} MB for {len(body) / 1e6:.2f} MB of input"
    deadline = time.monotonic() + 10  # and it comes back: large jobs retire their worker
    while tree_pss_mb(server.process.pid) > before + 60 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tree_pss_mb(server.process.pid) < before + 60
