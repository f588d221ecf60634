"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api import health
from api.errors import install_error_handlers
from api.observability import Metrics, RequestObserver, configure_logging
from knowledge.sources.live import LiveSources
from store.crypto import FieldCipher
from store.db import Database, open_database
from store.settings import Settings
from tools import jobs

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None, database: Database | None = None, live: LiveSources | None = None
) -> FastAPI:
    """Build the app. Given a `database`, the app uses it and leaves closing it to the caller (tests);
    otherwise it opens one at start-up (starting embedded PostgreSQL if needed) and closes it at shutdown.
    Likewise `live` (FoodData Central, recipe providers): one per app, since it holds the rate limits."""
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or open_database(settings)
        app.state.live = live or LiveSources(settings)
        metrics.watch_pool(app.state.database.engine)
        # Defers outbox jobs after commits; a worker in this process too when settings say so (`serve`).
        app.state.jobs = jobs.create_job_app(app.state.database)
        worker = (
            jobs.BackgroundWorker(app.state.database, settings=settings)
            if settings.run_worker_in_serve
            else None
        )
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            if live is None:
                app.state.live.close()
            if owned:
                app.state.database.close()

    app = FastAPI(
        title="NexFitra",
        version="0.1.0",
        summary="Open coaching for training and nutrition",
        lifespan=lifespan,
    )
    metrics = Metrics()
    app.state.settings = settings
    app.state.cipher = FieldCipher(*settings.field_keys)
    app.state.metrics = metrics
    install_error_handlers(app)
    app.add_middleware(RequestObserver, metrics=metrics)

    app.include_router(health.router)
    for router in _api_routers():
        app.include_router(router, prefix=API_PREFIX)
    return app


def _api_routers() -> list[APIRouter]:
    from api import admin, auth, coach, knowledge, meal_plans, notifications, nutrition, profile, workouts

    return [
        auth.router,
        profile.router,
        coach.router,
        admin.router,
        nutrition.router,
        workouts.router,
        knowledge.router,
        meal_plans.router,
        notifications.router,
    ]
