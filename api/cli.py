"""The `nexfitra` command: serve, worker, database and user administration."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from store import migrate
from store.db import Database, open_database
from store.settings import Settings
from store.vocabulary import Role

app = typer.Typer(help="NexFitra: open coaching for training and nutrition.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
knowledge_app = typer.Typer(help="Knowledge base: foods, recipes, exercises.", no_args_is_help=True)
app.add_typer(knowledge_app, name="knowledge")


@contextmanager
def _database() -> Iterator[tuple[Settings, Database]]:
    """Settings and the database; an embedded server we start here is stopped on the way out."""
    settings = Settings()
    database = open_database(settings)
    try:
        yield settings, database
    finally:
        database.close()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default from settings)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings)")] = None,
) -> None:
    """Migrate, load knowledge, and serve the API; unless `NEXFITRA_RUN_WORKER_IN_SERVE=false`, a job
    worker runs in the same process (started and stopped by the app's lifespan), so one process is a
    whole service. With the setting off, run `nexfitra worker` beside it."""
    import uvicorn

    from api.app import create_app
    from api.observability import configure_logging

    # uvicorn re-raises the SIGTERM it handled once it has shut down; under the default handler that kills
    # the process before `_database()` can stop the embedded server it owns. As SystemExit it unwinds.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with _database() as (settings, database):
        configure_logging(settings.log_level, settings.log_json)
        migrate.upgrade(database.engine)
        if settings.knowledge_load_on_start:
            from knowledge.console import ensure_loaded

            ensure_loaded(settings, database)
        uvicorn.run(
            create_app(settings, database=database),
            host=host or settings.host,
            port=port or settings.port,
            log_config=None,
            access_log=False,
        )


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Run the jobs already queued, then exit")] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Jobs run at the same time")] = 1,
) -> None:
    """Run the job worker alone (outbox events, the minutely sweep, the daily knowledge sync) until
    SIGINT/SIGTERM."""
    import asyncio

    from api.observability import configure_logging
    from tools import jobs

    with _database() as (settings, database):
        configure_logging(settings.log_level, settings.log_json)
        # The worker never migrates (`serve` or `db upgrade` does): old code on a new schema, or the
        # reverse, must not process events.
        if not migrate.is_at_head(database.engine):
            typer.echo(
                "error: the database is not at the migrations' head; run `nexfitra db upgrade`", err=True
            )
            raise typer.Exit(1)
        asyncio.run(jobs.run_worker(database, settings=settings, wait=not burst, concurrency=concurrency))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    with _database() as (_, database):
        migrate.upgrade(database.engine, revision)
        typer.echo(f"database at {migrate.current_revision(database.engine)}")


@db_app.command("status")
def db_status() -> None:
    """Show the database's revision and whether it is at head."""
    with _database() as (_, database):
        current, head = migrate.current_revision(database.engine), migrate.head_revision()
        typer.echo(f"current: {current}\nhead:    {head}\n" + ("up to date" if current == head else "behind"))
        if current != head:
            raise typer.Exit(1)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(prompt=True)],
    display_name: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    role: Annotated[Role, typer.Option(case_sensitive=False)] = Role.USER,
) -> None:
    """Create an account (e.g. the first admin: --role admin)."""
    from pydantic import ValidationError

    from tools.accounts import RegisterInput, create_user
    from tools.errors import DomainError

    try:
        account = RegisterInput(email=email, password=password, display_name=display_name)
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"error: {'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from exc
    with _database() as (settings, database):
        try:
            with database.session() as session:
                user = create_user(
                    session, account, role=role, min_password_length=settings.password_min_length
                )
        except DomainError as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"created {user.role.value} {user.email} ({user.id})")


@knowledge_app.command("load")
def knowledge_load(
    force: Annotated[bool, typer.Option(help="Reload even datasets whose version is already loaded")] = False,
    only: Annotated[
        list[str] | None, typer.Option(help="Dataset to load (foods, exercises, recipes); repeatable")
    ] = None,
) -> None:
    """Load the bundled foods, exercises and recipes. Idempotent: a second run changes nothing."""
    from knowledge.console import load_with_progress
    from knowledge.loader import DATASETS

    chosen = tuple(only or DATASETS)
    unknown = sorted(set(chosen) - set(DATASETS))
    if unknown:
        typer.echo(
            f"error: unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}", err=True
        )
        raise typer.Exit(2)
    with _database() as (settings, database):
        migrate.upgrade(database.engine)
        load_with_progress(settings, database, force=force, only=chosen)


@knowledge_app.command("sync")
def knowledge_sync(
    source: Annotated[
        list[str] | None, typer.Option(help="Source to sync (usda, recipes, exercises); repeatable")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Refresh at most this many USDA foods")] = None,
) -> None:
    """Refresh rows fetched from live APIs (USDA FoodData Central, the recipe provider) that are older than
    NEXFITRA_KNOWLEDGE_SYNC_MAX_AGE_DAYS. Job workers also run it on NEXFITRA_KNOWLEDGE_SYNC_CRON."""
    from knowledge.sources.console import sync_with_progress
    from knowledge.sources.sync import SOURCES, SyncSource

    names = [s.value for s in SOURCES]
    unknown = sorted(set(source or ()) - set(names))
    if unknown:
        typer.echo(f"error: unknown source(s) {', '.join(unknown)}; choose from {', '.join(names)}", err=True)
        raise typer.Exit(2)
    chosen = tuple(SyncSource(name) for name in source) if source else SOURCES
    with _database() as (settings, database):
        if not migrate.is_at_head(database.engine):
            typer.echo(
                "error: the database is not at the migrations' head; run `nexfitra db upgrade`", err=True
            )
            raise typer.Exit(1)
        sync_with_progress(settings, database, sources=chosen, usda_limit=limit)


if __name__ == "__main__":
    app()
