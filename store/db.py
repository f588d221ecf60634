"""Engine and session scopes. One `Database` per process, created at start-up and passed down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from store.embedded import EmbeddedPostgres, start_or_attach
from store.settings import Settings

EMBEDDED_DATABASE = "nexfitra"
CONNECT_TIMEOUT_S = 10


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
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        # Bound values (password hashes, emails, health fields) stay out of exception text and so out of logs.
        hide_parameters=True,
        # prepare_threshold=None: safe behind PgBouncer in transaction mode. connect_timeout: an unreachable
        # host fails in seconds instead of holding a worker thread for the OS's ~2 min TCP timeout.
        connect_args={"prepare_threshold": None, "connect_timeout": CONNECT_TIMEOUT_S},
    )


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
