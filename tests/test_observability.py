"""Errors as problem+json, Prometheus metrics, structured logs without secrets, and readiness."""

from __future__ import annotations

import io
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import structlog
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from api.app import API_PREFIX, create_app
from api.observability import configure_logging
from store import migrate
from store.db import Database, make_engine
from store.settings import Settings
from tests.factories import DEFAULT_PASSWORD, Factory

PROBLEM_JSON = "application/problem+json"
SECRET_IN_ERROR = "s3cret-detail-that-must-not-leak"


def _fail() -> None:
    raise RuntimeError(SECRET_IN_ERROR)


def _item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


def _app_with_test_routes(settings: Settings, database: Database) -> FastAPI:
    """The real app plus a route with a path parameter, the same in a router included with a prefix (as
    every /api/v1 route is), and one that crashes."""
    app = create_app(settings, database=database)
    app.add_api_route("/test/items/{item_id}", _item, methods=["GET"])
    app.add_api_route("/test/crash", _fail, methods=["GET"])
    router = APIRouter()
    router.add_api_route("/items/{item_id}", _item, methods=["GET"])
    app.include_router(router, prefix="/test/v1")
    return app


@pytest.fixture
def test_app(settings: Settings, clean_database: Database) -> FastAPI:
    return _app_with_test_routes(settings, clean_database)


@pytest.fixture
def crash_client(test_app: FastAPI) -> Iterator[TestClient]:
    # A real server answers a crash with a 500 and logs it; the test client would re-raise by default.
    with TestClient(test_app, raise_server_exceptions=False) as client:
        yield client


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


class TestProblemJson:
    def test_404_unknown_route(self, crash_client: TestClient) -> None:
        _assert_problem(crash_client.get("/api/v1/no-such-route"), 404)

    def test_405_wrong_method_names_the_allowed_ones(self, crash_client: TestClient) -> None:
        response = crash_client.post("/healthz")
        _assert_problem(response, 405)
        assert "GET" in response.headers["allow"]

    def test_422_names_the_field_and_the_reason(self, crash_client: TestClient) -> None:
        body = _assert_problem(crash_client.get("/test/items/not-a-number"), 422)
        assert body["errors"][0]["field"] == "item_id"
        assert "integer" in body["errors"][0]["reason"]
        assert "item_id" in body["detail"]

    def test_500_hides_the_exception_and_carries_the_request_id(self, crash_client: TestClient) -> None:
        response = crash_client.get("/test/crash", headers={"X-Request-ID": "crash-1"})
        body = _assert_problem(response, 500)
        assert SECRET_IN_ERROR not in response.text
        assert body["title"] == "Internal server error"
        assert response.headers["X-Request-ID"] == "crash-1"  # what a user quotes to find the log line


def _samples(metrics_text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(metrics_text)
        for sample in family.samples
    }


class TestMetrics:
    def test_requests_are_counted_by_route_template_and_status(self, crash_client: TestClient) -> None:
        for item_id in (1, 2, 3):
            assert crash_client.get(f"/test/items/{item_id}").status_code == 200
        crash_client.get("/test/crash")
        crash_client.get("/test/items/x")
        metrics_text = crash_client.get("/metrics").text
        samples = _samples(metrics_text)

        template = "/test/items/{item_id}"
        ok = frozenset({("method", "GET"), ("route", template), ("status", "200")})
        assert samples[("http_requests_total", ok)] == 3
        invalid = frozenset({("method", "GET"), ("route", template), ("status", "422")})
        assert samples[("http_requests_total", invalid)] == 1
        crashed = frozenset({("method", "GET"), ("route", "/test/crash"), ("status", "500")})
        assert samples[("http_requests_total", crashed)] == 1
        assert "/test/items/1" not in metrics_text  # raw paths would explode label cardinality

    def test_routes_of_an_included_router_keep_their_prefix(self, crash_client: TestClient) -> None:
        crash_client.get("/test/v1/items/1")
        crash_client.get("/test/v1/items/2")
        samples = _samples(crash_client.get("/metrics").text)
        labels = frozenset({("method", "GET"), ("route", "/test/v1/items/{item_id}"), ("status", "200")})
        assert samples[("http_requests_total", labels)] == 2

    def test_latency_histogram_by_route_template(self, crash_client: TestClient) -> None:
        crash_client.get("/test/items/7")
        crash_client.get("/test/items/8")
        samples = _samples(crash_client.get("/metrics").text)
        labels = frozenset({("method", "GET"), ("route", "/test/items/{item_id}")})
        assert samples[("http_request_duration_seconds_count", labels)] == 2
        assert samples[("http_request_duration_seconds_bucket", labels | {("le", "+Inf")})] == 2
        assert 0 < samples[("http_request_duration_seconds_sum", labels)] < 5

    def test_unmatched_paths_share_one_label(self, crash_client: TestClient) -> None:
        crash_client.get(f"/nothing/{uuid.uuid4()}")
        crash_client.get(f"/nothing/{uuid.uuid4()}")
        samples = _samples(crash_client.get("/metrics").text)
        labels = frozenset({("method", "GET"), ("route", "unmatched"), ("status", "404")})
        assert samples[("http_requests_total", labels)] == 2

    def test_db_pool_gauges(self, crash_client: TestClient, settings: Settings) -> None:
        samples = _samples(crash_client.get("/metrics").text)
        gauge = {
            dict(labels)["state"]: value
            for (name, labels), value in samples.items()
            if name == "db_pool_connections"
        }
        assert set(gauge) == {"checked_out", "idle", "overflow", "size"}
        assert gauge["size"] == settings.db_pool_size
        assert gauge["checked_out"] >= 0


