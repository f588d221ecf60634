"""Engine and session scopes. One `Database` per process, created at start-up and passed down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from store.embedded import EmbeddedPostgres, start_or_attach
from store.settings import Settings

EMBEDDED_DATABASE = "nexfitra"
CONNECT_TIMEOUT_S = 10
IDLE_PING_AFTER_S = 5.0


@dataclass
class Database:
    """The engine and session factory of this process, and the embedded server if it uses one."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    embedded: EmbeddedPostgres | None = field(default=None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits at the end, rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if self.embedded is not None:
            self.embedded.stop()


def resolve_database_url(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """`DATABASE_URL` when set; otherwise start (or attach to) the embedded server and make our database."""
    if settings.database_url:
        return settings.database_url, None
    server = start_or_attach(settings.pg_data_path)
    ensure_database(server, EMBEDDED_DATABASE)
    return server.dsn(EMBEDDED_DATABASE), server


def ensure_database(server: EmbeddedPostgres, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.libpq_dsn(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def make_engine(url: str, settings: Settings) -> Engine:
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # Bound values (password hashes, emails, health fields) stay out of exception text and so out of logs.
        hide_parameters=True,
        # prepare_threshold=None: safe behind PgBouncer in transaction mode. connect_timeout: an unreachable
        # host fails in seconds instead of holding a worker thread for the OS's ~2 min TCP timeout.
        connect_args={"prepare_threshold": None, "connect_timeout": CONNECT_TIMEOUT_S},
    )
    _ping_connections_back_from_idle(engine)
    return engine


def _ping_connections_back_from_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, but only where it pays: a connection that sat idle in the pool for
    `IDLE_PING_AFTER_S` (a database restart or failover happens while connections idle) is pinged on
    checkout and replaced if dead. SQLAlchemy's `pool_pre_ping` pings on every checkout, which cost 0.6 ms
    of CPU per request under load (bench/rest.py) for connections used a few milliseconds earlier."""

    @event.listens_for(engine, "checkin")
    def _stamp(dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_PING_AFTER_S:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as exc:  # any failure: the pool discards it and checks out another (up to 3 tries)
            raise DisconnectionError(f"idle connection is dead: {type(exc).__name__}") from exc


def open_database(settings: Settings, url: str | None = None) -> Database:
    embedded = None
    if url is None:
        url, embedded = resolve_database_url(settings)
    engine = make_engine(url, settings)
    return Database(
        url=url,
        engine=engine,
        sessions=sessionmaker(engine, expire_on_commit=False),
        embedded=embedded,
    )
