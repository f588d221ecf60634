"""Background jobs (procrastinate, its tables in our database): outbox processing and the periodic sweep.

`create_job_app(database)` builds the procrastinate `App` with its tasks. It is a factory, not a module-level
app, so each process (and each test) gets an app bound to the database it uses and no state is shared:
- the API builds one at start-up only to defer jobs; it never opens its pool (see `defer_after_commit`);
- a worker (`nexfitra worker`, or `serve` through `BackgroundWorker`) builds its own and opens it.

Tasks (a worker of the service also gets the daily knowledge sync of `tools.knowledge_sync`):
- `process_outbox_event(event_id)`: runs the event's handlers (`tools.events.process_event`) in its own
  transaction; a failure is committed on the event row (attempts, last_error) and then raised, so
  procrastinate retries the job with backoff.
- `sweep_outbox(timestamp)`, every minute: re-defers events left unprocessed for more than 30 s (the process
  died between commit and defer, or the job failed for good). A queueing lock per event keeps at most one
  job per event waiting, and `process_event` skips events already done, so a re-defer is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import Engine
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from store.db import Database
from store.settings import Settings
from tools import accounts, events
from tools.events import EventHandlers, Outcome

PROCESS_EVENT_TASK = "outbox.process_event"
SWEEP_TASK = "outbox.sweep"
SWEEP_CRON = "* * * * *"  # every minute
PURGE_TOKENS_TASK = "accounts.purge_expired_refresh_tokens"
PURGE_TOKENS_CRON = "17 3 * * *"  # daily, 03:17 UTC
OUTBOX_QUEUE = "outbox"
# 2, 4, 8, 16, 32 s between attempts; after that the sweep takes over (up to MAX_EVENT_ATTEMPTS runs).
DEFAULT_RETRY = RetryStrategy(max_attempts=5, exponential_wait=2)
# A worker runs one job at a time by default; listen/notify, heartbeats and the periodic deferrer need a few
# more connections of their own.
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 6
_AFTER_COMMIT_HOOK = "nexfitra.outbox.after_commit_hook"

_log = structlog.get_logger(__name__)


class EventJobFailed(Exception):
    """Raised by the job when a handler failed, so procrastinate schedules a retry."""


def libpq_conninfo(sqlalchemy_url: str) -> str:
    """`postgresql+psycopg://u@/db?host=/sock&port=5432` → `postgresql://u@/db?host=/sock&port=5432`, a
    connection URI libpq (and so procrastinate's psycopg pool) accepts as is."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def create_job_app(
    database: Database,
    handlers: EventHandlers | None = None,
    *,
    retry: RetryStrategy = DEFAULT_RETRY,
    settings: Settings | None = None,
) -> App:
    """A procrastinate app on `database` whose outbox job runs `handlers` (the service's by default).
    Given `settings` (a worker of the service), it also carries the scheduled knowledge sync."""
    subscribed = handlers if handlers is not None else events.default_handlers()
    app = App(
        connector=PsycopgConnector(
            conninfo=libpq_conninfo(database.url), min_size=POOL_MIN_SIZE, max_size=POOL_MAX_SIZE
        ),
    )

    @app.task(name=PROCESS_EVENT_TASK, queue=OUTBOX_QUEUE, retry=retry)
    def process_outbox_event(event_id: int) -> str:
        with database.session() as session:
            result = events.process_event(session, subscribed, event_id)
        # Raised only now: the session above has committed attempts and last_error.
        if result.outcome is Outcome.FAILED:
            raise EventJobFailed(f"outbox event {event_id}: handler failed") from result.error
        return result.outcome.value

    @app.periodic(cron=SWEEP_CRON, periodic_id="outbox-sweep")
    @app.task(name=SWEEP_TASK, queue=OUTBOX_QUEUE, queueing_lock=SWEEP_TASK)
    async def sweep_outbox(timestamp: int) -> int:
        def stale() -> list[int]:
            with database.session() as session:
                return events.stale_event_ids(session)

        event_ids = await asyncio.to_thread(stale)
        deferred = 0
        for event_id in event_ids:
            with contextlib.suppress(AlreadyEnqueued):
                await _event_job(app, event_id).defer_async(event_id=event_id)
                deferred += 1
        if event_ids:
            _log.info("outbox sweep", stale=len(event_ids), deferred=deferred)
        return deferred

    @app.periodic(cron=PURGE_TOKENS_CRON, periodic_id="purge-refresh-tokens")
    @app.task(name=PURGE_TOKENS_TASK, queue=OUTBOX_QUEUE, queueing_lock=PURGE_TOKENS_TASK)
    def purge_refresh_tokens(timestamp: int) -> int:
        with database.session() as session:
            deleted = accounts.purge_expired_refresh_tokens(session)
        _log.info("expired refresh tokens purged", deleted=deleted)
        return deleted

    if settings is not None:
        # Imported here: only workers need it, and it pulls in the knowledge sources (~1 s).
        from tools.knowledge_sync import register_knowledge_sync

        register_knowledge_sync(app, database, settings)
    return app


