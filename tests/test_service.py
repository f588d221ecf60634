"""Service basics: liveness, readiness, metrics, problem+json, and models vs migrations."""

from __future__ import annotations

from fastapi.testclient import TestClient

from store import migrate
from store.db import Database


def test_healthz_is_alive(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_database_at_head(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body == {"status": "ready", "revision": migrate.head_revision()}


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/healthz")
    text = client.get("/metrics").text
    assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'db_pool_connections{state="size"}' in text


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]) == 32


def test_models_and_migrations_agree(database: Database) -> None:
    """`alembic check`: fails when a model changed without a migration (or the other way round)."""
    migrate.check(database.engine)
