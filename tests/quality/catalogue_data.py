"""Helpers of the catalogue-quality tests: a clock tests move, an in-process Puente on its own data folder, hand-made
records, and a loopback HTTP server whose paths answer 200, 301, 404, 405-then-200 and too slowly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from tests.conftest import PREFIXES
from tests.quality.data import NOW, country_cases, serving

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
SLOW_S = 3.0   # the slow path's delay; the tests' link-check time limit is 1 s


@dataclass
class MovableClock:
    """The app's clock: tests set it or move it on by days."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def days_later(self, days: int) -> None:
        self.now = self.now + timedelta(days=days)


@dataclass
class Puente:
    """An in-process Puente on a data folder of its own, with a token per catalogue."""

    url: str
    app: FastAPI
    clock: MovableClock
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, catalogue: str) -> str:
        if catalogue not in self.tokens:
            self.tokens[catalogue] = self.app.state.catalogue.create_token(catalogue, "tests", who="tests")[1]
        return self.tokens[catalogue]

    def auth(self, catalogue: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(catalogue)}"}

    def put_turtle(self, catalogue: str, record_id: str, turtle: str) -> httpx.Response:
        return httpx.put(f"{self.url}/catalogues/{catalogue}/datasets/{record_id}?source=dcat",
                         content=(PREFIXES + turtle).encode(), timeout=120,
                         headers={**self.auth(catalogue), "Content-Type": "text/turtle"})

    def publish_samples(self) -> dict[str, int]:
        """The tests' golden records of each country into its catalogue; answers how many each stored."""
        stored = {}
        for cc in ("co", "cl", "mx", "es"):
            stored[cc] = 0
            for body, media_type in country_cases(cc):
                answer = httpx.post(f"{self.url}/catalogues/{cc}/datasets", content=body, timeout=300,
                                    headers={**self.auth(cc), "Content-Type": media_type})
                assert answer.status_code == 200, answer.text
                stored[cc] += answer.json()["created"]
        return stored

    def get(self, path: str, **options: object) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=120, **options)  # type: ignore[arg-type]


@contextmanager
def running_puente(data_dir: Path, **settings: object) -> Iterator[Puente]:
    clock = MovableClock()
    options: dict[str, object] = {"workers": 0, "data_dir": data_dir, "allow_private_urls": True,
                                  "quality_poll_s": 0, "log_level": "WARNING", "linkcheck_timeout_s": 1.0,
                                  **settings}
    app = create_app(Settings(**options), clock=clock)  # type: ignore[arg-type]
    with serving(app) as url:
        yield Puente(url=url, app=app, clock=clock)


class LinkHandler(BaseHTTPRequestHandler):
    """/ok 200, /moved 301 to /ok, /missing 404, /no-head 405 to HEAD and 200 to GET, /slow answers after SLOW_S."""

    seen: list[tuple[str, str]] = []

    def _answer(self, method: str) -> None:
        self.seen.append((method, self.path))
        if self.path == "/slow":
            time.sleep(SLOW_S)
        status = {"/ok": 200, "/moved": 301, "/missing": 404, "/slow": 200}.get(self.path, 404)
        if self.path == "/no-head":
            status = 405 if method == "HEAD" else 200
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:  # noqa: N802 (the standard library's naming)
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@contextmanager
def link_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), LinkHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def full_record(links: str) -> str:
    """Every indicator but reachability met; MONTHLY, last changed 2026-09-15 (40 days overdue on NOW)."""
    return f"""
ex:a a dcat:Dataset ; dct:identifier "a" ; dct:title "Calidad del aire"@es ; dct:description "Mediciones."@es ;
  dcat:keyword "aire"@es ; dcat:theme <{EU}data-theme/ENVI> ; dct:spatial <{EU}country/COL> ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2020-01-01"^^xsd:date ] ;
  dct:accessRights <{EU}access-right/PUBLIC> ;
  dcat:contactPoint [ a vcard:Kind ; vcard:fn "Mesa" ; vcard:hasEmail <mailto:mesa@example.org> ] ;
  dct:publisher ex:aire ; dct:accrualPeriodicity <{EU}frequency/MONTHLY> ;
  dct:issued "2020-01-01"^^xsd:date ; dct:modified "2026-09-15"^^xsd:date ; dcat:distribution ex:a-csv .
ex:aire a foaf:Agent ; foaf:name "Ministerio del Aire"@es .
ex:a-csv a dcat:Distribution ; dcat:accessURL <{links}/ok> ; dcat:downloadURL <{links}/no-head> ;
  dct:format <{EU}file-type/CSV> ; dcat:mediaType <{IANA}text/csv> ; dct:license <{EU}licence/CC_BY_4_0> ;
  dct:rights [ a dct:RightsStatement ] ; dcat:byteSize "1024"^^xsd:nonNegativeInteger ;
  dct:issued "2020-01-01"^^xsd:date ; dct:modified "2026-09-15"^^xsd:date .
"""


def poor_record(links: str) -> str:
    """Only "publisher" and "DCAT-AP compliance" met (40 points); ANNUAL with no date at all: overdue."""
    return f"""
ex:b a dcat:Dataset ; dct:identifier "b" ; dct:title "Presupuesto"@es ; dct:description "Anual."@es ;
  dct:publisher ex:hacienda ; dct:accrualPeriodicity <{EU}frequency/ANNUAL> ; dcat:distribution ex:b-page .
ex:hacienda a foaf:Agent ; foaf:name "Ministerio de Hacienda"@es .
ex:b-page a dcat:Distribution ; dcat:accessURL <{links}/missing> .
"""


def redirect_and_slow_record(links: str) -> str:
    return f"""
ex:c a dcat:Dataset ; dct:identifier "c" ; dct:title "Movido"@es ; dct:description "Lento."@es ;
  dct:publisher ex:hacienda ; dcat:distribution ex:c-page .
ex:hacienda a foaf:Agent ; foaf:name "Ministerio de Hacienda"@es .
ex:c-page a dcat:Distribution ; dcat:accessURL <{links}/moved> ; dcat:downloadURL <{links}/slow> .
"""


def wait_for_run(puente: Puente, catalogue: str, run_id: str, *, seconds: float = 60) -> dict[str, object]:
    """Poll a link-check run until it ends (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = puente.get(f"/catalogues/{catalogue}/linkchecks/{run_id}")
        assert answer.status_code == 200, answer.text
        run: dict[str, object] = answer.json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"link-check run {run_id} did not end in {seconds} s")
