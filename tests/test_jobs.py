"""Outbox jobs end to end: defer → a real procrastinate worker (burst mode) → handlers → processed_at;
retries with the failure recorded, idempotence, SKIP LOCKED, the sweep of lost events, the worker inside
`serve` and the `nexfitra worker` command."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import structlog
from fastapi import FastAPI
from fastapi.testclient import TestClient
from procrastinate import RetryStrategy
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from store.db import Database
from store.models import Notification, OutboxEvent, RefreshToken
from store.settings import Settings
from tests.factories import Factory
from tests.test_profile import put
from tools import events, jobs
from tools.events import PROFILE_CHANGED, EventHandlers, EventMessage, Outcome

Calls = list[EventMessage]


def recording(calls: Calls, *, fail_times: int = 0, note: bool = False) -> events.Handler:
    """A handler that records what it got; fails its first `fail_times` calls; optionally writes a row
    (to see a failed attempt's writes rolled back)."""

    def handler(session: Session, event: EventMessage) -> None:
        calls.append(event)
        if note and event.user_id is not None:
            session.add(Notification(user_id=event.user_id, kind="test", title=f"attempt {len(calls)}"))
            session.flush()
        if len(calls) <= fail_times:
            raise RuntimeError(f"boom {len(calls)}")

    return handler


def handlers_with(handler: events.Handler, kind: str = PROFILE_CHANGED) -> EventHandlers:
    registry = EventHandlers()
    registry.subscribe(kind, handler)
    return registry


def run_burst(database: Database, handlers: EventHandlers, retry: RetryStrategy = jobs.DEFAULT_RETRY) -> None:
    """The service's worker in burst mode: runs what is queued (retries due now included) and stops."""
    asyncio.run(jobs.run_worker(database, handlers, wait=False, install_signal_handlers=False, retry=retry))


def event_row(database: Database, event_id: int) -> OutboxEvent:
    with database.session() as session:
        row = session.get(OutboxEvent, event_id)
        assert row is not None
        session.expunge(row)
        return row


def job_statuses(database: Database) -> list[str]:
    with database.engine.connect() as conn:
        return list(conn.execute(text("SELECT status FROM procrastinate_jobs ORDER BY id")).scalars())


def lost_event(
    database: Database, *, age_s: float, kind: str = PROFILE_CHANGED, user_id: uuid.UUID | None = None
) -> int:
    """An event committed without its job (the process died before deferring), created `age_s` ago."""
    with database.session() as session:
        event_id = events.record_event(session, kind=kind, user_id=user_id, payload={"n": 1})
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(created_at=datetime.now(UTC) - timedelta(seconds=age_s))
        )
    return event_id


def test_a_profile_change_runs_the_subscribed_handler_once(
    client: TestClient, factory: Factory, clean_database: Database
) -> None:
    user = factory.user()
    put(client, user)
    calls: Calls = []
    run_burst(clean_database, handlers_with(recording(calls)))
    assert len(calls) == 1
    (event,) = calls
    assert event.kind == PROFILE_CHANGED
    assert event.user_id == user.id
    assert events.ProfileChanged.model_validate(event.payload).changes["weight_kg"].new == 64.0
    row = event_row(clean_database, event.id)
    assert row.processed_at is not None
    assert (row.attempts, row.last_error) == (1, None)
    assert job_statuses(clean_database) == []  # done jobs are deleted; failed ones would stay
    # Another job for the same event (a late sweep) finds it processed and does not call the handler again.
    jobs.defer_event_jobs(jobs.create_job_app(clean_database), clean_database.engine, [event.id])
    run_burst(clean_database, handlers_with(recording(calls)))
    assert len(calls) == 1
    assert event_row(clean_database, event.id).processed_at == row.processed_at


def test_the_builtin_subscriber_accepts_a_real_profile_event(
    client: TestClient, factory: Factory, clean_database: Database
) -> None:
    put(client, factory.user())
    run_burst(clean_database, events.default_handlers())
    with clean_database.session() as session:
        (row,) = session.scalars(select(OutboxEvent))
        assert row.processed_at is not None
        assert row.last_error is None


def test_a_malformed_event_fails_the_builtin_subscriber_visibly(clean_database: Database) -> None:
    event_id = lost_event(clean_database, age_s=0)
    jobs.defer_event_jobs(jobs.create_job_app(clean_database), clean_database.engine, [event_id])
    run_burst(clean_database, events.default_handlers(), retry=RetryStrategy(max_attempts=1))
    row = event_row(clean_database, event_id)
    assert row.processed_at is None
    assert row.attempts == 2
    assert row.last_error is not None
    assert row.last_error.startswith("ValidationError")
    assert job_statuses(clean_database) == ["failed"]