@contextmanager
def captured_logs(settings: Settings) -> Iterator[io.StringIO]:
    """JSON logs at INFO into a buffer; the test settings' logging is restored afterwards.

    Inside the test body on purpose: pytest re-installs its own sys.stderr between test phases."""
    stream = io.StringIO()
    original = sys.stderr
    sys.stderr = stream
    try:
        configure_logging("INFO", json=True)
        yield stream
    finally:
        sys.stderr = original
        configure_logging(settings.log_level, settings.log_json)


def _json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is JSON, or this raises


class TestLogs:
    def test_request_log_is_json_with_the_request_id(
        self, settings: Settings, clean_database: Database
    ) -> None:
        with captured_logs(settings) as stream:
            app = _app_with_test_routes(
                settings.model_copy(update={"log_level": "INFO", "log_json": True}), clean_database
            )
            with TestClient(app) as client:
                client.get("/test/items/5", headers={"X-Request-ID": "obs-req-1"})
        requests = [entry for entry in _json_lines(stream) if entry.get("event") == "request"]
        assert len(requests) == 1
        entry = requests[0]
        assert entry["request_id"] == "obs-req-1"
        assert entry["route"] == "/test/items/{item_id}"
        assert entry["status"] == 200
        assert entry["level"] == "info"
        assert "timestamp" in entry

    def test_crash_log_carries_request_id_without_sql_parameters(
        self, settings: Settings, clean_database: Database
    ) -> None:
        def leak(item_id: int) -> None:
            with clean_database.session() as session:
                session.execute(text("SELECT :secret FROM no_such_table"), {"secret": SECRET_IN_ERROR})

        with captured_logs(settings) as stream:
            app = create_app(
                settings.model_copy(update={"log_level": "INFO", "log_json": True}), database=clean_database
            )
            app.add_api_route("/test/leak/{item_id}", leak, methods=["GET"])
            with TestClient(app, raise_server_exceptions=False) as client:
                assert client.get("/test/leak/1", headers={"X-Request-ID": "obs-crash-1"}).status_code == 500
        entries = _json_lines(stream)
        crashes = [entry for entry in entries if entry.get("event") == "unhandled error"]
        assert len(crashes) == 1
        assert crashes[0]["request_id"] == "obs-crash-1"
        assert "no_such_table" in crashes[0]["exception"]  # the traceback is there for debugging…
        assert SECRET_IN_ERROR not in stream.getvalue()  # …the bound values are not

    def test_stdlib_logs_are_json_too(self, settings: Settings) -> None:
        with captured_logs(settings) as stream:
            logging.getLogger("store.embedded").warning("stale lock removed in %s", "var/pg")
        (entry,) = _json_lines(stream)
        assert entry["event"] == "stale lock removed in var/pg"
        assert entry["level"] == "warning"
        assert entry["logger"] == "store.embedded"

    def test_direct_log_calls_redact_secrets_and_health_data(self, settings: Settings) -> None:
        secrets = {
            "password": "hunter2-hunter2",
            "access_token": "tok-abc-123",
            "authorization": "Bearer tok-def-456",
            "health_notes": "asthma since 2019",
            "medical_conditions": "type 1 diabetes",
        }
        jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXRoYXQtbG9va3MtcmVhbA"
        with captured_logs(settings) as stream:
            log = structlog.get_logger("nexfitra.test")
            log.info("flat", **secrets)
            log.info("nested", body={"user": {"password": secrets["password"]}, "items": [secrets]})
            log.info(f"token pasted into a message {jwt_like}")
        output = stream.getvalue()
        for value in secrets.values():
            assert value not in output
        assert jwt_like not in output
        flat = next(entry for entry in _json_lines(stream) if entry["event"] == "flat")
        assert flat["password"] == "[redacted]"

    def test_tokens_passwords_and_health_data_never_reach_the_logs(
        self, settings: Settings, clean_database: Database, factory: Factory
    ) -> None:
        """Through the real routes: bearer tokens on any route, a login (right and wrong password), and
        health notes written to the profile. Routes still being written are exercised once they exist."""
        user = factory.user()
        health_notes = "knee surgery 2023, takes beta blockers"
        secrets = [user.token, DEFAULT_PASSWORD, "wrong-" + DEFAULT_PASSWORD, health_notes]
        with captured_logs(settings) as stream:
            app = create_app(
                settings.model_copy(update={"log_level": "INFO", "log_json": True}), database=clean_database
            )
            paths = set(app.openapi()["paths"])
            with TestClient(app) as client:
                assert client.get("/healthz", headers=user.headers).status_code == 200
                if f"{API_PREFIX}/auth/login" in paths:
                    login = client.post(
                        f"{API_PREFIX}/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD}
                    )
                    assert login.status_code == 200, login.text
                    secrets += [login.json()["access_token"], login.json()["refresh_token"]]
                    wrong = {"email": user.email, "password": "wrong-" + DEFAULT_PASSWORD}
                    assert client.post(f"{API_PREFIX}/auth/login", json=wrong).status_code == 401
                if f"{API_PREFIX}/me" in paths:
                    assert client.get(f"{API_PREFIX}/me", headers=user.headers).status_code == 200
                if f"{API_PREFIX}/profile" in paths:
                    factory.profile(user)
                    patched = client.patch(
                        f"{API_PREFIX}/profile", headers=user.headers, json={"health_notes": health_notes}
                    )
                    assert patched.status_code == 200, patched.text
        output = stream.getvalue()
        logged_routes = {
            entry.get("route") for entry in _json_lines(stream) if entry.get("event") == "request"
        }
        assert "/healthz" in logged_routes
        for secret in secrets:
            assert secret not in output

    def test_logs_follow_sys_stderr_after_it_is_swapped_and_closed(self, settings: Settings) -> None:
        """CliRunner and pytest swap sys.stderr and close their copy; logging must not stay bound to it."""
        original = sys.stderr
        swapped, later = io.StringIO(), io.StringIO()
        try:
            sys.stderr = swapped
            configure_logging("INFO", json=True)
            swapped.close()
            sys.stderr = later
            structlog.get_logger("nexfitra.test").warning("after the swap")
            logging.getLogger("nexfitra.stdlib").warning("stdlib after the swap")
        finally:
            sys.stderr = original
            configure_logging(settings.log_level, settings.log_json)
        events = [entry["event"] for entry in _json_lines(later)]
        assert events == ["after the swap", "stdlib after the swap"]