def worker_queues(settings: Settings | None) -> list[str]:
    """The queues a worker of `create_job_app(..., settings=settings)` has tasks on."""
    if settings is None:
        return [OUTBOX_QUEUE]
    from tools.knowledge_sync import SYNC_QUEUE

    return [OUTBOX_QUEUE, SYNC_QUEUE]


def _event_job(app: App, event_id: int, connection: Any = None) -> Any:
    # One waiting job per event: a second defer (sweep, retry) raises AlreadyEnqueued instead of queueing.
    return app.configure_task(PROCESS_EVENT_TASK, queueing_lock=f"outbox:{event_id}", connection=connection)


def defer_event_jobs(app: App, engine: Engine, event_ids: list[int]) -> list[int]:
    """Defer one `process_outbox_event` job per event on a connection of our own pool (the app's pool is
    never opened in the API). Returns the ids deferred; ids already queued are skipped."""
    deferred: list[int] = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for event_id in event_ids:
            try:
                # Each insert in its own transaction (a savepoint if one is open): a duplicate-lock error
                # must not abort the others.
                with raw.transaction():
                    _event_job(app, event_id, connection=raw).defer(event_id=event_id)
            except AlreadyEnqueued:
                continue
            deferred.append(event_id)
    return deferred


def defer_after_commit(session: Session, app: App) -> None:
    """Defer the jobs of the events this session records, right after it commits.

    `tools.events.record_event` lists each event id in `session.info`; a SQLAlchemy `after_commit` listener
    on this one session takes the list and defers the jobs (on a fresh connection: the committed session
    may not run SQL). Rolled-back events are forgotten, never deferred. If deferring fails (database
    unreachable just then), the change is committed anyway and the error only logged: the periodic sweep
    defers the event within about a minute. Idempotent per session."""
    if session.info.get(_AFTER_COMMIT_HOOK):
        return
    session.info[_AFTER_COMMIT_HOOK] = True

    def after_commit(committed: Session) -> None:
        event_ids = events.take_pending_event_ids(committed)
        if not event_ids:
            return
        bind = committed.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        try:
            defer_event_jobs(app, engine, event_ids)
        except Exception as exc:  # the sweep recovers; a committed change must not turn into a 500
            _log.warning(
                "deferring outbox jobs failed; the sweep will retry", event_ids=event_ids, error=str(exc)
            )

    def after_rollback(rolled_back: Session) -> None:
        events.take_pending_event_ids(rolled_back)

    sa_event.listen(session, "after_commit", after_commit)
    sa_event.listen(session, "after_rollback", after_rollback)


async def run_worker(
    database: Database,
    handlers: EventHandlers | None = None,
    *,
    settings: Settings | None = None,
    wait: bool = True,
    concurrency: int = 1,
    install_signal_handlers: bool = True,
    retry: RetryStrategy = DEFAULT_RETRY,
) -> None:
    """Run a worker until stopped (`wait=True`) or until the queue is empty (`wait=False`, burst mode).
    With `settings`, the worker also runs the scheduled knowledge sync."""
    app = create_job_app(database, handlers, retry=retry, settings=settings)
    # Without settings, the setting's default: one source for the number.
    polling_s = (settings or Settings.model_construct()).worker_polling_interval_s
    async with app.open_async():
        await app.run_worker_async(
            queues=worker_queues(settings),
            name="nexfitra-worker",
            # Done jobs go; failed ones stay for inspection (the event row keeps last_error too).
            delete_jobs="successful",
            wait=wait,
            concurrency=concurrency,
            install_signal_handlers=install_signal_handlers,
            fetch_job_polling_interval=polling_s,
        )


class BackgroundWorker:
    """A worker as a task on the running event loop (`serve` runs the API and a worker in one process)."""

    def __init__(
        self, database: Database, handlers: EventHandlers | None = None, settings: Settings | None = None
    ) -> None:
        self._database = database
        self._handlers = handlers
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        coro = run_worker(
            self._database, self._handlers, settings=self._settings, install_signal_handlers=False
        )
        self._task = asyncio.get_running_loop().create_task(coro, name="nexfitra-worker")
        self._task.add_done_callback(_report_crash)

    async def stop(self) -> None:
        """Cancel: procrastinate stops fetching, lets the running job finish, then unregisters."""
        if self._task is None:
            return
        task, self._task = self._task, None
        task.cancel()
        # A worker that died earlier was reported then; its error must not break the API's shutdown.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def _report_crash(task: asyncio.Task[None]) -> None:
    """Say so at once when the in-process worker dies: the API keeps serving, but events wait for the
    next worker (or a restart)."""
    if not task.cancelled() and (error := task.exception()) is not None:
        _log.error(
            "job worker stopped with an error; outbox events wait until a worker runs", error=repr(error)
        )
