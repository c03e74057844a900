"""compose.yaml (Puente with Virtuoso) is a data file like the others: every setting it gives Puente is one Puente
reads, the Virtuoso addresses are the ones the SPARQL store is tested against, and the row cap matches Virtuoso's."""

from __future__ import annotations

import yaml

from app.settings import REPO_ROOT, Settings


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_every_puente_variable_in_compose_is_a_setting() -> None:
    known = {f"PUENTE_{name.upper()}" for name in Settings.model_fields}
    environment = _compose()["services"]["puente"]["environment"]
    unknown = sorted(name for name in environment if name.startswith("PUENTE_") and name not in known)
    assert not unknown, unknown
    assert environment["PUENTE_STORE"] == "sparql"


def test_compose_points_puente_at_virtuoso_as_the_tests_do() -> None:
    services = _compose()["services"]
    assert services["virtuoso"]["image"].startswith("openlink/virtuoso-opensource-7")
    environment = services["puente"]["environment"]
    assert environment["PUENTE_GSP_URL"].endswith("/sparql-graph-crud-auth")  # the authenticated Graph Store
    assert environment["PUENTE_SPARQL_UPDATE_URL"].endswith("/sparql-auth")
    # Puente reads in pages below the server's cap and checks every answer against it
    assert environment["PUENTE_SPARQL_SERVER_MAX_ROWS"] == services["virtuoso"]["environment"][
        "VIRT_SPARQL_ResultSetMaxRows"]
    assert services["puente"]["depends_on"]["virtuoso"]["condition"] == "service_healthy"


def test_compose_keeps_puente_data_where_the_image_puts_it() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    volumes = _compose()["services"]["puente"]["volumes"]
    assert any(volume.split(":")[1].split()[0] == "/var/lib/puente" for volume in volumes)
    assert "PUENTE_DATA_DIR=/var/lib/puente" in dockerfile
