"""Test fixtures: one real PostgreSQL per test session (embedded, in a temporary directory, or the server
named by TEST_DATABASE_URL), migrated once; real commits, and every user-owned table emptied after each
test that touched the database."""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.orm import Session

from store import migrate
from store.db import Database, ensure_database, open_database
from store.embedded import EmbeddedPostgres, start_or_attach
from store.settings import Settings
from tests.factories import Factory

if TYPE_CHECKING:
    from knowledge.embeddings import Embedder

# Property tests draw the same examples on every run (CI must not go red by luck);
# HYPOTHESIS_PROFILE=explore draws new ones locally.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEST_DATABASE = "nexfitra_test"
# Rows of these tables belong to users or jobs; knowledge tables (loaded once) are left alone.
PER_TEST_TABLES = (
    "users",
    "outbox_events",
    "procrastinate_jobs",
    "procrastinate_periodic_defers",
)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedPostgres | None]:
    if os.environ.get("TEST_DATABASE_URL"):
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="nexfitra-test-"))
    server = start_or_attach(root / "pg")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(pg_server: EmbeddedPostgres | None) -> str:
    if pg_server is None:
        return Settings(database_url=os.environ["TEST_DATABASE_URL"]).database_url or ""
    ensure_database(pg_server, TEST_DATABASE)
    return pg_server.dsn(TEST_DATABASE)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    key = base64.b64encode(b"k" * 32).decode()
    return Settings(
        _env_file=None,
        database_url=database_url,
        var_dir=tmp_path_factory.mktemp("var"),
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        encryption_keys=f"test1:{key}",
        log_json=False,
        log_level="WARNING",
        run_worker_in_serve=False,
    )


@pytest.fixture(scope="session")
def database(settings: Settings, database_url: str) -> Iterator[Database]:
    db = open_database(settings, url=database_url)
    migrate.upgrade(db.engine)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def clean_database(database: Database) -> Iterator[Database]:
    """The database, emptied of user rows after the test (also when it fails)."""
    try:
        yield database
    finally:
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(PER_TEST_TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(clean_database: Database) -> Iterator[Session]:
    """A session for arranging and checking rows; commits at the end of the test like a job would."""
    with clean_database.session() as session:
        yield session


@pytest.fixture
def app(settings: Settings, clean_database: Database) -> FastAPI:
    from api.app import create_app

    return create_app(settings, database=clean_database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def factory(clean_database: Database, settings: Settings) -> Factory:
    return Factory(clean_database, settings)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def knowledge(database: Database, settings: Settings) -> Database:
    """The bundled knowledge base (foods, exercises, recipes), loaded once per test session. Read-only for
    tests: per-test truncation leaves these tables alone."""
    from knowledge.loader import load_knowledge
    from knowledge.runtime import embedder_for, knowledge_root

    load_knowledge(database, embedder_for(settings), knowledge_root(settings))
    return database


@pytest.fixture
def live_rows(knowledge: Database, settings: Settings) -> Iterator[Embedder]:
    """The loaded knowledge base for tests of the live sources; afterwards every trace of them is removed
    again (API foods, FDC ids and fetch times recorded on bundled rows, cached recipe answers, words added
    to the spelling vocabulary), so the shared tables stay as loaded."""
    from knowledge import ingest
    from knowledge.runtime import embedder_for

    try:
        yield embedder_for(settings)
    finally:
        with knowledge.engine.begin() as conn:
            conn.execute(text("DELETE FROM foods WHERE source = 'fdc_api'"))
            conn.execute(
                text(
                    "UPDATE foods SET fdc_id = NULL, fetched_at = NULL"
                    " WHERE source = 'sr28' AND (fdc_id IS NOT NULL OR fetched_at IS NOT NULL)"
                )
            )
            conn.execute(text("TRUNCATE recipe_cache"))
        with knowledge.session() as session:
            ingest.refresh_vocabulary(session, "foods")
