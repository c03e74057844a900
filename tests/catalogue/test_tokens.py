"""Tokens: 401 without (or with an unknown or revoked) token, 403 with another catalogue's, admin-only routes,
and every write in the audit log without its body."""

from __future__ import annotations

import httpx

from tests.catalogue.conftest import ADMIN, JSON, Server, case

RECORD = "co/etwv-wj8f-pueblos-indigenas/input.json"


def put(server: Server, headers: dict[str, str], catalogue: str = "co", record: str = "etwv-wj8f") -> httpx.Response:
    return httpx.put(f"{server.url}/catalogues/{catalogue}/datasets/{record}", content=case(RECORD),
                     headers={"Content-Type": JSON, **headers}, timeout=60)


def problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = answer.json()
    assert body["status"] == status and body["detail"]
    return body


def test_no_token_is_401_with_a_challenge(server: Server) -> None:
    answer = put(server, {})
    problem(answer, 401)
    assert answer.headers["www-authenticate"] == 'Bearer realm="puente"'
    problem(httpx.delete(f"{server.url}/catalogues/co/datasets/etwv-wj8f"), 401)
    problem(httpx.post(f"{server.url}/catalogues/co/datasets", content=b"{}", headers={"Content-Type": JSON}), 401)
    problem(put(server, {"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_unknown_token_is_401_invalid_token(server: Server) -> None:
    for secret in ("pte_" + "A" * 43, "nonsense", "pte_" + "x" * 5000):
        answer = put(server, {"Authorization": f"Bearer {secret}"})
        problem(answer, 401)
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def test_a_token_of_another_catalogue_is_403(server: Server) -> None:
    body = problem(put(server, server.auth("cl")), 403)
    assert "cl" in str(body["detail"]) and "co" in str(body["detail"])
    assert server.get("/catalogues/co/datasets/etwv-wj8f").status_code in (404, 200)  # nothing written by it
    log = httpx.get(f"{server.url}/admin/audit", headers=server.admin()).json()
    assert any(line["outcome"] == "forbidden" and line["catalogue"] == "co" for line in log)


def test_revoked_token_is_401(server: Server) -> None:
    created = httpx.post(f"{server.url}/admin/tokens", json={"catalogue": "co", "name": "to revoke"},
                         headers=server.admin()).json()
    assert put(server, {"Authorization": f"Bearer {created['token']}"}).status_code in (200, 201)
    listed = httpx.get(f"{server.url}/admin/tokens", headers=server.admin()).json()
    assert any(t["id"] == created["id"] and t["revoked"] is None for t in listed)
    assert all("token" not in t and "hash" not in t for t in listed)  # secrets are never listed
    assert httpx.delete(f"{server.url}/admin/tokens/{created['id']}", headers=server.admin()).status_code == 204
    problem(put(server, {"Authorization": f"Bearer {created['token']}"}), 401)
    problem(httpx.delete(f"{server.url}/admin/tokens/{created['id']}", headers=server.admin()), 404)


def test_admin_routes_need_the_admin_token(server: Server) -> None:
    tokens = f"{server.url}/admin/tokens"
    problem(httpx.post(tokens, json={"catalogue": "co"}), 401)
    problem(httpx.post(tokens, json={"catalogue": "co"}, headers=server.auth("co")), 401)
    problem(httpx.post(tokens, json={"catalogue": "co"}, headers={"Authorization": f"Bearer {ADMIN}x"}), 401)
    problem(httpx.get(f"{server.url}/admin/audit", headers=server.auth("co")), 401)
    problem(httpx.post(tokens, json={"catalogue": "zz"}, headers=server.admin()), 404)
    problem(httpx.post(tokens, json={"catalogue": "../x"}, headers=server.admin()), 400)
    problem(httpx.post(tokens, content=b"not json", headers={**server.admin(), "Content-Type": JSON}), 400)


def test_the_admin_token_may_write_any_catalogue_and_writes_are_logged_without_bodies(server: Server) -> None:
    answer = put(server, server.admin(), catalogue="co")
    assert answer.status_code in (200, 201)
    log = httpx.get(f"{server.url}/admin/audit?limit=1000", headers=server.admin()).json()
    mine = [line for line in log if line["action"] == "put" and line["who"] == "admin"]
    assert mine and mine[0]["target"] == "/catalogues/co/datasets/etwv-wj8f" and mine[0]["status"] in (200, 201)
    text = str(log)
    assert "Pueblos indígenas" not in text and "custom_fields" not in text  # never a body
    assert all(line["at"] for line in log)