class TestReadiness:
    def test_503_when_the_database_is_unreachable(self, settings: Settings, tmp_path: Any) -> None:
        url = f"postgresql+psycopg://postgres@/nexfitra?host={tmp_path}&port=5432"  # no server on that socket
        engine = make_engine(url, settings)
        database = Database(url=url, engine=engine, sessions=sessionmaker(engine))
        try:
            with TestClient(create_app(settings, database=database)) as client:
                body = _assert_problem(client.get("/readyz"), 503)
                assert "unreachable" in body["detail"]
                assert client.get("/healthz").status_code == 200  # liveness does not depend on the DB
        finally:
            engine.dispose()

    def test_503_when_the_schema_is_not_at_head(self, settings: Settings, database: Database) -> None:
        """A database without our migrations: an empty schema first on the search path. (CREATE and DROP
        DATABASE would do too, but DROP forces a checkpoint that takes seconds on a busy test server.)"""
        schema = f"empty_{uuid.uuid4().hex[:8]}"
        with database.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(database.url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            empty = Database(url=database.url, engine=engine, sessions=sessionmaker(engine))
            with TestClient(create_app(settings, database=empty)) as client:
                body = _assert_problem(client.get("/readyz"), 503)
                assert f"migrations at {migrate.head_revision()}" in body["detail"]
                assert "revision None" in body["detail"]
        finally:
            engine.dispose()
            with database.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}"'))
