"""Web hygiene: security headers, CORS for reading, closed for writing, logs without bodies, no stack traces."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.conftest import CASES


def test_pages_have_a_strict_csp(client: TestClient) -> None:
    for path in ("/", "/profile", "/sources?format=html", "/vocabularies?format=html"):
        headers = client.get(path, headers={"accept": "text/html"}).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in client.get("/health").headers


def test_reading_is_open_to_any_origin(client: TestClient) -> None:
    response = client.get("/vocabularies/data-theme", headers={"origin": "https://dev.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/profile/shapes", headers={"origin": "https://dev.example",
                                                            "access-control-request-method": "GET"})
    assert preflight.status_code == 204


def test_writing_is_closed_to_other_origins(client: TestClient) -> None:
    body = (CASES / "dcat" / "complete-dataset" / "input.ttl").read_bytes()
    response = client.post("/validate", content=body, headers={"content-type": "text/turtle",
                                                                 "origin": "https://evil.example"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
    preflight = client.options("/validate", headers={"origin": "https://evil.example",
                                                      "access-control-request-method": "POST"})
    assert preflight.status_code == 403


def test_post_origins_can_be_allowed() -> None:
    with TestClient(create_app(Settings(cors_post_origins="https://portal.example", workers=0))) as own:
        preflight = own.options("/validate", headers={"origin": "https://portal.example",
                                                       "access-control-request-method": "POST"})
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://portal.example"


def test_logs_never_hold_a_body(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    marker = "SECRET-BODY-MARKER-1234"
    with caplog.at_level(logging.DEBUG):
        client.post("/validate", content=f'<http://x/{marker}> <http://x/p> "{marker}" .'.encode(),
                    headers={"content-type": "text/turtle"})
        client.post("/validate?token=QUERY-SECRET", content=b"{bad", headers={"content-type": "application/json"})
    # everything the service logged (the test client's own httpx log line is not the service's)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore")))
    assert "POST /validate" in logged
    assert marker not in logged and "QUERY-SECRET" not in logged


def test_no_stack_trace_in_an_answer() -> None:
    app = create_app(Settings(workers=0))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail /etc/secret")

    with TestClient(app, raise_server_exceptions=False) as own:
        response = own.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text and "/etc/secret" not in response.text