def test_a_failing_handler_is_retried_and_its_writes_rolled_back(
    client: TestClient, factory: Factory, clean_database: Database
) -> None:
    user = factory.user()
    put(client, user)
    calls: Calls = []
    run_burst(
        clean_database,
        handlers_with(recording(calls, fail_times=2, note=True)),
        retry=RetryStrategy(max_attempts=3),  # no wait: the burst worker runs the retries too
    )
    assert len(calls) == 3
    row = event_row(clean_database, calls[0].id)
    assert row.processed_at is not None
    assert row.attempts == 3
    assert row.last_error is None
    with clean_database.session() as session:
        titles = session.scalars(select(Notification.title)).all()
    assert titles == ["attempt 3"]  # attempts 1 and 2 wrote too, in the savepoint that was rolled back


def test_a_failure_is_recorded_on_the_event_before_the_job_retries(clean_database: Database) -> None:
    event_id = lost_event(clean_database, age_s=0)
    calls: Calls = []
    with clean_database.session() as session:
        result = events.process_event(session, handlers_with(recording(calls, fail_times=1)), event_id)
    assert result.outcome is Outcome.FAILED
    assert isinstance(result.error, RuntimeError)
    row = event_row(clean_database, event_id)
    assert (row.attempts, row.last_error, row.processed_at) == (1, "RuntimeError: boom 1", None)


def test_an_event_locked_by_another_worker_is_skipped_not_waited_for(clean_database: Database) -> None:
    event_id = lost_event(clean_database, age_s=0)
    calls: Calls = []
    with clean_database.session() as holder:
        holder.execute(select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update())
        started = time.perf_counter()
        with clean_database.session() as session:
            result = events.process_event(session, handlers_with(recording(calls)), event_id)
        assert time.perf_counter() - started < 2
    assert result.outcome is Outcome.SKIPPED
    assert calls == []
    assert event_row(clean_database, event_id).processed_at is None


def test_an_event_kind_without_subscribers_is_simply_marked_processed(clean_database: Database) -> None:
    event_id = lost_event(clean_database, age_s=0, kind="nobody.listens")
    with clean_database.session() as session:
        assert events.process_event(session, EventHandlers(), event_id).outcome is Outcome.PROCESSED
    assert event_row(clean_database, event_id).processed_at is not None


class TestSweep:
    def test_the_sweep_runs_every_minute(self, clean_database: Database) -> None:
        app = jobs.create_job_app(clean_database)
        crons = {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}
        assert crons == {jobs.SWEEP_TASK: "* * * * *", jobs.PURGE_TOKENS_TASK: "17 3 * * *"}

    def test_the_sweep_redefers_a_lost_event_and_only_that(self, clean_database: Database) -> None:
        lost = lost_event(clean_database, age_s=45)
        fresh = lost_event(clean_database, age_s=5)  # its post-commit job may still be on its way
        given_up = lost_event(clean_database, age_s=600)
        with clean_database.session() as session:
            session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id == given_up)
                .values(attempts=events.MAX_EVENT_ATTEMPTS)
            )
        calls: Calls = []
        handlers = handlers_with(recording(calls))
        app = jobs.create_job_app(clean_database, handlers)
        with clean_database.engine.connect() as conn:
            raw = conn.connection.driver_connection
            with raw.transaction():  # type: ignore[union-attr]
                app.configure_task(jobs.SWEEP_TASK, connection=raw).defer(timestamp=0)
        run_burst(clean_database, handlers)
        assert [event.id for event in calls] == [lost]
        assert event_row(clean_database, lost).processed_at is not None
        assert event_row(clean_database, fresh).processed_at is None
        assert event_row(clean_database, given_up).processed_at is None

    def test_a_sweep_does_not_queue_a_second_job_for_a_waiting_event(self, clean_database: Database) -> None:
        lost = lost_event(clean_database, age_s=45)
        app = jobs.create_job_app(clean_database)
        assert jobs.defer_event_jobs(app, clean_database.engine, [lost]) == [lost]
        assert jobs.defer_event_jobs(app, clean_database.engine, [lost]) == []
        assert job_statuses(clean_database) == ["todo"]


