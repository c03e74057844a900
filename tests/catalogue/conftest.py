"""A real Puente server on loopback with its own data folder, an admin token and tokens per catalogue."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bench.server import free_port, running_server
from tests.conftest import CASES
from tests.stores import SharedVirtuoso

ADMIN = "admin-secret-for-tests"
DIR3_EXAMPLE = "http://datos.gob.es/recurso/sector-publico/org/Organismo/E0DAT0001"  # DCAT-AP-ES's own example
# Spain's catalogue with a DIR3 publisher (what a DCAT-AP-ES export needs), and one more catalogue by settings
EXTRA_CATALOGUES = json.dumps([
    {"id": "es", "title": {"es": "Catálogo armonizado de España", "en": "Harmonised catalogue of Spain"},
     "publisher": "Entidad de ejemplo", "publisher_iri": DIR3_EXAMPLE, "country": "ESP", "source": "es",
     "homepage": "https://datos.gob.es"},
    {"id": "pe-test", "title": {"es": "Perú (prueba)", "en": "Peru (test)"}, "publisher": "Secretaría de Gobierno",
     "country": "PER", "source": "ckan"}])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {ADMIN}"}

    def token(self, catalogue: str) -> str:
        if catalogue not in self.tokens:
            answer = httpx.post(f"{self.url}/admin/tokens", json={"catalogue": catalogue, "name": "tests"},
                                headers=self.admin(), timeout=30)
            assert answer.status_code == 201, answer.text
            self.tokens[catalogue] = answer.json()["token"]
        return self.tokens[catalogue]

    def auth(self, catalogue: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(catalogue)}"}

    def put(self, catalogue: str, record_id: str, body: bytes, media_type: str, *,
            headers: dict[str, str] | None = None, query: str = "") -> httpx.Response:
        return httpx.put(f"{self.url}/catalogues/{catalogue}/datasets/{record_id}{query}", content=body,
                         headers={**self.auth(catalogue), "Content-Type": media_type, **(headers or {})}, timeout=120)

    def post(self, catalogue: str, body: bytes, media_type: str, *, query: str = "") -> httpx.Response:
        return httpx.post(f"{self.url}/catalogues/{catalogue}/datasets{query}", content=body,
                          headers={**self.auth(catalogue), "Content-Type": media_type}, timeout=600)

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=60, **kwargs)  # type: ignore[arg-type]


def server_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    return {"PUENTE_DATA_DIR": str(data_dir), "PUENTE_ADMIN_TOKEN": ADMIN, "PUENTE_BASE_URL": f"http://127.0.0.1:{port}",
            "PUENTE_WORKERS": "2", "PUENTE_LOG_LEVEL": "WARNING", "PUENTE_CATALOGUES": EXTRA_CATALOGUES, **extra}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`backend` runs a module once per store when the module says STORES = BOTH (tests/stores.py)."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", getattr(metafunc.module, "STORES", ("oxigraph",)), indirect=True,
                             scope="module")


@dataclass
class Backend:
    name: str
    shared: SharedVirtuoso | None

    def env(self) -> dict[str, str]:
        """Environment variables of a server on this store, the store emptied first."""
        return self.shared.clean() if self.shared is not None else {}

    def settings(self) -> dict[str, str]:
        """The same as Settings fields (PUENTE_GSP_URL is gsp_url...)."""
        return {name.removeprefix("PUENTE_").lower(): value for name, value in self.env().items()}


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> Backend:
    name = str(request.param)
    return Backend(name=name, shared=request.getfixturevalue("virtuoso") if name == "virtuoso" else None)


@pytest.fixture()
def store_settings(backend: Backend) -> dict[str, str]:
    """Settings fields of the store under test, emptied for this test."""
    return backend.settings()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("catalogue-data")
    port = free_port()
    with running_server(server_env(data_dir, port, **backend.env()), port=port, access_log=False) as (url, process):
        yield Server(url=url, process=process, data_dir=data_dir)


def case(path: str) -> bytes:
    return (CASES / path).read_bytes()


JSON, TURTLE = "application/json", "text/turtle"