def test_the_procrastinate_dsn_reaches_the_same_database(clean_database: Database) -> None:
    with psycopg.connect(jobs.libpq_conninfo(clean_database.url)) as conn:
        (name,) = conn.execute("SELECT current_database()").fetchone() or ("",)
    with clean_database.engine.connect() as conn:
        assert name == conn.execute(text("SELECT current_database()")).scalar_one()


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def not_due_now() -> str:
    """A daily cron twelve hours away: the knowledge sync a service worker carries must not start here."""
    return f"0 {(datetime.now(UTC).hour + 12) % 24} * * *"


def test_a_service_worker_also_carries_the_knowledge_sync(
    settings: Settings, clean_database: Database
) -> None:
    from tools.knowledge_sync import SYNC_QUEUE, SYNC_TASK

    app = jobs.create_job_app(clean_database, settings=settings)
    assert {task.task.name for task in app.periodic_registry.periodic_tasks.values()} == {
        jobs.SWEEP_TASK,
        jobs.PURGE_TOKENS_TASK,
        SYNC_TASK,
    }
    assert jobs.worker_queues(settings) == [jobs.OUTBOX_QUEUE, SYNC_QUEUE]


def test_serve_runs_a_worker_in_the_same_process(
    settings: Settings, clean_database: Database, factory: Factory
) -> None:
    # Polling once a minute: only LISTEN/NOTIFY can wake the worker within the bound below (a bound loose
    # enough for a loaded machine; it was 4.5 s against 5 s polling, and flaked).
    overrides = {
        "run_worker_in_serve": True,
        "knowledge_sync_cron": not_due_now(),
        "worker_polling_interval_s": 60.0,
    }
    serve_settings = Settings(**(settings.model_dump() | overrides), _env_file=None)
    app: FastAPI = create_app(serve_settings, database=clean_database)
    user = factory.user()
    with TestClient(app) as client:
        started = time.perf_counter()
        put(client, user)

        def processed() -> bool:
            with clean_database.session() as session:
                return session.scalar(select(OutboxEvent.processed_at)) is not None

        assert wait_for(processed, timeout_s=30.0), "the in-process worker was not woken by the event"
        elapsed = time.perf_counter() - started
    assert elapsed < 30.0, elapsed
    with clean_database.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one() == 0
        )  # unregistered


def test_the_worker_command_in_burst_mode(
    settings: Settings, clean_database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from api.cli import app as cli

    event_id = lost_event(clean_database, age_s=0, user_id=None, kind="nobody.listens")
    jobs.defer_event_jobs(jobs.create_job_app(clean_database), clean_database.engine, [event_id])
    monkeypatch.setenv("NEXFITRA_DATABASE_URL", clean_database.url)
    monkeypatch.setenv("NEXFITRA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("NEXFITRA_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("NEXFITRA_KNOWLEDGE_SYNC_CRON", not_due_now())
    monkeypatch.chdir(tmp_path)  # no .env of the repository
    # The command configures logging onto CliRunner's stderr, which is closed afterwards: put back what
    # was there, or later tests' log lines would hit a closed file.
    root_handlers, root_level, structlog_config = (
        logging.root.handlers[:],
        logging.root.level,
        structlog.get_config(),
    )
    try:
        result = CliRunner().invoke(cli, ["worker", "--burst"])
    finally:
        logging.root.handlers[:] = root_handlers
        logging.root.setLevel(root_level)
        structlog.configure(**structlog_config)
    assert result.exit_code == 0, result.output
    assert event_row(clean_database, event_id).processed_at is not None


def test_the_daily_job_purges_refresh_tokens_expired_over_a_day_ago(
    clean_database: Database, factory: Factory
) -> None:
    """Without it the table grows by a row per login and refresh, forever."""
    user = factory.user()
    now = datetime.now(UTC)
    expiries = {"long expired": now - timedelta(days=3), "just expired": now - timedelta(hours=2)}
    expiries["valid"] = now + timedelta(days=20)
    with clean_database.session() as session:
        session.add_all(
            RefreshToken(
                user_id=user.id,
                family_id=uuid.uuid4(),
                token_hash=name.replace(" ", "-").ljust(64, "0"),
                expires_at=expires,
            )
            for name, expires in expiries.items()
        )
    app = jobs.create_job_app(clean_database)
    with clean_database.engine.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.transaction():  # type: ignore[union-attr]
            app.configure_task(jobs.PURGE_TOKENS_TASK, connection=raw).defer(timestamp=0)
    run_burst(clean_database, EventHandlers())
    with clean_database.session() as session:
        left = set(session.scalars(select(RefreshToken.token_hash).where(RefreshToken.user_id == user.id)))
    assert left == {"just-expired".ljust(64, "0"), "valid".ljust(64, "0")}
